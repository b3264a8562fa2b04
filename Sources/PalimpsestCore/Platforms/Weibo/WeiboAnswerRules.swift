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

/// What a row of ``WeiboAnswerRules/table`` looks for in a ``WeiboAnswer``.
enum WeiboAnswerMatch: Sendable, Hashable {
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
    /// Weibo's reading of the failures every platform shares: HTTP 418, 403 and 414 are its rate
    /// limit (it sends no rate-limit headers; the block lasts minutes to hours), tried before the
    /// shared rows (``AnswerFailureClassifier/shared``).
    static let failures = AnswerFailureClassifier.shared.overridden(by: [
        AnswerRule(
            match: .status(418...418), meaning: .rateLimited,
            source: "FORMATS.md §3 Rate limit (dataabc/weibo-crawler#557, nghuyong/WeiboSpider#92)"),
        AnswerRule(
            match: .status(403...403), meaning: .rateLimited,
            source: "FORMATS.md §3 Rate limit (nghuyong/WeiboSpider#99, dataabc/weiboSpider#20)"),
        AnswerRule(
            match: .status(414...414), meaning: .rateLimited,
            source: "FORMATS.md §3 Rate limit (meterscao/Speechless#2)"),
    ])

    /// The rows: first the status rows of ``failures`` (an HTML page is read for its message
    /// below, not taken for a failure), then Weibo's own.
    static let table = AnswerTable<WeiboAnswerMatch, WeiboFinding>(
        Self.failures.rules.compactMap(Self.statusRow) + [
            // Login walls and the visitor-cookie page.
            AnswerRule(
                match: .finalHost("passport.weibo.com"), meaning: .gated,
                source: "FORMATS.md §3 Suspended/nonexistent (login wall); issue 3 item 5"),
            AnswerRule(
                match: .finalHost("passport.weibo.cn"), meaning: .gated,
                source: "FORMATS.md §3 Suspended/nonexistent (login wall); issue 3 item 5"),
            AnswerRule(match: .finalPath("/visitor"), meaning: .gated, source: "issue 3 item 5 (visitor page)"),
            AnswerRule(
                match: .message("Sina Visitor System"), meaning: .gated,
                source: "title of Weibo's visitor-cookie page (crawler code [C])"),
            AnswerRule(
                match: .okCode(-100), meaning: .gated,
                source: "FORMATS.md §3 Suspended/nonexistent: `ok: -100` login wall"),
            // Answers that show something exists.
            AnswerRule(
                match: .showsPost, meaning: .postShown,
                source:
                    "FORMATS.md §3 Stable post ID (`mblog.id`/`mid`); fixture getIndex_107603_arknights_snapshot0.json"),
            AnswerRule(
                match: .showsAccount, meaning: .accountShown,
                source: "fixture getIndex_uid_profile_arknights.json (`userInfo`)"),
            // The account is gone.
            AnswerRule(
                match: .message("该账号因被投诉违反"), meaning: .accountGone(.accountSuspended),
                source: "FORMATS.md §3 Suspended/nonexistent (suspended-account tombstone)"),
            AnswerRule(
                match: .message("用户不存在"), meaning: .accountGone(.accountDeleted),
                source: "FORMATS.md §3 Suspended/nonexistent (`m.weibo.cn/n/<name>` → 用户不存在)"),
            // The post is hidden by the author's privacy settings.
            AnswerRule(
                match: .message("由于作者隐私设置"), meaning: .postGone(.accountPrivate),
                source: "FORMATS.md §3 Private/protected"),
            AnswerRule(
                match: .message("由于作者设置"), meaning: .postGone(.accountPrivate),
                source: "FORMATS.md §3 Private/protected"),
            AnswerRule(
                match: .message("仅展示半年内"), meaning: .postGone(.accountPrivate),
                source: "FORMATS.md §3 Private/protected"),
            AnswerRule(
                match: .message("根据博主设置"), meaning: .postGone(.accountPrivate),
                source: "FORMATS.md §3 Private/protected"),
            // The post is gone, and Weibo says by whom.
            AnswerRule(
                match: .message("此微博已被作者删除"), meaning: .postGone(.authorDeleted),
                source: "FORMATS.md §3 Deleted post (抱歉，此微博已被作者删除)"),
            AnswerRule(
                match: .message("因违反《微博社区公约》"), meaning: .postGone(.censored),
                source: "FORMATS.md §3 Deleted post (该微博因违反《微博社区公约》的相关规定，已被删除)"),
            AnswerRule(
                match: .message("permission denied"), meaning: .postGone(.censored),
                source: "DESIGN.md vocabulary: reason `censored` (\"permission denied\")"),
            // The post is gone, and Weibo does not say by whom.
            AnswerRule(
                match: .errno("20101"), meaning: .postGone(.removed),
                source: "FORMATS.md §3 Deleted post (errno 20101 = 微博不存在或暂无查看权限)"),
            AnswerRule(
                match: .message("微博不存在或暂无查看权限"), meaning: .postGone(.removed),
                source: "FORMATS.md §3 Deleted post (h5-4con 微博不存在或暂无查看权限!)"),
            AnswerRule(
                match: .errorPage("暂无数据"), meaning: .postGone(.removed),
                source: "fixture m_weibo_cn_error_page_no_data.html (微博-出错了 / 暂无数据)"),
            // An empty list.
            AnswerRule(
                match: .message("这里还没有内容"), meaning: .noContent, source: "fixture getIndex_error_no_content.json"),
        ])

    /// A status row of ``failures`` as a row of ``table``; `nil` for a row that does not read the
    /// status.
    private static func statusRow(_ rule: AnswerRule<AnswerFailureMatch, AnswerFailure>)
        -> AnswerRule<WeiboAnswerMatch, WeiboFinding>?
    {
        guard case .status(let range) = rule.match else { return nil }
        let finding: WeiboFinding
        switch rule.meaning {
        case .rateLimited: finding = .rateLimited
        case .gated: finding = .gated
        case .serverError: finding = .serverError
        case .htmlInsteadOfJSON: return nil
        }
        return AnswerRule(match: .httpStatus(range), meaning: finding, source: rule.source)
    }

    /// The first row of ``table`` that matches `answer`, or `nil` when none does.
    /// - Parameters:
    ///   - answer: the answer.
    ///   - postID: the probed post's ID (for ``WeiboAnswerMatch/showsPost``), if any.
    ///   - uid: the account's uid (for ``WeiboAnswerMatch/showsAccount``), if any.
    static func firstMatch(_ answer: WeiboAnswer, postID: String? = nil, uid: String? = nil)
        -> AnswerRule<WeiboAnswerMatch, WeiboFinding>?
    {
        self.table.firstMatch { self.matches($0, answer, postID: postID, uid: uid) }
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
            switch rule.meaning {
            case .postGone(let reason), .accountGone(let reason): return reason
            default: continue
            }
        }
        return isMarkedDeleted ? .removed : nil
    }

    private static func matches(_ match: WeiboAnswerMatch, _ answer: WeiboAnswer, postID: String?, uid: String?)
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
