public import Foundation
import TOMLKit

/// The config of a `bluesky` account: a handle or DID read through a public AppView.
public struct BlueskySource: PlatformSource {
    public static let platform = Platform.bluesky
    /// A handle or a DID.
    public var actor: String
    /// The AppView (default `https://public.api.bsky.app`).
    public var baseURL: URL
    /// Author-feed pages per poll.
    public var pages: Int
    /// The author-feed `filter` (default `posts_with_replies`).
    public var filter: String

    /// Creates the source.
    public init(actor: String, baseURL: URL, pages: Int, filter: String) {
        self.actor = actor
        self.baseURL = baseURL
        self.pages = pages
        self.filter = filter
    }

    public var keyIdentifier: String { self.actor.hasPrefix("@") ? String(self.actor.dropFirst()) : self.actor }

    public var summaryRows: [(key: String, value: String)] {
        [
            ("actor", self.actor), ("base_url", self.baseURL.absoluteString), ("pages", String(self.pages)),
            ("filter", self.filter),
        ]
    }

    static var adapter: any PlatformAdapter { BlueskyAdapter() }

    static let identityKey = "actor"
    /// The public AppView unless `base_url` names another.
    static let defaultBaseURL = "https://public.api.bsky.app"
    /// Author-feed filters (lexicon app.bsky.feed.getAuthorFeed, parameter `filter`).
    static let filters = [
        "posts_with_replies", "posts_no_replies", "posts_with_media", "posts_and_author_threads", "posts_with_video",
    ]
    static let keys = ConfigSection(
        title: "bluesky account keys",
        keys: [
            ConfigKey(
                "actor", .string, required: true, default: "",
                "A handle (`\"bsky.app\"`) or a DID (`\"did:plc:…\"`); a leading `@` is dropped. It is resolved once to the DID, which every later request uses."
            ),
            ConfigKey(
                "base_url", .string, format: "http(s) URL", default: "`\"https://public.api.bsky.app\"`",
                "Another AppView or a mirror."),
            ConfigKey(
                "pages", .integer(1...50), default: "`1`",
                "Author-feed pages per poll (50 posts each)."),
            ConfigKey(
                "filter", .string, default: "`\"posts_with_replies\"`",
                "`posts_with_replies`, `posts_no_replies`, `posts_with_media`, `posts_and_author_threads`, `posts_with_video`."
            ),
        ])

    static func sources(reading table: TOMLTable, with reader: inout ConfigReader, in scope: ConfigReader.Scope)
        -> [AccountSource]
    {
        let actor = reader.identifier(
            self.keys["actor"], in: table, scope: scope, pattern: .blueskyActor,
            what: "a Bluesky handle such as \"bsky.app\" or a DID such as \"did:plc:z72i7hdynmk6r22z27h6tvur\"")
        let base = reader.platformBaseURL(self.keys["base_url"], in: table, scope: scope, default: self.defaultBaseURL)
        let pages = reader.integer(self.keys["pages"], in: table, scope: scope) ?? 1
        var filter = "posts_with_replies"
        if let text = reader.string(self.keys["filter"], in: table, scope: scope) {
            if self.filters.contains(text) {
                filter = text
            } else {
                reader.report(
                    "expected one of \(self.filters.map(ConfigReader.quote).joined(separator: ", ")), "
                        + "found \(ConfigReader.quote(text))",
                    key: "filter", in: scope)
            }
        }
        guard let actor, let base else { return [] }
        return [.bluesky(actor: actor, baseURL: base, pages: pages, filter: filter)]
    }
}

extension Platform {
    /// A Bluesky / AT Protocol account, read through the public AppView (`public.api.bsky.app`).
    public static let bluesky = Platform(declaring: "bluesky")
}

extension AccountSource {
    /// A Bluesky account by handle or DID (`actor`), read from the AppView at `baseURL` (default
    /// `https://public.api.bsky.app`), `pages` pages per poll, author-feed `filter` (default
    /// `posts_with_replies`).
    public static func bluesky(actor: String, baseURL: URL, pages: Int, filter: String) -> AccountSource {
        AccountSource(BlueskySource(actor: actor, baseURL: baseURL, pages: pages, filter: filter))
    }
}
