import Foundation
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// A fixed-size feed that rolls (one new item per poll, the oldest scrolls off) with old sticky
/// items at its top or bottom: the window floor is the old end of the run of real items, so no
/// item that scrolled off is ever a candidate (rule of evidence 2). No deletion happens here.
@Suite(.serialized) struct FeedStickyItemIntegrationTests {
    enum Place: String, CaseIterable { case top, bottom }

    /// Items `p<i>` (newest) down to `p<i-real+1>`, ten minutes apart, without links (no probe:
    /// only absence could confirm).
    func real(_ poll: Int, count: Int) -> [String] {
        stride(from: poll, to: poll - count, by: -1).map {
            TestFeed.item(guid: "p\($0)", title: "P\($0)", text: "post \($0)", minutes: 10 * $0 - 5)
        }
    }

    func stickies(_ count: Int) -> [String] {
        (0..<count).map {
            TestFeed.item(
                guid: "sticky\($0)", title: "Rules \($0)", text: "Read the rules", minutes: -60 * 24 * (400 - $0))
        }
    }

    func run(polls: Int = 8, _ listing: (Int) -> [String]) async throws -> [Event] {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed.xml")
        for poll in 0..<polls {
            harness.server.script("/feed.xml", [TestFeed.answer(listing(poll))])
            _ = try await harness.poller().poll(account, at: IntegrationHarness.time(10 * poll))
        }
        let logged = try harness.loggedEvents()
        await harness.close()
        return logged
    }

    @Test(arguments: Place.allCases)
    func stickyItemAtEitherEndMakesNoScrolledOffItemADeletion(place: Place) async throws {
        let logged = try await self.run { poll in
            place == .top ? self.stickies(1) + self.real(poll, count: 3) : self.real(poll, count: 3) + self.stickies(1)
        }
        #expect(logged.isEmpty, "\(place): \(logged.map { "\($0.event.rawValue) \($0.postID ?? "")" })")
    }

    @Test(arguments: [(1, 1), (3, 3), (2, 3)])
    func asManyStickiesAsRealItemsMakeNoScrolledOffItemADeletion(real: Int, stickies: Int) async throws {
        let logged = try await self.run { poll in self.stickies(stickies) + self.real(poll, count: real) }
        #expect(
            logged.isEmpty,
            "\(real) real, \(stickies) sticky: \(logged.map { "\($0.event.rawValue) \($0.postID ?? "")" })")
    }

    @Test func deletionInsideARollingFeedWithABottomStickyIsStillFound() async throws {
        let logged = try await self.run(polls: 6) { poll in
            // p1 is deleted after poll 2 while it is still inside the window of six real items.
            self.real(poll, count: 6).filter { poll < 3 || !$0.contains("<guid isPermaLink=\"false\">p1<") }
                + self.stickies(1)
        }
        #expect(logged.map(\.event) == [.deleted])
        #expect(logged.first?.postID == "p1")
    }
}
