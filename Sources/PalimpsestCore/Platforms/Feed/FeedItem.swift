public import Foundation

/// One item of a feed (an RSS item, an Atom entry, a JSON Feed item), read and normalized.
///
/// Dates are UTC instants, the URL is absolute, `text` is the HTML content reduced with
/// ``HTMLText`` and `html` the markup as served. ``post`` turns it into the platform-neutral
/// ``Post``.
public struct FeedItem: Sendable, Hashable {
    /// Which field the item's ID came from.
    public enum IDSource: String, Sendable, Hashable {
        /// RSS `guid`.
        case guid
        /// RSS 1.0 `rdf:about`.
        case about
        /// Atom `id` or JSON Feed `id`.
        case id
        /// The item's link (RSS `link`, Atom `link rel="alternate"`, JSON Feed `url`).
        case link
        /// ``FeedItem/fallbackID(title:date:content:)``: no ID field and no link.
        case fallback
    }

    /// The item's stable ID: the feed's own ID field, else its link as written, else a hash
    /// (see ``IDSource``).
    public var id: String
    /// Where ``id`` came from.
    public var idSource: IDSource
    /// The item's permalink, made absolute against the feed URL; `nil` when the item has none.
    public var url: String?
    /// The item's title, whitespace-trimmed; `nil` when absent or empty.
    public var title: String?
    /// Publication time, UTC (RSS `pubDate` or `dc:date`, Atom `published`, JSON Feed
    /// `date_published`); `nil` when absent or unreadable.
    public var publishedAt: Date?
    /// Last-change time, UTC (Atom `updated`, JSON Feed `date_modified`); `nil` when absent.
    public var updatedAt: Date?
    /// The content markup as served (RSS `content:encoded` or `description`, Atom `content` or
    /// `summary` of type `html`/`xhtml`, JSON Feed `content_html`); `nil` for plain-text content.
    public var html: String?
    /// The plain text of the content.
    public var text: String
    /// Media URLs (enclosures, `media:content`, `media:thumbnail`, JSON Feed `image`,
    /// `banner_image` and `attachments`, then `<img src>` in the HTML), absolute, each once.
    public var media: [String]
    /// The targets of `<a href>` links in the HTML, absolute, each once.
    public var links: [String]
    /// For an item with a ``IDSource/fallback`` ID and a publication date only: what stays when its
    /// content is edited (``fallbackBaseID(title:date:)``), so that the edit, which changes the ID,
    /// is paired with the item it replaces and logged as `altered` (``Post/baseID``). `nil` otherwise.
    public var baseID: String?

    /// Creates an item.
    public init(
        id: String,
        idSource: IDSource,
        url: String? = nil,
        title: String? = nil,
        publishedAt: Date? = nil,
        updatedAt: Date? = nil,
        html: String? = nil,
        text: String,
        media: [String] = [],
        links: [String] = [],
        baseID: String? = nil
    ) {
        self.id = id
        self.idSource = idSource
        self.url = url
        self.title = title
        self.publishedAt = publishedAt
        self.updatedAt = updatedAt
        self.html = html
        self.text = text
        self.media = media
        self.links = links
        self.baseID = baseID
    }

    /// The platform's edit marker: ``updatedAt`` when the item also has a ``publishedAt`` and the
    /// two differ; `nil` otherwise (an Atom entry with only `updated` was not necessarily edited).
    /// Not part of the version hash: YouTube bumps `updated` for metadata changes.
    public var editedAt: Date? {
        guard let published = self.publishedAt, let updated = self.updatedAt, updated != published else {
            return nil
        }
        return updated
    }

    /// The item as a ``Post`` of kind `post`: `postedAt` is ``publishedAt``, else ``updatedAt``
    /// (Atom entries such as GitHub's releases feed carry only `updated`); `editedAt` is
    /// ``editedAt``. Volatile feed fields (YouTube `media:statistics` views, star ratings) are never
    /// read, so they cannot change the version hash.
    public var post: Post {
        var post = Post(
            id: self.id,
            kind: .post,
            url: self.url,
            postedAt: self.publishedAt ?? self.updatedAt,
            editedAt: self.editedAt,
            text: self.text,
            html: self.html,
            title: self.title,
            media: self.media,
            links: self.links
        )
        post.baseID = self.baseID
        return post
    }

    /// The ID of an item that has neither an ID field (RSS `guid`, Atom `id`, JSON Feed `id`) nor
    /// a link: `sha256:` followed by the 64 lowercase hex digits of the SHA-256 of the UTF-8 bytes
    /// of `title + "\n" + date + "\n" + content`.
    ///
    /// Each part is the raw text as written in the feed, trimmed of surrounding whitespace, empty
    /// when absent: `title` is the item title; `date` the publication date string (RSS `pubDate`
    /// or `dc:date`, Atom `published`, JSON Feed `date_published`; never the last-update date,
    /// which changes on edits); `content` the RSS `description`, Atom `content` (else `summary`)
    /// or JSON Feed `content_html` (else `content_text`). Such an item that is edited gets a new
    /// ID: the monitor then sees one item vanish and another appear. Documented in
    /// `docs/feed-ids.md`.
    /// - Returns: The fallback ID, e.g. `sha256:9f86d0…`.
    public static func fallbackID(title: String?, date: String?, content: String?) -> String {
        let parts = [title, date, content].map { FeedText.trimmed($0 ?? "") }
        return "sha256:" + ContentHash.sha256Hex(parts.joined(separator: "\n"))
    }

    /// The base ID of an item with a fallback ID: `title-date:` followed by the 64 lowercase hex
    /// digits of the SHA-256 of `title + "\n" + date` (the parts of ``fallbackID(title:date:content:)``
    /// without the content), or `nil` when the item has no publication date (undated untitled
    /// items would all share one). An edit of the content keeps it; the detector pairs a vanished
    /// post and a new one with the same base ID and publication time, one to one, as the same post
    /// edited (docs/feed-ids.md).
    public static func fallbackBaseID(title: String?, date: String?) -> String? {
        let date = FeedText.trimmed(date ?? "")
        guard !date.isEmpty else { return nil }
        return "title-date:" + ContentHash.sha256Hex(FeedText.trimmed(title ?? "") + "\n" + date)
    }
}
