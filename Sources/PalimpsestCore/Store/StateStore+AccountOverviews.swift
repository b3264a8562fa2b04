public import Foundation
import GRDB

extension StateStore {
    /// One stored account as `palimpsest status` and the digest read it: what reading its whole
    /// state says of its polls, its blind span and the findings still being proved, read for every
    /// account at once by ``accountOverviews(pendingFindings:)``.
    public struct AccountOverview: Sendable, Hashable {
        /// The parts of the stored state that `status` and the digest read, with its newest run
        /// of unchanged polls applied (as ``StateStore/loadState(of:)`` applies it): the last
        /// poll, the poll spans, the events logged, the move, and the detector's last complete
        /// snapshot and blind span; in `detection.posts` only the tracked posts whose findings
        /// are still being proved: missing posts, and deleted posts with a restore candidate
        /// (none unless asked for). What ``DetectionState/pendingFindings(settings:now:)`` reads
        /// is all there. Every other field is as in a new state (decoding them took most of the
        /// time of reading 100,000 states).
        public var state: AccountState
        /// Posts the detector tracks, visible or missing (all of them, not only those in
        /// ``state``); 0 unless the pending findings were asked for.
        public var postsTracked: Int
    }

    /// The overview of every account the store holds, in a few queries over whole tables rather
    /// than a state read per account: with 100,000 accounts `status` and the digest spent most of
    /// their time in those reads.
    ///
    /// - Parameter pendingFindings: Also read the tracked posts that are findings still being
    ///   proved, and count the posts tracked (`status`); the digest needs neither.
    /// - Returns: one overview per stored account, and one error per account whose stored state
    ///   (or one of its tracked posts read) does not decode; such an account has no overview.
    /// - Throws: ``StoreError`` when the database cannot be read.
    public func accountOverviews(pendingFindings: Bool) throws -> (
        overviews: [AccountKey: AccountOverview], failures: [AccountKey: StoreError]
    ) {
        let path = self.databaseURL.path
        return try self.read { db in
            var overviews: [AccountKey: AccountOverview] = [:]
            var failures: [AccountKey: StoreError] = [:]
            let decoder = JSONCoding.decoder()
            let states = try Row.fetchCursor(db, sql: "SELECT key, state FROM accounts")
            while let row = try states.next() {
                let key = AccountKey(rawValue: row["key"])
                let text: String = row["state"]
                do {
                    let stored = try decoder.decode(StoredOverview.self, from: Data(text.utf8))
                    var state = AccountState(account: key)
                    state.lastPoll = stored.lastPoll
                    state.pollSpans = stored.pollSpans
                    state.eventsLogged = stored.eventsLogged
                    state.moved = stored.moved
                    state.detection.lastComplete = stored.detection.lastComplete
                    state.detection.blindSpan = stored.detection.blindSpan
                    overviews[key] = AccountOverview(state: state, postsTracked: 0)
                } catch {
                    failures[key] = StoreError.corrupt(
                        path, detail: "the state of account \(key) does not decode: \(error)",
                        advice:
                            "report this; `sqlite3 \(path) \"DELETE FROM accounts WHERE key = '…'\"` starts the account afresh"
                    )
                }
            }
            if pendingFindings {
                let counts = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT account, COUNT(*) AS watched FROM tracked_posts
                        WHERE json_extract(post, '$.status.state') IN ('visible', 'missing') GROUP BY account
                        """)
                while let row = try counts.next() {
                    overviews[AccountKey(rawValue: row["account"])]?.postsTracked = row["watched"]
                }
                let pending = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT account, post_id, post FROM tracked_posts
                        WHERE json_extract(post, '$.status.state') = 'missing'
                        OR (json_extract(post, '$.status.state') = 'deleted'
                            AND json_extract(post, '$.status.deleted.restore') IS NOT NULL)
                        """)
                while let row = try pending.next() {
                    let key = AccountKey(rawValue: row["account"])
                    guard overviews[key] != nil else { continue }
                    let id: String = row["post_id"]
                    let json: String = row["post"]
                    do {
                        overviews[key]?.state.detection.posts[id] = try decoder.decode(
                            TrackedPost.self, from: Data(json.utf8))
                    } catch {
                        // As a whole state read: one post that does not decode fails the account.
                        overviews[key] = nil
                        failures[key] = StoreError.corrupt(
                            path, detail: "tracked post \(id) of account \(key) does not decode: \(error)",
                            advice: "report this; the row was written by palimpsest in one transaction")
                    }
                }
            }
            // The newest run of unchanged polls of each account, as `latestRun` picks it (SQLite
            // takes the other columns of a MAX() aggregate from the row that holds the maximum).
            let runs = try Row.fetchCursor(
                db,
                sql: """
                    SELECT account, MAX(since) AS since, until, polls, url, status, body_sha256, etag, last_modified
                    FROM unchanged_runs GROUP BY account
                    """)
            while let row = try runs.next() {
                let key = AccountKey(rawValue: row["account"])
                guard let overview = overviews[key], let run = Self.unchangedRun(row) else { continue }
                overviews[key]?.state = run.applied(to: overview.state)
            }
            return (overviews, failures)
        }
    }

    /// The parts of a stored ``AccountState`` an overview holds.
    private struct StoredOverview: Decodable {
        struct Detection: Decodable {
            var lastComplete: SnapshotSummary?
            var blindSpan: BlindSpan?
            enum CodingKeys: String, CodingKey {
                case lastComplete = "last_complete"
                case blindSpan = "blind_span"
            }
        }

        var lastPoll: PollRecord?
        var pollSpans: [PollSpan]?
        var eventsLogged: Int
        var moved: TimelineMove?
        var detection: Detection

        enum CodingKeys: String, CodingKey {
            case moved, detection
            case lastPoll = "last_poll"
            case pollSpans = "poll_spans"
            case eventsLogged = "events_logged"
        }
    }

    /// The earliest and the latest `first_seen` (UTC) of the archived versions of each account
    /// that has any, in two queries over the archive instead of every version decoded: what the
    /// digest's coverage of an account without events needs of its archive.
    /// - Throws: ``StoreError`` when the database cannot be read.
    public func archivedFirstSeenRanges() throws -> [AccountKey: ClosedRange<Date>] {
        try self.read { db in
            // Compared as times, not as text: `…:40Z` sorts after `…:40.5Z`.
            var earliest: [AccountKey: Date] = [:]
            var ranges: [AccountKey: ClosedRange<Date>] = [:]
            let first = try Row.fetchCursor(
                db,
                sql: """
                    SELECT account, first_seen, MIN(julianday(first_seen)) FROM archive
                    WHERE julianday(first_seen) IS NOT NULL GROUP BY account
                    """)
            while let row = try first.next() {
                guard let date = RFC3339.date(from: row["first_seen"] as String) else { continue }
                earliest[AccountKey(rawValue: row["account"])] = date
            }
            let last = try Row.fetchCursor(
                db,
                sql: """
                    SELECT account, first_seen, MAX(julianday(first_seen)) FROM archive
                    WHERE julianday(first_seen) IS NOT NULL GROUP BY account
                    """)
            while let row = try last.next() {
                let key = AccountKey(rawValue: row["account"])
                guard let date = RFC3339.date(from: row["first_seen"] as String), let from = earliest[key] else {
                    continue
                }
                ranges[key] = min(from, date)...max(from, date)
            }
            return ranges
        }
    }
}
