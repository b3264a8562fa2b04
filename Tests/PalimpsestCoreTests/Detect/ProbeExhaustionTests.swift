import Foundation
import Testing

@testable import PalimpsestCore

/// No candidate waits forever on a probe that never answers (rule of evidence 3, last resort).
@Suite struct ProbeExhaustionTests {
    typealias F = Fixture

    static let five = ConfirmerTests.five
    static let withoutP2 = five.filter { $0.id != "p2" }

    @Test func candidateWithAlwaysInconclusiveProbeIsConfirmedByAbsenceAfterProbeAttempts() throws {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        var events: [Event] = []
        // Six inconclusive answers, one per poll, 5 minutes apart: the sixth comes 25 minutes
        // after the first, past confirm_min_age (20 minutes).
        for poll in 1...6 {
            let minutes = Double(5 * poll)
            let evidence = F.evidence("probe-\(poll)", status: 503, at: F.at(minutes: minutes))
            events = h.poll(
                Self.withoutP2, at: F.at(minutes: minutes),
                probes: Harness.probes(.inconclusive(detail: "HTTP 503 visitor wall"), "p2", evidence: evidence))
            if poll < 6 {
                #expect(events.isEmpty, "poll \(poll): still waiting for a conclusive probe")
            }
        }
        let deleted = try #require(events.first)
        #expect(events.map(\.event) == [.deleted])
        #expect(deleted.confirmedBy == .absence)
        #expect(deleted.reason == .unknown)
        #expect(deleted.detail?.contains("answered nothing conclusive 6 times") == true)
        #expect(deleted.detail?.contains("HTTP 503 visitor wall") == true)
        // Every inconclusive answer is cited, then the timeline that missed the post.
        #expect(deleted.evidence.prefix(6).map(\.status) == Array(repeating: 503, count: 6))
        #expect(deleted.evidence.count == 7)
        #expect(deleted.firstMissing == F.at(minutes: 5))
    }

    @Test func fewerInconclusiveProbesThanProbeAttemptsKeepTheCandidateWaiting() {
        var h = Harness()
        h.settings.probeAttempts = 6
        h.poll(Self.five, at: F.t0)
        // Five answers over an hour: enough time, not enough attempts.
        for poll in 1...5 {
            #expect(
                h.poll(
                    Self.withoutP2, at: F.at(minutes: Double(15 * poll)),
                    probes: Harness.probes(F.inconclusive500, "p2")
                ).isEmpty)
        }
        #expect(h.status("p2")?.missingRecord?.inconclusiveProbes == 5)
    }

    @Test func probeAttemptsQuicklyInSuccessionWaitForConfirmMinAge() {
        var h = Harness()
        h.settings.probeAttempts = 2
        h.poll(Self.five, at: F.t0)
        // Six answers within 10 minutes: attempts enough, span not.
        for poll in 1...6 {
            #expect(
                h.poll(
                    Self.withoutP2, at: F.at(minutes: Double(2 * poll)),
                    probes: Harness.probes(F.inconclusive500, "p2")
                ).isEmpty)
        }
        let events = h.poll(Self.withoutP2, at: F.at(minutes: 23), probes: Harness.probes(F.inconclusive500, "p2"))
        #expect(events.map(\.event) == [.deleted])
    }

    @Test func aTombstoneAfterInconclusiveAnswersStillConfirmsByProbe() {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        for poll in 1...3 {
            h.poll(Self.withoutP2, at: F.at(minutes: Double(5 * poll)), probes: Harness.probes(F.inconclusive500, "p2"))
        }
        let events = h.poll(Self.withoutP2, at: F.at(minutes: 20), probes: Harness.probes(F.tombstone404, "p2"))
        #expect(events.first?.confirmedBy == .probe)
        #expect(events.first?.reason == .removed)
    }

    @Test func pendingFindingsSayWhyEachCandidateWaits() throws {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        for poll in 1...3 {
            h.poll(
                Self.withoutP2, at: F.at(minutes: Double(5 * poll)),
                probes: Harness.probes(.inconclusive(detail: "HTTP 503"), "p2"))
        }
        // Asked a day later: spans still end at the last complete poll (minute 15).
        let pending = h.state.pendingFindings(settings: h.settings, now: F.at(minutes: 24 * 60))
        let finding = try #require(pending.first)
        #expect(pending.count == 1)
        #expect(finding.postID == "p2")
        #expect(finding.kind == .deletion)
        #expect(finding.polls == 3)
        #expect(finding.inconclusiveProbes == 3)
        #expect(finding.why.contains("answered nothing conclusive 3 times (6 needed)"), "\(finding.why)")
        #expect(finding.why.contains("over 10m of 20m"), "\(finding.why)")
    }
}
