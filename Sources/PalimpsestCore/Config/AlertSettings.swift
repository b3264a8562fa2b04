public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One `[[alert]]` table: where findings are pushed and which ones (`docs/alerts.md`).
public struct AlertSink: Sendable, Hashable {
    /// How a sink delivers.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// An HTTP(S) POST of the event as JSON, signed with HMAC-SHA256 (`Palimpsest-Signature`).
        case webhook
        /// The `apprise` command (Debian package `apprise`) with Apprise URLs: Telegram, Matrix,
        /// Slack, Discord, ntfy, e-mail, …
        case apprise
        /// One short e-mail per event or per batch, through `[digest.smtp]`.
        case email
    }

    /// The sink's name (`name`, default `<type>-<index>`): in the outbox, in logs and for
    /// `palimpsest alert test --sink`.
    public var name: String
    public var kind: Kind
    /// `webhook`: the URL posted to.
    public var url: URL?
    /// `webhook`: the file holding the HMAC secret (its bytes, one trailing newline removed).
    public var secretFile: URL?
    /// `apprise`: the Apprise URLs written in the config.
    public var appriseURLs: [String]
    /// `apprise`: a file of further Apprise URLs, one a line (for URLs that hold tokens).
    public var appriseURLsFile: URL?
    /// `email`: the recipients; empty means `[digest.smtp] to`.
    public var to: [String]
    /// Which events go to this sink.
    public var filter: AlertFilter
    /// The batch window in seconds: everything that waits for the sink is sent as one message
    /// once the oldest has waited this long; `nil` sends each event on its own.
    public var batch: TimeInterval?
    /// How long a delivery is retried (exponential backoff with jitter) before it is given up
    /// and reported once, seconds (default 24 h).
    public var maxAge: TimeInterval
    /// Time allowed for one delivery attempt, seconds (default 30).
    public var timeout: TimeInterval

    /// Default ``maxAge``: 24 hours.
    public static let defaultMaxAge: TimeInterval = 86_400
    /// Default ``timeout``: 30 seconds.
    public static let defaultTimeout: TimeInterval = 30

    public init(
        name: String, kind: Kind, url: URL? = nil, secretFile: URL? = nil, appriseURLs: [String] = [],
        appriseURLsFile: URL? = nil, to: [String] = [], filter: AlertFilter = AlertFilter(), batch: TimeInterval? = nil,
        maxAge: TimeInterval = AlertSink.defaultMaxAge, timeout: TimeInterval = AlertSink.defaultTimeout
    ) {
        self.name = name
        self.kind = kind
        self.url = url
        self.secretFile = secretFile
        self.appriseURLs = appriseURLs
        self.appriseURLsFile = appriseURLsFile
        self.to = to
        self.filter = filter
        self.batch = batch
        self.maxAge = maxAge
        self.timeout = timeout
    }
}

/// The filters of an `[[alert]]`: an event goes to the sink when it passes every filter given
/// (an absent filter lets everything through).
public struct AlertFilter: Sendable, Hashable {
    /// `events`: event kinds (`deleted`, `altered`, …, `alarm`).
    public var events: Set<EventKind>?
    /// `reasons`: an event passes only when it carries one of these reasons (events without a
    /// reason, such as `altered`, then do not pass).
    public var reasons: Set<Reason>?
    /// `accounts`: account keys or shell globs (`fnmatch(3)`, e.g. `"weibo:*"`); an alarm about the
    /// whole monitor has the key `monitor`.
    public var accounts: [String]?
    /// `platforms`: the account's platform; alarms about the whole monitor have none and pass
    /// only when this filter is absent.
    public var platforms: Set<Platform>?

    public init(
        events: Set<EventKind>? = nil, reasons: Set<Reason>? = nil, accounts: [String]? = nil,
        platforms: Set<Platform>? = nil
    ) {
        self.events = events
        self.reasons = reasons
        self.accounts = accounts
        self.platforms = platforms
    }

    /// True when `event` passes every filter.
    public func matches(_ event: Event) -> Bool {
        if let events = self.events, !events.contains(event.event) { return false }
        if let reasons = self.reasons {
            guard let reason = event.reason, reasons.contains(reason) else { return false }
        }
        if let platforms = self.platforms {
            guard let platform = event.platform, platforms.contains(platform) else { return false }
        }
        if let accounts = self.accounts {
            let key = event.account.rawValue
            let listed = event.alarm?.accounts?.map(\.rawValue) ?? []
            guard accounts.contains(where: { pattern in
                Self.glob(pattern, matches: key) || listed.contains(where: { Self.glob(pattern, matches: $0) })
            })
            else { return false }
        }
        return true
    }

    /// `fnmatch(3)` without flags: `*`, `?` and `[…]` match any character, `/` included.
    static func glob(_ pattern: String, matches text: String) -> Bool {
        pattern == text || fnmatch(pattern, text, 0) == 0
    }
}

/// The `[alarms]` table: when the monitor raises alarms about itself (`docs/alerts.md`).
public struct AlarmSettings: Sendable, Hashable {
    /// Alarms are evaluated and logged: true when the config has an `[[alert]]` or an `[alarms]`
    /// table, unless `enabled = false`.
    public var enabled: Bool
    /// `blind_alarm`: an account blind this long raises an alarm, seconds (default 1 h).
    public var blind: TimeInterval
    /// `silence_alarm`: no complete poll of any account this long while the daemon runs,
    /// seconds (default 30 min).
    public var silence: TimeInterval
    /// `probe_alarm`: a probe host answering nothing conclusive this long, seconds (default 2 h).
    public var probeHost: TimeInterval
    /// `mass_deletion.posts` (default 10).
    public var massDeletionPosts: Int
    /// `mass_deletion.accounts` (default 3).
    public var massDeletionAccounts: Int
    /// `mass_deletion.window`, seconds (default 1 h).
    public var massDeletionWindow: TimeInterval

    public init(
        enabled: Bool = false, blind: TimeInterval = 3600, silence: TimeInterval = 1800, probeHost: TimeInterval = 7200,
        massDeletionPosts: Int = 10, massDeletionAccounts: Int = 3, massDeletionWindow: TimeInterval = 3600
    ) {
        self.enabled = enabled
        self.blind = blind
        self.silence = silence
        self.probeHost = probeHost
        self.massDeletionPosts = massDeletionPosts
        self.massDeletionAccounts = massDeletionAccounts
        self.massDeletionWindow = massDeletionWindow
    }
}

/// The `[feed_out]` table: an Atom feed of the newest events, with a JSON Feed beside it.
public struct FeedOutSettings: Sendable, Hashable {
    /// `path`: the Atom file (e.g. `/var/lib/palimpsest/public/deletions.atom`); the JSON Feed is
    /// written beside it with the extension `.json`.
    public var path: URL
    /// `entries`: how many of the newest events the feeds hold (default 100).
    public var entries: Int
    /// `title`: the feeds' title (default "Palimpsest: deletions").
    public var title: String
    /// `events`: which event kinds are listed (default every kind but `blind`).
    public var events: Set<EventKind>

    public static let defaultEvents: Set<EventKind> = Set(EventKind.allCases).subtracting([.blind])

    public init(
        path: URL, entries: Int = 100, title: String = "Palimpsest: deletions",
        events: Set<EventKind> = FeedOutSettings.defaultEvents
    ) {
        self.path = path
        self.entries = entries
        self.title = title
        self.events = events
    }

    /// The JSON Feed beside ``path``: the same name with the extension `.json`.
    public var jsonFeedPath: URL { self.path.deletingPathExtension().appendingPathExtension("json") }
}
