import Foundation
import GRDB
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// An unchanged timeline answer ends a quiet account's poll: no snapshot, no evidence written,
/// one observation row; an account with a candidate waiting takes the full path.
@Suite struct UnchangedPollTests {
    static func warcBytes(_ harness: IntegrationHarness) -> Int {
        let folder = harness.root.appendingPathComponent("state/warc")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.reduce(0) { total, name in
            total
                + ((try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size]
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
        // One run of three unchanged polls, one row updated in place (written in a later batch;
        // `poll` and the daemon flush them before they exit).
        _ = poller.stateStore.saveUnsavedStates()
        let runs = try store.unchangedRuns(of: account.key)
        #expect(runs.map(\.since) == [IntegrationHarness.time(10)])
        #expect(runs.map(\.until) == [IntegrationHarness.time(30)])
        #expect(runs.map(\.polls) == [3])
        #expect(runs.map(\.status) == [304])
        #expect(try store.loadState(of: account.key)?.lastPoll?.at == IntegrationHarness.time(30))
        #expect(try harness.loggedEvents().isEmpty)
        await harness.close()
    }

    /// The account's row (state, updated_at) and its tracked posts as stored.
    static func storedRows(_ store: StateStore, _ account: Account) throws -> [String] {
        try store.read { db in
            try String.fetchAll(
                db, sql: "SELECT state || updated_at FROM accounts WHERE key = ?", arguments: [account.key.rawValue])
                + String.fetchAll(
                    db,
                    sql: """
                        SELECT post_id || content_sha256 || tracking FROM tracked_posts
                        WHERE account = ? ORDER BY post_id
                        """,
                    arguments: [account.key.rawValue])
        }
    }

    @Test func anUnchangedPollRewritesNeitherTheAccountStateNorItsTrackedPosts() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed")
        let poller = try harness.poller()
        harness.server.script("/feed", [DiskFullTests.feed(harness, ids: [3, 2, 1])])
        let first = try await poller.poll(account, at: IntegrationHarness.time(0))
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        let rows = try Self.storedRows(store, account)
        let parsed = try #require(try store.loadState(of: account.key))

        for minutes in [10, 20, 30] {
            let report = try await poller.poll(account, at: IntegrationHarness.time(minutes))
            #expect(report.record.detail.hasPrefix("unchanged since the last poll (HTTP 200"))
        }
        _ = poller.stateStore.saveUnsavedStates()
        #expect(try Self.storedRows(store, account) == rows, "the state and tracked posts were not written again")
        // What the state says after the unchanged polls: the last poll, read with the run.
        let state = try #require(try store.loadState(of: account.key))
        #expect(state.lastPoll?.at == IntegrationHarness.time(30))
        #expect(state.lastPoll?.outcome == "complete")
        #expect(state.lastPoll?.posts == 3)
        #expect(
            state.lastPoll?.detail
                == "unchanged since the last poll (HTTP 200, not parsed); as then: \(first.record.detail)")
        var expected = parsed
        expected.lastPoll = state.lastPoll
        expected.pollSpans = [PollSpan(from: IntegrationHarness.time(0), to: IntegrationHarness.time(30))]
        #expect(state == expected, "nothing else differs from the parsed poll's state but the watched span")
        await harness.close()
    }

    @Test func unchangedPollsAreWatchedTimeAndAnUnchangedPollAfterAGapStartsANewSpan() async throws {
        // Interval 10 min, default jitter 10 %: polls up to 22 min apart are watched without a gap.
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed")
        let poller = try harness.poller()
        harness.server.script("/feed", [DiskFullTests.feed(harness, ids: [3, 2, 1])])
        _ = try await poller.poll(account, at: IntegrationHarness.time(0))
        for minutes in [10, 20, 30] { _ = try await poller.poll(account, at: IntegrationHarness.time(minutes)) }
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        _ = poller.stateStore.saveUnsavedStates()
        #expect(
            try store.loadState(of: account.key)?.pollSpans == [
                PollSpan(from: IntegrationHarness.time(0), to: IntegrationHarness.time(30))
            ], "unchanged polls count as watched time")
        // The daemon was down for a day; the answer is still the same. The day is not watched.
        for minutes in [1_470, 1_480, 1_490] {
            let report = try await poller.poll(account, at: IntegrationHarness.time(minutes))
            #expect(report.record.detail.hasPrefix("unchanged since the last poll"), "\(report.record.detail)")
        }
        _ = poller.stateStore.saveUnsavedStates()
        let state = try #require(try store.loadState(of: account.key))
        #expect(
            state.pollSpans == [
                PollSpan(from: IntegrationHarness.time(0), to: IntegrationHarness.time(30)),
                PollSpan(from: IntegrationHarness.time(1_470), to: IntegrationHarness.time(1_490)),
            ])
        #expect(state.lastPoll?.at == IntegrationHarness.time(1_490))
        await harness.close()
    }

    /// Overwrites the stored tracked post `id` of `account` with bytes that do not decode.
    static func damageTrackedPost(_ store: StateStore, _ account: Account, id: String) throws {
        try store.pool.writeWithoutTransaction { db in
            try db.execute(
                sql: "UPDATE tracked_posts SET tracking = '{' WHERE account = ? AND post_id = ?",
                arguments: [account.key.rawValue, id])
        }
    }

    @Test func aQuietAccountsUnchangedPollReadsNoTrackedPostButAChangedAnswerReadsThem() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed")
        let poller = try harness.poller()
        harness.server.script("/feed", [DiskFullTests.feed(harness, ids: [3, 2, 1])])
        _ = try await poller.poll(account, at: IntegrationHarness.time(0))
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        // Only a poll that reads the tracked posts can notice the damage.
        try Self.damageTrackedPost(store, account, id: harness.server.url("/posts/2").absoluteString)
        let unchanged = try await poller.poll(account, at: IntegrationHarness.time(10))
        #expect(unchanged.record.detail.hasPrefix("unchanged since the last poll"), "\(unchanged.record.detail)")
        harness.server.script("/feed", [DiskFullTests.feed(harness, ids: [4, 3, 2, 1])])
        await #expect(throws: StoreError.self) { try await poller.poll(account, at: IntegrationHarness.time(20)) }
        await harness.close()
    }

    @Test func anUnchangedAnswerWithNewValidatorsIsKeptAndSentNextTime() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed")
        let poller = try harness.poller()
        var first = DiskFullTests.feed(harness, ids: [3, 2, 1])
        first.headers.add(name: "ETag", value: "\"v1\"")
        var renamed = first
        renamed.headers = IntegrationHarness.rss
        renamed.headers.add(name: "ETag", value: "\"v2\"")
        renamed.headers.add(name: "Last-Modified", value: "Sat, 01 Aug 2026 13:30:00 GMT")
        harness.server.script("/feed", [first])
        _ = try await poller.poll(account, at: IntegrationHarness.time(0))
        // The same body under a new ETag and a Last-Modified: unchanged, the new validators kept.
        harness.server.script("/feed", [renamed])
        let same = try await poller.poll(account, at: IntegrationHarness.time(10))
        #expect(same.record.detail.hasPrefix("unchanged since the last poll (HTTP 200"), "\(same.record.detail)")
        _ = poller.stateStore.saveUnsavedStates()
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        let validators = try #require(
            try store.loadState(of: account.key)?.validators[harness.server.url("/feed").absoluteString])
        #expect(validators.etag == "\"v2\"")
        #expect(validators.lastModified == HTTPDate.parse("Sat, 01 Aug 2026 13:30:00 GMT"))
        // The next request asks with them, and the server's 304 ends the poll.
        let notModified = try await poller.poll(account, at: IntegrationHarness.time(20))
        #expect(notModified.record.detail.hasPrefix("unchanged since the last poll (HTTP 304"))
        let last = try #require(harness.server.requests().last { $0.path == "/feed" })
        #expect(last.headers["If-None-Match"] == "\"v2\"")
        #expect(last.headers["If-Modified-Since"] == "Sat, 01 Aug 2026 13:30:00 GMT")
        // A 304 without validators keeps the ones it confirmed.
        _ = poller.stateStore.saveUnsavedStates()
        #expect(
            try store.loadState(of: account.key)?.validators[harness.server.url("/feed").absoluteString]?.etag
                == "\"v2\"")
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
            [
                ReplayResponse(status: 503, body: Data("busy".utf8)),
                ReplayResponse(status: 503, body: Data("busy".utf8)),
                ReplayResponse(status: 404, body: Data("not found".utf8)),
            ])
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
