public import Foundation

/// The `url` platform: one watched page per account (a WeChat official-account article, a news
/// article, any page), whose one post is the page itself. Pure: it builds requests and reads
/// answers, the poller does the I/O.
///
/// - Timeline: one `GET` of the URL. The answer is classified with ``rules(with:)``: the built-in
///   table (``builtInRules``: HTTP status, WeChat's interstitial messages and anti-bot pages)
///   plus the account's `tombstones` from the config.
/// - A live page is `.observed(posts: [the page], isComplete: true)`. The post's ID is, for a
///   WeChat article, `__biz=…&mid=…&idx=…` from the URL (FORMATS.md §5), else the URL. Its text is
///   the article body (`#js_content`) for WeChat, else the visible text of the page's body, with
///   scripts and styles dropped; any change of that text (or of the title, images or links of a
///   WeChat article) is an alteration. The title comes from `msg_title`, `og:title` or `<title>`;
///   a WeChat article's created time from its `ct` script value.
/// - The page post is flagged pinned: a watched page has no time-ordered window, so it never sets
///   a window floor, and when it vanishes it is always a probe candidate (the detector's
///   "everything vanished" account check skips pinned posts, and a single page is no mass event).
/// - A tombstone page (`该内容已被发布者删除`, a 404, a config rule, …) is
///   `.observed(posts: [], isComplete: true)`: the page post is missing, so the detector probes
///   it; the probe fetches the URL again and ``classifyProbe(_:for:of:now:)`` returns the tombstone
///   with the table's reason. The probe is the timeline's own request, so it is no second witness:
///   the detector confirms only once the tombstone was answered in `confirm_polls` polls spanning
///   `confirm_min_age` (a passing 404 is no deletion), and a live page after a deletion is a
///   restore once it answered live the same way (docs/evidence.md, rules 3 and 6).
/// - An anti-bot challenge served with 200 (``AntiBotChallenge``: Cloudflare's "Just a moment...",
///   DDoS-Guard, …) is a blind poll (`gated`), never content.
/// - A redirect to another path of the same host (the home page) or an error page served with 200
///   (``SoftErrorPage``: "Page not found", "404", …) is not the page: the page post is missing (a
///   candidate, probed), never an edit; such answers to the probe prove nothing either way.
/// - Rate limits and anti-bot pages (`验证身份`, `访问过于频繁`, `环境异常`, a redirect to
///   `/mp/wappoc_appmsgcaptcha`) are blind polls, and ``rateLimitReset(in:now:)`` keeps the host
///   alone for ``antiBotWait`` seconds. `链接已过期` (a temporary link) and an unknown WeChat page
///   prove nothing. None of these is ever a deletion.
public struct WatchedPageAdapter: SourcedPlatformAdapter {
    /// The built-in rules, in the order they are tried (see ``rules(with:)`` for where the
    /// account's own rules go). Sources: FORMATS.md §5 (strings from the fixtures, from
    /// airyland/we-extract's `errors.js`/`index.js` with its error codes in brackets, and from
    /// other crawlers) and RFC 9110.
    public static let builtInRules: AnswerTable<WatchedPageMatch, WatchedPageOutcome> = [
        AnswerRule(
            scope: .anyPage, sign: .httpStatus(404), outcome: .tombstone(.removed),
            source: "RFC 9110 §15.5.5 404 Not Found: the server does not say who removed it"),
        AnswerRule(
            scope: .anyPage, sign: .httpStatus(410), outcome: .tombstone(.removed),
            source: "RFC 9110 §15.5.11 410 Gone"),
        AnswerRule(
            scope: .weChat, sign: .redirect(pathContaining: "/mp/wappoc_appmsgcaptcha"), outcome: .blind(.rateLimited),
            source: "FORMATS.md §5: anti-bot redirect to /mp/wappoc_appmsgcaptcha?poc_token=… [C]"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "验证身份"), outcome: .blind(.rateLimited),
            source: "fixture wechat/mp_weixin_rate_limit_verify_identity.html (weui-msg__title 验证身份) [we-extract 2010]"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "访问过于频繁"), outcome: .blind(.rateLimited),
            source: "fixture wechat/mp_weixin_rate_limit_verify_identity.html (你的访问过于频繁…) [we-extract 1004]"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "环境异常"), outcome: .blind(.rateLimited),
            source: "FORMATS.md §5: 当前环境异常，完成验证后即可继续访问 [C]"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "该内容已被发布者删除"), outcome: .tombstone(.authorDeleted),
            source: "FORMATS.md §5 [we-extract 2005]; issue 3 item 10"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "此内容因违规无法查看"), outcome: .tombstone(.censored),
            source: "FORMATS.md §5 [we-extract 2006]; issue 3 item 10"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "此内容因违规已删除"), outcome: .tombstone(.censored),
            source: "FORMATS.md §5: older title of the violation page"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "此内容被多人投诉"), outcome: .tombstone(.censored),
            source: "FORMATS.md §5: 此内容被多人投诉，相关的内容无法进行查看。; issue 3 item 10"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "经审核涉嫌侵权"), outcome: .tombstone(.censored),
            source: "FORMATS.md §5: 该内容被投诉且经审核涉嫌侵权，无法查看 (removed by the platform after a "
                + "copyright complaint) [we-extract 2003]"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "此内容发送失败无法查看"), outcome: .tombstone(.censored),
            source: "FORMATS.md §5: 涉嫌违反相关法律法规和政策发送失败 [we-extract 2007]"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "涉嫌过度营销"), outcome: .tombstone(.censored),
            source: "FORMATS.md §5: 由用户投诉并经平台审核，涉嫌过度营销、骚扰用户 [we-extract 2011]"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "此帐号已被屏蔽"), outcome: .tombstone(.accountSuspended),
            source: "FORMATS.md §5: 此帐号已被屏蔽, 内容无法查看 [we-extract 2012]; issue 3 item 10"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "此帐号已自主注销"), outcome: .tombstone(.accountDeleted),
            source: "FORMATS.md §5: 此帐号已自主注销，内容无法查看 [we-extract 2013]; issue 3 item 10"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "根据作者隐私设置"), outcome: .tombstone(.accountPrivate),
            source: "FORMATS.md §5: 根据作者隐私设置，无法查看该内容 (hidden by its author's privacy setting)"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "链接已过期"), outcome: .inconclusive,
            source: "fixture wechat/mp_weixin_error_page_link_expired.html [we-extract 2002]: a temporary link, "
                + "not a deletion; issue 3 item 10"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "帐号迁移"), outcome: .inconclusive,
            source: "FORMATS.md §5: 此帐号处于帐号迁移流程中 (the account is moving) [we-extract 2015]"),
        AnswerRule(
            scope: .weChat, sign: .message(containing: "该公众号已迁移"), outcome: .inconclusive,
            source: "FORMATS.md §5: 该公众号已迁移 (moved to another account) [we-extract 2004]"),
        AnswerRule(
            scope: .weChat, sign: .body(containing: "验证身份"), outcome: .blind(.rateLimited),
            source: "fixture wechat/mp_weixin_rate_limit_verify_identity.html: the message is written by a script "
                + "(document.write), so only the body shows it"),
        AnswerRule(
            scope: .weChat, sign: .body(containing: "访问过于频繁"), outcome: .blind(.rateLimited),
            source: "fixture wechat/mp_weixin_rate_limit_verify_identity.html (qrcheck_msg 访问过于频繁，请用微信扫描二维码进行访问)"),
        AnswerRule(
            scope: .weChat, sign: .body(containing: "环境异常"), outcome: .blind(.rateLimited),
            source: "FORMATS.md §5: 当前环境异常，完成验证后即可继续访问 [C]"),
    ]

    /// Seconds to leave a host alone after an anti-bot page: WeChat's verification page reloads
    /// itself after one hour (`setTimeout(… location.reload() …, 60*60*1000)` in fixture
    /// `wechat/mp_weixin_rate_limit_verify_identity.html`).
    public static let antiBotWait: TimeInterval = 3600

    /// The `Accept` header of every request.
    public static let acceptHeader = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"

    /// Creates the adapter (it holds no state; an account's rules come with the account).
    public init() {}

    /// The rules for an account, in the order they are tried: the built-in status, redirect and
    /// displayed anti-bot rows first (an anti-bot page is never anything else), then the
    /// account's `tombstones` (so they can name a reason for any page), then the rest of
    /// ``builtInRules``.
    public static func rules(with tombstones: [TombstoneRule]) -> AnswerTable<WatchedPageMatch, WatchedPageOutcome> {
        let leading = Self.builtInRules.prefix {
            switch ($0.sign, $0.outcome) {
            case (.httpStatus, _), (.redirect, _), (_, .blind): return true
            default: return false
            }
        }
        return AnswerTable(
            Array(leading) + tombstones.map(AnswerRule.init) + Array(Self.builtInRules.dropFirst(leading.count)))
    }

    // MARK: - Timeline

    /// `GET <url>`.
    public func timelineRequests(for account: PlatformAccount<WatchedPageSource>, context: AdapterContext)
        -> [HTTPRequest]
    {
        [self.request(account.source.url, for: account)]
    }

    /// The page post when the page is live; no post when it shows a tombstone (the probe then
    /// confirms); `.failed` for rate limits, anti-bot pages, `链接已过期`, unknown WeChat pages
    /// and unusable HTTP statuses (see the type's documentation).
    public func observe(_ responses: [HTTPResponse], for account: PlatformAccount<WatchedPageSource>, polledAt: Date)
        -> TimelineOutcome
    {
        let (url, tombstones) = (account.source.url, account.source.tombstones)
        guard let response = responses.first else {
            return .failed(PollFailure(kind: .transport, message: "no answer to the request for \(url.absoluteString)"))
        }
        switch self.read(response, url: url, tombstones: tombstones, now: polledAt) {
        case .live(let post): return .observed(posts: [post], isComplete: true)
        case .tombstone, .notThePage: return .observed(posts: [], isComplete: true)
        case .blind(let failure): return .failed(failure)
        case .inconclusive(let detail):
            return .failed(
                PollFailure(
                    kind: .gated, message: detail, url: response.url.absoluteString, httpStatus: response.status))
        }
    }

    // MARK: - Probes

    /// `GET <url>` again (the page is its own probe).
    public func probeRequest(for post: Post, of account: PlatformAccount<WatchedPageSource>, context: AdapterContext)
        -> HTTPRequest?
    {
        self.timelineRequests(for: account, context: context).first
    }

    /// Classifies the re-fetched page with the account's rules: a tombstone → tombstone with the
    /// rule's reason; the live page → exists; everything else (an anti-bot page, a redirect to
    /// another page, an error page served with 200) → inconclusive. The probe is the timeline's
    /// own request: the detector weighs its answers across polls (``ProbeResult/repeatsTimeline``).
    public func classifyProbe(
        _ response: HTTPResponse, for post: Post, of account: PlatformAccount<WatchedPageSource>, now: Date
    )
        -> ProbeVerdict
    {
        self.probeVerdict(
            self.read(response, url: account.source.url, tombstones: account.source.tombstones, now: now))
    }

    private func probeVerdict(_ verdict: PageVerdict) -> ProbeVerdict {
        switch verdict {
        case .tombstone(let reason, let detail): return .tombstone(reason: reason, detail: detail)
        case .live: return .exists
        case .blind(let failure): return .inconclusive(detail: failure.message)
        case .inconclusive(let detail), .notThePage(let detail): return .inconclusive(detail: detail)
        }
    }

    /// A watched page is its own account: no account probe (its one post, flagged pinned, never
    /// makes a mass disappearance).
    public func accountProbeRequest(for account: PlatformAccount<WatchedPageSource>, context: AdapterContext)
        -> HTTPRequest?
    { nil }

    /// Never asked (no account probe); inconclusive.
    public func classifyAccountProbe(
        _ response: HTTPResponse, for account: PlatformAccount<WatchedPageSource>, now: Date
    ) -> AccountVerdict {
        .inconclusive(detail: "a watched page has no account probe")
    }

    // MARK: - Rate limits

    /// HTTP 429 or 503 with `Retry-After` (the default rule); a WeChat anti-bot answer (a blind
    /// rule of the table) → `now` + ``antiBotWait``.
    public func rateLimitReset(in response: HTTPResponse, now: Date) -> Date? {
        if response.status == 429 || response.status == 503 {
            return HTTPRetryAfter.parse(response.headers["Retry-After"], now: now)
                ?? (response.status == 429 ? now.addingTimeInterval(60) : nil)
        }
        guard WeChatArticle.isArticleURL(response.url), Self.mayBeAntiBotAnswer(response) else { return nil }
        if case .blind(let failure) = self.read(response, url: response.url, tombstones: [], now: now),
            failure.kind == .rateLimited
        {
            return failure.retryAfter
        }
        return nil
    }

    /// A cheap test before parsing: the answer redirects or contains one of the texts of the
    /// table's blind rows (most answers are live articles, which need no second parse).
    private static func mayBeAntiBotAnswer(_ response: HTTPResponse) -> Bool {
        if (300..<400).contains(response.status) || response.effectiveURL != response.url { return true }
        let body = String(decoding: response.body, as: UTF8.self)
        return Self.builtInRules.contains { rule in
            guard case .blind = rule.outcome else { return false }
            switch rule.sign {
            case .message(let text), .body(let text): return body.contains(text)
            case .redirect, .httpStatus, .pageText: return false
            }
        }
    }

    // MARK: - Reading an answer

    /// What one answer for a watched page shows.
    enum PageVerdict: Sendable, Hashable {
        /// The page is there: its post.
        case live(Post)
        /// The page is gone, for this reason; `detail` quotes the answer.
        case tombstone(Reason, detail: String)
        /// The platform blocked this client, or the answer is unusable: a blind poll.
        case blind(PollFailure)
        /// The answer proves nothing either way.
        case inconclusive(detail: String)
        /// The answer is another page than the watched one (a redirect to another path of the
        /// host, an error page served with 200): the page is not at its address. Missing, never an
        /// edit; proves nothing as a probe answer.
        case notThePage(detail: String)
    }

    /// Classifies one answer for the page at `url` with ``rules(with:)``.
    func read(_ response: HTTPResponse, url: URL, tombstones: [TombstoneRule], now: Date) -> PageVerdict {
        let isWeChat = WeChatArticle.isArticleURL(url)
        let requested = response.url.absoluteString
        let summary = "HTTP \(response.status) from \(requested)"
        let redirectPath: String? = {
            if (300..<400).contains(response.status) {
                return response.headers["Location"].flatMap { URL(string: $0, relativeTo: response.url)?.path }
            }
            return response.effectiveURL != response.url ? response.effectiveURL.path : nil
        }()
        let isSuccess = (200..<300).contains(response.status)
        let document =
            isSuccess ? HTMLDocument.parse(response.body, contentType: response.headers["Content-Type"]) : nil

        // A live WeChat article shows its body; no message rule is read on it (an article may
        // quote any of the table's strings).
        if isWeChat, let document, let content = document.element(withID: "js_content") {
            return .live(self.weChatPost(url: url, document: document, content: content))
        }
        // An anti-bot challenge served as a page is the site blocking this client, never content.
        if isSuccess, let sign = AntiBotChallenge.sign(in: response, document: document) {
            return .blind(
                PollFailure(
                    kind: .gated,
                    message: "\(summary) is an anti-bot challenge (\(sign)), not the page: the site blocks this "
                        + "client; check the account's headers, cookies or proxy",
                    url: requested, httpStatus: response.status))
        }

        var message: String?
        var pageText: String?
        var body: String?
        // The message, the visible text and the body are read once, when a row first needs them.
        let found = Self.rules(with: tombstones).firstMatch { match in
            guard match.scope == .anyPage || isWeChat else { return false }
            switch match.sign {
            case .httpStatus(let status):
                return response.status == status
            case .redirect(let fragment):
                return redirectPath?.contains(fragment) == true
            case .message(let text):
                guard let document else { return false }
                if message == nil { message = WeChatArticle.interstitialMessage(in: document) }
                return message?.contains(text) == true
            case .pageText(let text):
                guard let document else { return false }
                if pageText == nil {
                    pageText = PostVersion.normalizeText((document.body ?? document.root).readableText)
                }
                let needle = PostVersion.normalizeText(text)
                return !needle.isEmpty && pageText?.contains(needle) == true
            case .body(let text):
                guard isSuccess else { return false }
                if body == nil { body = String(decoding: response.body, as: UTF8.self) }
                return body?.contains(text) == true
            }
        }
        if let rule = found {
            let quoted = Self.quote(message: message, pageText: pageText, sign: rule.sign)
            switch rule.outcome {
            case .tombstone(let reason):
                return .tombstone(reason, detail: "\(summary)\(quoted)")
            case .inconclusive:
                return .inconclusive(
                    detail: "\(summary)\(quoted): proves nothing about the page"
                        + (message?.contains("链接已过期") == true
                            ? " (a temporary link: watch the article's permanent mp.weixin.qq.com/s?__biz=… link)" : "")
                )
            case .blind(let kind):
                let wait = kind == .rateLimited ? now.addingTimeInterval(Self.antiBotWait) : nil
                return .blind(
                    PollFailure(
                        kind: kind,
                        message: "\(summary)\(quoted): WeChat asks to verify this client (anti-bot page); no requests "
                            + "to it for \(Int(Self.antiBotWait)) s",
                        url: requested, httpStatus: response.status, retryAfter: wait))
            }
        }

        if !isSuccess {
            switch AnswerFailureClassifier.shared.classify(response) {
            case .rateLimited?:
                return .blind(
                    PollFailure(
                        kind: .rateLimited, message: "\(summary): the site asks to slow down", url: requested,
                        httpStatus: 429, retryAfter: self.rateLimitReset(in: response, now: now)))
            case .gated?:
                return .blind(
                    PollFailure(
                        kind: .gated,
                        message: "\(summary): the site needs a login or blocks this client (check the account's "
                            + "headers, cookies or proxy)",
                        url: requested, httpStatus: response.status))
            case .serverError?, .htmlInsteadOfJSON?, nil:
                let hint = response.status >= 500 ? "the site failed; the next poll retries" : "not a usable answer"
                return .blind(
                    PollFailure(
                        kind: .httpStatus, message: "\(summary): \(hint)", url: requested, httpStatus: response.status,
                        retryAfter: response.status == 503 ? self.rateLimitReset(in: response, now: now) : nil))
            }
        }
        guard let document else {
            return .blind(PollFailure(kind: .unparsable, message: "\(summary): no page", url: requested))
        }
        if isWeChat {
            let shown = message.map { $0.isEmpty ? "" : ": “\($0.prefix(120))”" } ?? ""
            return .blind(
                PollFailure(
                    kind: .unparsable,
                    message: "\(summary)\(shown) is neither a WeChat article (no #js_content) nor a known WeChat "
                        + "message; add a tombstones rule to the account if it marks a removed article",
                    url: requested, httpStatus: response.status))
        }
        if let path = response.redirectedPath {
            return .notThePage(
                detail: "\(summary) came through a redirect to \(path) on the same host: the page is not at its "
                    + "address (missing, not edited)")
        }
        if let notice = SoftErrorPage.notice(in: document) {
            return .notThePage(
                detail: "\(summary) says “\(notice)”: an error page served with 200 (the page is missing, not edited)")
        }
        return .live(self.genericPost(url: url, document: document))
    }

    /// The page post of a live WeChat article.
    private func weChatPost(url: URL, document: HTMLDocument, content: HTMLElement) -> Post {
        let scripts = document.elements(named: "script").map(\.textContent)
        var media: [String] = []
        var links: [String] = []
        for image in content.descendants(where: { $0.name == "img" }) {
            if let source = (image.attributes["data-src"] ?? image.attributes["src"]).flatMap({
                Self.absolute($0, base: url)
            }),
                !media.contains(source)
            {
                media.append(source)
            }
        }
        for anchor in content.descendants(where: { $0.name == "a" }) {
            if let link = anchor.attributes["href"].flatMap({ Self.absolute($0, base: url) }), !links.contains(link) {
                links.append(link)
            }
        }
        return Post(
            id: WeChatArticle.identity(of: url) ?? url.absoluteString,
            url: url.absoluteString,
            postedAt: WeChatArticle.createdAt(scripts: scripts),
            text: content.readableText,
            html: content.innerHTML.trimmingCharacters(in: .whitespacesAndNewlines),
            title: WeChatArticle.title(in: document, scripts: scripts),
            media: media,
            links: links,
            isPinned: true)
    }

    /// The page post of any other live page: its title and visible text.
    private func genericPost(url: URL, document: HTMLDocument) -> Post {
        Post(
            id: WeChatArticle.identity(of: url) ?? url.absoluteString,
            url: url.absoluteString,
            text: (document.body ?? document.root).readableText,
            title: document.metaContent("og:title") ?? document.title,
            isPinned: true)
    }

    /// `: “<the matched text>”` for a detail line.
    private static func quote(message: String?, pageText: String?, sign: WatchedPageSign) -> String {
        switch sign {
        case .message: return message.map { ": “\($0.prefix(200))”" } ?? ""
        case .pageText(let text), .body(let text): return ": the page contains “\(text)”"
        case .redirect(let fragment): return ": redirected to \(fragment)"
        case .httpStatus: return ""
        }
    }

    /// `href` resolved against `base` (`//host/…` gets `https:`); `nil` for empty, fragment-only
    /// and `javascript:` targets.
    private static func absolute(_ href: String, base: URL) -> String? {
        let trimmed = href.trimmingHTMLWhitespace()
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), !trimmed.lowercased().hasPrefix("javascript:") else {
            return nil
        }
        if trimmed.hasPrefix("//") { return "https:" + trimmed }
        return URL(string: trimmed, relativeTo: base)?.absoluteString ?? trimmed
    }

    /// A request for `url` with ``acceptHeader``, the account's headers (sorted by name) and proxy.
    private func request(_ url: URL, for account: PlatformAccount<WatchedPageSource>) -> HTTPRequest {
        HTTPRequest.forAccount(account.account, url: url, accept: Self.acceptHeader)
    }
}
