public import Foundation
import GRDB

extension StateStore {
    /// One stored account as `palimpsest status` and the digest read it: what reading its whole
    /// state says of its polls, its blind span and the findings still being proved, read for every
    /// account at once by ``accountOverviews(pendingFindings:of:)``.
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
        /// Events the state keeps that the deletion log has not taken yet (its `pending_events`,
        /// not decoded into ``state``): more than 0 while the log refuses appends.
        public var eventsWaiting: Int = 0
    }

    /// The overview of every account the store holds, in a few queries over whole tables rather
    /// than a state read per account: with 100,000 accounts `status` and the digest spent most of
    /// their time in those reads. Committed states only (as a read-only store has them): a state
    /// a failed commit keeps in memory is not seen.
    ///
    /// - Parameters:
    ///   - pendingFindings: Also read the tracked posts that are findings still being proved, and
    ///     count the posts tracked (`status`); the digest needs neither.
    ///   - accounts: Only these accounts (`status --account`); `nil` for every stored account.
    /// - Returns: one overview per stored account, and one error per account whose stored state
    ///   (or one of its tracked posts read) does not decode; such an account has no overview.
    /// - Throws: ``StoreError`` when the database cannot be read.
    public func accountOverviews(pendingFindings: Bool, of accounts: Set<AccountKey>? = nil) throws -> (
        overviews: [AccountKey: AccountOverview], failures: [AccountKey: StoreError]
    ) {
        let path = self.databaseURL.path
        // The accounts as one JSON array bound to `key IN (SELECT value FROM json_each(?))`: a
        // seek per account instead of every state read.
        var only = ""
        var arguments = StatementArguments()
        if let accounts {
            only = Self.onlyNamedAccounts(column: "key")
            arguments = [String(decoding: try JSONEncoder().encode(accounts.map(\.rawValue).sorted()), as: UTF8.self)]
        }
        return try self.read { db in
            var overviews: [AccountKey: AccountOverview] = [:]
            // Sized once: growing it step by step rehashed 100,000 overviews several times.
            overviews.reserveCapacity(
                try Int.fetchOne(db, sql: "SELECT count(*) FROM accounts WHERE 1\(only)", arguments: arguments) ?? 0)
            var failures: [AccountKey: StoreError] = [:]
            let decoder = JSONCoding.decoder()
            func corrupt(_ key: AccountKey, _ detail: String) {
                failures[key] = Self.undecodableState(key.rawValue, detail, path: path)
            }
            let stored = try self.storesStateFields(db)
            let isJSON = StoredStateFields.sql(StoredStateFields.isJSON, stored: stored)
            for key in try StoredValue.texts(
                db, sql: "SELECT key FROM accounts WHERE NOT \(isJSON)\(only)", arguments: arguments)
            {
                corrupt(AccountKey(rawValue: key), "not JSON")
            }
            // SQLite picks the few fields out of each state's JSON (decoding every state with
            // JSONDecoder took most of `status`'s time at 100,000 accounts), the poll spans with
            // them: a second pass over every state, sorted by account, took a sixth of `status`.
            // Since schema 7 the fields are kept beside the state (computed when it is written):
            // picking them out of 100,000 states again at every read was a third of `status`.
            let states = try Row.fetchCursor(
                db,
                sql: """
                    SELECT key, \(StoredStateFields.columns(stored: stored))
                    FROM accounts WHERE \(isJSON)\(only)
                    """, arguments: arguments)
            while let row = try states.next() {
                // Read by storage class (StoredValue): a row edited by hand is named or left out,
                // never a crash. A key that is not text is no account.
                guard let text = StoredValue.text(row[0]) ?? nil else { continue }
                let key = AccountKey(rawValue: text)
                do {
                    let stored = try StoredStateFields(row, from: 1, decoder: decoder)
                    var state = AccountState(account: key)
                    state.lastPoll = stored.lastPoll
                    state.eventsLogged = stored.eventsLogged
                    state.moved = stored.moved
                    state.detection.blindSpan = stored.blindSpan
                    state.detection.lastComplete = stored.lastComplete
                    // Filled in by the spans' read below.
                    if stored.hasPollSpans { state.pollSpans = [] }
                    overviews[key] = AccountOverview(state: state, postsTracked: 0, eventsWaiting: stored.eventsWaiting)
                } catch {
                    corrupt(key, "\(error)")
                }
            }
            try Self.readPollSpans(db, into: &overviews, stored: stored, named: accounts != nil, arguments: arguments) {
                key in
                corrupt(key, StoredFieldError(field: "poll_spans").description)
            }
            if pendingFindings {
                for (key, count) in try Self.watchedPostCounts(db) { overviews[key]?.postsTracked = count }
                let pending = try Row.fetchCursor(db, sql: try Self.pendingTrackedPostsQuery(db))
                while let row = try pending.next() {
                    guard let account = StoredValue.text(row[0]) ?? nil else { continue }
                    let key = AccountKey(rawValue: account)
                    guard overviews[key] != nil else { continue }
                    guard let id = StoredValue.text(row[1]) ?? nil else {
                        overviews[key] = nil
                        failures[key] = StoreError.corrupt(
                            path, detail: "a tracked post of account \(key) has a post_id that is not text",
                            advice: "restore state.sqlite from a backup, or delete that row of tracked_posts")
                        continue
                    }
                    do throws(StoreError) {
                        overviews[key]?.state.detection.posts[id] = try TrackedPostRow.decode(
                            id: id, tracking: row[2], inline: row[3], version: row[4], account: key, path: path,
                            decoder: decoder)
                    } catch {
                        // As a whole state read: one post that does not decode fails the account.
                        overviews[key] = nil
                        failures[key] = error
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
                guard let account = StoredValue.text(row["account"]) ?? nil else { continue }
                let key = AccountKey(rawValue: account)
                guard let overview = overviews[key], let run = Self.unchangedRun(row) else { continue }
                overviews[key]?.state = run.applied(to: overview.state)
            }
            return (overviews, failures)
        }
    }

    /// The tracked posts whose findings are still being proved (missing, or deleted with a
    /// restore candidate): `account`, `post_id`, then ``TrackedPostRow/columnsSQL(namesVersions:prefix:)``.
    /// With the index of tracked posts by status (schema 4), each account's missing and deleted
    /// posts are looked up in it, so the cost follows those posts, not every tracked post: a scan
    /// of every post's JSON was most of `status`'s time with 1,000,000 tracked posts. A row
    /// without a status (not JSON, as in the index of schemas 4 and 5) is read too: it does not
    /// decode, which names its account, as a whole state read would (`json_extract` over it
    /// failed the whole query).
    static func pendingTrackedPostsQuery(_ db: Database) throws -> String {
        let namesVersions = try TrackedPostRow.namesVersions(db)
        let state = TrackedPostRow.statusSQL(namesVersions: namesVersions, prefix: "t.")
        let json = TrackedPostRow.statusJSONSQL(namesVersions: namesVersions, prefix: "t.")
        let columns = TrackedPostRow.columnsSQL(namesVersions: namesVersions, prefix: "t.")
        guard try Self.hasTrackedPostStateIndex(db) else {
            return """
                SELECT t.account, t.post_id, \(columns) FROM tracked_posts AS t
                WHERE \(state) IS NULL OR \(state) = 'missing'
                OR (\(state) = 'deleted' AND json_extract(\(json), '$.status.deleted.restore') IS NOT NULL)
                """
        }
        // CROSS JOIN keeps `accounts` outside: a seek per account into (account, status).
        return """
            SELECT t.account, t.post_id, \(columns)
            FROM accounts AS a CROSS JOIN tracked_posts AS t INDEXED BY tracked_posts_by_state
            ON t.account = a.key AND \(state) IN ('missing', 'deleted')
            WHERE \(state) = 'missing' OR json_extract(\(json), '$.status.deleted.restore') IS NOT NULL
            UNION ALL
            SELECT t.account, t.post_id, \(columns)
            FROM accounts AS a CROSS JOIN tracked_posts AS t INDEXED BY tracked_posts_by_state
            ON t.account = a.key AND \(state) IS NULL
            """
    }

    /// The condition that keeps the accounts named by the statement's one argument (a JSON array of
    /// keys) of `column`: a seek per account instead of every state read.
    static func onlyNamedAccounts(column: String) -> String {
        " AND \(column) IN (SELECT value FROM json_each(?))"
    }

    /// Reads the watched spans (`poll_spans`) of every account in `overviews` whose state has them
    /// as an array (its ``AccountState/pollSpans`` already `[]`), appending each span in order;
    /// `corrupt` is called with (and `overviews` loses) each account one of whose spans is not an
    /// object of two RFC 3339 times; only the accounts named by `arguments` when `named`
    /// (``onlyNamedAccounts(column:)``). One join over the stored column of schema 7 (`stored`), or
    /// over the state's JSON: a subquery per account, each aggregating its spans into one text, had
    /// been most of the time of reading 100,000 accounts' overviews.
    /// - Throws: `DatabaseError` when the read fails.
    static func readPollSpans(
        _ db: Database, into overviews: inout [AccountKey: AccountOverview], stored: Bool, named: Bool,
        arguments: StatementArguments, corrupt: (AccountKey) -> Void
    ) throws {
        let spans = StoredStateFields.sql(StoredStateFields.pollSpans, stored: stored)
        let isJSON = StoredStateFields.sql(StoredStateFields.isJSON, stored: stored)
        // `json_each` has a column `key` too (an array element's index): the account's is
        // `accounts.key`. Ordered by each span's index in its array: the accounts' rows may
        // interleave, each account's come in order, which is all the spans need (`accounts` of
        // schemas 1 to 3 has no rowid to order by).
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT accounts.key,
                    CASE WHEN j.type = 'object' THEN json_extract(j.value, '$.from') END,
                    CASE WHEN j.type = 'object' THEN json_extract(j.value, '$.to') END
                FROM accounts, json_each(\(spans)) AS j
                WHERE \(isJSON)\(named ? Self.onlyNamedAccounts(column: "accounts.key") : "")
                ORDER BY j.key
                """, arguments: arguments)
        var unreadable: Set<AccountKey> = []
        while let row = try rows.next() {
            guard let text = StoredValue.text(row[0]) ?? nil else { continue }
            let key = AccountKey(rawValue: text)
            guard overviews[key]?.state.pollSpans != nil, !unreadable.contains(key) else { continue }
            guard let from = StoredValue.date(row[1]) ?? nil, let to = StoredValue.date(row[2]) ?? nil else {
                unreadable.insert(key)
                continue
            }
            overviews[key]?.state.pollSpans?.append(PollSpan(from: from, to: to))
        }
        for key in unreadable {
            overviews[key] = nil
            corrupt(key)
        }
    }

    /// Every archived version of each of `accounts` (as ``archivedVersions(of:)`` reads them, in
    /// archive order), in one read: the digest reads the archive of every account with events
    /// in its week, and a read (and a statement prepared) per account was a visible share.
    /// Accounts without versions are left out; an account whose archive cannot be read (a
    /// damaged page of `state.sqlite`) is in `failures` with the error, and no other account is.
    /// - Throws: ``StoreError`` when the database cannot be read at all.
    public func archivedVersions(of accounts: some Sequence<AccountKey>) throws -> (
        versions: [AccountKey: [ArchivedPostVersion]], failures: [AccountKey: StoreError]
    ) {
        let path = self.databaseURL.path
        return try self.read { db in
            let decoder = JSONCoding.decoder()
            var versions: [AccountKey: [ArchivedPostVersion]] = [:]
            var failures: [AccountKey: StoreError] = [:]
            for account in accounts where versions[account] == nil && failures[account] == nil {
                do {
                    let read = try Self.archivedVersions(of: account, in: db, decoder: decoder)
                    if !read.isEmpty { versions[account] = read }
                } catch {
                    failures[account] = Self.storeError(error, path: path, operation: "read")
                }
            }
            return (versions, failures)
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
                guard let account = StoredValue.text(row["account"]) ?? nil,
                    let date = StoredValue.date(row["first_seen"]) ?? nil
                else { continue }
                earliest[AccountKey(rawValue: account)] = date
            }
            let last = try Row.fetchCursor(
                db,
                sql: """
                    SELECT account, first_seen, MAX(julianday(first_seen)) FROM archive
                    WHERE julianday(first_seen) IS NOT NULL GROUP BY account
                    """)
            while let row = try last.next() {
                guard let account = StoredValue.text(row["account"]) ?? nil,
                    let date = StoredValue.date(row["first_seen"]) ?? nil,
                    let from = earliest[AccountKey(rawValue: account)]
                else { continue }
                let key = AccountKey(rawValue: account)
                ranges[key] = min(from, date)...max(from, date)
            }
            return ranges
        }
    }
}
