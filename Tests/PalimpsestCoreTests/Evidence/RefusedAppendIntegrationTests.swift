import Foundation
import Logging
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

/// The whole poll path with the guarded head (issue 10, item 2): when the log's last line was
/// edited, polls go on, their events wait in the state store, and they reach the log after
/// `log continue`, after the `log_break` line, exactly once.
@Suite(.serialized) struct RefusedAppendIntegrationTests {
    @Test func eventsFoundWhileTheLogIsRefusedWaitInTheStateAndFollowTheBreak() async throws {
        let harness = try await IntegrationHarness()
        let stateURL = harness.root.appendingPathComponent("state")
        let headURL = stateURL.appendingPathComponent(ChainHead.fileName)
        func poller() throws -> AccountPoller {
            AccountPoller(
                client: harness.client, stateStore: try StateStore(root: stateURL),
                log: try DeletionLog(url: harness.logURL, headURL: headURL), detection: DetectionSettings(),
                snapshotRetention: 3, rateLimits: harness.rateLimits, logger: Logger(label: "test"))
        }
        let scenario = DemoScenario(fixtures: IntegrationHarness.fixtures)
        let mastodon = harness.mastodonAccount()
        // Polls 1–2: the edit of poll 2 is logged.
        for step in 1...2 {
            try scenario.script(harness.server, forPoll: step)
            _ = await PollCycle(poller: try poller(), concurrency: 1).run([mastodon], at: scenario.time(ofPoll: step))
        }
        let before = try harness.loggedEvents()
        #expect(!before.isEmpty)
        // The last line is edited in place.
        let text = try String(contentsOf: harness.logURL, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "\"event\":\"altered\"", with: "\"event\":\"altered\" ")
        #expect(edited != text)
        let handle = try FileHandle(forWritingTo: harness.logURL)
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(edited.utf8))
        try handle.close()

        // Polls 3–5 find the blind span and the deletion; nothing reaches the log.
        for step in 3...DemoScenario.pollCount {
            try scenario.script(harness.server, forPoll: step)
            _ = await PollCycle(poller: try poller(), concurrency: 1).run([mastodon], at: scenario.time(ofPoll: step))
        }
        #expect(try String(contentsOf: harness.logURL, encoding: .utf8) == edited, "nothing appended")
        let store = try StateStore(root: stateURL)
        let waiting = try #require(try store.loadState(of: mastodon.key)).pendingEvents
        #expect(waiting.contains { $0.event == .deleted }, "the deletion waits in the state: \(waiting.map(\.event))")

        // The operator records the break; the next poll appends what waited, after it.
        let record = try DeletionLog(url: harness.logURL, headURL: headURL).continueAfterBreak(
            reason: "edited by hand during the test", at: scenario.time(ofPoll: DemoScenario.pollCount))
        _ = await PollCycle(poller: try poller(), concurrency: 1).run(
            [mastodon], at: scenario.time(ofPoll: DemoScenario.pollCount).addingTimeInterval(600))
        let contents = try DeletionLog.read(at: harness.logURL)
        let after = contents.events.filter { !before.map(\.id).contains($0.id) }
        #expect(Set(after.map(\.id)).isSuperset(of: Set(waiting.map(\.id))), "every waiting event, once")
        #expect(after.allSatisfy { ($0.seq ?? 0) > (record.seq ?? 0) }, "after the break")
        #expect(Set(contents.events.map(\.id)).count == contents.events.count)
        #expect(try StateStore(root: stateURL).loadState(of: mastodon.key)?.pendingEvents.isEmpty == true)
        #expect(try DeletionLog.verify(at: harness.logURL).isChainIntact)
        await harness.close()
    }
}
