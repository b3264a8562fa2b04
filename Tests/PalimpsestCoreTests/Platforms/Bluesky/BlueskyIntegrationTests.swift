import Foundation
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

/// Bluesky through the whole poll path: the loopback replay server, the real libcurl client, the
/// state folder and the deletion log. Answers are the recorded @dril profile and author-feed page
/// (re-paged into two pages), and error bodies built from the shapes FORMATS.md §2 documents.
@Suite(.serialized) struct BlueskyIntegrationTests {
    typealias Fixture = BlueskyFixture

    static let did = Fixture.drilDID
    static let resolvePath = "/xrpc/app.bsky.actor.getProfile?actor=dril.bsky.social"
    static let profilePath = "/xrpc/app.bsky.actor.getProfile?actor=\(did)"
    static let firstPagePath =
        "/xrpc/app.bsky.feed.getAuthorFeed?actor=\(did)&limit=50&filter=posts_with_replies&includePins=true"
    /// The cursor the re-paged first page hands out (the third item's `indexedAt`).
    static let cursor = "2025-02-22T18:14:39.356Z"
    static let secondPagePath = firstPagePath + "&cursor=\(cursor)"
    /// The self-reply that disappears in the deletion test.
    static let replyURI = Fixture.drilPost("3liphfrnb7c2n")
    static let probePath = "/xrpc/app.bsky.feed.getPosts?uris=\(replyURI)"

    static func json(_ body: Data, status: Int = 200, headers: HTTPHeaders = []) -> ReplayResponse {
        ReplayResponse(status: status, headers: IntegrationHarness.json + headers, body: body)
    }

    func account(_ harness: IntegrationHarness, pages: Int) -> Account {
        Fixture.account(base: harness.server.baseURL, pages: pages)
    }

    /// Scripts the resolution and profile answers with the recorded profile.
    func scriptProfile(_ harness: IntegrationHarness) throws {
        let profile = try Fixture.body("getProfile_dril")
        harness.server.script(Self.resolvePath, [Self.json(profile)])
        harness.server.script(Self.profilePath, [Self.json(profile)])
    }

    /// Scripts the recorded page split in two: items 0–2 with a cursor, then `secondPage` items of
    /// 3–4 without one.
    func scriptPages(_ harness: IntegrationHarness, secondPage: [Int] = [3, 4]) throws {
        let items = try Fixture.items(ofPage: "getAuthorFeed_dril_page")
        harness.server.script(
            Self.firstPagePath, [Self.json(try Fixture.page(Array(items[0..<3]), cursor: Self.cursor))])
        harness.server.script(
            Self.secondPagePath, [Self.json(try Fixture.page(secondPage.map { items[$0] }, cursor: nil))])
    }

    func poll(_ harness: IntegrationHarness, _ account: Account, at minutes: Int) async throws -> PollReport {
        try await harness.poller().poll(account, at: IntegrationHarness.time(minutes))
    }

    @Test func postMissingFromTheSecondPageAndFromGetPostsIsOneConfirmedDeletion() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness, pages: 2)
        try self.scriptProfile(harness)
        try self.scriptPages(harness)
        let first = try await self.poll(harness, account, at: 0)
        #expect(first.record.outcome == "complete")
        #expect(first.record.posts == 5)
        #expect(first.events.isEmpty)

        try self.scriptPages(harness, secondPage: [4])
        harness.server.script(Self.probePath, [Self.json(Data(#"{"posts":[]}"#.utf8))])
        let second = try await self.poll(harness, account, at: 10)
        let requests = harness.server.requests().map(\.path)
        let logged = try harness.loggedEvents()
        await harness.close()

        #expect(second.events.map(\.event) == [.deleted])
        let deleted = try #require(second.events.first)
        #expect(deleted.postID == Self.replyURI)
        #expect(deleted.reason == .removed)
        #expect(deleted.confirmedBy == .probe)
        #expect(deleted.platform == .bluesky)
        #expect(deleted.account == account.key)
        #expect(deleted.text?.hasPrefix("he is throwing up a lot of orange liquid.") == true)
        #expect(deleted.url == "https://bsky.app/profile/did:plc:6wpkkitfdkgthatfvspcfmjo/post/3liphfrnb7c2n")
        #expect(deleted.evidence.contains { $0.url.hasSuffix(Self.probePath) && $0.status == 200 })
        #expect(logged.map(\.event) == [.deleted])
        #expect(requests.filter { $0 == Self.resolvePath }.count == 1, "the DID is resolved once")
        #expect(requests.filter { $0 == Self.secondPagePath }.count == 2)
        #expect(requests.filter { $0 == Self.probePath }.count == 1)
    }

    @Test func replyGoneFromTheFeedButServedByGetPostsIsNoDeletion() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness, pages: 2)
        try self.scriptProfile(harness)
        try self.scriptPages(harness)
        _ = try await self.poll(harness, account, at: 0)

        try self.scriptPages(harness, secondPage: [4])
        let items = try Fixture.items(ofPage: "getAuthorFeed_dril_page")
        harness.server.script(Self.probePath, [Self.json(try Fixture.getPostsAnswer([items[3]]))])
        let second = try await self.poll(harness, account, at: 10)
        let third = try await self.poll(harness, account, at: 40)
        let logged = try harness.loggedEvents()
        await harness.close()
        #expect(second.events.isEmpty)
        #expect(third.events.isEmpty)
        #expect(logged.isEmpty, "a post getPosts still serves is never deleted")
    }

    @Test func rewrittenRecordWithANewCIDIsOneAlteration() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness, pages: 1)
        try self.scriptProfile(harness)
        let original = try Fixture.body("getAuthorFeed_dril_page")
        harness.server.script(Self.firstPagePath, [Self.json(original)])
        _ = try await self.poll(harness, account, at: 0)

        let rewritten = try Fixture.modified("getAuthorFeed_dril_page") { page in
            var feed = page["feed"] as! [[String: Any]]
            var post = feed[0]["post"] as! [String: Any]
            post["cid"] = "bafyreirewrittenrecordaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            post["likeCount"] = 9999
            feed[0]["post"] = post
            page["feed"] = feed
        }
        harness.server.script(Self.firstPagePath, [Self.json(rewritten)])
        let second = try await self.poll(harness, account, at: 10)
        let third = try await self.poll(harness, account, at: 20)
        await harness.close()

        #expect(second.events.map(\.event) == [.altered], "\(second.record)")
        let altered = try #require(second.events.first)
        #expect(altered.postID == Fixture.drilPost("3lix6ufungs22"))
        #expect(altered.detail == "changed: revision")
        #expect(altered.previousVersion != altered.version)
        #expect(altered.previousText == altered.text)
        #expect(third.events.isEmpty, "the same rewritten record is not altered twice")
    }

    @Test func rateLimitedAppViewGetsNoRequestBeforeItsResetAndNoPostEvents() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness, pages: 1)
        let profile = try Fixture.body("getProfile_dril")
        harness.server.script(Self.resolvePath, [Self.json(profile)])
        // Reset 30 minutes after the poll, as unix seconds; Retry-After is shorter: the later wins.
        let reset = IntegrationHarness.time(30)
        harness.server.script(
            Self.profilePath,
            [
                Self.json(
                    Data(Fixture.DocumentedShape.rateLimitExceeded.utf8), status: 429,
                    headers: [
                        ("RateLimit-Limit", "3000"), ("RateLimit-Remaining", "0"),
                        ("RateLimit-Reset", String(Int(reset.timeIntervalSince1970))), ("Retry-After", "60"),
                    ])
            ])
        let limited = try await self.poll(harness, account, at: 0)
        #expect(limited.record.outcome == "rate_limited")
        let requestsAfterLimit = harness.server.requests().count
        #expect(!harness.server.requests().contains { $0.path.contains("getAuthorFeed") })

        let during = try await self.poll(harness, account, at: 10)
        #expect(during.record.outcome == "rate_limited")
        #expect(
            harness.server.requests().count == requestsAfterLimit, "no request may reach the AppView before its reset")

        harness.server.script(Self.profilePath, [Self.json(profile)])
        harness.server.script(Self.firstPagePath, [Self.json(try Fixture.body("getAuthorFeed_dril_page"))])
        let after = try await self.poll(harness, account, at: 31)
        let logged = try harness.loggedEvents()
        await harness.close()
        #expect(after.record.outcome == "complete")
        #expect(after.record.posts == 5)
        #expect(logged.allSatisfy { $0.event == .blind }, "a rate limit is a blind span, never a post event")
    }

    @Test func takenDownAccountIsOneAccountUnavailableEvent() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness, pages: 1)
        try self.scriptProfile(harness)
        harness.server.script(Self.firstPagePath, [Self.json(try Fixture.body("getAuthorFeed_dril_page"))])
        _ = try await self.poll(harness, account, at: 0)

        // The author feed of a taken-down account says only "Profile not found"; the profile says why.
        harness.server.script(
            Self.profilePath, [Self.json(Data(Fixture.DocumentedShape.accountTakedown.utf8), status: 400)])
        harness.server.script(
            Self.firstPagePath, [Self.json(Data(Fixture.DocumentedShape.profileNotFound.utf8), status: 400)])
        let second = try await self.poll(harness, account, at: 10)
        let third = try await self.poll(harness, account, at: 20)
        let logged = try harness.loggedEvents()
        await harness.close()

        #expect(second.events.map(\.event) == [.accountUnavailable])
        let event = try #require(second.events.first)
        #expect(event.reason == .accountSuspended)
        #expect(event.detail?.contains("AccountTakedown") == true)
        #expect(third.events.isEmpty, "still suspended: no second event")
        #expect(logged.map(\.event) == [.accountUnavailable])
    }
}
