import Foundation
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

/// A poll cycle over loopback: its results come back in account order, whatever order the polls
/// finish in. Run it in release too (`swift test -c release`): Swift 6.3.1 -O once dropped the
/// account index of every successful poll (see PollCycle.run).
@Suite(.serialized) struct PollCycleTests {
    @Test func resultsComeBackInAccountOrderWhenTheFirstAccountAnswersLast() async throws {
        let harness = try await IntegrationHarness()
        let body = try IntegrationHarness.fixture("feeds/rsshub_twitter_ArknightsStaff_snapshot1.xml")
        let paths = ["/slow", "/fast-a", "/fast-b"]
        for path in paths {
            // The first account answers 0.4 s late, so it finishes after the other two.
            let delay: TimeInterval = path == "/slow" ? 0.4 : 0
            harness.server.script(
                path, [ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: body, delay: delay)])
        }
        let accounts = paths.map { harness.feedAccount(path: $0, name: String($0.dropFirst())) }
        let cycle = PollCycle(poller: try harness.poller(), concurrency: 3)

        for minutes in [0, 10] {
            let results = await cycle.run(accounts, at: IntegrationHarness.time(minutes))
            let polled = results.compactMap { result -> Account? in
                guard case .polled(let report) = result else { return nil }
                return report.account
            }
            #expect(polled.map(\.key) == accounts.map(\.key), "poll at +\(minutes) min: \(results)")
        }
        await harness.close()
    }

    @Test func anAccountListedTwiceInOneBatchIsPolledOneAfterTheOther() async throws {
        let harness = try await IntegrationHarness()
        let body = try IntegrationHarness.fixture("feeds/rsshub_twitter_ArknightsStaff_snapshot1.xml")
        let headers = IntegrationHarness.rss + [("ETag", "\"v1\"")]
        // Answered late: two polls of the account at once would both be waiting here.
        harness.server.script("/twice", [ReplayResponse(status: 200, headers: headers, body: body, delay: 0.3)])
        let account = harness.feedAccount(path: "/twice", name: "twice")
        let cycle = PollCycle(poller: try harness.poller(), concurrency: 4)

        let results = await cycle.run([account, account], at: IntegrationHarness.time(0))
        let requests = harness.server.requests()
        let peak = harness.server.peakConcurrentRequests()
        await harness.close()
        #expect(results.count == 2)
        #expect(peak == 1, "the account's two polls overlapped")
        #expect(requests.count == 2)
        #expect(
            requests.last?.headers["If-None-Match"] == "\"v1\"", "the second poll must see what the first one wrote")
    }
}
