public import Foundation

@testable public import PalimpsestCore

/// The recorded WeChat pages in `Tests/Fixtures/real/wechat/` and answers built from them.
public enum WatchedPageFixture {
    public static let article = "wechat/mp_weixin_article_ok_banyuetan_video.html"
    public static let linkExpired = "wechat/mp_weixin_error_page_link_expired.html"
    public static let rateLimit = "wechat/mp_weixin_rate_limit_verify_identity.html"

    /// The article's path and query on mp.weixin.qq.com (from the page's own `msg_link`).
    public static let articlePath = "/s?__biz=MjM5OTU4Nzc0Mg==&mid=2658636581&idx=1&sn=1539bbb6d8697096532dbda1c2959b1c"
    public static let articleURL = URL(string: "https://mp.weixin.qq.com" + articlePath)!
    public static let articleID = "__biz=MjM5OTU4Nzc0Mg==&mid=2658636581&idx=1"

    /// A watched-page account for `url`.
    public static func account(_ url: URL = articleURL, tombstones: [TombstoneRule] = []) -> Account {
        let source = AccountSource.url(url: url, tombstones: tombstones)
        return Account(key: Account.key(for: source), name: "半月谈", source: source)
    }

    public static func body(_ path: String) throws -> Data {
        try IntegrationHarness.fixture(path)
    }

    /// WeChat's interstitial saying `message` (derived: the recorded "link expired" page, the
    /// same weui-msg template WeChat uses for its deletion and violation notices, FORMATS.md §5,
    /// with `链接已过期` replaced by `message`).
    public static func interstitial(saying message: String) throws -> Data {
        let template = String(decoding: try self.body(self.linkExpired), as: UTF8.self)
        precondition(template.contains("链接已过期"))
        return Data(template.replacingOccurrences(of: "链接已过期", with: message).utf8)
    }

    /// The recorded article with the video title `半月谈《基层说》` (its text) replaced (derived).
    public static func article(withText text: String) throws -> Data {
        let page = String(decoding: try self.body(self.article), as: UTF8.self)
        let span = "<span id=\"video_title\">半月谈《基层说》</span>"
        precondition(page.contains(span))
        return Data(page.replacingOccurrences(of: span, with: "<span id=\"video_title\">\(text)</span>").utf8)
    }

    public static func response(
        _ body: Data, status: Int = 200, url: URL = articleURL, effectiveURL: URL? = nil,
        headers: HTTPHeaders = ["Content-Type": "text/html; charset=utf-8"]
    ) -> HTTPResponse {
        HTTPResponse(url: url, effectiveURL: effectiveURL, status: status, headers: headers, body: body)
    }
}
