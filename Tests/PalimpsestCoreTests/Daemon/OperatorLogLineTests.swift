import Foundation
import PalimpsestTestSupport
import Subprocess
import SystemPackage
import Testing

/// The operator's log line (docs/operating.md, "Watch it"): a constant message, then what varies as
/// `key=value` fields sorted by key, a value with a space in double quotes.
@Suite struct OperatorLogLineTests {
    @Test func aBlindAccountIsOneLineWithTheAccountAndTheFailureAsFields() async throws {
        let folder = try TestFolder.make("log-line")
        defer { TestFolder.remove(folder) }
        // A bound port that refuses every connection: the poll fails at once, the same way each time.
        let refused = try TakenPort(port: 0, listening: false)
        defer { refused.release() }
        let feed = "http://127.0.0.1:\(refused.port)/feed.xml"
        let config = folder.appendingPathComponent("palimpsest.toml")
        try Data(
            """
            [daemon]
            state_dir = "state"

            [[account]]
            platform = "feed"
            name = "Example feed"
            url = "\(feed)"

            """.utf8
        ).write(to: config)
        let result = try await Subprocess.run(
            .path(try DaemonProcessTests.binary()), arguments: ["poll", "--config", config.path],
            environment: .inherit.updating(["JOURNAL_STREAM": "1", "NOTIFY_SOCKET": nil]),
            output: .discarded, error: .string(limit: 1 << 20))
        let lines = result.standardError.split(separator: "\n").map(String.init)
        let blind = try #require(lines.first { $0.hasPrefix("<4>account blind ") }, "stderr: \(lines)")
        #expect(
            blind.hasPrefix(
                "<4>account blind account.key=feed:\(feed) account.name=\"Example feed\" failure=\"connect: "))
        #expect(blind.hasSuffix(" (\(feed))\""))
        let logged = try #require(lines.first { $0.hasPrefix("<5>logged an event ") }, "stderr: \(lines)")
        #expect(logged.contains(" account.key=feed:\(feed) "))
        #expect(logged.contains(" event.type=blind"))
    }
}
