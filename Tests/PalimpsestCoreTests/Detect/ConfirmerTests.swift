import Foundation
import Testing

@testable import PalimpsestCore

/// Rules of evidence 1–7, poll after poll, on hand-built posts.
@Suite struct ConfirmerTests {
    typealias F = Fixture

    /// Five posts, created one hour to five hours before t0: p1 newest.
    static let five = [
        F.post("p1", minutes: -60), F.post("p2", minutes: -120), F.post("p3", minutes: -180),
        F.post("p4", minutes: -240), F.post("p5", minutes: -300),
    ]

    static func without(_ ids: String...) -> [Post] { five.filter { !ids.contains($0.id) } }

    // MARK: Rule 1: a failed poll is never evidence

    @Test func failedPollOpensOneBlindSpanAndDerivesNoPostEvents() throws {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        let before = h.state.posts
        let failure = PollFailure(
            kind: .httpStatus, message: "HTTP 503", url: "https://example.social/x", httpStatus: 503)

        let first = Confirmer.recordFailure(state: h.state, failure: failure, at: F.at(minutes: 10), account: h.account)
        #expect(first.events.count == 1)
        let blind = try #require(first.events.first)
        #expect(blind.event == .blind)
        #expect(blind.blind?.from == F.at(minutes: 10))
        #expect(blind.blind?.to == nil)
        #expect(blind.postID == nil)
        #expect(
            blind.id
                == Event.makeID(account: h.account.key, post: nil, kind: .blind, proof: "blind:2026-06-01T00:10:00Z"))
        #expect(first.state.posts == before)

        let second = Confirmer.recordFailure(
            state: first.state, failure: failure, at: F.at(minutes: 20), account: h.account)
        #expect(second.events.isEmpty)
        #expect(second.state.blindSpan?.failedPolls == 2)
        #expect(second.state.posts == before)

        h.state = second.state
        let recovered = h.poll(Self.five, at: F.at(minutes: 30))
        #expect(recovered.count == 1)
        let end = try #require(recovered.first)
        #expect(end.event == .blind)
        #expect(end.blind?.from == F.at(minutes: 10))
        #expect(end.blind?.to == F.at(minutes: 30))
        #expect(end.id != blind.id)
        #expect(h.state.blindSpan == nil)
    }

    @Test func incompleteObservationDerivesNoPostEvents() {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        let before = h.state
        let events = h.poll(
            Self.without("p2"), at: F.at(minutes: 30), complete: false, probes: Harness.probes(F.tombstone404, "p2"),
            unprobeable: ["p2"])
        #expect(events.isEmpty)
        #expect(h.lastDiff.candidates.isEmpty)
        #expect(!h.lastDiff.isFresh)
        #expect(h.state == before)
    }

    // MARK: Rule 2: only a complete snapshot, only inside the window

    @Test func postOlderThanWindowFloorVanishingIsNoEvent() {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        // A new post pushes p5 (the oldest) out of a five-post window.
        let next = [F.post("p0", minutes: 5)] + Self.without("p5")
        for poll in 1...4 {
            let events = h.poll(next, at: F.at(minutes: Double(poll * 30)), unprobeable: ["p5"])
            #expect(events.isEmpty)
            #expect(h.lastDiff.candidates.isEmpty)
        }
        #expect(h.status("p5") == .agedOut(since: F.at(minutes: 30)))
    }

    @Test func agedOutPostsAreForgottenAfterTheRetentionButDeletedOnesStay() {
        var h = Harness()
        h.settings.agedOutRetention = 3600
        h.poll(Self.five, at: F.t0)
        h.poll(Self.without("p2"), at: F.at(minutes: 10), probes: Harness.probes(F.tombstone404, "p2"))
        let next = [F.post("p0", minutes: 5)] + Self.without("p2", "p5")
        h.poll(next, at: F.at(minutes: 20))
        #expect(h.status("p5") == .agedOut(since: F.at(minutes: 20)))
        h.poll(next, at: F.at(minutes: 200))
        #expect(h.state.posts["p5"] == nil)
        #expect(h.status("p2")?.isDeleted == true)
    }

    // MARK: Rule 3: pinned posts

    @Test func unpinnedPostWhoseProbeSaysExistsIsNoEvent() {
        var h = Harness()
        let pinned = F.post("old", minutes: -50_000, pinned: true)
        h.poll([pinned] + Self.five, at: F.t0)
        let events = h.poll(Self.five, at: F.at(minutes: 30), probes: Harness.probes(.exists, "old"))
        #expect(h.lastDiff.candidates.map(\.post.id) == ["old"])
        #expect(!h.lastDiff.insideWindow.contains("old"))
        #expect(events.isEmpty)
        #expect(h.status("old") == .agedOut(since: F.at(minutes: 30)))
        // Aged out: not probed again.
        h.poll(Self.five, at: F.at(minutes: 60))
        #expect(h.lastDiff.candidates.isEmpty)
    }

    @Test func vanishedPinnedPostWithoutProbeIsNeverConfirmedByAbsenceOutsideTheWindow() {
        var h = Harness()
        h.settings.confirmMinAge = 0
        let pinned = F.post("old", minutes: -50_000, pinned: true)
        h.poll([pinned] + Self.five, at: F.t0)
        for poll in 1...4 {
            #expect(h.poll(Self.five, at: F.at(minutes: Double(poll * 30)), unprobeable: ["old"]).isEmpty)
        }
        #expect(h.status("old")?.isDeleted == false)
    }

    @Test func vanishedPinnedPostIsConfirmedByItsTombstone() throws {
        var h = Harness()
        let pinned = F.post("old", minutes: -50_000, pinned: true)
        h.poll([pinned] + Self.five, at: F.t0)
        let events = h.poll(Self.five, at: F.at(minutes: 30), probes: Harness.probes(F.tombstone404, "old"))
        let deleted = try #require(events.first)
        #expect(events.count == 1)
        #expect(deleted.event == .deleted)
        #expect(deleted.postID == "old")
        #expect(deleted.confirmedBy == .probe)
    }

    // MARK: Rule 3: confirm before you log

    @Test func candidateConfirmedByA404ProbeIsDeletedWithExactLifetime() throws {
        var h = Harness()
        h.poll(Self.five, at: F.t0, snapshot: "s0")
        let probeEvidence = F.evidence("status-p2", status: 404, at: F.at(minutes: 10))
        let events = h.poll(
            Self.without("p2"), at: F.at(minutes: 10), snapshot: "s1",
            probes: Harness.probes(F.tombstone404, "p2", evidence: probeEvidence))
        #expect(h.lastDiff.candidates.map(\.post.id) == ["p2"])
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.event == .deleted)
        #expect(event.id == Event.makeID(account: F.account.key, post: "p2", kind: .deleted, proof: "s1"))
        #expect(event.reason == .removed)
        #expect(event.confirmedBy == .probe)
        #expect(event.detail == "HTTP 404 {\"error\":\"Record not found\"}")
        #expect(event.evidence == [probeEvidence, F.evidence("timeline-s1", at: F.at(minutes: 10))])
        #expect(event.platform == .mastodon)
        #expect(event.account == F.account.key)
        #expect(event.accountName == "Alice")
        #expect(event.postID == "p2")
        #expect(event.postKind == .post)
        #expect(event.url == "https://example.social/@alice/p2")
        #expect(event.postedAt == F.at(minutes: -120))
        #expect(event.firstSeen == F.t0)
        #expect(event.lastSeen == F.t0)
        #expect(event.firstMissing == F.at(minutes: 10))
        // Created 2 h before t0, last seen at t0, first missing 10 min later.
        #expect(event.lifetime == SecondsInterval(minSeconds: 7200, maxSeconds: 7800))
        #expect(event.text == "Post p2 says hello")
        #expect(event.version == Self.five[1].versionHash)
        #expect(event.snapshot == "s1")
        #expect(event.detectedAt == F.at(minutes: 10))
        #expect(h.status("p2")?.deletionRecord?.eventID == event.id)
        // Deleted: never again a candidate, never logged twice.
        #expect(h.poll(Self.without("p2"), at: F.at(minutes: 20), probes: Harness.probes(F.tombstone404, "p2")).isEmpty)
    }

    @Test func inconclusiveProbeLogsNothingAndTheNextPollsTombstoneConfirms() throws {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        let first = h.poll(Self.without("p3"), at: F.at(minutes: 10), probes: Harness.probes(F.inconclusive500, "p3"))
        #expect(first.isEmpty)
        #expect(h.status("p3")?.missingRecord?.lastProbeDetail == "HTTP 500")
        let second = h.poll(Self.without("p3"), at: F.at(minutes: 20), probes: Harness.probes(F.tombstone404, "p3"))
        let event = try #require(second.first)
        #expect(second.count == 1)
        #expect(event.event == .deleted)
        #expect(event.confirmedBy == .probe)
        #expect(event.firstMissing == F.at(minutes: 10))
        #expect(event.lifetime == SecondsInterval(minSeconds: 10_800, maxSeconds: 11_400))
    }

    @Test func probeablePostIsNeverConfirmedByAbsence() {
        var h = Harness()
        h.settings.confirmMinAge = 0
        h.poll(Self.five, at: F.t0)
        for poll in 1...6 {
            // Inconclusive answers, or no answer at all (budget): the post waits for a probe.
            let probes = poll.isMultiple(of: 2) ? Harness.probes(F.inconclusive500, "p3") : [:]
            #expect(h.poll(Self.without("p3"), at: F.at(minutes: Double(poll * 30)), probes: probes).isEmpty)
        }
        #expect(h.status("p3")?.missingRecord?.missingPolls == 6)
        #expect(h.status("p3")?.isDeleted == false)
    }

    @Test func ghostlyPostWhoseProbeSaysExistsIsNeverDeleted() {
        var h = Harness()
        h.settings.confirmMinAge = 0
        h.poll(Self.five, at: F.t0)
        for poll in 1...5 {
            let events = h.poll(
                Self.without("p3"), at: F.at(minutes: Double(poll * 30)), probes: Harness.probes(.exists, "p3"))
            #expect(events.isEmpty)
            #expect(h.status("p3") == .visible)
        }
    }

    @Test func absenceNeedsConfirmPollsConsecutiveFreshSnapshots() throws {
        var h = Harness()
        h.settings = DetectionSettings(confirmPolls: 3, confirmMinAge: 0)
        h.poll(Self.five, at: F.t0)
        #expect(h.poll(Self.without("p2"), at: F.at(minutes: 30), unprobeable: ["p2"]).isEmpty)
        #expect(h.poll(Self.without("p2"), at: F.at(minutes: 60), unprobeable: ["p2"]).isEmpty)
        #expect(h.status("p2")?.missingRecord?.missingPolls == 2)
        let events = h.poll(Self.without("p2"), at: F.at(minutes: 90), unprobeable: ["p2"])
        let event = try #require(events.first)
        #expect(events.count == 1)
        #expect(event.event == .deleted)
        #expect(event.reason == .unknown)
        #expect(event.confirmedBy == .absence)
        #expect(event.firstMissing == F.at(minutes: 30))
        #expect(event.lifetime == SecondsInterval(minSeconds: 7200, maxSeconds: 9000))
    }

    @Test func postSeenAgainBeforeConfirmationClearsItsAbsenceCount() {
        var h = Harness()
        h.settings = DetectionSettings(confirmPolls: 2, confirmMinAge: 0)
        h.poll(Self.five, at: F.t0)
        #expect(h.poll(Self.without("p2"), at: F.at(minutes: 30), unprobeable: ["p2"]).isEmpty)
        // A new listing (p1 edited) that shows p2 again: fresh, so p2 is visible again.
        var edited = Self.five
        edited[0] = F.post("p1", minutes: -60, text: "Post p1 says hello again")
        #expect(h.poll(edited, at: F.at(minutes: 60), unprobeable: ["p2"]).map(\.event) == [.altered])
        #expect(h.status("p2") == .visible)
        #expect(h.state.posts["p2"]?.lastSeen == F.at(minutes: 60))
        // Counting starts over: one more miss is not enough.
        #expect(h.poll(Array(edited.filter { $0.id != "p2" }), at: F.at(minutes: 90), unprobeable: ["p2"]).isEmpty)
        #expect(h.status("p2")?.missingRecord?.missingPolls == 1)
    }

    @Test func postListedAgainByARepeatedOlderListingStartsItsAbsenceOver() {
        var h = Harness()
        h.settings = DetectionSettings(confirmPolls: 2, confirmMinAge: 0)
        h.poll(Self.five, at: F.t0)
        #expect(h.poll(Self.without("p2"), at: F.at(minutes: 30), unprobeable: ["p2"]).isEmpty)
        // The listing of t0 again: a lagging replica, or the last listing dropped a post that
        // exists (a "ghostly post"). Either way the misses are no longer consecutive.
        #expect(h.poll(Self.five, at: F.at(minutes: 60), unprobeable: ["p2"]).isEmpty)
        #expect(!h.lastDiff.isFresh)
        #expect(h.status("p2")?.missingRecord?.missingPolls == 0)
        #expect(h.poll(Self.without("p2"), at: F.at(minutes: 90), unprobeable: ["p2"]).isEmpty)
        #expect(h.status("p2")?.missingRecord?.missingPolls == 1)
        #expect(h.poll(Self.without("p2"), at: F.at(minutes: 120), unprobeable: ["p2"]).map(\.postID) == ["p2"])
    }

    @Test func absenceNeedsConfirmMinAge() throws {
        var h = Harness()
        h.settings = DetectionSettings(confirmPolls: 2, confirmMinAge: 1200)
        h.poll(Self.five, at: F.t0)
        #expect(h.poll(Self.without("p2"), at: F.at(minutes: 10), unprobeable: ["p2"]).isEmpty)
        // Two polls, but only 10 minutes apart; then a third 19:59 after the first miss.
        #expect(h.poll(Self.without("p2"), at: F.at(minutes: 20), unprobeable: ["p2"]).isEmpty)
        #expect(h.poll(Self.without("p2"), at: F.at(minutes: 10).addingTimeInterval(1199), unprobeable: ["p2"]).isEmpty)
        let events = h.poll(Self.without("p2"), at: F.at(minutes: 30), unprobeable: ["p2"])
        #expect(events.map(\.event) == [.deleted])
        #expect(events.first?.confirmedBy == .absence)
    }

    @Test func staleReplicaSnapshotDoesNotAdvanceAbsence() throws {
        var h = Harness()
        h.settings = DetectionSettings(confirmPolls: 2, confirmMinAge: 0)
        h.poll(Self.five, at: F.t0, signals: ListingSignals(lastModified: F.t0))
        #expect(
            h.poll(
                Self.without("p3"), at: F.at(minutes: 30), unprobeable: ["p3"],
                signals: ListingSignals(lastModified: F.at(minutes: 25))
            )
            .isEmpty)
        // A lagging replica, older by its Last-Modified: p1 and p3 missing.
        let stale = h.poll(
            Self.without("p1", "p3"), at: F.at(minutes: 60), unprobeable: ["p1", "p3"],
            signals: ListingSignals(lastModified: F.at(minutes: -100)))
        #expect(!h.lastDiff.isFresh)
        #expect(stale.isEmpty)
        #expect(h.status("p3")?.missingRecord?.missingPolls == 1)
        #expect(h.status("p1")?.missingRecord?.missingPolls == 0, "pending, provisional: a stale miss counts nothing")
        #expect(h.state.posts["p2"]?.lastSeen == F.t0.addingTimeInterval(1800))
        let fresh = h.poll(
            Self.without("p3"), at: F.at(minutes: 90), unprobeable: ["p3"],
            signals: ListingSignals(lastModified: F.at(minutes: 25)))
        #expect(h.lastDiff.isFresh, "the same listing as the latest fresh one is the account's state")
        #expect(fresh.map(\.event) == [.deleted])
        #expect(fresh.first?.postID == "p3")
    }

    @Test func listingWithAnOlderFeedDateIsStaleAndDoesNotResetAbsence() {
        var h = Harness()
        h.settings = DetectionSettings(confirmPolls: 2, confirmMinAge: 0)
        h.poll(Self.five, at: F.t0, signals: ListingSignals(updatedAt: F.at(minutes: -60)))
        h.poll(Self.without("p3"), at: F.at(minutes: 30), unprobeable: ["p3"], signals: ListingSignals(updatedAt: F.t0))
        // A cache serves a copy built before p3 was deleted but never seen here: its own date says so.
        let replica = [F.post("p2", minutes: -120, text: "an older text of p2")] + Self.without("p1", "p2")
        #expect(
            h.poll(
                replica, at: F.at(minutes: 60), unprobeable: ["p1"],
                signals: ListingSignals(updatedAt: F.at(minutes: -30))
            )
            .isEmpty)
        #expect(!h.lastDiff.isFresh)
        #expect(h.lastDiff.staleReason?.contains("feed date") == true)
        #expect(h.status("p3")?.missingRecord?.missingPolls == 1)
        #expect(h.status("p1")?.missingRecord?.missingPolls == 0, "a stale listing counts no miss")
        #expect(h.state.posts["p2"]?.post.text == "Post p2 says hello", "an older version is no edit")
        let fresh = h.poll(
            Self.without("p3"), at: F.at(minutes: 90), unprobeable: ["p3"], signals: ListingSignals(updatedAt: F.t0))
        #expect(fresh.map(\.postID) == ["p3"])
    }

    @Test func olderListingDatesAreAcceptedAfterTheTolerance() {
        var h = Harness()
        h.settings = DetectionSettings(confirmPolls: 2, confirmMinAge: 0, signalRegressionTolerance: 3600)
        h.poll(Self.five, at: F.t0, signals: ListingSignals(lastModified: F.t0))
        // The source's clock went back for good: stale for an hour, then accepted.
        let older = ListingSignals(lastModified: F.at(minutes: -600))
        h.poll(Self.without("p3"), at: F.at(minutes: 30), unprobeable: ["p3"], signals: older)
        #expect(!h.lastDiff.isFresh)
        h.poll(Self.without("p3"), at: F.at(minutes: 60), unprobeable: ["p3"], signals: older)
        #expect(!h.lastDiff.isFresh)
        h.poll(Self.without("p3"), at: F.at(minutes: 90), unprobeable: ["p3"], signals: older)
        #expect(h.lastDiff.isFresh)
        #expect(h.state.newestSignals?.lastModified == F.at(minutes: -600))
        #expect(
            h.poll(Self.without("p3"), at: F.at(minutes: 120), unprobeable: ["p3"], signals: older).map(\.postID)
                == ["p3"])
    }

    @Test func staleReplicaSnapshotCreatesNoRestoreNoAlterationAndNoNewPost() {
        var h = Harness()
        h.poll(Self.five, at: F.t0, signals: ListingSignals(updatedAt: F.t0))
        h.poll(
            Self.without("p4"), at: F.at(minutes: 10), probes: Harness.probes(F.tombstone404, "p4"),
            signals: ListingSignals(updatedAt: F.at(minutes: 5)))
        #expect(h.status("p4")?.isDeleted == true)
        // The replica lags: p1 missing, the deleted p4 back, an old version of p2, an unknown p9.
        let replica = [
            F.post("p2", minutes: -120, text: "an older text of p2"), F.post("p3", minutes: -180),
            F.post("p4", minutes: -240), F.post("p9", minutes: -250), F.post("p5", minutes: -300),
        ]
        let events = h.poll(replica, at: F.at(minutes: 20), signals: ListingSignals(updatedAt: F.at(minutes: -90)))
        #expect(!h.lastDiff.isFresh)
        #expect(events.isEmpty)
        #expect(h.status("p4")?.isDeleted == true)
        #expect(h.state.posts["p2"]?.post.text == "Post p2 says hello")
        #expect(h.state.posts["p9"] == nil)
    }

    @Test func newestPostDeletedIsConfirmedByAbsenceWithoutAnyNewerPost() throws {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        // p1, the newest, is gone and nothing newer appears: the listing differs from every earlier
        // one, so it is fresh, and so is the same listing again.
        #expect(h.poll(Self.without("p1"), at: F.at(minutes: 10), unprobeable: ["p1"]).isEmpty)
        #expect(h.lastDiff.isFresh)
        var edited = Self.without("p1")
        edited[1] = F.post("p3", minutes: -180, text: "Post p3 says goodbye")
        let next = h.poll(edited, at: F.at(minutes: 30), unprobeable: ["p1"])
        #expect(h.lastDiff.isFresh)
        #expect(next.map(\.event) == [.altered, .deleted])
        #expect(next.last?.postID == "p1")
        #expect(next.last?.confirmedBy == .absence)
    }

    // MARK: Rule 4: everything vanishing at once

    @Test func emptySnapshotAfterFullOneIsMassDisappearanceNotDeletions() {
        var h = Harness()
        h.settings.confirmMinAge = 0
        h.poll(Self.five, at: F.t0)
        let allTombstones = Dictionary(
            uniqueKeysWithValues: Self.five.map { ($0.id, ProbeResult(verdict: F.tombstone404)) })
        for poll in 1...3 {
            let events = h.poll(
                [], at: F.at(minutes: Double(poll * 30)), probes: allTombstones,
                unprobeable: Set(Self.five.map(\.id)), accountProbe: AccountProbeResult(verdict: .available))
            #expect(h.lastDiff.isMassDisappearance)
            #expect(events.isEmpty)
        }
        #expect(h.state.posts.values.allSatisfy { !$0.status.isDeleted })
    }

    @Test func massDisappearanceWithUnavailableAccountLogsExactlyOneAccountEvent() throws {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        let suspended = AccountProbeResult(
            verdict: .unavailable(reason: .accountSuspended, detail: "HTTP 410 suspended"),
            evidence: F.evidence("lookup", status: 410))
        let events = h.poll(
            [F.post("p5", minutes: -300)], at: F.at(minutes: 10), snapshot: "s1",
            probes: Harness.probes(F.tombstone404, "p1", "p2", "p3", "p4"), accountProbe: suspended)
        #expect(h.lastDiff.isMassDisappearance)
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.event == .accountUnavailable)
        #expect(event.reason == .accountSuspended)
        #expect(event.detail == "HTTP 410 suspended")
        #expect(event.postID == nil)
        #expect(
            event.id == Event.makeID(account: F.account.key, post: nil, kind: .accountUnavailable, proof: "account:s1"))
        #expect(event.evidence.first == F.evidence("lookup", status: 410))
        // Still gone on the next poll: no second event, no post event.
        let again = h.poll(
            [F.post("p5", minutes: -300)], at: F.at(minutes: 20),
            probes: Harness.probes(F.tombstone404, "p1", "p2", "p3", "p4"), accountProbe: suspended)
        #expect(again.isEmpty)
        // Back: one account_restored.
        let back = h.poll(Self.five, at: F.at(minutes: 30))
        #expect(back.map(\.event) == [.accountRestored])
        #expect(h.state.account == .available)
    }

    @Test func massDisappearanceWithAvailableAccountLeavesPostsToTheirProbesFromTheNextPoll() {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        let rest = [F.post("p5", minutes: -300)]
        let first = h.poll(
            rest, at: F.at(minutes: 10), probes: Harness.probes(F.tombstone404, "p1", "p2", "p3", "p4"),
            accountProbe: AccountProbeResult(verdict: .available))
        #expect(h.lastDiff.isMassDisappearance)
        #expect(first.isEmpty)
        #expect(h.status("p2")?.missingRecord?.missingPolls == 0)
        let second = h.poll(rest, at: F.at(minutes: 20), probes: Harness.probes(F.tombstone404, "p1", "p2", "p3", "p4"))
        #expect(!h.lastDiff.isMassDisappearance)
        #expect(second.map(\.postID) == ["p4", "p3", "p2", "p1"])
        // Both snapshots lack the newest post p1, so neither is fresh: the tombstones alone
        // prove the posts gone, by the time of the probes.
        #expect(second.allSatisfy { $0.event == .deleted && $0.firstMissing == F.at(minutes: 20) })
    }

    @Test func massDisappearanceWithAvailableAccountNeedsConfirmPollsMoreForAbsence() throws {
        var h = Harness()
        h.settings = DetectionSettings(confirmPolls: 2, confirmMinAge: 0)
        h.poll(Self.five, at: F.t0)
        let rest = [F.post("p1", minutes: -60), F.post("p5", minutes: -300)]
        let gone: Set<String> = ["p2", "p3", "p4"]
        #expect(
            h.poll(
                rest, at: F.at(minutes: 10), unprobeable: gone, accountProbe: AccountProbeResult(verdict: .available)
            ).isEmpty)
        #expect(h.lastDiff.isMassDisappearance && h.lastDiff.isFresh)
        #expect(h.poll(rest, at: F.at(minutes: 20), unprobeable: gone).isEmpty)
        #expect(h.status("p3")?.missingRecord?.missingPolls == 1)
        let events = h.poll(rest, at: F.at(minutes: 30), unprobeable: gone)
        #expect(events.map(\.postID) == ["p4", "p3", "p2"])
        // First missing is the first snapshot that counted, not the mass disappearance.
        #expect(events.allSatisfy { $0.confirmedBy == .absence && $0.firstMissing == F.at(minutes: 20) })
    }

    @Test func accountProbeAnsweringAvailableAfterAnAccountEventRestoresTheAccount() {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        let suspended = AccountProbeResult(verdict: .unavailable(reason: .accountSuspended, detail: "suspended"))
        #expect(h.poll([], at: F.at(minutes: 10), accountProbe: suspended).map(\.event) == [.accountUnavailable])
        let events = h.poll([], at: F.at(minutes: 20), accountProbe: AccountProbeResult(verdict: .available))
        #expect(events.map(\.event) == [.accountRestored])
        #expect(h.state.account == .available)
    }

    @Test func massDisappearanceWithInconclusiveAccountProbeIsABlindPollThatTouchesNoPost() throws {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        let before = h.state.posts
        let events = h.poll(
            [F.post("p5", minutes: -300)], at: F.at(minutes: 10),
            accountProbe: AccountProbeResult(verdict: .inconclusive(detail: "HTTP 502")))
        #expect(h.state.posts == before)
        // Not silence: the operator sees a blind span that says why.
        let blind = try #require(events.first)
        #expect(events.map(\.event) == [.blind])
        #expect(blind.blind?.failure.kind == .vanished)
        #expect(blind.detail?.contains("4 posts of the window vanished at once") == true)
        #expect(blind.detail?.contains("HTTP 502") == true)
        // The next complete poll closes it.
        let back = h.poll(Self.five, at: F.at(minutes: 20))
        #expect(back.map(\.event) == [.blind])
        #expect(back.first?.blind?.to == F.at(minutes: 20))
    }

    /// An empty listing has no window: the blind poll says how many posts it had, not "0 posts"
    /// (found by a tester).
    @Test func anEmptyListingSaysEveryPostOfTheWindowVanished() throws {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        let events = h.poll(
            [], at: F.at(minutes: 10), accountProbe: AccountProbeResult(verdict: .inconclusive(detail: "HTTP 200")))
        let blind = try #require(events.first)
        #expect(
            (blind.detail ?? "").contains("all 5 posts of the window vanished at once (an empty listing)"),
            "\(blind.detail ?? "")")
    }

    @Test func fewPostsVanishingAreCandidatesNotAMassDisappearance() {
        var h = Harness()
        let ten = (1...10).map { F.post("q\($0)", minutes: Double(-10 * $0)) }
        h.poll(ten, at: F.t0)
        h.poll(ten.filter { !["q2", "q4", "q6"].contains($0.id) }, at: F.at(minutes: 10))
        #expect(!h.lastDiff.isMassDisappearance)
        #expect(h.lastDiff.candidates.count == 3)
        h.poll(ten.filter { ["q1", "q9", "q10"].contains($0.id) }, at: F.at(minutes: 20))
        #expect(h.lastDiff.isMassDisappearance)
    }

    @Test func accountAnsweringGoneLogsOneEventUntilItIsSeenAgain() throws {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        let gone = Confirmer.recordAccountUnavailable(
            state: h.state, reason: .accountDeleted, detail: "HTTP 404 lookup", at: F.at(minutes: 10),
            evidence: [F.evidence("lookup", status: 404)], account: h.account)
        let event = try #require(gone.events.first)
        #expect(gone.events.count == 1)
        #expect(event.event == .accountUnavailable)
        #expect(event.reason == .accountDeleted)
        #expect(
            event.id
                == Event.makeID(
                    account: F.account.key, post: nil, kind: .accountUnavailable, proof: "account:2026-06-01T00:10:00Z")
        )
        #expect(gone.state.posts == h.state.posts)
        let again = Confirmer.recordAccountUnavailable(
            state: gone.state, reason: .accountDeleted, detail: "HTTP 404 lookup", at: F.at(minutes: 20),
            evidence: [], account: h.account)
        #expect(again.events.isEmpty)
        h.state = again.state
        let back = h.poll(Self.five, at: F.at(minutes: 30), snapshot: "s3")
        #expect(back.map(\.event) == [.accountRestored])
        #expect(
            back.first?.id
                == Event.makeID(account: F.account.key, post: nil, kind: .accountRestored, proof: "account:s3"))
    }

    // MARK: Rule 5: altered

    @Test func countOnlyWhitespaceOrSignedMediaChangeIsNoEvent() {
        var h = Harness()
        let original = F.post("m", minutes: -30, text: "Look at this", media: ["https://cdn.example/a.jpg?sig=1&exp=2"])
        h.poll([original] + Self.five, at: F.t0)
        #expect(h.poll([original] + Self.five, at: F.at(minutes: 10)).isEmpty)
        let volatile = F.post(
            "m", minutes: -30, text: "  Look at\nthis ", media: ["https://cdn.example/a.jpg?sig=9&exp=3"])
        #expect(h.poll([volatile] + Self.five, at: F.at(minutes: 20)).isEmpty)
        #expect(h.lastDiff.alterations.isEmpty)
    }

    @Test func textEditIsAlteredWithBothVersionsAndAnInlineDiff() throws {
        var h = Harness()
        let before = F.post("e", minutes: -30, text: "The quick brown fox jumps")
        h.poll([before] + Self.five, at: F.t0, snapshot: "s0")
        let after = F.post("e", minutes: -30, text: "The slow red fox jumps", editedAt: F.at(minutes: 5))
        let events = h.poll([after] + Self.five, at: F.at(minutes: 10), snapshot: "s1")
        let event = try #require(events.first)
        #expect(events.count == 1)
        #expect(event.event == .altered)
        #expect(event.id == Event.makeID(account: F.account.key, post: "e", kind: .altered, proof: "s1"))
        #expect(event.previousText == "The quick brown fox jumps")
        #expect(event.text == "The slow red fox jumps")
        #expect(event.diff == "The [-quick brown-]{+slow red+} fox jumps")
        #expect(event.editedAt == F.at(minutes: 5))
        #expect(event.previousVersion == before.versionHash)
        #expect(event.version == after.versionHash)
        #expect(event.firstSeen == F.t0)
        #expect(event.lastSeen == F.at(minutes: 10))
        #expect(event.detail == "changed: text")
        #expect(h.state.posts["e"]?.post.versionHash == after.versionHash)
        #expect(h.poll([after] + Self.five, at: F.at(minutes: 20)).isEmpty)
    }

    @Test func newPostsAreTrackedWithoutEvents() {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        let events = h.poll([F.post("n", minutes: 5)] + Self.five, at: F.at(minutes: 10))
        #expect(events.isEmpty)
        #expect(h.lastDiff.newPosts.map(\.id) == ["n"])
        let tracked = h.state.posts["n"]
        #expect(tracked?.firstSeen == F.at(minutes: 10))
        #expect(tracked?.lastSeen == F.at(minutes: 10))
        #expect(tracked?.status == .visible)
    }

    // MARK: Rule 6: restored

    @Test func deletedPostVisibleAgainIsRestoredWithHowLongItWasGone() throws {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        h.poll(Self.without("p2"), at: F.at(minutes: 10), probes: Harness.probes(F.inconclusive500, "p2"))
        let deleted = h.poll(Self.without("p2"), at: F.at(minutes: 20), probes: Harness.probes(F.tombstone404, "p2"))
        #expect(deleted.map(\.event) == [.deleted])
        // The listing equals the one of t0 (since superseded), so only the probe can prove it.
        let events = h.poll(
            Self.five, at: F.at(minutes: 60), snapshot: "s60", probes: Harness.probes(.exists, "p2"))
        let event = try #require(events.first)
        #expect(events.count == 1)
        #expect(event.event == .restored)
        #expect(event.id == Event.makeID(account: F.account.key, post: "p2", kind: .restored, proof: "s60"))
        // Gone at least from first missing (10 min) to confirmation (20 min), at most from last
        // seen (t0) to now (60 min).
        #expect(event.goneFor == SecondsInterval(minSeconds: 600, maxSeconds: 3600))
        #expect(event.firstMissing == F.at(minutes: 10))
        #expect(event.lastSeen == F.t0)
        #expect(event.confirmedBy == .probe)
        #expect(h.status("p2") == .visible)
        #expect(h.poll(Self.five, at: F.at(minutes: 70), probes: Harness.probes(.exists, "p2")).isEmpty)
    }

    // MARK: Rule 7: exactly once

    @Test func reapplyingTheSameObservationYieldsNoDuplicateEvents() {
        var h = Harness()
        h.poll(Self.five, at: F.t0)
        let edited = [F.post("p1", minutes: -60, text: "changed")] + Self.without("p1", "p2")
        let observation = Observation(account: F.account.key, polledAt: F.at(minutes: 10), posts: edited)
        let probes = Harness.probes(F.tombstone404, "p2")
        func run(_ state: DetectionState) -> DetectionOutcome {
            let diff = WindowDiffer.diff(state: state, observation: observation, settings: h.settings)
            return Confirmer.apply(
                state: state, diff: diff, observation: observation, snapshotID: "s1", probes: probes, unprobeable: [],
                accountProbe: nil, account: F.account, settings: h.settings)
        }
        let once = run(h.state)
        #expect(once.events.map(\.event) == [.altered, .deleted])
        let twice = run(once.state)
        #expect(twice.events.isEmpty)
        #expect(twice.state == once.state)
        // From the same state, the same findings get the same IDs (a restart can tell them apart).
        #expect(run(h.state).events.map(\.id) == once.events.map(\.id))
    }

    @Test func absenceCountsEachSnapshotOnce() {
        var h = Harness()
        h.settings = DetectionSettings(confirmPolls: 2, confirmMinAge: 0)
        h.poll(Self.five, at: F.t0)
        h.poll(Self.without("p2"), at: F.at(minutes: 30), snapshot: "s1", unprobeable: ["p2"])
        // The same snapshot handed in again (a restart) does not count twice.
        h.state.lastComplete = nil
        #expect(h.poll(Self.without("p2"), at: F.at(minutes: 30), snapshot: "s1", unprobeable: ["p2"]).isEmpty)
        #expect(h.status("p2")?.missingRecord?.missingPolls == 1)
    }

    // MARK: Dateless feeds

    @Test func datelessPostInsideTheWindowDisappearsButOneBelowItAgesOut() {
        var h = Harness()
        h.settings = DetectionSettings(confirmPolls: 2, confirmMinAge: 0)
        let items = ["e", "d", "c", "b", "a"].map(F.dateless)
        h.poll(items, at: F.t0)
        #expect(h.state.posts["c"]?.olderNeighbours == ["b", "a"])
        #expect(h.state.posts["a"]?.olderNeighbours == [])

        // Two new items push b and a out: nothing listed after them remains.
        let shifted = ["g", "f", "e", "d", "c"].map(F.dateless)
        #expect(h.poll(shifted, at: F.at(minutes: 30), unprobeable: ["b", "a"]).isEmpty)
        #expect(h.lastDiff.isFresh)
        #expect(h.lastDiff.candidates.isEmpty)
        #expect(h.status("b") == .agedOut(since: F.at(minutes: 30)))

        // d vanishes while c, listed after it, stays: d is inside the window.
        let withoutD = ["g", "f", "e", "c"].map(F.dateless)
        #expect(h.poll(withoutD, at: F.at(minutes: 60), unprobeable: ["d"]).isEmpty)
        #expect(h.lastDiff.insideWindow == ["d"])
        let events = h.poll(withoutD, at: F.at(minutes: 90), unprobeable: ["d"])
        #expect(events.map(\.event) == [.deleted])
        #expect(events.first?.postID == "d")
        #expect(events.first?.postedAt == nil)
        // An undated post has no lifetime: when it was first seen is not when it was posted.
        #expect(events.first?.lifetime == nil)
    }

    @Test func datelessSnapshotMissingTheNewestItemCountsItsAbsence() {
        var h = Harness()
        h.settings = DetectionSettings(confirmPolls: 1, confirmMinAge: 0)
        h.poll(["c", "b", "a"].map(F.dateless), at: F.t0)
        let events = h.poll(["b", "a"].map(F.dateless), at: F.at(minutes: 30), unprobeable: ["c"])
        #expect(h.lastDiff.isFresh)
        #expect(events.map(\.postID) == ["c"])
    }
}
