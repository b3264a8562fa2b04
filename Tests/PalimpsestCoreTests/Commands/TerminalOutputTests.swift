import Foundation
import PalimpsestCore
import PalimpsestTestSupport
import Subprocess
import Testing

/// Account names (and anything else from a config or a platform) with control or bidirectional
/// characters never reach the operator's terminal as they are: `check-config`, `poll`, `status`
/// and `tail` pass every line through one sanitiser (``TerminalText``).
@Suite(.serialized) struct TerminalOutputTests {
    /// An escape sequence that would turn the terminal red and clear the line, and a right-to-left
    /// override that would show "cod.exe" backwards.
    static let hostileName = "News\u{1B}[31m\u{1B}[2K red \u{202E}exe.doc\u{202C} end"
    static let forbidden: [Unicode.Scalar] = ["\u{1B}", "\u{202E}", "\u{202C}"]

    static func isClean(_ text: String) -> Bool {
        !text.unicodeScalars.contains { Self.forbidden.contains($0) }
    }

    static func run(_ arguments: [String]) async throws -> (status: TerminationStatus, out: String, err: String) {
        let result = try await Subprocess.run(
            .path(try DaemonProcessTests.binary()), arguments: Arguments(arguments),
            environment: .inherit.updating(["NOTIFY_SOCKET": nil, "JOURNAL_STREAM": nil]),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        return (result.terminationStatus, result.standardOutput, result.standardError)
    }

    @Test func checkConfigPollAndStatusPrintNamesWithoutControlOrBidiCharacters() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let config = folder.appendingPathComponent("palimpsest.toml")
        // Port 9 on loopback: nothing listens, the poll is blind at once.
        let toml = """
            [daemon]
            state_dir = "state"
            interval = "10m"
            connect_timeout = "1s"

            [[account]]
            platform = "feed"
            name = "\(Self.hostileName.unicodeScalars.map { $0.value < 0x20 ? String(format: "\\u%04X", $0.value) : String($0) }.joined())"
            url = "http://127.0.0.1:9/feed.xml"
            """
        try Data(toml.utf8).write(to: config)

        let check = try await Self.run(["check-config", "--config", config.path])
        #expect(check.status == .exited(0), "\(check.err)")
        #expect(Self.isClean(check.out) && Self.isClean(check.err))
        #expect(check.out.contains("name      News[31m[2K red exe.doc end"))

        let poll = try await Self.run(["poll", "--config", config.path, "--log-level", "error"])
        #expect(poll.status == .exited(0), "\(poll.err)")
        #expect(Self.isClean(poll.out) && Self.isClean(poll.err))
        #expect(poll.out.contains("News[31m[2K red exe.doc end: blind: "))
        #expect(poll.out.contains("; 1 event"))
        // The blind event it logged carries the name: tail shows it clean too, its hidden characters
        // as markers (as the digest shows them), cut to 40 columns.
        let tail = try await Self.run(["tail", "--config", config.path])
        #expect(Self.isClean(tail.out) && Self.isClean(tail.err))
        #expect(tail.out.contains("blind  News[U+001B][31m[U+001B][2K red [U+202E]…  since "))
        // --json keeps the exact text for jq (JSON escapes the controls; the override stays).
        let json = try await Self.run(["tail", "--json", "--config", config.path])
        #expect(json.out.contains("\\u001b[31m"))

        let status = try await Self.run(["status", "--config", config.path])
        #expect(status.status == .exited(0), "\(status.err)")
        #expect(Self.isClean(status.out) && Self.isClean(status.err))
        #expect(status.out.contains("\"News[31m[2K red exe.doc end\""))

        // A config error quoting the name: clean as well.
        try Data((toml + "\ninterval = \"1.5h\"\n").utf8).write(to: config)
        let invalid = try await Self.run(["check-config", "--config", config.path])
        #expect(invalid.status == .exited(78))
        #expect(Self.isClean(invalid.err))
        #expect(invalid.err.contains("account #1 (\"News[31m[2K red exe.doc end\"): key `interval`"))
    }

    @Test func theDigestAndTheTerminalShareOneTable() {
        for scalar in Self.forbidden + ["\u{0}", "\u{7F}", "\u{85}", "\u{2066}", "\u{FEFF}"] {
            #expect(TerminalText.hiddenKind(of: scalar) != nil, "U+\(String(scalar.value, radix: 16))")
            #expect(TerminalText.safe("a\(scalar)b") == "ab")
        }
        #expect(TerminalText.hiddenKind(of: "\u{200F}") == .directionMark)
        #expect(TerminalText.safe("a\tb\nc  d") == "a\tb\nc  d")
        #expect(TerminalText.singleLine("a\u{1B}[31mb\nc") == "a[31mb⏎c")
    }
}
