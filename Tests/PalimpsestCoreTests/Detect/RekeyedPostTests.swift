import Foundation
import Testing

@testable import PalimpsestCore

/// A post whose ID changed while its content and publication time stayed is the same post
/// (docs/feed-ids.md): no deletion, no double counting later.
@Suite struct RekeyedPostTests {
    typealias F = Fixture

    /// Feed items whose IDs are their permalinks on `host`.
    static func items(_ host: String, _ ids: [String], editing edited: String? = nil) -> [Post] {
        ids.enumerated().map { index, id in
            Post(
                id: "https://\(host)/\(id)", url: "https://\(host)/\(id)",
                postedAt: F.at(minutes: Double(-60 * (index + 1))),
                text: id == edited ? "Item \(id), edited" : "Item \(id) says hello", title: "Title \(id)")
        }
    }

    @Test func itemsUnderNewIDsWithTheSameContentAndDateAreMigratedNotDeleted() throws {
        var h = Harness()
        h.settings = DetectionSettings(confirmPolls: 2, confirmMinAge: 0)
        h.poll(Self.items("old.example", ["a", "b", "c", "d"]), at: F.t0)
        let moved = Self.items("new.example", ["a", "b", "c", "d"])
        for minutes in [10.0, 20, 30] {
            let events = h.poll(
                moved, at: F.at(minutes: minutes),
                unprobeable: Set(Self.items("old.example", ["a", "b", "c", "d"]).map(\.id)))
            #expect(events.isEmpty, "re-keyed items are no findings")
            #expect(!h.lastDiff.isMassDisappearance)
        }
        #expect(h.state.posts.keys.sorted() == moved.map(\.id).sorted())
        let a = try #require(h.state.posts["https://new.example/a"])
        #expect(a.formerIDs == ["https://old.example/a"])
        #expect(a.firstSeen == F.t0, "the post keeps its history")
        #expect(a.status == .visible)

        // A real deletion later is logged once, under the new ID.
        let withoutB = moved.filter { $0.id != "https://new.example/b" }
        h.poll(withoutB, at: F.at(minutes: 40), unprobeable: ["https://new.example/b"])
        let events = h.poll(withoutB, at: F.at(minutes: 50), unprobeable: ["https://new.example/b"])
        #expect(events.map(\.postID) == ["https://new.example/b"])
        #expect(events.first?.firstSeen == F.t0)
    }

    @Test func changedContentUnderANewIDIsNoMigration() {
        var h = Harness()
        h.poll(Self.items("old.example", ["a", "b", "c"]), at: F.t0)
        let next =
            [Self.items("new.example", ["a"], editing: "a")[0]] + Self.items("old.example", ["b", "c"]).dropFirst(0)
        h.poll(Array(next), at: F.at(minutes: 10), unprobeable: ["https://old.example/a"])
        #expect(h.lastDiff.migrations.isEmpty)
        #expect(h.status("https://old.example/a")?.missingRecord != nil)
    }

    @Test func ambiguousMatchesMigrateNothing() {
        var h = Harness()
        let twin1 = Post(id: "1", postedAt: F.at(minutes: -60), text: "Same words")
        let twin2 = Post(id: "2", postedAt: F.at(minutes: -60), text: "Same words")
        let other = Post(id: "3", postedAt: F.at(minutes: -120), text: "Other words")
        h.poll([twin1, twin2, other], at: F.t0)
        let renamed = [
            Post(id: "1b", postedAt: F.at(minutes: -60), text: "Same words"),
            Post(id: "2b", postedAt: F.at(minutes: -60), text: "Same words"), other,
        ]
        h.poll(renamed, at: F.at(minutes: 10), unprobeable: ["1", "2"])
        #expect(h.lastDiff.migrations.isEmpty, "two vanished posts share the key: which is which is unknown")
        #expect(h.lastDiff.candidates.map(\.post.id).sorted() == ["1", "2"])
    }

    @Test func staleListingMigratesNothing() {
        var h = Harness()
        h.poll(Self.items("old.example", ["a", "b"]), at: F.t0, signals: ListingSignals(updatedAt: F.t0))
        h.poll(
            Self.items("new.example", ["a", "b"]), at: F.at(minutes: 10),
            signals: ListingSignals(updatedAt: F.at(minutes: -30)))
        #expect(!h.lastDiff.isFresh)
        #expect(h.lastDiff.migrations.count == 2, "the differ pairs them, so they are never probed as candidates")
        #expect(h.state.posts["https://new.example/a"] == nil, "but a stale listing changes no memory")
        #expect(h.status("https://old.example/a") == .visible)
    }
}
