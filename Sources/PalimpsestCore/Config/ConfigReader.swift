import Foundation
import TOMLKit

/// Turns a parsed TOML document into a ``PalimpsestConfig``, collecting every problem on the way.
///
/// Each `read…` helper returns `nil` and records a ``ConfigError`` when a value is absent where
/// required, of the wrong type, or out of range; reading goes on so that one run reports all
/// problems. ``ConfigLoader`` throws them together.
struct ConfigReader {
    /// The keys accepted at the top level.
    static let topLevelKeys = ["daemon", "account", "digest", "alert", "alarms", "feed_out", "evidence"]
    /// The keys accepted in `[evidence]`.
    static let evidenceKeys = ["signing_key_file", "checkpoint_interval", "tsa_urls", "tsa_ca_file"]
    /// The keys accepted in `[daemon]`.
    static let daemonKeys = [
        "state_dir", "deletion_log", "interval", "jitter", "concurrency", "per_host_concurrency", "timeout",
        "connect_timeout", "user_agent", "proxy", "max_body_size", "confirm_polls", "confirm_min_age",
        "probe_attempts", "stale_tolerance", "snapshot_retention", "shard", "metrics_listen", "max_items", "event_text_limit",
    ]
    /// The keys accepted in `[digest]`.
    static let digestKeys = ["time_zone", "dir", "logs", "smtp"]
    /// The keys accepted in `[digest.smtp]`.
    static let smtpKeys = ["url", "starttls", "username", "password_file", "from", "to"]
    /// The keys accepted in `[[alert]]` (docs/alerts.md).
    static let alertKeys = [
        "type", "name", "url", "secret_file", "urls", "urls_file", "to", "events", "reasons", "accounts", "platforms",
        "batch", "max_age", "timeout",
    ]
    /// The keys accepted in `[alarms]`.
    static let alarmKeys = ["enabled", "blind_alarm", "silence_alarm", "probe_alarm", "mass_deletion"]
    /// The keys accepted in `[alarms.mass_deletion]`.
    static let massDeletionKeys = ["posts", "accounts", "window"]
    /// The keys accepted in `[feed_out]`.
    static let feedOutKeys = ["path", "entries", "title", "events"]
    /// The keys every `[[account]]` accepts.
    static let commonAccountKeys = ["platform", "name", "interval", "proxy", "headers", "max_items"]
    /// The keys each platform adds to its accounts.
    static let platformKeys: [Platform: [String]] = [
        .feed: ["url"], .mastodon: ["instance", "acct"],
        .weibo: ["uid", "base_url", "pages", "cookie_file"],
        .bluesky: ["actor", "base_url", "pages", "filter"],
        .telegram: ["channel", "base_url", "pages"],
        .url: ["url", "urls", "tombstones"],
    ]
    /// Default base URLs of the platforms whose API host is configurable (tests and mirrors).
    static let defaultBaseURLs: [Platform: String] = [
        .weibo: "https://m.weibo.cn", .bluesky: "https://public.api.bsky.app", .telegram: "https://t.me",
    ]
    /// Bluesky author-feed filters (lexicon app.bsky.feed.getAuthorFeed).
    static let blueskyFilters = [
        "posts_with_replies", "posts_no_replies", "posts_with_media", "posts_and_author_threads", "posts_with_video",
    ]
    /// Proxy URL schemes libcurl is given (`socks5h` resolves names through the proxy, as Tor needs).
    static let proxySchemes = ["http", "https", "socks5h"]

    /// Where an error is: the table and, inside `[[account]]`, which account.
    struct Scope {
        /// The prefix of error keys: `daemon`, `account`, or `nil` at the top level.
        var keyPrefix: String?
        /// The prefix of source-map paths: `daemon`, `account#3`, or `nil` at the top level.
        var mapPrefix: String?
        var accountIndex: Int?
        var accountName: String?

        static let topLevel = Scope()
        static let daemon = Scope(keyPrefix: "daemon", mapPrefix: "daemon")
        static let digest = Scope(keyPrefix: "digest", mapPrefix: "digest")
        static let smtp = Scope(keyPrefix: "digest.smtp", mapPrefix: "digest.smtp")
        static let evidence = Scope(keyPrefix: "evidence", mapPrefix: "evidence")
    }

    let file: URL
    let sourceMap: ConfigSourceMap
    private(set) var errors: [ConfigError] = []
    /// Every valid path value read (`state_dir`, `cookie_file`, `password_file`, …) with where it
    /// is, in file order: ``ConfigWarnings`` checks the files that hold secrets.
    private(set) var paths: [PathReference] = []

    /// A path key of the file and the absolute URL it resolved to.
    struct PathReference {
        /// The bare key, e.g. `cookie_file`.
        var key: String
        /// Where it is: file, line, account and dotted key (the message is empty).
        var location: ConfigError
        /// The path, resolved against the config file's folder.
        var url: URL
    }

    init(file: URL, sourceMap: ConfigSourceMap) {
        self.file = file
        self.sourceMap = sourceMap
    }

    // MARK: - Document

    mutating func read(_ root: TOMLTable) -> PalimpsestConfig {
        for key in root.keys where !Self.topLevelKeys.contains(key) {
            self.reportUnknown(key, accepted: Self.topLevelKeys, what: "top-level tables", in: .topLevel)
        }
        var daemon = DaemonSettings()
        if let value = root["daemon"] {
            if let table = value.table {
                daemon = self.readDaemon(table)
            } else {
                self.report("expected a table (write `[daemon]`), found \(Self.describe(value))", key: "daemon")
            }
        }
        var accounts: [Account] = []
        if let value = root["account"] {
            if let array = value.array {
                var seen: [AccountKey: (index: Int, name: String?)] = [:]
                for (offset, element) in array.enumerated() {
                    let index = offset + 1
                    var scope = Scope(keyPrefix: "account", mapPrefix: "account#\(index)", accountIndex: index)
                    guard let table = element.table else {
                        self.report("expected a table, found \(Self.describe(element))", key: nil, in: scope)
                        continue
                    }
                    scope.accountName = table["name"]?.string
                    for account in self.readAccounts(table, scope: scope, daemon: daemon) {
                        if let first = seen[account.key] {
                            let firstName = first.name.map { " (\"\($0)\")" } ?? ""
                            let key = Self.identityKey[account.platform] ?? "url"
                            self.report(
                                "duplicate account: account #\(first.index)\(firstName) watches the same account "
                                    + "(key `\(account.key)`); remove one of them",
                                key: key,
                                in: scope
                            )
                            continue
                        }
                        seen[account.key] = (index, account.name)
                        accounts.append(account)
                    }
                }
            } else if value.table != nil {
                self.report(
                    "expected an array of tables: write `[[account]]` (double brackets) before each account",
                    key: "account"
                )
            } else {
                self.report(
                    "expected an array of tables (`[[account]]`), found \(Self.describe(value))",
                    key: "account"
                )
            }
        }
        var digest = DigestSettings(stateDirectory: daemon.stateDirectory)
        if let value = root["digest"] {
            if let table = value.table {
                digest = self.readDigest(table, stateDirectory: daemon.stateDirectory)
            } else {
                self.report("expected a table (write `[digest]`), found \(Self.describe(value))", key: "digest")
            }
        }
        var config = PalimpsestConfig(file: self.file, daemon: daemon, accounts: accounts, digest: digest)
        if let value = root["evidence"] {
            if let table = value.table {
                config.evidence = self.readEvidence(table, stateDirectory: daemon.stateDirectory)
            } else {
                self.report("expected a table (write `[evidence]`), found \(Self.describe(value))", key: "evidence")
            }
        }
        self.readAlerting(root, into: &config)
        return config
    }

    // MARK: - [evidence]

    private mutating func readEvidence(_ table: TOMLTable, stateDirectory: URL) -> EvidenceSettings {
        let scope = Scope.evidence
        for key in table.keys where !Self.evidenceKeys.contains(key) {
            self.reportUnknown(key, accepted: Self.evidenceKeys, what: "[evidence] keys", in: scope)
        }
        var settings = EvidenceSettings(stateDirectory: stateDirectory)
        if let url = self.readPath(table, "signing_key_file", isDirectory: false, in: scope) {
            settings.signingKeyFile = url
        }
        if let seconds = self.readDuration(table, "checkpoint_interval", minimum: 60, in: scope) {
            settings.checkpointInterval = seconds
        }
        if let value = table["tsa_urls"] {
            if let array = value.array {
                for element in array {
                    guard let text = element.string, let url = URL(string: text),
                        url.scheme == "http" || url.scheme == "https", url.host != nil
                    else {
                        self.report(
                            "expected a list of http:// or https:// time-stamp authority URLs (RFC 3161), found "
                                + "\(Self.describe(element)) in it",
                            key: "tsa_urls", in: scope)
                        continue
                    }
                    settings.tsaURLs.append(url)
                }
            } else {
                self.report("expected a list of URLs, found \(Self.describe(value))", key: "tsa_urls", in: scope)
            }
        }
        if let url = self.readPath(table, "tsa_ca_file", isDirectory: false, in: scope) {
            settings.tsaCAFile = url
        }
        return settings
    }

    // MARK: - [[alert]], [alarms], [feed_out]

    private mutating func readAlerting(_ root: TOMLTable, into config: inout PalimpsestConfig) {
        if let value = root["alert"] {
            if let array = value.array {
                for (offset, element) in array.enumerated() {
                    let scope = Scope(keyPrefix: "alert", mapPrefix: "alert#\(offset + 1)")
                    guard let table = element.table else {
                        self.report("expected a table, found \(Self.describe(element))", key: nil, in: scope)
                        continue
                    }
                    guard let sink = self.readAlert(table, index: offset + 1, config: config, in: scope) else { continue }
                    if config.alerts.contains(where: { $0.name == sink.name }) {
                        self.report(
                            "duplicate sink name \(Self.quote(sink.name)): give each [[alert]] its own `name`",
                            key: "name", in: scope)
                        continue
                    }
                    config.alerts.append(sink)
                }
            } else {
                self.report(
                    "expected an array of tables: write `[[alert]]` (double brackets) before each sink", key: "alert")
            }
        }
        config.alarms.enabled = !config.alerts.isEmpty || root["alarms"] != nil
        if let value = root["alarms"] {
            if let table = value.table {
                self.readAlarms(table, into: &config.alarms)
            } else {
                self.report("expected a table (write `[alarms]`), found \(Self.describe(value))", key: "alarms")
            }
        }
        if let value = root["feed_out"] {
            if let table = value.table {
                config.feedOut = self.readFeedOut(table)
            } else {
                self.report("expected a table (write `[feed_out]`), found \(Self.describe(value))", key: "feed_out")
            }
        }
    }

    private mutating func readAlert(_ table: TOMLTable, index: Int, config: PalimpsestConfig, in scope: Scope)
        -> AlertSink?
    {
        let errorsBefore = self.errors.count
        for key in table.keys where !Self.alertKeys.contains(key) {
            if key == "secret" || key == "password" {
                self.report(
                    "secrets never go in the config: put it in a file readable only by the daemon's user and name "
                        + "that file in `secret_file`",
                    key: key, in: scope)
            } else {
                self.reportUnknown(key, accepted: Self.alertKeys, what: "[[alert]] keys", in: scope)
            }
        }
        let kinds = AlertSink.Kind.allCases.map { Self.quote($0.rawValue) }.joined(separator: ", ")
        guard let typeText = self.readString(table, "type", in: scope, required: "the sink's type: \(kinds)") else {
            return nil
        }
        guard let kind = AlertSink.Kind(rawValue: typeText) else {
            self.report("expected one of \(kinds), found \(Self.quote(typeText))", key: "type", in: scope)
            return nil
        }
        var sink = AlertSink(name: "\(kind.rawValue)-\(index)", kind: kind)
        if let name = self.readString(table, "name", in: scope) {
            if name.isEmpty || name.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                self.report("expected a non-empty name on one line", key: "name", in: scope)
            } else {
                sink.name = name
            }
        }
        switch kind {
        case .webhook:
            sink.url = self.readHTTPURL(table, "url", what: "the http(s) URL to POST each event to", in: scope)
            if table["secret_file"] != nil {
                sink.secretFile = self.readPath(table, "secret_file", isDirectory: false, in: scope)
            } else {
                self.report(
                    "missing required key: the file holding the HMAC-SHA256 secret the receiver checks "
                        + "`Palimpsest-Signature` with", key: "secret_file", in: scope)
            }
        case .apprise:
            sink.appriseURLs = self.readStrings(table, "urls", in: scope) ?? []
            if table["urls_file"] != nil {
                sink.appriseURLsFile = self.readPath(table, "urls_file", isDirectory: false, in: scope)
            }
            if sink.appriseURLs.isEmpty, table["urls_file"] == nil {
                self.report(
                    "missing required key: the Apprise URLs, e.g. [\"tgram://TOKEN/CHAT\", \"ntfy://ntfy.sh/topic\"] "
                        + "(or `urls_file`, a file with one URL a line, for URLs that hold tokens)",
                    key: "urls", in: scope)
            }
        case .email:
            if config.digest.smtp == nil {
                self.report(
                    "an e-mail sink sends through [digest.smtp]: configure the mail server there", key: "type", in: scope)
            }
            for address in self.readStrings(table, "to", in: scope) ?? [] {
                if SMTPSettings.isPlainAddress(address) {
                    sink.to.append(address)
                } else {
                    self.report("expected plain addresses such as \"desk@example.org\", found \(Self.quote(address))",
                        key: "to", in: scope)
                }
            }
        }
        if kind != .webhook {
            for key in ["url", "secret_file"] where table[key] != nil {
                self.report("`\(key)` is for type = \"webhook\"", key: key, in: scope)
            }
        }
        if kind != .apprise {
            for key in ["urls", "urls_file"] where table[key] != nil {
                self.report("`\(key)` is for type = \"apprise\"", key: key, in: scope)
            }
        }
        if kind != .email, table["to"] != nil {
            self.report("`to` is for type = \"email\"", key: "to", in: scope)
        }
        if let names = self.readStrings(table, "events", in: scope) {
            var events: Set<EventKind> = []
            for name in names {
                if let event = EventKind(rawValue: name) {
                    events.insert(event)
                } else {
                    let known = EventKind.allCases.map { Self.quote($0.rawValue) }.joined(separator: ", ")
                    self.report("expected event kinds among \(known), found \(Self.quote(name))", key: "events", in: scope)
                }
            }
            sink.filter.events = events
        }
        if let names = self.readStrings(table, "reasons", in: scope) {
            var reasons: Set<Reason> = []
            for name in names {
                if let reason = Reason(rawValue: name) {
                    reasons.insert(reason)
                } else {
                    let known = Reason.allCases.map { Self.quote($0.rawValue) }.joined(separator: ", ")
                    self.report("expected reasons among \(known), found \(Self.quote(name))", key: "reasons", in: scope)
                }
            }
            sink.filter.reasons = reasons
        }
        if let patterns = self.readStrings(table, "accounts", in: scope) {
            sink.filter.accounts = patterns
        }
        if let names = self.readStrings(table, "platforms", in: scope) {
            var platforms: Set<Platform> = []
            for name in names {
                if let platform = Platform(rawValue: name) {
                    platforms.insert(platform)
                } else {
                    let known = Platform.allCases.map { Self.quote($0.rawValue) }.joined(separator: ", ")
                    self.report("expected platforms among \(known), found \(Self.quote(name))", key: "platforms", in: scope)
                }
            }
            sink.filter.platforms = platforms
        }
        if let batch = self.readDuration(table, "batch", minimum: 0, maximum: 86_400, in: scope), batch > 0 {
            sink.batch = batch
        }
        if let maxAge = self.readDuration(table, "max_age", minimum: 60, maximum: 30 * 86_400, in: scope) {
            sink.maxAge = maxAge
        }
        if let timeout = self.readDuration(table, "timeout", minimum: 1, maximum: 600, in: scope) {
            sink.timeout = timeout
        }
        return self.errors.count == errorsBefore ? sink : nil
    }

    private mutating func readAlarms(_ table: TOMLTable, into settings: inout AlarmSettings) {
        let scope = Scope(keyPrefix: "alarms", mapPrefix: "alarms")
        for key in table.keys where !Self.alarmKeys.contains(key) {
            self.reportUnknown(key, accepted: Self.alarmKeys, what: "[alarms] keys", in: scope)
        }
        if let value = table["enabled"] {
            if let flag = value.bool {
                settings.enabled = flag
            } else {
                self.report("expected true or false, found \(Self.describe(value))", key: "enabled", in: scope)
            }
        }
        let day: TimeInterval = 86_400
        if let value = self.readDuration(table, "blind_alarm", minimum: 60, maximum: 30 * day, in: scope) {
            settings.blind = value
        }
        if let value = self.readDuration(table, "silence_alarm", minimum: 60, maximum: 30 * day, in: scope) {
            settings.silence = value
        }
        if let value = self.readDuration(table, "probe_alarm", minimum: 60, maximum: 30 * day, in: scope) {
            settings.probeHost = value
        }
        if let value = table["mass_deletion"] {
            guard let mass = value.table else {
                self.report(
                    "expected a table (write `[alarms.mass_deletion]`), found \(Self.describe(value))",
                    key: "mass_deletion", in: scope)
                return
            }
            let massScope = Scope(keyPrefix: "alarms.mass_deletion", mapPrefix: "alarms.mass_deletion")
            for key in mass.keys where !Self.massDeletionKeys.contains(key) {
                self.reportUnknown(key, accepted: Self.massDeletionKeys, what: "[alarms.mass_deletion] keys", in: massScope)
            }
            if let posts = self.readInt(mass, "posts", range: 2...100_000, in: massScope) {
                settings.massDeletionPosts = posts
            }
            if let accounts = self.readInt(mass, "accounts", range: 1...100_000, in: massScope) {
                settings.massDeletionAccounts = accounts
            }
            if let window = self.readDuration(mass, "window", minimum: 60, maximum: 7 * day, in: massScope) {
                settings.massDeletionWindow = window
            }
        }
    }

    private mutating func readFeedOut(_ table: TOMLTable) -> FeedOutSettings? {
        let scope = Scope(keyPrefix: "feed_out", mapPrefix: "feed_out")
        for key in table.keys where !Self.feedOutKeys.contains(key) {
            self.reportUnknown(key, accepted: Self.feedOutKeys, what: "[feed_out] keys", in: scope)
        }
        guard table["path"] != nil else {
            self.report("missing required key: the Atom file to write, e.g. \"/var/lib/palimpsest/public/deletions.atom\"",
                key: "path", in: scope)
            return nil
        }
        guard let path = self.readPath(table, "path", isDirectory: false, in: scope) else { return nil }
        var settings = FeedOutSettings(path: path)
        if let entries = self.readInt(table, "entries", range: 1...10_000, in: scope) { settings.entries = entries }
        if let title = self.readString(table, "title", in: scope) { settings.title = title }
        if let names = self.readStrings(table, "events", in: scope) {
            settings.events = Set(names.compactMap { name in
                guard let event = EventKind(rawValue: name) else {
                    self.report("unknown event kind \(Self.quote(name))", key: "events", in: scope)
                    return nil
                }
                return event
            })
        }
        return settings
    }

    /// A list of strings; `nil` (and an error on a wrong type) when it cannot be read.
    private mutating func readStrings(_ table: TOMLTable, _ key: String, in scope: Scope) -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else {
            self.report("expected a list of strings, found \(Self.describe(value))", key: key, in: scope)
            return nil
        }
        var strings: [String] = []
        for element in array {
            guard let text = element.string else {
                self.report("expected a list of strings, found \(Self.describe(element)) in it", key: key, in: scope)
                return nil
            }
            strings.append(text)
        }
        return strings
    }

    // MARK: - [digest]

    private mutating func readDigest(_ table: TOMLTable, stateDirectory: URL) -> DigestSettings {
        let scope = Scope.digest
        for key in table.keys where !Self.digestKeys.contains(key) {
            self.reportUnknown(key, accepted: Self.digestKeys, what: "[digest] keys", in: scope)
        }
        var settings = DigestSettings(stateDirectory: stateDirectory)
        if let text = self.readString(table, "time_zone", in: scope) {
            if let zone = TimeZone(identifier: text), !text.isEmpty {
                settings.timeZone = zone
            } else {
                self.report(
                    "expected an IANA time zone name such as \"UTC\", \"Asia/Shanghai\" or \"Europe/Berlin\", "
                        + "found \(Self.quote(text))",
                    key: "time_zone",
                    in: scope
                )
            }
        }
        if let url = self.readPath(table, "dir", isDirectory: true, in: scope) {
            settings.directory = url
        }
        if let value = table["logs"] {
            if let array = value.array {
                for element in array {
                    guard let text = element.string, !text.isEmpty, !text.hasPrefix("~"), !text.contains("\0"),
                        !text.hasSuffix("/")
                    else {
                        self.report(
                            "expected a list of deletion log file paths, found \(Self.describe(element)) in it",
                            key: "logs",
                            in: scope
                        )
                        continue
                    }
                    let folder = self.file.deletingLastPathComponent()
                    let url =
                        text.hasPrefix("/")
                        ? URL(fileURLWithPath: text) : folder.appendingPathComponent(text)
                    settings.extraLogs.append(url.standardizedFileURL)
                }
            } else {
                self.report("expected a list of paths, found \(Self.describe(value))", key: "logs", in: scope)
            }
        }
        if let value = table["smtp"] {
            if let smtp = value.table {
                settings.smtp = self.readSMTP(smtp)
            } else {
                self.report(
                    "expected a table (write `[digest.smtp]`), found \(Self.describe(value))", key: "smtp", in: scope)
            }
        }
        return settings
    }

    private mutating func readSMTP(_ table: TOMLTable) -> SMTPSettings? {
        let scope = Scope.smtp
        let errorsBefore = self.errors.count
        for key in table.keys where !Self.smtpKeys.contains(key) {
            if key == "password" {
                self.report(
                    "the password never goes in the config: put it in a file readable only by the digest's user "
                        + "and name that file in `password_file`",
                    key: key,
                    in: scope
                )
            } else {
                self.reportUnknown(key, accepted: Self.smtpKeys, what: "[digest.smtp] keys", in: scope)
            }
        }
        var url: URL?
        let what = "the mail server as \"smtp://host[:port]\" (STARTTLS) or \"smtps://host[:port]\" (TLS)"
        if let text = self.readString(table, "url", in: scope, required: what) {
            if let parsed = URL(string: text), let scheme = parsed.scheme?.lowercased(),
                ["smtp", "smtps"].contains(scheme), let host = parsed.host, !host.isEmpty
            {
                if parsed.user != nil || parsed.password != nil {
                    self.report(
                        "the URL holds a user or password; use `username` and `password_file` instead",
                        key: "url",
                        in: scope
                    )
                } else {
                    url = parsed
                }
            } else {
                self.report(
                    "expected \(what), found \(Self.quote(Self.redactingPassword(text)))", key: "url", in: scope)
            }
        }
        var starttls = true
        if let value = table["starttls"] {
            if let flag = value.bool {
                starttls = flag
            } else {
                self.report("expected true or false, found \(Self.describe(value))", key: "starttls", in: scope)
            }
        }
        let username = self.readString(table, "username", in: scope)
        if let username, username.isEmpty || username.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            self.report("expected a non-empty user name on one line", key: "username", in: scope)
        }
        let passwordFile = table["password_file"] == nil
            ? nil : self.readPath(table, "password_file", isDirectory: false, in: scope)
        if username != nil, table["password_file"] == nil {
            self.report(
                "missing `password_file`: the file holding the password of `username`", key: "username", in: scope)
        }
        if username == nil, table["password_file"] != nil, table["username"] == nil {
            self.report("`password_file` needs a `username` to log in with", key: "password_file", in: scope)
        }
        var from: String?
        let fromExample = "the sender address, e.g. \"digest@example.org\""
        if let text = self.readString(table, "from", in: scope, required: fromExample) {
            if SMTPSettings.isPlainAddress(text) {
                from = text
            } else {
                self.report(
                    "expected a plain address such as \"digest@example.org\" (no display name), "
                        + "found \(Self.quote(text))",
                    key: "from",
                    in: scope
                )
            }
        }
        var recipients: [String] = []
        if let value = table["to"] {
            if let array = value.array, !array.isEmpty {
                for element in array {
                    if let text = element.string, SMTPSettings.isPlainAddress(text) {
                        if !recipients.contains(text) { recipients.append(text) }
                    } else {
                        self.report(
                            "expected a list of plain addresses such as [\"desk@example.org\"], "
                                + "found \(Self.describe(element)) in it",
                            key: "to",
                            in: scope
                        )
                    }
                }
            } else {
                self.report(
                    "expected a non-empty list of addresses such as [\"desk@example.org\"], "
                        + "found \(Self.describe(value))",
                    key: "to",
                    in: scope
                )
            }
        } else {
            self.report("missing required key: the recipients, e.g. [\"desk@example.org\"]", key: "to", in: scope)
        }
        guard self.errors.count == errorsBefore, let url, let from, !recipients.isEmpty else { return nil }
        return SMTPSettings(
            url: url,
            requiresSTARTTLS: starttls,
            username: username,
            passwordFile: passwordFile,
            from: from,
            to: recipients
        )
    }

    // MARK: - [daemon]

    private mutating func readDaemon(_ table: TOMLTable) -> DaemonSettings {
        let scope = Scope.daemon
        for key in table.keys where !Self.daemonKeys.contains(key) {
            self.reportUnknown(key, accepted: Self.daemonKeys, what: "[daemon] keys", in: scope)
        }
        var settings = DaemonSettings()
        if let url = self.readPath(table, "state_dir", isDirectory: true, in: scope) {
            settings.stateDirectory = url
        }
        settings.deletionLog =
            self.readPath(table, "deletion_log", isDirectory: false, in: scope)
            ?? settings.stateDirectory.appendingPathComponent(DaemonSettings.defaultDeletionLogName)
        if let value = self.readDuration(
            table, "interval", minimum: DaemonSettings.minimumInterval, maximum: DaemonSettings.maximumInterval,
            in: scope)
        {
            settings.interval = value
        }
        if let value = self.readFraction(table, "jitter", range: DaemonSettings.jitterRange, in: scope) {
            settings.jitter = value
        }
        if let value = self.readInt(table, "concurrency", range: 1...1_024, in: scope) {
            settings.concurrency = value
        }
        if let value = self.readInt(table, "per_host_concurrency", range: 1...1_024, in: scope) {
            settings.perHostConcurrency = value
        }
        if let value = self.readDuration(table, "timeout", minimum: 1, in: scope) {
            settings.timeout = value
        }
        if let value = self.readDuration(table, "connect_timeout", minimum: 1, in: scope) {
            settings.connectTimeout = value
        }
        if let value = self.readUserAgent(table, in: scope) {
            settings.userAgent = value
        }
        if let value = self.readProxy(table, in: scope) {
            settings.proxy = value.isEmpty ? nil : value
        }
        if let value = self.readByteSize(table, "max_body_size", range: 1_024...(1 << 30), in: scope) {
            settings.maxBodyBytes = value
        }
        if let value = self.readInt(table, "confirm_polls", range: 1...100, in: scope) {
            settings.confirmPolls = value
        }
        if let value = self.readDuration(table, "confirm_min_age", minimum: 0, in: scope) {
            settings.confirmMinAge = value
        }
        if let value = self.readInt(table, "probe_attempts", range: 1...1_000, in: scope) {
            settings.probeAttempts = value
        }
        if let value = self.readDuration(table, "stale_tolerance", minimum: 0, maximum: 7 * 86_400, in: scope) {
            settings.staleTolerance = value
        }
        if let value = self.readInt(table, "snapshot_retention", range: 1...10_000, in: scope) {
            settings.snapshotRetention = value
        }
        if let value = self.readInt(table, "max_items", range: 1...DaemonSettings.maximumMaxItems, in: scope) {
            settings.maxItems = value
        }
        if let value = self.readByteSize(table, "event_text_limit", range: 1_024...(64 << 20), in: scope) {
            settings.eventTextLimit = value
        }
        if let text = self.readString(table, "shard", in: scope) {
            if let shard = AccountShard(parsing: text) {
                settings.shard = shard
            } else {
                self.report(
                    "expected \"k/n\": this instance's shard k of n shards, 1 <= k <= n <= \(AccountShard.maximumCount) "
                        + "(e.g. \"2/8\"), found \(Self.quote(text))",
                    key: "shard", in: scope)
            }
        }
        if let text = self.readString(table, "metrics_listen", in: scope), !text.isEmpty {
            if let address = MetricsAddress(parsing: text) {
                settings.metricsListen = address
            } else {
                self.report(
                    "expected an IP address and port such as \"127.0.0.1:9464\" or \"[::1]:9464\" (no host names), "
                        + "found \(Self.quote(text))",
                    key: "metrics_listen", in: scope)
            }
        }
        return settings
    }

    // MARK: - [[account]]

    /// The key that names an account's identity on each platform, for error messages.
    static let identityKey: [Platform: String] = [
        .feed: "url", .mastodon: "acct", .weibo: "uid", .bluesky: "actor", .telegram: "channel", .url: "url",
    ]

    /// The accounts of one `[[account]]` table: one, or one per URL of a `url` table's `urls` list.
    private mutating func readAccounts(_ table: TOMLTable, scope: Scope, daemon: DaemonSettings) -> [Account] {
        let errorsBefore = self.errors.count
        let validPlatforms = Platform.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        var platform: Platform?
        if let text = self.readString(table, "platform", in: scope) {
            platform = Platform(rawValue: text)
            if platform == nil {
                self.report("expected one of \(validPlatforms), found \(Self.quote(text))", key: "platform", in: scope)
            }
        } else if table["platform"] == nil {
            self.report("missing required key: the platform, one of \(validPlatforms)", key: "platform", in: scope)
        }

        // Without a valid platform the accepted keys are unknown: the platform error says enough.
        if let platform {
            let accepted = Self.commonAccountKeys + (Self.platformKeys[platform] ?? [])
            for key in table.keys where !accepted.contains(key) {
                if let owner = Platform.allCases.first(where: { Self.platformKeys[$0]?.contains(key) == true }) {
                    self.report(
                        "`\(key)` belongs to platform \"\(owner.rawValue)\", not \"\(platform.rawValue)\"; "
                            + "a \"\(platform.rawValue)\" account accepts \(Self.list(accepted))",
                        key: key,
                        in: scope
                    )
                } else {
                    self.reportUnknown(key, accepted: accepted, what: "account keys", in: scope)
                }
            }
        }

        let name = self.readString(table, "name", in: scope)
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty {
            self.report("expected a non-empty name, or no `name` key", key: "name", in: scope)
        }
        let interval =
            self.readDuration(
                table, "interval", minimum: DaemonSettings.minimumInterval, maximum: DaemonSettings.maximumInterval,
                in: scope) ?? daemon.interval
        let proxy = self.readProxy(table, in: scope)
        let headers = self.readHeaders(table, in: scope)
        let maxItems =
            self.readInt(table, "max_items", range: 1...DaemonSettings.maximumMaxItems, in: scope) ?? daemon.maxItems

        var sources: [AccountSource] = []
        switch platform {
        case .feed:
            if let url = self.readHTTPURL(table, "url", what: "the feed's absolute http(s) URL", in: scope) {
                sources = [.feed(url: url)]
            }
        case .mastodon:
            let instance = self.readHTTPURL(
                table,
                "instance",
                what: "the instance's base http(s) URL, e.g. \"https://mastodon.social\"",
                isBaseURL: true,
                in: scope
            )
            let acct = self.readAcct(table, in: scope)
            if let instance, let acct {
                sources = [.mastodon(instance: Self.baseURL(instance), acct: acct)]
            }
        case .weibo:
            let uid = self.readIdentifier(
                table, "uid", pattern: .digits, what: "the Weibo account's numeric uid, e.g. \"1195230310\"",
                in: scope)
            let base = self.readPlatformBaseURL(table, platform: .weibo, in: scope)
            let pages = self.readInt(table, "pages", range: 1...50, in: scope) ?? 1
            let cookieFile = table["cookie_file"] == nil
                ? nil : self.readPath(table, "cookie_file", isDirectory: false, in: scope)
            if let uid, let base {
                sources = [.weibo(uid: uid, baseURL: base, pages: pages, cookieFile: cookieFile)]
            }
        case .bluesky:
            let actor = self.readIdentifier(
                table, "actor", pattern: .blueskyActor,
                what: "a Bluesky handle such as \"bsky.app\" or a DID such as \"did:plc:z72i7hdynmk6r22z27h6tvur\"",
                in: scope)
            let base = self.readPlatformBaseURL(table, platform: .bluesky, in: scope)
            let pages = self.readInt(table, "pages", range: 1...50, in: scope) ?? 1
            var filter = "posts_with_replies"
            if let text = self.readString(table, "filter", in: scope) {
                if Self.blueskyFilters.contains(text) {
                    filter = text
                } else {
                    self.report(
                        "expected one of \(Self.blueskyFilters.map(Self.quote).joined(separator: ", ")), found \(Self.quote(text))",
                        key: "filter", in: scope)
                }
            }
            if let actor, let base {
                sources = [.bluesky(actor: actor, baseURL: base, pages: pages, filter: filter)]
            }
        case .telegram:
            let channel = self.readIdentifier(
                table, "channel", pattern: .telegramChannel,
                what: "a public channel's username, e.g. \"durov\" (letters, digits, underscores)", in: scope)
            let base = self.readPlatformBaseURL(table, platform: .telegram, in: scope)
            let pages = self.readInt(table, "pages", range: 1...50, in: scope) ?? 1
            if let channel, let base {
                sources = [.telegram(channel: channel, baseURL: base, pages: pages)]
            }
        case .url:
            let tombstones = self.readTombstones(table, in: scope)
            var urls: [URL] = []
            if table["url"] != nil, let url = self.readHTTPURL(table, "url", what: "the page's absolute http(s) URL", in: scope) {
                urls.append(url)
            }
            if let value = table["urls"] {
                if let array = value.array {
                    for element in array {
                        if let text = element.string, let url = URL(string: text),
                            ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil
                        {
                            urls.append(url)
                        } else {
                            self.report(
                                "expected a list of absolute http(s) URLs, found \(Self.describe(element)) in it",
                                key: "urls", in: scope)
                        }
                    }
                } else {
                    self.report("expected a list of URLs, found \(Self.describe(value))", key: "urls", in: scope)
                }
            }
            if table["url"] == nil, table["urls"] == nil {
                self.report("missing required key: `url` (one page) or `urls` (a list of pages)", key: "url", in: scope)
            }
            sources = urls.map { .url(url: $0, tombstones: tombstones) }
        case nil:
            break
        }

        guard !sources.isEmpty, self.errors.count == errorsBefore else { return [] }
        return sources.map { source in
            Account(
                key: Account.key(for: source),
                name: name,
                source: source,
                interval: interval,
                proxy: proxy,
                headers: headers,
                maxItems: maxItems
            )
        }
    }

    /// Shapes of platform identifiers.
    enum IdentifierPattern {
        case digits, blueskyActor, telegramChannel

        func matches(_ text: String) -> Bool {
            let scalars = text.unicodeScalars
            let alphanumerics = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            switch self {
            case .digits:
                return (1...20).contains(scalars.count) && scalars.allSatisfy { ("0"..."9").contains($0) }
            case .telegramChannel:
                return (1...64).contains(scalars.count)
                    && scalars.allSatisfy { alphanumerics.contains($0) || $0 == "_" }
            case .blueskyActor:
                let allowed = alphanumerics.union(CharacterSet(charactersIn: ".-:_"))
                return (3...253).contains(scalars.count) && scalars.allSatisfy(allowed.contains)
                    && (text.hasPrefix("did:") || text.contains("."))
            }
        }
    }

    /// A required identifier string (a leading `@` is dropped), checked against `pattern`.
    private mutating func readIdentifier(
        _ table: TOMLTable, _ key: String, pattern: IdentifierPattern, what: String, in scope: Scope
    ) -> String? {
        guard let text = self.readString(table, key, in: scope, required: what) else { return nil }
        let identifier = text.hasPrefix("@") ? String(text.dropFirst()) : text
        guard pattern.matches(identifier) else {
            self.report("expected \(what), found \(Self.quote(text))", key: key, in: scope)
            return nil
        }
        return identifier
    }

    /// `base_url`, or the platform's default.
    private mutating func readPlatformBaseURL(_ table: TOMLTable, platform: Platform, in scope: Scope) -> URL? {
        let fallback = URL(string: Self.defaultBaseURLs[platform] ?? "")
        guard table["base_url"] != nil else { return fallback }
        let url = self.readHTTPURL(
            table, "base_url", what: "the platform's base http(s) URL (default \(Self.defaultBaseURLs[platform] ?? ""))",
            isBaseURL: true, in: scope)
        return url.map(Self.baseURL)
    }

    /// `tombstones = [{ contains = "…", reason = "censored" }]`.
    private mutating func readTombstones(_ table: TOMLTable, in scope: Scope) -> [TombstoneRule] {
        guard let value = table["tombstones"] else { return [] }
        guard let array = value.array else {
            self.report(
                "expected a list of tables such as [{ contains = \"…\", reason = \"censored\" }], found \(Self.describe(value))",
                key: "tombstones", in: scope)
            return []
        }
        let reasons = Reason.allCases.map { Self.quote($0.rawValue) }.joined(separator: ", ")
        var rules: [TombstoneRule] = []
        for element in array {
            guard let rule = element.table, let contains = rule["contains"]?.string, !contains.isEmpty,
                let reasonText = rule["reason"]?.string
            else {
                self.report(
                    "each tombstone is { contains = \"<text on the page>\", reason = \"<reason>\" }, found \(Self.describe(element))",
                    key: "tombstones", in: scope)
                continue
            }
            guard let reason = Reason(rawValue: reasonText) else {
                self.report("tombstone reason: expected one of \(reasons), found \(Self.quote(reasonText))", key: "tombstones", in: scope)
                continue
            }
            for key in rule.keys where key != "contains" && key != "reason" {
                self.report("tombstone: unknown key `\(key)`; accepted: `contains`, `reason`", key: "tombstones", in: scope)
            }
            rules.append(TombstoneRule(contains: contains, reason: reason))
        }
        return rules
    }

    private mutating func readAcct(_ table: TOMLTable, in scope: Scope) -> String? {
        guard let text = self.readString(table, "acct", in: scope, required: "the Mastodon username") else {
            return nil
        }
        let acct = text.hasPrefix("@") ? String(text.dropFirst()) : text
        let parts = acct.split(separator: "@", omittingEmptySubsequences: false)
        let userScalars = CharacterSet(
            charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
        )
        let domainScalars = CharacterSet(
            charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:"
        )
        let isValid =
            (1...2).contains(parts.count)
            && !parts[0].isEmpty && parts[0].unicodeScalars.allSatisfy(userScalars.contains)
            && (parts.count == 1 || (!parts[1].isEmpty && parts[1].unicodeScalars.allSatisfy(domainScalars.contains)))
        guard isValid else {
            self.report(
                "expected a Mastodon username such as \"Gargron\" or \"user@example.social\" "
                    + "(a leading \"@\" is fine), found \(Self.quote(text))",
                key: "acct",
                in: scope
            )
            return nil
        }
        return acct
    }

    private mutating func readHeaders(_ table: TOMLTable, in scope: Scope) -> [String: String] {
        guard let value = table["headers"] else { return [:] }
        guard let headers = value.table else {
            self.report(
                "expected a table of header names to strings, e.g. `headers = { Cookie = \"…\" }`, "
                    + "found \(Self.describe(value))",
                key: "headers",
                in: scope
            )
            return [:]
        }
        var result: [String: String] = [:]
        var seenLowercased: [String: String] = [:]
        for name in headers.keys.sorted() {
            let key = "headers.\(name)"
            if name.isEmpty || !name.unicodeScalars.allSatisfy(Self.isHeaderNameScalar) {
                self.report(
                    "expected an HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only), found \(Self.quote(name))",
                    key: key,
                    in: scope
                )
                continue
            }
            if let other = seenLowercased[name.lowercased()] {
                self.report("header `\(other)` is already set (header names ignore case)", key: key, in: scope)
                continue
            }
            seenLowercased[name.lowercased()] = name
            // Header values may hold cookies or tokens: errors never quote them.
            guard let headerValue = headers[name], let text = headerValue.string else {
                let found = headers[name].map { Self.typeName($0.type) } ?? "nothing"
                self.report("expected a string, found \(found)", key: key, in: scope)
                continue
            }
            if text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                self.report("a header value cannot contain line breaks or NUL characters", key: key, in: scope)
                continue
            }
            result[name] = text
        }
        return result
    }

    // MARK: - Values

    /// A string value; `nil` (and an error when `required` names what is missing, or on a wrong
    /// type) when it cannot be read.
    private mutating func readString(
        _ table: TOMLTable,
        _ key: String,
        in scope: Scope,
        required: String? = nil
    ) -> String? {
        guard let value = table[key] else {
            if let required { self.report("missing required key: \(required)", key: key, in: scope) }
            return nil
        }
        guard let text = value.string else {
            self.report("expected a string, found \(Self.describe(value))", key: key, in: scope)
            return nil
        }
        return text
    }

    private mutating func readDuration(
        _ table: TOMLTable,
        _ key: String,
        minimum: TimeInterval,
        maximum: TimeInterval? = nil,
        in scope: Scope
    ) -> TimeInterval? {
        guard let value = table[key] else { return nil }
        let seconds: TimeInterval
        if let integer = value.int {
            guard integer >= 0 else {
                self.report("a duration cannot be negative, found \(integer)", key: key, in: scope)
                return nil
            }
            seconds = TimeInterval(integer)
        } else if let text = value.string {
            do {
                seconds = try DurationParser.seconds(from: text)
            } catch {
                self.report(error.message, key: key, in: scope)
                return nil
            }
        } else if let fraction = value.double {
            self.report(
                "expected \(DurationParser.expectation), found a floating-point number (\(fraction)); fractions are "
                    + "not accepted: \(DurationParser.wholeUnitsAdvice(seconds: fraction, written: "\(fraction)"))",
                key: key, in: scope)
            return nil
        } else {
            self.report("expected \(DurationParser.expectation), found \(Self.describe(value))", key: key, in: scope)
            return nil
        }
        if let maximum, !(minimum...maximum).contains(seconds) {
            self.report(
                "expected a duration from \(DurationParser.string(from: minimum)) to "
                    + "\(DurationParser.string(from: maximum)), found \(DurationParser.string(from: seconds))",
                key: key, in: scope)
            return nil
        }
        guard seconds >= minimum else {
            let found = DurationParser.string(from: seconds)
            let least = minimum > 0 ? "at least \(DurationParser.string(from: minimum))" : "not negative"
            self.report("expected a duration of \(least), found \(found)", key: key, in: scope)
            return nil
        }
        return seconds
    }

    private mutating func readInt(_ table: TOMLTable, _ key: String, range: ClosedRange<Int>, in scope: Scope) -> Int? {
        guard let value = table[key] else { return nil }
        guard let integer = value.int else {
            self.report("expected an integer, found \(Self.describe(value))", key: key, in: scope)
            return nil
        }
        guard range.contains(integer) else {
            self.report(
                "expected an integer from \(range.lowerBound) to \(range.upperBound), found \(integer)",
                key: key,
                in: scope
            )
            return nil
        }
        return integer
    }

    private mutating func readFraction(
        _ table: TOMLTable,
        _ key: String,
        range: ClosedRange<Double>,
        in scope: Scope
    ) -> Double? {
        guard let value = table[key] else { return nil }
        guard let number = value.double ?? value.int.map(Double.init) else {
            self.report("expected a number, found \(Self.describe(value))", key: key, in: scope)
            return nil
        }
        guard range.contains(number) else {
            self.report(
                "expected a fraction from \(range.lowerBound) to \(range.upperBound) (0.1 means ±10%), found \(number)",
                key: key,
                in: scope
            )
            return nil
        }
        return number
    }

    private mutating func readByteSize(
        _ table: TOMLTable,
        _ key: String,
        range: ClosedRange<Int>,
        in scope: Scope
    ) -> Int? {
        guard let value = table[key] else { return nil }
        let bytes: Int
        if let integer = value.int {
            bytes = integer
        } else if let text = value.string {
            do {
                bytes = try ByteSizeParser.bytes(from: text)
            } catch {
                self.report(error.message, key: key, in: scope)
                return nil
            }
        } else {
            self.report("expected \(ByteSizeParser.expectation), found \(Self.describe(value))", key: key, in: scope)
            return nil
        }
        guard range.contains(bytes) else {
            self.report(
                "expected a size from \(ByteSizeParser.string(from: range.lowerBound)) to "
                    + "\(ByteSizeParser.string(from: range.upperBound)), found \(ByteSizeParser.string(from: bytes))",
                key: key,
                in: scope
            )
            return nil
        }
        return bytes
    }

    /// A filesystem path; relative paths resolve against the config file's folder.
    private mutating func readPath(_ table: TOMLTable, _ key: String, isDirectory: Bool, in scope: Scope) -> URL? {
        guard let text = self.readString(table, key, in: scope) else { return nil }
        let problem: String? =
            if text.isEmpty {
                "expected a path, found an empty string"
            } else if text.hasPrefix("~") {
                "`~` is not expanded: write the full path, e.g. \"/home/me/palimpsest\", found \(Self.quote(text))"
            } else if text.contains("\0") {
                "a path cannot contain a NUL character"
            } else if !isDirectory, text.hasSuffix("/") {
                "expected the path of a file, found a folder \(Self.quote(text))"
            } else {
                nil
            }
        if let problem {
            self.report(problem, key: key, in: scope)
            return nil
        }
        let folder = self.file.deletingLastPathComponent()
        let url =
            text.hasPrefix("/")
            ? URL(fileURLWithPath: text, isDirectory: isDirectory)
            : folder.appendingPathComponent(text, isDirectory: isDirectory)
        let resolved = url.standardizedFileURL
        self.paths.append(PathReference(key: key, location: self.location(key: key, in: scope), url: resolved))
        return resolved
    }

    private mutating func readUserAgent(_ table: TOMLTable, in scope: Scope) -> String? {
        guard let text = self.readString(table, "user_agent", in: scope) else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty,
            !text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" })
        else {
            self.report("expected a non-empty User-Agent on one line", key: "user_agent", in: scope)
            return nil
        }
        return text
    }

    /// A proxy URL as written, or `""` (no proxy).
    private mutating func readProxy(_ table: TOMLTable, in scope: Scope) -> String? {
        guard let text = self.readString(table, "proxy", in: scope) else { return nil }
        guard !text.isEmpty else { return "" }
        let expected =
            "expected a proxy URL such as \"socks5h://127.0.0.1:9050\" or \"http://proxy.example:3128\" "
            + "(schemes: \(Self.proxySchemes.map { "\($0)://" }.joined(separator: ", ")))"
        let shown = Self.quote(Self.redactingPassword(text))
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else {
            self.report("\(expected), found \(shown)", key: "proxy", in: scope)
            return nil
        }
        guard Self.proxySchemes.contains(scheme) else {
            let hint = scheme == "socks5" ? " (use socks5h:// so host names resolve through the proxy)" : ""
            self.report("\(expected), found \(shown)\(hint)", key: "proxy", in: scope)
            return nil
        }
        return text
    }

    /// A required absolute `http`/`https` URL with a host and no user or password; a base URL
    /// also has no query or fragment.
    private mutating func readHTTPURL(
        _ table: TOMLTable,
        _ key: String,
        what: String,
        isBaseURL: Bool = false,
        in scope: Scope
    ) -> URL? {
        guard let text = self.readString(table, key, in: scope, required: what) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            self.report("expected \(what), found \(Self.quote(text))", key: key, in: scope)
            return nil
        }
        if isBaseURL, url.query != nil || url.fragment != nil {
            self.report("expected \(what) without a query or fragment, found \(Self.quote(text))", key: key, in: scope)
            return nil
        }
        if url.user != nil || url.password != nil {
            self.report(
                "the URL holds a user or password; put credentials in `headers` instead "
                    + "(the URL becomes the account key and appears in the deletion log)",
                key: key,
                in: scope
            )
            return nil
        }
        return url
    }

    // MARK: - Reporting

    private mutating func report(_ message: String, key: String?, in scope: Scope = .topLevel) {
        var error = self.location(key: key, in: scope)
        error.message = message
        self.errors.append(error)
    }

    /// Where `key` of `scope` is: the file, the line and column of the key (else of its table), the
    /// account, and the dotted key; the message is empty.
    private func location(key: String?, in scope: Scope) -> ConfigError {
        let fullKey = key.map { name in scope.keyPrefix.map { "\($0).\(name)" } ?? name }
        var mapPaths: [String] = []
        if let key {
            var parts = key.split(separator: ".").map(String.init)
            while !parts.isEmpty {
                mapPaths.append(([scope.mapPrefix].compactMap { $0 } + parts).joined(separator: "."))
                parts.removeLast()
            }
        }
        if let prefix = scope.mapPrefix { mapPaths.append(prefix) }
        let sourceMap = self.sourceMap
        let position = mapPaths.lazy.compactMap { sourceMap.position(of: $0) }.first
        return ConfigError(
            file: self.file.path,
            line: position?.line,
            column: position?.column,
            accountIndex: scope.accountIndex,
            accountName: scope.accountName,
            key: fullKey,
            message: ""
        )
    }

    private mutating func reportUnknown(_ key: String, accepted: [String], what: String, in scope: Scope) {
        let suggestion =
            accepted.min { Self.editDistance(key, $0) < Self.editDistance(key, $1) }
            .flatMap { Self.editDistance(key, $0) <= 2 ? " (did you mean `\($0)`?)" : nil } ?? ""
        self.report("unknown key\(suggestion); accepted \(what): \(Self.list(accepted))", key: key, in: scope)
    }

    // MARK: - Helpers

    /// `https://example.social/` → `https://example.social`: adapters append `/api/v1/…`.
    private static func baseURL(_ url: URL) -> URL {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url }
        while components.path.hasSuffix("/") { components.path.removeLast() }
        return components.url ?? url
    }

    private static func isHeaderNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "!", "#", "$", "%", "&", "'", "*", "+", "-", ".", "^", "_", "`", "|",
            "~":
            return true
        default:
            return false
        }
    }

    /// `user:secret@` in a proxy URL becomes `user:***@`, so errors never print passwords.
    static func redactingPassword(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }

    static func list(_ keys: [String]) -> String {
        keys.map { "`\($0)`" }.joined(separator: ", ")
    }

    /// A string in quotes, cut to 80 characters.
    static func quote(_ text: String) -> String {
        let shown = text.count > 80 ? text.prefix(79) + "…" : Substring(text)
        return "\"\(shown)\""
    }

    static func typeName(_ type: TOMLType) -> String {
        switch type {
        case .table: return "a table"
        case .array: return "an array"
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a floating-point number"
        case .bool: return "a boolean"
        case .date: return "a date"
        case .time: return "a time"
        case .dateTime: return "a date-time"
        }
    }

    /// `an integer (5)`, `a string ("x")`, `a table`: the type of a found value, and the value when short.
    static func describe(_ value: any TOMLValueConvertible) -> String {
        let name = self.typeName(value.type)
        switch value.type {
        case .string: return "\(name) (\(self.quote(value.string ?? "")))"
        case .int, .double, .bool, .date, .time, .dateTime: return "\(name) (\(value.tomlValue.debugDescription))"
        case .table, .array: return name
        }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
