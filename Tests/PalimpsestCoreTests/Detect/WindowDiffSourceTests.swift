import Foundation
import Testing

@testable import PalimpsestCore

/// The confirmer reads what the differ found (``WindowDiff``) instead of finding it again: the
/// new posts it starts tracking are the diff's, and one rule says what an alteration is.
@Suite struct WindowDiffSourceTests {
    typealias F = Fixture

    static let three = [F.post("p1", minutes: -60), F.post("p2", minutes: -120), F.post("p3", minutes: -180)]

    @Test func theConfirmerTracksTheNewPostsTheDiffNames() throws {
        var h = Harness()
        h.poll(Self.three, at: F.t0)
        let observation = Observation(
            account: F.account.key, polledAt: F.at(minutes: 10), posts: [F.post("p0", minutes: 5)] + Self.three)
        let diff = WindowDiffer.diff(state: h.state, observation: observation, settings: h.settings)
        #expect(diff.newPosts.map(\.id) == ["p0"])
        func apply(_ diff: WindowDiff) -> DetectionOutcome {
            Confirmer.apply(
                state: h.state, diff: diff, observation: observation, snapshotID: "s1", probes: [:], unprobeable: [],
                accountProbe: nil, account: F.account, settings: h.settings)
        }
        let tracked = try #require(apply(diff).state.posts["p0"])
        #expect(tracked.status == .visible)
        #expect(tracked.firstSeen == F.at(minutes: 10))
        // A diff that names no new post: the confirmer does not look for one itself.
        var withoutNew = diff
        withoutNew.newPosts = []
        let outcome = apply(withoutNew)
        #expect(outcome.state.posts["p0"] == nil)
        #expect(outcome.state.posts["p1"]?.lastSeen == F.at(minutes: 10))
    }

    @Test func oneRuleSaysWhatAnAlterationIs() {
        let before = F.post("p1", minutes: -60)
        var after = F.post("p1", minutes: -60, text: "changed")
        #expect(PostAlteration.isAlteration(from: before, to: after))
        #expect(!PostAlteration.isAlteration(from: before, to: before))
        after.isTruncated = true
        #expect(!PostAlteration.isAlteration(from: before, to: after))
        #expect(!PostAlteration.isAlteration(from: after, to: before))
    }
}
