public import Foundation
import TOMLKit

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
            guard
                accounts.contains(where: { pattern in
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

// MARK: - Reading `[[alert]]`, `[alarms]`, `[feed_out]`

extension AlertSink {
    /// Reads the `index`th `[[alert]]` (keys: ``ConfigSections/alert``); `nil` when anything is
    /// wrong, each problem reported in `reader` (a `secret` or `password` key is refused: secrets
    /// live in files). `config` holds the tables read before (an e-mail sink needs `[digest.smtp]`).
    init?(
        reading table: TOMLTable, index: Int, config: PalimpsestConfig, with reader: inout ConfigReader,
        in scope: ConfigReader.Scope
    ) {
        guard let sink = Self.read(table, index: index, config: config, with: &reader, in: scope) else { return nil }
        self = sink
    }

    /// Whether `text` has the shape of an Apprise URL: a scheme (an ASCII letter, then letters,
    /// digits, `+`, `-` or `.`), `://`, and something after it without spaces. Apprise picks the
    /// service by the scheme (https://github.com/caronc/apprise/wiki); which schemes exist is
    /// Apprise's to say, so only the shape is checked here.
    static func looksLikeAppriseURL(_ text: String) -> Bool {
        guard let separator = text.range(of: "://"), separator.upperBound < text.endIndex else { return false }
        let scheme = Array(text[..<separator.lowerBound].utf8)
        guard let first = scheme.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first | 0x20) else {
            return false
        }
        let schemeIsValid = scheme.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        return schemeIsValid && !text[separator.upperBound...].contains(where: \.isWhitespace)
    }

    private static func read(
        _ table: TOMLTable, index: Int, config: PalimpsestConfig, with reader: inout ConfigReader,
        in scope: ConfigReader.Scope
    ) -> AlertSink? {
        let errorsBefore = reader.errors.count
        let keys = ConfigSections.alert
        for key in table.keys where !keys.names.contains(key) {
            if key == "secret" || key == "password" {
                reader.report(
                    "secrets never go in the config: put it in a file readable only by the daemon's user and name "
                        + "that file in `secret_file`",
                    key: key, in: scope)
            } else {
                reader.reportUnknown(key, in: keys, scope: scope)
            }
        }
        let kinds = AlertSink.Kind.allCases.map { ConfigReader.quote($0.rawValue) }.joined(separator: ", ")
        guard let typeText = reader.string(keys["type"], in: table, scope: scope, required: "the sink's type: \(kinds)")
        else {
            return nil
        }
        guard let kind = AlertSink.Kind(rawValue: typeText) else {
            reader.report("expected one of \(kinds), found \(ConfigReader.quote(typeText))", key: "type", in: scope)
            return nil
        }
        var sink = AlertSink(name: "\(kind.rawValue)-\(index)", kind: kind)
        if let name = reader.string(keys["name"], in: table, scope: scope) {
            if name.isEmpty || name.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                reader.report("expected a non-empty name on one line", key: "name", in: scope)
            } else {
                sink.name = name
            }
        }
        switch kind {
        case .webhook:
            sink.url = reader.httpURL(
                keys["url"], in: table, scope: scope, what: "the http(s) URL to POST each event to")
            if table["secret_file"] != nil {
                sink.secretFile = reader.path(keys["secret_file"], in: table, scope: scope)
            } else {
                reader.report(
                    "missing required key: the file holding the HMAC-SHA256 secret the receiver checks "
                        + "`Palimpsest-Signature` with", key: "secret_file", in: scope)
            }
        case .apprise:
            sink.appriseURLs = reader.strings(keys["urls"], in: table, scope: scope) ?? []
            for (offset, url) in sink.appriseURLs.enumerated() where !Self.looksLikeAppriseURL(url) {
                // Not quoted: an Apprise URL holds the service's token.
                reader.report(
                    "expected Apprise URLs such as \"tgram://TOKEN/CHAT\" or \"ntfy://ntfy.sh/topic\" (the "
                        + "service's scheme, then ://); URL \(offset + 1) of the list is not one (not shown here: "
                        + "Apprise URLs hold tokens)",
                    key: "urls", in: scope)
            }
            sink.appriseURLsFile = reader.path(keys["urls_file"], in: table, scope: scope)
            if sink.appriseURLs.isEmpty, table["urls_file"] == nil {
                reader.report(
                    "missing required key: the Apprise URLs, e.g. [\"tgram://TOKEN/CHAT\", \"ntfy://ntfy.sh/topic\"] "
                        + "(or `urls_file`, a file with one URL a line, for URLs that hold tokens)",
                    key: "urls", in: scope)
            }
        case .email:
            if config.digest.smtp == nil {
                reader.report(
                    "an e-mail sink sends through [digest.smtp]: configure the mail server there", key: "type",
                    in: scope)
            }
            for address in reader.strings(keys["to"], in: table, scope: scope, nonEmpty: true) ?? [] {
                if SMTPSettings.isPlainAddress(address) {
                    sink.to.append(address)
                } else {
                    reader.report(
                        "expected plain addresses such as \"desk@example.org\", found \(ConfigReader.quote(address))",
                        key: "to", in: scope)
                }
            }
        }
        if kind != .webhook {
            for key in ["url", "secret_file"] where table[key] != nil {
                reader.report("`\(key)` is for type = \"webhook\"", key: key, in: scope)
            }
        }
        if kind != .apprise {
            for key in ["urls", "urls_file"] where table[key] != nil {
                reader.report("`\(key)` is for type = \"apprise\"", key: key, in: scope)
            }
        }
        if kind != .email, table["to"] != nil {
            reader.report("`to` is for type = \"email\"", key: "to", in: scope)
        }
        if !reader.refusesEmptyFilter("events", listing: "event kinds", in: table, scope: scope),
            let names = reader.strings(keys["events"], in: table, scope: scope)
        {
            var events: Set<EventKind> = []
            for name in names {
                if let event = EventKind(rawValue: name) {
                    events.insert(event)
                } else {
                    let known = EventKind.allCases.map { ConfigReader.quote($0.rawValue) }.joined(separator: ", ")
                    reader.report(
                        "expected event kinds among \(known), found \(ConfigReader.quote(name))", key: "events",
                        in: scope)
                }
            }
            sink.filter.events = events
        }
        if !reader.refusesEmptyFilter("reasons", listing: "reasons", in: table, scope: scope),
            let names = reader.strings(keys["reasons"], in: table, scope: scope)
        {
            var reasons: Set<Reason> = []
            for name in names {
                if let reason = Reason(rawValue: name) {
                    reasons.insert(reason)
                } else {
                    let known = Reason.allCases.map { ConfigReader.quote($0.rawValue) }.joined(separator: ", ")
                    reader.report(
                        "expected reasons among \(known), found \(ConfigReader.quote(name))", key: "reasons", in: scope)
                }
            }
            sink.filter.reasons = reasons
        }
        if !reader.refusesEmptyFilter("accounts", listing: "account keys or patterns", in: table, scope: scope),
            let patterns = reader.strings(keys["accounts"], in: table, scope: scope)
        {
            sink.filter.accounts = patterns
        }
        if !reader.refusesEmptyFilter("platforms", listing: "platforms", in: table, scope: scope),
            let names = reader.strings(keys["platforms"], in: table, scope: scope)
        {
            var platforms: Set<Platform> = []
            for name in names {
                if let platform = Platform(rawValue: name) {
                    platforms.insert(platform)
                } else {
                    let known = Platform.allCases.map { ConfigReader.quote($0.rawValue) }.joined(separator: ", ")
                    reader.report(
                        "expected platforms among \(known), found \(ConfigReader.quote(name))", key: "platforms",
                        in: scope)
                }
            }
            sink.filter.platforms = platforms
        }
        if let batch = reader.duration(keys["batch"], in: table, scope: scope), batch > 0 {
            sink.batch = batch
        }
        sink.maxAge = reader.duration(keys["max_age"], in: table, scope: scope) ?? sink.maxAge
        sink.timeout = reader.duration(keys["timeout"], in: table, scope: scope) ?? sink.timeout
        return reader.errors.count == errorsBefore ? sink : nil
    }
}

extension AlarmSettings {
    /// Applies `[alarms]` and its `[alarms.mass_deletion]` (keys: ``ConfigSections/alarms``,
    /// ``ConfigSections/massDeletion``) to these settings; a wrong value is reported in `reader`
    /// and leaves the setting as it was.
    mutating func update(reading table: TOMLTable, with reader: inout ConfigReader) {
        Self.read(table, into: &self, with: &reader)
    }

    private static func read(_ table: TOMLTable, into settings: inout AlarmSettings, with reader: inout ConfigReader) {
        let scope = ConfigReader.Scope(keyPrefix: "alarms", mapPrefix: "alarms")
        let keys = ConfigSections.alarms
        reader.reportUnknownKeys(of: table, in: keys, scope: scope)
        settings.enabled = reader.boolean(keys["enabled"], in: table, scope: scope) ?? settings.enabled
        settings.blind = reader.duration(keys["blind_alarm"], in: table, scope: scope) ?? settings.blind
        settings.silence = reader.duration(keys["silence_alarm"], in: table, scope: scope) ?? settings.silence
        settings.probeHost = reader.duration(keys["probe_alarm"], in: table, scope: scope) ?? settings.probeHost
        guard let mass = reader.table(keys["mass_deletion"], in: table, scope: scope) else { return }
        let massScope = ConfigReader.Scope(keyPrefix: "alarms.mass_deletion", mapPrefix: "alarms.mass_deletion")
        let massKeys = ConfigSections.massDeletion
        reader.reportUnknownKeys(of: mass, in: massKeys, scope: massScope)
        settings.massDeletionPosts =
            reader.integer(massKeys["posts"], in: mass, scope: massScope) ?? settings.massDeletionPosts
        settings.massDeletionAccounts =
            reader.integer(massKeys["accounts"], in: mass, scope: massScope) ?? settings.massDeletionAccounts
        settings.massDeletionWindow =
            reader.duration(massKeys["window"], in: mass, scope: massScope) ?? settings.massDeletionWindow
    }
}

extension FeedOutSettings {
    /// Reads `[feed_out]` (keys: ``ConfigSections/feedOut``); `nil` without a valid `path`, each
    /// problem reported in `reader`.
    init?(reading table: TOMLTable, with reader: inout ConfigReader) {
        guard let settings = Self.read(table, with: &reader) else { return nil }
        self = settings
    }

    private static func read(_ table: TOMLTable, with reader: inout ConfigReader) -> FeedOutSettings? {
        let scope = ConfigReader.Scope(keyPrefix: "feed_out", mapPrefix: "feed_out")
        let keys = ConfigSections.feedOut
        reader.reportUnknownKeys(of: table, in: keys, scope: scope)
        guard table["path"] != nil else {
            reader.report(
                "missing required key: the Atom file to write, e.g. \"/var/lib/palimpsest/public/deletions.atom\"",
                key: "path", in: scope)
            return nil
        }
        guard let path = reader.path(keys["path"], in: table, scope: scope) else { return nil }
        guard path.pathExtension.lowercased() != "json" else {
            reader.report(
                "the JSON Feed is written beside the Atom file with the extension .json, so this path would hold "
                    + "both: give the Atom file another name, e.g. \"/var/lib/palimpsest/public/deletions.atom\"",
                key: "path", in: scope)
            return nil
        }
        var settings = FeedOutSettings(path: path)
        settings.entries = reader.integer(keys["entries"], in: table, scope: scope) ?? settings.entries
        settings.title = reader.string(keys["title"], in: table, scope: scope) ?? settings.title
        if !reader.refusesEmptyFilter(
            "events", listing: "event kinds", in: table, scope: scope, effect: "the feeds would never list anything"),
            let names = reader.strings(keys["events"], in: table, scope: scope)
        {
            settings.events = Set(
                names.compactMap { name in
                    guard let event = EventKind(rawValue: name) else {
                        let known = EventKind.allCases.map { ConfigReader.quote($0.rawValue) }.joined(separator: ", ")
                        reader.report(
                            "expected event kinds among \(known), found \(ConfigReader.quote(name))", key: "events",
                            in: scope)
                        return nil
                    }
                    return event
                })
        }
        return settings
    }
}

extension ConfigReader {
    /// Whether `table[key]` is an empty list, reported when it is: a filter that lists nothing lets
    /// no event through (`events = []` is more likely a mistake than a way to pause a sink, which
    /// removing or commenting out its table does).
    /// - Parameters:
    ///   - what: What the list holds, for the message ("event kinds").
    ///   - effect: What an empty list would do, for the message.
    mutating func refusesEmptyFilter(
        _ key: String, listing what: String, in table: TOMLTable, scope: Scope,
        effect: String = "this sink would never send anything"
    ) -> Bool {
        guard table[key]?.array?.isEmpty == true else { return false }
        self.report(
            "an empty list lets no event through, so \(effect): list the \(what) to let through, or leave "
                + "`\(key)` out to let them all through",
            key: key, in: scope)
        return true
    }
}
