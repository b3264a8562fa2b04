import Foundation
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

/// The whole poll path over loopback HTTP and the real libcurl client, on recorded real data.
@Suite(.serialized) struct PollIntegrationTests {
    @Test func demoScenarioLogsExactlyTheEditTheBlindSpanAndTheProbedDeletions() async throws {
        let harness = try await IntegrationHarness()
        let scenario = DemoScenario(fixtures: IntegrationHarness.fixtures)
        let feed = harness.feedAccount(path: DemoScenario.feedPath, name: "Arknights")
        let mastodon = harness.mastodonAccount()
        let weiboSource = AccountSource.weibo(
            uid: DemoScenario.weiboUID, baseURL: harness.server.baseURL, pages: 1, cookieFile: nil)
        let weibo = Account(key: Account.key(for: weiboSource), name: "明日方舟Arknights", source: weiboSource)
        var perPoll: [[Event]] = []
        for step in 1...DemoScenario.pollCount {
            try scenario.script(harness.server, forPoll: step)
            let cycle = PollCycle(poller: try harness.poller(), concurrency: 2)
            var events: [Event] = []
            for result in await cycle.run([feed, mastodon, weibo], at: scenario.time(ofPoll: step)) {
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
        let deleted = try #require(perPoll[3].first { $0.event == .deleted && $0.account == mastodon.key })
        #expect(deleted.postID == DemoScenario.deletedStatusID)
        #expect(deleted.reason == .removed)
        #expect(deleted.confirmedBy == .probe)
        #expect(deleted.text == "Toot number 9!")
        // Posted 13:52:34.108Z, last seen at poll 2 (14:10), first missing at poll 4 (14:30).
        #expect(deleted.lifetime == SecondsInterval(minSeconds: 1045, maxSeconds: 2246))
        #expect(deleted.evidence.contains { $0.status == 404 })
        #expect(perPoll[4].isEmpty, "repeating the same answers logs nothing twice")
        #expect(logged.filter { $0.account == feed.key }.isEmpty, "the stale feed copy is not a deletion")
        // Weibo: the new post at poll 2 is no event; the post missing at poll 4 is one deletion.
        let weiboEvents = perPoll.map { $0.filter { $0.account == weibo.key } }
        #expect(weiboEvents.map(\.count) == [0, 0, 0, 1, 0])
        let weiboDeleted = try #require(weiboEvents[3].first)
        #expect(weiboDeleted.event == .deleted)
        #expect(weiboDeleted.postID == DemoScenario.weiboDeletedPostID)
        #expect(weiboDeleted.reason == .removed, "Weibo's error page does not say who removed the post")
        #expect(weiboDeleted.confirmedBy == .probe)
        #expect(weiboDeleted.text == "#明日方舟#\n“博士！端午节安康！要来试试一起包粽子吗？”")
        #expect(weiboDeleted.detail?.contains("暂无数据") == true)
        #expect(logged.count == 5)
        #expect(verification.isIntact)
    }
}
