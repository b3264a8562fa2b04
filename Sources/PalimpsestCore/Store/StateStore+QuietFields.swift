import Foundation
import GRDB

extension StateStore {
    /// The fields of a quiet account's stored state (`accounts.state`, ``AccountState``'s coding
    /// keys) that a poll ending with an unchanged answer reads, picked out of the JSON by SQLite
    /// rather than decoded whole: the format version, the resolved account ID, the conditional-GET
    /// validators of each timeline URL, the last poll, the events logged and the last watched span;
    /// and the two fields a quiet state must have empty (the move, the pending events), checked.
    /// docs/state-format.md lists the keys.
    enum QuietFields {
        /// The result columns, in the order ``state(of:from:)`` reads them, then the columns of the
        /// newest run of unchanged polls, in the order ``unchangedRun(_:)`` reads them.
        static let columns = """
            json_extract(a.state, '$.v'), json_extract(a.state, '$.resolved_id'),
            json_type(a.state, '$.last_poll'), json_extract(a.state, '$.last_poll.at'),
            json_extract(a.state, '$.last_poll.outcome'), json_extract(a.state, '$.last_poll.detail'),
            json_extract(a.state, '$.last_poll.posts'), json_type(a.state, '$.events_logged'),
            json_extract(a.state, '$.events_logged'), json_type(a.state, '$.moved'),
            json_array_length(a.state, '$.pending_events'), json_type(a.state, '$.poll_spans'),
            json_extract(a.state, '$.poll_spans[#-1].from'), json_extract(a.state, '$.poll_spans[#-1].to'),
            json_type(a.state, '$.validators'), v.key, json_extract(v.value, '$.etag'),
            json_extract(v.value, '$.last_modified'), json_extract(v.value, '$.body_sha256'),
            r.since, r.until, r.polls, r.url, r.status, r.body_sha256, r.etag, r.last_modified
            """

        /// The index of the first column after ``columns`` (27 of them), where a batch read puts
        /// the account's key.
        static let accountColumn = 27

        /// The condition that leaves out a state that is not JSON text: SQLite's JSON functions
        /// fail the whole read over it ("malformed JSON"), where the whole read of the account
        /// (``StateStore/loadState(of:)``) says what is wrong with it.
        static let readable = "AND typeof(a.state) = 'text' AND json_valid(a.state)"

        /// The tables: the account's row, one row per validated URL (`json_each`; one row of NULLs
        /// when it has none), each with the account's newest run of unchanged polls.
        static let source = """
            FROM accounts a LEFT JOIN json_each(a.state, '$.validators') v
            LEFT JOIN unchanged_runs r ON r.account = a.key
            AND r.since = (SELECT MAX(since) FROM unchanged_runs WHERE account = a.key)
            """

        /// The state as far as the quiet fields go (``AccountState/withQuietFields(of:)``): tracked
        /// posts, the detector's memory and the cited records empty, the watched spans reduced to
        /// the last one.
        /// - Returns: `nil` when a field is missing or not of its type, or the move or the pending
        ///   events are not empty (``StateStore/loadState(of:)`` then reads the whole state).
        // Values read by position (a lookup by name per value was a sixth of the quiet read) and by
        // their storage class (``StoredValue``): a hand-edited state must only fall back to the
        // whole read.

        private static func text(_ row: Row, _ index: Int) -> String?? { StoredValue.text(row[index]) }
        private static func integer(_ row: Row, _ index: Int) -> Int?? { StoredValue.integer(row[index]) }
        private static func date(_ row: Row, _ index: Int) -> Date?? { StoredValue.date(row[index]) }

        /// The account's newest run of unchanged polls in `row` (the columns after the quiet
        /// fields); `nil` when it has none, or when its values are not of their types.
        static func unchangedRun(_ row: Row) -> UnchangedRun? {
            guard let since = date(row, 19) ?? nil, let until = date(row, 20) ?? nil,
                let polls = integer(row, 21) ?? nil,
                let url = text(row, 22) ?? nil, let status = integer(row, 23) ?? nil,
                let sha = text(row, 24) ?? nil, let etag = text(row, 25), let lastModified = date(row, 26)
            else { return nil }
            return UnchangedRun(
                since: since, until: until, polls: polls, url: url, status: status, bodySHA256: sha, etag: etag,
                lastModified: lastModified)
        }

        /// ``state(of:from:)`` with the account's newest run of unchanged polls applied.
        /// - Returns: `nil` as ``state(of:from:)``, and when the run's values are not of their
        ///   types (the whole read then decides).
        static func stateWithNewestRun(of account: AccountKey, from rows: [Row]) -> AccountState? {
            guard let first = rows.first, let state = Self.state(of: account, from: rows) else { return nil }
            if (first[19] as DatabaseValue).isNull { return state }
            return Self.unchangedRun(first)?.applied(to: state)
        }

        static func state(of account: AccountKey, from rows: [Row]) -> AccountState? {
            guard let row = rows.first else { return nil }
            var state = AccountState(account: account)
            guard let version = integer(row, 0) ?? nil, let resolvedID = text(row, 1) else { return nil }
            state.v = version
            state.resolvedID = resolvedID
            switch text(row, 2) ?? nil {
            case "object"?:
                guard let at = date(row, 3) ?? nil, let outcome = text(row, 4) ?? nil, let detail = text(row, 5) ?? nil,
                    let posts = integer(row, 6)
                else { return nil }
                state.lastPoll = PollRecord(at: at, outcome: outcome, detail: detail, posts: posts)
            case nil, "null"?: break
            default: return nil
            }
            guard text(row, 7) == "integer", let logged = integer(row, 8) ?? nil else { return nil }
            state.eventsLogged = logged
            // A quiet state has no move and no pending event (``AccountState/isQuiet``).
            let moved = text(row, 9) ?? "not text"
            let pending = integer(row, 10) ?? 1
            guard moved == nil || moved == "null", pending == nil || pending == 0 else { return nil }
            switch text(row, 11) ?? nil {
            case "array"?:
                if let from = date(row, 12) ?? nil, let to = date(row, 13) ?? nil {
                    state.pollSpans = [PollSpan(from: from, to: to)]
                } else if (row[12] as DatabaseValue).isNull {
                    state.pollSpans = []
                } else {
                    return nil
                }
            case nil, "null"?: break
            default: return nil
            }
            guard text(row, 14) == "object" else { return nil }
            for row in rows {
                guard let url = text(row, 15) ?? nil else { continue }
                guard let sha = text(row, 18) ?? nil, let etag = text(row, 16), let lastModified = date(row, 17)
                else { return nil }
                state.validators[url] = ConditionalValidators(etag: etag, lastModified: lastModified, bodySHA256: sha)
            }
            return state
        }
    }
}
