import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// When the probe answers in this file arrive (UTC); classification reads no clock.
private let probedAt = Date(timeIntervalSince1970: 1_790_000_000)

/// The one rule table, through the adapter's probe and account-probe classifications and the
/// reading of reposted originals.
@Suite struct WeiboAnswerRulesTests {
    let adapter = WeiboAdapter()
    let account = WeiboFixture.account()
    let post = Post(id: "4648004356937383", text: "#明日方舟#")
    static let statusURL = "https://m.weibo.cn/status/4648004356937383"
    static let profileURL = "https://m.weibo.cn/api/container/getIndex?type=uid&value=6279793937"

    private func probe(_ response: HTTPResponse) -> ProbeVerdict {
        self.adapter.classifyProbe(response, for: self.post, of: self.account, now: probedAt)
    }

    private func html(_ text: String, status: Int = 200, effectiveURL: String? = nil) -> HTTPResponse {
        WeiboFixture.response(
            Self.statusURL, status: status, body: Data(text.utf8), contentType: "text/html; charset=utf-8",
            effectiveURL: effectiveURL)
    }

    /// The `m.weibo.cn` error page template (fixture `m_weibo_cn_error_page_no_data.html`) with
    /// another message in its `h5-4con` paragraph.
    private func errorPage(saying message: String) throws -> HTTPResponse {
        let template = String(decoding: try WeiboFixture.body("m_weibo_cn_error_page_no_data.html"), as: UTF8.self)
        let page = template.replacingOccurrences(
            of: "<p class=\"h5-4con\">暂无数据</p>", with: "<p class=\"h5-4con\">\(message)</p>")
        #expect(page != template)
        return self.html(page)
    }

    private func reason(_ verdict: ProbeVerdict) -> Reason? {
        if case .tombstone(let reason, _) = verdict { return reason }
        return nil
    }

    private func isInconclusive(_ verdict: ProbeVerdict) -> Bool {
        if case .inconclusive = verdict { return true }
        return false
    }

    // MARK: Every row cites a source

    @Test func everyRowCitesItsSource() {
        #expect(!WeiboAnswerRules.table.isEmpty)
        for rule in WeiboAnswerRules.table {
            #expect(
                rule.source.contains("FORMATS.md") || rule.source.contains("fixture") || rule.source.contains("RFC")
                    || rule.source.contains("issue 3") || rule.source.contains("DESIGN.md")
                    || rule.source.contains("[C]"),
                "\(rule.match) has no source")
        }
    }

    // MARK: Post probes

    @Test func recordedNoDataErrorPageIsRemovedNeverAGuessedReason() throws {
        let verdict = self.probe(try WeiboFixture.response(Self.statusURL, file: "m_weibo_cn_error_page_no_data.html"))
        guard case .tombstone(let reason, let detail) = verdict else {
            Issue.record("expected a tombstone, got \(verdict)")
            return
        }
        #expect(reason == .removed)
        #expect(detail.contains("暂无数据"))
        #expect(detail.contains("m_weibo_cn_error_page_no_data.html"), "the detail names the rule's source")
    }

    @Test(arguments: [
        ("微博不存在或暂无查看权限!", Reason.removed),
        ("抱歉，此微博已被作者删除。查看帮助：http://t.cn/zWSudZc", .authorDeleted),
        ("该微博因违反《微博社区公约》的相关规定，已被删除", .censored),
        ("由于作者隐私设置，你没有权限查看此微博", .accountPrivate),
        ("抱歉，由于作者设置，你暂时没有这条微博的查看权限哦。", .accountPrivate),
        ("抱歉，作者已设置仅展示半年内微博，此微博已不可见。", .accountPrivate),
        ("根据博主设置，此内容无法访问", .accountPrivate),
        ("该账号因被投诉违反法律法规和《微博社区公约》的相关规定，现已无法查看。查看帮助", .accountSuspended),
        ("用户不存在", .accountDeleted),
    ])
    func tombstoneMessagesOnTheErrorPageGiveTheirReason(message: String, expected: Reason) throws {
        #expect(self.reason(self.probe(try self.errorPage(saying: message))) == expected, "\(message)")
    }

    @Test func jsonTombstonesAreReadFromMsgAndErrno() {
        let errno = WeiboFixture.response(
            Self.statusURL, body: Data(#"{"ok":0,"errno":"20101","msg":"\u5fae\u535a"}"#.utf8))
        #expect(self.reason(self.probe(errno)) == .removed)
        let numeric = WeiboFixture.response(Self.statusURL, body: Data(#"{"ok":0,"errno":20101}"#.utf8))
        #expect(self.reason(self.probe(numeric)) == .removed)
        let denied = WeiboFixture.response(Self.statusURL, body: Data(#"{"ok":0,"msg":"permission denied!"}"#.utf8))
        #expect(self.reason(self.probe(denied)) == .censored)
        let escaped = WeiboFixture.response(
            Self.statusURL, status: 200,
            body: Data(
                #"{"ok":0,"msg":"\u5fae\u535a\u4e0d\u5b58\u5728\u6216\u6682\u65e0\u67e5\u770b\u6743\u9650"}"#.utf8))
        #expect(self.reason(self.probe(escaped)) == .removed, "msg escaped as \\u sequences, as Weibo sends it")
    }

    @Test func statusPageShowingThePostMeansItExists() {
        // The page embeds the status JSON; this one also quotes a deleted original in a repost.
        let page = """
            <html><head><title>微博</title></head><body><script>
            var $render_data = [{"status": {"id": "4648004356937383", "mid": "4648004356937383",
            "retweeted_status": {"id": "1", "text": "抱歉，此微博已被作者删除。查看帮助：http://t.cn/zWSudZc"}}}][0] || {};
            </script></body></html>
            """
        #expect(self.probe(self.html(page)) == .exists)
        let json = WeiboFixture.response(Self.statusURL, body: Data(#"{"ok":1,"data":{"id":4648004356937383}}"#.utf8))
        #expect(self.probe(json) == .exists)
        // Another post's page (a longer ID with the same start) is not this post.
        let other = self.html(#"<script>var $render_data = [{"status": {"id": "46480043569373831"}}][0]</script>"#)
        #expect(self.probe(other) != .exists)
    }

    @Test func answersThatProveNothingAreInconclusive() throws {
        let answers: [HTTPResponse] = [
            self.html("", status: 418),
            self.html("<html>Forbidden</html>", status: 403),
            self.html("", status: 414),
            self.html("<html>Bad gateway</html>", status: 502),
            self.html("<html><title>Sina Visitor System</title></html>"),
            self.html("<html>login</html>", effectiveURL: "https://passport.weibo.com/visitor/visitor?entry=miniblog"),
            self.html("<html>some other page</html>"),
            self.html("<html>not found</html>", status: 404),
            // A rate-limited answer that quotes a tombstone still proves nothing.
            self.html("<p>微博不存在或暂无查看权限</p>", status: 418),
            try self.errorPage(saying: "服务器繁忙"),
            WeiboFixture.response(Self.statusURL, body: try WeiboFixture.body("getIndex_error_no_content.json")),
        ]
        for answer in answers {
            let verdict = self.probe(answer)
            #expect(self.isInconclusive(verdict), "HTTP \(answer.status) \(answer.effectiveURL) gave \(verdict)")
        }
    }

    // MARK: Account probes

    @Test func recordedProfileMeansTheAccountIsThere() throws {
        let profile = try WeiboFixture.response(Self.profileURL, file: "getIndex_uid_profile_arknights.json")
        #expect(self.adapter.classifyAccountProbe(profile, for: self.account, now: probedAt) == .available)
        // The same profile is not proof for another uid.
        let source = AccountSource.weibo(uid: "1195230310", baseURL: WeiboFixture.base, pages: 1, cookieFile: nil)
        let stranger = Account(key: Account.key(for: source), source: source)
        guard case .inconclusive = self.adapter.classifyAccountProbe(profile, for: stranger, now: probedAt) else {
            Issue.record("another account's profile must prove nothing")
            return
        }
    }

    @Test func recordedNoContentProfileMeansTheAccountIsGoneWithoutSayingWhy() throws {
        let empty = try WeiboFixture.response(Self.profileURL, file: "getIndex_error_no_content.json")
        guard
            case .unavailable(let reason, let detail) = self.adapter.classifyAccountProbe(
                empty, for: self.account, now: probedAt)
        else {
            Issue.record("expected the account unavailable")
            return
        }
        #expect(reason == .removed)
        #expect(detail.contains("这里还没有内容"))
    }

    @Test func accountTombstonesAndNonAnswers() {
        let suspended = WeiboFixture.response(
            Self.profileURL, body: Data(#"{"ok":0,"msg":"该账号因被投诉违反法律法规和《微博社区公约》的相关规定，现已无法查看。"}"#.utf8))
        #expect(self.unavailableReason(suspended) == .accountSuspended)
        let missing = WeiboFixture.response(
            Self.profileURL, body: Data(#"<html><p class="h5-4con">用户不存在</p></html>"#.utf8), contentType: "text/html")
        #expect(self.unavailableReason(missing) == .accountDeleted)
        for status in [418, 403, 503] {
            let limited = WeiboFixture.response(Self.profileURL, status: status, body: Data())
            #expect(self.unavailableReason(limited) == nil)
            #expect(self.adapter.classifyAccountProbe(limited, for: self.account, now: probedAt) != .available)
        }
        let login = WeiboFixture.response(
            Self.profileURL, body: Data(#"{"ok":-100,"url":"https://passport.weibo.cn/signin"}"#.utf8))
        #expect(self.unavailableReason(login) == nil)
        #expect(self.adapter.classifyAccountProbe(login, for: self.account, now: probedAt) != .available)
    }

    private func unavailableReason(_ response: HTTPResponse) -> Reason? {
        if case .unavailable(let reason, _) = self.adapter.classifyAccountProbe(
            response, for: self.account, now: probedAt)
        {
            return reason
        }
        return nil
    }

    // MARK: Reposted originals

    @Test(arguments: [
        ("抱歉，此微博已被作者删除。查看帮助：http://t.cn/zWSudZc", false, Reason?.some(.authorDeleted)),
        ("该微博因违反《微博社区公约》的相关规定，已被删除", false, .censored),
        ("抱歉，由于作者设置，你暂时没有这条微博的查看权限哦。查看帮助：http://t.cn/z8zSbAe", false, .accountPrivate),
        ("微博不存在或暂无查看权限", false, .removed),
        ("", true, .removed),
        ("#明日方舟# 2021明日方舟音律联觉Ambience Synesthesia专场演出官方录播将于6月12日10:30正式上线", false, nil),
        // An ordinary post that quotes a tombstone phrase further on is no tombstone.
        ("今天看到一条很奇怪的微博，点进去以后页面上写着一句话，大家猜猜是什么？答案是：抱歉，此微博已被作者删除", false, nil),
    ])
    func repostedOriginalTombstonesAreFindingsAboutTheOriginal(text: String, deleted: Bool, expected: Reason?) {
        #expect(WeiboAnswerRules.reasonForRepostedOriginal(text: text, isMarkedDeleted: deleted) == expected)
    }

    @Test func publicRepostClassificationReadsHTML() {
        #expect(
            WeiboAdapter.tombstoneReason(
                ofRepostedOriginal: "抱歉，此微博已被作者删除。查看帮助：<a href=\"http://t.cn/zWSudZc\">http://t.cn/zWSudZc</a>")
                == .authorDeleted)
        #expect(WeiboAdapter.tombstoneReason(ofRepostedOriginal: "<p>该微博因违反《微博社区公约》的相关规定，已被删除</p>") == .censored)
        #expect(WeiboAdapter.tombstoneReason(ofRepostedOriginal: "今天天气很好") == nil)
    }

    @Test func recordedRepostsOfLiveOriginalsCarryNoTombstone() throws {
        for file in ["getIndex_107603_arknights_snapshot0.json", "getIndex_107603_public_figure_page2.json"] {
            let page = try JSONDecoder().decode(WeiboTimelinePage.self, from: try WeiboFixture.body(file))
            let reposts = page.statuses.filter { $0.retweeted != nil }
            #expect(reposts.count == 1, "\(file)")
            #expect(reposts.allSatisfy { $0.retweetedTombstone == nil }, "\(file)")
        }
    }

    @Test func repostOfADeletedOriginalIsClassifiedAndKeepsItsVersion() throws {
        // snapshot0 card 2 with its original replaced by Weibo's author-deleted tombstone.
        let body = try WeiboFixture.editedTimeline("getIndex_107603_arknights_snapshot0.json") { cards in
            var mblog = cards[2]["mblog"] as! [String: Any]
            var original = mblog["retweeted_status"] as! [String: Any]
            original["text"] = "抱歉，此微博已被作者删除。查看帮助：<a href=\"http://t.cn/zWSudZc\">http://t.cn/zWSudZc</a>"
            original["deleted"] = "1"
            mblog["retweeted_status"] = original
            cards[2]["mblog"] = mblog
        }
        let page = try JSONDecoder().decode(WeiboTimelinePage.self, from: body)
        let repost = try #require(page.statuses.first { $0.id == "4648806186747944" })
        #expect(repost.retweetedTombstone == .authorDeleted)
        let recorded = try JSONDecoder().decode(
            WeiboTimelinePage.self, from: try WeiboFixture.body("getIndex_107603_arknights_snapshot0.json"))
        let before = try #require(recorded.statuses.first { $0.id == "4648806186747944" })
        let now = WeiboFixture.utc("2021-06-17T09:00:00Z")
        #expect(
            repost.post(now: now).versionHash == before.post(now: now).versionHash,
            "the reposter changed nothing: the repost is not altered")
        // The finding about the original travels with the repost, for the detector to log.
        let tombstone = try #require(repost.post(now: now).referenceTombstone)
        #expect(tombstone.reason == .authorDeleted)
        #expect(tombstone.detail.contains("抱歉，此微博已被作者删除"))
        #expect(before.post(now: now).referenceTombstone == nil)
    }
}
