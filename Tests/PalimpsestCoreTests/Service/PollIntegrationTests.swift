import Foundation
import PalimpsestCore
import PalimpsestReplay
import Testing

/// The whole poll path over loopback HTTP and the real libcurl client, on recorded real data.
@Suite(.serialized) struct PollIntegrationTests {
    @Test func demoScenarioLogsExactlyTheEditTheBlindSpanAndTheProbedDeletion() async throws {
        let harness = try await IntegrationHarness()
        let scenario = DemoScenario(fixtures: IntegrationHarness.fixtures)
        let feed = harness.feedAccount(path: DemoScenario.feedPath, name: "Arknights")
        let mastodon = harness.mastodonAccount()
        var perPoll: [[Event]] = []
        for step in 1...DemoScenario.pollCount {
            try scenario.script(harness.server, forPoll: step)
            let cycle = PollCycle(poller: try harness.poller(), concurrency: 2)
            var events: [Event] = []
            for result in await cycle.run([feed, mastodon], at: scenario.time(ofPoll: step)) {
                guard case .polled(let report) = result else {
                    Issue.record("a poll could not run: \(result)")
                    continue
                }
                events += report.events
            }
            perPoll.append(events)
        }
        let logged = try harness.loggedEvents()
        let verification = try DeletionLog.verify(at: harness.logURL)
        await harness.close()

        #expect(perPoll[0].isEmpty, "the first look derives nothing")
        #expect(perPoll[1].map(\.event) == [.altered])
        #expect(perPoll[1].first?.postID == DemoScenario.editedStatusID)
        #expect(perPoll[1].first?.previousText?.contains("VS Code") == true)
        #expect(perPoll[1].first?.text?.contains("KDE Advanced Text Editor") == true)
        #expect(perPoll[2].map(\.event) == [.blind], "the 503 opens a blind span and derives no post event")
        #expect(perPoll[2].first?.account == mastodon.key)
        #expect(Set(perPoll[3].map(\.event)) == [.blind, .deleted])
        let deleted = try #require(perPoll[3].first { $0.event == .deleted })
        #expect(deleted.postID == DemoScenario.deletedStatusID)
        #expect(deleted.reason == .removed)
        #expect(deleted.confirmedBy == .probe)
        #expect(deleted.text == "Toot number 9!")
        // Posted 13:52:34.108Z, last seen at poll 2 (14:10), first missing at poll 4 (14:30).
        #expect(deleted.lifetime == SecondsInterval(minSeconds: 1045, maxSeconds: 2246))
        #expect(deleted.evidence.contains { $0.status == 404 })
        #expect(perPoll[4].isEmpty, "repeating the same answers logs nothing twice")
        #expect(logged.filter { $0.account == feed.key }.isEmpty, "the stale feed copy is not a deletion")
        #expect(logged.count == 4)
        #expect(verification.isIntact)
    }
}
