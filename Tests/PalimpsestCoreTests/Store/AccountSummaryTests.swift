import Foundation
import GRDB
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// `palimpsest run` reads every account's summary at start-up in one pass: it must say what
/// reading each whole state would say (last poll, an unchanged run after it included, blind span,
/// posts tracked, events logged), and an account whose state does not decode must be named
/// without hiding the others.
@Suite struct AccountSummaryTests {
    let watched = AccountKey(rawValue: "feed:https://example.org/feed.xml")
    let blind = AccountKey(rawValue: "mastodon:@user@mastodon.social")
    let broken = AccountKey(rawValue: "feed:https://example.org/broken.xml")

    private func tracked(_ id: String, _ status: TrackedPostStatus) -> TrackedPost {
        var tracked = TrackedPost(
            post: Post(id: id, url: "https://example.org/\(id)", postedAt: StoreTestSupport.date(-600), text: id),
            firstSeen: StoreTestSupport.date(0), lastSeen: StoreTestSupport.date(0), lastSeenSnapshot: "s")
        tracked.status = status
        return tracked
    }

    @Test func summariesSayWhatTheWholeStatesSay() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try StateStore(root: root)

        var first = AccountState(account: self.watched)
        let missing = MissingRecord(
            firstMissing: StoreTestSupport.date(60), firstMissingSnapshot: "m", missingPolls: 1,
            lastMissingSnapshot: "m")
        for (id, status) in [
            ("a", TrackedPostStatus.visible), ("b", .visible), ("c", .missing(missing)),
            ("d", .agedOut(since: StoreTestSupport.date(30))),
        ] {
            first.detection.posts[id] = self.tracked(id, status)
        }
        first.eventsLogged = 3
        first.lastPoll = PollRecord(at: StoreTestSupport.date(60), outcome: "complete", detail: "4 posts", posts: 4)
        try store.commitAndWait(StateCommit(account: self.watched, before: nil, state: first))
        // Two unchanged polls after the written state: the last one is the account's last poll.
        for minutes in [10.0, 20.0] {
            try store.commitAndWait(
                StateCommit(
                    account: self.watched, before: first, state: nil,
                    unchanged: UnchangedObservation(
                        at: StoreTestSupport.date(60 + minutes * 60), url: "https://example.org/feed.xml", status: 304,
                        bodySHA256: "ab")))
        }

        var second = AccountState(account: self.blind)
        second.detection.blindSpan = BlindSpan(
            from: StoreTestSupport.date(0), failedPolls: 2, failure: PollFailure(kind: .timeout, message: "timed out"))
        second.lastPoll = PollRecord(at: StoreTestSupport.date(120), outcome: "blind", detail: "timed out", posts: nil)
        try store.commitAndWait(StateCommit(account: self.blind, before: nil, state: second))
        try store.pool.write { db in
            try db.execute(
                sql: "INSERT INTO accounts (key, state, updated_at) VALUES (?, '{\"v\": 1', '2026-01-01T00:00:00Z')",
                arguments: [self.broken.rawValue])
        }

        let reopened = try StateStore(root: root)
        let (summaries, failures) = try reopened.accountSummaries()
        #expect(Set(summaries.keys) == [self.watched, self.blind])
        #expect(Array(failures.keys) == [self.broken])
        for key in [self.watched, self.blind] {
            let whole = try #require(try reopened.loadState(of: key))
            let summary = try #require(summaries[key])
            #expect(summary.lastPoll == whole.lastPoll, "\(key)")
            #expect(summary.blindSpan == whole.detection.blindSpan, "\(key)")
            #expect(summary.postsTracked == whole.detection.trackedPostCount, "\(key)")
            #expect(summary.eventsLogged == whole.eventsLogged, "\(key)")
            #expect(summary.moved == whole.moved, "\(key)")
        }
        #expect(summaries[self.watched]?.postsTracked == 3, "visible and missing posts count; aged-out ones do not")
        #expect(summaries[self.watched]?.lastPoll?.at == StoreTestSupport.date(60 + 1200))
        #expect(summaries[self.watched]?.lastPoll?.detail.hasPrefix("unchanged since the last poll (HTTP 304") == true)
        #expect(summaries[self.blind]?.blindSpan?.failedPolls == 2)
    }

    /// A state or run edited by hand with a value of another type (an integer where text was
    /// written, text where a number was) is named or left out; GRDB's converting subscripts read
    /// such values as something else (a summary with no post count) without a word.
    @Test(arguments: [
        ("UPDATE accounts SET state = json_set(state, '$.last_poll.posts', 'seven')", "last_poll"),
        ("UPDATE accounts SET state = json_set(state, '$.last_poll', 'yesterday')", "last_poll"),
        ("UPDATE accounts SET state = json_set(state, '$.poll_spans', json('{}'))", "poll_spans"),
        ("UPDATE accounts SET state = json_set(state, '$.last_poll.detail', 5)", "last_poll.detail"),
        ("UPDATE accounts SET state = json_set(state, '$.moved', 5)", "moved"),
        ("UPDATE accounts SET state = json_set(state, '$.detection.blind_span', 1.5)", "detection.blind_span"),
        ("UPDATE accounts SET state = json_set(state, '$.detection.last_complete', 'c')", "detection.last_complete"),
        (
            "UPDATE accounts SET state = json_set(state, '$.detection.last_complete.id', 5)",
            "detection.last_complete.id"
        ),
        (
            "UPDATE accounts SET state = json_remove(state, '$.detection.last_complete.polled_at')",
            "detection.last_complete.polled_at"
        ),
        (
            "UPDATE accounts SET state = json_set(state, '$.detection.last_complete.window.newest', 'today')",
            "detection.last_complete.window.newest"
        ),
        (
            "UPDATE accounts SET state = json_set(state, '$.detection.last_complete.window.post_count', 2.5)",
            "detection.last_complete.window.post_count"
        ),
        ("UPDATE accounts SET state = json_remove(state, '$.detection.blind_span.from')", "detection.blind_span.from"),
        ("UPDATE accounts SET state = json_set(state, '$.detection.blind_span.to', 5)", "detection.blind_span.to"),
        (
            "UPDATE accounts SET state = json_set(state, '$.detection.blind_span.failed_polls', 'two')",
            "detection.blind_span.failed_polls"
        ),
        (
            "UPDATE accounts SET state = json_set(state, '$.detection.blind_span.failure', 'x')",
            "detection.blind_span.failure"
        ),
        (
            "UPDATE accounts SET state = json_set(state, '$.detection.blind_span.failure.kind', 'meteor')",
            "detection.blind_span.failure.kind"
        ),
        (
            "UPDATE accounts SET state = json_remove(state, '$.detection.blind_span.failure.message')",
            "detection.blind_span.failure.message"
        ),
        (
            "UPDATE accounts SET state = json_set(state, '$.detection.blind_span.failure.http_status', '503')",
            "detection.blind_span.failure.http_status"
        ),
        (
            "UPDATE accounts SET state = json_set(state, '$.detection.blind_span.failure.retry_after', 'soon')",
            "detection.blind_span.failure.retry_after"
        ),
    ])
    func aStateEditedWithAValueOfAnotherTypeIsNamedNotACrash(_ edit: String, _ field: String) throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try StateStore(root: root)
        var state = AccountState(account: self.watched)
        state.lastPoll = PollRecord(at: StoreTestSupport.date(60), outcome: "complete", detail: "1 post", posts: 1)
        state.detection.lastComplete = SnapshotSummary(
            id: "c", polledAt: StoreTestSupport.date(60),
            window: TimelineWindow(newest: StoreTestSupport.date(0), floor: nil, postCount: 1, pinnedCount: 0))
        state.detection.blindSpan = BlindSpan(
            from: StoreTestSupport.date(30), failedPolls: 1,
            failure: PollFailure(
                kind: .httpStatus, message: "503", url: "https://example.org/feed.xml", httpStatus: 503))
        try store.commitAndWait(StateCommit(account: self.watched, before: nil, state: state))
        try store.commitAndWait(StateCommit(account: self.blind, before: nil, state: AccountState(account: self.blind)))
        #expect(try store.accountSummaries().summaries[self.watched]?.blindSpan == state.detection.blindSpan)
        try store.pool.write { db in try db.execute(sql: edit + " WHERE key = ?", arguments: [self.watched.rawValue]) }
        // As strict as the whole state's reading, which fails on it too.
        #expect(throws: StoreError.self) { try StateStore(root: root).loadState(of: self.watched) }

        let (summaries, failures) = try StateStore(root: root).accountSummaries()
        #expect(Set(summaries.keys) == [self.blind])
        let failure = try #require(failures[self.watched])
        #expect("\(failure)".contains("`\(field)` is missing or not of its type"), "\(failure)")
    }

    @Test func anUnchangedRunEditedWithValuesOfAnotherTypeIsLeftOutNotACrash() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try StateStore(root: root)
        var state = AccountState(account: self.watched)
        state.lastPoll = PollRecord(at: StoreTestSupport.date(60), outcome: "complete", detail: "1 post", posts: 1)
        try store.commitAndWait(StateCommit(account: self.watched, before: nil, state: state))
        for minutes in [10.0, 20.0] {
            try store.commitAndWait(
                StateCommit(
                    account: self.watched, before: state, state: nil,
                    unchanged: UnchangedObservation(
                        at: StoreTestSupport.date(60 + minutes * 60), url: "https://example.org/feed.xml", status: 304,
                        bodySHA256: "ab")))
        }
        #expect(try store.unchangedRuns(of: self.watched).count == 1)
        var tracking = state
        tracking.detection.posts["a"] = self.tracked("a", .visible)
        try store.commitAndWait(StateCommit(account: self.watched, before: state, state: tracking))
        try store.pool.write { db in
            // Column affinity turns 42 into '42' in a TEXT column: a BLOB and a word are kept as written.
            try db.execute(sql: "UPDATE unchanged_runs SET etag = x'01', status = 'three hundred four'")
            try db.execute(sql: "UPDATE tracked_posts SET account = x'07'")
        }
        let reopened = try StateStore(root: root)
        #expect(try reopened.unchangedRuns(of: self.watched).isEmpty)
        let (summaries, failures) = try reopened.accountSummaries()
        #expect(failures.isEmpty)
        // The run left out: the last poll is the one the state recorded.
        #expect(summaries[self.watched]?.lastPoll?.at == StoreTestSupport.date(60))
        let whole = try #require(try reopened.loadState(of: self.watched))
        #expect(whole.lastPoll?.at == StoreTestSupport.date(60))
    }
}
