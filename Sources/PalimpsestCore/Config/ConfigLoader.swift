public import Foundation
import TOMLKit

/// Finds, reads and validates the TOML config file.
///
/// Format and every key: `docs/configuration.md`; a commented example: `Config/palimpsest.toml`.
/// Unknown keys are errors, and every problem of a file is reported at once.
public enum ConfigLoader {
    /// Where the config is read from when neither `--config` nor `$PALIMPSEST_CONFIG` says otherwise.
    public static let defaultPath = "/etc/palimpsest/palimpsest.toml"
    /// The environment variable naming the config file.
    public static let environmentVariable = "PALIMPSEST_CONFIG"

    /// Chooses the config file: `explicit` (the `--config` option) if given, else
    /// `$PALIMPSEST_CONFIG`, else ``defaultPath``. Empty values count as absent. A relative path
    /// resolves against the current directory.
    ///
    /// - Parameters:
    ///   - explicit: The path given on the command line, if any.
    ///   - environment: The process environment (injectable for tests).
    /// - Returns: An absolute file URL.
    public static func resolvePath(
        explicit: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        let path =
            [explicit, environment[Self.environmentVariable]].compactMap { $0 }.first { !$0.isEmpty }
            ?? Self.defaultPath
        return URL(fileURLWithPath: path).standardizedFileURL
    }

    /// Where the config file at `url` puts `state_dir`, read as leniently as possible, for when the
    /// file does not load (`status` and `tail` then look there for the daemon's running config):
    /// `[daemon] state_dir` from the TOML when it parses, else from a `state_dir = "…"` line of
    /// the `[daemon]` table, else the default `/var/lib/palimpsest`. A relative path resolves
    /// against the file's folder, as in a valid config.
    /// - Parameter url: The config file (maybe invalid, maybe missing).
    /// - Returns: The state folder the file most likely names.
    public static func stateDirectoryHint(for url: URL) -> URL {
        let file = url.absoluteURL.standardizedFileURL
        let folder = file.deletingLastPathComponent()
        func resolve(_ path: String) -> URL {
            (path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path))
                .standardizedFileURL
        }
        let fallback = DaemonSettings.defaultStateDirectory.standardizedFileURL
        guard let data = try? Data(contentsOf: file), let text = String(data: data, encoding: .utf8) else {
            return fallback
        }
        if Self.lineWithTooManyKeyParts(text) == nil,
            let path = try? TOMLDocument.withRoot(of: text, { $0["daemon"]?.table?["state_dir"]?.string ?? "" })
        {
            return path.isEmpty ? fallback : resolve(path)
        }
        var table = ""
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") {
                table = trimmed.trimmingCharacters(in: CharacterSet(charactersIn: "[] \t"))
                continue
            }
            guard table == "daemon", trimmed.hasPrefix("state_dir") else { continue }
            let value = trimmed.dropFirst("state_dir".count).drop { $0 == " " || $0 == "\t" }
            guard value.first == "=" else { continue }
            let quoted = value.dropFirst().trimmingCharacters(in: .whitespaces)
            guard let quote = quoted.first, quote == "\"" || quote == "'" else { continue }
            let body = quoted.dropFirst()
            guard let end = body.firstIndex(of: quote), end > body.startIndex else { continue }
            return resolve(String(body[..<end]))
        }
        return fallback
    }

    /// Reads and validates the config file at `url`.
    ///
    /// - Parameter url: The config file (see ``resolvePath(explicit:environment:)``).
    /// - Returns: The validated config.
    /// - Throws: ``ConfigValidationError`` with at least one ``ConfigError``: the file is missing,
    ///   a folder, unreadable or not UTF-8; a TOML syntax error (with line and column); or every
    ///   validation problem found.
    public static func load(from url: URL) throws(ConfigValidationError) -> PalimpsestConfig {
        let file = url.absoluteURL.standardizedFileURL
        func failure(_ message: String) -> ConfigValidationError {
            ConfigValidationError(errors: [ConfigError(file: file.path, message: message)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory) else {
            throw failure(
                "no such file; create it (a commented example of every key is /etc/palimpsest/palimpsest.toml.example "
                    + "after `make install`, Config/palimpsest.toml in the source tree), or name another file with "
                    + "--config PATH or $\(Self.environmentVariable)"
            )
        }
        guard !isDirectory.boolValue else {
            throw failure("this is a folder; --config and $\(Self.environmentVariable) must name the TOML file")
        }
        if let kind = try? FileManager.default.attributesOfItem(atPath: file.path)[.type] as? FileAttributeType,
            kind != .typeRegular
        {
            // A device or a FIFO: reading /dev/null gives an empty config, a FIFO can block forever.
            throw failure(
                "this is not a regular file (\(kind.rawValue)); --config and $\(Self.environmentVariable) must name "
                    + "the TOML file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw failure(
                "cannot read the file (\(error.localizedDescription)); check its permissions "
                    + "for the user the daemon runs as"
            )
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw failure("the file is not valid UTF-8; save it as UTF-8")
        }
        return try Self.parse(text, file: file)
    }

    /// Whether `text` holds the bytes `\u0000` or `\U0000` (either case of `u`), the start of
    /// both escapes of NUL: a scan of the bytes, so that the regular expression that finds the
    /// escape exactly runs only on a text that may hold one (a config of 100,000 accounts is
    /// 9.6 MB).
    static func mayEscapeNUL(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= 6 else { return false }
            var index = 0
            while index <= bytes.count - 6 {
                if bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] | 0x20 == UInt8(ascii: "u"),
                    bytes[index + 2] == UInt8(ascii: "0"), bytes[index + 3] == UInt8(ascii: "0"),
                    bytes[index + 4] == UInt8(ascii: "0"), bytes[index + 5] == UInt8(ascii: "0")
                {
                    return true
                }
                index += 1
            }
            return false
        }
    }

    /// Validates config text as if read from `file`.
    ///
    /// - Parameters:
    ///   - text: The TOML document (a leading UTF-8 byte order mark is ignored).
    ///   - file: The file the text stands for: named in errors, and relative paths in the config
    ///     (`state_dir`, `deletion_log`) resolve against its folder.
    /// - Returns: The validated config.
    /// - Throws: ``ConfigValidationError`` with a TOML syntax error (with line and column) or every
    ///   validation problem found, in file order.
    /// The most dotted parts a key or table name may have (`[account.headers]` has two). toml++
    /// (TOMLKit) reads a dotted key recursively: one of 30,000 parts overflowed its stack and
    /// stopped the process, a running daemon included when it reloaded such a file. Values are
    /// bounded by toml++ itself (256 nested arrays or tables).
    static let maximumKeyParts = 256

    /// The first line (1-based) whose key or table name, before any quote, has more than
    /// ``maximumKeyParts`` dotted parts; `nil` when none has. A byte scan of each line up to its
    /// `=`, its closing `]` or a quote (a dot inside a quoted part or a value does not count).
    static func lineWithTooManyKeyParts(_ text: String) -> Int? {
        var line = 1
        var dots = 0
        var inKey = true
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                dots = 0
                inKey = true
            case UInt8(ascii: "."):
                guard inKey else { continue }
                dots += 1
                if dots >= Self.maximumKeyParts { return line }
            case UInt8(ascii: "="), UInt8(ascii: "]"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "#"):
                inKey = false
            default:
                continue
            }
        }
        return nil
    }

    public static func parse(_ text: String, file: URL) throws(ConfigValidationError) -> PalimpsestConfig {
        let file = file.absoluteURL.standardizedFileURL
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        // Searched byte by byte: a search by `Character` took a tenth of loading a config of
        // 100,000 accounts.
        if let offset = text.utf8.firstIndex(of: 0) {
            let line = text.utf8[..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            throw ConfigValidationError(errors: [
                ConfigError(
                    file: file.path,
                    line: line,
                    message: "the file contains a NUL character; is it really TOML?"
                )
            ])
        }
        // TOMLKit hands strings over as C strings: an escaped NUL would cut the value short silently
        // (a feed URL, a header value). Refuse it where it is written.
        if Self.mayEscapeNUL(text), let range = text.range(of: #"\\u0000|\\U00000000"#, options: .regularExpression) {
            let line = text[..<range.lowerBound].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            throw ConfigValidationError(errors: [
                ConfigError(
                    file: file.path,
                    line: line,
                    message: "a NUL character (\(text[range])) cannot be in a config value: it would cut the text "
                        + "short; remove it"
                )
            ])
        }
        if let line = Self.lineWithTooManyKeyParts(text) {
            throw ConfigValidationError(errors: [
                ConfigError(
                    file: file.path, line: line,
                    message: "a key or table name of more than \(Self.maximumKeyParts) dotted parts; no config needs "
                        + "that many (the TOML reader would overflow its stack): is it really this file?")
            ])
        }
        var reader = ConfigReader(file: file, sourceMap: ConfigSourceMap(text: text))
        var config: PalimpsestConfig
        do {
            config = try TOMLDocument.withRoot(of: text) { reader.read($0) }
        } catch let error as TOMLParseError {
            throw ConfigValidationError(errors: [
                ConfigError(
                    file: file.path,
                    line: error.source.begin.line,
                    column: error.source.begin.column,
                    message: "TOML syntax error: \(error.description)"
                        + Self.unquotedQuantityHint(text, line: error.source.begin.line)
                )
            ])
        } catch {
            throw ConfigValidationError(errors: [
                ConfigError(file: file.path, message: "TOML syntax error: \(error)")
            ])
        }
        config.sourceText = text
        config.pathReferences = reader.paths
        guard reader.errors.isEmpty else {
            // Stable sort: file order, problems without a line last.
            let sorted = reader.errors.enumerated().sorted { a, b in
                (a.element.line ?? .max, a.element.column ?? 0, a.offset)
                    < (b.element.line ?? .max, b.element.column ?? 0, b.offset)
            }
            throw ConfigValidationError(errors: sorted.map(\.element))
        }
        return config
    }

    /// A hint for a syntax error on a line whose value is a number with a unit, unquoted
    /// (`interval = 10m`): durations and sizes are strings. Empty for any other line.
    /// - Parameters:
    ///   - text: the config file's text.
    ///   - line: the error's line, 1-based.
    static func unquotedQuantityHint(_ text: String, line: Int) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count, let equals = lines[line - 1].firstIndex(of: "=") else { return "" }
        let value = lines[line - 1][lines[line - 1].index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard let first = value.first, first.isNumber,
            value.prefix(while: { $0 != "#" }).contains(where: \.isLetter)
        else { return "" }
        let key = lines[line - 1][..<equals].trimmingCharacters(in: .whitespaces)
        let quoted = value.prefix(while: { $0 != "#" && $0 != " " })
        return "; a duration or a size is a string in quotes: \(key) = \"\(quoted)\""
    }
}
