import Foundation
import Testing

@testable import PalimpsestCore

@Suite struct WindowDifferTests {
    typealias F = Fixture

    static func tracked(_ posts: [Post], at date: Date = Fixture.t0) -> DetectionState {
        var harness = Harness()
        harness.poll(posts, at: date)
        return harness.state
    }

    static func observe(_ posts: [Post], at date: Date, complete: Bool = true) -> Observation {
        Observation(account: F.account.key, polledAt: date, posts: posts, isComplete: complete)
    }

    @Test func windowFloorIsTheOldestNonPinnedPostReceived() {
        let state = Self.tracked([F.post("a", minutes: -10), F.post("b", minutes: -20), F.post("c", minutes: -30)])
        // A pinned very old post does not lower the floor: c (older than b) aged out, a is a candidate.
        let observation = Self.observe(
            [F.post("pin", minutes: -90_000, pinned: true), F.post("n", minutes: -5), F.post("b", minutes: -20)],
            at: F.at(minutes: 10))
        #expect(observation.window.floor == F.at(minutes: -20))
        let diff = WindowDiffer.diff(state: state, observation: observation, settings: DetectionSettings())
        #expect(diff.candidates.map(\.post.id) == ["a"])
        #expect(diff.insideWindow == ["a"])
        #expect(diff.newPosts.map(\.id) == ["pin", "n"])
        #expect(diff.isFresh)
        #expect(!diff.isMassDisappearance)
    }

    @Test func postCreatedExactlyAtTheFloorIsNotInsideTheWindow() {
        let state = Self.tracked([F.post("a", minutes: -10), F.post("b", minutes: -20), F.post("twin", minutes: -20)])
        let observation = Self.observe([F.post("a", minutes: -10), F.post("b", minutes: -20)], at: F.at(minutes: 10))
        let diff = WindowDiffer.diff(state: state, observation: observation, settings: DetectionSettings())
        #expect(diff.candidates.isEmpty)
    }

    @Test func incompleteObservationIsNotDiffed() {
        let state = Self.tracked([F.post("a", minutes: -10), F.post("b", minutes: -20)])
        let observation = Self.observe([F.post("c", minutes: -5)], at: F.at(minutes: 10), complete: false)
        let diff = WindowDiffer.diff(state: state, observation: observation, settings: DetectionSettings())
        #expect(diff == WindowDiff())
    }

    @Test func listingIdenticalToASupersededOneIsStaleButARepeatOfTheLatestIsFresh() {
        var h = Harness()
        let first = [F.post("a", minutes: -10), F.post("b", minutes: -20), F.post("c", minutes: -30)]
        let second = [F.post("b", minutes: -20), F.post("c", minutes: -30)]
        h.poll(first, at: F.t0)
        h.poll(second, at: F.at(minutes: 10))
        #expect(h.lastDiff.isFresh, "a listing never seen before is fresh, even without a newer post")
        h.poll(second, at: F.at(minutes: 20))
        #expect(h.lastDiff.isFresh, "the same as the latest fresh listing")
        h.poll(first, at: F.at(minutes: 30))
        #expect(!h.lastDiff.isFresh, "the listing of t0 came back after a newer one replaced it")
        let pinnedNow = [F.post("a", minutes: -10, pinned: true)] + second
        h.poll(pinnedNow, at: F.at(minutes: 40))
        #expect(h.lastDiff.isFresh)
    }

    @Test func listingHashCoversOrderVersionsAndPins() {
        let a = F.post("a", minutes: -10)
        let b = F.post("b", minutes: -20)
        func hash(_ posts: [Post]) -> String {
            WindowDiffer.listingHash(SnapshotView(Self.observe(posts, at: F.t0)))
        }
        #expect(hash([a, b]) == hash([a, b]))
        #expect(hash([a, b]).count == 16)
        #expect(hash([a, b]) != hash([b, a]))
        #expect(hash([a, b]) != hash([F.post("a", minutes: -10, text: "edited"), b]))
        #expect(hash([a, b]) != hash([F.post("a", minutes: -10, pinned: true), b]))
    }

    @Test func postListedTwiceAsPinnedAndInTheTimelineIsOnePost() {
        let pinned = F.post("x", minutes: -10, pinned: true)
        let inTimeline = F.post("x", minutes: -10)
        let state = Self.tracked([pinned, inTimeline, F.post("y", minutes: -20)])
        #expect(state.posts.count == 2)
        #expect(state.posts["x"]?.post.isPinned == true)
        let diff = WindowDiffer.diff(
            state: state, observation: Self.observe([inTimeline, F.post("y", minutes: -20)], at: F.at(minutes: 10)),
            settings: DetectionSettings())
        #expect(diff.candidates.isEmpty)
        #expect(diff.alterations.isEmpty)
    }

    @Test func massDisappearanceNeedsTheMinimumAndTheFraction() {
        let posts = (1...4).map { F.post("p\($0)", minutes: Double(-10 * $0)) }
        let state = Self.tracked(posts)
        // Two of four vanish: half, but fewer than the minimum of three.
        let two = Self.observe([posts[0], posts[3]], at: F.at(minutes: 10))
        #expect(!WindowDiffer.diff(state: state, observation: two, settings: DetectionSettings()).isMassDisappearance)
        let lowMinimum = DetectionSettings(massDisappearanceMinimum: 2)
        #expect(WindowDiffer.diff(state: state, observation: two, settings: lowMinimum).isMassDisappearance)
    }
}
