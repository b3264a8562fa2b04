public import Foundation

/// The `weibo` platform: a public Sina Weibo account read through the mobile web API
/// (`m.weibo.cn`) without logging in.
///
/// One poll asks for the account's timeline container,
/// `api/container/getIndex?type=uid&value=<uid>&containerid=107603<uid>`, and follows
/// `cardlistInfo.since_id` (or `page`) for the account's `pages` setting. Cards of `card_type` 9
/// are posts, keyed by their string `id`. Long posts (`isLongText`) are completed through
/// `statuses/extend?id=`; one whose completion fails stays truncated, never an edit. A post's
/// probe is its status page `<base>/status/<id>`; the account probe is the profile
/// `api/container/getIndex?type=uid&value=<uid>`. Every answer is read with the one rule table
/// ``WeiboAnswerRules`` (rate limits, login and visitor walls, tombstones, each row with its
/// source).
///
/// Failures that are never deletions (rule of evidence 1): HTTP 418, 403, 414 and 429 are rate
/// limits (the host is left alone for ``rateLimitBackOff`` seconds), `ok: -100` and redirects to
/// `passport.weibo.com` or a visitor page are `gated`, HTML where JSON was expected is
/// `unparsable`. `ok: 0` with `这里还没有内容`, or an empty card list, is an empty window: after a
/// non-empty one the detector calls that a mass disappearance and asks the account probe before
/// any conclusion (rule of evidence 4); no post event comes from it.
///
/// Cookies: Weibo sometimes answers only requests that carry visitor cookies (`SUB`, `SUBP`). An
/// account's `headers` and its `cookie_file` are added by the poller at request time (the adapter
/// does no I/O).
///
/// Platform facts: FORMATS.md §3; fixtures under `Tests/Fixtures/real/weibo/`. Pure: it builds
/// requests and reads answers.
public struct WeiboAdapter: SourcedPlatformAdapter {
    /// Seconds to leave Weibo alone after a rate-limit answer (HTTP 418, 403, 414, or a 429
    /// without `Retry-After`): Weibo sends no reset time and its blocks last "minutes to hours"
    /// (FORMATS.md §3 "Rate limit").
    public static let rateLimitBackOff: TimeInterval = 30 * 60

    /// Creates the adapter; it holds no state.
    public init() {}

    // MARK: - Timeline

    /// The first page of the timeline: `GET <base>/api/container/getIndex?type=uid&value=<uid>&containerid=107603<uid>`.
    public func timelineRequests(for account: PlatformAccount<WeiboSource>, context: AdapterContext) -> [HTTPRequest] {
        let uid = account.source.uid
        let base = account.source.baseURL
        guard let url = WeiboEndpoint.timeline(base: base, uid: uid)
        else { return [] }
        return [self.jsonRequest(url, uid: uid, base: base)]
    }

    /// The next page after the answer to page `pageIndex` (0 for the first): the same request with
    /// `&since_id=<cardlistInfo.since_id>` (else `&page=<cardlistInfo.page>`), while fewer than the
    /// account's `pages` were asked for and the answer was a timeline page with posts.
    public func nextPageRequest(
        after response: HTTPResponse, pageIndex: Int, for account: PlatformAccount<WeiboSource>, context: AdapterContext
    ) -> HTTPRequest? {
        let uid = account.source.uid
        let base = account.source.baseURL
        let pages = account.source.pages
        guard pageIndex + 1 < pages,
            response.status == 200
        else { return nil }
        let answer = WeiboAnswer(response)
        guard answer.okCode == 1, let data = answer.data, let cards = data["cards"] as? [Any], !cards.isEmpty,
            let info = data["cardlistInfo"] as? [String: Any]
        else { return nil }
        let cursor: WeiboPageCursor
        if let since = WeiboAnswer.text(info["since_id"]), WeiboEndpoint.isPlausibleID(since) {
            cursor = .sinceID(since)
        } else if let page = WeiboAnswer.integer(info["page"]), page > 0 {
            cursor = .page(page)
        } else {
            return nil
        }
        guard let url = WeiboEndpoint.timeline(base: base, uid: uid, since: cursor) else { return nil }
        return self.jsonRequest(url, uid: uid, base: base)
    }

    /// Turns the answers to the timeline pages, in order, into posts.
    ///
    /// Every page must be `ok: 1` JSON (or, for the first page, the `这里还没有内容` empty answer)
    /// or the poll failed (rule of evidence 1). The posts are the `card_type` 9 cards in the
    /// platform's order, pinned first as Weibo lists them, each ID once; a card whose `mblog`
    /// cannot be read fails the poll (a post left out would look missing). A later page that
    /// answers "no content" ends the list: the window's floor is set by the posts received, so
    /// the posts it would have held count as aged out, not missing.
    /// - Parameter polledAt: the poll's time (UTC), for relative dates and a rate limit's end.
    public func observe(_ responses: [HTTPResponse], for account: PlatformAccount<WeiboSource>, polledAt: Date)
        -> TimelineOutcome
    {
        guard !responses.isEmpty else {
            return .failed(PollFailure(kind: .unparsable, message: "no timeline answer for \(account.key)"))
        }
        var posts: [Post] = []
        var seen = Set<String>()
        for (index, response) in responses.enumerated() {
            let what = "timeline page \(index + 1) of \(account.key)"
            let answer = WeiboAnswer(response)
            // An `ok: 1` page is read as a timeline whatever its message; the table's message rows
            // speak only for answers that are not one.
            let rule = WeiboAnswerRules.firstMatch(answer)
            switch rule?.meaning {
            case .rateLimited?:
                return .failed(self.rateLimitFailure(response, answer: answer, what: what, now: polledAt))
            case .gated?:
                return .failed(self.gatedFailure(answer, what: what, url: response.url))
            case .serverError?:
                return .failed(
                    PollFailure(
                        kind: .httpStatus, message: "\(what): server error (\(answer.summary)); retry later",
                        url: response.url.absoluteString, httpStatus: response.status))
            case .accountGone(let reason)? where index == 0 && answer.okCode != 1:
                return .accountUnavailable(reason: reason, detail: "\(answer.summary) (\(rule?.source ?? ""))")
            case .noContent? where answer.okCode != 1:
                // An empty first page is an empty window; an empty later page ends the list.
                return .observed(posts: posts, isComplete: true)
            default:
                // Everything else is read as a timeline page, or fails as what it is (an HTML page
                // where JSON was expected, another `ok` code, an unexpected status).
                break
            }
            switch self.statuses(in: response, answer: answer, what: what) {
            case .failure(let failure):
                return .failed(failure)
            case .success(let statuses):
                for status in statuses where seen.insert(status.id).inserted {
                    posts.append(status.post(now: polledAt))
                }
            }
        }
        return .observed(posts: posts, isComplete: true)
    }

    // MARK: - Long posts

    /// `GET <base>/statuses/extend?id=<id>` for every post whose text is cut short
    /// (``Post/isTruncated``: `isLongText` in the timeline).
    public func completionRequests(for posts: [Post], of account: PlatformAccount<WeiboSource>) -> [String: HTTPRequest]
    {
        let (uid, base) = (account.source.uid, account.source.baseURL)
        var requests: [String: HTTPRequest] = [:]
        for post in posts where post.isTruncated {
            if let url = WeiboEndpoint.extend(base: base, postID: post.id) {
                requests[post.id] = self.jsonRequest(url, uid: uid, base: base)
            }
        }
        return requests
    }

    /// Replaces a long post's text with `data.longTextContent` from its `statuses/extend` answer
    /// (fixtures `statuses_extend_4645748019299849.json`, `statuses_extend_4649031014551911.json`).
    /// A post without a usable answer (none, not `ok: 1`, no text) stays ``Post/isTruncated``, so
    /// the detector never takes it for an edit. Media, dates and the reference are kept.
    public func complete(
        _ posts: [Post], with answers: [String: HTTPResponse], of account: PlatformAccount<WeiboSource>
    ) -> [Post] {
        posts.map { post in
            guard post.isTruncated, let response = answers[post.id], response.status == 200 else { return post }
            let answer = WeiboAnswer(response)
            guard answer.okCode == 1, let data = answer.data, WeiboAnswer.integer(data["ok"]) ?? 1 == 1,
                let html = data["longTextContent"] as? String,
                !html.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            else { return post }
            return Post(
                id: post.id, kind: post.kind, url: post.url, postedAt: post.postedAt, editedAt: post.editedAt,
                text: WeiboText.plainText(fromHTML: html), html: html, title: post.title, media: post.media,
                links: WeiboText.links(inHTML: html), reference: post.reference, isPinned: post.isPinned,
                isTruncated: false)
        }
    }

    // MARK: - Probes

    /// `GET <base>/status/<post id>`: the post's own page, or `nil` when the ID is not a
    /// Weibo ID (digits).
    public func probeRequest(for post: Post, of account: PlatformAccount<WeiboSource>, context: AdapterContext)
        -> HTTPRequest?
    {
        let uid = account.source.uid
        let base = account.source.baseURL
        guard let url = WeiboEndpoint.status(base: base, postID: post.id)
        else { return nil }
        return self.request(url, uid: uid, base: base, accept: "text/html,application/json;q=0.9,*/*;q=0.8")
    }

    /// Classifies a status-page probe with ``WeiboAnswerRules``: the post shown → exists; a
    /// tombstone message → its reason (`removed` where Weibo does not say who); anything else (a
    /// rate limit, a login or visitor page, a server error, a page nobody has described) →
    /// inconclusive.
    public func classifyProbe(
        _ response: HTTPResponse, for post: Post, of account: PlatformAccount<WeiboSource>, now: Date
    )
        -> ProbeVerdict
    {
        let answer = WeiboAnswer(response)
        guard let rule = WeiboAnswerRules.firstMatch(answer, postID: post.id) else {
            return .inconclusive(detail: "\(answer.summary): no rule matches this answer")
        }
        switch rule.meaning {
        case .postShown:
            return .exists
        case .postGone(let reason), .accountGone(let reason):
            return .tombstone(reason: reason, detail: "\(answer.summary) (\(rule.source))")
        case .rateLimited:
            return .inconclusive(detail: "rate limited: \(answer.summary)")
        case .gated:
            return .inconclusive(
                detail: "login or visitor page: \(answer.summary) at \(response.effectiveURL.absoluteString)")
        case .serverError, .accountShown, .noContent:
            return .inconclusive(detail: "\(answer.summary) proves nothing about the post (\(rule.source))")
        }
    }

    /// `GET <base>/api/container/getIndex?type=uid&value=<uid>`: the profile.
    public func accountProbeRequest(for account: PlatformAccount<WeiboSource>, context: AdapterContext) -> HTTPRequest?
    {
        let uid = account.source.uid
        let base = account.source.baseURL
        guard let url = WeiboEndpoint.profile(base: base, uid: uid)
        else { return nil }
        return self.jsonRequest(url, uid: uid, base: base)
    }

    /// Classifies the profile answer with ``WeiboAnswerRules``: `userInfo` of this uid →
    /// available; the suspension notice → `account_suspended`; `用户不存在` → `account_deleted`;
    /// `ok: 0` with `这里还没有内容` (what the profile of an unknown uid answers, fixture
    /// `getIndex_error_no_content.json`) → unavailable, reason `removed` (Weibo does not say
    /// whether it was deleted or suspended); anything else → inconclusive.
    public func classifyAccountProbe(_ response: HTTPResponse, for account: PlatformAccount<WeiboSource>, now: Date)
        -> AccountVerdict
    {
        let uid = account.source.uid
        let answer = WeiboAnswer(response)
        guard let rule = WeiboAnswerRules.firstMatch(answer, uid: uid) else {
            return .inconclusive(detail: "\(answer.summary): no rule matches this answer")
        }
        switch rule.meaning {
        case .accountShown:
            return .available
        case .accountGone(let reason):
            return .unavailable(reason: reason, detail: "\(answer.summary) (\(rule.source))")
        case .noContent:
            return .unavailable(
                reason: .removed,
                detail: "\(answer.summary): the profile of uid \(uid) is empty; Weibo does not say whether the "
                    + "account was deleted or suspended (\(rule.source))")
        case .rateLimited:
            return .inconclusive(detail: "rate limited: \(answer.summary)")
        case .gated:
            return .inconclusive(
                detail: "login or visitor page: \(answer.summary) at \(response.effectiveURL.absoluteString)")
        case .serverError, .postShown, .postGone:
            return .inconclusive(detail: "\(answer.summary) proves nothing about the account (\(rule.source))")
        }
    }

    // MARK: - Reposted originals

    /// What the text Weibo shows for a reposted original (`retweeted_status.text`) says about the
    /// original's fate: `抱歉，此微博已被作者删除…` → `author_deleted`, `该微博因违反《微博社区公约》…`
    /// → `censored`, privacy and suspension notices → their reasons, `"deleted": "1"` alone →
    /// `removed`; `nil` for an ordinary text (FORMATS.md §3 "Deleted post"; the message rows of
    /// ``WeiboAnswerRules``, matched against the start of the text).
    ///
    /// This is a finding about the ORIGINAL, never about the repost (whose version does not include
    /// the original's text, so it is not "altered" when the original goes). The detector has no
    /// channel yet for findings about posts other than the missing ones it probes: when the
    /// original is one of the account's own tracked posts, its disappearance is confirmed by its
    /// own probe.
    /// - Parameters:
    ///   - text: the original's text, HTML or plain.
    ///   - isMarkedDeleted: the original carries `"deleted": "1"`.
    public static func tombstoneReason(ofRepostedOriginal text: String, isMarkedDeleted: Bool = false) -> Reason? {
        WeiboAnswerRules.reasonForRepostedOriginal(
            text: WeiboText.plainText(fromHTML: text), isMarkedDeleted: isMarkedDeleted)
    }

    // MARK: - Rate limits

    /// When Weibo may be asked again (UTC), or `nil` when this answer sets no limit: HTTP 418,
    /// 403, 414 and 429 wait for `Retry-After` when sent, else ``rateLimitBackOff`` seconds
    /// (FORMATS.md §3: Weibo sends no rate-limit headers); a 503 with `Retry-After` waits that long.
    public func rateLimitReset(in response: HTTPResponse, now: Date) -> Date? {
        let retryAfter = HTTPRetryAfter.parse(response.headers["Retry-After"], now: now).flatMap { $0 > now ? $0 : nil }
        if WeiboAnswerRules.failures.classify(response) == .rateLimited {
            return retryAfter ?? now.addingTimeInterval(Self.rateLimitBackOff)
        }
        return response.status == 503 ? retryAfter : nil
    }

    // MARK: - Reading answers

    /// The mblogs of the `card_type` 9 cards of one `ok: 1` timeline answer.
    private func statuses(in response: HTTPResponse, answer: WeiboAnswer, what: String) -> Result<
        [WeiboStatus], PollFailure
    > {
        let url = response.url.absoluteString
        guard response.status == 200 else {
            return .failure(
                PollFailure(
                    kind: .httpStatus, message: "\(what): unexpected answer (\(answer.summary))", url: url,
                    httpStatus: response.status))
        }
        guard answer.json != nil else {
            let shape = answer.isHTML ? "an HTML page" : "a body that is not a JSON object"
            return .failure(
                PollFailure(
                    kind: .unparsable,
                    message: "\(what) answered HTTP 200 with \(shape) where JSON was expected (a login or anti-bot "
                        + "page, or a wrong base_url): \(answer.summary)",
                    url: url, httpStatus: 200))
        }
        guard answer.okCode == 1 else {
            return .failure(
                PollFailure(
                    kind: .unparsable,
                    message: "\(what) answered ok: \(answer.okCode.map(String.init) ?? "missing") (\(answer.summary)); "
                        + "not a timeline",
                    url: url, httpStatus: 200))
        }
        let page: WeiboTimelinePage
        do {
            page = try JSONDecoder().decode(WeiboTimelinePage.self, from: response.body)
        } catch {
            return .failure(
                PollFailure(
                    kind: .unparsable,
                    message:
                        "\(what) answered a timeline whose posts cannot be read: \(DecodingErrorText.describe(error))",
                    url: url, httpStatus: 200))
        }
        return .success(page.statuses)
    }

    private func rateLimitFailure(_ response: HTTPResponse, answer: WeiboAnswer, what: String, now: Date) -> PollFailure
    {
        let until = self.rateLimitReset(in: response, now: now)
        return PollFailure(
            kind: .rateLimited,
            message: "\(what): Weibo answered HTTP \(response.status) (its rate limit); no more requests to it"
                + (until.map { " before \(RFC3339.string(from: $0))" } ?? ""),
            url: response.url.absoluteString, httpStatus: response.status, retryAfter: until)
    }

    private func gatedFailure(_ answer: WeiboAnswer, what: String, url: URL) -> PollFailure {
        PollFailure(
            kind: .gated,
            message: "\(what): Weibo answered with a login or visitor page (\(answer.summary), ended at "
                + "\(answer.finalURL.absoluteString)); give the account a cookie_file with visitor cookies "
                + "(SUB, SUBP) or poll it less often",
            url: url.absoluteString, httpStatus: answer.status)
    }

    /// A request for one of the mobile web app's JSON endpoints.
    private func jsonRequest(_ url: URL, uid: String, base: URL) -> HTTPRequest {
        var request = self.request(url, uid: uid, base: base, accept: "application/json, text/plain, */*")
        request.headers.add(name: "X-Requested-With", value: "XMLHttpRequest")
        return request
    }

    /// A request with the headers the mobile web app sends: `Accept` and a `Referer` on the
    /// account's page. The account's own headers, cookie file and proxy are added by the poller.
    private func request(_ url: URL, uid: String, base: URL, accept: String) -> HTTPRequest {
        var referer = base.absoluteString
        while referer.hasSuffix("/") { referer.removeLast() }
        return HTTPRequest(url: url, headers: HTTPHeaders([("Accept", accept), ("Referer", "\(referer)/u/\(uid)")]))
    }
}
