import Foundation
import GRDB
import PalimpsestReplay
import PalimpsestTestSupport
import Subprocess
import SystemPackage
import Testing

@testable import PalimpsestCore

/// `kill -9` of a `palimpsest poll` process at several points of the database path (after some
/// events reached the log, while probes are answered, between a state commit and its log
/// append, between a batch's WARC sync and its transaction), then restarts: no event is lost or
/// logged twice, the log's chain holds, the database passes `PRAGMA integrity_check`, and every
/// evidence row names a WARC record that holds its body.
@Suite(.serialized) struct DatabaseCrashTests {
    /// Where the first poll of the second cycle dies.
    enum KillPoint: Sendable, CustomTestStringConvertible {
        /// SIGKILL from the test once the log holds this many lines.
        case afterLoggedLines(Int)
        /// SIGKILL from the test once the server has received this many probes.
        case afterProbes(Int)
        /// The process kills itself at a fault point (run as `palimpsest-fault-harness <fault> …`).
        case fault(String)

        var testDescription: String {
            switch self {
            case .afterLoggedLines(let count): "after \(count) logged line(s)"
            case .afterProbes(let count): "after \(count) probe(s)"
            case .fault(let name): name
            }
        }
    }

    static let accounts = 16

    /// A feed of `ids` (newest first) for account `index`; post N links to `/f<index>/posts/N`.
    static func feed(_ server: ReplayServer, index: Int, ids: [Int]) -> ReplayResponse {
        let base = server.baseURL.absoluteString
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>Feed \(index)</title><link>\(base)/f\(index)/</link>\
            <description>crash test</description>

            """
        for id in ids {
            xml += """
                <item><title>Post \(id) of feed \(index)</title><link>\(base)/f\(index)/posts/\(id)</link>\
                <guid>\(base)/f\(index)/posts/\(id)</guid><pubDate>Sat, 01 Aug 2026 13:0\(id):00 +0000</pubDate>\
                <description>post \(id) of feed \(index)</description></item>

                """
        }
        xml += "</channel></rss>\n"
        return ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: Data(xml.utf8))
    }

    /// - Parameter probeDelay: seconds before each probe is answered: with one request at a time
    ///   to the host, a cycle then lasts `accounts × probeDelay`, long enough for a kill timed
    ///   from the test to land inside it however busy the machine is.
    static func script(_ server: ReplayServer, ids: [Int], probeDelay: TimeInterval = 0) {
        for index in 0..<Self.accounts {
            server.script("/f\(index).xml", [Self.feed(server, index: index, ids: ids)])
            // The removed post's own URL answers 404.
            server.script(
                "/f\(index)/posts/3",
                [
                    ReplayResponse(
                        status: 404, headers: ["Content-Type": "text/plain"], body: Data("gone".utf8), delay: probeDelay
                    )
                ])
        }
    }

    /// The test-only `palimpsest-fault-harness`, built beside `palimpsest`: the same commands with
    /// one fault point armed (its first argument, e.g. `kill-before-log-append`).
    static func faultHarness() throws -> FilePath {
        let harness = try DaemonProcessTests.binary().removingLastComponent().appending("palimpsest-fault-harness")
        guard FileManager.default.isExecutableFile(atPath: harness.string) else {
            throw DaemonProcessTests.DaemonTestError("no \(harness); run `swift build --build-tests`")
        }
        return harness
    }

    /// Runs `palimpsest poll`, or with `fault` the fault harness's.
    static func poll(
        _ binary: FilePath, config: URL, at minutes: Int, fault: String? = nil
    ) async throws -> (status: TerminationStatus, stderr: String) {
        let arguments = [
            "poll", "--config", config.path, "--now", RFC3339.string(from: IntegrationHarness.time(minutes)),
        ]
        let result = try await Subprocess.run(
            .path(fault == nil ? binary : try Self.faultHarness()),
            arguments: Arguments((fault.map { [$0] } ?? []) + arguments),
            environment: .inherit.updating(["NOTIFY_SOCKET": nil]),
            output: .discarded, error: .string(limit: 1 << 20))
        return (result.terminationStatus, result.standardError)
    }

    /// Runs `poll` and sends it SIGKILL as soon as `condition` holds.
    static func pollKilled(
        _ binary: FilePath, config: URL, at minutes: Int, when condition: @escaping @Sendable () -> Bool
    ) async throws -> (status: TerminationStatus, stderr: String) {
        let result = try await Subprocess.run(
            .path(binary),
            arguments: [
                "poll", "--config", config.path, "--now", RFC3339.string(from: IntegrationHarness.time(minutes)),
            ],
            environment: .inherit.updating(["NOTIFY_SOCKET": nil]),
            input: .none, output: .discarded, error: .string(limit: 1 << 20)
        ) { execution in
            // Checked every 2 ms: the kill lands close to the point the condition names.
            await waitUntil(timeout: .seconds(30), checkingEvery: .milliseconds(2)) { condition() }
            try? execution.send(signal: .kill)
        }
        return (result.terminationStatus, result.standardError)
    }

    static func lineCount(_ url: URL) -> Int {
        guard let data = try? Data(contentsOf: url) else { return 0 }
        return data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    @Test(arguments: [
        KillPoint.afterLoggedLines(1), .afterLoggedLines(6), .afterProbes(4), .fault("kill-before-log-append"),
        .fault("kill-before-store-commit"),
    ])
    func aPollKilledOnTheDatabasePathLosesNoEventAndLogsNoneTwice(_ point: KillPoint) async throws {
        let binary = try DaemonProcessTests.binary()
        let scratch = try DaemonProcessTests.Scratch()
        defer { scratch.remove() }
        let server = ReplayServer()
        try await server.start()
        let feeds = (0..<Self.accounts).map { "f\($0)" }
        try scratch.writeConfig(server, feeds: feeds, extra: "per_host_concurrency = 1")
        let log = scratch.state.appendingPathComponent("deletions.jsonl")

        // A first look at every feed, then post 3 is gone from each and its URL answers 404.
        Self.script(server, ids: [5, 4, 3, 2, 1])
        let first = try await Self.poll(binary, config: scratch.config, at: 0)
        #expect(first.status == .exited(0), "\(first.stderr)")
        Self.script(server, ids: [5, 4, 2, 1], probeDelay: 0.25)
        let killed: (status: TerminationStatus, stderr: String)
        switch point {
        case .afterLoggedLines(let lines):
            killed = try await Self.pollKilled(binary, config: scratch.config, at: 10) {
                Self.lineCount(log) >= lines
            }
        case .afterProbes(let probes):
            killed = try await Self.pollKilled(binary, config: scratch.config, at: 10) {
                server.requests().count { $0.path.hasSuffix("/posts/3") } >= probes
            }
        case .fault(let name):
            killed = try await Self.poll(binary, config: scratch.config, at: 10, fault: name)
        }
        #expect(killed.status == .signaled(SIGKILL), "the poll died by SIGKILL: \(killed.status) \(killed.stderr)")
        let loggedAtKill = Self.lineCount(log)

        // Restart: the next cycle, then one more over the same answers.
        Self.script(server, ids: [5, 4, 2, 1])
        let restarted = try await Self.poll(binary, config: scratch.config, at: 20)
        #expect(restarted.status == .exited(0), "\(restarted.stderr)")
        let quiet = try await Self.poll(binary, config: scratch.config, at: 30)
        #expect(quiet.status == .exited(0), "\(quiet.stderr)")
        await server.stop()

        let events = try DeletionLog.readEvents(at: log)
        #expect(Set(events.map(\.id)).count == events.count, "no event id twice")
        #expect(events.allSatisfy { $0.event == .deleted && $0.postID?.hasSuffix("/posts/3") == true })
        let perAccount = Dictionary(grouping: events, by: \.account).mapValues(\.count)
        #expect(perAccount.count == Self.accounts, "every account's deletion is in the log: \(perAccount)")
        #expect(perAccount.values.allSatisfy { $0 == 1 }, "each deletion once: \(perAccount)")
        #expect(loggedAtKill < Self.accounts, "the kill came before the cycle ended (\(loggedAtKill) lines)")
        let verification = try DeletionLog.verify(at: log)
        #expect(verification.isIntact, "\(verification.problems)")

        let store = try StateStore(root: scratch.state)
        let integrity = try store.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == ["ok"])
        for key in try store.accountKeys() {
            #expect(try store.loadState(of: key)?.pendingEvents.isEmpty == true, "\(key) has no event waiting")
            // Every committed evidence row names a record on disk that holds its body.
            for row in try store.evidenceLocations(of: key) {
                let record = try WARCFiles.read(row.body, root: scratch.state)
                #expect(ContentHash.sha256Hex(record.payload) == row.sha256, "\(key): \(row.record)")
            }
        }
        for event in events {
            for reference in event.evidence {
                let body = try #require(try store.evidenceBody(sha256: reference.sha256), "\(event.id) cites no body")
                #expect(ContentHash.sha256Hex(body) == reference.sha256)
            }
        }
    }
}
