import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// When the probe answers in this file arrive (UTC); classification reads no clock.
private let probedAt = Date(timeIntervalSince1970: 1_790_000_000)

/// The adapter's requests and its reading of recorded answers (fixtures in
/// `Tests/Fixtures/real/mastodon/`, with their real statuses and headers).
@Suite struct MastodonAdapterTests {
    let adapter = MastodonAdapter()
    let account = MastodonFixture.account
    let resolved = AdapterContext(resolvedID: MastodonFixture.accountID)
    /// 2026-08-01T13:50:00Z, before every recorded `X-RateLimit-Reset`.
    let now = MastodonFixture.utc(1_785_592_200)

    private func account(instance: String, acct: String) -> Account {
        let source = AccountSource.mastodon(instance: URL(string: instance)!, acct: acct)
        return Account(key: Account.key(for: source), source: source)
    }

    private func failure(of outcome: TimelineOutcome) -> PollFailure? {
        if case .failed(let failure) = outcome { return failure }
        return nil
    }

    private func observe(_ timeline: HTTPResponse, pinned: HTTPResponse? = nil) -> TimelineOutcome {
        self.adapter.observe(
            [timeline, pinned ?? MastodonFixture.response(status: 200, body: "[]")],
            for: self.account,
            polledAt: self.now
        )
    }

    // MARK: Requests

    @Test func lookupRequestStripsTheAtSignAndMatchesTheRecordedRequest() throws {
        let request = try #require(self.adapter.resolutionRequest(for: self.account, context: AdapterContext()))
        #expect(request.method == "GET")
        #expect(request.url.absoluteString == "http://localhost:3000/api/v1/accounts/lookup?acct=mastodonpy_test")
        #expect(request.headers["Accept"] == "application/json")
        #expect(self.adapter.resolutionRequest(for: self.account, context: self.resolved) == nil)
    }

    @Test func remoteAcctIsPercentEncoded() throws {
        let remote = self.account(instance: "https://mastodon.social", acct: "@user@example.social")
        let request = try #require(self.adapter.resolutionRequest(for: remote, context: AdapterContext()))
        #expect(
            request.url.absoluteString == "https://mastodon.social/api/v1/accounts/lookup?acct=user%40example.social"
        )
    }

    @Test func requestsKeepAnInstancePathPrefix() throws {
        for instance in ["http://127.0.0.1:8080/mastodon", "http://127.0.0.1:8080/mastodon/"] {
            let mirrored = self.account(instance: instance, acct: "mastodonpy_test")
            let lookup = try #require(self.adapter.resolutionRequest(for: mirrored, context: AdapterContext()))
            #expect(
                lookup.url.absoluteString
                    == "http://127.0.0.1:8080/mastodon/api/v1/accounts/lookup?acct=mastodonpy_test"
            )
            #expect(
                self.adapter.timelineRequests(for: mirrored, context: self.resolved).map(\.url.absoluteString) == [
                    "http://127.0.0.1:8080/mastodon/api/v1/accounts/117020565966271181/statuses?limit=40",
                    "http://127.0.0.1:8080/mastodon/api/v1/accounts/117020565966271181/statuses?pinned=true",
                ]
            )
            let post = Post(id: "117020580518794573", text: "Toot number 9!")
            let probe = try #require(self.adapter.probeRequest(for: post, of: mirrored, context: self.resolved))
            #expect(probe.url.absoluteString == "http://127.0.0.1:8080/mastodon/api/v1/statuses/117020580518794573")
            let accountProbe = try #require(self.adapter.accountProbeRequest(for: mirrored, context: self.resolved))
            #expect(accountProbe.url == lookup.url)
        }
    }

    @Test func timelineRequestsAreTimelineThenPins() {
        let requests = self.adapter.timelineRequests(for: self.account, context: self.resolved)
        #expect(
            requests.map(\.url.absoluteString) == [
                "http://localhost:3000/api/v1/accounts/117020565966271181/statuses?limit=40",
                "http://localhost:3000/api/v1/accounts/117020565966271181/statuses?pinned=true",
            ]
        )
        #expect(requests.allSatisfy { $0.method == "GET" })
    }

    @Test func noTimelineRequestsBeforeResolutionOrForAnImplausibleID() {
        #expect(self.adapter.timelineRequests(for: self.account, context: AdapterContext()).isEmpty)
        #expect(
            self.adapter.timelineRequests(for: self.account, context: AdapterContext(resolvedID: "../admin")).isEmpty
        )
    }

    @Test func accountHeadersAndProxyTravelWithEveryRequest() throws {
        var withToken = self.account
        withToken.headers = ["Authorization": "Bearer abc"]
        withToken.proxy = "socks5h://127.0.0.1:9050"
        let requests = self.adapter.timelineRequests(for: withToken, context: self.resolved)
        #expect(requests.count == 2)
        #expect(
            requests.allSatisfy {
                $0.headers["Authorization"] == "Bearer abc" && $0.proxy == "socks5h://127.0.0.1:9050"
            }
        )
    }

    @Test func probeOfARepostAsksForTheBoostWrapper() throws {
        let repost = try MastodonFixture.post(named: "status_reblog_wrapper")
        let request = try #require(self.adapter.probeRequest(for: repost, of: self.account, context: self.resolved))
        #expect(request.url.absoluteString == "http://localhost:3000/api/v1/statuses/117020586027094262")
        #expect(
            self.adapter.probeRequest(for: Post(id: "1/../2", text: ""), of: self.account, context: self.resolved)
                == nil
        )
    }

    // MARK: Resolution

    @Test func lookupAnswerResolvesTheAccountID() throws {
        let outcome = self.adapter.interpretResolution(
            try MastodonFixture.response(named: "account_lookup"),
            for: self.account
        )
        #expect(outcome == .resolved(id: "117020565966271181"))
    }

    @Test func lookup404IsADeletedAccountQuotingTheAnswer() throws {
        let outcome = self.adapter.interpretResolution(
            try MastodonFixture.response(named: "account_lookup_404"),
            for: self.account
        )
        #expect(
            outcome == .accountUnavailable(reason: .accountDeleted, detail: "HTTP 404 {\"error\":\"Record not found\"}")
        )
    }

    @Test func suspendedAccountIsUnavailable() throws {
        let body = try MastodonFixture.modifiedObject(named: "account_lookup") { $0["suspended"] = true }
        let answer = try MastodonFixture.response(named: "account_lookup", body: body)
        guard
            case .accountUnavailable(let reason, let detail) = self.adapter.interpretResolution(
                answer,
                for: self.account
            )
        else {
            Issue.record("expected an unavailable account")
            return
        }
        #expect(reason == .accountSuspended)
        #expect(detail.contains("mastodonpy_test"))
        #expect(
            self.adapter.classifyAccountProbe(answer, for: self.account, now: probedAt)
                == .unavailable(reason: .accountSuspended, detail: detail)
        )
    }

    @Test func lookupFailuresProveNothing() throws {
        let rateLimited = MastodonFixture.response(
            status: 429,
            body: "{\"error\":\"Too many requests\"}",
            headers: ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-08-01T13:55:00.348080Z"]
        )
        guard case .failed(let limit) = self.adapter.interpretResolution(rateLimited, for: self.account) else {
            Issue.record("expected a failure")
            return
        }
        #expect(limit.kind == .rateLimited)
        #expect(limit.retryAfter == MastodonFixture.utc(1_785_592_500.348080))

        let unavailable = MastodonFixture.response(
            status: 503,
            body: "<html>Service Unavailable</html>",
            headers: ["Content-Type": "text/html"]
        )
        guard case .failed(let server) = self.adapter.interpretResolution(unavailable, for: self.account) else {
            Issue.record("expected a failure")
            return
        }
        #expect(server.kind == .httpStatus)
        #expect(server.httpStatus == 503)

        let loginWall = MastodonFixture.response(
            status: 200,
            body: "<!DOCTYPE html><html><body>Sign in</body></html>",
            headers: ["Content-Type": "text/html"]
        )
        guard case .failed(let html) = self.adapter.interpretResolution(loginWall, for: self.account) else {
            Issue.record("expected a failure")
            return
        }
        #expect(html.kind == .unparsable)

        let htmlNotFound = MastodonFixture.response(
            status: 404,
            body: "<html><body>nginx 404</body></html>",
            headers: ["Content-Type": "text/html"]
        )
        guard case .failed = self.adapter.interpretResolution(htmlNotFound, for: self.account) else {
            Issue.record("an HTML 404 is not the Mastodon API: no account event")
            return
        }
    }

    @Test func lookupAnsweringAnIDThatIsNoPlainTokenFails() throws {
        let body = try MastodonFixture.modifiedObject(named: "account_lookup") { $0["id"] = "../../admin" }
        let outcome = self.adapter.interpretResolution(
            try MastodonFixture.response(named: "account_lookup", body: body),
            for: self.account
        )
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(failure.kind == .unparsable)
    }

    // MARK: Timeline

    @Test func statusInBothListsIsOnePinnedPost() throws {
        let page1 = try MastodonFixture.response(named: "account_statuses_page1")
        let statuses = try JSONSerialization.jsonObject(with: page1.body) as? [Any] ?? []
        let pinsBody = try JSONSerialization.data(withJSONObject: [statuses[0]])
        let pins = try MastodonFixture.response(named: "account_statuses_pinned", body: pinsBody)
        guard case .observed(let posts, _) = self.observe(page1, pinned: pins) else {
            Issue.record("expected posts")
            return
        }
        #expect(posts.map(\.id).count == 5)
        #expect(posts.map(\.isPinned) == [true, false, false, false, false])
        #expect(posts[0].id == "117020580518794573")
    }

    @Test func htmlTimelineIsUnparsable() {
        let page = MastodonFixture.response(
            status: 200,
            body: "<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
            headers: ["Content-Type": "text/html; charset=UTF-8"]
        )
        #expect(self.failure(of: self.observe(page))?.kind == .unparsable)
        #expect(
            self.failure(of: self.observe(MastodonFixture.response(status: 200, body: "[]"), pinned: page))?.kind
                == .unparsable
        )
    }

    @Test func truncatedOrNonArrayTimelineIsUnparsable() throws {
        let page1 = try MastodonFixture.response(named: "account_statuses_page1")
        let truncated = try MastodonFixture.response(named: "account_statuses_page1", body: page1.body.prefix(4000))
        #expect(self.failure(of: self.observe(truncated))?.kind == .unparsable)
        let object = MastodonFixture.response(status: 200, body: "{\"error\":\"Record not found\"}")
        #expect(self.failure(of: self.observe(object))?.kind == .unparsable)
    }

    @Test func serverErrorRateLimitAndAuthorizedFetchAreFailures() {
        let unavailable = MastodonFixture.response(
            status: 503,
            body: "<html>503</html>",
            headers: ["Content-Type": "text/html"]
        )
        let server = self.failure(of: self.observe(unavailable))
        #expect(server?.kind == .httpStatus)
        #expect(server?.httpStatus == 503)

        let limited = MastodonFixture.response(
            status: 429,
            body: "{\"error\":\"Too many requests\"}",
            headers: ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-08-01T13:55:00.348080Z"]
        )
        let limit = self.failure(of: self.observe(limited))
        #expect(limit?.kind == .rateLimited)
        #expect(limit?.retryAfter == MastodonFixture.utc(1_785_592_500.348080))
        let bare429 = MastodonFixture.response(status: 429, body: "{\"error\":\"Too many requests\"}")
        #expect(self.failure(of: self.observe(bare429))?.retryAfter == self.now.addingTimeInterval(300))

        let authorized = MastodonFixture.response(
            status: 401,
            body: "{\"error\":\"This API requires an authenticated user\"}"
        )
        let gated = self.failure(of: self.observe(authorized))
        #expect(gated?.kind == .gated)
        #expect(gated?.message.hasPrefix("instance requires authentication (authorized fetch)") == true)
    }

    @Test func missingOrGoneTimelineIsAnAccountEvent() {
        let notFound = MastodonFixture.response(status: 404, body: "{\"error\":\"Record not found\"}")
        #expect(
            self.observe(notFound)
                == .accountUnavailable(reason: .accountDeleted, detail: "HTTP 404 {\"error\":\"Record not found\"}")
        )
        let gone = MastodonFixture.response(status: 410, body: "{\"error\":\"Gone\"}")
        #expect(
            self.observe(gone)
                == .accountUnavailable(reason: .accountSuspended, detail: "HTTP 410 {\"error\":\"Gone\"}")
        )
    }

    @Test func pinsAlone404WhileTheTimelineAnsweredProvesNothing() throws {
        let page1 = try MastodonFixture.response(named: "account_statuses_page1")
        let notFound = MastodonFixture.response(status: 404, body: "{\"error\":\"Record not found\"}")
        #expect(self.failure(of: self.observe(page1, pinned: notFound))?.kind == .httpStatus)
    }

    @Test func wrongNumberOfAnswersFails() throws {
        let page1 = try MastodonFixture.response(named: "account_statuses_page1")
        let outcome = self.adapter.observe([page1], for: self.account, polledAt: self.now)
        #expect(self.failure(of: outcome) != nil)
    }

    @Test func emptyTimelineIsACompleteEmptyObservation() {
        // Mastodon ≥ 3.3 answers a suspended account's statuses with []: the differ's mass
        // disappearance rule then probes the account.
        #expect(
            self.observe(MastodonFixture.response(status: 200, body: "[]")) == .observed(posts: [], isComplete: true)
        )
    }

    // MARK: Probes

    @Test func probe404IsATombstoneKeyedOnStatusNotText() throws {
        let post = Post(id: "0", text: "")
        let notFound = try MastodonFixture.response(named: "status_404_not_found")
        #expect(
            self.adapter.classifyProbe(notFound, for: post, of: self.account, now: probedAt)
                == .tombstone(reason: .removed, detail: "HTTP 404 {\"error\":\"Not Found\"}")
        )
        let recordNotFound = try MastodonFixture.response(named: "status_delete_404_record_not_found")
        #expect(
            self.adapter.classifyProbe(
                recordNotFound, for: Post(id: "117020606379845323", text: ""), of: self.account, now: probedAt)
                == .tombstone(reason: .removed, detail: "HTTP 404 {\"error\":\"Record not found\"}")
        )
        let gone = MastodonFixture.response(status: 410, body: "")
        #expect(
            self.adapter.classifyProbe(gone, for: post, of: self.account, now: probedAt)
                == .tombstone(reason: .removed, detail: "HTTP 410 (empty body)")
        )
    }

    @Test func probe200WithTheStatusMeansItExists() throws {
        let answer = try MastodonFixture.response(named: "status_with_media_attachment")
        let post = try MastodonFixture.post(named: "status_with_media_attachment")
        #expect(self.adapter.classifyProbe(answer, for: post, of: self.account, now: probedAt) == .exists)
        let other = Post(id: "117020580518794573", text: "Toot number 9!")
        guard case .inconclusive = self.adapter.classifyProbe(answer, for: other, of: self.account, now: probedAt)
        else {
            Issue.record("a 200 for another status proves nothing about this one")
            return
        }
    }

    @Test func probeFailuresAreInconclusive() {
        let post = Post(id: "117020580518794573", text: "Toot number 9!")
        let answers = [
            MastodonFixture.response(
                status: 503,
                body: "<html>503 Service Unavailable</html>",
                headers: ["Content-Type": "text/html"]
            ),
            MastodonFixture.response(status: 500, body: "{\"error\":\"Internal server error\"}"),
            MastodonFixture.response(status: 429, body: "{\"error\":\"Too many requests\"}"),
            MastodonFixture.response(status: 401, body: "{\"error\":\"This API requires an authenticated user\"}"),
            MastodonFixture.response(
                status: 404,
                body: "<html><body><h1>404 Not Found</h1>nginx</body></html>",
                headers: ["Content-Type": "text/html"]
            ),
            MastodonFixture.response(
                status: 200,
                body: "<html>Just a moment...</html>",
                headers: ["Content-Type": "text/html"]
            ),
            MastodonFixture.response(status: 302, body: ""),
        ]
        for answer in answers {
            guard case .inconclusive = self.adapter.classifyProbe(answer, for: post, of: self.account, now: probedAt)
            else {
                Issue.record("HTTP \(answer.status) must be inconclusive")
                continue
            }
        }
        if case .inconclusive(let detail) = self.adapter.classifyProbe(
            answers[0], for: post, of: self.account, now: probedAt)
        {
            #expect(detail.hasPrefix("HTTP 503"))
        }
    }

    @Test func accountProbeClassifiesLookupAnswers() throws {
        #expect(
            self.adapter.classifyAccountProbe(
                try MastodonFixture.response(named: "account_lookup"), for: self.account, now: probedAt)
                == .available
        )
        #expect(
            self.adapter.classifyAccountProbe(
                try MastodonFixture.response(named: "account_lookup_404"),
                for: self.account, now: probedAt
            )
                == .unavailable(reason: .accountDeleted, detail: "HTTP 404 {\"error\":\"Record not found\"}")
        )
        let unavailable = MastodonFixture.response(status: 503, body: "")
        guard case .inconclusive = self.adapter.classifyAccountProbe(unavailable, for: self.account, now: probedAt)
        else {
            Issue.record("a 503 proves nothing about the account")
            return
        }
    }

    // MARK: Rate limits

    @Test func exhaustedBudgetWaitsUntilTheMicrosecondReset() throws {
        var answer = try MastodonFixture.response(named: "status_delete_response")
        #expect(answer.headers["X-RateLimit-Reset"] == "2026-08-01T14:00:00.581704Z")
        #expect(self.adapter.rateLimitReset(in: answer, now: self.now) == nil)  // 29 remaining
        answer.headers.replaceOrAdd(name: "X-RateLimit-Remaining", value: "0")
        let reset = try #require(self.adapter.rateLimitReset(in: answer, now: self.now))
        #expect(abs(reset.timeIntervalSince1970 - 1_785_592_800.581704) < 1e-6)
        #expect(reset == MastodonFixture.utc(1_785_592_800.581704))
    }

    @Test func tooManyRequestsWaitsUntilResetOrFiveMinutes() throws {
        var answer = try MastodonFixture.response(
            named: "status_404_not_found",
            body: Data("{\"error\":\"Too many requests\"}".utf8)
        )
        answer.status = 429
        #expect(self.adapter.rateLimitReset(in: answer, now: self.now) == MastodonFixture.utc(1_785_592_500.348080))
        let bare = MastodonFixture.response(status: 429, body: "{\"error\":\"Too many requests\"}")
        #expect(self.adapter.rateLimitReset(in: bare, now: self.now) == self.now.addingTimeInterval(300))
        // A reset already past by our clock (clocks disagree) still waits a minute.
        let later = MastodonFixture.utc(1_785_592_600)
        #expect(self.adapter.rateLimitReset(in: answer, now: later) == later.addingTimeInterval(60))
    }

    @Test func ordinaryAnswersSetNoLimit() throws {
        for name in ["account_lookup", "account_statuses_page1", "account_statuses_pinned", "status_404_not_found"] {
            #expect(self.adapter.rateLimitReset(in: try MastodonFixture.response(named: name), now: self.now) == nil)
        }
    }
}
