import Foundation
import PalimpsestReplay
import Testing

@testable import PalimpsestCore

/// An unchanged timeline answer ends a quiet account's poll: no snapshot, no evidence written,
/// one observation row; an account with a candidate waiting takes the full path.
@Suite struct UnchangedPollTests {
    static func warcBytes(_ harness: IntegrationHarness) -> Int {
        let folder = harness.root.appendingPathComponent("state/warc")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size]
                as? Int) ?? 0)
        }
    }

    @Test func aSameBodyOrA304EndsTheQuietPollWithOnlyAnObservationRow() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed")
        let poller = try harness.poller()
        let feed = DiskFullTests.feed(harness, ids: [3, 2, 1])
        var withETag = feed
        withETag.headers.add(name: "ETag", value: "\"v1\"")
        harness.server.script(
            "/feed", [feed, feed, withETag, ReplayResponse(status: 304, headers: [("ETag", "\"v1\"")], body: Data())])
        _ = try await poller.poll(account, at: IntegrationHarness.time(0))
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        let snapshots = try store.snapshotIDs(of: account.key)
        let warc = Self.warcBytes(harness)

        let same = try await poller.poll(account, at: IntegrationHarness.time(10))
        #expect(same.record.detail.hasPrefix("unchanged since the last poll (HTTP 200"), "\(same.record.detail)")
        #expect(try store.snapshotIDs(of: account.key) == snapshots, "no snapshot")
        #expect(Self.warcBytes(harness) == warc, "no evidence written")

        _ = try await poller.poll(account, at: IntegrationHarness.time(20))  // same body, an ETag now
        let notModified = try await poller.poll(account, at: IntegrationHarness.time(30))
        #expect(notModified.record.detail.hasPrefix("unchanged since the last poll (HTTP 304"))
        #expect(notModified.record.posts == 3)
        let observations = try store.unchangedObservations(of: account.key)
        #expect(observations.map(\.at) == [10, 20, 30].map { IntegrationHarness.time($0) })
        #expect(observations.map(\.status) == [200, 200, 304])
        #expect(try store.loadState(of: account.key)?.lastPoll?.at == IntegrationHarness.time(30))
        #expect(try harness.loggedEvents().isEmpty)
        await harness.close()
    }

    @Test func aCandidateWaitingMakesTheSameBodyCountAsAFreshMiss() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed")
        let poller = try harness.poller()
        harness.server.script("/feed", [DiskFullTests.feed(harness, ids: [3, 2, 1])])
        _ = try await poller.poll(account, at: IntegrationHarness.time(0))
        // Post 2 vanishes; its probe says nothing conclusive twice, then 404.
        let withoutTwo = DiskFullTests.feed(harness, ids: [3, 1])
        harness.server.script("/feed", [withoutTwo, withoutTwo, withoutTwo])
        harness.server.script(
            "/posts/2",
            [ReplayResponse(status: 503, body: Data("busy".utf8)), ReplayResponse(status: 503, body: Data("busy".utf8)),
                ReplayResponse(status: 404, body: Data("not found".utf8))])
        var kinds: [EventKind] = []
        for minutes in [10, 20, 30] {
            let report = try await poller.poll(account, at: IntegrationHarness.time(minutes))
            #expect(!report.record.detail.hasPrefix("unchanged"), "a candidate waits: \(report.record.detail)")
            kinds += report.events.map(\.event)
        }
        await harness.close()
        #expect(kinds == [.deleted], "the same body still probes the candidate until it is proved")
    }
}
