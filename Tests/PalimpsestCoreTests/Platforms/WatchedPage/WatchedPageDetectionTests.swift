import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// A watched page is an account with one post. These tests run the detector (WindowDiffer and
/// Confirmer) over the adapter's observations to show that a tombstone page gives exactly one
/// `deleted` event with the table's reason, confirmed by probe, never a mass disappearance.
struct WatchedPageDetectionTests {
    func livePost() throws -> Post {
        let outcome = WatchedPageAdapter().observe(
            [WatchedPageFixture.response(try WatchedPageFixture.body(WatchedPageFixture.article))],
            for: WatchedPageFixture.account(), polledAt: Fixture.t0)
        guard case .observed(let posts, _) = outcome, let post = posts.first else {
            throw TelegramFixture.FixtureError(description: "the article did not give its post: \(outcome)")
        }
        return post
    }

    func harness() -> Harness {
        var harness = Harness()
        harness.account = WatchedPageFixture.account()
        return harness
    }

    static let censored = ProbeVerdict.tombstone(reason: .censored, detail: "HTTP 200: “此内容因违规无法查看”")

    @Test func tombstonePageIsOneProbedDeletionThenARestore() throws {
        let post = try self.livePost()
        var harness = self.harness()
        #expect(harness.poll([post], at: Fixture.at(minutes: 0)).isEmpty)

        let deleted = harness.poll(
            [], at: Fixture.at(minutes: 10), probes: Harness.probes(Self.censored, post.id))
        #expect(!harness.lastDiff.isMassDisappearance, "one vanished page is no account event")
        #expect(harness.lastDiff.candidates.map(\.post.id) == [post.id], "the vanished page is probed")
        #expect(deleted.map(\.event) == [.deleted])
        #expect(deleted.first?.reason == .censored)
        #expect(deleted.first?.confirmedBy == .probe)
        #expect(deleted.first?.postID == WatchedPageFixture.articleID)
        #expect(deleted.first?.text == "半月谈《基层说》")

        #expect(harness.poll([], at: Fixture.at(minutes: 20)).isEmpty, "logged once")
        // The page is back: its own address (the probe of a restore candidate) answers with it.
        let restored = harness.poll([post], at: Fixture.at(minutes: 30), probes: Harness.probes(.exists, post.id))
        #expect(restored.map(\.event) == [.restored])
    }

    @Test func inconclusiveProbeWaitsForTheNextPoll() throws {
        let post = try self.livePost()
        var harness = self.harness()
        harness.poll([post], at: Fixture.at(minutes: 0))
        let waiting = harness.poll(
            [], at: Fixture.at(minutes: 10),
            probes: Harness.probes(.inconclusive(detail: "HTTP 200: 验证身份"), post.id))
        #expect(waiting.isEmpty)
        let deleted = harness.poll([], at: Fixture.at(minutes: 20), probes: Harness.probes(Self.censored, post.id))
        #expect(deleted.map(\.event) == [.deleted])
        #expect(deleted.first?.firstMissing == Fixture.at(minutes: 20), "a page outside any window counts no absence")
    }

    @Test func editedPageIsOneAlteration() throws {
        let post = try self.livePost()
        let outcome = WatchedPageAdapter().observe(
            [WatchedPageFixture.response(try WatchedPageFixture.article(withText: "半月谈《基层说》（修订版）"))],
            for: WatchedPageFixture.account(), polledAt: Fixture.t0)
        guard case .observed(let edited, _) = outcome else {
            Issue.record("expected the edited page, got \(outcome)")
            return
        }
        var harness = self.harness()
        harness.poll([post], at: Fixture.at(minutes: 0))
        let events = harness.poll(edited, at: Fixture.at(minutes: 10))
        #expect(events.map(\.event) == [.altered])
        #expect(events.first?.previousText == "半月谈《基层说》")
        #expect(events.first?.text == "半月谈《基层说》（修订版）")
    }

    @Test func unpinnedSinglePostWouldBeAMassDisappearance() throws {
        // Why the page post is flagged pinned: an empty window after a non-empty one is an
        // account matter for the detector, and a watched page has no account probe.
        var post = try self.livePost()
        post.isPinned = false
        var harness = self.harness()
        harness.poll([post], at: Fixture.at(minutes: 0))
        let events = harness.poll([], at: Fixture.at(minutes: 10), probes: Harness.probes(Self.censored, post.id))
        #expect(harness.lastDiff.isMassDisappearance)
        #expect(events.isEmpty, "the deletion would be lost")
    }
}
