import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// When the probe answers in this file arrive (UTC); classification reads no clock.
private let probedAt = Date(timeIntervalSince1970: 1_790_000_000)

/// Watched pages: the recorded WeChat pages, pages derived from them (labelled), generic pages,
/// and the rule table.
struct WatchedPageAdapterTests {
    let adapter = WatchedPageAdapter()
    let now = Date(timeIntervalSince1970: 1_785_592_800)  // 2026-08-01T14:00:00Z

    func observe(_ response: HTTPResponse, _ account: Account = WatchedPageFixture.account()) -> TimelineOutcome {
        self.adapter.observe([response], for: account, polledAt: self.now)
    }

    func probe(_ response: HTTPResponse, _ account: Account = WatchedPageFixture.account()) -> ProbeVerdict {
        self.adapter.classifyProbe(response, for: Post(id: "page", text: ""), of: account, now: probedAt)
    }

    // MARK: - Recorded WeChat pages

    @Test func liveArticleIsOnePinnedPostWithItsIdentityTitleTimeAndText() throws {
        let outcome = self.observe(WatchedPageFixture.response(try WatchedPageFixture.body(WatchedPageFixture.article)))
        guard case .observed(let posts, let isComplete) = outcome, let post = posts.first else {
            Issue.record("expected the page post, got \(outcome)")
            return
        }
        #expect(isComplete)
        #expect(posts.count == 1)
        #expect(post.id == WatchedPageFixture.articleID, "__biz + mid + idx; the sn signature is left out")
        #expect(post.url == WatchedPageFixture.articleURL.absoluteString)
        #expect(post.title == "半月谈《基层说》", "d.title of the video page (its <title> is only 视频)")
        #expect(post.postedAt == Date(timeIntervalSince1970: 1_558_073_716), "ct = \"1558073716\"")
        #expect(post.text == "半月谈《基层说》", "the text of #js_content; its description is written by a script")
        #expect(post.media.isEmpty && post.links.isEmpty)
        #expect(post.isPinned, "a watched page sits outside any time-ordered window")
        #expect(post.html?.contains("video_title") == true)
        #expect(
            self.adapter.rateLimitReset(
                in: WatchedPageFixture.response(try WatchedPageFixture.body(WatchedPageFixture.article)), now: self.now)
                == nil)
    }

    @Test func linkExpiredPageProvesNothing() throws {
        let response = WatchedPageFixture.response(try WatchedPageFixture.body(WatchedPageFixture.linkExpired))
        let outcome = self.observe(response)
        #expect(outcome.failure != nil, "never an empty (deleted) page")
        #expect(outcome.failure?.message.contains("链接已过期") == true)
        #expect(self.probe(response).isInconclusive)
        #expect(self.adapter.rateLimitReset(in: response, now: self.now) == nil)
    }

    @Test func verifyIdentityPageIsBlindAndKeepsTheHostAloneForAnHour() throws {
        let response = WatchedPageFixture.response(try WatchedPageFixture.body(WatchedPageFixture.rateLimit))
        let failure = try #require(self.observe(response).failure)
        #expect(failure.kind == .rateLimited)
        #expect(failure.retryAfter == self.now.addingTimeInterval(3600))
        #expect(self.adapter.rateLimitReset(in: response, now: self.now) == self.now.addingTimeInterval(3600))
        #expect(self.probe(response).isInconclusive)
    }

    @Test func captchaRedirectIsBlind() {
        let response = WatchedPageFixture.response(
            Data("<html><body>请完成验证</body></html>".utf8),
            effectiveURL: URL(string: "https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=abc&target_url=x")!)
        #expect(self.observe(response).failure?.kind == .rateLimited)
        #expect(self.adapter.rateLimitReset(in: response, now: self.now) == self.now.addingTimeInterval(3600))
    }

    // MARK: - Tombstones (derived from the recorded interstitial template)

    struct Notice: Sendable, CustomTestStringConvertible {
        var text: String
        var reason: Reason
        var testDescription: String { "\(self.text) → \(self.reason.rawValue)" }
    }

    /// The strings of FORMATS.md §5 and issue 3 item 10, as the notices spell them.
    static let notices: [Notice] = [
        Notice(text: "该内容已被发布者删除", reason: .authorDeleted),
        Notice(text: "此内容因违规无法查看", reason: .censored),
        Notice(text: "此内容因违规已删除", reason: .censored),
        Notice(text: "此内容被多人投诉，相关的内容无法进行查看。", reason: .censored),
        Notice(text: "该内容被投诉且经审核涉嫌侵权，无法查看", reason: .censored),
        Notice(text: "此内容发送失败无法查看", reason: .censored),
        Notice(text: "由用户投诉并经平台审核，涉嫌过度营销、骚扰用户", reason: .censored),
        Notice(text: "此帐号已被屏蔽, 内容无法查看", reason: .accountSuspended),
        Notice(text: "此帐号已自主注销，内容无法查看", reason: .accountDeleted),
        Notice(text: "根据作者隐私设置，无法查看该内容", reason: .accountPrivate),
    ]

    @Test(arguments: Self.notices)
    func noticePageRemovesThePagePostAndItsProbeNamesTheReason(_ notice: Notice) throws {
        let response = WatchedPageFixture.response(try WatchedPageFixture.interstitial(saying: notice.text))
        #expect(self.observe(response) == .observed(posts: [], isComplete: true))
        guard case .tombstone(let reason, let detail) = self.probe(response) else {
            Issue.record("expected a tombstone for \(notice.text)")
            return
        }
        #expect(reason == notice.reason)
        #expect(detail.contains(notice.text), "the detail quotes WeChat's words")
        #expect(self.adapter.rateLimitReset(in: response, now: self.now) == nil)
    }

    @Test(arguments: ["此帐号处于帐号迁移流程中", "该公众号已迁移"])
    func movedAccountNoticesProveNothing(_ text: String) throws {
        let response = WatchedPageFixture.response(try WatchedPageFixture.interstitial(saying: text))
        #expect(self.observe(response).failure != nil)
        #expect(self.probe(response).isInconclusive)
    }

    @Test func articleQuotingANoticeStaysLive() throws {
        // Derived: the article's own text quotes a deletion notice.
        let body = try WatchedPageFixture.article(withText: "网传“该内容已被发布者删除”？此内容因违规无法查看？")
        let outcome = self.observe(WatchedPageFixture.response(body))
        #expect(outcome.postIDs == [WatchedPageFixture.articleID])
        #expect(self.probe(WatchedPageFixture.response(body)) == .exists, "a live page never confirms a deletion")
    }

    @Test func unknownWeChatPageIsBlind() {
        let outcome = self.observe(WatchedPageFixture.response(Data("<html><body><p>系统错误</p></body></html>".utf8)))
        #expect(outcome.failure?.kind == .unparsable)
    }

    @Test func configRulesNameTheReasonButNeverOverrideAnAntiBotPage() throws {
        let tombstones = [TombstoneRule(contains: "此内容因违规无法查看", reason: .removed)]
        let account = WatchedPageFixture.account(tombstones: tombstones)
        let notice = WatchedPageFixture.response(try WatchedPageFixture.interstitial(saying: "此内容因违规无法查看"))
        #expect(
            self.probe(notice, account).tombstoneReason == .removed, "the account's rule comes before the built-in one")
        #expect(self.probe(notice).tombstoneReason == .censored)
        let antiBot = [TombstoneRule(contains: "验证身份", reason: .censored)]
        let blocked = WatchedPageFixture.response(try WatchedPageFixture.interstitial(saying: "验证身份"))
        #expect(self.observe(blocked, WatchedPageFixture.account(tombstones: antiBot)).failure?.kind == .rateLimited)

        let rules = WatchedPageAdapter.rules(with: tombstones)
        let configIndex = try #require(rules.firstIndex { $0.source.hasPrefix("config:") })
        let firstTombstone = try #require(
            rules.firstIndex {
                if case .message = $0.sign, case .tombstone = $0.outcome { return true } else { return false }
            })
        let lastDisplayedAntiBot = try #require(
            rules.lastIndex {
                if case .message = $0.sign, case .blind = $0.outcome { return true } else { return false }
            })
        #expect(lastDisplayedAntiBot < configIndex && configIndex < firstTombstone)
        #expect(rules.count == WatchedPageAdapter.builtInRules.count + 1)
    }

    @Test func everyBuiltInRuleCitesItsSource() {
        #expect(WatchedPageAdapter.builtInRules.allSatisfy { !$0.source.isEmpty })
        #expect(AdapterRegistry.standard.contains(.url))
    }

    // MARK: - Any other page

    @Test func genericPageIsItsTitleAndVisibleText() throws {
        let url = URL(string: "https://news.example.cn/2026/08/01/article-1.html")!
        let body = Data(
            """
            <html><head><title>Headline – Example News</title><script>var x = 1;</script></head>
            <body><h1>Headline</h1><p>First paragraph.</p><style>.a{}</style><p>Second.</p></body></html>
            """.utf8)
        let outcome = self.observe(WatchedPageFixture.response(body, url: url), WatchedPageFixture.account(url))
        guard case .observed(let posts, true) = outcome, let post = posts.first else {
            Issue.record("expected the page post, got \(outcome)")
            return
        }
        #expect(post.id == url.absoluteString)
        #expect(post.title == "Headline – Example News")
        #expect(post.text == "Headline\n\nFirst paragraph.\n\nSecond.")
        #expect(post.isPinned)
    }

    @Test func genericPageStatusesAndConfigTombstones() throws {
        let url = URL(string: "https://news.example.cn/a.html")!
        let plain = WatchedPageFixture.account(url)
        let ruled = WatchedPageFixture.account(
            url, tombstones: [TombstoneRule(contains: "This article has been removed", reason: .censored)])
        let gone = WatchedPageFixture.response(Data("<h1>Not Found</h1>".utf8), status: 404, url: url)
        #expect(self.observe(gone, plain) == .observed(posts: [], isComplete: true))
        #expect(self.probe(gone, plain) == .tombstone(reason: .removed, detail: "HTTP 404 from \(url.absoluteString)"))
        #expect(
            self.probe(WatchedPageFixture.response(Data(), status: 410, url: url), plain).tombstoneReason == .removed)
        #expect(
            self.observe(WatchedPageFixture.response(Data(), status: 500, url: url), plain).failure?.kind == .httpStatus
        )
        #expect(self.observe(WatchedPageFixture.response(Data(), status: 403, url: url), plain).failure?.kind == .gated)
        let limited = self.observe(
            WatchedPageFixture.response(Data(), status: 429, url: url, headers: ["Retry-After": "120"]), plain)
        #expect(limited.failure?.kind == .rateLimited)
        #expect(limited.failure?.retryAfter == self.now.addingTimeInterval(120))

        let removed = WatchedPageFixture.response(
            Data("<html><body><div class=\"notice\">This   article has been removed.</div></body></html>".utf8),
            url: url)
        #expect(self.observe(removed, ruled) == .observed(posts: [], isComplete: true))
        #expect(self.probe(removed, ruled).tombstoneReason == .censored)
        #expect(self.observe(removed, plain).postIDs == [url.absoluteString], "without the rule it is just a page")
        #expect(self.probe(removed, plain) == .exists, "without the rule it is the live page")
    }

    // MARK: - WeChat identity and script values

    @Test func weChatIdentityComesFromBizMidAndIdx() {
        #expect(WeChatArticle.identity(of: WatchedPageFixture.articleURL) == WatchedPageFixture.articleID)
        #expect(
            WeChatArticle.identity(of: URL(string: "https://mp.weixin.qq.com/s?idx=2&mid=7&__biz=QQ%3D%3D&chksm=x#rd")!)
                == "__biz=QQ==&mid=7&idx=2")
        #expect(WeChatArticle.identity(of: URL(string: "https://mp.weixin.qq.com/s/AbCdEfGh")!) == nil)
        #expect(WeChatArticle.isArticleURL(URL(string: "https://mp.weixin.qq.com/s/AbCdEfGh")!))
        #expect(!WeChatArticle.isArticleURL(URL(string: "https://example.org/s?mid=1")!))
        #expect(!WeChatArticle.isArticleURL(URL(string: "https://mp.weixin.qq.com/mp/homepage?__biz=QQ==&hid=1")!))
        let older = URL(string: "https://mp.weixin.qq.com/mp/appmsg/show?__biz=QQ==&appmsgid=7&itemidx=2&sign=z")!
        #expect(WeChatArticle.identity(of: older) == "__biz=QQ==&mid=7&idx=2", "the same article as its /s? link")
    }

    @Test func scriptValuesAreReadFromAssignmentsOnly() {
        let scripts = [
            #"var act = "no"; _g.msg_title = cgiData.title; var msg_title = '标题\x26amp;副标题'.html(false);"#,
            #"d.ct = "1558073716"; var ct2 = "9"; if (ct == "1") {}"#,
        ]
        #expect(WeChatArticle.scriptString(named: "msg_title", in: scripts) == "标题&副标题")
        #expect(WeChatArticle.scriptString(named: "ct", in: scripts) == "1558073716")
        #expect(WeChatArticle.createdAt(scripts: scripts) == Date(timeIntervalSince1970: 1_558_073_716))
        #expect(WeChatArticle.scriptString(named: "nothing", in: scripts) == nil)
        #expect(WeChatArticle.scriptString(named: "ct", in: [#"if (ct == "1") { act = "2" }"#]) == nil)
    }
}

extension ProbeVerdict {
    var tombstoneReason: Reason? {
        if case .tombstone(let reason, _) = self { return reason }
        return nil
    }
}
