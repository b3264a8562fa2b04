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

    // MARK: - Document

    mutating func read(_ root: TOMLTable) -> PalimpsestConfig {
        for key in root.keys where !ConfigSections.topLevel.names.contains(key) {
            self.reportUnknown(key, in: ConfigSections.topLevel, scope: .topLevel)
        }
        var daemon = DaemonSettings()
        if let value = root["daemon"] {
            if let table = value.table {
                daemon = DaemonSettings(reading: table, with: &self)
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
                digest = DigestSettings(reading: table, stateDirectory: daemon.stateDirectory, with: &self)
            } else {
                self.report("expected a table (write `[digest]`), found \(Self.describe(value))", key: "digest")
            }
        }
        var config = PalimpsestConfig(file: self.file, daemon: daemon, accounts: accounts, digest: digest)
        if let value = root["evidence"] {
            if let table = value.table {
                config.evidence = EvidenceSettings(reading: table, stateDirectory: daemon.stateDirectory, with: &self)
            } else {
                self.report("expected a table (write `[evidence]`), found \(Self.describe(value))", key: "evidence")
            }
        }
        self.readAlerting(root, into: &config)
        return config
    }

    // MARK: - [[alert]], [alarms], [feed_out] (each read by its settings type)

    private mutating func readAlerting(_ root: TOMLTable, into config: inout PalimpsestConfig) {
        if let value = root["alert"] {
            if let array = value.array {
                for (offset, element) in array.enumerated() {
                    let scope = Scope(keyPrefix: "alert", mapPrefix: "alert#\(offset + 1)")
                    guard let table = element.table else {
                        self.report("expected a table, found \(Self.describe(element))", key: nil, in: scope)
                        continue
                    }
                    guard
                        let sink = AlertSink(
                            reading: table, index: offset + 1, config: config, with: &self, in: scope)
                    else { continue }
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
                config.alarms.update(reading: table, with: &self)
            } else {
                self.report("expected a table (write `[alarms]`), found \(Self.describe(value))", key: "alarms")
            }
        }
        if let value = root["feed_out"] {
            if let table = value.table {
                config.feedOut = FeedOutSettings(reading: table, with: &self)
            } else {
                self.report("expected a table (write `[feed_out]`), found \(Self.describe(value))", key: "feed_out")
            }
        }
    }

    /// A list of strings; `nil` (and an error on a wrong type) when it cannot be read.
    mutating func readStrings(_ table: TOMLTable, _ key: String, in scope: Scope) -> [String]? {
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

    // MARK: - [[account]]

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
        if let platform {
            let platformKeys = PlatformSources.source(of: platform)?.keys.names ?? []
            let accepted = ConfigSections.account.names + platformKeys
            for key in table.keys where !accepted.contains(key) {
                if let owner = PlatformSources.all.first(where: { $0.keys.names.contains(key) })?.platform {
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
        if let platform, let source = PlatformSources.source(of: platform) {
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

    /// Shapes of platform identifiers.
    enum IdentifierPattern {
        case digits, blueskyActor, telegramChannel

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
                    && (text.hasPrefix("did:") || text.contains("."))
            }
        }
    }

    /// A required identifier string (a leading `@` is dropped), checked against `pattern`.
    mutating func readIdentifier(
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

    /// `base_url`, or the platform's default (`defaultURL`).
    mutating func readPlatformBaseURL(_ table: TOMLTable, default defaultURL: String, in scope: Scope) -> URL? {
        let fallback = URL(string: defaultURL)
        guard table["base_url"] != nil else { return fallback }
        let url = self.readHTTPURL(
            table, "base_url", what: "the platform's base http(s) URL (default \(defaultURL))",
            isBaseURL: true, in: scope)
        return url.map(Self.baseURL)
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
    mutating func readString(
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

    mutating func readDuration(
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

    mutating func readInt(_ table: TOMLTable, _ key: String, range: ClosedRange<Int>, in scope: Scope) -> Int? {
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

    mutating func readFraction(
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

    mutating func readByteSize(
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
    mutating func readPath(_ table: TOMLTable, _ key: String, isDirectory: Bool, in scope: Scope) -> URL? {
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
        self.paths.append(PathReference(key: key, scope: scope, url: resolved))
        return resolved
    }

    mutating func readUserAgent(_ table: TOMLTable, in scope: Scope) -> String? {
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
    mutating func readProxy(_ table: TOMLTable, in scope: Scope) -> String? {
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
    mutating func readHTTPURL(
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

    mutating func report(_ message: String, key: String?, in scope: Scope = .topLevel) {
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

    /// An unknown key of `section`, with the closest accepted key when one is near.
    mutating func reportUnknown(_ key: String, in section: ConfigSection, scope: Scope) {
        self.reportUnknown(key, accepted: section.names, what: section.title, in: scope)
    }

    private mutating func reportUnknown(_ key: String, accepted: [String], what: String, in scope: Scope) {
        let suggestion =
            accepted.min { Self.editDistance(key, $0) < Self.editDistance(key, $1) }
            .flatMap { Self.editDistance(key, $0) <= 2 ? " (did you mean `\($0)`?)" : nil } ?? ""
        self.report("unknown key\(suggestion); accepted \(what): \(Self.list(accepted))", key: key, in: scope)
    }

    // MARK: - Helpers

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
