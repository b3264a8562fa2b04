import Foundation
import Testing

@testable import PalimpsestCore

@Suite struct DetectionStateTests {
    typealias F = Fixture

    @Test func stateSurvivesARoundTripThroughItsFileFormat() throws {
        var state = DetectionState()
        state.posts["v"] = TrackedPost(
            post: F.dateless("v"), firstSeen: F.t0, lastSeen: F.t0, lastSeenSnapshot: "s0",
            olderNeighbours: ["w"])
        state.posts["m"] = TrackedPost(
            post: F.post("m", minutes: -5), firstSeen: F.t0, lastSeen: F.t0, lastSeenSnapshot: "s0",
            status: .missing(
                MissingRecord(
                    firstMissing: F.at(minutes: 10), firstMissingSnapshot: "s1", missingPolls: 1,
                    lastMissingSnapshot: "s1", lastProbeDetail: "HTTP 500", inconclusiveProbes: 2,
                    firstInconclusiveProbe: F.at(minutes: 10), probeEvidence: [F.evidence("probe-m", status: 500)])))
        state.posts["d"] = TrackedPost(
            post: F.post("d", minutes: -6), firstSeen: F.t0, lastSeen: F.t0, lastSeenSnapshot: "s0",
            status: .deleted(
                DeletionRecord(
                    eventID: "e1", reason: .removed, confirmedBy: .probe, confirmedAt: F.at(minutes: 10),
                    snapshot: "s1", firstMissing: F.at(minutes: 10), lastMissing: F.at(minutes: 20),
                    restore: RestoreRecord(
                        firstListed: F.at(minutes: 30), firstListedSnapshot: "s3", listedPolls: 1,
                        lastListedSnapshot: "s3", inconclusiveProbes: 1, firstInconclusiveProbe: F.at(minutes: 30),
                        lastProbeDetail: "HTTP 503"))))
        state.posts["k"] = TrackedPost(
            post: F.post("k", minutes: -7), firstSeen: F.t0, lastSeen: F.t0, lastSeenSnapshot: "s0",
            formerIDs: ["http://old.example/k"])
        state.posts["o"] = TrackedPost(
            post: F.post("o", minutes: -9000), firstSeen: F.t0, lastSeen: F.t0, lastSeenSnapshot: "s0",
            status: .agedOut(since: F.at(minutes: 10)))
        state.account = .unavailable(reason: .accountSuspended, since: F.at(minutes: 20), eventID: "e2")
        state.recentListings = ["0123456789abcdef", "fedcba9876543210"]
        state.newestSignals = ListingSignals(updatedAt: F.at(minutes: 5), lastModified: F.at(minutes: 6), etag: "\"x\"")
        state.signalsRegressedSince = F.at(minutes: 40)
        state.lastComplete = SnapshotSummary(
            id: "s1", polledAt: F.at(minutes: 10), window: TimelineWindow(posts: [F.post("m", minutes: -5)]))
        state.blindSpan = BlindSpan(
            from: F.at(minutes: 30), failedPolls: 2, failure: PollFailure(kind: .timeout, message: "timed out"))

        let data = try JSONCoding.documentEncoder().encode(state)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"state\" : \"aged_out\""))
        #expect(text.contains("\"recent_listings\" : ["))
        #expect(text.contains("\"listed_polls\" : 1"))
        #expect(text.contains("\"former_ids\" : ["))
        #expect(text.contains("\"event_id\" : \"e2\""))
        let decoded = try JSONCoding.decoder().decode(DetectionState.self, from: data)
        #expect(decoded == state)
    }

    @Test func stateWrittenBeforeListingHashesAndRestoreRecordsStillLoads() throws {
        // A state.json detection block as the previous release wrote it: freshness marks that no
        // longer exist, no listing hashes, a deletion without restore fields.
        let json = #"""
            {"v": 1, "account": {"state": "available"}, "freshest_posted_at": "2026-05-31T23:55:00Z",
             "freshest_post_id": "m",
             "posts": {"d": {"first_seen": "2026-06-01T00:00:00Z", "last_seen": "2026-06-01T00:00:00Z",
               "last_seen_snapshot": "s0",
               "post": {"id": "d", "kind": "post", "text": "x", "media": [], "links": [], "is_pinned": false,
                        "is_truncated": false, "version_hash": "h"},
               "status": {"state": "deleted", "deleted": {"event_id": "e1", "reason": "removed",
                 "confirmed_by": "probe", "confirmed_at": "2026-06-01T00:10:00Z", "snapshot": "s1",
                 "first_missing": "2026-06-01T00:10:00Z"}}}}}
            """#
        let state = try JSONCoding.decoder().decode(DetectionState.self, from: Data(json.utf8))
        #expect(state.recentListings.isEmpty)
        #expect(state.newestSignals == nil)
        let record = try #require(state.posts["d"]?.status.deletionRecord)
        #expect(record.restore == nil)
        #expect(record.lastMissing == nil)
        #expect(record.knownGoneAt == F.at(minutes: 10))
    }

    @Test func unknownPostStateIsADecodingError() {
        let json = #"{"state": "vanished"}"#
        #expect(throws: DecodingError.self) {
            try JSONCoding.decoder().decode(TrackedPostStatus.self, from: Data(json.utf8))
        }
    }
}
