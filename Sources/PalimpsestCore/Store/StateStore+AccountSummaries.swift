import Foundation
import GRDB

extension StateStore {
    /// What the daemon shows of an account before its first poll after a start (`status.json`,
    /// systemd's `STATUS=`) and when that poll is due: read from the stored state without its
    /// tracked posts.
    public struct AccountSummary: Sendable, Hashable {
        /// The account's last poll, an unchanged poll after the last written state included.
        public var lastPoll: PollRecord?
        /// The blind span still open, if any.
        public var blindSpan: BlindSpan?
        /// Posts the detector watches: visible or missing (``DetectionState``'s tracked posts
        /// that are neither deleted nor aged out).
        public var postsTracked: Int
        /// Events logged for the account so far.
        public var eventsLogged: Int
        /// The permanent move of its timeline to another host, if any.
        public var moved: TimelineMove?
    }

    /// The summary of every account the store holds, in three queries rather than one state
    /// read per account: `palimpsest run` reads them before `READY=1`, and with 100,000 accounts
    /// reading each whole state (its tracked posts decoded one by one) took minutes.
    ///
    /// - Returns: one summary per stored account, and one error per account whose stored state
    ///   does not decode (the caller names the account; its state is left as it is).
    /// - Throws: ``StoreError`` when the database cannot be read.
    public func accountSummaries() throws -> (
        summaries: [AccountKey: AccountSummary], failures: [AccountKey: StoreError]
    ) {
        let path = self.databaseURL.path
        return try self.read { db in
            var summaries: [AccountKey: AccountSummary] = [:]
            var failures: [AccountKey: StoreError] = [:]
            let decoder = JSONCoding.decoder()
            let states = try Row.fetchCursor(db, sql: "SELECT key, state FROM accounts")
            while let row = try states.next() {
                let key = AccountKey(rawValue: row["key"])
                let text: String = row["state"]
                do {
                    let stored = try decoder.decode(StoredSummary.self, from: Data(text.utf8))
                    summaries[key] = AccountSummary(
                        lastPoll: stored.lastPoll, blindSpan: stored.detection.blindSpan, postsTracked: 0,
                        eventsLogged: stored.eventsLogged, moved: stored.moved)
                } catch {
                    failures[key] = StoreError.corrupt(
                        path, detail: "the state of account \(key) does not decode: \(error)",
                        advice:
                            "report this; `sqlite3 \(path) \"DELETE FROM accounts WHERE key = '…'\"` starts the account afresh"
                    )
                }
            }
            // The newest run of unchanged polls of each account (SQLite takes the other columns of
            // a MAX() aggregate from the row that holds the maximum).
            let runs = try Row.fetchCursor(
                db, sql: "SELECT account, MAX(since) AS since, until, status FROM unchanged_runs GROUP BY account")
            while let row = try runs.next() {
                let key = AccountKey(rawValue: row["account"])
                let until: String = row["until"]
                guard var summary = summaries[key], let at = RFC3339.date(from: until),
                    at > (summary.lastPoll?.at ?? .distantPast)
                else { continue }
                summary.lastPoll = PollRecord.unchanged(at: at, status: row["status"], after: summary.lastPoll)
                summaries[key] = summary
            }
            for (key, count) in try Self.watchedPostCounts(db) { summaries[key]?.postsTracked = count }
            return (summaries, failures)
        }
    }

    /// Per account, how many tracked posts are still watched (`visible` or `missing`), in one query.
    static func watchedPostCounts(_ db: Database) throws -> [AccountKey: Int] {
        var counts: [AccountKey: Int] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT account, COUNT(*) AS watched FROM tracked_posts
                WHERE json_extract(post, '$.status.state') IN ('visible', 'missing') GROUP BY account
                """)
        while let row = try rows.next() { counts[AccountKey(rawValue: row["account"])] = row["watched"] }
        return counts
    }

    /// The parts of a stored ``AccountState`` a summary needs (decoding only them skips the
    /// validators, snapshots' summaries and poll spans).
    private struct StoredSummary: Decodable {
        struct Detection: Decodable {
            var blindSpan: BlindSpan?
            enum CodingKeys: String, CodingKey { case blindSpan = "blind_span" }
        }

        var lastPoll: PollRecord?
        var eventsLogged: Int
        var moved: TimelineMove?
        var detection: Detection

        enum CodingKeys: String, CodingKey {
            case moved, detection
            case lastPoll = "last_poll"
            case eventsLogged = "events_logged"
        }
    }
}
