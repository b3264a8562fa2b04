public import Foundation

/// The `bluesky` platform: a public Bluesky (AT Protocol) account read through an AppView's XRPC
/// API without a token (default `https://public.api.bsky.app`).
///
/// The configured `actor` (a handle or a DID) is resolved once with `app.bsky.actor.getProfile`
/// to the account's DID, kept in ``AdapterContext/resolvedID``: every later request names the DID,
/// so a handle that changes (or passes to someone else) never changes which account is watched.
/// One poll asks for the profile again (so an account that is suspended, deactivated or deleted
/// is told apart precisely: the author feed answers all three with the same `Profile not found`),
/// then `app.bsky.feed.getAuthorFeed?actor=<did>&limit=50&filter=<filter>&includePins=true`,
/// following `cursor` for up to `pages` pages. A post's probe is
/// `app.bsky.feed.getPosts?uris=<at-URI>`: the AppView silently leaves out a post it cannot show,
/// so a missing URI is a tombstone (`removed`), a present one means the post exists, and anything
/// else proves nothing. Every answer that is not a usable 2xx body is read through the one rule
/// table ``BlueskyAnswerRules/table``.
///
/// Posts are keyed by their at-URI; the record's `cid` is part of the version, so a rewritten
/// record (the post lexicon has no edit marker) is an alteration. Reposts are posts of kind
/// ``PostKind/repost`` with the ID `repost:<original at-URI>` and no probe (the AppView offers none
/// for a repost record: absence must confirm). Pinned posts (`reasonPin`, or the profile's
/// `pinnedPost`) never set the window floor.
///
/// Platform facts: FORMATS.md §2; lexicons `app/bsky/actor/getProfile.json`,
/// `app/bsky/feed/{getAuthorFeed,getPosts,defs,post}.json`; fixtures under
/// `Tests/Fixtures/real/bluesky/`. Pure: it builds requests and reads answers, no I/O.
public struct BlueskyAdapter: SourcedPlatformAdapter {
    /// Posts asked for per author-feed page (the lexicon allows 1–100, default 50).
    public static let pageLimit = 50

    /// Seconds to wait after a 429 that names no reset time: the length of the PDS rate-limit
    /// window (3000 requests per 5 minutes per IP; bsky-docs `advanced-guides/rate-limits.md`).
    public static let defaultRateLimitWait: TimeInterval = 300

    /// Seconds to wait when the server's reset time is already past by our clock (the clocks
    /// disagree) but it still refuses requests.
    public static let minimumRateLimitWait: TimeInterval = 60

    /// Bytes of an answer's body quoted in a verdict's or failure's detail.
    static let quotedBodyBytes = 300

    /// Creates the adapter; it holds no state (the DID lives in ``AdapterContext``).
    public init() {}

    // MARK: - Account resolution

    /// `GET <base>/xrpc/app.bsky.actor.getProfile?actor=<actor>` (a leading `@` removed), or `nil`
    /// when `context` already holds the DID.
    public func resolutionRequest(for account: PlatformAccount<BlueskySource>, context: AdapterContext) -> HTTPRequest?
    {
        let actor = account.source.actor
        let base = account.source.baseURL
        guard context.resolvedID == nil,
            let url = BlueskyEndpoint.profile(base: base, actor: Self.bareActor(actor))
        else { return nil }
        return self.request(url, for: account)
    }

    /// Reads the profile answer: HTTP 200 with a profile gives its `did`; the errors of
    /// ``BlueskyAnswerRules/table`` give `account_suspended` (`AccountTakedown`) or
    /// `account_deleted` (`AccountDeactivated`, `Profile not found`); everything else (429, 5xx,
    /// an HTML page, a body without a plausible DID) is a failure that proves nothing.
    public func interpretResolution(_ response: HTTPResponse, for account: PlatformAccount<BlueskySource>)
        -> ResolutionOutcome
    {
        switch self.readProfile(response, what: "profile of \(account.key)", now: nil) {
        case .available(let profile): return .resolved(id: profile.did)
        case .unavailable(let reason, let detail): return .accountUnavailable(reason: reason, detail: detail)
        case .failed(let failure): return .failed(failure)
        }
    }

    // MARK: - Timeline

    /// The requests of one poll, in this order: the profile
    /// (`getProfile?actor=<did>`) and the first author-feed page
    /// (`getAuthorFeed?actor=<did>&limit=50&filter=<filter>&includePins=true`). Empty until the
    /// DID is resolved.
    public func timelineRequests(for account: PlatformAccount<BlueskySource>, context: AdapterContext) -> [HTTPRequest]
    {
        let base = account.source.baseURL
        let filter = account.source.filter
        guard let did = context.resolvedID, BlueskyURI.isPlausibleDID(did),
            let profile = BlueskyEndpoint.profile(base: base, actor: did),
            let feed = BlueskyEndpoint.authorFeed(
                base: base, actor: did, limit: Self.pageLimit, filter: filter, cursor: nil)
        else { return [] }
        return [self.request(profile, for: account), self.request(feed, for: account)]
    }

    /// The next author-feed page: the same request with `&cursor=<cursor>` from `response`, while
    /// fewer than the account's `pages` were fetched and the answer (HTTP 200) holds items and a
    /// cursor that differs from the one just used; otherwise `nil`.
    public func nextPageRequest(
        after response: HTTPResponse, pageIndex: Int, for account: PlatformAccount<BlueskySource>,
        context: AdapterContext
    ) -> HTTPRequest? {
        let base = account.source.baseURL
        let pages = account.source.pages
        let filter = account.source.filter
        guard pageIndex + 1 < pages,
            let did = context.resolvedID, BlueskyURI.isPlausibleDID(did),
            response.status == 200, !response.looksLikeHTML,
            let paging = try? JSONDecoder().decode(BlueskyFeedPage.Paging.self, from: response.body),
            paging.itemCount > 0, let cursor = paging.cursor, !cursor.isEmpty,
            cursor != Self.cursor(requestedBy: response.url),
            let url = BlueskyEndpoint.authorFeed(
                base: base, actor: did, limit: Self.pageLimit, filter: filter, cursor: cursor)
        else { return nil }
        return self.request(url, for: account)
    }

    /// Turns the answers (profile, then one or more author-feed pages) into posts.
    ///
    /// The profile speaks for the account: an error the rule table reads as gone gives
    /// `account_unavailable`. Every page must be HTTP 200 with a JSON `feed` array, or the poll
    /// failed (rule of evidence 1); an author feed that says the account is gone while the profile
    /// answered contradicts itself and proves nothing. The posts are the pages' items in the
    /// AppView's order; an at-URI listed twice (the pinned item and its place in time) is one post.
    /// - Parameter polledAt: the poll's time (UTC), used as "now" for a rate limit's reset.
    public func observe(_ responses: [HTTPResponse], for account: PlatformAccount<BlueskySource>, polledAt: Date)
        -> TimelineOutcome
    {
        guard responses.count >= 2 else {
            return .failed(
                PollFailure(
                    kind: .unparsable,
                    message: "expected the profile and at least one author-feed page for \(account.key), "
                        + "got \(responses.count) answers"))
        }
        let profile: BlueskyProfile
        switch self.readProfile(responses[0], what: "profile of \(account.key)", now: polledAt) {
        case .available(let found): profile = found
        case .unavailable(let reason, let detail): return .accountUnavailable(reason: reason, detail: detail)
        case .failed(let failure): return .failed(failure)
        }

        var posts: [Post] = []
        var seen = Set<String>()
        for (index, answer) in responses.dropFirst().enumerated() {
            let what = "author feed page \(index + 1) of \(account.key)"
            switch self.readFeedPage(answer, what: what, now: polledAt) {
            case .failure(let failure):
                return .failed(failure)
            case .success(let page):
                for item in page.feed {
                    let post = item.post(pinnedURI: profile.pinnedPostURI)
                    if seen.insert(post.id).inserted { posts.append(post) }
                }
            }
        }
        return .observed(posts: posts, isComplete: true)
    }

    // MARK: - Probes

    /// `GET <base>/xrpc/app.bsky.feed.getPosts?uris=<at-URI>` for an own post; `nil` for a repost
    /// (the AppView offers no probe for a repost record: absence confirms), or for an ID that is
    /// not a post's at-URI.
    public func probeRequest(for post: Post, of account: PlatformAccount<BlueskySource>, context: AdapterContext)
        -> HTTPRequest?
    {
        let base = account.source.baseURL
        guard post.kind == .post,
            let uri = BlueskyURI(post.id), uri.collection == "app.bsky.feed.post",
            let url = BlueskyEndpoint.posts(base: base, uris: [post.id])
        else { return nil }
        return self.request(url, for: account)
    }

    /// Classifies a `getPosts` answer: HTTP 200 with the post in `posts` → exists; HTTP 200 with
    /// a `posts` array that lacks it → tombstone `removed` (the AppView leaves out what it cannot
    /// show, and does not say whether the author deleted it or moderation took it down); anything
    /// else (429, 5xx, 4xx, an HTML page, another body) → inconclusive. A reply that left the
    /// author feed because of a block is still returned here, so it is never a deletion.
    public func classifyProbe(
        _ response: HTTPResponse, for post: Post, of account: PlatformAccount<BlueskySource>, now: Date
    )
        -> ProbeVerdict
    {
        guard response.isSuccess else {
            guard let found = BlueskyAnswerRules.rule(for: response) else {
                return .inconclusive(detail: "unexpected answer: \(Self.summary(of: response))")
            }
            return .inconclusive(detail: "\(Self.describe(found.rule.meaning)): \(Self.summary(of: response))")
        }
        guard !response.looksLikeHTML else {
            return .inconclusive(
                detail: "HTTP \(response.status) with an HTML page where a JSON getPosts answer was expected")
        }
        let answer: PostsAnswer
        do {
            answer = try JSONDecoder().decode(PostsAnswer.self, from: response.body)
        } catch {
            return .inconclusive(
                detail:
                    "HTTP \(response.status) but the body is not a getPosts answer: \(DecodingErrorText.describe(error))"
            )
        }
        if answer.uris.contains(post.id) { return .exists }
        let rule = BlueskyAnswerRules.missingFromGetPosts
        guard case .postGone(let reason, let explanation) = rule.meaning else {
            return .inconclusive(detail: "no rule for a post missing from getPosts")
        }
        return .tombstone(
            reason: reason,
            detail: "\(explanation); \(answer.uris.count) of 1 requested returned: \(Self.summary(of: response))")
    }

    /// `GET <base>/xrpc/app.bsky.actor.getProfile?actor=<did>` (the configured actor until the DID
    /// is known).
    public func accountProbeRequest(for account: PlatformAccount<BlueskySource>, context: AdapterContext)
        -> HTTPRequest?
    {
        let (actor, base) = (account.source.actor, account.source.baseURL)
        let did = context.resolvedID.flatMap { BlueskyURI.isPlausibleDID($0) ? $0 : nil }
        guard let url = BlueskyEndpoint.profile(base: base, actor: did ?? Self.bareActor(actor)) else { return nil }
        return self.request(url, for: account)
    }

    /// HTTP 200 with a profile → available; `AccountTakedown` → unavailable `account_suspended`;
    /// `AccountDeactivated` or `Profile not found` → unavailable `account_deleted`; anything else
    /// → inconclusive (``BlueskyAnswerRules/table``).
    public func classifyAccountProbe(_ response: HTTPResponse, for account: PlatformAccount<BlueskySource>, now: Date)
        -> AccountVerdict
    {
        switch self.readProfile(response, what: "profile of \(account.key)", now: nil) {
        case .available: return .available
        case .unavailable(let reason, let detail): return .unavailable(reason: reason, detail: detail)
        case .failed(let failure): return .inconclusive(detail: failure.message)
        }
    }

    // MARK: - Rate limits

    /// When the AppView accepts requests again (UTC), or `nil` when this answer sets no limit.
    ///
    /// Over the limit the AppView answers 429 `RateLimitExceeded` with `RateLimit-Reset` (unix
    /// seconds) and `Retry-After` (seconds), and sends `RateLimit-Remaining` with every answer
    /// (FORMATS.md §2; xrpc-server `rate-limiter-http.ts`). So: a 429 waits until the later of
    /// the two headers, else ``defaultRateLimitWait`` seconds; any answer with
    /// `RateLimit-Remaining: 0` waits until `RateLimit-Reset` (else ``defaultRateLimitWait``); a
    /// 503 with `Retry-After` waits that long. A time not after `now` (clocks disagree) becomes
    /// `now` + ``minimumRateLimitWait``.
    public func rateLimitReset(in response: HTTPResponse, now: Date) -> Date? {
        let reset = Self.resetTime(in: response)
        let retry = HTTPRetryAfter.parse(response.headers["Retry-After"], now: now)
        func notBeforeNow(_ date: Date) -> Date {
            date > now ? date : now.addingTimeInterval(Self.minimumRateLimitWait)
        }
        if response.status == 429 {
            let until = [reset, retry].compactMap { $0 }.max()
            return until.map(notBeforeNow) ?? now.addingTimeInterval(Self.defaultRateLimitWait)
        }
        if let remaining = response.headers["RateLimit-Remaining"].flatMap({
            Int($0.trimmingCharacters(in: .whitespaces))
        }), remaining <= 0 {
            return reset.map(notBeforeNow) ?? now.addingTimeInterval(Self.defaultRateLimitWait)
        }
        if response.status == 503, let retry { return notBeforeNow(retry) }
        return nil
    }

    // MARK: - Reading answers

    /// What a profile answer says.
    private enum ProfileAnswer {
        case available(BlueskyProfile)
        case unavailable(Reason, String)
        case failed(PollFailure)
    }

    /// The `posts` of a `getPosts` answer, as at-URIs.
    private struct PostsAnswer: Decodable {
        var uris: [String]

        private struct Listed: Decodable {
            var uri: String?
        }

        enum CodingKeys: String, CodingKey {
            case posts
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.uris = try container.decode([Listed].self, forKey: .posts).compactMap(\.uri)
        }
    }

    private func readProfile(_ response: HTTPResponse, what: String, now: Date?) -> ProfileAnswer {
        guard response.isSuccess else {
            if let found = BlueskyAnswerRules.rule(for: response),
                case .accountUnavailable(let reason, let explanation) = found.rule.meaning
            {
                return .unavailable(reason, "\(explanation): \(Self.summary(of: response))")
            }
            return .failed(self.failure(for: response, what: what, now: now))
        }
        guard !response.looksLikeHTML else { return .failed(self.htmlFailure(response, what: what)) }
        let profile: BlueskyProfile
        do {
            profile = try JSONDecoder().decode(BlueskyProfile.self, from: response.body)
        } catch {
            return .failed(
                PollFailure(
                    kind: .unparsable,
                    message: "\(what) answered HTTP \(response.status) with a body that is not a profile: "
                        + DecodingErrorText.describe(error),
                    url: response.url.absoluteString, httpStatus: response.status))
        }
        guard BlueskyURI.isPlausibleDID(profile.did) else {
            return .failed(
                PollFailure(
                    kind: .unparsable,
                    message: "\(what) answered a did that is not a DID: \"\(profile.did.prefix(80))\"",
                    url: response.url.absoluteString, httpStatus: response.status))
        }
        return .available(profile)
    }

    private func readFeedPage(_ response: HTTPResponse, what: String, now: Date) -> Result<BlueskyFeedPage, PollFailure>
    {
        guard response.isSuccess else {
            return .failure(self.failure(for: response, what: what, now: now))
        }
        guard !response.looksLikeHTML else { return .failure(self.htmlFailure(response, what: what)) }
        do {
            return .success(try JSONDecoder().decode(BlueskyFeedPage.self, from: response.body))
        } catch {
            return .failure(
                PollFailure(
                    kind: .unparsable,
                    message: "\(what) answered HTTP \(response.status) with a body that is not an author feed: "
                        + DecodingErrorText.describe(error),
                    url: response.url.absoluteString, httpStatus: response.status))
        }
    }

    /// The failure for an answer that is not usable (never evidence), from its rule.
    /// - Parameter now: the poll's time, for a rate limit's reset; `nil` takes `RateLimit-Reset` only.
    private func failure(for response: HTTPResponse, what: String, now: Date?) -> PollFailure {
        let url = response.url.absoluteString
        let status = response.status
        let summary = Self.summary(of: response)
        guard let found = BlueskyAnswerRules.rule(for: response) else {
            return PollFailure(
                kind: .httpStatus, message: "\(what): unexpected answer (\(summary))", url: url, httpStatus: status)
        }
        switch found.rule.meaning {
        case .rateLimited:
            let reset = now.flatMap { self.rateLimitReset(in: response, now: $0) } ?? Self.resetTime(in: response)
            let until = reset.map { " before \(RFC3339.string(from: $0))" } ?? ""
            return PollFailure(
                kind: .rateLimited,
                message: "\(what): the AppView answered 429 Too Many Requests; no more requests to it\(until)",
                url: url, httpStatus: status, retryAfter: reset)
        case .gated(let explanation):
            return PollFailure(
                kind: .gated, message: "\(what): \(explanation) (\(summary))", url: url, httpStatus: status)
        case .serverError:
            return PollFailure(
                kind: .httpStatus, message: "\(what): server error (\(summary)); retry later", url: url,
                httpStatus: status)
        case .rejected:
            return PollFailure(
                kind: .httpStatus,
                message: "\(what): the AppView rejected the request (\(summary)); check the account's actor, "
                    + "filter and base_url",
                url: url, httpStatus: status)
        case .accountUnavailable(_, let explanation):
            return PollFailure(
                kind: .httpStatus,
                message: "\(what) says \(explanation) while the profile answered; contradictory answers prove "
                    + "nothing, retry later (\(summary))",
                url: url, httpStatus: status)
        case .postGone:
            return PollFailure(
                kind: .httpStatus, message: "\(what): unexpected answer (\(summary))", url: url, httpStatus: status)
        }
    }

    private func htmlFailure(_ response: HTTPResponse, what: String) -> PollFailure {
        PollFailure(
            kind: .unparsable,
            message: "\(what) answered HTTP \(response.status) with an HTML page where JSON was expected "
                + "(a login wall, an anti-bot page, or a wrong base_url)",
            url: response.url.absoluteString,
            httpStatus: response.status)
    }

    /// A request for `url` with `Accept: application/json`, the account's own headers (sorted by
    /// name, so the same account always gives the same request) and its proxy.
    private func request(_ url: URL, for account: PlatformAccount<BlueskySource>) -> HTTPRequest {
        HTTPRequest.forAccount(account.account, url: url, accept: "application/json")
    }

    /// `actor` without a leading `@`.
    static func bareActor(_ actor: String) -> String {
        actor.hasPrefix("@") ? String(actor.dropFirst()) : actor
    }

    /// The `cursor` query value a request URL carried, if any.
    static func cursor(requestedBy url: URL) -> String? {
        URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "cursor" }?.value
    }

    /// `RateLimit-Reset` as a time (UTC): unix seconds (FORMATS.md §2).
    static func resetTime(in response: HTTPResponse) -> Date? {
        guard let text = response.headers["RateLimit-Reset"]?.trimmingCharacters(in: .whitespaces),
            let seconds = Double(text), seconds.isFinite, seconds > 0
        else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// What a rule's meaning says, in words, for a probe's detail.
    static func describe(_ meaning: BlueskyAnswerMeaning) -> String {
        switch meaning {
        case .accountUnavailable(_, let explanation), .postGone(_, let explanation), .gated(let explanation):
            return explanation
        case .rateLimited: return "rate limited (429)"
        case .serverError: return "server error, retry later"
        case .rejected: return "the AppView rejected the request"
        }
    }

    /// `HTTP <status> <body>`: the status and the start of the body, whitespace collapsed, e.g.
    /// `HTTP 400 {"error":"AccountTakedown","message":"Account has been suspended"}`.
    static func summary(of response: HTTPResponse) -> String {
        response.summary(quotingAtMost: Self.quotedBodyBytes)
    }
}
