public import Foundation

/// Where an account's posts come from, with the platform's own keys from the config.
public enum AccountSource: Sendable, Hashable {
    /// An RSS 2.0, Atom 1.0 or JSON Feed document at `url`.
    case feed(url: URL)
    /// A Mastodon account `acct` (username, or `user@domain` for a remote account as the instance
    /// knows it) on the instance whose base URL is `instance` (e.g. `https://mastodon.social`).
    case mastodon(instance: URL, acct: String)
    /// A Weibo account by numeric `uid`, read from `baseURL` (default `https://m.weibo.cn`),
    /// `pages` timeline pages per poll, with visitor cookies from `cookieFile` when set.
    case weibo(uid: String, baseURL: URL, pages: Int, cookieFile: URL?)
    /// A Bluesky account by handle or DID (`actor`), read from the AppView at `baseURL` (default
    /// `https://public.api.bsky.app`), `pages` pages per poll, author-feed `filter` (default
    /// `posts_with_replies`).
    case bluesky(actor: String, baseURL: URL, pages: Int, filter: String)
    /// A public Telegram channel by its username, read from `baseURL` (default `https://t.me`),
    /// `pages` preview pages per poll.
    case telegram(channel: String, baseURL: URL, pages: Int)
    /// One watched page at `url`, classified with the built-in tombstone table plus `tombstones`
    /// from the config.
    case url(url: URL, tombstones: [TombstoneRule])

    /// The platform of this source.
    public var platform: Platform {
        switch self {
        case .feed: return .feed
        case .mastodon: return .mastodon
        case .weibo: return .weibo
        case .bluesky: return .bluesky
        case .telegram: return .telegram
        case .url: return .url
        }
    }
}

/// A config-supplied tombstone rule for watched pages: a page whose text contains `contains` is
/// gone, for `reason` (`tombstones = [{ contains = "…", reason = "censored" }]`).
public struct TombstoneRule: Sendable, Hashable, Codable {
    /// Text that marks the tombstone page (matched against the page's extracted text).
    public var contains: String
    /// The reason the rule proves.
    public var reason: Reason

    public init(contains: String, reason: Reason) {
        self.contains = contains
        self.reason = reason
    }
}

/// One public source to watch, as configured.
public struct Account: Sendable, Hashable, Identifiable {
    /// The stable key (`platform:identifier`) used in the log, the state folder and `--account`.
    public var key: AccountKey
    /// The operator's display name for the account (`name` in the config), if any.
    public var name: String?
    /// The platform and its keys.
    public var source: AccountSource
    /// Seconds between polls of this account (before jitter).
    public var interval: TimeInterval
    /// Proxy URL for this account's requests (`http://`, `https://`, `socks5h://`); `nil` uses the
    /// daemon's proxy; an empty string disables proxies.
    public var proxy: String?
    /// Extra request headers for this account (cookies, tokens), sent with every request.
    public var headers: [String: String]
    /// The most posts one poll of this account keeps (`max_items`, default
    /// ``defaultMaxItems``): beyond it only the newest end of the list is kept (pinned posts
    /// first), and the timeline window is that of the posts kept, so nothing cut off becomes a
    /// deletion candidate. Parsers read no more than they need for it (a feed of 100,000 items
    /// costs about what one of `2 × maxItems` does).
    public var maxItems: Int

    /// The default of ``maxItems``: far more than any real timeline page or feed shows (RSSHub
    /// and most feeds list 10 to 100 items, Mastodon 40 a page, Bluesky 50 a page).
    public static let defaultMaxItems = 1_000

    public var id: AccountKey { self.key }

    /// The platform of this account.
    public var platform: Platform { self.source.platform }

    /// The name to show operators: the configured `name`, else the key.
    public var displayName: String { self.name ?? self.key.rawValue }

    public init(
        key: AccountKey,
        name: String? = nil,
        source: AccountSource,
        interval: TimeInterval = 600,
        proxy: String? = nil,
        headers: [String: String] = [:],
        maxItems: Int = Account.defaultMaxItems
    ) {
        self.key = key
        self.name = name
        self.source = source
        self.interval = interval
        self.proxy = proxy
        self.headers = headers
        self.maxItems = max(1, maxItems)
    }

    /// The canonical key for a source: `feed:<url>`, `mastodon:@<acct>@<instance host>`,
    /// `weibo:<uid>`, `bluesky:<actor>`, `telegram:<channel>`, `url:<url>`.
    public static func key(for source: AccountSource) -> AccountKey {
        switch source {
        case .feed(let url):
            return AccountKey(platform: .feed, identifier: Self.canonical(url))
        case .mastodon(let instance, let acct):
            // Mastodon usernames and host names are case-insensitive: @Bob and bob are one account.
            let user = (acct.hasPrefix("@") ? String(acct.dropFirst()) : acct).lowercased()
            let host = (instance.host ?? instance.absoluteString).lowercased()
            let port = instance.port.map { ":\($0)" } ?? ""
            let qualified = user.contains("@") ? user : "\(user)@\(host)\(port)"
            return AccountKey(platform: .mastodon, identifier: "@\(qualified)")
        case .weibo(let uid, _, _, _):
            return AccountKey(platform: .weibo, identifier: uid)
        case .bluesky(let actor, _, _, _):
            return AccountKey(platform: .bluesky, identifier: actor.hasPrefix("@") ? String(actor.dropFirst()) : actor)
        case .telegram(let channel, _, _):
            return AccountKey(
                platform: .telegram, identifier: channel.hasPrefix("@") ? String(channel.dropFirst()) : channel)
        case .url(let url, _):
            return AccountKey(platform: .url, identifier: Self.canonical(url))
        }
    }

    /// One spelling per resource, so one feed cannot be watched twice under two keys: scheme and
    /// host lowercased, the default port dropped, dot segments resolved, the fragment dropped.
    static func canonical(_ url: URL) -> String {
        guard var components = URLComponents(url: url.standardized, resolvingAgainstBaseURL: false) else {
            return url.absoluteString
        }
        components.scheme = components.scheme?.lowercased()
        components.host = components.host?.lowercased()
        if (components.scheme == "http" && components.port == 80)
            || (components.scheme == "https" && components.port == 443)
        {
            components.port = nil
        }
        components.fragment = nil
        if components.path.isEmpty { components.path = "/" }
        return components.string ?? url.absoluteString
    }
}
