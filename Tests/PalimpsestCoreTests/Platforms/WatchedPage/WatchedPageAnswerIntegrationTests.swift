import Foundation
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// A generic watched page (`platform = "url"`) polled through the loopback replay server and the
/// real libcurl client while its address answers what sites really answer besides the page: a
/// passing 404, an anti-bot challenge served with 200, a redirect to the home page, a "page not
/// found" page served with 200. None of them is an edit; a deletion needs the page's own address
/// to stay gone across polls, and a page that comes back is a proved restore.
@Suite(.serialized) struct WatchedPageAnswerIntegrationTests {
    static let html: HTTPHeaders = [("Content-Type", "text/html; charset=utf-8")]
    static let path = "/news/2026/story.html"

    static func article(_ text: String = "The minister resigned today after the report.", nonce: Int = 1)
        -> ReplayResponse
    {
        let body = """
            <html><head><title>Minister resigns</title><script>var nonce="\(nonce)";</script></head>
            <body><h1>Minister resigns</h1><p>\(text)</p></body></html>
            """
        return ReplayResponse(status: 200, headers: Self.html, body: Data(body.utf8))
    }

    static func page(_ body: String, status: Int = 200, headers: HTTPHeaders = Self.html) -> ReplayResponse {
        ReplayResponse(status: status, headers: headers, body: Data(body.utf8))
    }

    func account(_ harness: IntegrationHarness) -> Account {
        WatchedPageFixture.account(harness.server.url(Self.path))
    }

    func poll(_ harness: IntegrationHarness, _ account: Account, at minutes: Int) async throws -> PollReport {
        try await harness.poller().poll(account, at: IntegrationHarness.time(minutes))
    }

    /// The polls of an answer that is not the page, with the article before and after it.
    struct Look {
        /// The poll at 10 minutes, answered with the other answer.
        var other: PollReport
        /// The poll at 20 minutes: the article as it was.
        var back: PollReport
        /// The poll at 30 minutes, the article edited; `nil` unless asked for.
        var edited: PollReport?
        var logged: [Event]
    }

    /// Polls the article at 0 minutes, `other` at 10, the article again at 20 and, with `edit`, the
    /// article edited ("after the second report") at 30; `prepare` scripts more of the server.
    func look(
        at other: ReplayResponse, edit: Bool, prepare: (ReplayServer) -> Void = { _ in }
    ) async throws -> Look {
        try await IntegrationHarness.with { harness in
            let account = self.account(harness)
            harness.server.script(Self.path, [Self.article()])
            prepare(harness.server)
            _ = try await self.poll(harness, account, at: 0)
            harness.server.script(Self.path, [other])
            let answered = try await self.poll(harness, account, at: 10)
            harness.server.script(Self.path, [Self.article()])
            let back = try await self.poll(harness, account, at: 20)
            var edited: PollReport?
            if edit {
                harness.server.script(
                    Self.path, [Self.article("The minister resigned today after the second report.")])
                edited = try await self.poll(harness, account, at: 30)
            }
            return Look(other: answered, back: back, edited: edited, logged: try harness.loggedEvents())
        }
    }

    // MARK: Item 1: the page's own address is its probe, so one answer proves nothing

    @Test func oneNotFoundAnswerOfAWatchedPageIsNoDeletion() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness)
        harness.server.script(Self.path, [Self.article()])
        _ = try await self.poll(harness, account, at: 0)
        harness.server.script(Self.path, [Self.page("<html><body>Not Found</body></html>", status: 404)])
        let missing = try await self.poll(harness, account, at: 10)
        harness.server.script(Self.path, [Self.article()])
        var later: [PollReport] = []
        for minutes in [20, 30, 40] { later.append(try await self.poll(harness, account, at: minutes)) }
        let logged = try harness.loggedEvents()
        await harness.close()

        #expect(missing.events.isEmpty, "one 404 and its probe of the same address are one answer")
        #expect(logged.isEmpty, "a passing 404 is no finding: \(logged.map(\.event))")
        #expect(later.allSatisfy { $0.record.outcome == "complete" })
    }

    @Test func watchedPageGoneAcrossPollsIsDeletedOnceThenRestored() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness)
        harness.server.script(Self.path, [Self.article()])
        _ = try await self.poll(harness, account, at: 0)
        harness.server.script(Self.path, [Self.page("<html><body>Not Found</body></html>", status: 404)])
        var gone: [PollReport] = []
        for minutes in [10, 20, 30, 40] { gone.append(try await self.poll(harness, account, at: minutes)) }
        harness.server.script(Self.path, [Self.article()])
        var back: [PollReport] = []
        for minutes in [50, 60, 70, 80] { back.append(try await self.poll(harness, account, at: minutes)) }
        let logged = try harness.loggedEvents()
        await harness.close()

        // Gone at 10, 20 and 30: two answers over 20 minutes (confirm_polls, confirm_min_age).
        #expect(gone.map { $0.events.map(\.event) } == [[], [], [.deleted], []])
        let deleted = try #require(logged.first)
        #expect(deleted.event == .deleted)
        #expect(deleted.reason == .removed)
        #expect(deleted.confirmedBy == .probe)
        #expect(deleted.firstMissing == IntegrationHarness.time(10))
        #expect(deleted.postedAt == nil)
        #expect(deleted.lifetime == nil, "no posted_at, no lifetime (docs/deletion-log.md)")
        // Back at 50, 60 and 70: the same rule proves the restore.
        #expect(back.map { $0.events.map(\.event) } == [[], [], [.restored], []])
        #expect(logged.map(\.event) == [.deleted, .restored])
        #expect(logged.last?.confirmedBy == .probe)
    }

    // MARK: Item 2: answers that are not the page

    @Test(arguments: [
        "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking if the site connection is "
            + "secure. Enable JavaScript and cookies to continue</body></html>",
        "<html><head><title>Attention Required! | Cloudflare</title></head><body>Sorry, you have been blocked"
            + "</body></html>",
        "<html><head><title>DDoS-Guard</title></head><body>Checking your browser before accessing</body></html>",
    ])
    func antiBotChallengeServedWith200IsBlindNeverAnEdit(challenge: String) async throws {
        let look = try await self.look(at: Self.page(challenge), edit: true)
        let (challenged, back, edited, logged) = (look.other, look.back, try #require(look.edited), look.logged)

        #expect(challenged.record.outcome == "blind")
        #expect(challenged.blindSpan?.failure.kind == .gated)
        #expect(back.events.map(\.event) == [.blind], "the span closes; the page is unchanged")
        #expect(edited.events.map(\.event) == [.altered], "a real edit after the challenge still shows")
        #expect(edited.events.first?.previousText?.contains("after the report.") == true)
        #expect(logged.map(\.event) == [.blind, .blind, .altered])
    }

    @Test func redirectOfAWatchedPageToTheHomePageIsNoEdit() async throws {
        let look = try await self.look(at: ReplayResponse(status: 302, headers: [("Location", "/")]), edit: true) {
            $0.script("/", [Self.page("<html><body><h1>Front page</h1><p>Other news</p></body></html>")])
        }
        let (moved, back, edited, logged) = (look.other, look.back, try #require(look.edited), look.logged)

        #expect(moved.events.isEmpty, "the home page is not the article: \(moved.events.map(\.event))")
        #expect(back.events.isEmpty)
        #expect(edited.events.map(\.event) == [.altered], "the article's own edit is still seen")
        #expect(logged.map(\.event) == [.altered])
        #expect(!logged.contains { $0.text?.contains("Front page") == true })
    }

    @Test(arguments: [
        "<html><head><title>Page not found</title></head><body><h1>Sorry, this page does not exist</h1></body></html>",
        "<html><head><title>Example News</title></head><body><h1>404</h1><p>We looked everywhere.</p></body></html>",
    ])
    func softNotFoundPageServedWith200IsNoEdit(notFound: String) async throws {
        let look = try await self.look(at: Self.page(notFound), edit: false)
        let (missing, back, logged) = (look.other, look.back, look.logged)

        #expect(missing.events.isEmpty, "a page saying not found is not an edit of the article")
        #expect(back.events.isEmpty)
        #expect(logged.isEmpty, "\(logged.map(\.event))")
    }
}
