import Foundation

/// What a Weibo answer means, as the rule table reads it. Each caller (timeline, post probe,
/// account probe) turns a finding into its own outcome; see ``WeiboAnswerRules``.
enum WeiboFinding: Sendable, Hashable {
    /// Too many requests: HTTP 418, 403, 414 or 429. Back off; never evidence.
    case rateLimited
    /// A server error (5xx): proves nothing.
    case serverError
    /// A login wall or the visitor-cookie page: blind, never evidence.
    case gated
    /// The answer shows the probed post: it exists.
    case postShown
    /// The answer is the account's profile: the account exists.
    case accountShown
    /// The post is gone, for this reason.
    case postGone(Reason)
    /// The whole account is gone or hidden, for this reason.
    case accountGone(Reason)
    /// `ok: 0` with `这里还没有内容` ("no content here yet"): an empty list. On the timeline it
    /// is an empty window (the detector then probes the account); on the profile the account is
    /// not there.
    case noContent
}

/// One row of the rule table: what to look for, what it means, and where that fact comes from.
struct WeiboAnswerRule: Sendable, Hashable {
    /// What the row looks for in a ``WeiboAnswer``.
    enum Match: Sendable, Hashable {
        /// The HTTP status.
        case httpStatus(ClosedRange<Int>)
        /// Redirects ended on this host or a subdomain of it.
        case finalHost(String)
        /// Redirects ended on a path containing this text.
        case finalPath(String)
        /// The API's `ok` code.
        case okCode(Int)
        /// The API's `errno`.
        case errno(String)
        /// The message (JSON `msg`, or the page's text) contains this text (case-insensitive).
        case message(String)
        /// An `m.weibo.cn` error page (`<title>微博-出错了</title>`) whose message contains this text.
        case errorPage(String)
        /// The answer carries the probed post (``WeiboAnswer/showsPost(id:)``).
        case showsPost
        /// The answer is the account's profile (``WeiboAnswer/showsAccount(uid:)``).
        case showsAccount
    }

    /// What the row looks for.
    var match: Match
    /// What a match means.
    var finding: WeiboFinding
    /// Where the fact comes from: a fixture file or a FORMATS.md entry.
    var source: String
}

/// The ONE table that maps Weibo's answers to meanings (issue 3 items 4, 5 and 11), first match
/// wins, each row citing its source. A new tombstone message is one line to add.
///
/// Order matters: transport-level rows (rate limit, server error, login or visitor page) come
/// first, since such an answer proves nothing about a post; then the rows that say something
/// exists (a status page that shows the post may quote a reposted original's tombstone text);
/// then account tombstones before post tombstones. Where Weibo's words cannot tell an
/// author's deletion from the platform's (`微博不存在或暂无查看权限`, errno 20101, the "no data"
/// error page), the reason is `removed`: never a guess.
enum WeiboAnswerRules {
    static let table: [WeiboAnswerRule] = [
        // Rate limits: no headers, just these statuses; the block lasts minutes to hours.
        .init(
            match: .httpStatus(418...418), finding: .rateLimited,
            source: "FORMATS.md §3 Rate limit (dataabc/weibo-crawler#557, nghuyong/WeiboSpider#92)"),
        .init(
            match: .httpStatus(403...403), finding: .rateLimited,
            source: "FORMATS.md §3 Rate limit (nghuyong/WeiboSpider#99, dataabc/weiboSpider#20)"),
        .init(
            match: .httpStatus(414...414), finding: .rateLimited,
            source: "FORMATS.md §3 Rate limit (meterscao/Speechless#2)"),
        .init(match: .httpStatus(429...429), finding: .rateLimited, source: "RFC 6585 §4 (429 Too Many Requests)"),
        .init(match: .httpStatus(500...599), finding: .serverError, source: "RFC 9110 §15.6 (server errors)"),
        // Login walls and the visitor-cookie page.
        .init(
            match: .finalHost("passport.weibo.com"), finding: .gated,
            source: "FORMATS.md §3 Suspended/nonexistent (login wall); issue 3 item 5"),
        .init(
            match: .finalHost("passport.weibo.cn"), finding: .gated,
            source: "FORMATS.md §3 Suspended/nonexistent (login wall); issue 3 item 5"),
        .init(match: .finalPath("/visitor"), finding: .gated, source: "issue 3 item 5 (visitor page)"),
        .init(
            match: .message("Sina Visitor System"), finding: .gated,
            source: "title of Weibo's visitor-cookie page (crawler code [C])"),
        .init(
            match: .okCode(-100), finding: .gated, source: "FORMATS.md §3 Suspended/nonexistent: `ok: -100` login wall"),
        // Answers that show something exists.
        .init(
            match: .showsPost, finding: .postShown,
            source: "FORMATS.md §3 Stable post ID (`mblog.id`/`mid`); fixture getIndex_107603_arknights_snapshot0.json"),
        .init(
            match: .showsAccount, finding: .accountShown,
            source: "fixture getIndex_uid_profile_arknights.json (`userInfo`)"),
        // The account is gone.
        .init(
            match: .message("该账号因被投诉违反"), finding: .accountGone(.accountSuspended),
            source: "FORMATS.md §3 Suspended/nonexistent (suspended-account tombstone)"),
        .init(
            match: .message("用户不存在"), finding: .accountGone(.accountDeleted),
            source: "FORMATS.md §3 Suspended/nonexistent (`m.weibo.cn/n/<name>` → 用户不存在)"),
        // The post is hidden by the author's privacy settings.
        .init(
            match: .message("由于作者隐私设置"), finding: .postGone(.accountPrivate),
            source: "FORMATS.md §3 Private/protected"),
        .init(
            match: .message("由于作者设置"), finding: .postGone(.accountPrivate), source: "FORMATS.md §3 Private/protected"),
        .init(
            match: .message("仅展示半年内"), finding: .postGone(.accountPrivate), source: "FORMATS.md §3 Private/protected"),
        .init(
            match: .message("根据博主设置"), finding: .postGone(.accountPrivate), source: "FORMATS.md §3 Private/protected"),
        // The post is gone, and Weibo says by whom.
        .init(
            match: .message("此微博已被作者删除"), finding: .postGone(.authorDeleted),
            source: "FORMATS.md §3 Deleted post (抱歉，此微博已被作者删除)"),
        .init(
            match: .message("因违反《微博社区公约》"), finding: .postGone(.censored),
            source: "FORMATS.md §3 Deleted post (该微博因违反《微博社区公约》的相关规定，已被删除)"),
        .init(
            match: .message("permission denied"), finding: .postGone(.censored),
            source: "DESIGN.md vocabulary: reason `censored` (\"permission denied\")"),
        // The post is gone, and Weibo does not say by whom.
        .init(
            match: .errno("20101"), finding: .postGone(.removed),
            source: "FORMATS.md §3 Deleted post (errno 20101 = 微博不存在或暂无查看权限)"),
        .init(
            match: .message("微博不存在或暂无查看权限"), finding: .postGone(.removed),
            source: "FORMATS.md §3 Deleted post (h5-4con 微博不存在或暂无查看权限!)"),
        .init(
            match: .errorPage("暂无数据"), finding: .postGone(.removed),
            source: "fixture m_weibo_cn_error_page_no_data.html (微博-出错了 / 暂无数据)"),
        // An empty list.
        .init(match: .message("这里还没有内容"), finding: .noContent, source: "fixture getIndex_error_no_content.json"),
    ]

    /// The first row of ``table`` that matches `answer`, or `nil` when none does.
    /// - Parameters:
    ///   - answer: the answer.
    ///   - postID: the probed post's ID (for ``WeiboAnswerRule/Match/showsPost``), if any.
    ///   - uid: the account's uid (for ``WeiboAnswerRule/Match/showsAccount``), if any.
    static func firstMatch(_ answer: WeiboAnswer, postID: String? = nil, uid: String? = nil) -> WeiboAnswerRule? {
        self.table.first { self.matches($0.match, answer, postID: postID, uid: uid) }
    }

    /// What the text of a reposted original (`retweeted_status.text`) says about the original's
    /// fate, or `nil` when it reads as an ordinary post.
    ///
    /// Weibo replaces a gone original's text, inside every repost of it, by a tombstone:
    /// `抱歉，此微博已被作者删除。查看帮助：http://t.cn/zWSudZc` (author deleted; the v2 API also
    /// sets `"deleted": "1"`) or `该微博因违反《微博社区公约》的相关规定，已被删除` (removed for a
    /// violation), and privacy or suspension notices (FORMATS.md §3 "Deleted post",
    /// "Private / protected"). The message rows of ``table`` that name a post's or an account's
    /// fate are matched against the start of the text (its first 40 characters), so a post that
    /// merely quotes such a phrase further on is not taken for a tombstone. `deleted: "1"`
    /// without a known message gives `removed`.
    /// - Parameters:
    ///   - text: the original's text as plain text.
    ///   - isMarkedDeleted: the original carries `"deleted": "1"`.
    static func reasonForRepostedOriginal(text: String, isMarkedDeleted: Bool) -> Reason? {
        let start = String(PostVersion.normalizeText(text).prefix(40)).lowercased()
        for rule in self.table {
            guard case .message(let phrase) = rule.match, start.contains(phrase.lowercased()) else { continue }
            switch rule.finding {
            case .postGone(let reason), .accountGone(let reason): return reason
            default: continue
            }
        }
        return isMarkedDeleted ? .removed : nil
    }

    private static func matches(_ match: WeiboAnswerRule.Match, _ answer: WeiboAnswer, postID: String?, uid: String?)
        -> Bool
    {
        switch match {
        case .httpStatus(let range):
            return range.contains(answer.status)
        case .finalHost(let host):
            guard let final = answer.finalURL.host?.lowercased() else { return false }
            return final == host || final.hasSuffix("." + host)
        case .finalPath(let text):
            return answer.finalURL.path.lowercased().contains(text)
        case .okCode(let code):
            return answer.okCode == code
        case .errno(let code):
            return answer.errno == code
        case .message(let text):
            return answer.message.range(of: text, options: .caseInsensitive) != nil
        case .errorPage(let text):
            return answer.isHTML && answer.message.contains("微博-出错了") && answer.message.contains(text)
        case .showsPost:
            return postID.map(answer.showsPost(id:)) ?? false
        case .showsAccount:
            return uid.map(answer.showsAccount(uid:)) ?? false
        }
    }
}
