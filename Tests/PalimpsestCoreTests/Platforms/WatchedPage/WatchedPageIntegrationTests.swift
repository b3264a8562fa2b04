import Foundation
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// Watched pages polled through the loopback replay server and the real libcurl client: the
/// recorded WeChat article, then the pages WeChat answers instead (recorded or derived from the
/// recorded interstitial, as labelled).
@Suite(.serialized) struct WatchedPageIntegrationTests {
    static let html: HTTPHeaders = [("Content-Type", "text/html; charset=utf-8")]

    func page(_ body: Data, status: Int = 200) -> ReplayResponse {
        ReplayResponse(status: status, headers: Self.html, body: body)
    }

    /// The article account, served by the replay server under the article's own path and query.
    func articleAccount(_ harness: IntegrationHarness, tombstones: [TombstoneRule] = []) -> Account {
        WatchedPageFixture.account(harness.server.url(WatchedPageFixture.articlePath), tombstones: tombstones)
    }

    func poll(_ harness: IntegrationHarness, _ account: Account, at minutes: Int) async throws -> PollReport {
        try await harness.poller().poll(account, at: IntegrationHarness.time(minutes))
    }

    func requests(_ harness: IntegrationHarness, to path: String) -> Int {
        harness.server.requests().filter { $0.path == path }.count
    }

    @Test func articleAnsweringAViolationNoticeIsDeletedExactlyOnceWithItsReason() async throws {
        let harness = try await IntegrationHarness()
        let account = self.articleAccount(harness)
        let path = WatchedPageFixture.articlePath
        harness.server.script(path, [self.page(try WatchedPageFixture.body(WatchedPageFixture.article))])
        let first = try await self.poll(harness, account, at: 0)
        #expect(first.record.outcome == "complete")
        #expect(first.record.posts == 1)

        // Derived: the recorded interstitial saying the violation notice; it answers the poll and
        // the probe alike. The probe is the poll's own request, so the notice must be answered
        // across polls (confirm_polls 2 over confirm_min_age 20 minutes: at 10, 20 and 30).
        harness.server.script(path, [self.page(try WatchedPageFixture.interstitial(saying: "此内容因违规无法查看"))])
        let before = self.requests(harness, to: path)
        let second = try await self.poll(harness, account, at: 10)
        let requestsForFirstAnswer = self.requests(harness, to: path) - before
        let waiting = try await self.poll(harness, account, at: 20)
        let confirming = try await self.poll(harness, account, at: 30)
        let third = try await self.poll(harness, account, at: 40)
        let logged = try harness.loggedEvents()
        let verification = try DeletionLog.verify(at: harness.logURL)
        await harness.close()

        #expect(second.events.isEmpty && waiting.events.isEmpty, "one answer of the page is not yet a deletion")
        #expect(confirming.events.map(\.event) == [.deleted])
        let deleted = try #require(confirming.events.first)
        #expect(deleted.postID == WatchedPageFixture.articleID)
        #expect(deleted.reason == .censored)
        #expect(deleted.confirmedBy == .probe)
        #expect(deleted.platform == .url)
        #expect(deleted.text == "半月谈《基层说》")
        #expect(deleted.detail?.contains("此内容因违规无法查看") == true)
        #expect(deleted.firstMissing == IntegrationHarness.time(10))
        #expect(requestsForFirstAnswer == 2, "the poll and its probe")
        #expect(third.events.isEmpty)
        #expect(logged.map(\.event) == [.deleted])
        #expect(verification.isIntact)
    }

    @Test func changedArticleTextIsOneAlteration() async throws {
        let harness = try await IntegrationHarness()
        let account = self.articleAccount(harness)
        let path = WatchedPageFixture.articlePath
        harness.server.script(path, [self.page(try WatchedPageFixture.body(WatchedPageFixture.article))])
        _ = try await self.poll(harness, account, at: 0)
        harness.server.script(path, [self.page(try WatchedPageFixture.article(withText: "半月谈《基层说》第二期"))])
        let second = try await self.poll(harness, account, at: 10)
        let third = try await self.poll(harness, account, at: 20)
        await harness.close()

        #expect(second.events.map(\.event) == [.altered])
        #expect(second.events.first?.previousText == "半月谈《基层说》")
        #expect(second.events.first?.text == "半月谈《基层说》第二期")
        #expect(third.events.isEmpty)
    }

    @Test func verifyIdentityPageIsBlindAndWeChatIsLeftAloneForAnHour() async throws {
        let harness = try await IntegrationHarness()
        let account = self.articleAccount(harness)
        let path = WatchedPageFixture.articlePath
        harness.server.script(path, [self.page(try WatchedPageFixture.body(WatchedPageFixture.article))])
        _ = try await self.poll(harness, account, at: 0)
        harness.server.script(path, [self.page(try WatchedPageFixture.body(WatchedPageFixture.rateLimit))])
        let limited = try await self.poll(harness, account, at: 10)
        let afterLimit = harness.server.requests().count
        let during = try await self.poll(harness, account, at: 40)
        let duringCount = harness.server.requests().count
        harness.server.script(path, [self.page(try WatchedPageFixture.body(WatchedPageFixture.article))])
        let after = try await self.poll(harness, account, at: 71)
        let logged = try harness.loggedEvents()
        await harness.close()

        #expect(limited.record.outcome == "rate_limited")
        #expect(limited.events.map(\.event) == [.blind])
        #expect(during.record.outcome == "rate_limited")
        #expect(duringCount == afterLimit, "no request reaches the host within the hour")
        #expect(after.record.outcome == "complete")
        #expect(logged.map(\.event) == [.blind, .blind], "the span opens and closes; no post event")
    }

    @Test func linkExpiredPageIsNeverADeletion() async throws {
        let harness = try await IntegrationHarness()
        let account = self.articleAccount(harness)
        let path = WatchedPageFixture.articlePath
        harness.server.script(path, [self.page(try WatchedPageFixture.body(WatchedPageFixture.article))])
        _ = try await self.poll(harness, account, at: 0)
        harness.server.script(path, [self.page(try WatchedPageFixture.body(WatchedPageFixture.linkExpired))])
        let expired = try await self.poll(harness, account, at: 10)
        let again = try await self.poll(harness, account, at: 20)
        let logged = try harness.loggedEvents()
        await harness.close()

        #expect(expired.record.outcome == "blind")
        #expect(again.events.isEmpty)
        #expect(logged.map(\.event) == [.blind])
    }

    @Test func genericPageRemovedByItsConfigRuleIsDeletedWithThatReason() async throws {
        let harness = try await IntegrationHarness()
        let path = "/news/2026/article-1.html"
        let account = WatchedPageFixture.account(
            harness.server.url(path),
            tombstones: [TombstoneRule(contains: "该文章已被删除", reason: .censored)])
        harness.server.script(
            path, [self.page(Data("<html><head><title>新闻</title></head><body><p>原文内容。</p></body></html>".utf8))])
        _ = try await self.poll(harness, account, at: 0)
        harness.server.script(
            path, [self.page(Data("<html><head><title>新闻</title></head><body><p>该文章已被删除</p></body></html>".utf8))])
        var reports: [PollReport] = []
        for minutes in [10, 20, 30] { reports.append(try await self.poll(harness, account, at: minutes)) }
        await harness.close()

        #expect(reports.map { $0.events.map(\.event) } == [[], [], [.deleted]])
        #expect(reports.last?.events.first?.reason == .censored)
        #expect(reports.last?.events.first?.text == "原文内容。")
    }
}
