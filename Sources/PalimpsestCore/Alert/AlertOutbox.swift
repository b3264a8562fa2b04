public import Foundation
import GRDB

/// The durable outbox of alerts, in the state store (`alert_outbox`, schema version 3,
/// `docs/state-format.md`): one row per event and sink, written after the event is in the deletion
/// log and kept until the sink took it or ``AlertSink/maxAge`` passed.
///
/// The log is written first, as always; the outbox is fed from it. `store_meta.alert_log_seq` holds
/// the `seq` of the last log line fed: a process that died between a log append and the outbox
/// write (`kill -9`) feeds the lines after it when it starts again (``catchUp(log:at:)``), so no
/// alert is lost, and a row's primary key (sink, event id) keeps any event from being queued twice.
///
/// Calls block on the database: call them through ``BlockingIO``.
public final class AlertOutbox: Sendable {
    /// The store holding the outbox.
    public let store: StateStore
    /// The configured sinks.
    public let sinks: [AlertSink]

    static let cursorKey = "alert_log_seq"

    /// Creates the outbox of `store` for `sinks`.
    public init(store: StateStore, sinks: [AlertSink]) {
        self.store = store
        self.sinks = sinks
    }

    /// One waiting alert: an event for a sink.
    public struct Item: Sendable, Hashable {
        public var sink: String
        public var event: Event
        public var seq: Int
        /// When it was queued, UTC.
        public var enqueuedAt: Date
        /// Failed attempts so far.
        public var attempts: Int
        /// Not to be tried before this time, UTC.
        public var nextAttemptAt: Date
        /// What the last failed attempt answered.
        public var lastError: String?
    }

    /// The `seq` of the last log line fed to the outbox, `nil` before the first feed.
    public func fedSeq() throws -> Int? {
        try self.store.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = ?", arguments: [Self.cursorKey])
                .flatMap { Int($0) }
        }
    }

    /// Queues `events` (as appended to the log, with `seq`) for every sink whose filter they pass,
    /// and moves the log cursor to the highest `seq` among them.
    /// - Parameter now: the queue time (wall clock, UTC).
    /// - Returns: how many rows were queued.
    /// - Throws: ``StoreError`` when the database cannot be written (the events stay in the log;
    ///   the next start feeds them again).
    @discardableResult
    public func enqueue(_ events: [Event], at now: Date) throws -> Int {
        guard !events.isEmpty else { return 0 }
        let encoder = JSONCoding.lineEncoder()
        var rows: [(sink: String, id: String, seq: Int, json: String)] = []
        for event in events {
            let matching = self.sinks.filter { $0.filter.matches(event) }
            guard !matching.isEmpty else { continue }
            let json = String(decoding: try encoder.encode(event), as: UTF8.self)
            for sink in matching { rows.append((sink.name, event.id, event.seq ?? 0, json)) }
        }
        let top = events.compactMap(\.seq).max()
        let stamp = RFC3339.string(from: now)
        do {
            try self.store.pool.write { db in
                for row in rows {
                    try db.execute(
                        sql: """
                            INSERT OR IGNORE INTO alert_outbox (sink, event_id, seq, event, enqueued_at, next_attempt_at)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """, arguments: [row.sink, row.id, row.seq, row.json, stamp, stamp])
                }
                if let top {
                    try Self.advanceCursor(to: top, in: db)
                }
            }
        } catch {
            throw StateStore.storeError(error, path: self.store.databaseURL.path, operation: "queue alerts")
        }
        return rows.count
    }

    /// Sets the cursor to `seq` when it has none yet (a new outbox does not alert on the history
    /// of the log) and returns it.
    @discardableResult
    public func startCursor(at seq: Int) throws -> Int {
        do {
            return try self.store.pool.write { db in
                if let value = try String.fetchOne(
                    db, sql: "SELECT value FROM store_meta WHERE key = ?", arguments: [Self.cursorKey]),
                    let current = Int(value)
                {
                    return current
                }
                try Self.advanceCursor(to: seq, in: db)
                return seq
            }
        } catch {
            throw StateStore.storeError(error, path: self.store.databaseURL.path, operation: "start the alert outbox")
        }
    }

    private static func advanceCursor(to seq: Int, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO store_meta (key, value) VALUES (?, ?)
                ON CONFLICT(key) DO UPDATE SET value = excluded.value
                WHERE CAST(store_meta.value AS INTEGER) < CAST(excluded.value AS INTEGER)
                """, arguments: [Self.cursorKey, String(seq)])
    }

    /// Feeds the log lines after the cursor (appended by a process that died before it queued
    /// them): reads the log with its rotated files only when `log.lastSeq` is past the cursor.
    /// - Returns: the events fed.
    /// - Throws: ``StoreError`` when the log or the database cannot be read or written.
    @discardableResult
    public func catchUp(log: DeletionLog, at now: Date) throws -> [Event] {
        let cursor = try self.startCursor(at: log.lastSeq)
        guard log.lastSeq > cursor else { return [] }
        let set = try DeletionLogSet.read(url: log.url)
        let missed = set.events.filter { ($0.seq ?? 0) > cursor }
        try self.enqueue(missed, at: now)
        return missed
    }

    /// A row of the outbox, not yet delivered nor given up, that does not read (edited by hand or
    /// damaged): it is never sent. Named by what of it reads.
    public struct UnreadableRow: Sendable, Hashable {
        /// The row's sink, or `nil` when that is not text.
        public var sink: String?
        /// The row's event id, or `nil` when that is not text.
        public var eventID: String?
        /// The row's key, `hex(sink)` and `hex(event_id)` as SQLite gives them: what finds the row
        /// whatever the type of its values.
        var hexSink: String
        var hexEventID: String
        /// What does not read.
        public var problem: String

        /// The SQL that removes the row (by the hex of its key, so it needs no quoting).
        public var deleteStatement: String {
            "DELETE FROM alert_outbox WHERE hex(sink) = '\(self.hexSink)' AND hex(event_id) = '\(self.hexEventID)'"
        }
    }

    /// Every alert not yet delivered nor given up, by sink, oldest first.
    public func waiting() throws -> [Item] {
        try self.waitingRows().items
    }

    /// Every alert not yet delivered nor given up, by sink, oldest first, and the rows waiting so
    /// that do not read, in the same order.
    /// - Throws: ``StoreError`` when the database cannot be read.
    public func waitingRows() throws -> (items: [Item], unreadable: [UnreadableRow]) {
        let decoder = JSONCoding.decoder()
        return try self.store.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT sink, event, seq, enqueued_at, attempts, next_attempt_at, last_error, event_id,
                    hex(sink), hex(event_id)
                    FROM alert_outbox WHERE delivered_at IS NULL AND given_up_at IS NULL ORDER BY sink, seq
                    """)
            var items: [Item] = []
            var unreadable: [UnreadableRow] = []
            for row in rows {
                // By storage class (``StoredValue``), as one whose event does not decode: a row
                // edited into a value of another type is left out (GRDB's conversion stopped the
                // process on bytes that are not UTF-8), and named.
                let sink = StoredValue.text(row[0]) ?? nil
                let text = StoredValue.text(row[1]) ?? nil
                let seq = StoredValue.integer(row[2]) ?? nil
                let enqueued = StoredValue.text(row[3]) ?? nil
                let attempts = StoredValue.integer(row[4]) ?? nil
                let next = StoredValue.text(row[5]) ?? nil
                let lastError = StoredValue.text(row[6])
                var problems: [String] = []
                if sink == nil { problems.append("sink is not text") }
                if seq == nil { problems.append("seq is not an integer") }
                if enqueued == nil { problems.append("enqueued_at is not text") }
                if attempts == nil { problems.append("attempts is not an integer") }
                if next == nil { problems.append("next_attempt_at is not text") }
                if lastError == nil { problems.append("last_error is not text") }
                var event: Event?
                if let text {
                    do {
                        event = try decoder.decode(Event.self, from: Data(text.utf8))
                    } catch {
                        problems.append(
                            StateStore.isJSON(text)
                                ? "event is JSON but not an event (\(DecodingErrorText.describe(error)))"
                                : "event is not JSON")
                    }
                } else {
                    problems.append("event is not text")
                }
                guard problems.isEmpty, let sink, let event, let seq, let enqueued, let attempts, let next,
                    let lastError
                else {
                    unreadable.append(
                        UnreadableRow(
                            sink: sink, eventID: StoredValue.text(row[7]) ?? nil,
                            hexSink: (StoredValue.text(row[8]) ?? nil) ?? "",
                            hexEventID: (StoredValue.text(row[9]) ?? nil) ?? "",
                            problem: problems.joined(separator: "; ")))
                    continue
                }
                items.append(
                    Item(
                        sink: sink, event: event, seq: seq,
                        enqueuedAt: RFC3339.date(from: enqueued) ?? Date(timeIntervalSince1970: 0),
                        attempts: attempts,
                        nextAttemptAt: RFC3339.date(from: next) ?? Date(timeIntervalSince1970: 0),
                        lastError: lastError))
            }
            return (items, unreadable)
        }
    }

    /// Records that `sink` took the events `ids` at `now`.
    public func markDelivered(sink: String, ids: [String], at now: Date) throws {
        try self.update(sink: sink, ids: ids, operation: "record a delivered alert") { db, id in
            try db.execute(
                sql: "UPDATE alert_outbox SET delivered_at = ?, last_error = NULL WHERE sink = ? AND event_id = ?",
                arguments: [RFC3339.string(from: now), sink, id])
        }
    }

    /// Records a failed attempt: one more attempt, the answer, and the time of the next.
    public func markFailed(sink: String, ids: [String], error: String, nextAttempt: Date) throws {
        try self.update(sink: sink, ids: ids, operation: "record a failed alert") { db, id in
            try db.execute(
                sql: """
                    UPDATE alert_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
                    WHERE sink = ? AND event_id = ?
                    """, arguments: [error, RFC3339.string(from: nextAttempt), sink, id])
        }
    }

    /// Gives the alerts up (older than the sink's `max_age`): they stay in the table, marked.
    public func markGivenUp(sink: String, ids: [String], at now: Date) throws {
        try self.update(sink: sink, ids: ids, operation: "give up an alert") { db, id in
            try db.execute(
                sql: "UPDATE alert_outbox SET given_up_at = ? WHERE sink = ? AND event_id = ?",
                arguments: [RFC3339.string(from: now), sink, id])
        }
    }

    /// Removes rows delivered or given up before `cutoff` (they are in the log forever).
    public func prune(before cutoff: Date) throws {
        let stamp = RFC3339.string(from: cutoff)
        do {
            try self.store.pool.write { db in
                try db.execute(
                    sql: "DELETE FROM alert_outbox WHERE delivered_at < ? OR given_up_at < ?",
                    arguments: [stamp, stamp])
            }
        } catch {
            throw StateStore.storeError(error, path: self.store.databaseURL.path, operation: "prune the alert outbox")
        }
    }

    /// Every row of `sink`, delivered or not, as (event id, delivered, given up, attempts): tests and status.
    public func rows(of sink: String) throws -> [(id: String, delivered: Bool, givenUp: Bool, attempts: Int)] {
        try self.store.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT event_id, delivered_at, given_up_at, attempts FROM alert_outbox WHERE sink = ? ORDER BY seq",
                arguments: [sink]
            ).map { row in
                let delivered: String? = row["delivered_at"]
                let givenUp: String? = row["given_up_at"]
                return (row["event_id"], delivered != nil, givenUp != nil, row["attempts"])
            }
        }
    }

    private func update(
        sink: String, ids: [String], operation: String, _ body: @escaping (Database, String) throws -> Void
    ) throws {
        guard !ids.isEmpty else { return }
        do {
            try self.store.pool.write { db in
                for id in ids { try body(db, id) }
            }
        } catch {
            throw StateStore.storeError(error, path: self.store.databaseURL.path, operation: operation)
        }
    }
}
