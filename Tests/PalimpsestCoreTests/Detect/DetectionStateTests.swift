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
                    lastMissingSnapshot: "s1", lastProbeDetail: "HTTP 500")))
        state.posts["d"] = TrackedPost(
            post: F.post("d", minutes: -6), firstSeen: F.t0, lastSeen: F.t0, lastSeenSnapshot: "s0",
            status: .deleted(
                DeletionRecord(
                    eventID: "e1", reason: .removed, confirmedBy: .probe, confirmedAt: F.at(minutes: 10),
                    snapshot: "s1", firstMissing: F.at(minutes: 10))))
        state.posts["o"] = TrackedPost(
            post: F.post("o", minutes: -9000), firstSeen: F.t0, lastSeen: F.t0, lastSeenSnapshot: "s0",
            status: .agedOut(since: F.at(minutes: 10)))
        state.account = .unavailable(reason: .accountSuspended, since: F.at(minutes: 20), eventID: "e2")
        state.freshestPostedAt = F.at(minutes: -5)
        state.freshestPostID = "m"
        state.lastComplete = SnapshotSummary(
            id: "s1", polledAt: F.at(minutes: 10), window: TimelineWindow(posts: [F.post("m", minutes: -5)]))
        state.blindSpan = BlindSpan(
            from: F.at(minutes: 30), failedPolls: 2, failure: PollFailure(kind: .timeout, message: "timed out"))

        let data = try JSONCoding.documentEncoder().encode(state)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"state\" : \"aged_out\""))
        #expect(text.contains("\"freshest_posted_at\" : \"2026-05-31T23:55:00Z\""))
        #expect(text.contains("\"event_id\" : \"e2\""))
        let decoded = try JSONCoding.decoder().decode(DetectionState.self, from: data)
        #expect(decoded == state)
    }

    @Test func unknownPostStateIsADecodingError() {
        let json = #"{"state": "vanished"}"#
        #expect(throws: DecodingError.self) {
            try JSONCoding.decoder().decode(TrackedPostStatus.self, from: Data(json.utf8))
        }
    }
}
