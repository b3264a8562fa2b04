import Crypto
import Foundation
import Logging
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import ServiceLifecycle
import Synchronization
import Testing

/// Records notifications instead of sending them.
final class RecordingNotifier: ServiceManagerNotifying {
    private let sent = Mutex<[String]>([])

    @discardableResult
    func notify(_ assignments: String) -> Bool {
        self.sent.withLock { $0.append(assignments) }
        return true
    }

    var messages: [String] { self.sent.withLock { $0 } }

    func count(of message: String) -> Int { self.messages.filter { $0 == message }.count }

    func waitFor(timeout: Duration = .seconds(10), _ predicate: (String) -> Bool) async -> Bool {
        await waitUntil(timeout: timeout) { self.messages.contains(where: predicate) }
    }
}

/// The daemon in process: reload rules and the watchdog's view of a hung poll.
@Suite(.awaitedCleanup) struct MonitorDaemonTests {
    final class Fixture: Sendable {
        let root: URL
        let config: URL
        let server: ReplayServer

        init() async throws {
            self.root = FileManager.default.temporaryDirectory.appendingPathComponent(
                "palimpsest-daemon-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: self.root, withIntermediateDirectories: true)
            self.config = self.root.appendingPathComponent("palimpsest.toml")
            self.server = ReplayServer()
            try await self.server.start()
        }

        /// Writes a config watching `feeds` (paths on the replay server), with `daemon` lines added.
        func write(feeds: [(path: String, interval: String)], daemon: String = "") throws {
            var text = "[daemon]\nstate_dir = \"state\"\njitter = 0\n\(daemon)\n"
            for feed in feeds {
                text += """

                    [[account]]
                    platform = "feed"
                    url = "\(self.server.url(feed.path).absoluteString)"
                    interval = "\(feed.interval)"

                    """
            }
            try Data(text.utf8).write(to: self.config)
        }

        func key(_ path: String) -> AccountKey {
            AccountKey(rawValue: "feed:" + self.server.url(path).absoluteString)
        }

        func close() async {
            await self.server.stop()
            try? FileManager.default.removeItem(at: self.root)
        }
    }

    private func daemon(
        _ fixture: Fixture, notifier: RecordingNotifier, watchdog: Duration? = nil, stallLimit: Duration? = nil,
        statusInterval: Duration = .milliseconds(50), clock: (any TimerClock)? = nil
    ) async throws -> (MonitorDaemon, MonitorRuntime) {
        let config = try ConfigLoader.load(from: fixture.config)
        let runtime = try MonitorRuntime(config: config, logger: Logger(label: "test"))
        let daemon = await MonitorDaemon.prepare(
            config: config, runtime: runtime, notifier: notifier, watchdogInterval: watchdog,
            statusInterval: statusInterval, logger: Logger(label: "test"), stallLimit: stallLimit,
            now: clock?.date ?? Date(), clock: clock ?? ContinuousClock())
        return (daemon, runtime)
    }

    @Test func anInvalidReloadKeepsTheOldConfigRunning() async throws {
        let fixture = try await Fixture()
        atEnd { await fixture.close() }
        try fixture.write(feeds: [("/a.xml", "10m"), ("/b.xml", "10m")])
        let notifier = RecordingNotifier()
        let (daemon, runtime) = try await self.daemon(fixture, notifier: notifier)
        defer { runtime.shutdown() }

        try Data("[daemon]\nstate_dir = \"state\"\nconcurrency = \"many\"\n".utf8).write(to: fixture.config)
        let outcome = await daemon.reload()
        guard case .rejected(let reason) = outcome else {
            Issue.record("an invalid config was not rejected: \(outcome)")
            return
        }
        #expect(reason.contains("key `daemon.concurrency`: expected an integer, found a string (\"many\")"))
        #expect(daemon.watchedKeys == [fixture.key("/a.xml"), fixture.key("/b.xml")])
        #expect(daemon.config.accounts.count == 2)
        #expect(daemon.status.reloadError == reason)
        // systemd hears RELOADING then READY, whatever the outcome, or `systemctl reload` hangs.
        let sent = notifier.messages
        #expect(sent.count == 2)
        #expect(sent.first?.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") == true)
        #expect(sent.last?.hasPrefix("READY=1\nSTATUS=watching 2 accounts;") == true)
        #expect(sent.last?.hasSuffix("; last reload rejected (see the log)") == true)
    }

    @Test func aReloadAddsRemovesAndChangesAccountsKeepingTheirData() async throws {
        let fixture = try await Fixture()
        atEnd { await fixture.close() }
        try fixture.write(feeds: [("/a.xml", "10m"), ("/b.xml", "10m")])
        let notifier = RecordingNotifier()
        let (daemon, runtime) = try await self.daemon(fixture, notifier: notifier)
        defer { runtime.shutdown() }
        let bState = try runtime.stateStore.loadState(of: fixture.key("/b.xml"))

        try fixture.write(feeds: [("/a.xml", "5m"), ("/c.xml", "10m")])
        let outcome = await daemon.reload()
        var expected = MonitorService.Changes()
        expected.added = [fixture.key("/c.xml")]
        expected.removed = [fixture.key("/b.xml")]
        expected.changed = [fixture.key("/a.xml")]
        #expect(outcome == .applied(expected))
        #expect(daemon.watchedKeys == [fixture.key("/a.xml"), fixture.key("/c.xml")])
        #expect(daemon.status.accounts.map(\.interval) == [300, 600])
        #expect(daemon.status.reloadError == nil)
        #expect(try runtime.stateStore.loadState(of: fixture.key("/b.xml")) == bState, "b's state is kept")
        #expect(notifier.messages.last?.hasPrefix("READY=1\nSTATUS=watching 2 accounts;") == true)
    }

    @Test func aReloadThatMovesTheStateOrTheLogIsRejected() async throws {
        let fixture = try await Fixture()
        atEnd { await fixture.close() }
        try fixture.write(feeds: [("/a.xml", "10m")])
        let (daemon, runtime) = try await self.daemon(fixture, notifier: RecordingNotifier())
        defer { runtime.shutdown() }

        try fixture.write(feeds: [("/a.xml", "10m"), ("/b.xml", "10m")], daemon: "deletion_log = \"elsewhere.jsonl\"")
        let outcome = await daemon.reload()
        guard case .rejected(let reason) = outcome else {
            Issue.record("moving the deletion log was applied live: \(outcome)")
            return
        }
        #expect(reason.contains("deletion_log changed from"))
        #expect(reason.contains("restart the daemon"))
        #expect(daemon.watchedKeys == [fixture.key("/a.xml")])
    }

    @Test func aReloadThatLeavesTheShardEmptyIsRejected() async throws {
        let fixture = try await Fixture()
        atEnd { await fixture.close() }
        try fixture.write(feeds: [("/a.xml", "10m")])
        let (daemon, runtime) = try await self.daemon(fixture, notifier: RecordingNotifier())
        defer { runtime.shutdown() }
        let key = fixture.key("/a.xml")
        let other = AccountShard.shardIndex(of: key, count: 2) == 1 ? 2 : 1
        try fixture.write(feeds: [("/a.xml", "10m")], daemon: "shard = \"\(other)/2\"")
        let outcome = await daemon.reload()
        guard case .rejected(let reason) = outcome else {
            Issue.record("a shard without accounts was applied: \(outcome)")
            return
        }
        #expect(reason.contains("leaves this instance none of the accounts (the config has 1)"))
        #expect(daemon.watchedKeys == [key])
    }

    /// logrotate renames the log, then reloads: the daemon reopens it, the new file is created and
    /// its first line chains from the old file's last line, even when the new config is invalid.
    @Test func aReloadReopensTheDeletionLogAfterRotation() async throws {
        let fixture = try await Fixture()
        atEnd { await fixture.close() }
        try fixture.write(feeds: [("/a.xml", "10m")])
        let (daemon, runtime) = try await self.daemon(fixture, notifier: RecordingNotifier())
        defer { runtime.shutdown() }
        let key = fixture.key("/a.xml")
        let first = try runtime.log.append([
            Event(id: "e1", detectedAt: Date(), event: .deleted, platform: .feed, account: key)
        ])
        #expect(first.first?.seq == 1)
        let url = runtime.log.url
        let rotated = url.appendingPathExtension("1")
        try FileManager.default.moveItem(at: url, to: rotated)
        try Data("[daemon]\nbroken = true\n".utf8).write(to: fixture.config)

        #expect(await daemon.reload() != .ignored)
        #expect(FileManager.default.fileExists(atPath: url.path))
        #expect(try Data(contentsOf: url).isEmpty)
        let oldLastLine = try #require(
            String(decoding: Data(contentsOf: rotated), as: UTF8.self).split(separator: "\n").last)
        let second = try runtime.log.append([
            Event(id: "e2", detectedAt: Date(), event: .deleted, platform: .feed, account: key)
        ])
        #expect(second.first?.seq == 2)
        #expect(
            second.first?.prev == SHA256.hash(data: Data(oldLastLine.utf8)).map { String(format: "%02x", $0) }.joined())
    }

    /// A daemon stopped while a poll waits for a slow answer, past its drain time, cancels the
    /// poll: the cancelled request is not a failure of the account, so nothing is recorded for it
    /// (no `blind` event, no blind span, no last poll), as a stopped daemon logs no blind span.
    @Test func aPollCancelledByShutdownRecordsNothing() async throws {
        let fixture = try await Fixture()
        atEnd { await fixture.close() }
        let feed = IntegrationHarness.fixtures.appendingPathComponent("feeds/github_releases_atom.xml")
        var slow = try ReplayResponse.file(feed, contentType: "application/atom+xml")
        slow.delay = 120.0  // far past the bound below, so a loaded machine cannot blur the two
        fixture.server.script("/slow.xml", [slow])
        try fixture.write(feeds: [("/slow.xml", "10m")])
        let (daemon, runtime) = try await self.daemon(fixture, notifier: RecordingNotifier())
        defer { runtime.shutdown() }
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: daemon)], logger: Logger(label: "test"))
        configuration.maximumGracefulShutdownDuration = .milliseconds(200)
        let group = ServiceGroup(configuration: configuration)
        let running = Task { try await group.run() }

        await eventually("the slow feed is requested", timeout: .seconds(5)) { !fixture.server.requests().isEmpty }
        let stopAsked = ContinuousClock.now
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        #expect(ContinuousClock.now - stopAsked < .seconds(60), "the stop waited for the slow answer")

        let key = fixture.key("/slow.xml")
        let logURL = runtime.log.url
        let events = FileManager.default.fileExists(atPath: logURL.path) ? try DeletionLog.readEvents(at: logURL) : []
        #expect(events.isEmpty, "a cancelled poll logged: \(events.map(\.event))")
        let state = try runtime.stateStore.accountStore(for: key).loadState(AccountState.self)
        #expect(state?.detection.blindSpan == nil)
        #expect(state?.lastPoll == nil)
        #expect(daemon.status.accounts.first?.blind == nil)
    }

    /// The watchdog must catch a hang, not prove a timer runs: while a poll's request makes no
    /// progress past the stall limit, no WATCHDOG=1 goes out; pings resume when it completes.
    /// The daemon's timers and its heartbeat run on a manual clock the test advances.
    @Test func watchdogPingsStopWhileAPollHangsAndResumeAfter() async throws {
        let fixture = try await Fixture()
        atEnd { await fixture.close() }
        let feed = IntegrationHarness.fixtures.appendingPathComponent("feeds/github_releases_atom.xml")
        var slow = try ReplayResponse.file(feed, contentType: "application/atom+xml")
        // The request hangs until the test ends it (the server stops): however loaded the machine,
        // the hang outlasts the test's looks, which take no time on the manual clock.
        slow.delay = 600
        fixture.server.script("/slow.xml", [slow])
        // An HTTP timeout (real time) longer than the test, so that only the test ends the request.
        try fixture.write(feeds: [("/slow.xml", "10m")], daemon: "timeout = \"10m\"")
        let notifier = RecordingNotifier()
        let clock = ManualClock(start: Date())
        let (daemon, runtime) = try await self.daemon(
            fixture, notifier: notifier, watchdog: .milliseconds(50), stallLimit: .milliseconds(300),
            statusInterval: .seconds(3_600), clock: clock)
        defer { runtime.shutdown() }
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: daemon)], logger: Logger(label: "test")))
        let running = Task { try await group.run() }

        /// Moves the clock on and waits until the watchdog has looked again and sleeps (its 50 ms
        /// sleep is the earliest deadline on the clock).
        func advance(by duration: Duration) async {
            clock.advance(by: duration)
            await eventually("the watchdog looks and sleeps again") { clock.nextDeadline == .milliseconds(50) }
        }

        #expect(await notifier.waitFor { $0.hasPrefix("READY=1") })
        // The request arrives at once (first poll due at start) and hangs.
        await eventually("the slow feed is requested", timeout: .seconds(5)) { !fixture.server.requests().isEmpty }
        await eventually("the watchdog sleeps") { clock.nextDeadline == .milliseconds(50) }
        let pingsAtStart = notifier.count(of: "WATCHDOG=1")
        await advance(by: .milliseconds(50))
        #expect(notifier.count(of: "WATCHDOG=1") == pingsAtStart + 1, "pings within the stall limit")
        // Past the stall limit (300 ms) with no progress: no ping, however often the watchdog looks.
        await advance(by: .milliseconds(300))
        let pingsWhileHung = notifier.count(of: "WATCHDOG=1")
        #expect(pingsWhileHung == pingsAtStart + 1, "a ping went out past the stall limit")
        for _ in 1...3 { await advance(by: .milliseconds(50)) }
        #expect(notifier.count(of: "WATCHDOG=1") == pingsWhileHung, "pings went on during a hung poll")
        #expect(daemon.status.accounts.first?.lastPoll == nil, "the answer came before the hang was seen")
        // The hung request ends (the server goes away); the poll finishes, blind; pings resume at the
        // watchdog's next look.
        await fixture.server.stop()
        await eventually("the poll is recorded", timeout: .seconds(15)) {
            daemon.status.accounts.first?.lastPoll != nil
        }
        #expect(daemon.status.accounts.first?.lastPoll?.outcome == "blind")
        await advance(by: .milliseconds(50))
        #expect(notifier.count(of: "WATCHDOG=1") == pingsWhileHung + 1, "pings did not resume")

        await group.triggerGracefulShutdown()
        try await running.value
        #expect(notifier.messages.contains { $0.hasPrefix("STOPPING=1") })
        #expect(daemon.status.phase == .stopped)
    }
}
