import Foundation
import Logging
import PalimpsestReplay
import PalimpsestTestSupport
import Subprocess
import SystemPackage
import Testing

@testable import PalimpsestCore

/// Alarms and the outbox on the whole poll path: replay server, libcurl client, state store,
/// deletion log and poller; and a real `palimpsest poll` killed between the log append and the
/// outbox.
@Suite(.serialized, .awaitedCleanup) struct AlarmIntegrationTests {
    static func feed(_ base: URL, ids: [Int]) -> ReplayResponse {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>Alarm feed</title><link>\(base)/</link><description>t</description>

            """
        for id in ids {
            xml += """
                <item><title>Post \(id)</title><link>\(base.absoluteString)/posts/\(id)</link>\
                <guid>\(base.absoluteString)/posts/\(id)</guid><pubDate>Sat, 01 Aug 2026 13:0\(id):00 +0000</pubDate>\
                <description>post \(id)</description></item>

                """
        }
        xml += "</channel></rss>\n"
        return ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: Data(xml.utf8))
    }

    @Test func theBlindAlarmIsRaisedAndClearedOnceAcrossA503Spell() async throws {
        let harness = try await IntegrationHarness()
        atEnd { await harness.close() }
        let account = harness.feedAccount(path: "/alarm.xml", name: "Alarm feed")
        let unavailable = ReplayResponse(status: 503, headers: ["Content-Type": "text/plain"], body: Data("busy".utf8))
        harness.server.script(
            "/alarm.xml",
            [Self.feed(harness.server.baseURL, ids: [3, 2, 1])] + Array(repeating: unavailable, count: 9)
                + [Self.feed(harness.server.baseURL, ids: [3, 2, 1])])
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        let log = try DeletionLog(url: harness.logURL)
        var config = PalimpsestConfig(file: harness.root.appendingPathComponent("palimpsest.toml"))
        config.alarms = AlarmSettings(enabled: true, blind: 3600)
        let pipeline = AlertPipeline(
            config: config, store: store, log: log, client: harness.client, logger: Logger(label: "test"))
        let poller = AccountPoller(
            client: harness.client, stateStore: store, log: log, detection: DetectionSettings(), snapshotRetention: 3,
            rateLimits: harness.rateLimits, logger: Logger(label: "test"), afterAppend: pipeline)
        await pipeline.start(now: IntegrationHarness.time(0))
        for step in 0...10 {
            let now = IntegrationHarness.time(step * 10)
            let report = try await poller.poll(account, at: now)
            let view = AlarmInputs.AccountView(
                key: account.key, name: account.name, platform: account.platform, blind: report.blindSpan)
            await pipeline.evaluateAlarms(AlarmInputs(accounts: [view]), now: now)
            // A second evaluation at the same time (the daemon's timer) adds nothing.
            await pipeline.evaluateAlarms(AlarmInputs(accounts: [view]), now: now)
        }
        let alarms = try harness.loggedEvents().filter { $0.event == .alarm }
        #expect(alarms.map { $0.alarm?.state } == [.raised, .cleared])
        let raised = try #require(alarms.first)
        #expect(raised.alarm?.kind == .blind)
        #expect(raised.account == account.key)
        #expect(raised.alarm?.since == IntegrationHarness.time(10))
        #expect(raised.detectedAt == IntegrationHarness.time(70), "the first poll 1h after the span opened")
        #expect(alarms.last?.detectedAt == IntegrationHarness.time(100))
        #expect(try DeletionLogSet.read(url: harness.logURL).isChainIntact)
    }

    @Test func theProbeHostAlarmIsRaisedAndClearedOnceAcrossASpellOfInconclusiveProbes() async throws {
        let harness = try await IntegrationHarness()
        atEnd { await harness.close() }
        let account = harness.feedAccount(path: "/probed.xml", name: "Probed feed")
        let base = harness.server.baseURL
        harness.server.script("/probed.xml", [Self.feed(base, ids: [3, 2, 1]), Self.feed(base, ids: [3, 1])])
        let unavailable = ReplayResponse(status: 503, headers: ["Content-Type": "text/plain"], body: Data("busy".utf8))
        let gone = ReplayResponse(status: 404, headers: ["Content-Type": "text/plain"], body: Data("gone".utf8))
        // Post 2 leaves the feed at minute 10; its probe answers 503 for 50 minutes, then 404.
        harness.server.script("/posts/2", Array(repeating: unavailable, count: 5) + [gone])
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        let log = try DeletionLog(url: harness.logURL)
        var config = PalimpsestConfig(file: harness.root.appendingPathComponent("palimpsest.toml"))
        config.alarms = AlarmSettings(enabled: true, probeHost: 1800)
        let pipeline = AlertPipeline(
            config: config, store: store, log: log, client: harness.client, logger: Logger(label: "test"))
        let poller = AccountPoller(
            client: harness.client, stateStore: store, log: log, detection: DetectionSettings(probeAttempts: 50),
            snapshotRetention: 3, rateLimits: harness.rateLimits, logger: Logger(label: "test"), afterAppend: pipeline)
        await pipeline.start(now: IntegrationHarness.time(0))
        for step in 0...8 {
            let now = IntegrationHarness.time(step * 10)
            let report = try await poller.poll(account, at: now)
            let view = AlarmInputs.AccountView(
                key: account.key, name: account.name, platform: account.platform, blind: report.blindSpan)
            await pipeline.evaluateAlarms(AlarmInputs(accounts: [view]), now: now)
            // A second evaluation at the same time (the daemon's timer) adds nothing.
            await pipeline.evaluateAlarms(AlarmInputs(accounts: [view]), now: now)
        }
        let events = try harness.loggedEvents()
        let alarms = events.filter { $0.event == .alarm }
        #expect(alarms.map { $0.alarm?.state } == [.raised, .cleared])
        #expect(alarms.allSatisfy { $0.alarm?.kind == .probeHost && $0.alarm?.host == "127.0.0.1" })
        let raised = try #require(alarms.first)
        #expect(raised.alarm?.since == IntegrationHarness.time(10), "the first inconclusive answer")
        #expect(raised.detectedAt == IntegrationHarness.time(40), "the first poll 30m after it")
        #expect(raised.alarm?.accounts == [account.key])
        #expect(alarms.last?.detectedAt == IntegrationHarness.time(60), "the poll whose probe answered 404")
        #expect(events.contains { $0.event == .deleted && $0.postID != nil }, "the 404 proves the deletion")
        #expect(try DeletionLogSet.read(url: harness.logURL).isChainIntact)
    }

    @Test func aMassDeletionAcrossAccountsRaisesOneAlarmListingThem() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("palimpsest-mass-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try CurlHTTPClient.globalInit()
        let client = try CurlHTTPClient(configuration: HTTPClientConfiguration())
        defer { client.shutdown() }
        let store = try StateStore(root: root.appendingPathComponent("state"))
        let log = try DeletionLog(url: root.appendingPathComponent("deletions.jsonl"))
        var config = PalimpsestConfig(file: root.appendingPathComponent("palimpsest.toml"))
        config.alarms = AlarmSettings(
            enabled: true, massDeletionPosts: 4, massDeletionAccounts: 2, massDeletionWindow: 3600)
        let pipeline = AlertPipeline(
            config: config, store: store, log: log, client: client, logger: Logger(label: "test"))
        let start = IntegrationHarness.time(0)
        await pipeline.start(now: start)
        for index in 1...5 {
            var event = AlertDeliveryTests.deletion(index, account: "feed:https://example.org/\(index % 2).xml")
            event.detectedAt = start.addingTimeInterval(Double(index) * 60)
            await pipeline.logged(try log.append([event]))
            await pipeline.evaluateAlarms(AlarmInputs(accounts: []), now: event.detectedAt)
        }
        await pipeline.evaluateAlarms(AlarmInputs(accounts: []), now: start.addingTimeInterval(3 * 3600))
        let alarms = try DeletionLog.readEvents(at: log.url).filter { $0.event == .alarm }
        #expect(alarms.map { $0.alarm?.state } == [.raised, .cleared])
        #expect(alarms.first?.alarm?.deletions?.count == 4)
        #expect(alarms.first?.alarm?.accounts?.count == 2)
        #expect(alarms.first?.account == .monitor)
    }

    @Test func aPollKilledBetweenTheLogAppendAndTheOutboxStillDeliversTheAlertAtTheNextRun() async throws {
        try CurlHTTPClient.globalInit()
        let fixture = try await KilledProcessFixture(folder: "pk", feed: "k", name: "Killed feed")
        let (binary, server, root, config, base) = (
            fixture.binary, fixture.server, fixture.root, fixture.config, fixture.base
        )

        func poll(at minutes: Int, fault: String?) async throws -> TerminationStatus {
            let arguments = [
                "poll", "--config", config.path, "--now", RFC3339.string(from: IntegrationHarness.time(minutes)),
            ]
            return try await Subprocess.run(
                .path(fault == nil ? binary : try DatabaseCrashTests.faultHarness()),
                arguments: Arguments((fault.map { [$0] } ?? []) + arguments),
                environment: .inherit.updating(["NOTIFY_SOCKET": nil]),
                output: .discarded, error: .discarded
            ).terminationStatus
        }
        #expect(try await poll(at: 0, fault: nil).isSuccess)
        server.script("/k.xml", [Self.feed(base, ids: [3, 1])])
        let killed = try await poll(at: 10, fault: "kill-before-alert-queue")
        #expect(killed == .signaled(SIGKILL))
        let logged = try DeletionLog.readEvents(at: root.appendingPathComponent("deletions.jsonl"))
        let deleted = try #require(logged.first { $0.event == .deleted })
        #expect(server.requests().filter { $0.path == "/hook" }.isEmpty, "killed before any delivery")

        #expect(try await poll(at: 20, fault: nil).isSuccess)
        let hooks = server.requests().filter { $0.path == "/hook" }
        #expect(hooks.count == 1)
        #expect(hooks.first?.headers["Palimpsest-Event-Ids"] == deleted.id)
    }

    @Test func aDaemonKilledBetweenTheLogAppendAndTheOutboxDeliversTheAlertAfterARestart() async throws {
        let fixture = try await KilledProcessFixture(
            folder: "dk", feed: "d", name: "Killed daemon's feed", daemonLines: "jitter = 0\n")
        let (binary, server, root, config, base) = (
            fixture.binary, fixture.server, fixture.root, fixture.config, fixture.base
        )
        // The first look, as if made 20 minutes ago: the daemon's first poll is due at once.
        let first = try await Subprocess.run(
            .path(binary),
            arguments: [
                "poll", "--config", config.path, "--now", RFC3339.string(from: Date().addingTimeInterval(-1_200)),
            ],
            environment: .inherit.updating(["NOTIFY_SOCKET": nil]), output: .discarded, error: .discarded)
        #expect(first.terminationStatus.isSuccess)
        server.script("/d.xml", [Self.feed(base, ids: [3, 1])])

        /// Starts `palimpsest run`, waits until `done` holds or it exits (at most 60 s), then stops it.
        func daemon(fault: String?, until done: @escaping @Sendable () -> Bool) async throws -> Int32 {
            // With a fault, the fault harness's `run`: the same daemon with that point armed.
            let executable = fault == nil ? binary : try DatabaseCrashTests.faultHarness()
            let result = try await Subprocess.run(
                .path(executable), arguments: Arguments((fault.map { [$0] } ?? []) + ["run", "--config", config.path]),
                environment: .inherit.updating(["NOTIFY_SOCKET": nil]), input: .none, output: .discarded,
                error: .discarded
            ) { execution -> String? in
                await stopChild(execution) {
                    _ = await waitUntil(timeout: .seconds(60)) { execution.hasExited || done() }
                    if !execution.hasExited { try execution.send(signal: .terminate) }
                    return nil
                }
            }
            if let failure = result.closureResult { Issue.record("\(failure)") }
            switch result.terminationStatus {
            case .exited(let code): return code
            case .signaled(let signal): return -signal
            }
        }
        let log = root.appendingPathComponent("deletions.jsonl")
        let killed = try await daemon(fault: "kill-before-alert-queue") { false }
        #expect(killed == -SIGKILL, "the daemon killed itself between the append and the outbox")
        let deleted = try #require(try DeletionLog.readEvents(at: log).first { $0.event == .deleted })
        #expect(server.requests().filter { $0.path == "/hook" }.isEmpty, "killed before any delivery")

        let hooks = { @Sendable in server.requests().filter { $0.path == "/hook" } }
        _ = try await daemon(fault: nil) { !hooks().isEmpty }
        #expect(hooks().count == 1, "delivered once after the restart")
        #expect(hooks().first?.headers["Palimpsest-Event-Ids"] == deleted.id)
        #expect(try DeletionLog.readEvents(at: log).filter { $0.event == .deleted }.count == 1, "logged once")
    }
}

/// The shared setup of the tests that kill a `palimpsest` process between the log append and the
/// outbox: a replay server with a feed at `/<feed>.xml` holding posts 3, 2, 1 (post 2's page
/// answers 404) and a webhook at `/hook`; a folder with a config watching that feed and alerting
/// the webhook of `deleted` events. Stopped and removed, awaited, when the test ends.
struct KilledProcessFixture {
    let binary: FilePath
    let server: ReplayServer
    let root: URL
    let config: URL
    /// The feed's base URL: its posts are `<base>/posts/<id>`.
    let base: URL

    /// - Parameters:
    ///   - folder: the start of the temporary folder's name (kept short).
    ///   - feed: the feed's path on the server, without slash and `.xml`.
    ///   - name: the account's name.
    ///   - daemonLines: lines added to the config's `[daemon]` table.
    init(folder: String, feed: String, name: String, daemonLines: String = "") async throws {
        self.binary = try DaemonProcessTests.binary()
        let server = ReplayServer()
        try await server.start()
        self.server = server
        atEnd { await server.stop() }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(folder)-\(UUID().uuidString.prefix(8))")
        self.root = root
        atEnd { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data("secret\n".utf8).write(to: root.appendingPathComponent("hook.secret"))
        self.config = root.appendingPathComponent("palimpsest.toml")
        try Data(
            """
            [daemon]
            state_dir = "state"
            deletion_log = "deletions.jsonl"
            \(daemonLines)
            [[account]]
            platform = "feed"
            name = "\(name)"
            url = "\(server.url("/\(feed).xml").absoluteString)"

            [[alert]]
            type = "webhook"
            name = "hook"
            url = "\(server.url("/hook").absoluteString)"
            secret_file = "hook.secret"
            events = ["deleted"]

            """.utf8
        ).write(to: self.config)
        self.base = server.url("/\(feed)")
        server.script("/\(feed).xml", [AlarmIntegrationTests.feed(self.base, ids: [3, 2, 1])])
        server.script(
            "/\(feed)/posts/2",
            [ReplayResponse(status: 404, headers: ["Content-Type": "text/plain"], body: Data("gone".utf8))])
        server.script("/hook", [ReplayResponse(status: 200, headers: [:], body: Data())])
    }
}
