import Foundation
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The read an unchanged poll starts from (``StateStore/loadQuietState(of:)``): the state without
/// its tracked posts, in one statement with the account's newest run of unchanged polls.
@Suite struct QuietReadTests {
    @Test func aNotModifiedAnswerAfterARestartContinuesTheSpanOfTheNewestUnchangedRun() async throws {
        // Interval 10 min, default jitter 10 %: polls up to 22 min apart are watched without a gap.
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed")
        func notModified(_ etag: String) -> ReplayResponse {
            ReplayResponse(status: 304, headers: [("ETag", etag)], body: Data())
        }
        var first = DiskFullTests.feed(harness, ids: [3, 2, 1])
        first.headers.add(name: "ETag", value: "\"v1\"")
        var second = DiskFullTests.feed(harness, ids: [4, 3, 2, 1])
        second.headers.add(name: "ETag", value: "\"v2\"")
        let poller = try harness.poller()
        harness.server.script("/feed", [first, notModified("\"v1\""), second, notModified("\"v2\"")])
        for minutes in [0, 10, 20, 30] { _ = try await poller.poll(account, at: IntegrationHarness.time(minutes)) }
        _ = poller.stateStore.saveUnsavedStates()

        // A new process: the state written at 20 min, and the run of unchanged polls since 30 min.
        let restarted = try harness.poller()
        harness.server.script("/feed", [notModified("\"v2\"")])
        let report = try await restarted.poll(account, at: IntegrationHarness.time(50))
        #expect(report.record.detail.hasPrefix("unchanged since the last poll (HTTP 304"), "\(report.record.detail)")
        _ = restarted.stateStore.saveUnsavedStates()
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        let state = try #require(try store.loadState(of: account.key))
        // 50 min is 20 min after the last unchanged poll (30 min), 30 min after the last state write.
        #expect(state.pollSpans == [PollSpan(from: IntegrationHarness.time(0), to: IntegrationHarness.time(50))])
        #expect(state.lastPoll?.at == IntegrationHarness.time(50))
        let runs = try store.unchangedRuns(of: account.key)
        #expect(runs.map(\.since) == [IntegrationHarness.time(10), IntegrationHarness.time(30)])
        #expect(runs.map(\.until) == [IntegrationHarness.time(10), IntegrationHarness.time(50)])
        await harness.close()
    }

    @Test func anUnchangedAnswerOfAQuietAccountLeavesItsCountOfTrackedPostsAsItWas() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed")
        var first = DiskFullTests.feed(harness, ids: [3, 2, 1])
        first.headers.add(name: "ETag", value: "\"v1\"")
        harness.server.script(
            "/feed", [first, ReplayResponse(status: 304, headers: [("ETag", "\"v1\"")], body: Data())])
        let poller = try harness.poller()
        let seen = try await poller.poll(account, at: IntegrationHarness.time(0))
        #expect(seen.postsTracked == 3)
        _ = poller.stateStore.saveUnsavedStates()
        // A new process: the account is quiet, so its 304 ends before its tracked posts are read.
        let unchanged = try await harness.poller().poll(account, at: IntegrationHarness.time(10))
        #expect(
            unchanged.record.detail.hasPrefix("unchanged since the last poll (HTTP 304"), "\(unchanged.record.detail)")
        #expect(unchanged.postsTracked == nil, "not read, so not reported as 0")

        // The daemon's status keeps the count it had (it showed "0 tracked" after every 304).
        let config = try ConfigLoader.parse(
            "[daemon]\nstate_dir = \"\(harness.root.path)/state\"\n",
            file: harness.root.appendingPathComponent("p.toml"))
        var restored = DaemonStatus.AccountEntry(account: account.key, name: account.name, interval: account.interval)
        restored.postsTracked = 3
        let book = DaemonStatusBook(
            config: config, accounts: [account], restored: [account.key: restored], eventsToday: 0,
            now: IntegrationHarness.time(5))
        book.record(.polled(account, .polled(unchanged)), now: IntegrationHarness.time(10))
        let entry = try #require(book.snapshot(now: IntegrationHarness.time(10)).accounts.first)
        #expect(entry.postsTracked == 3)
        #expect(entry.lastPoll?.at == IntegrationHarness.time(10))
        await harness.close()
    }
}
