import Foundation
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// A feed item vanishes and its probe (a GET of its link on the feed's host) answers a page that
/// is not the item: a redirect to the home page, or a page saying it was removed. Neither proves
/// that the item exists; the candidate stays, and absence confirms it once its probes have
/// answered nothing conclusive `probe_attempts` times (rule of evidence 3).
@Suite(.serialized) struct FeedProbeAnswerIntegrationTests {
    static let html: HTTPHeaders = [("Content-Type", "text/html; charset=utf-8")]

    func items(_ harness: IntegrationHarness, withBravo: Bool) -> [String] {
        let base = harness.server.baseURL.absoluteString
        return [
            TestFeed.item(guid: "c", title: "Charlie report", text: "charlie", minutes: -100, link: base + "/posts/c"),
            withBravo
                ? TestFeed.item(guid: "b", title: "Bravo report", text: "bravo", minutes: -200, link: base + "/posts/b")
                : nil,
            TestFeed.item(guid: "a", title: "Alpha report", text: "alpha", minutes: -300, link: base + "/posts/a"),
        ].compactMap { $0 }
    }

    func run(_ probeAnswer: [String: [ReplayResponse]]) async throws -> [Event] {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed.xml")
        let poller = { try harness.poller(detection: DetectionSettings(probeAttempts: 2)) }
        harness.server.script("/feed.xml", [TestFeed.answer(self.items(harness, withBravo: true))])
        _ = try await poller().poll(account, at: IntegrationHarness.time(0))
        harness.server.script("/feed.xml", [TestFeed.answer(self.items(harness, withBravo: false))])
        for (path, answers) in probeAnswer { harness.server.script(path, answers) }
        for minutes in [10, 20, 30, 40] { _ = try await poller().poll(account, at: IntegrationHarness.time(minutes)) }
        let logged = try harness.loggedEvents()
        await harness.close()
        return logged
    }

    @Test func probeRedirectedToTheHomePageIsNoProofOfExistence() async throws {
        let logged = try await self.run([
            "/posts/b": [ReplayResponse(status: 302, headers: [("Location", "/")])],
            "/": [ReplayResponse(status: 200, headers: Self.html, body: Data("<html>Home page</html>".utf8))],
        ])
        #expect(logged.map(\.event) == [.deleted], "the candidate must stay: \(logged.map(\.event))")
        #expect(logged.first?.postID == "b")
        #expect(logged.first?.confirmedBy == .absence)
        #expect(logged.first?.detail?.contains("redirect") == true)
    }

    @Test func probeAnsweringARemovalNoticeWith200IsNoProofOfExistence() async throws {
        let page = "<html><head><title>Page removed</title></head><body>This post has been removed</body></html>"
        let logged = try await self.run([
            "/posts/b": [ReplayResponse(status: 200, headers: Self.html, body: Data(page.utf8))]
        ])
        #expect(logged.map(\.event) == [.deleted], "the candidate must stay: \(logged.map(\.event))")
        #expect(logged.first?.postID == "b")
        #expect(logged.first?.reason == .unknown, "a marker is never a tombstone")
    }

    @Test func probeAnsweringThePostItselfStillClearsTheCandidate() async throws {
        let page = "<html><head><title>Bravo report</title></head><body>bravo (comments removed)</body></html>"
        let logged = try await self.run([
            "/posts/b": [ReplayResponse(status: 200, headers: Self.html, body: Data(page.utf8))]
        ])
        #expect(logged.isEmpty, "the item's own page answered: \(logged.map(\.event))")
    }
}
