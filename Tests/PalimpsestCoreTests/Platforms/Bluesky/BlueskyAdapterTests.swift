import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// When the probe answers in this file arrive (UTC); classification reads no clock.
private let probedAt = Date(timeIntervalSince1970: 1_790_000_000)

/// The adapter's requests, paging, probes and its reading of answers: the recorded fixtures, and
/// error bodies built from the shapes FORMATS.md §2 documents (``BlueskyFixture/DocumentedShape``).
@Suite struct BlueskyAdapterTests {
    typealias Fixture = BlueskyFixture
    typealias Shape = BlueskyFixture.DocumentedShape

    let adapter = BlueskyAdapter()
    let account = Fixture.account()
    let resolved = AdapterContext(resolvedID: Fixture.drilDID)
    /// 2026-08-01T14:00:00Z.
    let now = Date(timeIntervalSince1970: 1_785_592_800)

    private func profileAnswer() throws -> HTTPResponse {
        Fixture.response(body: try Fixture.body("getProfile_dril"))
    }

    private func observe(_ responses: [HTTPResponse], account: Account? = nil) -> TimelineOutcome {
        self.adapter.observe(responses, for: account ?? self.account, polledAt: self.now)
    }

    private func posts(of outcome: TimelineOutcome) -> [Post]? {
        if case .observed(let posts, let isComplete) = outcome, isComplete { return posts }
        return nil
    }

    private func failure(of outcome: TimelineOutcome) -> PollFailure? {
        if case .failed(let failure) = outcome { return failure }
        return nil
    }

    // MARK: Requests

    @Test func resolutionAsksForTheProfileOfTheConfiguredActorOnce() throws {
        let request = try #require(self.adapter.resolutionRequest(for: self.account, context: AdapterContext()))
        #expect(request.method == "GET")
        #expect(
            request.url.absoluteString
                == "https://public.api.bsky.app/xrpc/app.bsky.actor.getProfile?actor=dril.bsky.social")
        #expect(request.headers["Accept"] == "application/json")
        #expect(self.adapter.resolutionRequest(for: self.account, context: self.resolved) == nil)
        let withAt = try #require(
            self.adapter.resolutionRequest(for: Fixture.account(actor: "@dril.bsky.social"), context: AdapterContext()))
        #expect(withAt.url == request.url)
    }

    @Test func timelineIsTheProfileThenTheAuthorFeedByDID() {
        let requests = self.adapter.timelineRequests(for: self.account, context: self.resolved)
        #expect(
            requests.map(\.url.absoluteString) == [
                "https://public.api.bsky.app/xrpc/app.bsky.actor.getProfile?actor=did:plc:6wpkkitfdkgthatfvspcfmjo",
                "https://public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed?actor=did:plc:6wpkkitfdkgthatfvspcfmjo"
                    + "&limit=50&filter=posts_with_replies&includePins=true",
            ])
        #expect(self.adapter.timelineRequests(for: self.account, context: AdapterContext()).isEmpty)
        #expect(
            self.adapter.timelineRequests(for: self.account, context: AdapterContext(resolvedID: "dril.bsky.social"))
                .isEmpty, "only a DID is ever used for the timeline")
    }

    @Test func requestsKeepABasePathPrefixAndTheConfiguredFilter() throws {
        let mirrored = Fixture.account(
            base: URL(string: "http://127.0.0.1:8080/bsky/")!, filter: "posts_no_replies")
        #expect(
            self.adapter.timelineRequests(for: mirrored, context: self.resolved).last?.url.absoluteString
                == "http://127.0.0.1:8080/bsky/xrpc/app.bsky.feed.getAuthorFeed?actor=did:plc:6wpkkitfdkgthatfvspcfmjo"
                + "&limit=50&filter=posts_no_replies&includePins=true")
        let post = Post(id: Fixture.drilPost("3liphfrnb7c2n"), text: "")
        let probe = try #require(self.adapter.probeRequest(for: post, of: mirrored, context: self.resolved))
        #expect(
            probe.url.absoluteString
                == "http://127.0.0.1:8080/bsky/xrpc/app.bsky.feed.getPosts?uris=at://did:plc:6wpkkitfdkgthatfvspcfmjo/"
                + "app.bsky.feed.post/3liphfrnb7c2n")
        let accountProbe = try #require(self.adapter.accountProbeRequest(for: mirrored, context: self.resolved))
        #expect(
            accountProbe.url.absoluteString
                == "http://127.0.0.1:8080/bsky/xrpc/app.bsky.actor.getProfile?actor=did:plc:6wpkkitfdkgthatfvspcfmjo")
    }

    @Test func accountHeadersAndProxyGoWithEveryRequest() throws {
        let source = AccountSource.bluesky(
            actor: "dril.bsky.social", baseURL: Fixture.base, pages: 1, filter: "posts_with_replies")
        let account = Account(
            key: Account.key(for: source), source: source, proxy: "socks5h://127.0.0.1:9050",
            headers: ["Authorization": "Bearer x"])
        let requests = self.adapter.timelineRequests(for: account, context: self.resolved)
        #expect(requests.count == 2)
        #expect(
            requests.allSatisfy { $0.headers["Authorization"] == "Bearer x" && $0.proxy == "socks5h://127.0.0.1:9050" })
    }

    // MARK: Paging

    @Test func nextPageFollowsTheCursorUpToTheConfiguredPages() throws {
        let page = Fixture.response(body: try Fixture.body("getAuthorFeed_dril_page"))
        let twoPages = Fixture.account(pages: 2)
        let next = try #require(
            self.adapter.nextPageRequest(after: page, pageIndex: 0, for: twoPages, context: self.resolved))
        #expect(
            next.url.absoluteString
                == "https://public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed?actor=did:plc:6wpkkitfdkgthatfvspcfmjo"
                + "&limit=50&filter=posts_with_replies&includePins=true&cursor=2025-02-21T18:38:52.746Z")
        #expect(self.adapter.nextPageRequest(after: page, pageIndex: 1, for: twoPages, context: self.resolved) == nil)
        #expect(
            self.adapter.nextPageRequest(after: page, pageIndex: 0, for: self.account, context: self.resolved) == nil)
    }

    @Test func legacyCursorIsSentAsItCame() throws {
        let page = Fixture.response(body: try Fixture.body("getAuthorFeed_reposts_replies_2023"))
        let next = try #require(
            self.adapter.nextPageRequest(
                after: page, pageIndex: 0, for: Fixture.account(pages: 3), context: self.resolved))
        #expect(
            next.url.absoluteString.hasSuffix(
                "&cursor=1682809172466::bafyreihdpdn7uiqmshzb2y4o67gzy2aeairq6phuk476k2oidhy2p5dbwu"))
    }

    @Test func pagingStopsWithoutACursorItemsOrProgress() throws {
        let twoPages = Fixture.account(pages: 5)
        let items = try Fixture.items(ofPage: "getAuthorFeed_dril_page")
        let lastPage = Fixture.response(body: try Fixture.page(items, cursor: nil))
        let emptyPage = Fixture.response(body: try Fixture.page([], cursor: "2025-01-01T00:00:00.000Z"))
        let stuck = Fixture.response(
            body: try Fixture.page(items, cursor: "2025-01-01T00:00:00.000Z"),
            url: "https://public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed?actor=did:plc:6wpkkitfdkgthatfvspcfmjo"
                + "&cursor=2025-01-01T00:00:00.000Z")
        let failed = Fixture.response(status: 503, text: "")
        for answer in [lastPage, emptyPage, stuck, failed] {
            #expect(
                self.adapter.nextPageRequest(after: answer, pageIndex: 0, for: twoPages, context: self.resolved) == nil)
        }
    }

    @Test func cursorWithReservedCharactersIsPercentEncoded() throws {
        let items = try Fixture.items(ofPage: "getAuthorFeed_dril_page")
        let page = Fixture.response(body: try Fixture.page(items, cursor: "a&b=c+d e"))
        let next = try #require(
            self.adapter.nextPageRequest(
                after: page, pageIndex: 0, for: Fixture.account(pages: 2), context: self.resolved))
        #expect(next.url.absoluteString.hasSuffix("&cursor=a%26b%3Dc%2Bd%20e"))
    }

    // MARK: Observation

    @Test func profileAndOnePageGiveTheFivePostsOfAFullWindow() throws {
        let outcome = self.observe([
            try self.profileAnswer(), Fixture.response(body: try Fixture.body("getAuthorFeed_dril_page")),
        ])
        let posts = try #require(self.posts(of: outcome))
        #expect(posts.map(\.id) == (try Fixture.posts(ofPage: "getAuthorFeed_dril_page")).map(\.id))
        #expect(posts.allSatisfy { !$0.isPinned }, "the pinned post 3lcjnbvar5k2s is not on this page")
    }

    @Test func pagesAreJoinedInOrderAndARepeatedURIIsOnePost() throws {
        var items = try Fixture.items(ofPage: "getAuthorFeed_dril_page")
        var pinned = items[4]
        pinned["reason"] = ["$type": "app.bsky.feed.defs#reasonPin"]
        items.insert(pinned, at: 0)
        let first = Fixture.response(body: try Fixture.page(Array(items[0..<3]), cursor: "c1"))
        let second = Fixture.response(body: try Fixture.page(Array(items[3...]), cursor: nil))
        let posts = try #require(self.posts(of: self.observe([try self.profileAnswer(), first, second])))
        #expect(posts.count == 5)
        #expect(posts.first?.id == Fixture.drilPost("3liphb4l7m22n"))
        #expect(posts.first?.isPinned == true, "the pin item comes first and wins over the same post in time")
        #expect(
            posts.dropFirst().map(\.id) == [
                Fixture.drilPost("3lix6ufungs22"), Fixture.drilPost("3litgermucc2h"), Fixture.drilPost("3lirwer3l4s2r"),
                Fixture.drilPost("3liphfrnb7c2n"),
            ])
    }

    @Test func theProfilesPinnedPostIsPinnedWhereverItIsListed() throws {
        let profile = Fixture.response(
            body: try Fixture.modified("getProfile_dril") { profile in
                profile["pinnedPost"] = ["uri": Fixture.drilPost("3lirwer3l4s2r"), "cid": "x"]
            })
        let posts = try #require(
            self.posts(
                of: self.observe([profile, Fixture.response(body: try Fixture.body("getAuthorFeed_dril_page"))])))
        #expect(posts.filter(\.isPinned).map(\.id) == [Fixture.drilPost("3lirwer3l4s2r")])
        #expect(TimelineWindow(posts: posts).postCount == 4)
    }

    @Test(arguments: [
        (Shape.accountTakedown, Reason.accountSuspended, "suspended"),
        (Shape.accountDeactivated, Reason.accountDeleted, "deactivated"),
        (Shape.profileNotFound, Reason.accountDeleted, "no such profile"),
    ])
    func profileErrorMakesTheAccountUnavailable(body: String, reason: Reason, words: String) throws {
        let profile = Fixture.response(status: 400, text: body)
        let feed = Fixture.response(status: 400, text: Shape.profileNotFound)
        guard case .accountUnavailable(let found, let detail) = self.observe([profile, feed]) else {
            Issue.record("expected account_unavailable for \(body)")
            return
        }
        #expect(found == reason)
        #expect(detail.contains(words))
        #expect(detail.contains(body), "the platform's answer is quoted")
    }

    @Test func authorFeedSayingGoneWhileTheProfileAnswersIsBlindNotAnAccountEvent() throws {
        let outcome = self.observe([
            try self.profileAnswer(), Fixture.response(status: 400, text: Shape.profileNotFound),
        ])
        let failure = try #require(self.failure(of: outcome))
        #expect(failure.kind == .httpStatus)
        #expect(failure.message.contains("contradictory"))
    }

    @Test func rateLimitedFeedIsARateLimitedFailureWithItsResetTime() throws {
        let reset = self.now.addingTimeInterval(900)
        let limited = Fixture.response(
            status: 429, text: Shape.rateLimitExceeded,
            headers: [
                ("Content-Type", "application/json"), ("RateLimit-Limit", "3000"), ("RateLimit-Remaining", "0"),
                ("RateLimit-Reset", String(Int(reset.timeIntervalSince1970))), ("RateLimit-Policy", "3000;w=300"),
                ("Retry-After", "60"),
            ])
        let failure = try #require(self.failure(of: self.observe([try self.profileAnswer(), limited])))
        #expect(failure.kind == .rateLimited)
        #expect(failure.retryAfter == reset)
        #expect(failure.httpStatus == 429)
    }

    @Test(arguments: [
        (500, "{}", PollFailure.Kind.httpStatus), (502, "", .httpStatus), (503, "<html>busy</html>", .httpStatus),
        (401, #"{"error":"AuthenticationRequired"}"#, .gated), (403, "", .gated),
        (400, Shape.blockedActor, .gated), (400, Shape.blockedByActor, .gated),
        (400, #"{"error":"InvalidRequest","message":"Error: Params must have the property \"actor\""}"#, .httpStatus),
        (404, "<html>not found</html>", .httpStatus),
    ])
    func failedFeedAnswersAreBlind(status: Int, body: String, kind: PollFailure.Kind) throws {
        let outcome = self.observe([try self.profileAnswer(), Fixture.response(status: status, text: body)])
        let failure = try #require(self.failure(of: outcome))
        #expect(failure.kind == kind)
        #expect(failure.httpStatus == status)
    }

    @Test func htmlTruncatedOrForeignBodiesAreUnparsable() throws {
        let page = try Fixture.body("getAuthorFeed_dril_page")
        let bodies: [HTTPResponse] = [
            Fixture.response(
                status: 200, text: "<html><body>checking your browser</body></html>",
                headers: ["Content-Type": "text/html"]),
            Fixture.response(body: page.prefix(page.count / 2)),
            Fixture.response(status: 200, text: #"{"posts":[]}"#),
            Fixture.response(status: 200, text: #"{"feed":[{"post":{"uri":"at://x/app.bsky.feed.post/y"}}]}"#),
        ]
        for body in bodies {
            let failure = try #require(self.failure(of: self.observe([try self.profileAnswer(), body])))
            #expect(failure.kind == .unparsable)
        }
        let badProfile = Fixture.response(status: 200, text: #"{"did":"not a did","handle":"x"}"#)
        #expect(self.failure(of: self.observe([badProfile, Fixture.response(body: page)]))?.kind == .unparsable)
        #expect(self.failure(of: self.observe([try self.profileAnswer()]))?.kind == .unparsable)
    }

    // MARK: Resolution

    @Test func resolutionGivesTheDIDFromTheRecordedProfile() throws {
        #expect(
            self.adapter.interpretResolution(try self.profileAnswer(), for: self.account)
                == .resolved(id: Fixture.drilDID))
    }

    @Test func resolutionErrorsFollowTheRuleTable() {
        let takedown = self.adapter.interpretResolution(
            Fixture.response(status: 400, text: Shape.accountTakedown), for: self.account)
        guard case .accountUnavailable(.accountSuspended, _) = takedown else {
            Issue.record("AccountTakedown must be account_suspended, got \(takedown)")
            return
        }
        let missing = self.adapter.interpretResolution(
            Fixture.response(status: 400, text: Shape.profileNotFound), for: self.account)
        guard case .accountUnavailable(.accountDeleted, _) = missing else {
            Issue.record("Profile not found must be account_deleted, got \(missing)")
            return
        }
        let limited = self.adapter.interpretResolution(
            Fixture.response(status: 429, text: Shape.rateLimitExceeded, headers: [("RateLimit-Reset", "1785594600")]),
            for: self.account)
        guard case .failed(let failure) = limited else {
            Issue.record("429 must be a failure, got \(limited)")
            return
        }
        #expect(failure.kind == .rateLimited)
        #expect(failure.retryAfter == Date(timeIntervalSince1970: 1_785_594_600))
    }

    // MARK: Probes

    @Test func probeAsksGetPostsForTheOnePostAndNothingForAReposts() throws {
        let post = try Fixture.posts(ofPage: "getAuthorFeed_dril_page")[3]
        let request = try #require(self.adapter.probeRequest(for: post, of: self.account, context: self.resolved))
        #expect(
            request.url.absoluteString
                == "https://public.api.bsky.app/xrpc/app.bsky.feed.getPosts?uris=at://did:plc:6wpkkitfdkgthatfvspcfmjo/"
                + "app.bsky.feed.post/3liphfrnb7c2n")
        let repost = try Fixture.posts(ofPage: "getAuthorFeed_reposts_replies_2023")[0]
        #expect(self.adapter.probeRequest(for: repost, of: self.account, context: self.resolved) == nil)
        for id in [
            "at://did:plc:x/app.bsky.feed.post/a?b=c", "at://did:plc:x/app.bsky.feed.like/abc", "https://x/y",
            "at://did:plc:x/../y/z",
        ] {
            #expect(
                self.adapter.probeRequest(for: Post(id: id, text: ""), of: self.account, context: self.resolved) == nil)
        }
    }

    @Test func postMissingFromGetPostsIsARemovedTombstone() throws {
        let post = try Fixture.posts(ofPage: "getAuthorFeed_dril_page")[3]
        let verdict = self.adapter.classifyProbe(
            Fixture.response(status: 200, text: #"{"posts":[]}"#), for: post, of: self.account, now: probedAt)
        guard case .tombstone(let reason, let detail) = verdict else {
            Issue.record("expected a tombstone, got \(verdict)")
            return
        }
        #expect(reason == .removed, "getPosts does not say who removed it: never guess")
        #expect(detail.contains("0 of 1"))
        let others = try Fixture.getPostsAnswer(Array(try Fixture.items(ofPage: "getAuthorFeed_dril_page")[0..<3]))
        guard
            case .tombstone(.removed, _) = self.adapter.classifyProbe(
                Fixture.response(body: others), for: post, of: self.account, now: probedAt)
        else {
            Issue.record("a getPosts answer with other posts only is still a tombstone for this one")
            return
        }
    }

    @Test func postListedByGetPostsExistsEvenWhenTheFeedDroppedIt() throws {
        // A reply can leave the author feed (a block, a hidden reply) while getPosts still serves it.
        let items = try Fixture.items(ofPage: "getAuthorFeed_dril_page")
        let post = try Fixture.posts(ofPage: "getAuthorFeed_dril_page")[3]
        let answer = Fixture.response(body: try Fixture.getPostsAnswer([items[3]]))
        #expect(self.adapter.classifyProbe(answer, for: post, of: self.account, now: probedAt) == .exists)
    }

    @Test(arguments: [
        (429, Shape.rateLimitExceeded), (500, #"{"error":"InternalServerError"}"#), (502, ""), (504, ""),
        (400, Shape.postNotFound), (401, ""), (400, Shape.accountTakedown), (200, "<html>captcha</html>"),
        (200, "{}"), (200, #"{"posts":"nope"}"#), (302, ""),
    ])
    func probeAnswersThatAreNotAGetPostsListProveNothing(status: Int, body: String) throws {
        let post = try Fixture.posts(ofPage: "getAuthorFeed_dril_page")[3]
        let verdict = self.adapter.classifyProbe(
            Fixture.response(status: status, text: body), for: post, of: self.account, now: probedAt)
        guard case .inconclusive = verdict else {
            Issue.record("HTTP \(status) \(body) must be inconclusive, got \(verdict)")
            return
        }
    }

    @Test func accountProbeUsesTheRuleTable() throws {
        #expect(
            self.adapter.classifyAccountProbe(try self.profileAnswer(), for: self.account, now: probedAt) == .available)
        let cases: [(String, Reason)] = [
            (Shape.accountTakedown, .accountSuspended), (Shape.accountDeactivated, .accountDeleted),
            (Shape.profileNotFound, .accountDeleted),
        ]
        for (body, reason) in cases {
            guard
                case .unavailable(let found, _) = self.adapter.classifyAccountProbe(
                    Fixture.response(status: 400, text: body), for: self.account, now: probedAt)
            else {
                Issue.record("\(body) must make the account unavailable")
                continue
            }
            #expect(found == reason)
        }
        for (status, body) in [
            (429, Shape.rateLimitExceeded), (503, ""), (400, Shape.blockedByActor), (200, "<html/>"),
        ] {
            guard
                case .inconclusive = self.adapter.classifyAccountProbe(
                    Fixture.response(status: status, text: body), for: self.account, now: probedAt)
            else {
                Issue.record("HTTP \(status) \(body) must be inconclusive")
                continue
            }
        }
        let probe = try #require(self.adapter.accountProbeRequest(for: self.account, context: AdapterContext()))
        #expect(
            probe.url.absoluteString.hasSuffix("getProfile?actor=dril.bsky.social"), "the actor until the DID is known")
    }

    // MARK: Rate limits

    @Test func rateLimitWaitsForTheLaterOfResetAndRetryAfter() {
        let reset = self.now.addingTimeInterval(600)
        let headers: HTTPHeaders = [
            ("RateLimit-Reset", String(Int(reset.timeIntervalSince1970))), ("Retry-After", "60"),
        ]
        #expect(
            self.adapter.rateLimitReset(in: Fixture.response(status: 429, text: "", headers: headers), now: self.now)
                == reset)
        let longRetry: HTTPHeaders = [
            ("RateLimit-Reset", String(Int(reset.timeIntervalSince1970))), ("Retry-After", "1200"),
        ]
        #expect(
            self.adapter.rateLimitReset(in: Fixture.response(status: 429, text: "", headers: longRetry), now: self.now)
                == self.now.addingTimeInterval(1200))
        #expect(
            self.adapter.rateLimitReset(
                in: Fixture.response(status: 429, text: "", headers: [("Retry-After", "30")]), now: self.now)
                == self.now.addingTimeInterval(30))
        #expect(
            self.adapter.rateLimitReset(in: Fixture.response(status: 429, text: ""), now: self.now)
                == self.now.addingTimeInterval(BlueskyAdapter.defaultRateLimitWait))
        let past: HTTPHeaders = [("RateLimit-Reset", String(Int(self.now.timeIntervalSince1970) - 10))]
        #expect(
            self.adapter.rateLimitReset(in: Fixture.response(status: 429, text: "", headers: past), now: self.now)
                == self.now.addingTimeInterval(BlueskyAdapter.minimumRateLimitWait))
    }

    @Test func exhaustedBudgetOnAGoodAnswerWaitsForTheReset() {
        let reset = self.now.addingTimeInterval(120)
        let exhausted: HTTPHeaders = [
            ("RateLimit-Remaining", "0"), ("RateLimit-Reset", String(Int(reset.timeIntervalSince1970))),
        ]
        #expect(
            self.adapter.rateLimitReset(
                in: Fixture.response(status: 200, text: "{}", headers: exhausted), now: self.now) == reset)
        let plenty: HTTPHeaders = [
            ("RateLimit-Remaining", "2999"), ("RateLimit-Reset", String(Int(reset.timeIntervalSince1970))),
        ]
        #expect(
            self.adapter.rateLimitReset(in: Fixture.response(status: 200, text: "{}", headers: plenty), now: self.now)
                == nil)
        #expect(
            self.adapter.rateLimitReset(
                in: Fixture.response(status: 503, text: "", headers: [("Retry-After", "90")]), now: self.now)
                == self.now.addingTimeInterval(90))
        #expect(self.adapter.rateLimitReset(in: Fixture.response(status: 503, text: ""), now: self.now) == nil)
    }

    // MARK: The rule table

    @Test func everyRuleCitesItsSource() {
        for rule in BlueskyAnswerRules.table {
            #expect(
                rule.source.contains("FORMATS.md") || rule.source.contains(".ts") || rule.source.contains(".json"),
                "rule \(rule.match) cites no source")
        }
        #expect(BlueskyAnswerRules.table.contains { $0.match == .missingFromGetPosts })
    }

    @Test(arguments: [
        (429, Shape.rateLimitExceeded, "rateLimited"), (400, Shape.accountTakedown, "account_suspended"),
        (400, Shape.accountDeactivated, "account_deleted"), (400, Shape.profileNotFound, "account_deleted"),
        (400, Shape.blockedActor, "gated"), (400, Shape.blockedByActor, "gated"), (401, "", "gated"),
        (403, "", "gated"), (500, "", "serverError"), (503, "", "serverError"), (400, Shape.postNotFound, "rejected"),
        (400, #"{"error":"InvalidRequest","message":"Error: actor must be a valid did or a handle"}"#, "rejected"),
        (404, "", "rejected"),
    ])
    func documentedErrorShapesAreClassifiedByTheTable(status: Int, body: String, expected: String) throws {
        let found = try #require(BlueskyAnswerRules.rule(for: Fixture.response(status: status, text: body)))
        let name: String
        switch found.rule.meaning {
        case .accountUnavailable(let reason, _): name = reason.rawValue
        case .postGone(let reason, _): name = "post:\(reason.rawValue)"
        case .rateLimited: name = "rateLimited"
        case .gated: name = "gated"
        case .serverError: name = "serverError"
        case .rejected: name = "rejected"
        }
        #expect(name == expected)
        #expect(BlueskyAnswerRules.rule(for: Fixture.response(status: 200, text: body)) == nil)
    }
}
