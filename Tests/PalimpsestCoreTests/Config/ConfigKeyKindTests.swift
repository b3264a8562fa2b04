import Foundation
import Testing

@testable import PalimpsestCore

/// Every key of every table is read as its ``ConfigKey/kind`` declares: a value of another TOML
/// type is an error naming the key, a value outside the declared range is an error, and the ends
/// of the range are accepted. The key tables are the one source of types and ranges for the
/// reader, `check-config --keys` and the docs.
@Suite struct ConfigKeyKindTests {
    /// Where the keys of one section are written: the TOML header and the other lines a valid table
    /// of that section needs (they may depend on the key under test: an alert's `to` needs
    /// `type = "email"`).
    struct Placement: CustomTestStringConvertible {
        var section: ConfigSection
        /// `[daemon]`, `[[account]]`, or `nil` for the top level.
        var header: String?
        /// The dotted prefix error keys carry, e.g. `daemon.`.
        var keyPrefix: String
        /// The lines the table needs besides the key under test, as `(key, TOML value)`.
        var lines: @Sendable (String) -> [(String, String)]
        /// Text after the table (other tables the section needs).
        var after: String = ""

        var testDescription: String { self.section.title }

        /// The config with `key = value` in this section, everything else valid.
        func document(_ key: String, _ value: String) -> String {
            let lines = self.lines(key).filter { $0.0 != key } + [(key, value)]
            let body = lines.map { "\($0.0) = \($0.1)" }.joined(separator: "\n")
            return [self.header, body, self.after].compactMap { $0 }.joined(separator: "\n") + "\n"
        }
    }

    /// A valid source of each platform: the keys its table requires.
    static let platformSamples: [String: [(String, String)]] = [
        "feed": [("url", #""https://example.org/feed.xml""#)],
        "mastodon": [("instance", #""https://example.social""#), ("acct", #""user""#)],
        "weibo": [("uid", #""1195230310""#)],
        "bluesky": [("actor", #""bsky.app""#)],
        "telegram": [("channel", #""durov""#)],
        "url": [("url", #""https://example.org/page""#)],
    ]

    static let smtpLines: [(String, String)] = [
        ("url", #""smtp://mail.example.org""#), ("from", #""digest@example.org""#),
        ("to", #"["desk@example.org"]"#),
    ]

    static var placements: [Placement] {
        var placements = [
            Placement(section: ConfigSections.topLevel, header: nil, keyPrefix: "", lines: { _ in [] }),
            Placement(section: ConfigSections.daemon, header: "[daemon]", keyPrefix: "daemon.", lines: { _ in [] }),
            Placement(
                section: ConfigSections.account, header: "[[account]]", keyPrefix: "account.",
                lines: { _ in [("platform", #""feed""#)] + (Self.platformSamples["feed"] ?? []) }),
            Placement(section: ConfigSections.digest, header: "[digest]", keyPrefix: "digest.", lines: { _ in [] }),
            Placement(
                section: ConfigSections.smtp, header: "[digest.smtp]", keyPrefix: "digest.smtp.",
                lines: { _ in Self.smtpLines }),
            Placement(
                section: ConfigSections.alert, header: "[[alert]]", keyPrefix: "alert.",
                lines: { key in
                    switch key {
                    case "urls", "urls_file": return [("type", #""apprise""#), ("urls", #"["json://localhost"]"#)]
                    case "to": return [("type", #""email""#)]
                    default:
                        return [
                            ("type", #""webhook""#), ("url", #""https://example.org/hook""#),
                            ("secret_file", #""/etc/palimpsest/hook.secret""#),
                        ]
                    }
                },
                after: "[digest.smtp]\n"
                    + Self.smtpLines.map { "\($0.0) = \($0.1)" }.joined(separator: "\n")),
            Placement(section: ConfigSections.alarms, header: "[alarms]", keyPrefix: "alarms.", lines: { _ in [] }),
            Placement(
                section: ConfigSections.massDeletion, header: "[alarms.mass_deletion]",
                keyPrefix: "alarms.mass_deletion.", lines: { _ in [] }),
            Placement(
                section: ConfigSections.feedOut, header: "[feed_out]", keyPrefix: "feed_out.",
                lines: { _ in [("path", #""/var/lib/palimpsest/public/deletions.atom""#)] }),
            Placement(
                section: ConfigSections.evidence, header: "[evidence]", keyPrefix: "evidence.", lines: { _ in [] }),
        ]
        let platformSections = ConfigKeyTables.all.filter { $0.name.hasPrefix("account.") }
        for table in platformSections {
            let platform = String(table.name.dropFirst("account.".count))
            let lines = [("platform", "\"\(platform)\"")] + (Self.platformSamples[platform] ?? [])
            for section in table.sections {
                placements.append(
                    Placement(section: section, header: "[[account]]", keyPrefix: "account.", lines: { _ in lines }))
            }
        }
        return placements
    }

    /// The problems `parse` reports for `text`.
    static func problems(_ text: String) -> [ConfigError] { configProblems(text) }

    /// A TOML value of another type than `kind` takes.
    static func wrongTypes(for kind: ConfigKey.Kind) -> [String] {
        switch kind {
        case .string, .path: return ["5", "[]"]
        case .integer: return [#""many""#, "1.5"]
        case .fraction: return [#""a tenth""#, "true"]
        case .duration, .byteSize: return ["true", "[]"]
        case .boolean: return [#""yes""#, "1"]
        case .strings: return ["5", #""one""#, "[5]"]
        case .table, .tables: return ["5", #""x""#]
        }
    }

    /// Values just outside the declared range, and its two ends (inside), as TOML.
    static func bounds(for kind: ConfigKey.Kind) -> (outside: [String], ends: [String]) {
        switch kind {
        case .integer(let range):
            return (
                ["\(range.lowerBound - 1)", "\(range.upperBound + 1)"],
                ["\(range.lowerBound)", "\(range.upperBound)"]
            )
        case .fraction(let range):
            return (
                ["\(range.lowerBound - 0.25)", "\(range.upperBound + 0.25)"],
                ["\(range.lowerBound)", "\(range.upperBound)"]
            )
        case .duration(let range):
            let lower = Int(range.lowerBound)
            guard range.upperBound.isFinite else { return (["\(lower - 1)"], ["\(lower)"]) }
            let upper = Int(range.upperBound)
            return (["\(lower - 1)", "\(upper + 1)"], ["\(lower)", "\(upper)"])
        case .byteSize(let range):
            return (
                ["\(range.lowerBound - 1)", "\(range.upperBound + 1)"],
                ["\(range.lowerBound)", "\(range.upperBound)"]
            )
        case .string, .boolean, .path, .strings, .table, .tables:
            return ([], [])
        }
    }

    @Test func everyPlatformHasASampleSourceForTheseTests() {
        let missing = ConfigKeyTables.all.map(\.name).filter { $0.hasPrefix("account.") }
            .map { String($0.dropFirst("account.".count)) }.filter { Self.platformSamples[$0] == nil }
        #expect(missing.isEmpty, "add a valid sample source of \(missing) to ConfigKeyKindTests.platformSamples")
    }

    @Test func eachPlacementIsValidWithoutTheKeyUnderTest() {
        for placement in Self.placements {
            let document = placement.document("__no_such_key__", "1")
            let errors = Self.problems(document).filter { !$0.message.hasPrefix("unknown key") }
            #expect(errors.isEmpty, "\(placement.section.title): \(errors)\n\(document)")
        }
    }

    @Test(arguments: Self.placements)
    func aValueOfTheWrongTypeIsAnErrorNamingTheKey(_ placement: Placement) {
        for key in placement.section.keys {
            for value in Self.wrongTypes(for: key.kind) {
                let document = placement.document(key.name, value)
                let errors = Self.problems(document).filter { $0.key == placement.keyPrefix + key.name }
                #expect(
                    errors.contains { $0.message.hasPrefix("expected") && $0.message.contains("found") },
                    "\(placement.keyPrefix + key.name) = \(value) (\(key.type)): \(errors.map(\.message))")
            }
        }
    }

    @Test(arguments: Self.placements)
    func aValueOutsideTheDeclaredRangeIsAnErrorAndItsEndsAreAccepted(_ placement: Placement) {
        for key in placement.section.keys {
            let (outside, ends) = Self.bounds(for: key.kind)
            for value in outside {
                let errors = Self.problems(placement.document(key.name, value))
                    .filter { $0.key == placement.keyPrefix + key.name }
                #expect(!errors.isEmpty, "\(placement.keyPrefix + key.name) = \(value) accepted; declared \(key.type)")
            }
            for value in ends {
                let errors = Self.problems(placement.document(key.name, value))
                #expect(errors.isEmpty, "\(placement.keyPrefix + key.name) = \(value) (\(key.type)): \(errors)")
            }
        }
    }

    /// The TOML literal a key's documented default starts with (`` `"10m"` (600 s) `` → `"10m"`),
    /// or `nil` when the default is prose or a placeholder (`none`, `` `<state_dir>/…` ``).
    static func documentedLiteral(of key: ConfigKey) -> String? {
        let parts = key.defaultValue.split(separator: "`", omittingEmptySubsequences: false)
        guard key.defaultValue.hasPrefix("`"), parts.count >= 3 else { return nil }
        let literal = String(parts[1])
        let isTOMLLiteral =
            (literal.count >= 2 && literal.hasPrefix("\"") && literal.hasSuffix("\"")) || Double(literal) != nil
            || literal == "true" || literal == "false"
        guard isTOMLLiteral, !literal.contains("<") else { return nil }
        return literal
    }

    @Test(arguments: Self.placements)
    func writingADocumentedDefaultChangesNothing(_ placement: Placement) throws {
        var withoutKey = try ConfigLoader.parse(
            placement.document("__none__", "1").replacingOccurrences(of: "__none__ = 1\n", with: ""),
            file: URL(fileURLWithPath: "/etc/palimpsest/palimpsest.toml"))
        withoutKey.sourceText = nil
        for key in placement.section.keys {
            guard let literal = Self.documentedLiteral(of: key) else { continue }
            var written = try ConfigLoader.parse(
                placement.document(key.name, literal), file: URL(fileURLWithPath: "/etc/palimpsest/palimpsest.toml"))
            written.sourceText = nil  // the text differs by the line written; the settings must not
            #expect(
                written == withoutKey,
                "\(placement.keyPrefix + key.name): the docs say the default is \(literal), the reader's differs")
        }
    }

    @Test func theDocsTypeColumnShowsTheDeclaredRange() {
        let daemon = ConfigSections.daemon
        #expect(daemon["concurrency"].type == "integer, 1 to 1024")
        #expect(daemon["interval"].type == "duration, 30s to 7d")
        #expect(daemon["timeout"].type == "duration, 1s to 1h")
        #expect(ConfigSections.evidence["checkpoint_interval"].type == "duration, 1m to 7d")
        #expect(daemon["max_body_size"].type == "size, 1 KiB to 1 GiB")
        #expect(daemon["jitter"].type == "number, 0 to 0.5")
        #expect(ConfigSections.smtp["to"].type == "list of addresses, required")
        #expect(ConfigSections.alert["max_age"].type == "duration, 1m to 30d")
    }
}
