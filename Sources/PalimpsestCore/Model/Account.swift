public import Foundation

/// One platform's config of one account: the typed value its adapter receives (`FeedSource`,
/// `MastodonSource`, … in `Platforms/<Name>/<Name>Source.swift`).
public protocol PlatformAccountSource: Sendable, Hashable {
    /// The platform this source belongs to.
    static var platform: Platform { get }
    /// What follows `platform:` in the account's key (``Account/key(for:)``), canonical so one
    /// account cannot be watched twice under two keys.
    var keyIdentifier: String { get }
    /// The platform's keys and their values as `check-config` lists them, in the config's words.
    var summaryRows: [(key: String, value: String)] { get }
    /// A file holding the `Cookie` header of every request for the account (`cookie_file`), when
    /// the platform has one and the account sets it. Default: none.
    var cookieFile: URL? { get }
}

extension PlatformAccountSource {
    public var cookieFile: URL? { nil }
}

/// Where an account's posts come from: its platform's typed source, with the platform's own keys
/// from the config. Each platform adds its constructor (`.feed(url:)`, `.weibo(uid:…)`, …) beside
/// its source.
public struct AccountSource: Sendable, Hashable {
    /// The platform's typed source.
    public let value: any PlatformAccountSource

    /// Wraps a platform's typed source.
    public init(_ value: some PlatformAccountSource) {
        self.value = value
    }

    /// The platform of this source.
    public var platform: Platform { type(of: self.value).platform }

    /// The typed source when it is a `Source`, else `nil`.
    public func typed<Source: PlatformAccountSource>(as type: Source.Type) -> Source? {
        self.value as? Source
    }

    public static func == (lhs: AccountSource, rhs: AccountSource) -> Bool {
        AnyHashable(lhs.value) == AnyHashable(rhs.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(AnyHashable(self.value))
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

    /// The canonical key for a source, `<platform>:<identifier>`: `feed:<url>`,
    /// `mastodon:@<acct>@<instance host>`, `weibo:<uid>`, `bluesky:<actor>`, `telegram:<channel>`,
    /// `url:<url>` (each platform's ``PlatformAccountSource/keyIdentifier``).
    public static func key(for source: AccountSource) -> AccountKey {
        AccountKey(platform: source.platform, identifier: source.value.keyIdentifier)
    }

    /// One spelling per resource, so one feed cannot be watched twice under two keys: scheme and
    /// host lowercased, the default port dropped, dot segments resolved, the fragment dropped.
    static func canonical(_ url: URL) -> String {
        let text = url.absoluteString
        // Most configured URLs are canonical already; checking that costs far less than
        // URLComponents, which took a large share of loading a config of 100,000 accounts.
        if Self.isCanonicalWebURL(text) { return text }
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

    /// True when `text` is an `http` or `https` URL that ``canonical(_:)`` leaves as it is:
    /// lowercase scheme and host of letters, digits, `.` and `-` only (no user, no IPv6 literal),
    /// no port or one other than the scheme's default without leading zeros, a path that starts
    /// with `/` and has no dot segment, path and query of plain URL characters (percent escapes
    /// whole), no fragment.
    static func isCanonicalWebURL(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let prefix: Int
        if bytes.starts(with: Array("https://".utf8)) {
            prefix = 8
        } else if bytes.starts(with: Array("http://".utf8)) {
            prefix = 7
        } else {
            return false
        }
        var index = prefix
        while index < bytes.count, bytes[index] != UInt8(ascii: "/"), bytes[index] != UInt8(ascii: ":") {
            switch bytes[index] {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."),
                UInt8(ascii: "-"):
                index += 1
            default:
                return false
            }
        }
        guard index > prefix, index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: ":") {
            // A port other than the scheme's default, written without leading zeros.
            let start = index + 1
            var port = 0
            index = start
            while index < bytes.count, bytes[index] != UInt8(ascii: "/") {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]), index - start < 5 else {
                    return false
                }
                port = port * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            guard index > start, bytes[start] != UInt8(ascii: "0"), port <= 65_535, port != (prefix == 8 ? 443 : 80)
            else { return false }
        }
        // Then a path (`bytes[index]` is its first `/`).
        guard index < bytes.count else { return false }
        index += 1
        var segmentStart = index
        var inQuery = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
                UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","),
                UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"):
                break
            case UInt8(ascii: "%"):
                guard index + 2 < bytes.count, bytes[index + 1].isHexDigit, bytes[index + 2].isHexDigit else {
                    return false
                }
            case UInt8(ascii: "/"), UInt8(ascii: "?"):
                if !inQuery {
                    // The path segment that ends here must not be `.` or `..`.
                    let segment = bytes[segmentStart..<index]
                    if segment.elementsEqual([0x2E]) || segment.elementsEqual([0x2E, 0x2E]) { return false }
                    segmentStart = index + 1
                    if byte == UInt8(ascii: "?") { inQuery = true }
                }
            default:
                return false
            }
            index += 1
        }
        if !inQuery {
            let segment = bytes[segmentStart..<bytes.count]
            if segment.elementsEqual([0x2E]) || segment.elementsEqual([0x2E, 0x2E]) { return false }
        }
        return true
    }
}

extension UInt8 {
    /// An ASCII hex digit (`0`–`9`, `a`–`f`, `A`–`F`).
    fileprivate var isHexDigit: Bool {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"):
            return true
        default:
            return false
        }
    }
}
