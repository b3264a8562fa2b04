import Foundation

/// One item of an author feed (`app.bsky.feed.defs#feedViewPost`): a post, and why it is in the
/// feed (`reason`: a repost by the account, or the account's pin).
///
/// Source: FORMATS.md §2 (Repost, Pinned, Replies / embeds); fixtures
/// `getAuthorFeed_reposts_replies_2023.json` (reasonRepost), `feedViewPost_*.json`; lexicon
/// `app/bsky/feed/defs.json` (`reasonRepost` requires `by` and `indexedAt`, newer AppViews add
/// `uri` and `cid`; `reasonPin` has no fields). The item's `reply` context (parent and root, which
/// may be `#notFoundPost` or `#blockedPost`) and `feedContext` are not read: they describe other
/// posts, never this one.
struct BlueskyFeedItem: Decodable, Sendable, Hashable {
    /// The post shown (for a repost: the original, by another author).
    var post: BlueskyPostView
    /// Why the item is in the feed, if not simply because the account posted it.
    var reason: FeedReason?

    /// `$type` of a repost reason.
    static let repostType = "app.bsky.feed.defs#reasonRepost"
    /// `$type` of a pin reason (the pinned post, inserted first on the first page by
    /// `getAuthorFeed?includePins=true`).
    static let pinType = "app.bsky.feed.defs#reasonPin"
    /// Prefix of a repost's post ID, followed by the original's at-URI.
    static let repostIDPrefix = "repost:"

    /// An item's `reason`.
    struct FeedReason: Decodable, Sendable, Hashable {
        /// The reason's `$type`.
        var type: String
        /// For a repost: when the account reposted (UTC).
        var indexedAt: Date?

        enum CodingKeys: String, CodingKey {
            case type = "$type"
            case indexedAt
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            // A reason without a readable type cannot be told from a repost: the answer is unparsable.
            self.type = try container.decode(String.self, forKey: .type)
            self.indexedAt = container.decodeLeniently(String.self, forKey: .indexedAt).flatMap(
                BlueskyTimestamp.date(from:))
        }
    }

    /// The post this item shows in the account's timeline.
    ///
    /// An own post (a reply included) has the at-URI as its ID and the record's `cid` as its
    /// revision. A repost becomes a post of kind ``PostKind/repost`` with the ID
    /// `repost:<original at-URI>` (stable whatever the AppView adds to the reason; an account can
    /// repost a post only once at a time), the repost time (`reason.indexedAt`) as its time, the
    /// original's content, and the original's at-URI as its ``Post/reference``. A quote's
    /// ``Post/reference`` is the quoted at-URI, from the record, so a quoted post that becomes
    /// `viewNotFound`, `viewBlocked` or `viewDetached` leaves this post's version unchanged.
    /// - Parameter pinnedURI: the at-URI the profile names as pinned (`pinnedPost`), if any: that
    ///   post is pinned even where the AppView inserts no `reasonPin` item.
    func post(pinnedURI: String?) -> Post {
        let original = self.post
        if self.reason?.type == Self.repostType {
            return Post(
                id: Self.repostIDPrefix + original.uri,
                kind: .repost,
                url: BlueskyEndpoint.permalink(ofPost: original.uri),
                postedAt: self.reason?.indexedAt,
                text: original.record.text,
                media: original.mediaReferences,
                links: original.links,
                reference: original.uri,
                revision: original.cid
            )
        }
        return Post(
            id: original.uri,
            kind: .post,
            url: BlueskyEndpoint.permalink(ofPost: original.uri),
            postedAt: original.postedAt,
            text: original.record.text,
            media: original.mediaReferences,
            links: original.links,
            reference: original.quotedURI,
            revision: original.cid,
            isPinned: self.reason?.type == Self.pinType || (pinnedURI != nil && pinnedURI == original.uri)
        )
    }
}
