import Foundation
import Logging
import PalimpsestCore
import PalimpsestTestSupport
import Subprocess
import Testing

/// After a rejected reload the daemon still runs its last good config; `status` and `tail` work
/// from it (kept in `state_dir/running-config.json`) and say so, instead of stopping at the
/// invalid file.
@Suite(.serialized, .awaitedCleanup) struct RunningConfigTests {
    @Test func theDaemonKeepsEveryConfigItAcceptsAndNoneItRejects() async throws {
        let fixture = try await MonitorDaemonTests.Fixture()
        atEnd { await fixture.close() }
        try fixture.write(feeds: [("/a.xml", "10m")])
        let config = try ConfigLoader.load(from: fixture.config)
        let runtime = try MonitorRuntime(config: config, logger: Logger(label: "test"))
        defer { runtime.shutdown() }
        let daemon = await MonitorDaemon.prepare(
            config: config, runtime: runtime, notifier: RecordingNotifier(), watchdogInterval: nil,
            logger: Logger(label: "test"))
        let state = config.daemon.stateDirectory

        let first = try #require(try RunningConfig.read(stateDirectory: state))
        #expect(first.configFile == fixture.config.path)
        #expect(try first.config().accounts.map(\.key) == [fixture.key("/a.xml")])

        try Data("[daemon]\nstate_dir = \"state\"\ninterval = 5\n".utf8).write(to: fixture.config)
        guard case .rejected = await daemon.reload() else {
            Issue.record("an invalid config was applied")
            return
        }
        #expect(try RunningConfig.read(stateDirectory: state) == first)

        try fixture.write(feeds: [("/a.xml", "10m"), ("/b.xml", "5m")])
        guard case .applied = await daemon.reload() else {
            Issue.record("a valid config was rejected")
            return
        }
        let second = try #require(try RunningConfig.read(stateDirectory: state))
        #expect(try second.config().accounts.map(\.key) == [fixture.key("/a.xml"), fixture.key("/b.xml")])
        #expect(second.acceptedAt >= first.acceptedAt)
    }

    @Test func statusAndTailShowWhatTheDaemonRunsWhenTheFileIsInvalid() async throws {
        let binary = try DaemonProcessTests.binary()
        let fixture = try await MonitorDaemonTests.Fixture()
        atEnd { await fixture.close() }
        try fixture.write(feeds: [("/a.xml", "10m")])
        let config = try ConfigLoader.load(from: fixture.config)
        // This test process is "the daemon": it holds the lock and writes status.json.
        let lock = try StateDirectoryLock.acquire(stateDirectory: config.daemon.stateDirectory, purpose: "test")
        defer { withExtendedLifetime(lock) {} }
        let runtime = try MonitorRuntime(config: config, logger: Logger(label: "test"))
        defer { runtime.shutdown() }
        let daemon = await MonitorDaemon.prepare(
            config: config, runtime: runtime, notifier: RecordingNotifier(), watchdogInterval: nil,
            logger: Logger(label: "test"))
        var event = Event(
            id: "e1", detectedAt: Date(), event: .deleted, platform: .feed, account: fixture.key("/a.xml"))
        event.postID = "p1"
        event.text = "a deleted post"
        _ = try runtime.log.append([event])

        // An edit with a mistake; the reload is rejected and the old config keeps running.
        try Data("[daemon]\nstate_dir = \"state\"\ninterval = 5\n".utf8).write(to: fixture.config)
        guard case .rejected = await daemon.reload() else {
            Issue.record("an invalid config was applied")
            return
        }

        let status = try await Subprocess.run(
            .path(binary), arguments: ["status", "--config", fixture.config.path],
            environment: .inherit.updating(["NOTIFY_SOCKET": nil]), output: .string(limit: 1 << 20),
            error: .string(limit: 1 << 16))
        #expect(status.terminationStatus == .exited(0), "\(status.standardError)")
        let text = status.standardOutput
        #expect(text.contains("daemon: running"))
        #expect(text.contains("last reload rejected: "))
        #expect(text.contains("expected a duration from 30s to 7d, found 5s"))
        #expect(text.contains("invalid on disk (1 problem, first: "))
        #expect(text.contains("shown: the config the daemon runs, accepted "))
        #expect(text.contains(fixture.key("/a.xml").rawValue))
        #expect(text.contains("events      1 in the last 7 days"))
        #expect(status.standardError.contains("palimpsest status: \(fixture.config.path) is invalid"))
        #expect(status.standardError.contains("using the config the daemon runs"))

        // Even a file that is no longer TOML: its state_dir line still leads to the running config.
        try Data("[daemon]\nstate_dir = \"state\"\ninterval = = 5\n".utf8).write(to: fixture.config)
        let tail = try await Subprocess.run(
            .path(binary), arguments: ["tail", "--config", fixture.config.path],
            environment: .inherit.updating(["NOTIFY_SOCKET": nil]), output: .string(limit: 1 << 20),
            error: .string(limit: 1 << 16))
        #expect(tail.terminationStatus == .exited(0), "\(tail.standardError)")
        #expect(tail.standardOutput.contains("「a deleted post」"))
        #expect(tail.standardError.contains("palimpsest tail: \(fixture.config.path) is invalid"))
        #expect(tail.standardError.contains("TOML syntax error"))

        // Another config file (not the one the daemon runs) gets no fallback: exit 78 as before.
        let other = fixture.root.appendingPathComponent("other.toml")
        try Data("[daemon]\nstate_dir = \"state\"\ninterval = 5\n".utf8).write(to: other)
        let refused = try await Subprocess.run(
            .path(binary), arguments: ["status", "--config", other.path], output: .discarded,
            error: .string(limit: 1 << 16))
        #expect(refused.terminationStatus == .exited(78))
    }
}
