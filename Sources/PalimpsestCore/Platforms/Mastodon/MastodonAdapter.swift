public import Foundation

/// The `mastodon` platform: a public account read through the Mastodon REST API v1 without a
/// token (any API-compatible server works).
///
/// One poll is two requests: the newest statuses (`/api/v1/accounts/:id/statuses?limit=40`) and
/// the pinned ones (`…?pinned=true`, since `pinned` only appears for the author's token). The
/// account's numeric ID comes once from `/api/v1/accounts/lookup?acct=` and is kept in
/// ``AdapterContext/resolvedID``. A post's probe is `GET /api/v1/statuses/:id`: 404 or 410 is a
/// tombstone (reason `removed`), 200 means it exists, anything else proves nothing.
///
/// Platform facts: FORMATS.md §1; docs `methods/accounts.md`, `methods/statuses.md`,
/// `entities/Status.md`, `entities/Account.md`, `api/rate-limits.md`; fixtures under
/// `Tests/Fixtures/real/mastodon/`. Pure: it builds requests and reads answers, no I/O.
public struct MastodonAdapter: SourcedPlatformAdapter {
    /// Statuses asked for per timeline request: Mastodon's maximum `limit` (default 20, max 40).
    public static let timelineLimit = 40

    /// Seconds to wait after a 429 that names no reset time: the length of Mastodon's rate-limit
    /// window (300 requests per 5 minutes per IP, `api/rate-limits.md`).
    public static let defaultRateLimitWait: TimeInterval = 300

    /// Seconds to wait when the server's reset time is already past by our clock (the clocks
    /// disagree) but it still refuses requests.
    public static let minimumRateLimitWait: TimeInterval = 60

    /// Bytes of an answer's body quoted in a verdict's or failure's detail.
    static let quotedBodyBytes = 300

    /// Creates the adapter; it holds no state (the account ID lives in ``AdapterContext``).
    public init() {}

    // MARK: - Account resolution

    /// `GET <instance>/api/v1/accounts/lookup?acct=<acct>` (a leading `@` removed,
    /// percent-encoded), or `nil` when `context` already holds the account ID.
    public func resolutionRequest(for account: PlatformAccount<MastodonSource>, context: AdapterContext) -> HTTPRequest?
    {
        guard context.resolvedID == nil else { return nil }
        return self.accountProbeRequest(for: account, context: context)
    }

    /// Reads the lookup answer: 200 with an Account gives its `id`; `"suspended": true` gives
    /// `account_suspended`; 404 or 410 (`{"error":"Record not found"}`, fixture
    /// `account_lookup_404.json`) gives `account_deleted`; 429, 5xx, 401 and bodies that are not
    /// a JSON Account are failures that prove nothing.
    public func interpretResolution(_ response: HTTPResponse, for account: PlatformAccount<MastodonSource>)
        -> ResolutionOutcome
    {
        switch self.readAccountAnswer(response, for: account) {
        case .available(let found):
            guard MastodonEndpoint.isPlausibleID(found.id) else {
                return .failed(
                    PollFailure(
                        kind: .unparsable,
                        message: "account lookup for \(account.key) answered an id that is not a plain token: "
                            + "\"\(found.id.prefix(80))\"",
                        url: response.url.absoluteString,
                        httpStatus: response.status
                    )
                )
            }
            return .resolved(id: found.id)
        case .unavailable(let reason, let detail):
            return .accountUnavailable(reason: reason, detail: detail)
        case .failed(let failure):
            return .failed(failure)
        }
    }

    // MARK: - Timeline

    /// The two requests of one poll, in this order: `GET <instance>/api/v1/accounts/<id>/statuses?limit=40`
    /// and `GET <instance>/api/v1/accounts/<id>/statuses?pinned=true`. Empty until the account ID
    /// is resolved (``resolutionRequest(for:context:)``).
    public func timelineRequests(for account: PlatformAccount<MastodonSource>, context: AdapterContext) -> [HTTPRequest]
    {
        let instance = account.source.instance
        guard let accountID = context.resolvedID, MastodonEndpoint.isPlausibleID(accountID),
            let timeline = MastodonEndpoint.statuses(
                instance: instance,
                accountID: accountID,
                limit: Self.timelineLimit
            ),
            let pinned = MastodonEndpoint.pinnedStatuses(instance: instance, accountID: accountID)
        else { return [] }
        return [self.request(timeline, for: account), self.request(pinned, for: account)]
    }

    /// Turns the answers to ``timelineRequests(for:context:)`` (timeline, then pins) into posts.
    ///
    /// Both answers must be HTTP 200 with a JSON array of statuses, or the poll failed (rule of
    /// evidence 1). The posts are the timeline's statuses in the server's order (newest first), then
    /// the pinned statuses the timeline did not hold; a status in both is one post, pinned (as is
    /// a status that says `"pinned": true`).
    /// A 404 on the timeline reads as `account_deleted`, a 410 as `account_suspended` (Mastodon
    /// 2.4–3.3 answered 410 Gone for a suspended account's statuses); the poller does not take that
    /// alone as the account's answer: it asks the account lookup in the same poll, and only its
    /// answer that the account is gone is logged (docs/evidence.md, rule 4). A 401 means the instance
    /// requires authentication (authorized fetch): a `gated` failure.
    /// - Parameter polledAt: the poll's time (UTC), used as "now" for a rate limit without a reset.
    public func observe(_ responses: [HTTPResponse], for account: PlatformAccount<MastodonSource>, polledAt: Date)
        -> TimelineOutcome
    {
        guard responses.count == 2 else {
            return .failed(
                PollFailure(
                    kind: .unparsable,
                    message: "expected 2 answers (timeline, pinned) for \(account.key), got \(responses.count)"
                )
            )
        }
        let timelineAnswer = responses[0]
        // Only the timeline answer speaks for the account: a 404 from the pins alone, while the
        // timeline answered, contradicts itself and proves nothing.
        if timelineAnswer.status == 404 || timelineAnswer.status == 410, !timelineAnswer.looksLikeHTML {
            let reason: Reason = timelineAnswer.status == 410 ? .accountSuspended : .accountDeleted
            return .accountUnavailable(reason: reason, detail: Self.summary(of: timelineAnswer))
        }

        var lists: [[MastodonStatus]] = []
        for (answer, what) in zip(responses, ["timeline", "pinned statuses"]) {
            switch self.decodeStatuses(answer, what: what, for: account, now: polledAt) {
            case .success(let statuses): lists.append(statuses)
            case .failure(let failure): return .failed(failure)
            }
        }

        let pinnedIDs = Set(lists[1].map(\.id))
        var seen = Set<String>()
        var posts: [Post] = []
        for status in lists[0] + lists[1] where seen.insert(status.id).inserted {
            // `pinned: true` appears only when the account's headers carry the author's token.
            posts.append(status.post(isPinned: pinnedIDs.contains(status.id) || status.pinned == true))
        }
        return .observed(posts: posts, isComplete: true)
    }

    // MARK: - Probes

    /// `GET <instance>/api/v1/statuses/<post id>` (for a repost, the boost wrapper's id), or
    /// `nil` when the ID is not a plain token.
    public func probeRequest(for post: Post, of account: PlatformAccount<MastodonSource>, context: AdapterContext)
        -> HTTPRequest?
    {
        let instance = account.source.instance
        guard MastodonEndpoint.isPlausibleID(post.id),
            let url = MastodonEndpoint.status(instance: instance, statusID: post.id)
        else { return nil }
        return self.request(url, for: account)
    }

    /// Classifies a status probe on its HTTP status, not its text (servers word it differently:
    /// `{"error":"Record not found"}`, `{"error":"Not Found"}`, fixtures
    /// `status_delete_404_record_not_found.json`, `status_404_not_found.json`):
    /// 404 or 410 → tombstone `removed`; 200 with this status → exists; anything else (5xx, 429,
    /// 401, an HTML page from something that is not the Mastodon API) → inconclusive.
    public func classifyProbe(
        _ response: HTTPResponse, for post: Post, of account: PlatformAccount<MastodonSource>, now: Date
    )
        -> ProbeVerdict
    {
        switch response.status {
        case 200:
            guard !response.looksLikeHTML else {
                return .inconclusive(detail: "HTTP 200 with an HTML page where a JSON status was expected")
            }
            let status: MastodonStatus
            do {
                status = try JSONDecoder().decode(MastodonStatus.self, from: response.body)
            } catch {
                return .inconclusive(
                    detail: "HTTP 200 but the body is not a Mastodon status: \(DecodingErrorText.describe(error))")
            }
            guard status.id == post.id else {
                return .inconclusive(detail: "HTTP 200 with status \(status.id.prefix(80)), not \(post.id)")
            }
            return .exists
        case 404, 410:
            guard !response.looksLikeHTML else {
                return .inconclusive(
                    detail: "HTTP \(response.status) with an HTML page, not an answer of the Mastodon API "
                        + "(check the instance URL)"
                )
            }
            return .tombstone(reason: .removed, detail: Self.summary(of: response))
        default:
            return .inconclusive(detail: Self.summary(of: response))
        }
    }

    /// The lookup request again (`GET <instance>/api/v1/accounts/lookup?acct=<acct>`), whatever
    /// the context holds.
    public func accountProbeRequest(for account: PlatformAccount<MastodonSource>, context: AdapterContext)
        -> HTTPRequest?
    {
        let instance = account.source.instance
        let acct = account.source.acct
        guard let url = MastodonEndpoint.lookup(instance: instance, acct: acct)
        else { return nil }
        return self.request(url, for: account)
    }

    /// 200 and not suspended → available; `"suspended": true` → unavailable `account_suspended`;
    /// 404 or 410 → unavailable `account_deleted`; anything else → inconclusive.
    public func classifyAccountProbe(_ response: HTTPResponse, for account: PlatformAccount<MastodonSource>, now: Date)
        -> AccountVerdict
    {
        switch self.readAccountAnswer(response, for: account) {
        case .available: return .available
        case .unavailable(let reason, let detail): return .unavailable(reason: reason, detail: detail)
        case .failed(let failure): return .inconclusive(detail: failure.message)
        }
    }

    // MARK: - Rate limits

    /// When the instance accepts requests again (UTC), or `nil` when this answer sets no limit.
    ///
    /// Mastodon sends `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (ISO
    /// 8601 with microseconds, `2026-08-01T13:55:00.348080Z`) on every answer, and over the limit
    /// a 429 with no `Retry-After` (FORMATS.md §1; docs `api/rate-limits.md`; fixtures
    /// `*.meta.json`). So: a 429 waits until `X-RateLimit-Reset`, else `Retry-After`, else
    /// ``defaultRateLimitWait`` seconds; any answer with `X-RateLimit-Remaining: 0` waits until
    /// `X-RateLimit-Reset` (else ``defaultRateLimitWait``); a 503 with `Retry-After` waits that
    /// long. A reset time not after `now` (clocks disagree) becomes `now` + ``minimumRateLimitWait``.
    public func rateLimitReset(in response: HTTPResponse, now: Date) -> Date? {
        let reset = response.headers["X-RateLimit-Reset"].flatMap(MastodonTimestamp.date(from:))
        func notBeforeNow(_ date: Date) -> Date {
            date > now ? date : now.addingTimeInterval(Self.minimumRateLimitWait)
        }
        if response.status == 429 {
            let until = reset ?? HTTPRetryAfter.parse(response.headers["Retry-After"], now: now)
            return until.map(notBeforeNow) ?? now.addingTimeInterval(Self.defaultRateLimitWait)
        }
        if let remaining = response.headers["X-RateLimit-Remaining"].flatMap({
            Int($0.trimmingCharacters(in: .whitespaces))
        }),
            remaining <= 0
        {
            return reset.map(notBeforeNow) ?? now.addingTimeInterval(Self.defaultRateLimitWait)
        }
        if response.status == 503, let retry = HTTPRetryAfter.parse(response.headers["Retry-After"], now: now) {
            return notBeforeNow(retry)
        }
        return nil
    }

    // MARK: - Reading answers

    /// What an account lookup answer says.
    private enum AccountAnswer {
        case available(MastodonAccount)
        case unavailable(Reason, String)
        case failed(PollFailure)
    }

    private func readAccountAnswer(_ response: HTTPResponse, for account: PlatformAccount<MastodonSource>)
        -> AccountAnswer
    {
        let what = "account lookup for \(account.key)"
        switch response.status {
        case 200:
            guard !response.looksLikeHTML else {
                return .failed(self.htmlFailure(response, what: what))
            }
            do {
                let found = try JSONDecoder().decode(MastodonAccount.self, from: response.body)
                if found.isSuspended {
                    return .unavailable(
                        .accountSuspended,
                        "HTTP 200 account \(found.acct ?? found.id) has \"suspended\": true"
                    )
                }
                return .available(found)
            } catch {
                return .failed(
                    PollFailure(
                        kind: .unparsable,
                        message: "\(what) answered HTTP 200 with a body that is not a Mastodon account: "
                            + DecodingErrorText.describe(error),
                        url: response.url.absoluteString,
                        httpStatus: 200
                    )
                )
            }
        case 404, 410:
            guard !response.looksLikeHTML else {
                return .failed(self.htmlFailure(response, what: what))
            }
            return .unavailable(.accountDeleted, Self.summary(of: response))
        default:
            return .failed(self.failure(for: response, what: what, now: nil))
        }
    }

    private func decodeStatuses(
        _ response: HTTPResponse,
        what: String,
        for account: PlatformAccount<MastodonSource>,
        now: Date
    ) -> Result<[MastodonStatus], PollFailure> {
        let what = "\(what) of \(account.key)"
        guard response.status == 200 else {
            return .failure(self.failure(for: response, what: what, now: now))
        }
        guard !response.looksLikeHTML else {
            return .failure(self.htmlFailure(response, what: what))
        }
        do {
            return .success(try JSONDecoder().decode([MastodonStatus].self, from: response.body))
        } catch {
            return .failure(
                PollFailure(
                    kind: .unparsable,
                    message: "\(what) answered HTTP 200 with a body that is not a JSON array of statuses: "
                        + DecodingErrorText.describe(error),
                    url: response.url.absoluteString,
                    httpStatus: 200
                )
            )
        }
    }

    /// The failure for an answer that is not a usable one (never evidence).
    /// - Parameter now: the poll's time, for a rate limit's reset; `nil` takes the reset header only.
    private func failure(for response: HTTPResponse, what: String, now: Date?) -> PollFailure {
        let url = response.url.absoluteString
        let status = response.status
        switch AnswerFailureClassifier.shared.classify(response) {
        case .rateLimited?:
            let reset =
                now.flatMap { self.rateLimitReset(in: response, now: $0) }
                ?? response.headers["X-RateLimit-Reset"].flatMap(MastodonTimestamp.date(from:))
            let until = reset.map { " before \(RFC3339.string(from: $0))" } ?? ""
            return PollFailure(
                kind: .rateLimited,
                message: "\(what): the instance answered 429 Too Many Requests; no more requests to it\(until)",
                url: url,
                httpStatus: status,
                retryAfter: reset
            )
        case .gated? where status == 401:
            return PollFailure(
                kind: .gated,
                message: "instance requires authentication (authorized fetch): \(what) answered HTTP 401; "
                    + "give the account an access token in its headers (Authorization: Bearer …)",
                url: url,
                httpStatus: status
            )
        case .gated?:
            return PollFailure(
                kind: .gated,
                message: "\(what): the instance refused access (\(Self.summary(of: response)))",
                url: url,
                httpStatus: status
            )
        case .serverError?:
            return PollFailure(
                kind: .httpStatus,
                message: "\(what): server error (\(Self.summary(of: response))); retry later",
                url: url,
                httpStatus: status
            )
        case .htmlInsteadOfJSON?, nil:
            return PollFailure(
                kind: .httpStatus,
                message: "\(what): unexpected answer (\(Self.summary(of: response)))",
                url: url,
                httpStatus: status
            )
        }
    }

    private func htmlFailure(_ response: HTTPResponse, what: String) -> PollFailure {
        PollFailure(
            kind: .unparsable,
            message: "\(what) answered HTTP \(response.status) with an HTML page where JSON was expected "
                + "(a login wall, an anti-bot page, or a wrong instance URL)",
            url: response.url.absoluteString,
            httpStatus: response.status
        )
    }

    /// A request for `url` with `Accept: application/json`, the account's own headers (sorted by
    /// name, so the same account always gives the same request) and its proxy.
    private func request(_ url: URL, for account: PlatformAccount<MastodonSource>) -> HTTPRequest {
        HTTPRequest.forAccount(account.account, url: url, accept: "application/json")
    }

    /// `HTTP <status> <body>`: the status and the start of the body, whitespace collapsed, e.g.
    /// `HTTP 404 {"error":"Record not found"}`.
    static func summary(of response: HTTPResponse) -> String {
        response.summary(quotingAtMost: Self.quotedBodyBytes)
    }
}
