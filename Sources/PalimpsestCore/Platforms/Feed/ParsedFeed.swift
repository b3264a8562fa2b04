public import Foundation

/// The syntax a feed document is written in.
public enum FeedFormat: String, Sendable, Hashable, Codable {
    /// RSS 0.9x/2.0: `<rss><channel><item>` (https://www.rssboard.org/rss-specification).
    case rss
    /// RSS 1.0 (RDF): `<rdf:RDF><item rdf:about>` (https://web.resource.org/rss/1.0/spec).
    case rdf
    /// Atom 1.0: `<feed xmlns="http://www.w3.org/2005/Atom"><entry>` (RFC 4287).
    case atom
    /// JSON Feed 1.0 or 1.1 (https://www.jsonfeed.org/version/1.1/).
    case jsonFeed = "json_feed"

    /// The name operators know the format by.
    public var displayName: String {
        switch self {
        case .rss: return "RSS"
        case .rdf: return "RSS 1.0"
        case .atom: return "Atom"
        case .jsonFeed: return "JSON Feed"
        }
    }
}

/// One feed document, read: its format and title, and its items in document order.
public struct ParsedFeed: Sendable, Hashable {
    /// The syntax of the document.
    public var format: FeedFormat
    /// The format version the document states: RSS `version` (`2.0`), JSON Feed `1` or `1.1`;
    /// `nil` for Atom and RSS 1.0 (one version each) or when absent.
    public var version: String?
    /// The feed's title (RSS `channel/title`, Atom `feed/title`, JSON Feed `title`), if any.
    public var title: String?
    /// The items (RSS items, Atom entries, JSON Feed items) in document order; may be empty.
    /// With an item limit (``FeedParser/parse(_:feedURL:contentType:itemLimit:)``), only the first
    /// and the last `limit` of them.
    public var items: [FeedItem]
    /// How many items the document holds between the first and the last `limit` that were left out
    /// unread (0 without a limit, or when the document holds at most twice the limit).
    public var omittedItems: Int
    /// The feed's own date of its last change (UTC): RSS `channel/lastBuildDate`, Atom
    /// `feed/updated`; `nil` for JSON Feed (it has none) or when absent or unreadable. A listing
    /// with an older one than seen before is stale (docs/evidence.md, rule 3).
    public var updatedAt: Date?

    /// Creates a parsed feed.
    public init(
        format: FeedFormat, version: String? = nil, title: String?, items: [FeedItem], omittedItems: Int = 0,
        updatedAt: Date? = nil
    ) {
        self.format = format
        self.version = version
        self.title = title
        self.items = items
        self.omittedItems = omittedItems
        self.updatedAt = updatedAt
    }

    /// The items as posts, in document order (see ``FeedItem/post``).
    public var posts: [Post] { self.items.map(\.post) }
}
