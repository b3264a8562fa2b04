import Foundation
import Logging
import PalimpsestReplay
import PalimpsestTestSupport
import Synchronization
import Testing

@testable import PalimpsestCore

/// Operator messages with their metadata, kept for the test to read.
final class CapturedLog: Sendable {
    /// One log call: its constant message and its metadata (values as text).
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let lines = Mutex<[Entry]>([])

    var logger: Logger {
        Logger(label: "test") { _ in CapturingLogHandler(log: self) }
    }

    func append(_ entry: Entry) {
        self.lines.withLock { $0.append(entry) }
    }

    /// The messages of `level`.
    func messages(_ level: Logger.Level) -> [String] {
        self.entries(level).map(\.message)
    }

    /// The log calls of `level`.
    func entries(_ level: Logger.Level) -> [Entry] {
        self.lines.withLock { $0.filter { $0.level == level } }
    }
}

struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = self.metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        self.log.append(
            CapturedLog.Entry(
                level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}

/// A timeline moved permanently to another host (rule of evidence 8): followed, told to the
/// operator once, shown by `status`, and still never evidence.
@Suite(.serialized) struct TimelineMoveIntegrationTests {
    @Test func permanentMoveToAnotherHostIsToldOnceAndShownByStatus() async throws {
        let harness = try await IntegrationHarness()
        let server = harness.server
        let source = AccountSource.feed(url: URL(string: "http://news.example/feed.xml")!)
        let account = Account(
            key: Account.key(for: source), name: "News", source: source, interval: 600,
            proxy: server.baseURL.absoluteString)
        server.script(
            "http://news.example/feed.xml",
            [ReplayResponse(status: 301, headers: [("Location", "http://new-news.example/feed.xml")])])
        let feed = RedirectIntegrationTests.rss(
            base: "http://new-news.example", items: RedirectIntegrationTests.threeItems)
        server.script(
            "http://new-news.example/feed.xml",
            [ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: feed)])
        let log = CapturedLog()
        let base = try harness.poller()
        let poller = AccountPoller(
            client: base.client, stateStore: base.stateStore, log: base.log, detection: base.detection,
            snapshotRetention: base.snapshotRetention, rateLimits: base.rateLimits, logger: log.logger)
        var reports: [PollReport] = []
        for minutes in [0, 10, 20] {
            reports.append(try await poller.poll(account, at: IntegrationHarness.time(minutes)))
        }
        let state = try #require(try base.stateStore.accountStore(for: account.key).loadState(AccountState.self))

        // The old address answers directly again: the move is over.
        server.script(
            "http://news.example/feed.xml", [ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: feed)])
        let back = try await poller.poll(account, at: IntegrationHarness.time(30))
        let events = try harness.loggedEvents()
        await harness.close()

        let moved = try #require(reports[0].moved)
        #expect(moved.from == "http://news.example/feed.xml")
        #expect(moved.to == "http://new-news.example/feed.xml")
        #expect(moved.status == 301)
        #expect(moved.noticedAt == IntegrationHarness.time(0))
        #expect(reports.allSatisfy { $0.moved == moved }, "noticed once: later polls keep the first record")
        #expect(state.moved == moved)
        let warnings = log.entries(.warning).filter { $0.message.hasPrefix("timeline moved to another host") }
        #expect(warnings.count == 1, "told once, not at every poll: \(warnings)")
        #expect(warnings.first?.metadata["move"]?.contains("http://new-news.example/feed.xml") == true)
        #expect(warnings.first?.metadata["account.key"] == account.key.rawValue)
        // Followed, but never evidence: blind with the move in the failure.
        #expect(reports.allSatisfy { $0.record.outcome == "blind" })
        #expect(reports[0].record.detail.contains("moved permanently"))
        #expect(!events.contains { $0.event == .deleted || $0.event == .accountUnavailable })
        #expect(back.moved == nil)
        #expect(back.record.outcome == "complete")

        // `palimpsest status` shows it while it lasts.
        let row = StatusReport.Row(
            account: account.key, name: account.name, interval: 600, lastPoll: reports[2].record, nextPoll: nil,
            polling: false, blind: reports[2].blindSpan, postsTracked: 0, eventsThisWeek: 0, moved: moved,
            worstCaseDelay: 1800)
        let report = StatusReport(
            generatedAt: IntegrationHarness.time(25), config: "/etc/palimpsest/palimpsest.toml",
            stateDir: "/var/lib/palimpsest",
            shard: nil, daemon: StatusReport.Daemon(running: false), accounts: [row])
        let text = report.render()
        #expect(text.contains("moved"))
        #expect(
            text.contains(
                "http://news.example/feed.xml redirects permanently (HTTP 301) to http://new-news.example/feed.xml"))
    }

    @Test func statusReadsTheMoveFromTheAccountStateWhenNoDaemonRuns() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "palimpsest-moved-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let config = try ConfigLoader.parse(
            """
            [daemon]
            state_dir = "state"

            [[account]]
            platform = "feed"
            url = "https://example.org/a.xml"
            """, file: root.appendingPathComponent("p.toml"))
        let key = config.accounts[0].key
        var state = AccountState(account: key)
        let move = TimelineMove(
            from: "https://example.org/a.xml", to: "https://example.net/a.xml", status: 308,
            noticedAt: IntegrationHarness.time(0))
        state.moved = move
        try StateStore(root: config.daemon.stateDirectory).accountStore(for: key).saveState(state)

        let report = try StatusReport.gather(config: config, now: IntegrationHarness.time(10))
        #expect(report.accounts.first?.moved == move)
        #expect(
            report.render().contains(
                "https://example.org/a.xml redirects permanently (HTTP 308) to https://example.net/a.xml"))
    }
}
