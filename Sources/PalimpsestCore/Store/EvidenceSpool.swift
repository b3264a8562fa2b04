public import Foundation
import GRDB
import Synchronization

/// What one collection of the evidence spool did (``StateStore/collectSpool(minimumAge:)``).
public struct SpoolCollection: Sendable, Hashable {
    /// Spool files looked at (not in use, old enough).
    public var filesExamined = 0
    /// Spool files removed: nothing they held was cited any more, or what was cited was copied on.
    public var filesRemoved = 0
    /// Records still cited that were copied into the current spool file before their file was
    /// removed.
    public var recordsCopied = 0
    /// Bytes of spool files removed.
    public var bytesRemoved = 0

    /// Creates an empty report.
    public init() {}
}

/// The evidence spool (docs/state-format.md, "Raw evidence"): every capture is written to
/// `warc/spool/` first; a record an event cites is copied to the permanent files (`warc/`) before
/// the event is saved (``StateStore/promoteEvidence(of:)``), and spool files are removed once
/// nothing cites their records (``StateStore/collectSpool(minimumAge:)``). A record is cited while
/// a kept snapshot, a state's conditional-GET validators (its body), a candidate's inconclusive
/// probe answers or a pending event names it; a cited record is never removed.
extension StateStore {
    /// The spool folder, relative to `state_dir`.
    static let spoolFolder = "warc/spool"
    /// Size at which a spool file is closed (bytes): 64 MiB, so that a few long-cited records
    /// never keep much else.
    static let spoolRotateBytes = 64 << 20
    /// A spool file whose cited records take less than this share of it is rewritten: they are
    /// copied on and the file removed.
    static let spoolCompactionShare = 0.5
    /// Seconds between automatic collections (the store's writer starts one when due).
    static let spoolCollectionInterval: TimeInterval = 3600

    static func isSpool(_ path: String) -> Bool {
        path.hasPrefix(Self.spoolFolder + "/")
    }

    // MARK: Promotion

    /// `events` with every evidence reference naming a record in the permanent files: records
    /// still in the spool are copied there first (with their `request` record, and a `revisit`
    /// with the record holding its body), byte for byte, so the log never cites a record that a
    /// collection could remove. References of the earlier layout (no record id) stay as they are.
    /// Their index rows follow with the next commit; the copies are synced before it.
    /// - Throws: ``StoreError`` when a record cannot be read or copied (a full disk): nothing may
    ///   then cite it, so the poll derives nothing and the next one tries again.
    public func promoteEvidence(of events: [Event]) throws -> [Event] {
        guard events.contains(where: { $0.evidence.contains { $0.record != nil } }) else { return events }
        return try self.pendingEvidence.withLock { pending in
            try events.map { event in
                var event = event
                event.evidence = try event.evidence.map { reference in
                    guard let id = reference.record, let row = try self.evidenceRow(id: id, pending: pending) else {
                        return reference
                    }
                    let permanent = try self.promote(row, pending: &pending)
                    var promoted = reference
                    promoted.path = permanent.body.path
                    promoted.offset = permanent.body.offset
                    promoted.length = permanent.body.length
                    return promoted
                }
                return event
            }
        }
    }

    /// The index row of record `id` as it will be once the queued relocations are written.
    private func evidenceRow(id: String, pending: PendingEvidence) throws -> EvidenceRow? {
        let row =
            try pending.row(where: { $0.recordID == id }) ?? pending.recent.row(id: id)
            ?? self.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM evidence WHERE record_id = ?", arguments: [id]).map(
                    Self.evidenceRow)
            }
        return row.map { Self.relocated($0, by: pending.unwrittenRelocations) }
    }

    /// The index row of the record at `location`, as it will be once relocated.
    private func evidenceRow(at location: WARCLocation, pending: PendingEvidence) throws -> EvidenceRow? {
        if let moved = pending.unwrittenRelocations.last(where: { $0.from == location }) {
            return try self.evidenceRow(id: moved.recordID, pending: pending)
        }
        let row =
            try pending.row(where: { $0.location == location }) ?? pending.recent.row(at: location)
            ?? self.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT * FROM evidence WHERE path = ? AND offset = ?",
                    arguments: [location.path, location.offset]
                ).map(Self.evidenceRow)
            }
        return row.map { Self.relocated($0, by: pending.unwrittenRelocations) }
    }

    static func relocated(_ row: EvidenceRow, by relocations: [Relocation]) -> EvidenceRow {
        var row = row
        for relocation in relocations {
            if relocation.recordID == row.recordID {
                row.location = relocation.to
                row.request = relocation.request
            }
            if relocation.isResponse, row.body == relocation.from { row.body = relocation.to }
        }
        return row
    }

    /// Copies `row`'s records to the permanent files unless they are there already.
    /// - Returns: the row as it is after the copy.
    private func promote(_ row: EvidenceRow, pending: inout PendingEvidence) throws -> EvidenceRow {
        var row = row
        if row.type != "response", Self.isSpool(row.body.path) {
            // A revisit: the record holding its body goes first.
            guard let original = try self.evidenceRow(at: row.body, pending: pending) else {
                throw StoreError.corrupt(
                    self.root.appendingPathComponent(row.body.path).path,
                    detail: "no index row for the record at offset \(row.body.offset) that record \(row.recordID) "
                        + "refers to", advice: "report this; the index and the WARC files disagree")
            }
            row.body = try self.promote(original, pending: &pending).location
        }
        guard Self.isSpool(row.location.path) else { return row }
        var members: [Data] = []
        if let request = row.request { members.append(try WARCFiles.member(at: request, root: self.root)) }
        members.append(try WARCFiles.member(at: row.location, root: self.root))
        let day = WARCFiles.day(of: RFC3339.date(from: row.fetchedAt) ?? Date())
        let locations = try self.warc.append(members, day: day)
        let relocation = Relocation(
            recordID: row.recordID, isResponse: row.type == "response", from: row.location,
            to: locations[locations.count - 1],
            request: row.request == nil ? nil : locations[0])
        pending.relocations.append(relocation)
        // Rows and bodies still waiting in memory follow at once.
        pending.rows = pending.rows.map { Self.relocated($0, by: [relocation]) }
        pending.bodies = pending.bodies.mapValues { Self.relocated($0, by: [relocation]) }
        return Self.relocated(row, by: [relocation])
    }

    /// Moves the index rows after their records (inside the writer's transaction).
    static func apply(_ relocations: [Relocation], in db: Database) throws {
        for relocation in relocations {
            try db.execute(
                sql: """
                    UPDATE evidence SET path = ?, offset = ?, length = ?, request_offset = ?, request_length = ?
                    WHERE record_id = ?
                    """,
                arguments: [
                    relocation.to.path, relocation.to.offset, relocation.to.length, relocation.request?.offset,
                    relocation.request?.length, relocation.recordID,
                ])
            guard relocation.isResponse else { continue }
            try db.execute(
                sql: """
                    UPDATE evidence SET body_path = ?, body_offset = ?, body_length = ?
                    WHERE body_path = ? AND body_offset = ?
                    """,
                arguments: [
                    relocation.to.path, relocation.to.offset, relocation.to.length, relocation.from.path,
                    relocation.from.offset,
                ])
        }
    }

    // MARK: Collection

    /// Removes the spool files whose records nothing cites any more, and rewrites those in which
    /// cited records take less than half: they are copied into the current spool file first. A
    /// file in use by this process, or written to less than `minimumAge` seconds ago (a poll may
    /// still be about to cite it), is left alone. Runs on the store's writer, between batches;
    /// the writer starts one by itself at most once an hour when spool files are waiting.
    /// - Returns: what was done.
    /// - Throws: ``StoreError`` when the index cannot be read or written or a file cannot be
    ///   copied or removed: nothing cited is lost (a file is removed only after the transaction
    ///   that forgets it, and the copies of what it held, are on disk).
    @discardableResult
    public func collectSpool(minimumAge: TimeInterval = 3600) throws -> SpoolCollection {
        let report = Mutex<SpoolCollection>(SpoolCollection())
        try self.writer.submitAndWait(
            StoreWriter.Job(
                account: AccountKey(rawValue: ""), estimatedBytes: 0, fullRewrite: false, writesState: false,
                standalone: { pool in
                    let done = try self.collect(pool, minimumAge: minimumAge)
                    report.withLock { $0 = done }
                }
            ) { _, _ in })
        return report.withLock { $0 }
    }

    /// Whether an automatic collection is due: spool files other than the current one exist and
    /// none ran for ``spoolCollectionInterval`` (kept in `store_meta`, so `poll` runs share it).
    func spoolCollectionIsDue(_ db: Database, now: Date) throws -> Bool {
        let names = (try? FileSystem.listDirectory(self.spool.directory.path)) ?? []
        let inUse = self.spool.namesInUse
        guard names.contains(where: { $0.hasSuffix(".warc.gz") && !inUse.contains($0) }) else { return false }
        let last = try String.fetchOne(
            db, sql: "SELECT value FROM store_meta WHERE key = 'spool_collected_at'"
        ).flatMap(RFC3339.date(from:))
        return now.timeIntervalSince(last ?? .distantPast) >= Self.spoolCollectionInterval
    }

    /// The collection itself, on the writer's thread, holding the evidence lock throughout so
    /// that no capture is stored, deduplicated against or promoted from a file being removed.
    func collect(_ pool: DatabasePool, minimumAge: TimeInterval) throws -> SpoolCollection {
        try self.pendingEvidence.withLock { pending in
            var report = SpoolCollection()
            let folder = self.spool.directory.path
            let inUse = self.spool.namesInUse
            let now = Date()
            let candidates = ((try? FileSystem.listDirectory(folder)) ?? []).sorted().filter { name in
                guard name.hasSuffix(".warc.gz"), !inUse.contains(name),
                    let modified = try? FileManager.default.attributesOfItem(atPath: folder + "/" + name)[
                        .modificationDate] as? Date
                else { return false }
                return now.timeIntervalSince(modified) >= minimumAge
            }
            // Everything waiting goes in first, in the same transaction, so that the analysis sees it.
            try self.warc.syncWritten()
            try self.spool.syncWritten()
            let rows = pending.rows
            let relocations = pending.relocations
            var removed: [(name: String, bytes: Int)] = []
            do {
                try pool.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        try Self.insert(rows, into: db)
                        try Self.apply(relocations, in: db)
                        if !candidates.isEmpty {
                            removed = try self.collect(candidates, pending: pending, report: &report, db: db)
                        }
                        try self.spool.syncWritten()
                        try db.execute(
                            sql: "INSERT OR REPLACE INTO store_meta (key, value) VALUES ('spool_collected_at', ?)",
                            arguments: [RFC3339.string(from: now)])
                        return .commit
                    }
                }
            } catch {
                throw Self.storeError(error, path: self.databaseURL.path, operation: "collect the evidence spool")
            }
            pending.rows = []
            pending.relocations = []
            pending.recent.clear()
            pending.databaseChanges &+= 1
            pending.forgetCommittedCaptureKeys()
            for row in rows where pending.bodies[row.sha256]?.recordID == row.recordID {
                pending.bodies[row.sha256] = nil
            }
            for file in removed {
                try FileSystem.removeFile(folder + "/" + file.name)
                report.filesRemoved += 1
                report.bytesRemoved += file.bytes
            }
            if !removed.isEmpty { try FileSystem.syncDirectory(folder) }
            return report
        }
    }

    /// Decides, copies and forgets, inside the collection's transaction.
    /// - Returns: the files to remove once it commits, with their sizes.
    private func collect(
        _ names: [String], pending: PendingEvidence, report: inout SpoolCollection, db: Database
    ) throws -> [(name: String, bytes: Int)] {
        let live = try self.citedRecords(db)
        // Bodies that cited revisits (and rows still waiting in memory) read from other records.
        var liveBodies = Set(
            try Row.fetchAll(
                db, sql: "SELECT record_id, body_path, body_offset FROM evidence WHERE body_path LIKE 'warc/spool/%'"
            ).compactMap { row -> String? in
                // By storage class: a row that does not read stops the collection (a cited body's
                // file must never be taken for unused); GRDB's conversion stopped the process.
                guard let id = StoredValue.text(row[0]) ?? nil, let path = StoredValue.text(row[1]) ?? nil,
                    let offset = StoredValue.integer(row[2]) ?? nil
                else {
                    throw StoreError.corrupt(
                        "state.sqlite", detail: "an evidence row of the spool has a value that is not of its type",
                        advice: "restore state.sqlite from a backup; no spool file is collected until then")
                }
                return live.contains(id) ? "\(path)@\(offset)" : nil
            })
        for row in pending.rows { liveBodies.insert("\(row.body.path)@\(row.body.offset)") }

        var removed: [(name: String, bytes: Int)] = []
        for name in names {
            report.filesExamined += 1
            let path = "\(Self.spoolFolder)/\(name)"
            let size = FileSystem.status(self.root.appendingPathComponent(path).path)?.size ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM evidence WHERE path = ?", arguments: [path]).map(
                Self.evidenceRow)
            let kept = rows.filter { row in
                live.contains(row.recordID)
                    || row.type == "response" && liveBodies.contains("\(row.location.path)@\(row.location.offset)")
            }
            let keptBytes = kept.reduce(0) { $0 + $1.location.length + ($1.request?.length ?? 0) }
            if !kept.isEmpty, Double(keptBytes) >= Double(size) * Self.spoolCompactionShare { continue }
            // Copy what is still cited into the current spool file, then forget the file.
            var moves: [Relocation] = []
            for row in kept {
                var members: [Data] = []
                if let request = row.request { members.append(try WARCFiles.member(at: request, root: self.root)) }
                members.append(try WARCFiles.member(at: row.location, root: self.root))
                let locations = try self.spool.append(members, day: WARCFiles.day(of: Date()))
                moves.append(
                    Relocation(
                        recordID: row.recordID, isResponse: row.type == "response", from: row.location,
                        to: locations[locations.count - 1], request: row.request == nil ? nil : locations[0]))
                report.recordsCopied += 1
            }
            try Self.apply(moves, in: db)
            try db.execute(sql: "DELETE FROM evidence WHERE path = ?", arguments: [path])
            removed.append((name, size))
        }
        return removed
    }

    /// The record ids something still cites: kept snapshots, candidates' inconclusive probe
    /// answers, pending events (in the database and in states a failed commit keeps in memory),
    /// and the response records holding the bodies of conditional-GET validators and runs of
    /// unchanged polls.
    private func citedRecords(_ db: Database) throws -> Set<String> {
        let status = TrackedPostRow.statusJSONSQL(
            namesVersions: try TrackedPostRow.namesVersions(db), prefix: "tracked_posts.")
        var ids = Set(
            try String.fetchAll(
                db,
                sql: """
                    SELECT json_extract(e.value, '$.record') FROM snapshots, json_each(snapshots.head, '$.evidence') e
                    WHERE json_extract(e.value, '$.record') IS NOT NULL
                    UNION
                    SELECT json_extract(e.value, '$.record')
                    FROM tracked_posts, json_each(\(status), '$.status.missing.probe_evidence') e
                    WHERE instr(\(status), 'probe_evidence') > 0 AND json_extract(e.value, '$.record') IS NOT NULL
                    UNION
                    SELECT json_extract(e.value, '$.record')
                    FROM accounts, json_each(accounts.state, '$.pending_events') p, json_each(p.value, '$.evidence') e
                    WHERE json_extract(e.value, '$.record') IS NOT NULL
                    """))
        var bodies = Set(
            try String.fetchAll(
                db,
                sql: """
                    SELECT json_extract(v.value, '$.body_sha256') FROM accounts, json_each(accounts.state, '$.validators') v
                    UNION SELECT body_sha256 FROM unchanged_runs
                    """))
        for state in self.unsavedStates() {
            for validators in state.validators.values { bodies.insert(validators.bodySHA256) }
            for event in state.pendingEvents { ids.formUnion(event.evidence.compactMap(\.record)) }
            for tracked in state.detection.posts.values {
                ids.formUnion(tracked.status.missingRecord?.probeEvidence.compactMap(\.record) ?? [])
            }
        }
        for sha in bodies {
            ids.formUnion(
                try String.fetchAll(
                    db.cachedStatement(sql: "SELECT record_id FROM evidence WHERE sha256 = ? AND type = 'response'"),
                    arguments: [sha]))
        }
        return ids
    }
}
