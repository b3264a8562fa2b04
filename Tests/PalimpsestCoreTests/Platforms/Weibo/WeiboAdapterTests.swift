import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The adapter's requests and its reading of the recorded timelines (values read by hand from
/// `Tests/Fixtures/real/weibo/`).
@Suite struct WeiboAdapterTests {
    let adapter = WeiboAdapter()
    let account = WeiboFixture.account()
    /// 2021-06-17T09:00:00Z, an hour after the newest post of snapshot1.
    let now = WeiboFixture.utc("2021-06-17T09:00:00Z")

    private func posts(_ file: String, account: Account? = nil) throws -> [Post] {
        let outcome = self.adapter.observe(
            [try WeiboFixture.response(WeiboFixture.timelineURL, file: file)], for: account ?? self.account,
            polledAt: self.now)
        guard case .observed(let posts, let isComplete) = outcome else {
            Issue.record("expected posts, got \(outcome)")
            return []
        }
        #expect(isComplete)
        return posts
    }

    private func failure(_ outcome: TimelineOutcome) -> PollFailure? {
        if case .failed(let failure) = outcome { return failure }
        return nil
    }

    // MARK: Requests

    @Test func timelineRequestIsTheWeiboTabOfTheUid() throws {
        let requests = self.adapter.timelineRequests(for: self.account, context: AdapterContext())
        #expect(requests.map(\.url.absoluteString) == [WeiboFixture.timelineURL])
        #expect(requests.first?.headers["Accept"]?.hasPrefix("application/json") == true)
        #expect(requests.first?.headers["Referer"] == "https://m.weibo.cn/u/6279793937")
        #expect(requests.first?.headers["X-Requested-With"] == "XMLHttpRequest")
    }

    @Test func requestsKeepABaseURLPathPrefix() throws {
        let mirrored = WeiboFixture.account(base: URL(string: "http://127.0.0.1:8080/weibo/")!)
        let timeline = self.adapter.timelineRequests(for: mirrored, context: AdapterContext())
        #expect(
            timeline.map(\.url.absoluteString) == [
                "http://127.0.0.1:8080/weibo/api/container/getIndex?type=uid&value=6279793937&containerid=1076036279793937"
            ])
        let probe = try #require(
            self.adapter.probeRequest(
                for: Post(id: "4648004356937383", text: ""), of: mirrored, context: AdapterContext()))
        #expect(probe.url.absoluteString == "http://127.0.0.1:8080/weibo/status/4648004356937383")
        let profile = try #require(self.adapter.accountProbeRequest(for: mirrored, context: AdapterContext()))
        #expect(
            profile.url.absoluteString == "http://127.0.0.1:8080/weibo/api/container/getIndex?type=uid&value=6279793937"
        )
    }

    @Test func probeAndCompletionNeedAWeiboID() {
        let hostile = Post(id: "../../etc/passwd", text: "", isTruncated: true)
        #expect(self.adapter.probeRequest(for: hostile, of: self.account, context: AdapterContext()) == nil)
        #expect(self.adapter.completionRequests(for: [hostile], of: self.account).isEmpty)
    }

    @Test func pagingFollowsSinceIDThenPageUpToThePagesSetting() throws {
        let three = WeiboFixture.account(pages: 3)
        let first = try WeiboFixture.response(
            WeiboFixture.timelineURL, file: "getIndex_107603_arknights_snapshot0.json")
        let next = try #require(
            self.adapter.nextPageRequest(after: first, pageIndex: 0, for: three, context: AdapterContext()))
        #expect(next.url.absoluteString == WeiboFixture.timelineURL + "&since_id=4646131823281332")
        // The older variant: `cardlistInfo.page` (2 in the recorded answer).
        let paged = try WeiboFixture.response(
            WeiboFixture.timelineURL, file: "getIndex_107603_public_figure_page2.json")
        let byPage = try #require(
            self.adapter.nextPageRequest(after: paged, pageIndex: 1, for: three, context: AdapterContext()))
        #expect(byPage.url.absoluteString == WeiboFixture.timelineURL + "&page=2")
        // Enough pages, or nothing more to read.
        #expect(self.adapter.nextPageRequest(after: first, pageIndex: 2, for: three, context: AdapterContext()) == nil)
        #expect(
            self.adapter.nextPageRequest(after: first, pageIndex: 0, for: self.account, context: AdapterContext())
                == nil)
        let empty = try WeiboFixture.response(WeiboFixture.timelineURL, file: "getIndex_error_no_content.json")
        #expect(self.adapter.nextPageRequest(after: empty, pageIndex: 0, for: three, context: AdapterContext()) == nil)
    }

    // MARK: Parsing the recorded timelines

    @Test func snapshot0GivesTenPostsWithStringIDsInOrder() throws {
        let posts = try self.posts("getIndex_107603_arknights_snapshot0.json")
        #expect(
            posts.map(\.id) == [
                "4645748019299849", "4649031014551911", "4648806186747944", "4648004356937383", "4647212359090479",
                "4647211990255467", "4646917039199914", "4646569834450357", "4646502071534367", "4646192191903210",
            ])
        #expect(
            posts.filter(\.isTruncated).map(\.id) == [
                "4645748019299849", "4649031014551911", "4647212359090479", "4646569834450357", "4646502071534367",
                "4646192191903210",
            ], "isLongText posts wait for their full text")
    }

    @Test func pinnedEditedCardIsPinnedWithItsEditTime() throws {
        let pinned = try #require(try self.posts("getIndex_107603_arknights_snapshot0.json").first)
        #expect(pinned.id == "4645748019299849")
        #expect(pinned.isPinned)
        #expect(pinned.kind == .post)
        #expect(pinned.url == "https://m.weibo.cn/status/Kjc77D1jz")
        #expect(pinned.postedAt == WeiboFixture.utc("2021-06-08T01:35:04Z"))  // Tue Jun 08 09:35:04 +0800 2021
        #expect(pinned.editedAt == WeiboFixture.utc("2021-06-16T02:51:10Z"))  // Wed Jun 16 10:51:10 +0800 2021
        #expect(pinned.media == ["https://video.weibo.com/show?fid=1034:4645779462357001"])
        #expect(pinned.text.hasPrefix("#明日方舟# #音律联觉#\n2021明日方舟音律联觉Ambience Synesthesia专场演出官方录播"))
        #expect(pinned.text.hasSuffix("2. Ma ...全文"), "the timeline's text is cut short")
    }

    @Test func pinnedPostNeverSetsTheWindow() throws {
        let posts = try self.posts("getIndex_107603_arknights_snapshot0.json")
        let window = TimelineWindow(posts: posts)
        #expect(window.pinnedCount == 1)
        #expect(window.postCount == 9)
        #expect(window.newest == WeiboFixture.utc("2021-06-17T03:00:31Z"))  // Thu Jun 17 11:00:31 +0800 2021
        #expect(window.floor == WeiboFixture.utc("2021-06-09T07:00:03Z"))  // Wed Jun 09 15:00:03 +0800 2021
    }

    @Test func repostPointsAtTheOriginalAndKeepsItsOwnText() throws {
        let posts = try self.posts("getIndex_107603_arknights_snapshot0.json")
        let repost = try #require(posts.first { $0.id == "4648806186747944" })
        #expect(repost.kind == .repost)
        #expect(repost.reference == "4645748019299849", "the account's own pinned post")
        #expect(!repost.isPinned)
        #expect(repost.postedAt == WeiboFixture.utc("2021-06-16T12:07:07Z"))
        #expect(
            repost.text
                == "恭喜@黄防护服黄 等10名用户获得【音律联觉主题黑胶礼盒各一套】。微博官方唯一抽奖工具@微博抽奖平台 -高级版对本次抽奖进行监督，结果公正有效。公示链接：微博抽奖平台")
        #expect(
            repost.links == [
                "https://m.weibo.cn/n/%E9%BB%84%E9%98%B2%E6%8A%A4%E6%9C%8D%E9%BB%84",
                "https://m.weibo.cn/n/%E5%BE%AE%E5%8D%9A%E6%8A%BD%E5%A5%96%E5%B9%B3%E5%8F%B0",
                "http://t.cn/A6VGmrc6", "http://t.cn/A6Vks4Os",
            ])
        #expect(repost.media.isEmpty)
    }

    @Test func shortPostTextMediaAndLinks() throws {
        let posts = try self.posts("getIndex_107603_arknights_snapshot0.json")
        let post = try #require(posts.first { $0.id == "4648004356937383" })
        #expect(post.text == "#明日方舟#\n“博士！端午节安康！要来试试一起包粽子吗？”")
        #expect(post.postedAt == WeiboFixture.utc("2021-06-14T07:00:57Z"))  // Mon Jun 14 15:00:57 +0800 2021
        #expect(post.media == ["https://wx1.sinaimg.cn/large/006QZngZgy1grht0d1dbij31hc0u0kjl.jpg"])
        // The topic link without the app's navigation parameters (luicode, lfid).
        #expect(
            post.links == [
                "https://m.weibo.cn/search?containerid=231522type%3D1%26t%3D10%26q%3D%23%E6%98%8E%E6%97%A5%E6%96%B9%E8%88%9F%23&isnewpage=1"
            ])
        #expect(post.url == "https://m.weibo.cn/status/Kk8Ont6Jh")
        #expect(!post.isTruncated && !post.isPinned && post.kind == .post && post.editedAt == nil)
    }

    @Test func snapshot1AddsExactlyOnePostBelowThePin() throws {
        let before = try self.posts("getIndex_107603_arknights_snapshot0.json")
        let after = try self.posts("getIndex_107603_arknights_snapshot1.json")
        let new = after.filter { post in !before.contains { $0.id == post.id } }
        #expect(new.map(\.id) == ["4649106427873349"])
        #expect(after[1].id == "4649106427873349")
        #expect(after[1].text == "#明日方舟#\nSideStory「沃伦姆德的薄暮」复刻现已开启！")
        #expect(after[1].postedAt == WeiboFixture.utc("2021-06-17T08:00:11Z"))
        // The same recorded post gives the same version in both snapshots.
        for post in before {
            #expect(after.first { $0.id == post.id }?.versionHash == post.versionHash, "\(post.id)")
        }
    }

    @Test func emojiImagesKeepTheirAltTextAndEditsAreMarked() throws {
        let posts = try self.posts("getIndex_107603_public_figure_page2.json")
        #expect(posts.count == 11)
        let pinned = try #require(posts.first)
        #expect(pinned.id == "4640329573078415" && pinned.isPinned)
        #expect(pinned.editedAt == WeiboFixture.utc("2021-05-28T02:38:12Z"))  // edit_count 3
        #expect(pinned.media.count == 9)
        #expect(pinned.media.first == "https://wx4.sinaimg.cn/large/71b26c7fly1gqtbff0qrrj20rt3rlb2a.jpg")
        let fofo = try #require(posts.first { $0.id == "4655701919795833" })
        #expect(fofo.text == "FOFO[作揖][作揖]#2021lpl#")
        let edited = try #require(posts.first { $0.id == "4655682274199795" })
        #expect(edited.text == "最近比赛真的[吃惊]\n吃点降血压的💊吧\n\n#2021lpl#")
        #expect(edited.editedAt == WeiboFixture.utc("2021-07-05T11:31:00Z"))  // Mon Jul 05 19:31:00 +0800 2021
        #expect(edited.postedAt == WeiboFixture.utc("2021-07-05T11:30:15Z"))
        #expect(posts.filter { $0.editedAt != nil }.map(\.id) == ["4640329573078415", "4655682274199795"])
        let repost = try #require(posts.first { $0.id == "4655758022804664" })
        #expect(repost.kind == .repost)
        #expect(repost.reference == "4655757364823177")
        #expect(repost.text.hasPrefix("我们绝不会利用签名来赚钱"))
    }

    // MARK: Long posts

    @Test func longPostsAreCompletedFromStatusesExtend() throws {
        let posts = try self.posts("getIndex_107603_arknights_snapshot0.json")
        let requests = self.adapter.completionRequests(for: posts, of: self.account)
        #expect(requests.count == 6)
        #expect(
            requests["4645748019299849"]?.url.absoluteString == "https://m.weibo.cn/statuses/extend?id=4645748019299849"
        )
        let answers = [
            "4645748019299849": try WeiboFixture.response(
                "https://m.weibo.cn/statuses/extend?id=4645748019299849", file: "statuses_extend_4645748019299849.json"),
            "4649031014551911": try WeiboFixture.response(
                "https://m.weibo.cn/statuses/extend?id=4649031014551911", file: "statuses_extend_4649031014551911.json"),
            // A failed expansion: the visitor page instead of JSON.
            "4647212359090479": WeiboFixture.response(
                "https://m.weibo.cn/statuses/extend?id=4647212359090479",
                body: Data("<html><title>Sina Visitor System</title></html>".utf8), contentType: "text/html"),
        ]
        let completed = self.adapter.complete(posts, with: answers, of: self.account)
        let pinned = try #require(completed.first { $0.id == "4645748019299849" })
        #expect(!pinned.isTruncated)
        #expect(pinned.text.contains("4. 前航远歌"))
        #expect(pinned.text.hasSuffix("开奖后奖品会在出货后寄出。 明日方舟Arknights的微博视频 抽奖详情"))
        #expect(pinned.links.contains("https://lottery.media.weibo.com/lottery/h5/history/list?mid=4645748019299849"))
        #expect(pinned.isPinned && pinned.editedAt != nil && pinned.media.count == 1, "the rest is kept")
        let notice = try #require(completed.first { $0.id == "4649031014551911" })
        #expect(notice.text.hasSuffix("*本次维护不排除延迟开启的可能，如若延迟则请关注官方发布的具体开服时间*"))
        #expect(!notice.isTruncated)
        let failed = try #require(completed.first { $0.id == "4647212359090479" })
        #expect(failed.isTruncated, "a failed expansion is never taken for an edit")
        #expect(failed == posts.first { $0.id == "4647212359090479" })
        #expect(completed.filter(\.isTruncated).count == 4)
    }

    // MARK: Failures that are never deletions

    @Test func noContentAnswerIsAnEmptyWindowForTheAccountProbe() throws {
        let outcome = self.adapter.observe(
            [try WeiboFixture.response(WeiboFixture.timelineURL, file: "getIndex_error_no_content.json")],
            for: self.account, polledAt: self.now)
        #expect(outcome == .observed(posts: [], isComplete: true))
    }

    @Test func okPageIsReadAsATimelineWhateverItsMessage() throws {
        var root =
            try JSONSerialization.jsonObject(
                with: try WeiboFixture.body("getIndex_107603_arknights_snapshot0.json")) as! [String: Any]
        root["msg"] = "这里还没有内容"
        let body = try JSONSerialization.data(withJSONObject: root)
        let outcome = self.adapter.observe(
            [WeiboFixture.response(WeiboFixture.timelineURL, body: body)], for: self.account, polledAt: self.now)
        guard case .observed(let posts, true) = outcome else {
            Issue.record("expected a complete observation, got \(outcome)")
            return
        }
        #expect(posts.count == 10, "an ok: 1 page with posts is never an empty window")
    }

    @Test func noContentOnALaterPageEndsTheList() throws {
        let outcome = self.adapter.observe(
            [
                try WeiboFixture.response(WeiboFixture.timelineURL, file: "getIndex_107603_arknights_snapshot0.json"),
                try WeiboFixture.response(
                    WeiboFixture.timelineURL + "&since_id=4646131823281332", file: "getIndex_error_no_content.json"),
            ], for: WeiboFixture.account(pages: 2), polledAt: self.now)
        guard case .observed(let posts, true) = outcome else {
            Issue.record("expected a complete observation, got \(outcome)")
            return
        }
        #expect(posts.count == 10)
    }

    @Test func pagesAreJoinedEachPostOnce() throws {
        let outcome = self.adapter.observe(
            [
                try WeiboFixture.response(WeiboFixture.timelineURL, file: "getIndex_107603_arknights_snapshot1.json"),
                try WeiboFixture.response(
                    WeiboFixture.timelineURL + "&since_id=4646131823281332",
                    file: "getIndex_107603_arknights_snapshot0.json"),
            ], for: WeiboFixture.account(pages: 2), polledAt: self.now)
        guard case .observed(let posts, true) = outcome else {
            Issue.record("expected a complete observation, got \(outcome)")
            return
        }
        #expect(posts.count == 11)
    }

    @Test(arguments: [418, 403, 414, 429])
    func rateLimitStatusesFailAndBackOffHalfAnHour(status: Int) throws {
        let response = WeiboFixture.response(
            WeiboFixture.timelineURL, status: status, body: Data(), contentType: "text/html")
        let failure = try #require(
            self.failure(self.adapter.observe([response], for: self.account, polledAt: self.now)))
        #expect(failure.kind == .rateLimited)
        #expect(failure.retryAfter == self.now.addingTimeInterval(1800))
        #expect(self.adapter.rateLimitReset(in: response, now: self.now) == self.now.addingTimeInterval(1800))
    }

    @Test func retryAfterWinsOverTheDefaultBackOff() {
        let response = WeiboFixture.response(
            WeiboFixture.timelineURL, status: 418, body: Data(), contentType: "text/html",
            headers: [("Retry-After", "120")])
        #expect(self.adapter.rateLimitReset(in: response, now: self.now) == self.now.addingTimeInterval(120))
        let fine = WeiboFixture.response(WeiboFixture.timelineURL, status: 200, body: Data("{}".utf8))
        #expect(self.adapter.rateLimitReset(in: fine, now: self.now) == nil)
    }

    @Test func loginAndVisitorWallsAreGated() throws {
        let login = WeiboFixture.response(
            WeiboFixture.timelineURL,
            body: Data(#"{"ok":-100,"url":"https://passport.weibo.cn/signin/welcome?entry=mweibo"}"#.utf8))
        let redirected = WeiboFixture.response(
            WeiboFixture.timelineURL, body: Data("<html><body>login</body></html>".utf8), contentType: "text/html",
            effectiveURL: "https://passport.weibo.com/visitor/visitor?entry=miniblog&a=enter")
        let visitor = WeiboFixture.response(
            WeiboFixture.timelineURL,
            body: Data("<!DOCTYPE html><html><head><title>Sina Visitor System</title></head><body></body></html>".utf8),
            contentType: "text/html")
        for response in [login, redirected, visitor] {
            let failure = try #require(
                self.failure(self.adapter.observe([response], for: self.account, polledAt: self.now)))
            #expect(failure.kind == .gated, "\(response.effectiveURL)")
            #expect(failure.message.contains("cookie_file"))
        }
    }

    @Test func htmlWhereJSONWasExpectedIsUnparsable() throws {
        let page = try WeiboFixture.response(WeiboFixture.timelineURL, file: "m_weibo_cn_error_page_no_data.html")
        let failure = try #require(self.failure(self.adapter.observe([page], for: self.account, polledAt: self.now)))
        #expect(failure.kind == .unparsable)
        #expect(failure.message.contains("HTML page where JSON was expected"))
    }

    @Test func unreadablePostCardOrOtherOkCodeFailsThePoll() throws {
        let badText = try WeiboFixture.editedTimeline("getIndex_107603_arknights_snapshot0.json") { cards in
            var mblog = cards[3]["mblog"] as! [String: Any]
            mblog["text"] = 42
            cards[3]["mblog"] = mblog
        }
        let otherOK = Data(#"{"ok":0,"msg":"请求过于频繁"}"#.utf8)
        for body in [badText, otherOK, Data("not json".utf8)] {
            let response = WeiboFixture.response(WeiboFixture.timelineURL, body: body)
            let failure = try #require(
                self.failure(self.adapter.observe([response], for: self.account, polledAt: self.now)))
            #expect(failure.kind == .unparsable)
        }
        let serverError = WeiboFixture.response(WeiboFixture.timelineURL, status: 502, body: Data())
        #expect(
            self.failure(self.adapter.observe([serverError], for: self.account, polledAt: self.now))?.kind
                == .httpStatus)
    }

    @Test func suspensionNoticeOnTheTimelineIsAnAccountEvent() {
        let body = Data(#"{"ok":0,"msg":"该账号因被投诉违反法律法规和《微博社区公约》的相关规定，现已无法查看。查看帮助"}"#.utf8)
        let outcome = self.adapter.observe(
            [WeiboFixture.response(WeiboFixture.timelineURL, body: body)], for: self.account, polledAt: self.now)
        guard case .accountUnavailable(let reason, let detail) = outcome else {
            Issue.record("expected an account event, got \(outcome)")
            return
        }
        #expect(reason == .accountSuspended)
        #expect(detail.contains("该账号因被投诉"))
    }
}
