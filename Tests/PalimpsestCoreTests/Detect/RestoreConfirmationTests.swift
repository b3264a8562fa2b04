import Foundation
import Testing

@testable import PalimpsestCore

/// Rule of evidence 6: a restore is proved like a deletion, and a deletion is logged once per
/// disappearance.
@Suite struct RestoreConfirmationTests {
    typealias F = Fixture

    static let five = ConfirmerTests.five
    static func without(_ ids: String...) -> [Post] { five.filter { !ids.contains($0.id) } }

    /// p3 confirmed deleted by absence at minute 30 (no probe).
    func deletedByAbsence() -> Harness {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        h.poll(Self.without("p3"), at: F.at(minutes: 10), unprobeable: ["p3"])
        let deleted = h.poll(Self.without("p3"), at: F.at(minutes: 30), unprobeable: ["p3"])
        precondition(deleted.map(\.event) == [.deleted])
        return h
    }

    @Test func laggingReplicaShowingADeletedPostFakesNoRestoreAndNoSecondDeletion() {
        var h = self.deletedByAbsence()
        // A replica serves the state of t0 again, p3 included.
        #expect(h.poll(Self.five, at: F.at(minutes: 40), unprobeable: ["p3"]).isEmpty)
        #expect(h.status("p3")?.isDeleted == true)
        // The next fresh poll misses p3 again: the same disappearance, not a second deletion.
        #expect(h.poll(Self.without("p3"), at: F.at(minutes: 50), unprobeable: ["p3"]).isEmpty)
        #expect(h.poll(Self.without("p3"), at: F.at(minutes: 80), unprobeable: ["p3"]).isEmpty)
        #expect(h.status("p3")?.isDeleted == true)
    }

    @Test func restoreCandidateInOneNewListingIsNotYetARestore() throws {
        var h = self.deletedByAbsence()
        // A listing never seen before (p1 edited) shows p3 again: a restore candidate only.
        var back = Self.five
        back[0] = F.post("p1", minutes: -60, text: "p1, edited")
        let events = h.poll(back, at: F.at(minutes: 40), unprobeable: ["p3"])
        #expect(events.map(\.event) == [.altered])
        let record = try #require(h.status("p3")?.deletionRecord)
        #expect(record.restore?.listedPolls == 1)
        #expect(record.restore?.firstListed == F.at(minutes: 40))
        // Missing again in the next fresh listing: the candidacy ends, nothing is logged twice.
        #expect(h.poll(back.filter { $0.id != "p3" }, at: F.at(minutes: 50), unprobeable: ["p3"]).isEmpty)
        #expect(h.status("p3")?.deletionRecord?.restore == nil)
        #expect(h.status("p3")?.deletionRecord?.lastMissing == F.at(minutes: 50))
    }

    @Test func restoreWithoutProbeNeedsConfirmPollsFreshListingsOverConfirmMinAge() throws {
        var h = self.deletedByAbsence()
        var back = Self.five
        back[0] = F.post("p1", minutes: -60, text: "p1, edited")
        h.poll(back, at: F.at(minutes: 40), unprobeable: ["p3"])
        // Second listing, but only 10 minutes later (confirm_min_age is 20 minutes).
        #expect(h.poll(back, at: F.at(minutes: 50), unprobeable: ["p3"]).isEmpty)
        #expect(h.status("p3")?.deletionRecord?.restore?.listedPolls == 2)
        let events = h.poll(back, at: F.at(minutes: 60), snapshot: "s60", unprobeable: ["p3"])
        let restored = try #require(events.first)
        #expect(events.map(\.event) == [.restored])
        #expect(restored.confirmedBy == .listing)
        #expect(restored.id == Event.makeID(account: F.account.key, post: "p3", kind: .restored, proof: "s60"))
        // Gone from at least first missing (10) to the last poll that missed it (30); at most
        // from last seen (t0) to the first listing again (40).
        #expect(restored.goneFor == SecondsInterval(minSeconds: 1200, maxSeconds: 2400))
        #expect(restored.detail?.contains("listed again since 2026-06-01T00:40:00Z in 3 consecutive") == true)
        #expect(h.status("p3") == .visible)
        #expect(h.state.posts["p3"]?.lastSeen == F.at(minutes: 60))
    }

    @Test func restoreIsProvedAtOnceByAProbeThatSaysTheRestoredPostExists() throws {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        h.poll(Self.without("p2"), at: F.at(minutes: 10), probes: Harness.probes(F.tombstone404, "p2"))
        let probe = F.evidence("probe-p2", status: 200)
        let events = h.poll(
            Self.five, at: F.at(minutes: 20), probes: Harness.probes(.exists, "p2", evidence: probe))
        let restored = try #require(events.first)
        #expect(events.map(\.event) == [.restored])
        #expect(restored.confirmedBy == .probe)
        #expect(restored.evidence.first == probe)
        #expect(h.status("p2") == .visible)
    }

    @Test func restoreCandidateWhoseProbeStillAnswersTombstoneStaysDeleted() {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        h.poll(Self.without("p2"), at: F.at(minutes: 10), probes: Harness.probes(F.tombstone404, "p2"))
        var back = Self.five
        back[0] = F.post("p1", minutes: -60, text: "p1, edited")
        // Listed again in fresh listings, but the post's own address keeps answering 404.
        for minutes in [20.0, 40, 60] {
            let events = h.poll(back, at: F.at(minutes: minutes), probes: Harness.probes(F.tombstone404, "p2"))
            #expect(!events.contains { $0.event == .restored || $0.event == .deleted })
        }
        #expect(h.status("p2")?.isDeleted == true)
        #expect(h.status("p2")?.deletionRecord?.restore == nil)
    }

    @Test func restoreCandidateWithInconclusiveProbesWaitsThenFallsBackToListings() throws {
        var h = Harness()
        h.settings.probeAttempts = 3
        h.poll(Self.five, at: F.t0)
        h.poll(Self.without("p2"), at: F.at(minutes: 10), probes: Harness.probes(F.tombstone404, "p2"))
        var back = Self.five
        back[0] = F.post("p1", minutes: -60, text: "p1, edited")
        for minutes in [20.0, 30] {
            #expect(
                h.poll(back, at: F.at(minutes: minutes), probes: Harness.probes(F.inconclusive500, "p2"))
                    .filter { $0.event == .restored }.isEmpty)
        }
        #expect(h.status("p2")?.deletionRecord?.restore?.inconclusiveProbes == 2)
        let events = h.poll(back, at: F.at(minutes: 40), probes: Harness.probes(F.inconclusive500, "p2"))
        #expect(events.map(\.event) == [.restored])
        #expect(events.first?.confirmedBy == .listing)
        #expect(events.first?.detail?.contains("answered nothing conclusive 3 times") == true)
    }
}
