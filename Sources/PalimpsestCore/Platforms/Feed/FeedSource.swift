public import Foundation
import TOMLKit

/// The config of a `feed` account: one RSS, Atom or JSON Feed document.
public struct FeedSource: PlatformSource {
    public static let platform = Platform.feed
    /// The feed document's absolute http(s) URL.
    public var url: URL

    /// Creates the source.
    public init(url: URL) {
        self.url = url
    }

    public var keyIdentifier: String { Account.canonical(self.url) }

    public var summaryRows: [(key: String, value: String)] {
        [("url", self.url.absoluteString)]
    }

    static var adapter: any PlatformAdapter { FeedAdapter() }

    static let identityKey = "url"
    static let keys = ConfigSection(
        title: "feed account keys",
        keys: [
            ConfigKey(
                "url", .string, format: "http(s) URL", required: true, default: "",
                "Absolute `http`/`https` URL of an RSS 2.0, Atom 1.0 or JSON Feed 1.0/1.1 document. No `user:password@`: the URL is the account key and appears in the log; use `headers` for credentials. Items that repeat a GUID with other content are distinct posts (`docs/feed-ids.md`)."
            )
        ])

    static func sources(reading table: TOMLTable, with reader: inout ConfigReader, in scope: ConfigReader.Scope)
        -> [AccountSource]
    {
        guard
            let url = reader.httpURL(self.keys["url"], in: table, scope: scope, what: "the feed's absolute http(s) URL")
        else {
            return []
        }
        return [.feed(url: url)]
    }
}

extension Platform {
    /// Any RSS 2.0, Atom 1.0 or JSON Feed 1.0/1.1 document (RSSHub bridges included).
    public static let feed = Platform(declaring: "feed")
}

extension AccountSource {
    /// An RSS 2.0, Atom 1.0 or JSON Feed document at `url`.
    public static func feed(url: URL) -> AccountSource {
        AccountSource(FeedSource(url: url))
    }
}
