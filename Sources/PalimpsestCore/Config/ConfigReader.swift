import Foundation
import TOMLKit

/// Turns a parsed TOML document into a ``PalimpsestConfig``, collecting every problem on the way.
///
/// Each `read…` helper returns `nil` and records a ``ConfigError`` when a value is absent where
/// required, of the wrong type, or out of range; reading goes on so that one run reports all
/// problems. ``ConfigLoader`` throws them together.
struct ConfigReader {
    /// Proxy URL schemes libcurl is given (`socks5h` resolves names through the proxy, as Tor needs).
    static let proxySchemes = ["http", "https", "socks5h"]

    /// Where an error is: the table and, inside `[[account]]`, which account.
    struct Scope: Sendable, Hashable {
        /// The prefix of error keys: `daemon`, `account`, or `nil` at the top level.
        var keyPrefix: String?
        /// The prefix of source-map paths: `daemon`, `account#3`, or `nil` at the top level.
        var mapPrefix: String?
        var accountIndex: Int?
        var accountName: String?
        var sinkIndex: Int?
        var sinkName: String?

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
    struct PathReference: Sendable, Hashable {
        /// The bare key, e.g. `cookie_file`.
        var key: String
        /// Its table (``ConfigReader/location(of:)`` says where it is: finding the line scans the
        /// whole text, which a config without warnings never needs).
        var scope: Scope
        /// The path, resolved against the config file's folder.
        var url: URL
    }

    /// Where the path of `reference` is: file, line, account and dotted key (the message is empty).
    func location(of reference: PathReference) -> ConfigError {
        self.location(key: reference.key, in: reference.scope)
    }

    init(file: URL, sourceMap: ConfigSourceMap) {
        self.file = file
        self.sourceMap = sourceMap
    }

    /// A reader of a text already read, with the ``paths`` that reading found (``ConfigWarnings``
    /// locates them without reading the tables again).
    init(file: URL, sourceMap: ConfigSourceMap, paths: [PathReference]) {
        self.file = file
        self.sourceMap = sourceMap
        self.paths = paths
    }

    // MARK: - Document

    mutating func read(_ root: TOMLTable) -> PalimpsestConfig {
        let keys = ConfigSections.topLevel
        self.reportUnknownKeys(of: root, in: keys, scope: .topLevel)
        var daemon = DaemonSettings()
        if let table = self.table(keys["daemon"], in: root, scope: .topLevel) {
            daemon = DaemonSettings(reading: table, with: &self)
        }
        var accounts: [Account] = []
        if let tables = self.tables(
            keys["account"], in: root, scope: .topLevel, header: "[[account]]", element: "account")
        {
            // Sized once: grown step by step, each copy held the old and the new storage at once.
            var seen: [AccountKey: (index: Int, name: String?)] = [:]
            seen.reserveCapacity(tables.count)
            accounts.reserveCapacity(tables.count)
            for (offset, element) in tables.enumerated() {
                let index = offset + 1
                var scope = Scope(keyPrefix: "account", mapPrefix: "account#\(index)", accountIndex: index)
                guard let table = element.table else {
                    self.report("expected a table, found \(Self.describe(element))", key: nil, in: scope)
                    continue
                }
                scope.accountName = table["name"]?.string
                for account in self.readAccounts(table, scope: scope, daemon: daemon) {
                    if let first = seen[account.key], first.index == index, table["urls"] != nil {
                        self.report(
                            "`urls` lists the same page twice (key `\(account.key)`); remove one of them",
                            key: "urls", in: scope)
                        continue
                    } else if let first = seen[account.key] {
                        let firstName = first.name.map { " (\"\($0)\")" } ?? ""
                        let key = PlatformSources.source(of: account.platform)?.identityKey ?? "url"
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
        }
        var digest = DigestSettings(stateDirectory: daemon.stateDirectory)
        if let table = self.table(keys["digest"], in: root, scope: .topLevel) {
            digest = DigestSettings(reading: table, stateDirectory: daemon.stateDirectory, with: &self)
        }
        var config = PalimpsestConfig(file: self.file, daemon: daemon, accounts: accounts, digest: digest)
        if let table = self.table(keys["evidence"], in: root, scope: .topLevel) {
            config.evidence = EvidenceSettings(reading: table, stateDirectory: daemon.stateDirectory, with: &self)
        }
        self.readAlerting(root, into: &config)
        return config
    }

    // MARK: - [[alert]], [alarms], [feed_out] (each read by its settings type)

    private mutating func readAlerting(_ root: TOMLTable, into config: inout PalimpsestConfig) {
        let keys = ConfigSections.topLevel
        if let array = self.tables(keys["alert"], in: root, scope: .topLevel, header: "[[alert]]", element: "sink") {
            for (offset, element) in array.enumerated() {
                var scope = Scope(keyPrefix: "alert", mapPrefix: "alert#\(offset + 1)", sinkIndex: offset + 1)
                guard let table = element.table else {
                    self.report("expected a table, found \(Self.describe(element))", key: nil, in: scope)
                    continue
                }
                scope.sinkName = table["name"]?.string
                guard
                    let sink = AlertSink(
                        reading: table, index: offset + 1, config: config, with: &self, in: scope)
                else { continue }
                if let first = config.alerts.firstIndex(where: { $0.name == sink.name }) {
                    let message =
                        table["name"] == nil
                        ? "this sink's default name \(Self.quote(sink.name)) is the name sink #\(first + 1) was "
                            + "given: give one of them another `name`"
                        : "duplicate sink name \(Self.quote(sink.name)): give each [[alert]] its own `name`"
                    self.report(message, key: "name", in: scope)
                    continue
                }
                config.alerts.append(sink)
            }
        }
        config.alarms.enabled = !config.alerts.isEmpty || root["alarms"] != nil
        if let table = self.table(keys["alarms"], in: root, scope: .topLevel) {
            config.alarms.update(reading: table, with: &self)
        }
        if let table = self.table(keys["feed_out"], in: root, scope: .topLevel) {
            config.feedOut = FeedOutSettings(reading: table, with: &self)
        }
    }

    // MARK: - [[account]]

    /// The accounts of one `[[account]]` table: one, or one per URL of a `url` table's `urls` list.
    private mutating func readAccounts(_ table: TOMLTable, scope: Scope, daemon: DaemonSettings) -> [Account] {
        let errorsBefore = self.errors.count
        let validPlatforms = Self.validPlatforms
        var platform: Platform?
        let keys = ConfigSections.account
        if let text = self.string(keys["platform"], in: table, scope: scope) {
            platform = Platform(rawValue: text)
            if platform == nil {
                self.report("expected one of \(validPlatforms), found \(Self.quote(text))", key: "platform", in: scope)
            }
        } else if table["platform"] == nil {
            // A misspelt `platform` is the likely cause: name it (did-you-mean from the key table).
            let everyKey = Set(ConfigSections.account.names + PlatformSources.all.flatMap { $0.keys.names })
            let misspelt = table.keys.sorted().first { key in
                !everyKey.contains(key) && Self.editDistance(key, "platform") <= 2
            }
            let hint = misspelt.map { " (did you mean `platform` instead of `\($0)`?)" } ?? ""
            self.report(
                "missing required key: the platform, one of \(validPlatforms)\(hint)", key: "platform", in: scope)
        }

        // Without a valid platform the accepted keys are unknown: the platform error says enough.
        let source = platform.flatMap(PlatformSources.source(of:))
        if let platform {
            let accepted = Self.acceptedAccountKeys[platform] ?? ConfigSections.account.names
            for key in table.keys where !accepted.contains(key) {
                let owners = PlatformSources.all.filter { $0.keys.names.contains(key) }.map { $0.platform.rawValue }
                if !owners.isEmpty {
                    let named = owners.map { "\"\($0)\"" }.joined(separator: ", ")
                    self.report(
                        "`\(key)` belongs to platform\(owners.count == 1 ? "" : "s") \(named), not \"\(platform.rawValue)\"; "
                            + "a \"\(platform.rawValue)\" account accepts \(Self.list(accepted))",
                        key: key,
                        in: scope
                    )
                } else {
                    self.reportUnknown(key, accepted: accepted, what: "account keys", in: scope)
                }
            }
        }

        // The name the caller put in the scope is this string: read again only to report its type.
        let name = scope.accountName ?? self.string(keys["name"], in: table, scope: scope)
        if let name, Self.isBlank(name) {
            self.report("expected a non-empty name, or no `name` key", key: "name", in: scope)
        }
        let interval = self.duration(keys["interval"], in: table, scope: scope) ?? daemon.interval
        let proxy = self.proxy(keys["proxy"], in: table, scope: scope)
        let headers = self.headers(keys["headers"], in: table, scope: scope)
        let maxItems = self.integer(keys["max_items"], in: table, scope: scope) ?? daemon.maxItems

        var sources: [AccountSource] = []
        if let source {
            sources = source.sources(reading: table, with: &self, in: scope)
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

    /// The keys an `[[account]]` table of each platform accepts: every account's, then the
    /// platform's own (made once, not per account).
    static let acceptedAccountKeys: [Platform: [String]] = Dictionary(
        uniqueKeysWithValues: PlatformSources.all.map { ($0.platform, ConfigSections.account.names + $0.keys.names) })

    /// `"feed", "mastodon", …`: every platform, quoted, for the errors of `platform` (made once, not
    /// per account).
    static let validPlatforms = Platform.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")

    /// True when `text` is empty or only `CharacterSet.whitespaces` (what trimming them would leave
    /// empty), without building the trimmed string: a name that starts with a visible ASCII
    /// character answers at once.
    static func isBlank(_ text: String) -> Bool {
        if let first = text.utf8.first, first > 0x20, first < 0x7F { return false }
        return text.unicodeScalars.allSatisfy { CharacterSet.whitespaces.contains($0) }
    }

    /// Shapes of platform identifiers.
    enum IdentifierPattern {
        case digits, blueskyActor, telegramChannel

        /// `did:plc:<id>` or `did:web:<host>`, the two DID methods Bluesky supports
        /// (https://atproto.com/specs/did), with a non-empty method-specific id.
        static func isDID(_ text: String) -> Bool {
            let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            return parts.count == 3 && ["plc", "web"].contains(parts[1]) && !parts[2].isEmpty
        }

        func matches(_ text: String) -> Bool {
            let scalars = text.unicodeScalars
            let alphanumerics = CharacterSet(
                charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            switch self {
            case .digits:
                return (1...20).contains(scalars.count) && scalars.allSatisfy { ("0"..."9").contains($0) }
            case .telegramChannel:
                return (1...64).contains(scalars.count)
                    && scalars.allSatisfy { alphanumerics.contains($0) || $0 == "_" }
            case .blueskyActor:
                let allowed = alphanumerics.union(CharacterSet(charactersIn: ".-:_"))
                return (3...253).contains(scalars.count) && scalars.allSatisfy(allowed.contains)
                    && (text.hasPrefix("did:") ? Self.isDID(text) : text.contains("."))
            }
        }
    }

    /// A required identifier string (a leading `@` is dropped), checked against `pattern`.
    mutating func identifier(
        _ key: ConfigKey, in table: TOMLTable, scope: Scope, pattern: IdentifierPattern, what: String
    ) -> String? {
        guard let text = self.string(key, in: table, scope: scope, required: what) else { return nil }
        let identifier = text.hasPrefix("@") ? String(text.dropFirst()) : text
        guard pattern.matches(identifier) else {
            self.report("expected \(what), found \(Self.quote(text))", key: key.name, in: scope)
            return nil
        }
        return identifier
    }

    /// A platform's `base_url`, or its default (`defaultURL`).
    mutating func platformBaseURL(
        _ key: ConfigKey, in table: TOMLTable, scope: Scope, default defaultURL: String
    ) -> URL? {
        let fallback = URL(string: defaultURL)
        guard table[key.name] != nil else { return fallback }
        let url = self.httpURL(
            key, in: table, scope: scope, what: "the platform's base http(s) URL (default \(defaultURL))",
            isBaseURL: true)
        return url.map(Self.baseURL)
    }

    /// An account's `headers`: header names (HTTP tokens, each once ignoring case) to one-line
    /// strings.
    private mutating func headers(_ key: ConfigKey, in table: TOMLTable, scope: Scope) -> [String: String] {
        guard
            let headers = self.table(
                key, in: table, scope: scope,
                example: "of header names to strings, e.g. `headers = { Cookie = \"…\" }`")
        else { return [:] }
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

    // MARK: - Values (each read as its key's table declares it)

    /// The value of `key` in `table` as its declared kind, or `nil`: absent (an error when
    /// `required` names what is missing), or of the wrong type or range (an error naming the key,
    /// what its table declares and what was found). Reading a key as another kind than its table
    /// declares is a programming error and stops the process.
    private func declared(_ key: ConfigKey, is kind: String, _ matches: Bool) {
        precondition(matches, "key `\(key.name)` is declared \(key.kind.summary), read as \(kind)")
    }

    /// A string (``ConfigKey/Kind/string``).
    mutating func string(
        _ key: ConfigKey, in table: TOMLTable, scope: Scope, required what: String? = nil
    ) -> String? {
        self.declared(key, is: "a string", key.kind == .string)
        guard let value = table[key.name] else {
            if let what { self.report("missing required key: \(what)", key: key.name, in: scope) }
            return nil
        }
        guard let text = value.string else {
            // A number where a string is expected (a Weibo uid) is a natural slip: say how to write it.
            let hint = value.int.map { " (write it in quotes: \"\($0)\")" } ?? ""
            self.report("expected a string, found \(Self.describe(value))\(hint)", key: key.name, in: scope)
            return nil
        }
        return text
    }

    /// A duration in seconds (``ConfigKey/Kind/duration(_:)``): `"10m"` or a whole number of seconds.
    mutating func duration(_ key: ConfigKey, in table: TOMLTable, scope: Scope) -> TimeInterval? {
        guard case .duration(let range) = key.kind else {
            self.declared(key, is: "a duration", false)
            return nil
        }
        guard let value = table[key.name] else { return nil }
        let seconds: TimeInterval
        if let integer = value.int {
            guard integer >= 0 else {
                self.report("a duration cannot be negative, found \(integer)", key: key.name, in: scope)
                return nil
            }
            seconds = TimeInterval(integer)
        } else if let text = value.string {
            do {
                seconds = try DurationParser.seconds(from: text)
            } catch {
                self.report(error.message, key: key.name, in: scope)
                return nil
            }
        } else if let fraction = value.double, !fraction.isFinite || fraction < 0 {
            self.report(
                "expected \(DurationParser.expectation), found a floating-point number (\(fraction))", key: key.name,
                in: scope)
            return nil
        } else if let fraction = value.double, fraction == fraction.rounded(), fraction < 1e15 {
            self.report(
                "expected \(DurationParser.expectation), found a floating-point number (\(fraction)): write it without "
                    + "the decimal point, as \(Int(fraction)) or \"\(DurationParser.string(from: fraction))\"",
                key: key.name, in: scope)
            return nil
        } else if let fraction = value.double {
            self.report(
                "expected \(DurationParser.expectation), found a floating-point number (\(fraction)); fractions are "
                    + "not accepted: \(DurationParser.wholeUnitsAdvice(seconds: fraction, written: "\(fraction)"))",
                key: key.name, in: scope)
            return nil
        } else {
            self.report(
                "expected \(DurationParser.expectation), found \(Self.describe(value))", key: key.name, in: scope)
            return nil
        }
        if range.upperBound.isFinite, !range.contains(seconds) {
            self.report(
                "expected a duration from \(DurationParser.string(from: range.lowerBound)) to "
                    + "\(DurationParser.string(from: range.upperBound)), found \(DurationParser.string(from: seconds))",
                key: key.name, in: scope)
            return nil
        }
        guard seconds >= range.lowerBound else {
            let found = DurationParser.string(from: seconds)
            let least =
                range.lowerBound > 0 ? "at least \(DurationParser.string(from: range.lowerBound))" : "not negative"
            self.report("expected a duration of \(least), found \(found)", key: key.name, in: scope)
            return nil
        }
        return seconds
    }

    /// A whole number (``ConfigKey/Kind/integer(_:)``).
    mutating func integer(_ key: ConfigKey, in table: TOMLTable, scope: Scope) -> Int? {
        guard case .integer(let range) = key.kind else {
            self.declared(key, is: "an integer", false)
            return nil
        }
        guard let value = table[key.name] else { return nil }
        guard let integer = value.int else {
            self.report("expected an integer, found \(Self.describe(value))", key: key.name, in: scope)
            return nil
        }
        guard range.contains(integer) else {
            self.report(
                "expected an integer from \(range.lowerBound) to \(range.upperBound), found \(integer)",
                key: key.name,
                in: scope
            )
            return nil
        }
        return integer
    }

    /// A fraction (``ConfigKey/Kind/fraction(_:)``): an integer or floating-point number.
    mutating func fraction(_ key: ConfigKey, in table: TOMLTable, scope: Scope) -> Double? {
        guard case .fraction(let range) = key.kind else {
            self.declared(key, is: "a fraction", false)
            return nil
        }
        guard let value = table[key.name] else { return nil }
        guard let number = value.double ?? value.int.map(Double.init) else {
            self.report("expected a number, found \(Self.describe(value))", key: key.name, in: scope)
            return nil
        }
        guard range.contains(number) else {
            self.report(
                "expected a fraction from \(range.lowerBound) to \(range.upperBound) (0.1 means ±10%), found \(number)",
                key: key.name,
                in: scope
            )
            return nil
        }
        return number
    }

    /// A size in bytes (``ConfigKey/Kind/byteSize(_:)``): `"8MiB"` or a whole number of bytes.
    mutating func byteSize(_ key: ConfigKey, in table: TOMLTable, scope: Scope) -> Int? {
        guard case .byteSize(let range) = key.kind else {
            self.declared(key, is: "a size", false)
            return nil
        }
        guard let value = table[key.name] else { return nil }
        let bytes: Int
        if let integer = value.int {
            guard integer >= 0 else {
                self.report("a size cannot be negative, found \(integer)", key: key.name, in: scope)
                return nil
            }
            bytes = integer
        } else if let text = value.string {
            do {
                bytes = try ByteSizeParser.bytes(from: text)
            } catch {
                self.report(error.message, key: key.name, in: scope)
                return nil
            }
        } else {
            self.report(
                "expected \(ByteSizeParser.expectation), found \(Self.describe(value))", key: key.name, in: scope)
            return nil
        }
        guard range.contains(bytes) else {
            self.report(
                "expected a size from \(ByteSizeParser.string(from: range.lowerBound)) to "
                    + "\(ByteSizeParser.string(from: range.upperBound)), found \(ByteSizeParser.string(from: bytes))",
                key: key.name,
                in: scope
            )
            return nil
        }
        return bytes
    }

    /// `true` or `false` (``ConfigKey/Kind/boolean``).
    mutating func boolean(_ key: ConfigKey, in table: TOMLTable, scope: Scope) -> Bool? {
        self.declared(key, is: "a boolean", key.kind == .boolean)
        guard let value = table[key.name] else { return nil }
        guard let flag = value.bool else {
            self.report("expected true or false, found \(Self.describe(value))", key: key.name, in: scope)
            return nil
        }
        return flag
    }

    /// A filesystem path (``ConfigKey/Kind/path(_:)``); a relative path resolves against the config
    /// file's folder.
    mutating func path(_ key: ConfigKey, in table: TOMLTable, scope: Scope) -> URL? {
        guard case .path(let pathKind) = key.kind else {
            self.declared(key, is: "a path", false)
            return nil
        }
        guard let value = table[key.name] else { return nil }
        guard let text = value.string else {
            self.report("expected a path, found \(Self.describe(value))", key: key.name, in: scope)
            return nil
        }
        let isDirectory = pathKind == .folder
        if let problem = Self.problem(ofPath: text, kind: pathKind) {
            self.report(problem, key: key.name, in: scope)
            return nil
        }
        let url = self.resolvedPath(text, isDirectory: isDirectory)
        self.paths.append(
            PathReference(key: key.name, scope: scope, url: url))
        return url
    }

    /// What is wrong with `text` as a path of that kind, or `nil` when nothing is.
    static func problem(ofPath text: String, kind: ConfigKey.PathKind) -> String? {
        if text.isEmpty {
            return "expected a path, found an empty string"
        } else if text.hasPrefix("~") {
            let example = kind == .folder ? "/home/me/palimpsest" : "/home/me/palimpsest/file"
            return "`~` is not expanded: write the full path, e.g. \"\(example)\", found \(Self.quote(text))"
        } else if text.contains("\0") {
            return "a path cannot contain a NUL character"
        } else if kind == .file, text.hasSuffix("/") {
            return "expected the path of a file, found a folder \(Self.quote(text))"
        }
        return nil
    }

    /// `text`, a path checked by the caller, as an absolute file URL: relative paths resolve against
    /// the config file's folder.
    func resolvedPath(_ text: String, isDirectory: Bool = false) -> URL {
        let folder = self.file.deletingLastPathComponent()
        let url =
            text.hasPrefix("/")
            ? URL(fileURLWithPath: text, isDirectory: isDirectory)
            : folder.appendingPathComponent(text, isDirectory: isDirectory)
        return url.standardizedFileURL
    }

    /// A list of strings (``ConfigKey/Kind/strings(_:)``); `nil`, with an error naming the first
    /// element of another type, when it is not one. `nonEmpty` refuses `[]`.
    mutating func strings(
        _ key: ConfigKey, in table: TOMLTable, scope: Scope, nonEmpty: Bool = false
    ) -> [String]? {
        guard case .strings(let elements) = key.kind else {
            self.declared(key, is: "a list of strings", false)
            return nil
        }
        guard let value = table[key.name] else { return nil }
        guard let array = value.array, !(nonEmpty && array.isEmpty) else {
            let what = nonEmpty ? "a non-empty list of \(elements)" : "a list of \(elements)"
            self.report("expected \(what), found \(Self.describe(value))", key: key.name, in: scope)
            return nil
        }
        var strings: [String] = []
        for element in array {
            guard let text = element.string else {
                self.report(
                    "expected a list of \(elements), found \(Self.describe(element)) in it", key: key.name, in: scope)
                return nil
            }
            strings.append(text)
        }
        return strings
    }

    /// A table (``ConfigKey/Kind/table(_:)``). The error on another type says how to write it,
    /// `(write \`[digest.smtp]\`)`, or `example` when given (an inline table: `of …, e.g. …,`).
    mutating func table(
        _ key: ConfigKey, in table: TOMLTable, scope: Scope, example: String? = nil
    ) -> TOMLTable? {
        guard case .table = key.kind else {
            self.declared(key, is: "a table", false)
            return nil
        }
        guard let value = table[key.name] else { return nil }
        guard let inner = value.table else {
            let header = ([scope.keyPrefix].compactMap { $0 } + [key.name]).joined(separator: ".")
            let hint = example ?? "(write `[\(header)]`)"
            self.report("expected a table \(hint), found \(Self.describe(value))", key: key.name, in: scope)
            return nil
        }
        return inner
    }

    /// An array of tables (``ConfigKey/Kind/tables(_:)``), its elements for the caller to check
    /// (each must be a table). `header` is how the file writes one element, `[[account]]` for
    /// `element` `account`, or an inline example (`[{ contains = "…" }]`).
    mutating func tables(
        _ key: ConfigKey, in table: TOMLTable, scope: Scope, header: String, element: String
    ) -> TOMLArray? {
        guard case .tables(let kindText) = key.kind else {
            self.declared(key, is: "an array of tables", false)
            return nil
        }
        guard let value = table[key.name] else { return nil }
        let what = ("aeiou".contains(kindText.first ?? "x") ? "an " : "a ") + kindText
        guard let array = value.array else {
            if value.table != nil, header.hasPrefix("[[") {
                self.report(
                    "expected \(what): write `\(header)` (double brackets) before each \(element)", key: key.name,
                    in: scope)
            } else if header.hasPrefix("[[") {
                self.report(
                    "expected \(what) (`\(header)`), found \(Self.describe(value))", key: key.name, in: scope)
            } else {
                self.report(
                    "expected \(what) such as \(header), found \(Self.describe(value))", key: key.name, in: scope)
            }
            return nil
        }
        return array
    }

    /// Reports every key of `table` that `section` does not declare, with a did-you-mean.
    mutating func reportUnknownKeys(of table: TOMLTable, in section: ConfigSection, scope: Scope) {
        for key in table.keys where !section.names.contains(key) {
            self.reportUnknown(key, in: section, scope: scope)
        }
    }

    /// A `User-Agent` value: a string on one line, not blank.
    mutating func userAgent(_ key: ConfigKey, in table: TOMLTable, scope: Scope) -> String? {
        guard let text = self.string(key, in: table, scope: scope) else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty,
            !text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" })
        else {
            self.report("expected a non-empty User-Agent on one line", key: key.name, in: scope)
            return nil
        }
        return text
    }

    /// A proxy URL as written, or `""` (no proxy).
    mutating func proxy(_ key: ConfigKey, in table: TOMLTable, scope: Scope) -> String? {
        guard let text = self.string(key, in: table, scope: scope) else { return nil }
        guard !text.isEmpty else { return "" }
        let expected =
            "expected a proxy URL such as \"socks5h://127.0.0.1:9050\" or \"http://proxy.example:3128\" "
            + "(schemes: \(Self.proxySchemes.map { "\($0)://" }.joined(separator: ", ")))"
        let shown = Self.quote(Self.redactingPassword(text))
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else {
            self.report("\(expected), found \(shown)", key: key.name, in: scope)
            return nil
        }
        if let problem = Self.problem(ofPort: components.port) {
            self.report("\(expected), found \(shown) (\(problem))", key: key.name, in: scope)
            return nil
        }
        guard Self.proxySchemes.contains(scheme) else {
            let hint = scheme == "socks5" ? " (use socks5h:// so host names resolve through the proxy)" : ""
            self.report("\(expected), found \(shown)\(hint)", key: key.name, in: scope)
            return nil
        }
        return text
    }

    /// A required absolute `http`/`https` URL with a host and no user or password; a base URL
    /// also has no query or fragment.
    mutating func httpURL(
        _ key: ConfigKey, in table: TOMLTable, scope: Scope, what: String, isBaseURL: Bool = false
    ) -> URL? {
        guard let text = self.string(key, in: table, scope: scope, required: what) else { return nil }
        let key = key.name
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            self.report("expected \(what), found \(Self.quote(text))", key: key, in: scope)
            return nil
        }
        if let problem = Self.problem(ofPort: url.port) {
            self.report("expected \(what), found \(Self.quote(text)) (\(problem))", key: key, in: scope)
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

    mutating func report(_ message: String, key: String?, in scope: Scope = .topLevel) {
        var error = self.location(key: key, in: scope)
        error.message = message
        self.errors.append(error)
    }

    /// Where `key` of `scope` is: the file, the line and column of the key (else of its table), the
    /// account, and the dotted key; the message is empty.
    func location(key: String?, in scope: Scope) -> ConfigError {
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
        // A table written as an array of tables (`[[daemon]]`) is in the map as its first element.
        if let key, scope.mapPrefix == nil, !key.contains(".") { mapPaths.append("\(key)#1") }
        let sourceMap = self.sourceMap
        let position = mapPaths.lazy.compactMap { sourceMap.position(of: $0) }.first
        return ConfigError(
            file: self.file.path,
            line: position?.line,
            column: position?.column,
            accountIndex: scope.accountIndex,
            accountName: scope.accountName,
            sinkIndex: scope.sinkIndex,
            sinkName: scope.sinkName,
            key: fullKey,
            message: ""
        )
    }

    /// An unknown key of `section`, with the closest accepted key when one is near.
    mutating func reportUnknown(_ key: String, in section: ConfigSection, scope: Scope) {
        self.reportUnknown(key, accepted: section.names, what: section.title, in: scope)
    }

    private mutating func reportUnknown(_ key: String, accepted: [String], what: String, in scope: Scope) {
        let suggestion = Self.suggestion(for: key, among: accepted).map { " (did you mean `\($0)`?)" } ?? ""
        self.report("unknown key\(suggestion); accepted \(what): \(Self.list(accepted))", key: key, in: scope)
    }

    /// The accepted key `key` is most likely a typo of: within two edits, and not a rewrite of the
    /// whole key (`x` is not a typo of `to`); `nil` when none is that near.
    static func suggestion(for key: String, among accepted: [String]) -> String? {
        accepted.min { Self.editDistance(key, $0) < Self.editDistance(key, $1) }
            .flatMap { candidate in
                let distance = Self.editDistance(key, candidate)
                return distance <= 2 && distance < key.count ? candidate : nil
            }
    }

    // MARK: - Helpers

    /// What is wrong with a URL's port, or `nil` when it has none or one from 1 to 65535.
    static func problem(ofPort port: Int?) -> String? {
        guard let port, !(1...65_535).contains(port) else { return nil }
        return "port \(port) is not from 1 to 65535"
    }

    /// `https://example.social/` → `https://example.social`: adapters append `/api/v1/…`.
    static func baseURL(_ url: URL) -> URL {
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
        let a = Array(a.lowercased())
        let b = Array(b.lowercased())
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
