import Foundation
import GRDB
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import Subprocess
import SystemPackage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `palimpsest run` as systemd sees it: a child process with its own notify socket, the
/// watchdog on, reloaded with SIGHUP and stopped with SIGTERM, polling feeds from a replay server.
@Suite(.serialized) struct DaemonProcessTests {
    /// The `palimpsest` binary built beside the test bundle (`swift build --build-tests` builds both).
    static func binary() throws -> FilePath {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "palimpsest"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                    ".build/debug/palimpsest"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw DaemonTestError("no palimpsest binary at \(candidates.map(\.path)); run `swift build --build-tests`")
        }
        return FilePath(found.path)
    }

    struct DaemonTestError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A scratch folder with a short path (the notify socket's path must fit in 108 bytes).
    final class Scratch: Sendable {
        let root: URL
        let config: URL
        let state: URL
        let socket: String

        init() throws {
            self.root = URL(fileURLWithPath: "/tmp/pd-\(UInt32.random(in: 0...UInt32.max))")
            try FileManager.default.createDirectory(at: self.root, withIntermediateDirectories: true)
            self.config = self.root.appendingPathComponent("palimpsest.toml")
            self.state = self.root.appendingPathComponent("state")
            self.socket = self.root.appendingPathComponent("notify.sock").path
        }

        func writeConfig(_ server: ReplayServer, feeds: [String], extra: String = "") throws {
            var text = """
                [daemon]
                state_dir = "state"
                interval = "30s"
                jitter = 0
                \(extra)

                """
            for feed in feeds {
                text += """

                    [[account]]
                    platform = "feed"
                    name = "Feed \(feed)"
                    url = "\(server.url("/\(feed).xml").absoluteString)"

                    """
            }
            try Data(text.utf8).write(to: self.config)
        }

        func remove() { try? FileManager.default.removeItem(at: self.root) }
    }

    static func startServer() async throws -> ReplayServer {
        let server = ReplayServer()
        try await server.start()
        let fixtures = IntegrationHarness.fixtures.appendingPathComponent("feeds")
        server.script(
            "/a.xml",
            [
                try .file(
                    fixtures.appendingPathComponent("github_releases_atom.xml"), contentType: "application/atom+xml")
            ])
        server.script(
            "/b.xml",
            [
                try .file(
                    fixtures.appendingPathComponent("rsshub_twitter_ArknightsStaff_snapshot0.xml"),
                    contentType: "application/rss+xml")
            ])
        return server
    }

    static func waitForRequest(_ server: ReplayServer, path: String, timeout: Duration = .seconds(20)) async -> Bool {
        await waitUntil(timeout: timeout) { server.requests().contains(where: { $0.path == path }) }
    }

    @Test func notifiesReadyStatusWatchdogReloadsAndStopsCleanly() async throws {
        let binary = try Self.binary()
        let scratch = try Scratch()
        defer { scratch.remove() }
        let server = try await Self.startServer()
        try scratch.writeConfig(server, feeds: ["a"])
        let listener = try NotifySocketListener(path: scratch.socket)
        defer { listener.shutdown() }

        let result = try await Subprocess.run(
            .path(binary),
            arguments: ["run", "--config", scratch.config.path, "--drain-timeout", "10"],
            environment: .inherit.updating([
                "NOTIFY_SOCKET": scratch.socket, "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": nil,
                "JOURNAL_STREAM": nil,
            ]),
            input: .none,
            output: .discarded,
            error: .string(limit: 1 << 20)
        ) { execution -> String? in
            await stopChild(execution) { try await Self.superviseDaemon(execution, server, scratch, listener, binary) }
        }
        let stderr = result.standardError
        if let failure = result.closureResult {
            Issue.record("\(failure)\n--- daemon stderr ---\n\(stderr)")
        }
        #expect(result.terminationStatus == TerminationStatus.exited(0), "daemon stderr:\n\(stderr)")
        #expect(stderr.contains("reload rejected: the config has problems; still running the previous config"))
        #expect(stderr.contains(" problems=1"))
        #expect(stderr.contains("key `daemon.interval`: expected a duration from 30s to 7d, found 5s"))

        // Everything written: status.json says stopped with both accounts; no event left pending.
        let status = try #require(try DaemonStatus.read(stateDirectory: scratch.state))
        #expect(status.phase == .stopped)
        #expect(status.accounts.map(\.name) == ["Feed a", "Feed b"])
        #expect(status.accounts.allSatisfy { $0.lastPoll?.outcome == "complete" })
        #expect(status.reloadError?.contains("from 30s to 7d") == true)
        let store = try StateStore(root: scratch.state)
        for entry in status.accounts {
            let state = try #require(try store.accountStore(for: entry.account).loadState(AccountState.self))
            #expect(state.pendingEvents.isEmpty)
            #expect(state.lastPoll?.outcome == "complete")
        }
        // The lock went with the process.
        #expect(StateDirectoryLock.holder(of: scratch.state) == nil)
        await server.stop()
    }

    /// An upgrade of the store's schema copies its largest tables before READY=1, minutes for a
    /// large store, past systemd's start timeout (5 min): the daemon asks for an hour first.
    @Test func anUpgradeOfTheStoreAsksSystemdForTimeBeforeReady() async throws {
        let binary = try Self.binary()
        let scratch = try Scratch()
        defer { scratch.remove() }
        let server = try await Self.startServer()
        try scratch.writeConfig(server, feeds: ["a"])
        _ = try StateStore(root: scratch.state)
        // The store's writer thread closes the database (a last checkpoint) after the store is
        // gone: wait for its lock rather than fail on it.
        var waiting = Configuration()
        waiting.busyMode = .timeout(30)
        try await DatabaseQueue(
            path: scratch.state.appendingPathComponent("state.sqlite").path, configuration: waiting
        ).write { db in
            try db.execute(sql: "PRAGMA user_version = 4")
        }
        #expect(StateStore.storedSchemaVersion(root: scratch.state) == 4)
        let listener = try NotifySocketListener(path: scratch.socket)
        defer { listener.shutdown() }

        let result = try await Subprocess.run(
            .path(binary),
            arguments: ["run", "--config", scratch.config.path, "--drain-timeout", "10"],
            environment: .inherit.updating(["NOTIFY_SOCKET": scratch.socket, "JOURNAL_STREAM": nil]),
            input: .none,
            output: .discarded,
            error: .string(limit: 1 << 20)
        ) { execution -> String? in
            await stopChild(execution) {
                guard let ready = await listener.waitFor({ $0.notifyFields["READY"] == "1" }) else {
                    return "no READY=1; received \(listener.messages)"
                }
                guard
                    let extend = listener.messages.firstIndex(where: {
                        $0.notifyFields["EXTEND_TIMEOUT_USEC"] == "3600000000"
                    }), extend < ready
                else { return "no EXTEND_TIMEOUT_USEC before READY=1; received \(listener.messages)" }
                try execution.send(signal: .terminate)
                return nil
            }
        }
        if let failure = result.closureResult {
            Issue.record("\(failure)\n--- daemon stderr ---\n\(result.standardError)")
        }
        #expect(result.terminationStatus == TerminationStatus.exited(0), "\(result.standardError)")
        #expect(result.standardError.contains("upgrading the state store before starting"))
        #expect(StateStore.storedSchemaVersion(root: scratch.state) == StateStore.schemaVersion)
        await server.stop()
    }

    /// The steps of ``notifiesReadyStatusWatchdogReloadsAndStopsCleanly()`` while the daemon runs,
    /// ending with SIGTERM; a failure text when a step fails (the daemon is then killed).
    private static func superviseDaemon<Input: InputProtocol, Output: OutputProtocol, Failure: OutputProtocol>(
        _ execution: Execution<Input, Output, Failure>, _ server: ReplayServer, _ scratch: Scratch,
        _ listener: NotifySocketListener,
        _ binary: FilePath
    ) async throws -> String? {
        // READY only once the config is loaded and the state restored, with a STATUS line.
        guard let ready = await listener.waitFor({ $0.notifyFields["READY"] == "1" }) else {
            return "no READY=1; received \(listener.messages)"
        }
        let readyStatus = listener.messages[ready].notifyFields["STATUS"] ?? ""
        guard readyStatus.hasPrefix("watching 1 account;"), readyStatus.contains("events today"),
            readyStatus.contains("blind")
        else { return "READY came without the expected STATUS: \(listener.messages[ready])" }
        // Watchdog pings every half WATCHDOG_USEC while polls progress.
        guard let firstPing = await listener.waitFor(after: ready, { $0 == "WATCHDOG=1" }),
            await listener.waitFor(after: firstPing + 1, { $0 == "WATCHDOG=1" }) != nil
        else { return "fewer than two WATCHDOG=1 after READY: \(listener.messages)" }
        guard await Self.waitForRequest(server, path: "/a.xml") else { return "account a was never polled" }

        // A second daemon on the same state_dir refuses, naming the first one's PID.
        let second = try await Subprocess.run(
            .path(binary), arguments: ["run", "--config", scratch.config.path],
            environment: .inherit.updating(["NOTIFY_SOCKET": nil, "JOURNAL_STREAM": nil]),
            output: .discarded, error: .string(limit: 1 << 16))
        guard second.terminationStatus == .exited(75),
            second.standardError.contains("(PID \(execution.processIdentifier.value))") == true
        else { return "a second daemon was not refused: \(second.terminationStatus) \(second.standardError)" }
        // So does `poll`.
        let poll = try await Subprocess.run(
            .path(binary), arguments: ["poll", "--config", scratch.config.path],
            environment: .inherit.updating(["NOTIFY_SOCKET": nil, "JOURNAL_STREAM": nil]),
            output: .discarded, error: .string(limit: 1 << 16))
        guard poll.terminationStatus == .exited(75) else {
            return "poll ran beside the daemon: \(poll.terminationStatus)"
        }

        // SIGHUP with a second account: RELOADING=1 + MONOTONIC_USEC, then READY=1, and b is polled.
        try scratch.writeConfig(server, feeds: ["a", "b"])
        let beforeReload = listener.messages.count
        try execution.send(signal: .terminalClosed)
        guard let reloading = await listener.waitFor(after: beforeReload, { $0.notifyFields["RELOADING"] == "1" })
        else { return "no RELOADING=1 after SIGHUP: \(listener.messages[beforeReload...])" }
        guard let usec = listener.messages[reloading].notifyFields["MONOTONIC_USEC"].flatMap(UInt64.init), usec > 0
        else { return "RELOADING=1 without MONOTONIC_USEC: \(listener.messages[reloading])" }
        guard let reloaded = await listener.waitFor(after: reloading + 1, { $0.notifyFields["READY"] == "1" })
        else { return "no READY=1 after the reload" }
        guard listener.messages[reloaded].notifyFields["STATUS"]?.hasPrefix("watching 2 accounts;") == true
        else { return "the reload did not take the new account list: \(listener.messages[reloaded])" }
        guard await Self.waitForRequest(server, path: "/b.xml") else {
            return "the added account b was never polled"
        }

        // An invalid config is rejected: RELOADING/READY again, the old config keeps running.
        try Data("[daemon]\ninterval = 5\n".utf8).write(to: scratch.config)
        let beforeBadReload = listener.messages.count
        try execution.send(signal: .terminalClosed)
        guard
            let badReloading = await listener.waitFor(
                after: beforeBadReload, { $0.notifyFields["RELOADING"] == "1" }),
            let rejected = await listener.waitFor(after: badReloading + 1, { $0.notifyFields["READY"] == "1" })
        else { return "no RELOADING/READY around the rejected reload: \(listener.messages[beforeBadReload...])" }
        let rejectedStatus = listener.messages[rejected].notifyFields["STATUS"] ?? ""
        guard rejectedStatus.hasPrefix("watching 2 accounts;"), rejectedStatus.contains("last reload rejected")
        else { return "after a rejected reload: \(listener.messages[rejected])" }
        let afterRejection = listener.messages.count
        guard await listener.waitFor(after: afterRejection, { $0 == "WATCHDOG=1" }) != nil
        else { return "the watchdog stopped after a rejected reload" }

        // SIGTERM: STOPPING=1, then exit 0.
        try execution.send(signal: .terminate)
        guard await listener.waitFor(after: afterRejection, { $0.notifyFields["STOPPING"] == "1" }) != nil
        else { return "no STOPPING=1 after SIGTERM" }
        return nil
    }
}
