public import Foundation

/// Whether a post is the account's own or a repost (boost) of another post.
public enum PostKind: String, Sendable, Codable, Hashable {
    /// The account's own post (replies included).
    case post
    /// A repost or boost: a wrapper that points at an original (see ``Post/reference``).
    /// Un-boosting removes the wrapper, never the original.
    case repost
}

/// One item an account published, as seen in one poll.
///
/// Adapters build posts from platform answers; everything volatile (like and view counts,
/// relative times, signed URL query strings) is left out of ``versionHash`` so that only a real
/// change of content makes an alteration.
public struct Post: Sendable, Codable, Hashable, Identifiable {
    /// The platform's stable post ID, compared as a string (Mastodon status `id`, feed guid/id).
    public var id: String
    /// Post or repost.
    public var kind: PostKind
    /// The public permalink of the post, when the platform gives one.
    public var url: String?
    /// When the post was published, UTC. `nil` when the source gives no usable date.
    public var postedAt: Date?
    /// The platform's own edit marker time, UTC (Mastodon `edited_at`, Atom `updated`,
    /// JSON Feed `date_modified`), when present.
    public var editedAt: Date?
    /// The plain text of the post: HTML reduced to text, whitespace normalized.
    public var text: String
    /// The original markup as the platform served it (HTML content), kept as evidence.
    public var html: String?
    /// A title, where the source has one separate from the text (feeds).
    public var title: String?
    /// Media references (image, video URLs) in the order the platform lists them.
    public var media: [String]
    /// Links the post carries, in order.
    public var links: [String]
    /// For a repost: the original post's ID or URL; for a quote, the quoted post.
    public var reference: String?
    /// The platform's own content identifier of this version of the post's record, where it has
    /// one (Bluesky `cid`, a hash of the record): part of the version, so a rewritten record is an
    /// alteration even when no shown field changed. `nil` for platforms without one.
    public var revision: String?
    /// True when the post is pinned: pinned posts sit outside the time order and never set the
    /// window floor.
    public var isPinned: Bool
    /// The SHA-256 (lowercase hex) of the post's canonical version form; see ``PostVersion``.
    public var versionHash: String
    /// For a repost: what the platform now shows in place of the reposted original when that
    /// original is gone (Weibo's `抱歉，此微博已被作者删除` inside `retweeted_status`). A finding about the
    /// original (``reference``), not about this post: it is not part of the version hash.
    public var referenceTombstone: ReferenceTombstone?
    /// True when the platform gave only part of the text and completing it failed (e.g. a Weibo long
    /// post whose `statuses/extend` request failed). A truncated version is never compared for
    /// alterations (rule of evidence 5): the detector keeps the last complete version.
    public var isTruncated: Bool
    /// The ID the platform gave when several items of one answer shared it with different content
    /// (a feed repeating a GUID): ``id`` is then `<baseID>#<first 12 hex digits of the version
    /// hash>` (docs/feed-ids.md), and an edit, which changes that suffix, is told by this base ID and
    /// the publication time. For a feed item with neither ID nor link, whose fallback ID hashes its
    /// content, the hash of its title and publication date (``FeedItem/fallbackBaseID(title:date:)``),
    /// which an edit of the content keeps. `nil` for every other post (and in files written before
    /// it existed).
    public var baseID: String?

    /// Creates a post and computes its version hash from the content fields.
    public init(
        id: String,
        kind: PostKind = .post,
        url: String? = nil,
        postedAt: Date? = nil,
        editedAt: Date? = nil,
        text: String,
        html: String? = nil,
        title: String? = nil,
        media: [String] = [],
        links: [String] = [],
        reference: String? = nil,
        revision: String? = nil,
        isPinned: Bool = false,
        isTruncated: Bool = false
    ) {
        self.id = id
        self.kind = kind
        self.url = url
        // On the millisecond grid, like every date read back from disk (RFC3339.date(from:)).
        self.postedAt = postedAt?.onMillisecondGrid
        self.editedAt = editedAt?.onMillisecondGrid
        self.text = text
        self.html = html
        self.title = title
        self.media = media
        self.links = links
        self.reference = reference
        self.revision = revision
        self.isPinned = isPinned
        self.isTruncated = isTruncated
        self.referenceTombstone = nil
        self.versionHash =
            PostVersion(
                text: text, title: title, media: media, links: links, reference: reference, revision: revision
            ).hash
    }

    /// This post with its content fields replaced and its version hash computed again under the
    /// current ``PostVersion`` rules; every other field (ID, dates, markup, flags, reference
    /// tombstone) is kept.
    /// - Parameters:
    ///   - text: the plain text.
    ///   - title: the title, if any.
    ///   - media: the media references.
    ///   - links: the links.
    /// - Returns: the post with the new content and its new version hash.
    public func withContent(text: String, title: String?, media: [String], links: [String]) -> Post {
        var post = Post(
            id: self.id, kind: self.kind, url: self.url, postedAt: self.postedAt, editedAt: self.editedAt, text: text,
            html: self.html, title: title, media: media, links: links, reference: self.reference,
            revision: self.revision, isPinned: self.isPinned, isTruncated: self.isTruncated)
        post.referenceTombstone = self.referenceTombstone
        return post
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, url, text, html, title, media, links, reference, revision
        case postedAt = "posted_at"
        case editedAt = "edited_at"
        case isPinned = "is_pinned"
        case isTruncated = "is_truncated"
        case referenceTombstone = "reference_tombstone"
        case versionHash = "version_hash"
        case baseID = "base_id"
    }
}

/// The platform's statement, shown inside a repost, that the reposted original is gone.
public struct ReferenceTombstone: Sendable, Codable, Hashable {
    /// The reason the statement gives (e.g. `author_deleted`, `censored`).
    public var reason: Reason
    /// The statement, quoted.
    public var detail: String

    public init(reason: Reason, detail: String) {
        self.reason = reason
        self.detail = detail
    }
}
