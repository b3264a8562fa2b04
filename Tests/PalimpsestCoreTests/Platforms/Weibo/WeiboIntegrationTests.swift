import Foundation
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

/// The Weibo adapter on the whole poll path: the recorded real answers served over loopback HTTP,
/// the real libcurl client, store, detector and deletion log (issue 3 items 12 and 13).
@Suite(.serialized) struct WeiboIntegrationTests {
    static let uid = "6279793937"
    static let timeline = "/api/container/getIndex?type=uid&value=6279793937&containerid=1076036279793937"
    static let profile = "/api/container/getIndex?type=uid&value=6279793937"
    /// "#明日方舟# “博士！端午节安康！要来试试一起包粽子吗？”" (snapshot0 card 3, snapshot1 card 4).
    static let removedID = "4648004356937383"
    /// The post snapshot1 adds.
    static let newID = "4649106427873349"
    static let json: HTTPHeaders = [("Content-Type", "application/json; charset=utf-8")]
    static let html: HTTPHeaders = [("Content-Type", "text/html; charset=utf-8")]

    func account(_ harness: IntegrationHarness, cookieFile: URL? = nil) -> Account {
        let source = AccountSource.weibo(
            uid: Self.uid, baseURL: harness.server.baseURL, pages: 1, cookieFile: cookieFile)
        return Account(key: Account.key(for: source), name: "明日方舟Arknights", source: source, interval: 600)
    }

    func file(_ name: String) throws -> Data {
        try IntegrationHarness.fixture("weibo/\(name)")
    }

    /// Serves `body` as the timeline, and the two recorded long texts (the other long posts'
    /// expansions answer 404: they stay truncated, never an edit).
    func serveTimeline(_ harness: IntegrationHarness, _ body: Data) throws {
        harness.server.script(Self.timeline, [ReplayResponse(status: 200, headers: Self.json, body: body)])
        for id in ["4645748019299849", "4649031014551911"] {
            harness.server.script(
                "/statuses/extend?id=\(id)",
                [ReplayResponse(status: 200, headers: Self.json, body: try self.file("statuses_extend_\(id).json"))])
        }
    }

    func poll(_ harness: IntegrationHarness, _ account: Account, at minutes: Int) async throws -> PollReport {
        try await harness.poller().poll(account, at: IntegrationHarness.time(minutes))
    }

    func state(_ harness: IntegrationHarness, _ account: Account) throws -> AccountState {
        let store = try StateStore(root: harness.root.appendingPathComponent("state")).accountStore(for: account.key)
        return try #require(try store.loadState(AccountState.self))
    }

    func statusRequests(_ harness: IntegrationHarness) -> [String] {
        harness.server.requests().map(\.path).filter { $0.hasPrefix("/status/") }
    }

    // MARK: Item 12: the two real snapshots

    @Test func realSnapshotsYieldExactlyTheNewPostAndNoDeletion() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness)
        try self.serveTimeline(harness, try self.file("getIndex_107603_arknights_snapshot0.json"))
        let first = try await self.poll(harness, account, at: 0)
        let before = try self.state(harness, account)
        try self.serveTimeline(harness, try self.file("getIndex_107603_arknights_snapshot1.json"))
        let second = try await self.poll(harness, account, at: 10)
        let after = try self.state(harness, account)
        let logged = try harness.loggedEvents()
        let probes = self.statusRequests(harness)
        await harness.close()

        #expect(first.record.outcome == "complete" && first.record.posts == 10)
        #expect(second.record.outcome == "complete" && second.record.posts == 11)
        #expect(first.events.isEmpty && second.events.isEmpty && logged.isEmpty, "no deletion, no edit")
        #expect(Set(after.detection.posts.keys).subtracting(before.detection.posts.keys) == [Self.newID])
        #expect(after.detection.posts[Self.newID]?.post.text == "#明日方舟#\nSideStory「沃伦姆德的薄暮」复刻现已开启！")
        #expect(probes.isEmpty, "nothing went missing, nothing was probed")
        // The pinned long post was completed from statuses/extend.
        let pinned = try #require(after.detection.posts["4645748019299849"])
        #expect(!pinned.post.isTruncated && pinned.post.isPinned)
        #expect(pinned.post.text.contains("开奖后奖品会在出货后寄出。"))
    }

    @Test func postRemovedFromTheSecondSnapshotWithTheErrorPageProbeIsExactlyOneDeletion() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness)
        try self.serveTimeline(harness, try self.file("getIndex_107603_arknights_snapshot0.json"))
        _ = try await self.poll(harness, account, at: 0)
        try self.serveTimeline(
            harness,
            try WeiboFixture.editedTimeline(
                "getIndex_107603_arknights_snapshot1.json", WeiboFixture.removing(Self.removedID)))
        harness.server.script(
            "/status/\(Self.removedID)",
            [ReplayResponse(status: 200, headers: Self.html, body: try self.file("m_weibo_cn_error_page_no_data.html"))]
        )
        let report = try await self.poll(harness, account, at: 10)
        let logged = try harness.loggedEvents()
        let state = try self.state(harness, account)
        let probes = self.statusRequests(harness)
        await harness.close()

        #expect(report.events.map(\.event) == [.deleted])
        #expect(logged.count == 1)
        let deleted = try #require(logged.first)
        #expect(deleted.event == .deleted)
        #expect(deleted.postID == Self.removedID)
        #expect(deleted.reason == .removed, "the error page cannot tell the author from the censor")
        #expect(deleted.confirmedBy == .probe)
        #expect(deleted.platform == .weibo)
        #expect(deleted.text == "#明日方舟#\n“博士！端午节安康！要来试试一起包粽子吗？”")
        #expect(deleted.url == "https://m.weibo.cn/status/Kk8Ont6Jh")
        #expect(deleted.postedAt == WeiboFixture.utc("2021-06-14T07:00:57Z"))
        #expect(deleted.detail?.contains("暂无数据") == true)
        #expect(deleted.evidence.contains { $0.url.hasSuffix("/status/\(Self.removedID)") })
        #expect(probes == ["/status/\(Self.removedID)"], "only the missing post was probed")
        #expect(state.detection.posts[Self.newID] != nil, "the new post is tracked as well")
    }

    // MARK: Item 13: an edit, a rate limit, a login wall

    @Test func editedPostIsAlteredAndAFailedExpansionIsNot() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness)
        try self.serveTimeline(harness, try self.file("getIndex_107603_arknights_snapshot0.json"))
        _ = try await self.poll(harness, account, at: 0)
        let edited = try WeiboFixture.editedTimeline("getIndex_107603_arknights_snapshot0.json") { cards in
            var mblog = cards[3]["mblog"] as! [String: Any]
            mblog["text"] = (mblog["text"] as! String).replacingOccurrences(of: "包粽子", with: "吃粽子")
            mblog["edit_count"] = 1
            mblog["edit_at"] = "Mon Jun 14 15:30:00 +0800 2021"
            cards[3]["mblog"] = mblog
        }
        try self.serveTimeline(harness, edited)
        // The pinned post's expansion fails this time: its text is cut short, which is no edit.
        harness.server.script("/statuses/extend?id=4645748019299849", [ReplayResponse(status: 500)])
        let report = try await self.poll(harness, account, at: 10)
        let logged = try harness.loggedEvents()
        await harness.close()

        #expect(report.events.map(\.event) == [.altered])
        let altered = try #require(logged.first)
        #expect(logged.count == 1)
        #expect(altered.postID == Self.removedID)
        #expect(altered.previousText == "#明日方舟#\n“博士！端午节安康！要来试试一起包粽子吗？”")
        #expect(altered.text == "#明日方舟#\n“博士！端午节安康！要来试试一起吃粽子吗？”")
        #expect(altered.editedAt == WeiboFixture.utc("2021-06-14T07:30:00Z"), "Weibo's own edit marker")
    }

    @Test func teapotRateLimitIsBlindAndNoRequestReachesWeiboBeforeTheBackOffEnds() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness)
        try self.serveTimeline(harness, try self.file("getIndex_107603_arknights_snapshot0.json"))
        _ = try await self.poll(harness, account, at: 0)
        harness.server.script(Self.timeline, [ReplayResponse(status: 418, headers: Self.html, body: Data())])
        let limited = try await self.poll(harness, account, at: 10)
        let requestsAfterLimit = harness.server.requests().count
        let during = try await self.poll(harness, account, at: 30)
        let requestsDuring = harness.server.requests().count
        try self.serveTimeline(harness, try self.file("getIndex_107603_arknights_snapshot0.json"))
        let after = try await self.poll(harness, account, at: 41)
        let logged = try harness.loggedEvents()
        let blindKind = try self.state(harness, account).detection.blindSpan
        await harness.close()

        #expect(limited.record.outcome == "rate_limited")
        #expect(limited.events.map(\.event) == [.blind], "a blind span opens; no post event")
        #expect(during.record.outcome == "rate_limited")
        #expect(during.events.isEmpty)
        #expect(requestsDuring == requestsAfterLimit, "no request may reach Weibo within 30 minutes of the 418")
        #expect(after.record.outcome == "complete")
        #expect(logged.map(\.event) == [.blind, .blind], "the span opens and closes; nothing else")
        #expect(logged.first?.blind?.failure.kind == .rateLimited)
        #expect(blindKind == nil, "the complete poll closed the span")
    }

    @Test func loginAndVisitorWallsAreGatedAndTheirProbesProveNothing() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness)
        try self.serveTimeline(harness, try self.file("getIndex_107603_arknights_snapshot0.json"))
        _ = try await self.poll(harness, account, at: 0)
        // The timeline redirects to the visitor page.
        let visitorPath = "/visitor/visitor?entry=miniblog&a=enter"
        let visitorPage = Data(
            "<!DOCTYPE html><html><head><title>Sina Visitor System</title></head><body></body></html>".utf8)
        harness.server.script(
            Self.timeline,
            [ReplayResponse(status: 302, headers: [("Location", harness.server.baseURL.absoluteString + visitorPath)])])
        harness.server.script(visitorPath, [ReplayResponse(status: 200, headers: Self.html, body: visitorPage)])
        let walled = try await self.poll(harness, account, at: 10)
        let walledState = try self.state(harness, account)
        // The API's own login answer.
        harness.server.script(
            Self.timeline,
            [
                ReplayResponse(
                    status: 200, headers: Self.json,
                    body: Data(#"{"ok":-100,"url":"https://passport.weibo.cn/signin/welcome?entry=mweibo"}"#.utf8))
            ])
        let login = try await self.poll(harness, account, at: 20)
        // The timeline is back without a post whose probe lands on the visitor page: no deletion.
        try self.serveTimeline(
            harness,
            try WeiboFixture.editedTimeline(
                "getIndex_107603_arknights_snapshot0.json", WeiboFixture.removing(Self.removedID)))
        harness.server.script(
            "/status/\(Self.removedID)",
            [ReplayResponse(status: 302, headers: [("Location", harness.server.baseURL.absoluteString + visitorPath)])])
        let probedBehindWall = try await self.poll(harness, account, at: 30)
        let loggedBehindWall = try harness.loggedEvents()
        // Then the probe gets through and answers the error page: now it is a deletion.
        harness.server.script(
            "/status/\(Self.removedID)",
            [ReplayResponse(status: 200, headers: Self.html, body: try self.file("m_weibo_cn_error_page_no_data.html"))]
        )
        let confirmed = try await self.poll(harness, account, at: 40)
        await harness.close()

        #expect(walled.record.outcome == "blind")
        #expect(walled.events.map(\.event) == [.blind])
        #expect(walledState.detection.blindSpan?.failure.kind == .gated, "the account is shown as gated")
        #expect(login.record.outcome == "blind" && login.events.isEmpty)
        #expect(probedBehindWall.probes == 1)
        #expect(loggedBehindWall.map(\.event) == [.blind, .blind], "a probe behind the wall proves nothing")
        #expect(confirmed.events.map(\.event) == [.deleted])
        #expect(confirmed.events.first?.reason == .removed)
    }

    // MARK: An empty timeline asks the account probe

    @Test func emptyTimelineWithTheAccountThereIsNoDeletion() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness)
        try self.serveTimeline(harness, try self.file("getIndex_107603_arknights_snapshot0.json"))
        _ = try await self.poll(harness, account, at: 0)
        try self.serveTimeline(harness, try self.file("getIndex_error_no_content.json"))
        harness.server.script(
            Self.profile,
            [
                ReplayResponse(
                    status: 200, headers: Self.json, body: try self.file("getIndex_uid_profile_arknights.json"))
            ])
        let empty = try await self.poll(harness, account, at: 10)
        try self.serveTimeline(harness, try self.file("getIndex_107603_arknights_snapshot0.json"))
        let back = try await self.poll(harness, account, at: 20)
        let logged = try harness.loggedEvents()
        let profileRequests = harness.server.requests().filter { $0.path == Self.profile }.count
        await harness.close()

        #expect(empty.record.detail.contains("mass disappearance: account probed"))
        #expect(profileRequests == 1)
        #expect(empty.events.isEmpty && back.events.isEmpty && logged.isEmpty, "an empty answer is no deletion")
        #expect(self.statusRequests(harness).isEmpty)
    }

    @Test func emptyTimelineWithAnEmptyProfileIsOneAccountEvent() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness)
        try self.serveTimeline(harness, try self.file("getIndex_107603_arknights_snapshot0.json"))
        _ = try await self.poll(harness, account, at: 0)
        try self.serveTimeline(harness, try self.file("getIndex_error_no_content.json"))
        harness.server.script(
            Self.profile,
            [ReplayResponse(status: 200, headers: Self.json, body: try self.file("getIndex_error_no_content.json"))])
        let gone = try await self.poll(harness, account, at: 10)
        let again = try await self.poll(harness, account, at: 20)
        let logged = try harness.loggedEvents()
        await harness.close()

        #expect(gone.events.map(\.event) == [.accountUnavailable])
        #expect(gone.events.first?.reason == .removed)
        #expect(again.events.isEmpty, "logged once while it stays so")
        #expect(logged.allSatisfy { $0.event != .deleted }, "not ten deletions")
    }

    // MARK: Cookie file

    @Test func cookieFileIsSentWithEveryRequestAndReadAtEachPoll() async throws {
        let harness = try await IntegrationHarness()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weibo-cookie-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let cookieFile = folder.appendingPathComponent("weibo.cookie")
        try Data("# visitor cookies\nSUB=_2AkMvisitor; SUBP=0033Wr\n".utf8).write(to: cookieFile)
        let account = self.account(harness, cookieFile: cookieFile)
        try self.serveTimeline(harness, try self.file("getIndex_107603_arknights_snapshot0.json"))
        _ = try await self.poll(harness, account, at: 0)
        let firstCookies = Set(harness.server.requests().map { $0.headers["Cookie"] })
        try Data("SUB=renewed\n".utf8).write(to: cookieFile)
        _ = try await self.poll(harness, account, at: 10)
        let lastCookie = harness.server.requests().last?.headers["Cookie"]
        try FileManager.default.removeItem(at: cookieFile)
        let error = await #expect(throws: PollerError.self) { try await self.poll(harness, account, at: 20) }
        await harness.close()

        #expect(firstCookies == ["SUB=_2AkMvisitor; SUBP=0033Wr"], "timeline and expansions all carry it")
        #expect(lastCookie == "SUB=renewed")
        #expect(error?.description.contains(cookieFile.path) == true)
        #expect(error?.description.contains("SUB=") == false, "a cookie value is never quoted")
    }
}
