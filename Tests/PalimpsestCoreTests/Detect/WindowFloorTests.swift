import Foundation
import Testing

@testable import PalimpsestCore

/// Rule of evidence 2 with a window whose list is not in date order.
@Suite struct WindowFloorTests {
    /// Items `1, n, n-1, …, n-4`: a fixed-size feed of 6 with an old sticky item on top.
    static func stickyFeed(newest: Int) -> [Post] {
        [Fixture.post("id-1", minutes: 1)]
            + (0..<5).map { Fixture.post("id-\(newest - $0)", minutes: Double(newest - $0)) }
    }

    @Test func postsScrollingOffAFeedWithAStickyOldItemAreNotDeletions() {
        var harness = Harness()
        var events: [Event] = []
        for (step, newest) in (10...16).enumerated() {
            events += harness.poll(
                Self.stickyFeed(newest: newest), at: Fixture.at(minutes: 100 + Double(step) * 10),
                unprobeable: Set((1...16).map { "id-\($0)" }))
        }
        #expect(events.isEmpty, "aged-out items reported: \(events.map { $0.postID ?? "" })")
    }

    @Test func floorIsTheOldEndInEitherListDirection() {
        let newestFirst = [
            Fixture.post("a", minutes: 1), Fixture.post("c", minutes: 30), Fixture.post("b", minutes: 20),
        ]
        #expect(TimelineWindow(posts: newestFirst).floor == Fixture.at(minutes: 20))
        let oldestFirst = [
            Fixture.post("b", minutes: 20), Fixture.post("c", minutes: 30), Fixture.post("d", minutes: 40),
        ]
        #expect(TimelineWindow(posts: oldestFirst).floor == Fixture.at(minutes: 20))
    }

    @Test func aDeletionInsideAStickyWindowIsStillFound() {
        var harness = Harness()
        let all = Set((1...16).map { "id-\($0)" })
        harness.poll(Self.stickyFeed(newest: 10), at: Fixture.at(minutes: 100), unprobeable: all)
        // id-8 vanishes while id-7 and id-6 stay: inside the window, confirmed by absence.
        let without8 = Self.stickyFeed(newest: 10).filter { $0.id != "id-8" }
        var events = harness.poll(without8, at: Fixture.at(minutes: 110), unprobeable: all)
        events += harness.poll(without8, at: Fixture.at(minutes: 135), unprobeable: all)
        #expect(events.map(\.postID) == ["id-8"])
        #expect(events.first?.confirmedBy == .absence)
    }
}
