import Foundation
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// Items that share one GUID with different content are distinct posts (docs/feed-ids.md): their
/// order changing is no edit, none of them is hidden behind the first, and an edit of one of them
/// is one `altered` of that post.
@Suite(.serialized) struct FeedDuplicateIDIntegrationTests {
    func run(_ listings: [[String]]) async throws -> [Event] {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed.xml")
        for (index, items) in listings.enumerated() {
            harness.server.script("/feed.xml", [TestFeed.answer(items)])
            _ = try await harness.poller().poll(account, at: IntegrationHarness.time(10 * index))
        }
        let logged = try harness.loggedEvents()
        await harness.close()
        return logged
    }

    static let alpha = TestFeed.item(guid: "a", title: "A", text: "alpha", minutes: -300)
    static let bravoOne = TestFeed.item(guid: "b", title: "B", text: "bravo one", minutes: -200)
    static let bravoTwo = TestFeed.item(guid: "b", title: "B", text: "bravo two", minutes: -150)

    @Test func itemsSharingAGUIDSwappingPlacesAreNoEdit() async throws {
        let logged = try await self.run([
            [Self.bravoOne, Self.bravoTwo, Self.alpha], [Self.bravoTwo, Self.bravoOne, Self.alpha],
            [Self.bravoOne, Self.bravoTwo, Self.alpha], [Self.bravoTwo, Self.bravoOne, Self.alpha],
        ])
        #expect(logged.isEmpty, "\(logged.map { "\($0.event.rawValue) \($0.postID ?? "")" })")
    }

    @Test func everyItemSharingOneGUIDIsItsOwnPost() async throws {
        let items = (0..<6).map {
            TestFeed.item(guid: "same", title: "T\($0)", text: "post \($0)", minutes: 10 * $0 - 100)
        }
        let logged = try await self.run([
            Array(items[0..<3].reversed()), Array(items[0..<4].reversed()), Array(items[0..<5].reversed()),
            Array(items[0..<6].reversed()),
        ])
        #expect(
            logged.isEmpty,
            "new items are no edit of the first: \(logged.map { "\($0.event.rawValue) \($0.postID ?? "")" })")
    }

    @Test func editOfAnItemSharingAGUIDIsOneAlterationOfThatPost() async throws {
        let edited = TestFeed.item(guid: "b", title: "B", text: "bravo one, corrected", minutes: -200)
        let listings =
            [[Self.bravoOne, Self.bravoTwo, Self.alpha]]
            + Array(repeating: [edited, Self.bravoTwo, Self.alpha], count: 4)
        let logged = try await self.run(listings)
        #expect(logged.map(\.event) == [.altered], "\(logged.map { "\($0.event.rawValue) \($0.postID ?? "")" })")
        let altered = try #require(logged.first)
        #expect(altered.previousText == "bravo one")
        #expect(altered.text == "bravo one, corrected")
        #expect(altered.postID?.hasPrefix("b#") == true)
    }

    /// An item with neither GUID nor link has a fallback ID that hashes its content: a corrected
    /// text gave a new ID, and the old post was logged `deleted` by absence with no `altered` (found
    /// by a tester). Its title and date pair it with the new ID: one `altered`, nothing deleted.
    @Test func editOfAnItemWithoutGUIDOrLinkIsOneAlterationNotADeletion() async throws {
        let items = ["alpha", "beta", "gamma"].enumerated().map { index, text in
            TestFeed.item(guid: nil, title: "Post \(index)", text: text, minutes: -300 + 60 * index)
        }
        let corrected = TestFeed.item(guid: nil, title: "Post 1", text: "beta (typo fixed)", minutes: -240)
        let listings =
            [items.reversed()] + Array(repeating: [items[2], corrected, items[0]], count: 4)
        let logged = try await self.run(listings)
        #expect(logged.map(\.event) == [.altered], "\(logged.map { "\($0.event.rawValue) \($0.postID ?? "")" })")
        #expect(logged.first?.previousText == "beta")
        #expect(logged.first?.text == "beta (typo fixed)")
    }

    /// Two dated items without GUID or link with the same title and date cannot be told apart:
    /// one replaced by another is not taken for an edit (a deletion is never hidden as one).
    @Test func itemsWithoutGUIDThatShareTitleAndDateAreNotPaired() async throws {
        let first = TestFeed.item(guid: nil, title: "Notice", text: "first notice", minutes: -200)
        let second = TestFeed.item(guid: nil, title: "Notice", text: "second notice", minutes: -200)
        let third = TestFeed.item(guid: nil, title: "Notice", text: "third notice", minutes: -200)
        let alpha = TestFeed.item(guid: nil, title: "A", text: "alpha", minutes: -300)
        let logged = try await self.run(
            [[first, second, alpha]] + Array(repeating: [third, second, alpha], count: 4))
        #expect(logged.map(\.event) == [.deleted], "\(logged.map { "\($0.event.rawValue) \($0.postID ?? "")" })")
        #expect(logged.first?.text == "first notice")
    }

    @Test func identicalItemsSharingAGUIDStayOnePost() async throws {
        let logged = try await self.run([
            [Self.bravoOne, Self.bravoOne, Self.alpha], [Self.bravoOne, Self.alpha],
            [Self.bravoOne, Self.bravoOne, Self.alpha],
        ])
        #expect(logged.isEmpty)
    }
}
