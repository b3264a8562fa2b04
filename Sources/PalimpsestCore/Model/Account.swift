public import Foundation

/// Where an account's posts come from, with the platform's own keys from the config.
public enum AccountSource: Sendable, Hashable {
    /// An RSS 2.0, Atom 1.0 or JSON Feed document at `url`.
    case feed(url: URL)
    /// A Mastodon account `acct` (username, or `user@domain` for a remote account as the instance
    /// knows it) on the instance whose base URL is `instance` (e.g. `https://mastodon.social`).
    case mastodon(instance: URL, acct: String)

    /// The platform of this source.
    public var platform: Platform {
        switch self {
        case .feed: return .feed
        case .mastodon: return .mastodon
        }
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
        headers: [String: String] = [:]
    ) {
        self.key = key
        self.name = name
        self.source = source
        self.interval = interval
        self.proxy = proxy
        self.headers = headers
    }

    /// The canonical key for a source: `feed:<url>` or `mastodon:@<acct>@<instance host>`.
    public static func key(for source: AccountSource) -> AccountKey {
        switch source {
        case .feed(let url):
            return AccountKey(platform: .feed, identifier: url.absoluteString)
        case .mastodon(let instance, let acct):
            let user = acct.hasPrefix("@") ? String(acct.dropFirst()) : acct
            let host = instance.host ?? instance.absoluteString
            let port = instance.port.map { ":\($0)" } ?? ""
            let qualified = user.contains("@") ? user : "\(user)@\(host)\(port)"
            return AccountKey(platform: .mastodon, identifier: "@\(qualified)")
        }
    }
}
