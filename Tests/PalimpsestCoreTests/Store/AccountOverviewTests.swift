import Foundation
import GRDB
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// `palimpsest status` and the digest read every account at once (``StateStore/accountOverviews(pendingFindings:of:)``,
/// ``StateStore/archivedFirstSeenRanges()``): what they read must be what reading each account's
/// whole state and archive says, and an account whose state does not decode must be named without
/// hiding the others.
@Suite struct AccountOverviewTests {
    let quiet = AccountKey(rawValue: "feed:https://example.org/feed.xml")
    let pending = AccountKey(rawValue: "mastodon:@user@mastodon.social")
    let blind = AccountKey(rawValue: "feed:https://example.org/blind.xml")
    let broken = AccountKey(rawValue: "feed:https://example.org/broken.xml")

    private func tracked(_ id: String, _ status: TrackedPostStatus) -> TrackedPost {
        var tracked = TrackedPost(
            post: Post(id: id, url: "https://example.org/\(id)", postedAt: StoreTestSupport.date(-600), text: id),
            firstSeen: StoreTestSupport.date(0), lastSeen: StoreTestSupport.date(0), lastSeenSnapshot: "s")
        tracked.status = status
        return tracked
    }

    /// A store of several accounts: one with unchanged polls after its state, one with findings
    /// still being proved (a missing post, a deleted one listed again, a deleted one not), one
    /// blind, and one whose stored state does not decode.
    private func makeStore(at root: URL) throws -> StateStore {
        let store = try StateStore(root: root)
        var first = AccountState(account: self.quiet)
        first.detection.posts["a"] = self.tracked("a", .visible)
        first.lastPoll = PollRecord(at: StoreTestSupport.date(60), outcome: "complete", detail: "1 post", posts: 1)
        first.pollSpans = [PollSpan(from: StoreTestSupport.date(-3_600), to: StoreTestSupport.date(60))]
        first.eventsLogged = 2
        try store.commitAndWait(StateCommit(account: self.quiet, before: nil, state: first))
        for minutes in [10.0, 20.0] {
            try store.commitAndWait(
                StateCommit(
                    account: self.quiet, before: first, state: nil,
                    unchanged: UnchangedObservation(
                        at: StoreTestSupport.date(60 + minutes * 60), url: "https://example.org/feed.xml", status: 304,
                        bodySHA256: "ab")))
        }

        var second = AccountState(account: self.pending)
        let missing = MissingRecord(
            firstMissing: StoreTestSupport.date(60), firstMissingSnapshot: "m", missingPolls: 1,
            lastMissingSnapshot: "m")
        let restored = DeletionRecord(
            eventID: "e1", reason: .removed, confirmedBy: .absence, confirmedAt: StoreTestSupport.date(120),
            snapshot: "d", firstMissing: StoreTestSupport.date(60),
            restore: RestoreRecord(
                firstListed: StoreTestSupport.date(180), firstListedSnapshot: "r", listedPolls: 1,
                lastListedSnapshot: "r"))
        let gone = DeletionRecord(
            eventID: "e2", reason: .removed, confirmedBy: .probe, confirmedAt: StoreTestSupport.date(120),
            snapshot: "d", firstMissing: StoreTestSupport.date(60))
        for (id, status) in [
            ("v", TrackedPostStatus.visible), ("m", .missing(missing)), ("r", .deleted(restored)),
            ("g", .deleted(gone)), ("o", .agedOut(since: StoreTestSupport.date(30))),
        ] {
            second.detection.posts[id] = self.tracked(id, status)
        }
        second.lastPoll = PollRecord(at: StoreTestSupport.date(240), outcome: "complete", detail: "", posts: 3)
        // The last complete snapshot is the pending findings' clock.
        second.detection.lastComplete = SnapshotSummary(
            id: "c", polledAt: StoreTestSupport.date(240),
            window: TimelineWindow(newest: StoreTestSupport.date(200), floor: nil, postCount: 3, pinnedCount: 0))
        try store.commitAndWait(StateCommit(account: self.pending, before: nil, state: second))

        var third = AccountState(account: self.blind)
        third.detection.blindSpan = BlindSpan(
            from: StoreTestSupport.date(0), failedPolls: 2,
            failure: PollFailure(
                kind: .rateLimited, message: "too many requests", url: "https://example.org/blind.xml", httpStatus: 429,
                retryAfter: StoreTestSupport.date(900.5)))
        third.lastPoll = PollRecord(at: StoreTestSupport.date(120), outcome: "blind", detail: "timed out", posts: nil)
        third.detection.lastComplete = SnapshotSummary(
            id: "b", polledAt: StoreTestSupport.date(0.5),
            window: TimelineWindow(
                newest: StoreTestSupport.date(-10), floor: StoreTestSupport.date(-500.25), postCount: 2, pinnedCount: 1)
        )
        // Spans in their order, with a gap between them.
        third.pollSpans = [
            PollSpan(from: StoreTestSupport.date(-7_200), to: StoreTestSupport.date(-6_000)),
            PollSpan(from: StoreTestSupport.date(-600), to: StoreTestSupport.date(0.25)),
            PollSpan(from: StoreTestSupport.date(60), to: StoreTestSupport.date(120)),
        ]
        third.moved = TimelineMove(
            from: "https://example.org/blind.xml", to: "https://example.net/blind.xml", status: 301,
            noticedAt: StoreTestSupport.date(100))
        try store.commitAndWait(StateCommit(account: self.blind, before: nil, state: third))
        try store.pool.write { db in
            try db.execute(
                sql: "INSERT INTO accounts (key, state, updated_at) VALUES (?, '{\"v\": 1', '2026-01-01T00:00:00Z')",
                arguments: [self.broken.rawValue])
        }
        return store
    }

    /// The overview's count of watched posts and its pending findings are the whole state's.
    private func expectPostsAsInTheWholeState(_ overview: StateStore.AccountOverview, _ whole: AccountState, now: Date)
    {
        let settings = DetectionSettings()
        #expect(overview.postsTracked == whole.detection.trackedPostCount, "\(whole.account)")
        #expect(
            overview.state.detection.pendingFindings(settings: settings, now: now)
                == whole.detection.pendingFindings(settings: settings, now: now), "\(whole.account)")
    }

    /// In the store as written (the state's fields kept beside it, schema 7) and in one of
    /// schema 6 read as it is (`status` beside a daemon of the earlier release): the same answers.
    @Test(arguments: [false, true])
    func overviewsSayWhatEachWholeStateSays(ofSchema6: Bool) throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let written = try self.makeStore(at: root)
        if ofSchema6 { try StateStoreTests.rebuildAccountsAsSchema6(written) }
        let store = try #require(try StateStore.openReadOnly(root: root))
        let settings = DetectionSettings()
        let now = StoreTestSupport.date(3_600)

        let (overviews, failures) = try store.accountOverviews(pendingFindings: true)
        #expect(Set(overviews.keys) == [self.quiet, self.pending, self.blind])
        #expect(Array(failures.keys) == [self.broken])
        for key in [self.quiet, self.pending, self.blind] {
            let whole = try #require(try store.loadState(of: key))
            let overview = try #require(overviews[key])
            let state = overview.state
            #expect(state.account == whole.account, "\(key)")
            #expect(state.lastPoll == whole.lastPoll, "unchanged runs applied: \(key)")
            #expect(state.pollSpans == whole.pollSpans, "\(key)")
            #expect(state.eventsLogged == whole.eventsLogged, "\(key)")
            #expect(state.moved == whole.moved, "\(key)")
            #expect(state.detection.blindSpan == whole.detection.blindSpan, "\(key)")
            #expect(state.detection.lastComplete == whole.detection.lastComplete, "\(key)")
            self.expectPostsAsInTheWholeState(overview, whole, now: now)
        }
        #expect(overviews[self.pending]?.postsTracked == 2, "visible and missing posts count")
        #expect(overviews[self.pending].map { Set($0.state.detection.posts.keys) } == ["m", "r"])
        #expect(overviews[self.pending]?.state.detection.pendingFindings(settings: settings, now: now).count == 2)
        #expect(overviews[self.quiet]?.state.lastPoll?.at == StoreTestSupport.date(60 + 1_200))
        #expect(overviews[self.quiet]?.state.pollSpans?.last?.to == StoreTestSupport.date(60 + 1_200))
        #expect(overviews[self.blind]?.state.pollSpans?.count == 3)
        #expect(overviews[self.pending]?.state.pollSpans == nil, "a state without poll spans has none")

        let withoutPosts = try store.accountOverviews(pendingFindings: false).overviews
        for key in [self.quiet, self.pending, self.blind] {
            let bare = try #require(try store.loadStateWithoutPosts(of: key))
            #expect(withoutPosts[key]?.state.lastPoll == bare.lastPoll, "\(key)")
            #expect(withoutPosts[key]?.state.pollSpans == bare.pollSpans, "\(key)")
            #expect(withoutPosts[key]?.state.detection.posts.isEmpty == true, "\(key)")
        }
    }

    /// Schema 7 keeps the fields `status`, the digest and `run`'s start read beside each state, as
    /// columns SQLite computes from it whenever it is written: a store of schema 6 upgraded reads
    /// the same overviews and summaries as before, each kept field is what its expression says of
    /// the state, a state written after the upgrade shows its new fields, and a state that is not
    /// JSON is still named, hiding no other account.
    @Test func theFieldsKeptBesideEachStateSayWhatTheStateSays() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        try StateStoreTests.rebuildAccountsAsSchema6(try self.makeStore(at: root))
        let old = try #require(try StateStore.openReadOnly(root: root))
        let (before, beforeFailures) = try old.accountOverviews(pendingFindings: true)
        let summaries = try old.accountSummaries()
        #expect(Set(before.keys) == [self.quiet, self.pending, self.blind])
        #expect(Array(beforeFailures.keys) == [self.broken])

        let store = try StateStore(root: root)
        #expect(store.upgradedFromVersion == 6)
        let (after, afterFailures) = try store.accountOverviews(pendingFindings: true)
        #expect(after == before)
        #expect(Array(afterFailures.keys) == [self.broken])
        #expect(try store.accountSummaries().summaries == summaries.summaries)
        #expect(Array(try store.accountSummaries().failures.keys) == [self.broken])
        let fields = StateStore.StoredStateFields.fields + [StateStore.StoredStateFields.pollSpans]
        let differing = try store.read { db in
            try fields.map { field in
                let count =
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT count(*) FROM accounts WHERE state_is_json IS NOT json_valid(state)
                            OR \(field.column) IS NOT (CASE WHEN json_valid(state) THEN \(field.expression) END)
                            """) ?? -1
                return "\(field.column): \(count)"
            }
        }
        #expect(differing.allSatisfy { $0.hasSuffix(": 0") }, "\(differing)")
        let kept = try store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM accounts WHERE state_last_poll_at IS NOT NULL") ?? 0
        }
        #expect(kept == 3, "the three JSON states have a last poll")

        var state = try #require(try store.loadState(of: self.blind))
        let previous = state
        state.lastPoll = PollRecord(at: StoreTestSupport.date(900), outcome: "complete", detail: "2 posts", posts: 2)
        state.detection.blindSpan = nil
        state.eventsLogged = 7
        state.pollSpans = [PollSpan(from: StoreTestSupport.date(600), to: StoreTestSupport.date(900))]
        try store.commitAndWait(StateCommit(account: self.blind, before: previous, state: state))
        let reader = try #require(try StateStore.openReadOnly(root: root))
        let overview = try #require(try reader.accountOverviews(pendingFindings: false).overviews[self.blind])
        #expect(overview.state.lastPoll == state.lastPoll)
        #expect(overview.state.detection.blindSpan == nil)
        #expect(overview.state.eventsLogged == 7)
        #expect(overview.state.pollSpans == state.pollSpans)
        #expect(try reader.accountSummaries().summaries[self.blind]?.lastPoll == state.lastPoll)
    }

    /// A store keeps the column definitions its upgrade to schema 7 wrote (``StateStore/schemaV7``):
    /// the fields read from those columns must be what the code computes from the JSON of a store
    /// of an earlier schema. A field changed or added in the code without a new schema version
    /// fails here.
    @Test func theColumnsAStoreKeepsAreTheFieldsTheCodeReads() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try StateStore(root: root)
        let sql = try store.read { db in
            try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE name = 'accounts'") ?? ""
        }
        func normalized(_ text: String) -> String {
            text.split(whereSeparator: \.isWhitespace).joined(separator: " ").replacingOccurrences(of: "( ", with: "(")
        }
        let table = normalized(sql)
        let fields = StateStore.StoredStateFields.self
        for field in fields.fields + [fields.pollSpans] {
            #expect(table.contains(normalized(fields.generatedColumnSQL(field))), "\(field.column)")
        }
        #expect(table.contains("\(fields.isJSON.column) GENERATED ALWAYS AS (\(fields.isJSON.expression)) STORED"))
        #expect(table.components(separatedBy: "GENERATED ALWAYS").count - 1 == fields.fields.count + 2, "\(table)")
    }

    /// Rows edited by hand into bytes that are not text (`sqlite3`: `SET post_id = x'ff'`) are
    /// named or left out: GRDB's converting subscripts stopped `status` and the digest there.
    @Test func rowsEditedIntoBytesThatAreNotTextAreNamedOrLeftOutNotACrash() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try self.makeStore(at: root)
        let post = Post(id: "p", url: "https://example.org/p", postedAt: StoreTestSupport.date(-60), text: "p")
        var state = try #require(try store.loadState(of: self.quiet))
        try store.commitAndWait(
            StateCommit(
                account: self.quiet, before: state, state: state,
                snapshot: Observation(
                    account: self.quiet, polledAt: StoreTestSupport.date(0), posts: [post], evidence: [])))
        state = try #require(try store.loadState(of: self.quiet))
        try store.pool.write { db in
            try db.execute(
                sql: "UPDATE tracked_posts SET post_id = x'ff' WHERE account = ? AND post_id = 'm'",
                arguments: [self.pending.rawValue])
            try db.execute(sql: "UPDATE accounts SET key = x'ff' WHERE key = ?", arguments: [self.blind.rawValue])
            try db.execute(sql: "UPDATE unchanged_runs SET account = x'fe'")
            try db.execute(sql: "UPDATE archive SET first_seen = x'fd'")
        }
        let reader = try #require(try StateStore.openReadOnly(root: root))
        let (overviews, failures) = try reader.accountOverviews(pendingFindings: true)
        #expect(Set(overviews.keys) == [self.quiet], "the account whose key is not text is no account")
        #expect(Set(failures.keys) == [self.pending, self.broken])
        #expect(failures[self.pending].map { "\($0)".contains("not text") } == true)
        // Its run of unchanged polls no longer names it: the state's own last poll.
        #expect(overviews[self.quiet]?.state.lastPoll == state.lastPoll)
        #expect(try reader.archivedFirstSeenRanges().isEmpty)
        #expect(try reader.accountKeys().count == 3)
    }

    /// The pending posts and the watched counts are read through the index of tracked posts by
    /// status (a seek per account) or, in a store without it (schema 3), by a scan: both say what
    /// the whole states say, and a tracked post edited into text that is not JSON names its
    /// account and hides no other (`json_extract` over it failed the whole read before).
    @Test(arguments: [true, false])
    func aTrackedPostThatIsNotJSONNamesItsAccountOnly(withStatusIndex: Bool) throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try self.makeStore(at: root)
        let now = StoreTestSupport.date(3_600)
        let whole = try [self.pending, self.blind].map { try #require(try store.loadState(of: $0)) }
        try store.pool.write { db in
            if !withStatusIndex { try db.execute(sql: "DROP INDEX tracked_posts_by_state") }
            try db.execute(
                sql: """
                    UPDATE tracked_posts SET tracking = '{"first_seen": ' WHERE account = ? AND post_id = 'a'
                    """,
                arguments: [self.quiet.rawValue])
        }
        let reader = try #require(try StateStore.openReadOnly(root: root))
        let (overviews, failures) = try reader.accountOverviews(pendingFindings: true)
        #expect(Set(failures.keys) == [self.quiet, self.broken])
        #expect(failures[self.quiet].map { "\($0)".contains("tracked post a") } == true)
        #expect(Set(overviews.keys) == [self.pending, self.blind])
        for state in whole {
            self.expectPostsAsInTheWholeState(try #require(overviews[state.account]), state, now: now)
        }
        #expect(overviews[self.pending]?.postsTracked == 2, "visible and missing posts count")
        #expect(overviews[self.pending].map { Set($0.state.detection.posts.keys) } == ["m", "r"])
        #expect(try reader.accountSummaries().summaries[self.pending]?.postsTracked == 2)
    }

    @Test func archiveRangesAreTheEarliestAndLatestVersionsSeenComparedAsTimes() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try StateStore(root: root)
        // Half a second apart within one second: as text `…:40.500Z` sorts before `…:40Z`.
        for (index, offset) in [0.5, 0.0, 0.25].enumerated() {
            let post = Post(
                id: "p", url: "https://example.org/p", postedAt: StoreTestSupport.date(-60), text: "version \(index)")
            let observation = Observation(
                account: self.quiet, polledAt: StoreTestSupport.date(offset), posts: [post], evidence: [])
            var state = AccountState(account: self.quiet)
            state.lastPoll = PollRecord(at: StoreTestSupport.date(offset), outcome: "complete", detail: "", posts: 1)
            try store.commitAndWait(
                StateCommit(account: self.quiet, before: nil, state: state, snapshot: observation))
        }
        var empty = AccountState(account: self.blind)
        empty.lastPoll = PollRecord(at: StoreTestSupport.date(0), outcome: "blind", detail: "", posts: nil)
        try store.commitAndWait(StateCommit(account: self.blind, before: nil, state: empty))

        let together = try store.archivedVersions(of: [self.quiet, self.blind, self.broken])
        #expect(
            together.versions[self.quiet] == (try store.archivedVersions(of: self.quiet)), "as read account by account")
        #expect(
            together.versions[self.blind] == nil && together.versions[self.broken] == nil,
            "accounts without versions left out")
        #expect(together.failures.isEmpty)

        let ranges = try store.archivedFirstSeenRanges()
        let seen = try store.archivedVersions(of: self.quiet).map(\.firstSeen)
        #expect(seen.count == 3)
        #expect(ranges[self.quiet] == seen.min()!...seen.max()!)
        #expect(ranges[self.quiet] == StoreTestSupport.date(0)...StoreTestSupport.date(0.5))
        #expect(ranges[self.blind] == nil, "an account without archived versions has no range")
    }

    @Test func coverageFromTheArchiveRangeIsCoverageFromEveryVersion() throws {
        let week = DateInterval(start: StoreTestSupport.date(-86_400), duration: 7 * 86_400)
        let versions = [3_600.0, 600, 7_200].map { offset in
            ArchivedPostVersion(
                v: 1, postID: "p\(offset)", version: "h\(offset)", firstSeen: StoreTestSupport.date(offset),
                snapshot: "s",
                post: Post(id: "p\(offset)", url: "https://example.org/p", postedAt: nil, text: "t"))
        }
        let whole = DigestAccountHistory(versions: versions, lastPollAt: StoreTestSupport.date(8_000))
        var ranged = DigestAccountHistory(lastPollAt: StoreTestSupport.date(8_000))
        ranged.archivedFirstSeen = StoreTestSupport.date(600)...StoreTestSupport.date(7_200)
        let expectedEnd = week.end
        #expect(
            DigestBuilder.coverage(events: [], history: ranged, week: week, expectedEnd: expectedEnd)
                == DigestBuilder.coverage(events: [], history: whole, week: week, expectedEnd: expectedEnd))
        #expect(
            DigestBuilder.coverage(events: [], history: ranged, week: week, expectedEnd: expectedEnd).watchedFrom
                == StoreTestSupport.date(600))
    }
}
