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
            let stored = try self.storesStateFields(db)
            let isJSON = StoredStateFields.sql(StoredStateFields.isJSON, stored: stored)
            for key in try StoredValue.texts(db, sql: "SELECT key FROM accounts WHERE NOT \(isJSON)") {
                failures[AccountKey(rawValue: key)] = Self.undecodableState(key, "not JSON", path: path)
            }
            // SQLite picks the fields out of each state's JSON (decoding every state with
            // JSONDecoder was a quarter of a restart's time to `READY=1`), kept beside it since
            // schema 7.
            let states = try Row.fetchCursor(
                db,
                sql: "SELECT key, \(StoredStateFields.columns(stored: stored)) FROM accounts WHERE \(isJSON)")
            while let row = try states.next() {
                guard let text = StoredValue.text(row[0]) ?? nil else { continue }  // a key that is not text
                let key = AccountKey(rawValue: text)
                do {
                    let stored = try StoredStateFields(row, from: 1, decoder: decoder)
                    summaries[key] = AccountSummary(
                        lastPoll: stored.lastPoll, blindSpan: stored.blindSpan, postsTracked: 0,
                        eventsLogged: stored.eventsLogged, moved: stored.moved)
                } catch {
                    failures[key] = Self.undecodableState(key.rawValue, "\(error)", path: path)
                }
            }
            // The newest run of unchanged polls of each account (SQLite takes the other columns of
            // a MAX() aggregate from the row that holds the maximum).
            let runs = try Row.fetchCursor(
                db, sql: "SELECT account, MAX(since) AS since, until, status FROM unchanged_runs GROUP BY account")
            while let row = try runs.next() {
                guard let account = StoredValue.text(row["account"]) ?? nil,
                    var summary = summaries[AccountKey(rawValue: account)],
                    let at = StoredValue.date(row["until"]) ?? nil,
                    let status = StoredValue.integer(row["status"]) ?? nil,
                    at > (summary.lastPoll?.at ?? .distantPast)
                else { continue }
                let key = AccountKey(rawValue: account)
                summary.lastPoll = PollRecord.unchanged(at: at, status: status, after: summary.lastPoll)
                summaries[key] = summary
            }
            for (key, count) in try Self.watchedPostCounts(db) { summaries[key]?.postsTracked = count }
            return (summaries, failures)
        }
    }

    /// Per account, how many tracked posts are still watched (`visible` or `missing`), from the
    /// index of tracked posts by status (schema 4): every post of the account counted from the
    /// index alone, less those whose status is neither `visible` nor `missing` (deleted, aged
    /// out, not JSON), looked up in ranges of the index around those two. SQLite 3.40 reads a
    /// post's row to check a status read from the index, so counting the watched posts
    /// themselves (most of them) read the whole table, about 7 KB per account. A store of an
    /// earlier schema, read without upgrading it (`status` beside an older daemon), is counted
    /// the slow way.
    static func watchedPostCounts(_ db: Database) throws -> [AccountKey: Int] {
        var counts: [AccountKey: Int] = [:]
        let state = TrackedPostRow.statusSQL(namesVersions: try TrackedPostRow.namesVersions(db))
        let sql: String
        if try Self.hasTrackedPostStateIndex(db) {
            // Each range excludes the two watched statuses; together they hold every other value
            // (NULL, numbers and text before "missing", text between, text and blobs after "visible").
            let ranges = [
                "\(state) IS NULL", "\(state) < 'missing'", "\(state) > 'missing' AND \(state) < 'visible'",
                "\(state) > 'visible'",
            ]
            let unwatched = ranges.map {
                "(SELECT COUNT(*) FROM tracked_posts INDEXED BY tracked_posts_by_state WHERE account = a.account AND \($0))"
            }
            sql = """
                SELECT a.account, a.posts - \(unwatched.joined(separator: " - ")) AS watched
                FROM (SELECT account, COUNT(*) AS posts FROM tracked_posts INDEXED BY tracked_posts_by_state
                    GROUP BY account) AS a
                """
        } else {
            sql = """
                SELECT account, COUNT(*) AS watched FROM tracked_posts
                WHERE \(state) IN ('visible', 'missing') GROUP BY account
                """
        }
        let rows = try Row.fetchCursor(db, sql: sql)
        while let row = try rows.next() {
            guard let account = StoredValue.text(row[0]) ?? nil else { continue }
            counts[AccountKey(rawValue: account)] = StoredValue.integer(row[1]) ?? nil
        }
        return counts
    }

    /// Whether the store has the index of tracked posts by status (schema 4 and later).
    static func hasTrackedPostStateIndex(_ db: Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = 'tracked_posts_by_state'")
            ?? false
    }

    /// The error of an account whose stored state does not decode.
    static func undecodableState(_ key: String, _ detail: String, path: String) -> StoreError {
        StoreError.corrupt(
            path, detail: "the state of account \(key) does not decode: \(detail)",
            advice: Self.startAfreshAdvice(account: AccountKey(rawValue: key), path: path))
    }

    /// The fields of a stored ``AccountState`` (`accounts.state`) that the summaries and the
    /// overviews read, picked out of its JSON by SQLite (``columns``) rather than decoded whole:
    /// the last poll, the events logged, the move (the rare object decoded only where present), the
    /// detector's blind span and last complete snapshot (field by field), and whether it has poll
    /// spans.
    /// The JSON keys are those of ``AccountState``'s coding keys; docs/state-format.md lists them.
    struct StoredStateFields {
        var lastPoll: PollRecord?
        var eventsLogged: Int
        var moved: TimelineMove?
        var blindSpan: BlindSpan?
        var lastComplete: SnapshotSummary?
        /// `poll_spans` is an array (read apart, by `json_each`).
        var hasPollSpans: Bool
        /// How many events the state keeps that the deletion log has not taken yet
        /// (`pending_events`: saved before the append, removed after it).
        var eventsWaiting: Int

        /// The fields, in the order ``init(_:from:decoder:)`` reads them: each a column name kept
        /// by schema 7 and later (a stored generated column of `accounts`) and the SQL over `state`
        /// that computes it (read from a store of an earlier schema). A store keeps the definitions
        /// its upgrade wrote (``StateStore/schemaV7``, written out as it was): a field added or an
        /// expression changed here needs a new schema version that rebuilds `accounts` (a test
        /// compares these with the definitions a new store holds).
        static let fields: [(column: String, expression: String)] = [
            ("state_last_poll_type", "json_type(state, '$.last_poll')"),
            ("state_last_poll_at", "json_extract(state, '$.last_poll.at')"),
            ("state_last_poll_outcome", "json_extract(state, '$.last_poll.outcome')"),
            ("state_last_poll_detail", "json_extract(state, '$.last_poll.detail')"),
            ("state_last_poll_posts", "json_extract(state, '$.last_poll.posts')"),
            ("state_events_logged_type", "json_type(state, '$.events_logged')"),
            ("state_events_logged", "json_extract(state, '$.events_logged')"),
            ("state_moved", "json_extract(state, '$.moved')"),
            ("state_blind_span_type", "json_type(state, '$.detection.blind_span')"),
            ("state_last_complete_type", "json_type(state, '$.detection.last_complete')"),
            ("state_poll_spans_type", "json_type(state, '$.poll_spans')"),
            ("state_last_complete_id_type", "json_type(state, '$.detection.last_complete.id')"),
            ("state_last_complete_id", "json_extract(state, '$.detection.last_complete.id')"),
            ("state_last_complete_polled_at", "json_extract(state, '$.detection.last_complete.polled_at')"),
            ("state_last_complete_window_type", "json_type(state, '$.detection.last_complete.window')"),
            ("state_last_complete_newest", "json_extract(state, '$.detection.last_complete.window.newest')"),
            ("state_last_complete_floor", "json_extract(state, '$.detection.last_complete.window.floor')"),
            ("state_last_complete_post_count", "json_extract(state, '$.detection.last_complete.window.post_count')"),
            (
                "state_last_complete_pinned_count",
                "json_extract(state, '$.detection.last_complete.window.pinned_count')"
            ),
            ("state_pending_events", "json_array_length(state, '$.pending_events')"),
            // The blind span field by field, as the last complete snapshot: during an outage every
            // account has one, and each through JSONDecoder was a seventh of `status`.
            ("state_blind_span_from", "json_extract(state, '$.detection.blind_span.from')"),
            ("state_blind_span_to", "json_extract(state, '$.detection.blind_span.to')"),
            ("state_blind_span_failed_polls", "json_extract(state, '$.detection.blind_span.failed_polls')"),
            ("state_blind_span_failure_type", "json_type(state, '$.detection.blind_span.failure')"),
            ("state_blind_span_failure_kind", "json_extract(state, '$.detection.blind_span.failure.kind')"),
            ("state_blind_span_failure_message", "json_extract(state, '$.detection.blind_span.failure.message')"),
            ("state_blind_span_failure_url", "json_extract(state, '$.detection.blind_span.failure.url')"),
            (
                "state_blind_span_failure_http_status",
                "json_extract(state, '$.detection.blind_span.failure.http_status')"
            ),
            (
                "state_blind_span_failure_retry_after",
                "json_extract(state, '$.detection.blind_span.failure.retry_after')"
            ),
        ]

        /// The result columns, twenty-nine, in the order ``init(_:from:decoder:)`` reads them: the
        /// stored columns (`stored`, schema 7 and later) or the same values computed from `state`'s
        /// JSON (a store of an earlier schema, read as it is).
        static func columns(stored: Bool) -> String {
            Self.fields.map { Self.sql($0, stored: stored) }.joined(separator: ", ")
        }

        /// `field` as a read selects it: its stored column (`stored`, schema 7 and later) or its
        /// expression over `state`.
        static func sql(_ field: (column: String, expression: String), stored: Bool) -> String {
            stored ? field.column : field.expression
        }

        /// How many result columns ``columns(stored:)`` has.
        static let columnCount = Self.fields.count

        /// Whether the state is JSON text SQLite can read: the condition of every other field
        /// (the JSON functions fail the whole statement over a state that is not).
        static let isJSON = (column: "state_is_json", expression: "json_valid(state)")

        /// The watched spans (`poll_spans`) as JSON text when they are an array, NULL otherwise:
        /// ``StateStore/readPollSpans(_:into:stored:named:arguments:corrupt:)`` reads them.
        static let pollSpans = (
            column: "state_poll_spans",
            expression:
                "CASE WHEN json_type(state, '$.poll_spans') = 'array' THEN json_extract(state, '$.poll_spans') END"
        )

        /// The definition schema 7 gave `field`'s stored generated column in `accounts`
        /// (``StateStore/schemaV7``): NULL for a state that is not JSON.
        static func generatedColumnSQL(_ field: (column: String, expression: String)) -> String {
            "\(field.column) GENERATED ALWAYS AS (CASE WHEN \(Self.isJSON.column) THEN \(field.expression) END) STORED"
        }

        /// Reads the ``columns(stored:)`` of `row` starting at column `first` (by position: a lookup by
        /// name per value was a visible share at 100,000 rows).
        /// - Throws: ``StoredFieldError`` naming a field that is missing or not of its type, or
        ///   the decoder's error for the move.
        init(_ row: Row, from first: Int, decoder: StoredJSONDecoder) throws {
            // By storage class (``StoredValue``): a hand-edited state is named, never a crash.
            func text(_ offset: Int, _ field: String) throws -> String? {
                guard let value = StoredValue.text(row[first + offset]) else { throw StoredFieldError(field: field) }
                return value
            }
            // Each object's JSON type first: `null` or absent is none, another type is named (read
            // as none, a hand-edited state showed as never polled where its whole reading fails).
            switch try text(0, "last_poll") {
            case nil, "null": break
            case "object":
                guard let at = StoredValue.date(row[first + 1]) ?? nil, let outcome = try text(2, "last_poll.outcome"),
                    let detail = try text(3, "last_poll.detail"), let posts = StoredValue.integer(row[first + 4])
                else { throw StoredFieldError(field: "last_poll") }
                self.lastPoll = PollRecord(at: at, outcome: outcome, detail: detail, posts: posts)
            default: throw StoredFieldError(field: "last_poll")
            }
            guard try text(5, "events_logged") == "integer", let logged = StoredValue.integer(row[first + 6]) ?? nil
            else { throw StoredFieldError(field: "events_logged") }
            self.eventsLogged = logged
            if let json = try text(7, "moved") {
                self.moved = try decoder.decode(TimelineMove.self, from: Data(json.utf8))
            }
            switch try text(8, "detection.blind_span") {
            case nil, "null": break
            case "object": self.blindSpan = try Self.blindSpan(row, from: first + 20)
            default: throw StoredFieldError(field: "detection.blind_span")
            }
            // The last complete snapshot (in every state that has polled) field by field: through
            // JSONDecoder it was a tenth of `status`. Its JSON type first: `null` is none.
            switch try text(9, "detection.last_complete") {
            case nil, "null": break
            case "object": self.lastComplete = try Self.snapshotSummary(row, from: first + 11)
            default: throw StoredFieldError(field: "detection.last_complete")
            }
            switch try text(10, "poll_spans") {
            case nil, "null": self.hasPollSpans = false
            case "array": self.hasPollSpans = true
            default: throw StoredFieldError(field: "poll_spans")
            }
            // `json_array_length` is 0 for a value that is not an array, NULL when there is none.
            // (A `flatMap` over the double optional here crashed the release compiler, 6.3.1.)
            switch StoredValue.integer(row[first + 19]) {
            case .some(.some(let count)): self.eventsWaiting = count
            default: self.eventsWaiting = 0
            }
        }

        /// The ``BlindSpan`` of the columns from `first` on (`from`, `to`, `failed_polls`,
        /// `failure`'s JSON type, its `kind`, `message`, `url`, `http_status`, `retry_after`), as
        /// strict as its `Decodable` reading: the times RFC 3339 (`to` and `retry_after` may be null
        /// or absent), the kind one of ``PollFailure/Kind``, the message text, the count an integer.
        /// - Throws: ``StoredFieldError`` naming the field that is missing or not of its type.
        static func blindSpan(_ row: Row, from first: Int) throws -> BlindSpan {
            func field(_ name: String) -> StoredFieldError {
                StoredFieldError(field: "detection.blind_span.\(name)")
            }
            guard let from = StoredValue.date(row[first]) ?? nil else { throw field("from") }
            guard let to = StoredValue.date(row[first + 1]) else { throw field("to") }
            guard let failedPolls = StoredValue.integer(row[first + 2]) ?? nil else { throw field("failed_polls") }
            guard StoredValue.text(row[first + 3]) == "object" else { throw field("failure") }
            guard let kindText = StoredValue.text(row[first + 4]) ?? nil,
                let kind = PollFailure.Kind(rawValue: kindText)
            else { throw field("failure.kind") }
            guard let message = StoredValue.text(row[first + 5]) ?? nil else { throw field("failure.message") }
            guard let url = StoredValue.text(row[first + 6]) else { throw field("failure.url") }
            guard let httpStatus = StoredValue.integer(row[first + 7]) else { throw field("failure.http_status") }
            guard let retryAfter = StoredValue.date(row[first + 8]) else { throw field("failure.retry_after") }
            return BlindSpan(
                from: from, to: to, failedPolls: failedPolls,
                failure: PollFailure(
                    kind: kind, message: message, url: url, httpStatus: httpStatus, retryAfter: retryAfter))
        }

        /// The ``SnapshotSummary`` of the columns from `first` on (`id`'s JSON type, `id`,
        /// `polled_at`, `window`'s JSON type, `newest`, `floor`, `post_count`, `pinned_count`),
        /// as strict as its `Decodable` reading: the id text, the times RFC 3339 (`newest` and
        /// `floor` may be null or absent), the counts integers.
        /// - Throws: ``StoredFieldError`` naming the field that is missing or not of its type.
        static func snapshotSummary(_ row: Row, from first: Int) throws -> SnapshotSummary {
            func field(_ name: String) -> StoredFieldError {
                StoredFieldError(field: "detection.last_complete.\(name)")
            }
            guard StoredValue.text(row[first]) == "text", let id = StoredValue.text(row[first + 1]) ?? nil
            else { throw field("id") }
            guard let polledAt = StoredValue.date(row[first + 2]) ?? nil else { throw field("polled_at") }
            guard StoredValue.text(row[first + 3]) == "object" else { throw field("window") }
            guard let newest = StoredValue.date(row[first + 4]) else { throw field("window.newest") }
            guard let floor = StoredValue.date(row[first + 5]) else { throw field("window.floor") }
            guard let postCount = StoredValue.integer(row[first + 6]) ?? nil else { throw field("window.post_count") }
            guard let pinnedCount = StoredValue.integer(row[first + 7]) ?? nil else {
                throw field("window.pinned_count")
            }
            return SnapshotSummary(
                id: id, polledAt: polledAt,
                window: TimelineWindow(newest: newest, floor: floor, postCount: postCount, pinnedCount: pinnedCount))
        }
    }

    /// A field of a stored state that is missing or not of its type.
    struct StoredFieldError: Error, CustomStringConvertible {
        var field: String
        var description: String { "`\(self.field)` is missing or not of its type" }
    }
}
