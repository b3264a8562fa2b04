import Foundation
import Testing

@testable import PalimpsestCore

/// Rule of evidence 3, which listings are fresh: a lagging copy must not fake findings, and an
/// account that really went back to an earlier state must not hide them forever.
@Suite struct ListingAgeTests {
    typealias F = Fixture

    static let a = F.post("a", minutes: -120)
    static let b = F.post("b", minutes: -60)
    static let c = F.post("c", minutes: -5)

    /// b, a listed; then c published on top; then c deleted: the listing is b, a again.
    func publishedThenDeleted(_ h: inout Harness, signals: (Int) -> ListingSignals? = { _ in nil }) {
        h.poll([Self.b, Self.a], at: F.t0, unprobeable: ["c"], signals: signals(0))
        h.poll([Self.c, Self.b, Self.a], at: F.at(minutes: 10), unprobeable: ["c"], signals: signals(10))
    }

    @Test func postPublishedThenDeletedWithNothingNewerIsConfirmedOnceTheOldListingLasts() {
        var h = Harness()
        self.publishedThenDeleted(&h)
        var logged: [Event] = []
        var minutes = 20
        // The listing of t0 again, poll after poll: a stale copy at first, the account's state once
        // served in confirm_polls polls over stale_tolerance (2 h), then absence confirms.
        while minutes <= 200 {
            let events = h.poll([Self.b, Self.a], at: F.at(minutes: Double(minutes)), unprobeable: ["c"])
            if minutes < 120 {
                #expect(events.isEmpty, "minute \(minutes)")
                #expect(h.lastDiff.age == .repeated)
                #expect(h.status("c")?.missingRecord != nil, "shown as pending while the copy may be stale")
            }
            logged += events
            minutes += 10
        }
        #expect(logged.map(\.event) == [.deleted])
        #expect(logged.first?.postID == "c")
        #expect(logged.first?.confirmedBy == .absence)
        // Accepted at minute 140 (the repeat began at 20: 2 h later), confirmed 20 minutes after.
        #expect(logged.first?.detectedAt == F.at(minutes: 160))
    }

    /// A lagging replica of a feed generated on request (RSSHub): one post behind, with the time
    /// of the answer as its feed date and so an ETag never seen. Its repeat of the superseded
    /// listing proves nothing until it has lasted `stale_tolerance` (the tester's case made a
    /// false `deleted` at the third such answer); the live replica again changes nothing.
    @Test(arguments: [false, true])
    func aRepeatedListingStampedWithTheTimeOfTheAnswerIsStillStale(alternating: Bool) {
        var h = Harness()
        let stamped = { (minutes: Int) in
            ListingSignals(updatedAt: F.at(minutes: Double(minutes)), etag: "\"v\(minutes)\"")
        }
        self.publishedThenDeleted(&h, signals: stamped)
        var logged: [Event] = []
        // Alternating with the live replica: never served long enough to count, however long.
        for minutes in stride(from: 20, through: alternating ? 300 : 110, by: 10) {
            let live = alternating && minutes % 30 == 0
            logged += h.poll(
                live ? [Self.c, Self.b, Self.a] : [Self.b, Self.a], at: F.at(minutes: Double(minutes)),
                unprobeable: ["c"], signals: stamped(minutes))
            if !live { #expect(h.lastDiff.age == .repeated, "minute \(minutes)") }
        }
        #expect(logged.isEmpty, "\(logged.map(\.event))")
        #expect(h.status("c")?.isDeleted != true)
        if !alternating {
            // Served 2 h: the account's state. Accepted at minute 140, confirmed 20 minutes later.
            for minutes in stride(from: 120, through: 160, by: 10) {
                logged += h.poll(
                    [Self.b, Self.a], at: F.at(minutes: Double(minutes)), unprobeable: ["c"],
                    signals: stamped(minutes))
            }
            #expect(logged.map(\.postID) == ["c"])
            #expect(logged.first?.detectedAt == F.at(minutes: 160))
        }
    }

    @Test func aListingNeverSeenIsFreshWhateverItsSignals() {
        var h = Harness()
        let tagged = { (minutes: Int) in ListingSignals(etag: "\"v\(minutes)\"") }
        self.publishedThenDeleted(&h, signals: tagged)
        let d = F.post("d", minutes: 15)
        h.poll([d, Self.b, Self.a], at: F.at(minutes: 20), unprobeable: ["c"], signals: tagged(10))
        #expect(h.lastDiff.isFresh, "a post published since: the listing was never seen")
        var events = h.poll([d, Self.b, Self.a], at: F.at(minutes: 30), unprobeable: ["c"], signals: tagged(10))
        events += h.poll([d, Self.b, Self.a], at: F.at(minutes: 40), unprobeable: ["c"], signals: tagged(10))
        #expect(events.map(\.postID) == ["c"], "missing from fresh listings over confirm_min_age")
    }

    @Test func olderDatesProveACopyOldAndDoNotRestartTheAbsenceOfWhatItLists() {
        var h = Harness()
        h.settings.confirmMinAge = 0
        let fresh = ListingSignals(lastModified: F.at(minutes: 100))
        let old = ListingSignals(lastModified: F.at(minutes: -1))
        h.poll([Self.c, Self.b, Self.a], at: F.t0, signals: old)
        h.poll([Self.b, Self.a], at: F.at(minutes: 10), unprobeable: ["c"], signals: fresh)
        #expect(h.status("c")?.missingRecord?.missingPolls == 1)
        // The old copy (it still lists c) alternates with the current one.
        h.poll([Self.c, Self.b, Self.a], at: F.at(minutes: 20), unprobeable: ["c"], signals: old)
        #expect(h.lastDiff.age == .olderDates)
        #expect(h.status("c")?.missingRecord?.missingPolls == 1, "a copy proved old by its date changes nothing")
        let events = h.poll([Self.b, Self.a], at: F.at(minutes: 30), unprobeable: ["c"], signals: fresh)
        #expect(events.map(\.postID) == ["c"])
    }

    @Test func aListingDateFromTheFutureDoesNotMakeEveryLaterListingOld() {
        var h = Harness()
        h.settings.confirmMinAge = 0
        let bogus = ListingSignals(updatedAt: Date(timeIntervalSince1970: 4_102_444_800))  // 2100-01-01
        h.poll([Self.c, Self.b, Self.a], at: F.t0, signals: bogus)
        h.poll(
            [Self.b, Self.a], at: F.at(minutes: 10), unprobeable: ["c"],
            signals: ListingSignals(updatedAt: F.at(minutes: 10)))
        #expect(h.lastDiff.isFresh, "2100 counted as the poll time plus 5 minutes")
        let events = h.poll(
            [Self.b, Self.a], at: F.at(minutes: 20), unprobeable: ["c"],
            signals: ListingSignals(updatedAt: F.at(minutes: 20)))
        #expect(events.map(\.postID) == ["c"])
    }

    @Test func editRevertedIsLoggedOnceTheRevertedListingLasts() {
        var h = Harness()
        let original = F.post("b", minutes: -60, text: "the budget is 100")
        let edited = F.post("b", minutes: -60, text: "the budget is 1000")
        h.poll([original, Self.a], at: F.t0)
        #expect(h.poll([edited, Self.a], at: F.at(minutes: 10)).map(\.event) == [.altered])
        var logged: [Event] = []
        for minutes in stride(from: 20, through: 160, by: 10) {
            logged += h.poll([original, Self.a], at: F.at(minutes: Double(minutes)))
        }
        #expect(logged.map(\.event) == [.altered])
        #expect(logged.first?.text == "the budget is 100")
        #expect(logged.first?.detectedAt == F.at(minutes: 140))
    }

    @Test func editRevertedWithANewerEditMarkerIsLoggedAtOnce() {
        var h = Harness()
        let original = F.post("b", minutes: -60, text: "the budget is 100")
        let edited = F.post("b", minutes: -60, text: "the budget is 1000", editedAt: F.at(minutes: 5))
        let reverted = F.post("b", minutes: -60, text: "the budget is 100", editedAt: F.at(minutes: 15))
        h.poll([original, Self.a], at: F.t0)
        h.poll([edited, Self.a], at: F.at(minutes: 10))
        let events = h.poll([reverted, Self.a], at: F.at(minutes: 20))
        #expect(events.map(\.event) == [.altered], "an edit marker never seen is something new")
    }

    @Test func restoreToTheStateBeforeTheDeletionIsLoggedOnceItLasts() {
        var h = Harness()
        h.poll([Self.c, Self.b, Self.a], at: F.t0, unprobeable: ["c"])
        h.poll([Self.b, Self.a], at: F.at(minutes: 10), unprobeable: ["c"])
        #expect(h.poll([Self.b, Self.a], at: F.at(minutes: 30), unprobeable: ["c"]).map(\.event) == [.deleted])
        var logged: [Event] = []
        for minutes in stride(from: 40, through: 220, by: 10) {
            logged += h.poll([Self.c, Self.b, Self.a], at: F.at(minutes: Double(minutes)), unprobeable: ["c"])
        }
        #expect(logged.map(\.event) == [.restored])
        #expect(logged.first?.confirmedBy == .listing)
    }

    @Test func staleCopyThatEndsBeforeTheToleranceLeavesNoFinding() {
        var h = Harness()
        h.settings.confirmMinAge = 0
        let d = F.post("d", minutes: -1)
        h.poll([Self.c, Self.b, Self.a], at: F.t0)
        h.poll([d, Self.c, Self.b], at: F.at(minutes: 10))
        // A cache serves the t0 copy for an hour (d missing, a back), then the live listing again.
        for minutes in stride(from: 20, through: 80, by: 10) {
            #expect(h.poll([Self.c, Self.b, Self.a], at: F.at(minutes: Double(minutes)), unprobeable: ["d"]).isEmpty)
        }
        for minutes in stride(from: 90, through: 150, by: 10) {
            #expect(h.poll([d, Self.c, Self.b], at: F.at(minutes: Double(minutes)), unprobeable: ["d"]).isEmpty)
        }
        #expect(h.status("d") == .visible)
    }

    /// A feed whose dates are in the wrong time zone dates a post after the poll that first listed
    /// it: its lifetime starts at that poll at the latest, never "0 s" for a post watched 20 min.
    @Test func aPostDatedAfterItWasFirstSeenLivedAtLeastAsLongAsItWasWatched() throws {
        var h = Harness()
        let late = F.post("late", minutes: 60)
        for minutes in [0, 10, 20] { h.poll([late, Self.b, Self.a], at: F.at(minutes: Double(minutes))) }
        var events: [Event] = []
        for minutes in [30, 40, 50] {
            events += h.poll([Self.b, Self.a], at: F.at(minutes: Double(minutes)), unprobeable: ["late"])
        }
        let deleted = try #require(events.first { $0.event == .deleted })
        #expect(deleted.postedAt == F.at(minutes: 60), "the source's date is kept as it said")
        #expect(deleted.lifetime == SecondsInterval(minSeconds: 20 * 60, maxSeconds: 30 * 60))
    }
}
