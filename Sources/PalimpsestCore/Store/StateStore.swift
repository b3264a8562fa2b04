import Crypto
public import Foundation
import GRDB
import GRDBSQLite
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The state store of one `state_dir`: SQLite (`state.sqlite`, WAL mode, through GRDB) for states,
/// tracked posts, snapshots, the post archive and the evidence index, and WARC/1.1 files
/// (`warc/`) for the raw evidence. Schema and files: docs/state-format.md.
///
/// One writer thread of its own (never the cooperative pool) takes the commits of many polls in
/// one transaction with one fsync; readers use WAL snapshots and never wait for it. A
/// `state_dir` in the file layout of earlier releases (`accounts/<folder>/state.json`, …) is
/// migrated when the store opens (``LegacyMigration``); its files are left in place.
public final class StateStore: StateStoring {
    /// The state folder, absolute.
    public let root: URL
    /// `root/state.sqlite`.
    public let databaseURL: URL
    /// The schema version this release writes (`PRAGMA user_version`).
    public static let schemaVersion = 7
    /// Format version of the JSON held in columns (`accounts.state`, `tracked_posts.tracking`, …).
    public static let formatVersion = 1

    /// The schema version the database had when this store opened it, when this store upgraded
    /// it (a new database reads 0); `nil` when it was already current or opened read-only.
    public var upgradedFromVersion: Int? { self.upgrade.withLock { $0 } }
    private let upgrade = Mutex<Int?>(nil)

    let pool: DatabasePool
    /// The permanent evidence (`warc/`): records events cite, and evidence migrated from the
    /// earlier layout. Never removed.
    let warc: WARCFiles
    /// The spool (`warc/spool/`): every capture lands here first; ``collectSpool(minimumAge:)``
    /// removes what nothing cites any more.
    let spool: WARCFiles
    let writer: StoreWriter
    /// True for a store opened for writing (its schema is this release's once opened): its
    /// reads need not ask which columns `tracked_posts` has (a read-only store may be of an
    /// earlier schema, or upgraded while it is read).
    private let hasCurrentSchema: Bool

    /// States a failed commit kept in memory, by account.
    private let unsaved = Mutex<[AccountKey: AccountState]>([:])
    /// Quiet fields read ahead for a batch of polls (``prefetchQuietStates(of:)``), by account:
    /// the state with its newest run of unchanged polls applied, `nil` when it was not quiet (or its
    /// quiet fields not of their types). Each is taken by the account's next quiet read.
    private let prefetchedQuiet = Mutex<[AccountKey: AccountState?]>([:])
    /// Tests only: called by ``loadState(of:)`` and ``loadQuietState(of:)`` after their read of
    /// the database, before they return (not when a state kept in memory after a failed commit, or
    /// one read ahead, answers without reading).
    let stateReadHook = Mutex<(@Sendable () -> Void)?>(nil)
    /// The tracked posts' versions of the latest whole-state reads, until each account's next
    /// commit (``KnownVersions``).
    let knownVersions = Mutex<KnownVersions>(KnownVersions())
    /// Evidence index rows whose WARC records are written but not yet committed (they go with the
    /// next batch), by record id; the response record of each body SHA-256 among them; and the
    /// records copied to the permanent files whose rows must follow them. Held while a record is
    /// stored, promoted or collected, so those never interleave.
    let pendingEvidence = Mutex<PendingEvidence>(PendingEvidence())

    struct PendingEvidence {
        var rows: [EvidenceRow] = []
        var bodies: [String: EvidenceRow] = [:]
        var relocations: [Relocation] = []
        /// Rows and relocations a batch of the writer has taken and not yet committed: neither
        /// waiting here nor readable from the database, they are still looked up here.
        var inFlightRows: [EvidenceRow] = []
        var inFlightRelocations: [Relocation] = []

        /// Rows this store committed lately, as the table holds them (``RecentRows``): a promotion
        /// or a body lookup of this process's own captures reads them here, not from the database.
        var recent = RecentRows()

        /// Incremented whenever this process may have changed the `evidence` table (a commit of
        /// rows or relocations, a spool collection): an index answer read outside the lock holds
        /// while this is what it was.
        var databaseChanges = 0

        /// The capture keys (``RecentRows/captureKey(account:url:status:fetchedAt:sha256:)``) of
        /// ``rows`` and ``inFlightRows``, and maybe of rows committed since: a capture whose key
        /// is not here is not waiting, found without a scan of the rows (a first cycle's captures
        /// scanned thousands of waiting rows each, 5% of its CPU, under the evidence lock).
        var captureKeys: Set<String> = []

        /// The row waiting or in flight that matches, newest first.
        func row(where matches: (EvidenceRow) -> Bool) -> EvidenceRow? {
            self.rows.last(where: matches) ?? self.inFlightRows.last(where: matches)
        }

        /// The row waiting or in flight of the capture with key `key` (`matches` tells it).
        func row(capturedAs key: String, where matches: (EvidenceRow) -> Bool) -> EvidenceRow? {
            self.captureKeys.contains(key) ? self.row(where: matches) : nil
        }

        /// Appends a row to ``rows``.
        mutating func append(_ row: EvidenceRow) {
            self.rows.append(row)
            self.captureKeys.insert(
                RecentRows.captureKey(
                    account: row.account, url: row.url, status: row.status, fetchedAt: row.fetchedAt,
                    sha256: row.sha256))
        }

        /// Sets ``captureKeys`` to the keys of the rows still waiting or in flight.
        mutating func forgetCommittedCaptureKeys() {
            self.captureKeys = Set(
                (self.rows + self.inFlightRows).map {
                    RecentRows.captureKey(
                        account: $0.account, url: $0.url, status: $0.status, fetchedAt: $0.fetchedAt, sha256: $0.sha256)
                })
        }

        /// Every relocation not yet in the database, in order.
        var unwrittenRelocations: [Relocation] { self.inFlightRelocations + self.relocations }
    }

    /// Evidence index rows this store committed in the last one to two minutes, by record id, by
    /// location and (response records) by body SHA-256, each as the table holds it after the
    /// relocations committed since. A changed feed's poll looked its own captures up again when it
    /// promoted what its events cite and when the next capture shared a body: index reads through
    /// the pool were 7% of its CPU (issue 9). Two generations: the older one is dropped when the
    /// newer is a minute old or holds ``RecentRows/generationLimit`` rows, so memory stays bounded
    /// (a row with its headers is about 1 KB: a few MB at most, beside the 500 MiB of target 3).
    /// A spool collection (which copies records on and deletes rows) clears both; the database
    /// stays the only record, this is what it said a moment ago.
    struct RecentRows {
        /// Rows per generation at most.
        static let generationLimit = 4_096
        /// Seconds a generation is the newer one at most.
        static let generationSeconds: TimeInterval = 60

        private struct Generation {
            var rows: [String: EvidenceRow] = [:]
            var byLocation: [WARCLocation.Key: String] = [:]
            /// The rows reading their body from another record's location (revisits), by that
            /// location: those a relocation of that response record moves besides itself.
            var byBody: [WARCLocation.Key: [String]] = [:]
            var bodies: [String: String] = [:]
            var byCapture: [String: String] = [:]
            var started = Date()

            mutating func insert(_ row: EvidenceRow) {
                if let old = self.rows[row.recordID] {
                    self.byLocation[old.location.key] = nil
                    self.forgetBody(of: old)
                }
                self.rows[row.recordID] = row
                self.byLocation[row.location.key] = row.recordID
                self.rememberBody(of: row)
                if row.type == "response", self.bodies[row.sha256] == nil { self.bodies[row.sha256] = row.recordID }
                let capture = RecentRows.captureKey(
                    account: row.account, url: row.url, status: row.status, fetchedAt: row.fetchedAt, sha256: row.sha256
                )
                if self.byCapture[capture] == nil { self.byCapture[capture] = row.recordID }
            }

            /// Moves the rows `relocations` moved: the relocated records themselves and the rows
            /// reading their body from a relocated response record, found by record id and by body
            /// location (each batch's relocations against every row held took 1.8% of a steady
            /// cycle's CPU).
            mutating func apply(_ relocations: [Relocation]) {
                guard !relocations.isEmpty, !self.rows.isEmpty else { return }
                var affected: Set<String> = []
                for relocation in relocations {
                    if self.rows[relocation.recordID] != nil { affected.insert(relocation.recordID) }
                    if relocation.isResponse, let readers = self.byBody[relocation.from.key] {
                        affected.formUnion(readers)
                    }
                }
                for id in affected {
                    guard let row = self.rows[id] else { continue }
                    let moved = StateStore.relocated(row, by: relocations)
                    guard moved.location != row.location || moved.body != row.body || moved.request != row.request
                    else { continue }
                    self.byLocation[row.location.key] = nil
                    self.forgetBody(of: row)
                    self.rows[id] = moved
                    self.byLocation[moved.location.key] = id
                    self.rememberBody(of: moved)
                }
            }

            private mutating func rememberBody(of row: EvidenceRow) {
                guard row.body != row.location else { return }
                self.byBody[row.body.key, default: []].append(row.recordID)
            }

            private mutating func forgetBody(of row: EvidenceRow) {
                guard row.body != row.location else { return }
                self.byBody[row.body.key]?.removeAll { $0 == row.recordID }
                if self.byBody[row.body.key]?.isEmpty == true { self.byBody[row.body.key] = nil }
            }
        }

        private var newer = Generation()
        private var older = Generation()

        /// Every row this store committed since this time (UTC) is held: a capture fetched since
        /// then that is not here was never stored by this store (its row would have been committed
        /// after it was fetched). The store's opening, then the start of the older generation.
        private(set) var coveredSince: Date

        /// Nothing held, covering what is committed from `now` on.
        init(now: Date = Date()) {
            self.coveredSince = now
        }

        /// Takes in the rows and relocations one batch committed (`rows` as they were taken).
        mutating func committed(_ rows: [EvidenceRow], relocations: [Relocation], at now: Date = Date()) {
            self.older.apply(relocations)
            self.newer.apply(relocations)
            if self.newer.rows.isEmpty {
                self.newer.started = now
            } else if self.newer.rows.count >= Self.generationLimit
                || now.timeIntervalSince(self.newer.started) >= Self.generationSeconds
            {
                self.older = self.newer
                self.newer = Generation(started: now)
                self.coveredSince = max(self.coveredSince, self.older.started)
            }
            for row in rows { self.newer.insert(StateStore.relocated(row, by: relocations)) }
        }

        /// Forgets every row (a spool collection moved or deleted some).
        mutating func clear(now: Date = Date()) {
            self = RecentRows(now: now)
        }

        /// What identifies a capture: one account's answer from one URL, with one status, at one
        /// time (RFC 3339, as stored), with one body.
        static func captureKey(account: String, url: String, status: Int, fetchedAt: String, sha256: String) -> String {
            "\(account)\n\(url)\n\(status)\n\(fetchedAt)\n\(sha256)"
        }

        /// The row of the capture with this ``captureKey(account:url:status:fetchedAt:sha256:)``.
        func row(capturedAs key: String) -> EvidenceRow? {
            for generation in [self.newer, self.older] {
                if let id = generation.byCapture[key], let row = generation.rows[id] { return row }
            }
            return nil
        }

        /// Every row held, newer generation first.
        var all: [EvidenceRow] { Array(self.newer.rows.values) + Array(self.older.rows.values) }

        func row(id: String) -> EvidenceRow? {
            self.newer.rows[id] ?? self.older.rows[id]
        }

        func row(at location: WARCLocation) -> EvidenceRow? {
            for generation in [self.newer, self.older] {
                if let id = generation.byLocation[location.key], let row = generation.rows[id] { return row }
            }
            return nil
        }

        /// The response record holding the body `sha256`.
        func body(sha256: String) -> EvidenceRow? {
            for generation in [self.newer, self.older] {
                if let id = generation.bodies[sha256], let row = generation.rows[id] { return row }
            }
            return nil
        }
    }

    /// A record copied to another place (promoted to the permanent files, or moved forward in the
    /// spool): its index row follows it with the next batch.
    struct Relocation: Sendable {
        var recordID: String
        var isResponse: Bool
        var from: WARCLocation
        var to: WARCLocation
        var request: WARCLocation?
    }

    /// Opens (and creates, mode 0700/0600) the store of `root`, migrating a `state_dir` of the
    /// earlier file layout first.
    /// - Parameter root: The `state_dir` from the config; a relative path is resolved against the
    ///   current directory.
    /// - Throws: ``StoreError`` when the folder or the database cannot be created or opened, the
    ///   database has a schema version this release does not know, or the migration fails (it is
    ///   resumed at the next start; nothing is lost).
    public convenience init(root: URL) throws {
        try self.init(root: root, migrationFault: nil)
    }

    /// ``init(root:)`` with a simulated crash of the migration (tests only).
    init(root: URL, migrationFault: LegacyMigration.Fault?) throws {
        let absolute =
            root.path.hasPrefix("/")
            ? root : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(root.path)
        self.root = absolute.standardizedFileURL
        self.databaseURL = self.root.appendingPathComponent("state.sqlite")
        try FileSystem.makeDirectories(self.root.path)
        self.pool = try Self.openPool(self.databaseURL, readOnly: false)
        self.warc = WARCFiles(root: self.root)
        self.spool = WARCFiles(root: self.root, folder: Self.spoolFolder, rotateBytes: Self.spoolRotateBytes)
        self.writer = StoreWriter(pool: self.pool, databasePath: self.databaseURL.path)
        self.hasCurrentSchema = true
        self.writer.attach(self)
        try self.migrateSchema()
        try LegacyMigration.run(store: self, fault: migrationFault)
    }

    /// Opens an existing store for reading only (`status`, the digest): nothing is created,
    /// migrated or locked. A store of an earlier schema is read as it is.
    /// - Returns: `nil` when `root` holds no `state.sqlite`.
    /// - Throws: ``StoreError`` when the database cannot be opened, or is of a newer schema than
    ///   this release writes (a newer release may have changed what its columns mean).
    public static func openReadOnly(root: URL) throws -> StateStore? {
        let database = root.standardizedFileURL.appendingPathComponent("state.sqlite")
        guard FileSystem.exists(database.path) else { return nil }
        return try StateStore(readOnlyRoot: root.standardizedFileURL)
    }

    /// The schema version of the store in `root` (`PRAGMA user_version`), read without opening it
    /// for writing: `run` tells systemd that an upgrade may take minutes before it starts one.
    /// - Returns: `nil` when `root` holds no `state.sqlite` or it cannot be read.
    public static func storedSchemaVersion(root: URL) -> Int? {
        let path = root.standardizedFileURL.appendingPathComponent("state.sqlite").path
        guard FileSystem.exists(path) else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
        return try? queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
    }

    private init(readOnlyRoot root: URL) throws {
        self.root = root
        self.databaseURL = root.appendingPathComponent("state.sqlite")
        self.pool = try Self.openPool(self.databaseURL, readOnly: true)
        // A newer release may have changed what the columns mean: read only what this one wrote.
        let version: Int
        do {
            version = try self.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
        } catch {
            throw Self.storeError(error, path: self.databaseURL.path, operation: "open")
        }
        guard version <= Self.schemaVersion else {
            throw StoreError(
                operation: "open", path: self.databaseURL.path,
                detail: "schema version \(version); this palimpsest reads version \(Self.schemaVersion)",
                advice: "run a palimpsest release that reads this version")
        }
        self.warc = WARCFiles(root: root)
        self.spool = WARCFiles(root: root, folder: Self.spoolFolder, rotateBytes: Self.spoolRotateBytes)
        self.writer = StoreWriter(pool: self.pool, databasePath: self.databaseURL.path, readOnly: true)
        self.hasCurrentSchema = false
    }

    deinit {
        self.writer.stop()
    }

    /// Pages the WAL holds before the writer copies them into `state.sqlite`
    /// (`PRAGMA wal_autocheckpoint`; SQLite's default is 1,000): 64 MiB at 4 KiB pages.
    static let walCheckpointPages = 16_384

    private static func openPool(_ url: URL, readOnly: Bool) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(30)
        configuration.label = "palimpsest.state"
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            // Keep `state.sqlite-wal` and `-shm` when the last connection closes: the next process
            // then opens without creating them, so a disk that is full (or a file size limit)
            // shows as a failed commit that keeps the state in memory, not as a store that
            // cannot open.
            if let connection = db.sqliteConnection {
                var persist: Int32 = 1
                _ = sqlite3_file_control(connection, nil, SQLITE_FCNTL_PERSIST_WAL, &persist)
            }
            if !db.configuration.readonly {
                // One fsync per committed transaction (WAL + FULL), the order SQLite guarantees.
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // Each commit of a batch runs in a savepoint, whose journal SQLite spills to a
                // temporary file past 64 KiB: that doubled the bytes a first poll cycle wrote
                // through write() (478 MB for 2,000 new feeds, to files unlinked before the page
                // cache wrote most of them). It is never needed after a crash (the WAL is), so
                // it stays in memory, bounded by what one commit changes.
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
                // A checkpoint copies each page once however many transactions wrote it since the
                // last one: at 1,000 pages (the default) a first cycle checkpointed after every
                // batch (docs/state-format.md, "Checkpoints").
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.walCheckpointPages)")
            }
        }
        do {
            let existed = FileSystem.exists(url.path)
            let pool = try DatabasePool(path: url.path, configuration: configuration)
            if !existed { chmod(url.path, 0o600) }
            return pool
        } catch {
            throw Self.storeError(error, path: url.path, operation: "open")
        }
    }

    // MARK: Schema

    private func migrateSchema() throws {
        var found = 0
        do {
            try self.pool.writeWithoutTransaction { db in
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                found = version
                guard version <= Self.schemaVersion else {
                    throw StoreError(
                        operation: "open", path: self.databaseURL.path,
                        detail: "schema version \(version); this palimpsest reads version \(Self.schemaVersion)",
                        advice: "run a palimpsest release that reads this version")
                }
                guard version < Self.schemaVersion else { return }
                // Schema 5 drops and rebuilds `post_versions`, which `archive` references: with
                // foreign keys enforced, dropping it would fail on every archived version. Off
                // for the upgrade (it can only change outside a transaction), rows copied as they
                // are, so no reference is broken; on again after, whatever happened.
                let enforced = try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false
                if enforced { try db.execute(sql: "PRAGMA foreign_keys = OFF") }
                defer { if enforced { try? db.execute(sql: "PRAGMA foreign_keys = ON") } }
                try db.inTransaction(.immediate) {
                    if version < 1 { try db.execute(sql: Self.schemaV1) }
                    if version < 2 { try db.execute(sql: Self.schemaV2) }
                    if version < 3 { try db.execute(sql: Self.schemaV3) }
                    if version < 4 { try db.execute(sql: Self.schemaV4) }
                    if version < 5 { try db.execute(sql: Self.schemaV5) }
                    if version < 6 { try db.execute(sql: Self.schemaV6) }
                    if version < 7 { try db.execute(sql: Self.schemaV7) }
                    try db.execute(sql: "PRAGMA user_version = \(Self.schemaVersion)")
                    return .commit
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            guard found > 0 else {
                throw Self.storeError(error, path: self.databaseURL.path, operation: "create schema")
            }
            // An upgrade copies tables (schema 4: `accounts` and `snapshots`; schema 5:
            // `post_versions` and `tracked_posts`; schema 6: `tracked_posts`; schema 7: `accounts`)
            // into the WAL first.
            var failure = Self.storeError(
                error, path: self.databaseURL.path,
                operation: "upgrade the store from schema \(found) to \(Self.schemaVersion)")
            failure.advice +=
                "; the upgrade is one transaction, so nothing was changed; it needs free space of about half of "
                + "state.sqlite's size; until it succeeds, the previous release still runs on the store as it is"
            throw failure
        }
        if found < Self.schemaVersion { self.upgrade.withLock { $0 = found } }
    }

    /// Schema version 1 (docs/state-format.md explains every table and column).
    static let schemaV1 = """
        CREATE TABLE accounts (
            key TEXT PRIMARY KEY NOT NULL,
            state TEXT NOT NULL,
            last_poll_at TEXT,
            last_outcome TEXT,
            updated_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE tracked_posts (
            account TEXT NOT NULL,
            post_id TEXT NOT NULL,
            post TEXT NOT NULL,
            PRIMARY KEY (account, post_id)
        ) WITHOUT ROWID;
        CREATE TABLE post_versions (
            content_sha256 TEXT PRIMARY KEY NOT NULL,
            post TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE archive (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            account TEXT NOT NULL,
            post_id TEXT NOT NULL,
            version TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            snapshot TEXT NOT NULL,
            content_sha256 TEXT NOT NULL REFERENCES post_versions(content_sha256),
            former_ids TEXT,
            UNIQUE (account, post_id, version)
        );
        CREATE TABLE snapshots (
            account TEXT NOT NULL,
            id TEXT NOT NULL,
            polled_at TEXT NOT NULL,
            is_complete INTEGER NOT NULL,
            head TEXT NOT NULL,
            listing TEXT NOT NULL,
            PRIMARY KEY (account, id)
        ) WITHOUT ROWID;
        CREATE TABLE observations (
            account TEXT NOT NULL,
            at TEXT NOT NULL,
            url TEXT NOT NULL,
            status INTEGER NOT NULL,
            body_sha256 TEXT NOT NULL,
            PRIMARY KEY (account, at)
        ) WITHOUT ROWID;
        CREATE TABLE evidence (
            record_id TEXT PRIMARY KEY NOT NULL,
            type TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            path TEXT NOT NULL,
            offset INTEGER NOT NULL,
            length INTEGER NOT NULL,
            request_offset INTEGER,
            request_length INTEGER,
            body_path TEXT NOT NULL,
            body_offset INTEGER NOT NULL,
            body_length INTEGER NOT NULL,
            account TEXT NOT NULL,
            url TEXT NOT NULL,
            effective_url TEXT NOT NULL,
            status INTEGER NOT NULL,
            fetched_at TEXT NOT NULL,
            remote_ip TEXT,
            redirects TEXT NOT NULL,
            headers TEXT NOT NULL,
            legacy_path TEXT
        ) WITHOUT ROWID;
        CREATE INDEX evidence_by_sha256 ON evidence (sha256, type);
        CREATE INDEX evidence_by_account ON evidence (account, fetched_at);
        CREATE TABLE migrated_folders (
            folder TEXT PRIMARY KEY NOT NULL,
            account TEXT NOT NULL,
            migrated_at TEXT NOT NULL
        ) WITHOUT ROWID;
        """

    /// Schema version 2: unchanged polls as runs (one row per run, updated in place) instead of
    /// one `observations` row per poll; each earlier row becomes a run of one poll.
    static let schemaV2 = """
        CREATE TABLE unchanged_runs (
            account TEXT NOT NULL,
            since TEXT NOT NULL,
            until TEXT NOT NULL,
            polls INTEGER NOT NULL,
            url TEXT NOT NULL,
            status INTEGER NOT NULL,
            body_sha256 TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            PRIMARY KEY (account, since)
        ) WITHOUT ROWID;
        INSERT INTO unchanged_runs (account, since, until, polls, url, status, body_sha256)
            SELECT account, at, at, 1, url, status, body_sha256 FROM observations;
        DROP TABLE observations;
        ALTER TABLE accounts ADD COLUMN quiet INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX evidence_by_path ON evidence (path, offset);
        CREATE INDEX evidence_by_body ON evidence (body_path, body_offset);
        CREATE TABLE store_meta (
            key TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """

    /// Schema version 3: the alert outbox (one row per event and sink, kept until delivered or
    /// given up) and the alarms raised and not yet cleared (``AlertOutbox``, docs/alerts.md).
    static let schemaV3 = """
        CREATE TABLE alert_outbox (
            sink TEXT NOT NULL,
            event_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            event TEXT NOT NULL,
            enqueued_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            delivered_at TEXT,
            given_up_at TEXT,
            PRIMARY KEY (sink, event_id)
        ) WITHOUT ROWID;
        CREATE INDEX alert_outbox_waiting ON alert_outbox (delivered_at, given_up_at, sink, seq);
        CREATE TABLE alarms (
            key TEXT PRIMARY KEY NOT NULL,
            kind TEXT NOT NULL,
            since TEXT NOT NULL,
            raised_at TEXT NOT NULL,
            event_id TEXT NOT NULL,
            alarm TEXT NOT NULL
        ) WITHOUT ROWID;
        """

    /// A tracked post's status (`visible`, `missing`, `deleted`, `aged_out`) as SQL over its row
    /// of schema 5 or before, the expression of the index `tracked_posts_by_state` in schemas 4
    /// and 5 (schema 6: ``trackedPostStateV6``); NULL for a row that is not JSON
    /// (`json_extract` would fail the statement, and with the index every write of the row).
    static let trackedPostState = TrackedPostRow.statusSQL(namesVersions: false)

    /// Schema version 4: `accounts` and `snapshots` become rowid tables (same columns, same unique
    /// keys). Their rows (an account's state, about 1 KB; a snapshot's head and listing, about
    /// 1.5 KB) are larger than a `WITHOUT ROWID` page keeps inline (about 1 KB of a 4 KiB page), so
    /// each row had spilled into an overflow page of its own, mostly empty: at 10,000 accounts
    /// 44 MB for 10 MB of states, and one more page written per row written. Rows are copied as
    /// they are. An index of each account's tracked posts by their status (`visible`, `missing`,
    /// …) lets the start-up summaries and `status` count the watched posts without reading every
    /// tracked post's JSON (``watchedPostCounts(_:)``).
    static let schemaV4 = """
        CREATE TABLE accounts_v4 (
            key TEXT PRIMARY KEY NOT NULL,
            state TEXT NOT NULL,
            last_poll_at TEXT,
            last_outcome TEXT,
            updated_at TEXT NOT NULL,
            quiet INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO accounts_v4 (key, state, last_poll_at, last_outcome, updated_at, quiet)
            SELECT key, state, last_poll_at, last_outcome, updated_at, quiet FROM accounts ORDER BY key;
        DROP TABLE accounts;
        ALTER TABLE accounts_v4 RENAME TO accounts;
        CREATE TABLE snapshots_v4 (
            account TEXT NOT NULL,
            id TEXT NOT NULL,
            polled_at TEXT NOT NULL,
            is_complete INTEGER NOT NULL,
            head TEXT NOT NULL,
            listing TEXT NOT NULL,
            PRIMARY KEY (account, id)
        );
        INSERT INTO snapshots_v4 (account, id, polled_at, is_complete, head, listing)
            SELECT account, id, polled_at, is_complete, head, listing FROM snapshots ORDER BY account, id;
        DROP TABLE snapshots;
        ALTER TABLE snapshots_v4 RENAME TO snapshots;
        CREATE INDEX tracked_posts_by_state ON tracked_posts (account, \(trackedPostState));
        """

    /// Schema version 5: `post_versions` and `tracked_posts` become rowid tables (same columns,
    /// the same keys as unique indexes), as `accounts` and `snapshots` did in version 4. A feed
    /// item's post is often a little over a kilobyte of JSON, more than a `WITHOUT ROWID` page
    /// keeps inline (about 1,000 bytes of a 4 KiB page): each such row put its last few hundred
    /// bytes in an overflow page of its own. On the 2,000-feed benchmark (20 items of about
    /// 800 B) both tables were three-quarters empty overflow pages (150 MB each for 33,000
    /// rows). A rowid table keeps a row of up to about 4,000 bytes inline, and new rows are
    /// appended in insertion order rather than put at a random place by their content hash.
    /// Rows are copied as they are; `archive`'s reference to `post_versions(content_sha256)`
    /// names the rebuilt table (foreign keys are not enforced while it is rebuilt, as SQLite's
    /// procedure for changing a table prescribes: ``migrateSchema()``).
    static let schemaV5 = """
        CREATE TABLE post_versions_v5 (
            content_sha256 TEXT NOT NULL UNIQUE,
            post TEXT NOT NULL
        );
        INSERT INTO post_versions_v5 (content_sha256, post)
            SELECT content_sha256, post FROM post_versions ORDER BY content_sha256;
        DROP TABLE post_versions;
        ALTER TABLE post_versions_v5 RENAME TO post_versions;
        CREATE TABLE tracked_posts_v5 (
            account TEXT NOT NULL,
            post_id TEXT NOT NULL,
            post TEXT NOT NULL,
            UNIQUE (account, post_id)
        );
        INSERT INTO tracked_posts_v5 (account, post_id, post)
            SELECT account, post_id, post FROM tracked_posts ORDER BY account, post_id;
        DROP TABLE tracked_posts;
        ALTER TABLE tracked_posts_v5 RENAME TO tracked_posts;
        CREATE INDEX tracked_posts_by_state ON tracked_posts (account, \(trackedPostState));
        """

    /// Schema version 6: a tracked post's row holds its tracking fields (`tracking`: first and
    /// last seen, status and its record) and names its last known version by `content_sha256` in
    /// `post_versions`, where each listed version is already stored once (``TrackedPostRow``).
    /// Each row had held the whole post again: about 1.1 KB of a feed item's JSON, rewritten at
    /// every poll that listed the post since `last_seen` changes, and a second copy of every
    /// tracked post's content in the store. Rows are copied as they are (their whole tracked post
    /// in `post`); each becomes a row of the new form at its next write. The index by status reads
    /// the status out of whichever JSON the row holds (``trackedPostStateV6``): NULL for a row
    /// whose JSON is not valid or has no status, which `status` then reads and names.
    static let schemaV6 = """
        CREATE TABLE tracked_posts_v6 (
            account TEXT NOT NULL,
            post_id TEXT NOT NULL,
            content_sha256 TEXT,
            tracking TEXT,
            post TEXT,
            UNIQUE (account, post_id)
        );
        INSERT INTO tracked_posts_v6 (account, post_id, post)
            SELECT account, post_id, post FROM tracked_posts ORDER BY account, post_id;
        DROP TABLE tracked_posts;
        ALTER TABLE tracked_posts_v6 RENAME TO tracked_posts;
        CREATE INDEX tracked_posts_by_state ON tracked_posts (account, \(trackedPostStateV6));
        """

    /// Schema version 7: `accounts` keeps, beside each state, the fields of it that `status`, the
    /// digest and `run`'s start read for every account (``StoredStateFields``), as stored
    /// generated columns: SQLite computes them from `state` whenever a row is written, so they
    /// cannot say anything the state does not. SQLite 3.40 parses a state's JSON again for each
    /// field picked out of it: 22 parses per account at every read, a third of `status`'s time at
    /// 100,000 accounts, are now made once per state written (31 with the blind span's fields,
    /// which had been decoded through JSONDecoder for each blind account). Rows are copied as they are (each one's
    /// fields computed once by the copy); a state that is not JSON has NULL fields and
    /// `state_is_json` 0, and is named by the readers as before. Written out, as each schema
    /// before it: what a store of version 7 holds does not change with ``StoredStateFields``.
    static let schemaV7 = """
        CREATE TABLE accounts_v7 (
            key TEXT PRIMARY KEY NOT NULL,
            state TEXT NOT NULL,
            last_poll_at TEXT,
            last_outcome TEXT,
            updated_at TEXT NOT NULL,
            quiet INTEGER NOT NULL DEFAULT 0,
            state_is_json GENERATED ALWAYS AS (json_valid(state)) STORED,
            state_last_poll_type GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_type(state, '$.last_poll') END) STORED,
            state_last_poll_at GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.last_poll.at') END) STORED,
            state_last_poll_outcome GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.last_poll.outcome') END) STORED,
            state_last_poll_detail GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.last_poll.detail') END) STORED,
            state_last_poll_posts GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.last_poll.posts') END) STORED,
            state_events_logged_type GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_type(state, '$.events_logged') END) STORED,
            state_events_logged GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.events_logged') END) STORED,
            state_moved GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.moved') END) STORED,
            state_blind_span_type GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_type(state, '$.detection.blind_span') END) STORED,
            state_last_complete_type GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_type(state, '$.detection.last_complete') END) STORED,
            state_poll_spans_type GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_type(state, '$.poll_spans') END) STORED,
            state_last_complete_id_type GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_type(state, '$.detection.last_complete.id') END) STORED,
            state_last_complete_id GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.detection.last_complete.id') END) STORED,
            state_last_complete_polled_at GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.detection.last_complete.polled_at') END) STORED,
            state_last_complete_window_type GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_type(state, '$.detection.last_complete.window') END) STORED,
            state_last_complete_newest GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.detection.last_complete.window.newest') END) STORED,
            state_last_complete_floor GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.detection.last_complete.window.floor') END) STORED,
            state_last_complete_post_count GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.detection.last_complete.window.post_count') END) STORED,
            state_last_complete_pinned_count GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.detection.last_complete.window.pinned_count') END) STORED,
            state_pending_events GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_array_length(state, '$.pending_events') END) STORED,
            state_blind_span_from GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.detection.blind_span.from') END) STORED,
            state_blind_span_to GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.detection.blind_span.to') END) STORED,
            state_blind_span_failed_polls GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.detection.blind_span.failed_polls') END) STORED,
            state_blind_span_failure_type GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_type(state, '$.detection.blind_span.failure') END) STORED,
            state_blind_span_failure_kind GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.detection.blind_span.failure.kind') END) STORED,
            state_blind_span_failure_message GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.detection.blind_span.failure.message') END) STORED,
            state_blind_span_failure_url GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.detection.blind_span.failure.url') END) STORED,
            state_blind_span_failure_http_status GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.detection.blind_span.failure.http_status') END) STORED,
            state_blind_span_failure_retry_after GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN json_extract(state, '$.detection.blind_span.failure.retry_after') END) STORED,
            state_poll_spans GENERATED ALWAYS AS (
                CASE WHEN state_is_json THEN CASE WHEN json_type(state, '$.poll_spans') = 'array' THEN json_extract(state, '$.poll_spans') END END) STORED
        );
        INSERT INTO accounts_v7 (key, state, last_poll_at, last_outcome, updated_at, quiet)
            SELECT key, state, last_poll_at, last_outcome, updated_at, quiet FROM accounts ORDER BY key;
        DROP TABLE accounts;
        ALTER TABLE accounts_v7 RENAME TO accounts;
        """

    /// Whether `accounts` has the stored fields of schema 7 (``schemaV7``): a store opened for
    /// writing has them; one opened read-only may be of an earlier schema, read as it is.
    func storesStateFields(_ db: Database) throws -> Bool {
        if self.hasCurrentSchema { return true }
        return try (Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0) >= 7
    }

    /// A tracked post's status as SQL over its row of schema 6, the expression of the index
    /// `tracked_posts_by_state`: `$.status.state` of its tracking fields, or of the whole tracked
    /// post of a row copied from schema 5; NULL when that JSON is not valid.
    static let trackedPostStateV6 = TrackedPostRow.statusSQL(namesVersions: true)

    // MARK: States

    public func loadState(of account: AccountKey) throws -> AccountState? {
        // Before the database: see ``applying(_:to:)``.
        let deferred = self.writer.deferredUnchanged(of: account)
        if let kept = self.unsaved.withLock({ $0[account] }) {
            // Hashes an earlier read remembered are not those of this state's rows.
            _ = self.knownVersions.withLock { $0.take(account) }
            // A run of unchanged polls committed after the failed commit is newer than it.
            let run = try self.read { db in try Self.latestRun(db, account: account) }
            return Self.applying(deferred, to: run.map { $0.applied(to: kept) } ?? kept)
        }
        var versions: [String: String] = [:]
        let state = try self.read { db in
            try Self.readState(
                db, account: account, path: self.databaseURL.path, namesVersions: self.hasCurrentSchema ? true : nil,
                versions: &versions)
        }
        self.knownVersions.withLock { $0.remember(versions, of: account) }
        self.stateReadHook.withLock { $0 }?()
        return state.map { Self.applying(deferred, to: $0) }
    }

    /// `state` with `deferred`, the newest unchanged poll of its account that was waiting for a
    /// batch (or in one not yet committed), if any.
    ///
    /// A reader asks the writer for it *before* it reads the database: the writer forgets a
    /// deferred poll only once the transaction holding it has committed, so the poll is then in
    /// the one or the other. Asked after the read, a batch committed in between left it in neither:
    /// the state read lacked the poll, its watched span ended early and an unchanged poll after it
    /// took the gap path and wrote the whole state (a flaky `UnchangedPollTests` under load).
    ///
    /// Asked first, it may be a poll the database already holds, or one older than the state read
    /// (the writer forgets a committed poll just after the commit's callers resume): applying it
    /// then changes nothing, since ``UnchangedRun/applied(to:)`` only applies a run newer than the
    /// state's last poll.
    static func applying(_ deferred: UnchangedObservation?, to state: AccountState) -> AccountState {
        guard let unchanged = deferred else { return state }
        return UnchangedRun(
            since: unchanged.at, until: unchanged.at, polls: 1, url: unchanged.url, status: unchanged.status,
            bodySHA256: unchanged.bodySHA256, etag: unchanged.etag, lastModified: unchanged.lastModified
        ).applied(to: state)
    }

    public func takePrefetchedQuietState(of account: AccountKey) -> AccountState?? {
        guard !self.hasUnsavedState(account),
            let prefetched = self.prefetchedQuiet.withLock({ $0.removeValue(forKey: account) })
        else { return nil }
        // Read when no unchanged poll of the account was unwritten (``prefetchQuietStates(of:)``):
        // one deferred since is newer than the read.
        let deferred = self.writer.deferredUnchanged(of: account)
        return .some(prefetched.map { Self.applying(deferred, to: $0) })
    }

    public func loadQuietState(of account: AccountKey) throws -> AccountState? {
        guard !self.hasUnsavedState(account) else { return nil }
        if let prefetched = self.takePrefetchedQuietState(of: account) { return prefetched }
        // Before the database: see ``applying(_:to:)``.
        let deferred = self.writer.deferredUnchanged(of: account)
        // This runs once per poll of every quiet account: one cached statement, outside a
        // transaction (one statement is one consistent read of the WAL), in which SQLite picks the
        // quiet fields out of the state's JSON (decoding the whole state with JSONDecoder was a
        // sixth of a cycle in which nothing changed), one row per validated timeline URL, each
        // with the account's newest run of unchanged polls.
        let rows = try self.readOneStatement { db -> [Row] in
            try Row.fetchAll(
                db.cachedStatement(
                    sql:
                        "SELECT \(QuietFields.columns) \(QuietFields.source) WHERE a.key = ? AND a.quiet = 1 \(QuietFields.readable)"
                ),
                arguments: [account.rawValue])
        }
        // Not quiet; or quiet fields not of their types: the whole read says what does not decode.
        self.stateReadHook.withLock { $0 }?()
        guard let state = QuietFields.stateWithNewestRun(of: account, from: rows) else { return nil }
        return Self.applying(deferred, to: state)
    }

    public func prefetchQuietStates(of accounts: [AccountKey]) throws {
        // An unchanged poll not yet written could be written between this read and the account's
        // next one, and would then be in neither: such an account reads alone, as one whose
        // state a failed commit keeps in memory.
        let accounts = accounts.filter { !self.writer.hasUnwrittenUnchanged(of: $0) && !self.hasUnsavedState($0) }
        guard !accounts.isEmpty else { return }
        let placeholders = repeatElement("?", count: accounts.count).joined(separator: ", ")
        let rows = try self.readOneStatement { db -> [Row] in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT \(QuietFields.columns), a.key AS quiet_account \(QuietFields.source)
                        WHERE a.key IN (\(placeholders)) AND a.quiet = 1 \(QuietFields.readable)
                        """),
                arguments: StatementArguments(accounts.map(\.rawValue)))
        }
        var rowsByAccount: [String: [Row]] = [:]
        // By position: a lookup by name lowercases the name and searches the columns at each row.
        // By storage class: a key edited into bytes that are not text is no account (GRDB's
        // conversion stopped the process).
        for row in rows {
            guard let key = StoredValue.text(row[QuietFields.accountColumn]) ?? nil else { continue }
            rowsByAccount[key, default: []].append(row)
        }
        var read: [AccountKey: AccountState?] = [:]
        for account in accounts {
            read[account] = .some(
                rowsByAccount[account.rawValue].flatMap { QuietFields.stateWithNewestRun(of: account, from: $0) })
        }
        self.prefetchedQuiet.withLock { $0.merge(read) { $1 } }
    }

    public func discardPrefetchedQuietStates() {
        self.prefetchedQuiet.withLock { $0 = [:] }
    }

    public func discardPrefetchedQuietState(of account: AccountKey) {
        self.prefetchedQuiet.withLock { _ = $0.removeValue(forKey: account) }
    }

    /// The account's state without its tracked posts (`detection.posts` empty), with its newest
    /// run of unchanged polls applied; `nil` when it has none. For readers that need its polls
    /// and spans only (the digest, `status`).
    /// - Throws: ``StoreError`` when the store cannot be read or the state does not decode.
    public func loadStateWithoutPosts(of account: AccountKey) throws -> AccountState? {
        try self.read { db -> AccountState? in
            guard
                let text = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT state FROM accounts WHERE key = ?"), arguments: [account.rawValue])
            else { return nil }
            let state = try Self.decodeState(text, account: account, path: self.databaseURL.path)
            return try Self.latestRun(db, account: account).map { $0.applied(to: state) } ?? state
        }
    }

    private static func decodeState(_ text: String, account: AccountKey, path: String) throws -> AccountState {
        do {
            return try JSONCoding.decoder().decode(AccountState.self, from: Data(text.utf8))
        } catch {
            // Foundation's JSONDecoder says "not valid JSON" of valid JSON with a number it cannot
            // read (`1e300` or `1.5` for a count): the text itself tells the two apart.
            let detail: String
            if !Self.isJSON(text) {
                detail = "is not JSON (cut short, or edited by hand)"
            } else if case DecodingError.dataCorrupted(let context) = error, context.codingPath.isEmpty {
                detail =
                    "is JSON, but not a state palimpsest reads: a value is of the wrong type or out of range "
                    + "(e.g. a fraction or a number too large where a whole number belongs)"
            } else {
                detail = "is JSON, but not a state palimpsest reads: \(DecodingErrorText.describe(error))"
            }
            throw StoreError.corrupt(
                path, detail: "the state of account \(account) \(detail)",
                advice: Self.startAfreshAdvice(account: account, path: path))
        }
    }

    /// What to do about an account whose stored state does not read: restore the store, or start
    /// the account afresh with the command that does it, its path and key quoted for the shell
    /// and for SQL. The command waits up to 5 s for a lock the daemon holds (`sqlite3` alone
    /// answered "database is locked" while the daemon wrote).
    static func startAfreshAdvice(account: AccountKey, path: String) -> String {
        let sql = "DELETE FROM accounts WHERE key = '\(account.rawValue.replacingOccurrences(of: "'", with: "''"))'"
        return "restore state.sqlite from a backup, or start the account afresh (its tracked posts are forgotten; "
            + "the log, the archive and the evidence stay): "
            + "`sqlite3 -cmd '.timeout 5000' \(Self.shellWord(path)) \(Self.shellWord(sql))`"
    }

    /// `word` as one word of a POSIX shell command line: as it is when it holds only characters
    /// no shell treats specially, else in double quotes when nothing in it is special there, else
    /// in single quotes (each `'` as `'\''`).
    static func shellWord(_ word: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_".unicodeScalars)
        if !word.isEmpty && word.unicodeScalars.allSatisfy({ plain.contains($0) }) { return word }
        let special = Set("\"$`\\!".unicodeScalars)
        if !word.unicodeScalars.contains(where: { special.contains($0) || $0.properties.generalCategory == .control }) {
            return "\"\(word)\""
        }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The state of `account`, its tracked posts with it, and the unchanged polls recorded since;
    /// `versions` gets each tracked post whose row names its version (schema 6), for the
    /// account's next commit (``KnownVersions``). `namesVersions`: whether `tracked_posts` has
    /// schema 6's columns, `nil` to ask the database.
    static func readState(
        _ db: Database, account: AccountKey, path: String, namesVersions: Bool?, versions: inout [String: String]
    ) throws -> AccountState? {
        guard
            let stored = try DatabaseValue.fetchOne(
                db, sql: "SELECT state FROM accounts WHERE key = ?", arguments: [account.rawValue])
        else { return nil }
        // By storage class (``StoredValue``): GRDB's conversions read bytes that are not text as
        // U+FFFD, and a tracked post's id read that way would be missing from the next snapshot,
        // a deletion that never happened. Such a row stops the account's polls instead.
        guard let text = StoredValue.text(stored) ?? nil else {
            throw StoreError.corrupt(
                path, detail: "the state of account \(account) is not text (edited by hand, or damaged)",
                advice: Self.startAfreshAdvice(account: account, path: path))
        }
        var state = try Self.decodeState(text, account: account, path: path)
        let namesVersions = try namesVersions ?? TrackedPostRow.namesVersions(db)
        let columns = TrackedPostRow.columnsSQL(namesVersions: namesVersions, prefix: "t.")
        let sha = namesVersions ? "t.content_sha256" : "NULL"
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT t.post_id, \(columns), \(sha) FROM tracked_posts AS t WHERE t.account = ?"),
            arguments: [account.rawValue])
        let decoder = JSONCoding.decoder()
        for row in rows {
            guard let id = StoredValue.text(row[0]) ?? nil else {
                throw StoreError.corrupt(
                    path, detail: "a tracked post of account \(account) has a post_id that is not text",
                    advice: "restore state.sqlite from a backup, or delete that row of tracked_posts")
            }
            let tracked = try TrackedPostRow.decode(
                id: id, tracking: row[1], inline: row[2], version: row[3], account: account, path: path,
                decoder: decoder)
            state.detection.posts[id] = tracked
            if let sha = StoredValue.text(row[4]) ?? nil, StoredValue.text(row[1]) != .some(nil) {
                versions[id] = sha
            }
        }
        // Unchanged polls after the state was written: the last one is the account's last poll.
        return try Self.latestRun(db, account: account).map { $0.applied(to: state) } ?? state
    }

    /// The account's newest run of unchanged polls, if any.
    static func latestRun(_ db: Database, account: AccountKey) throws -> UnchangedRun? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM unchanged_runs WHERE account = ? ORDER BY since DESC LIMIT 1"),
            arguments: [account.rawValue]
        ).flatMap(Self.unchangedRun)
    }

    /// The run of unchanged polls in `row` (every column of `unchanged_runs`); `nil` when a value
    /// is missing or not of its type (a hand-edited row is left out, as if those polls had not
    /// been recorded: spans shorter, never longer).
    static func unchangedRun(_ row: Row) -> UnchangedRun? {
        guard let since = StoredValue.date(row["since"]) ?? nil, let until = StoredValue.date(row["until"]) ?? nil,
            let polls = StoredValue.integer(row["polls"]) ?? nil, let url = StoredValue.text(row["url"]) ?? nil,
            let status = StoredValue.integer(row["status"]) ?? nil,
            let sha = StoredValue.text(row["body_sha256"]) ?? nil, let etag = StoredValue.text(row["etag"]),
            let lastModified = StoredValue.date(row["last_modified"])
        else { return nil }
        return UnchangedRun(
            since: since, until: until, polls: polls, url: url, status: status, bodySHA256: sha, etag: etag,
            lastModified: lastModified)
    }

    /// Records an unchanged poll of `account`: extends its newest run when no state was written
    /// since that run's last poll (`writtenAt`: the written state's last poll), else starts a run.
    static func record(_ unchanged: UnchangedObservation, of account: String, writtenAt: Date?, in db: Database) throws
    {
        let at = RFC3339.string(from: unchanged.at)
        let lastModified = unchanged.lastModified.map { RFC3339.string(from: $0) }
        if let latest = try Row.fetchOne(
            db.cachedStatement(
                sql: "SELECT since, until FROM unchanged_runs WHERE account = ? ORDER BY since DESC LIMIT 1"),
            arguments: [account]),
            let until = RFC3339.date(from: latest["until"] as String), until >= (writtenAt ?? .distantPast),
            until <= unchanged.at
        {
            try db.cachedStatement(
                sql: """
                    UPDATE unchanged_runs SET until = ?, polls = polls + 1, url = ?, status = ?, body_sha256 = ?,
                    etag = ?, last_modified = ? WHERE account = ? AND since = ?
                    """
            ).execute(
                arguments: [
                    at, unchanged.url, unchanged.status, unchanged.bodySHA256, unchanged.etag, lastModified, account,
                    latest["since"] as String,
                ])
        } else {
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO unchanged_runs
                    (account, since, until, polls, url, status, body_sha256, etag, last_modified)
                    VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    account, at, at, unchanged.url, unchanged.status, unchanged.bodySHA256, unchanged.etag,
                    lastModified,
                ])
        }
    }

    /// Lets the run rows of unchanged polls wait up to `interval` (and up to `count` of them) for
    /// one transaction, instead of 1 s (and 512), and go early only with a commit of their own
    /// account: each transaction then writes a page of `unchanged_runs` once for many polls, not
    /// once per second (`palimpsest run`; docs/state-format.md, "Unchanged polls").
    ///
    /// What waits is read back by ``loadState(of:)`` and written by ``saveUnsavedStates()`` (a
    /// graceful stop) and when the store closes. A crash loses only that those polls happened: the
    /// account's watched span ends at its last written poll, which delays a confirmation by absence
    /// and never makes one.
    /// - Parameters:
    ///   - interval: the longest wait of the oldest unchanged poll not written.
    ///   - count: the most unchanged polls that wait (each a few hundred bytes of memory).
    public func holdUnchangedPolls(for interval: Duration, upTo count: Int) {
        self.writer.holdUnchanged(for: interval, upTo: count)
    }

    /// The states failed commits keep in memory.
    func unsavedStates() -> [AccountState] {
        self.unsaved.withLock { Array($0.values) }
    }

    /// True while the last commit of `account` failed and its state is only in memory.
    public func hasUnsavedState(_ account: AccountKey) -> Bool {
        self.unsaved.withLock { $0[account] != nil }
    }

    public func commit(_ commit: StateCommit) async throws {
        if commit.state == nil, commit.snapshot == nil, let unchanged = commit.unchanged {
            // Nothing to wait for: written with a later batch (StoreWriter.deferUnchanged).
            self.writer.deferUnchanged(commit.account, unchanged)
            return
        }
        let work = try self.prepare(commit)
        do {
            try await self.writer.submit(work)
        } catch {
            self.keepUnsaved(commit)
            throw error
        }
        self.clearUnsaved(commit)
    }

    /// ``commit(_:)`` from a thread that may block (tests, migration, `saveUnsavedStates`).
    /// - Throws: as ``commit(_:)``.
    public func commitAndWait(_ commit: StateCommit) throws {
        let work = try self.prepare(commit)
        do {
            try self.writer.submitAndWait(work)
        } catch {
            self.keepUnsaved(commit)
            throw error
        }
        self.clearUnsaved(commit)
    }

    private func keepUnsaved(_ commit: StateCommit) {
        guard let state = commit.state else { return }
        self.unsaved.withLock { $0[commit.account] = state }
        self.writer.forgetBaseline(commit.account)
    }

    /// A committed state is newer than any kept in memory (an account's polls run one at a time).
    private func clearUnsaved(_ commit: StateCommit) {
        guard commit.state != nil else { return }
        self.unsaved.withLock { $0[commit.account] = nil }
    }

    public func saveUnsavedStates() -> [(account: AccountKey, result: Result<Void, any Error>)] {
        // Unchanged polls waiting for a batch first (a failure leaves them queued: they only
        // record that polls happened).
        try? self.writer.flushDeferred()
        let kept = self.unsaved.withLock { $0 }
        return kept.keys.sorted().map { key in
            (key, Result { try self.commitAndWait(StateCommit(account: key, before: nil, state: kept[key]!)) })
        }
    }

    /// Encodes everything of `commit` before it reaches the writer (the writer thread only runs SQL).
    func prepare(_ commit: StateCommit) throws -> StoreWriter.Job {
        let path = self.databaseURL.path
        func encoded<Value>(_ body: () throws -> Value) throws -> Value {
            do {
                return try body()
            } catch {
                throw StoreError(
                    operation: "encode", path: path, detail: "account \(commit.account): \(error)",
                    advice: "report this as a bug")
            }
        }
        func encode<Value: Encodable>(_ value: Value) throws -> String {
            try encoded { try Self.lineJSON(value) }
        }
        var snapshotRow: SnapshotRow?
        // The versions this commit's snapshot lists, by post: a tracked post listed as it is names
        // its version by the same hash.
        var listed: [String: KnownVersion] = [:]
        let known = self.knownVersions.withLock { $0.take(commit.account) }
        if let observation = commit.snapshot {
            var head = observation
            head.posts = []
            var listing: [[String]] = []
            var versions: [ListedVersion] = []
            let tracked = commit.before?.detection.posts
            let encodedPosts = commit.encodedPosts
            for (index, post) in observation.posts.enumerated() {
                if let sha = known[post.id], tracked?[post.id]?.post == post {
                    // As its row held it when the state was read: stored already (the writer
                    // still makes sure it is archived).
                    listing.append([post.id, sha])
                    listed[post.id] = KnownVersion(post: post, contentSHA256: sha)
                    versions.append(ListedVersion(contentSHA256: sha, json: nil, post: post, wasTracked: true))
                    continue
                }
                // Encoded already for the snapshot's id when the poll computed it (from this same
                // observation value: `==` of strings is canonical equivalence, not byte equality,
                // so it guards against a list that changed, not against one re-encoded).
                let encoded = index < encodedPosts.count && encodedPosts[index].post == post ? encodedPosts[index] : nil
                let json = try encoded?.json ?? encode(post)
                let sha = encoded?.contentSHA256 ?? ContentHash.sha256Hex(json)
                listing.append([post.id, sha])
                versions.append(
                    ListedVersion(contentSHA256: sha, json: json, post: post, wasTracked: tracked?[post.id] != nil))
                listed[post.id] = KnownVersion(post: post, contentSHA256: sha)
            }
            snapshotRow = SnapshotRow(
                id: try commit.snapshotID ?? Self.snapshotID(of: observation, account: commit.account, path: path),
                polledAt: RFC3339.string(from: observation.polledAt), isComplete: observation.isComplete,
                head: try encode(head), listing: try encode(listing), versions: versions,
                formerIDs: try commit.formerIDs.mapValues { try encode($0) })
        }

        var stateJSON: String?
        // Tracked posts: only the rows that changed since `before` (all of them when unknown).
        var upserts: [TrackedPostRow] = []
        var deletes: [String] = []
        if let state = commit.state {
            var bare = state
            bare.detection.posts = [:]
            stateJSON = try encode(bare)
            let previous = commit.before?.detection.posts
            for (id, tracked) in state.detection.posts {
                let before = previous?[id]
                guard before != tracked else { continue }
                let row = try encoded { try Self.trackedPostRow(id: id, tracked, listed: listed) }
                upserts.append(row)
            }
            if let previous {
                deletes = previous.keys.filter { state.detection.posts[$0] == nil }
            }
        }

        let unchangedRow = commit.unchanged
        let estimate =
            (stateJSON?.utf8.count ?? 0)
            + upserts.reduce(0) { $0 + $1.tracking.utf8.count + ($1.version?.utf8.count ?? 0) }
            + (snapshotRow.map { $0.head.utf8.count + $0.listing.utf8.count } ?? 0) + 64
        let state = commit.state
        let key = commit.account.rawValue
        let snapshotRowValue = snapshotRow
        let stateJSONValue = stateJSON
        let deletesValue = deletes
        let upsertsValue = upserts
        let upsertsCoverEveryPost = commit.before == nil
        let listedValue = listed
        let quiet = commit.state?.isQuiet ?? false
        let keep = commit.keepSnapshots
        let cited = commit.citedSnapshots
        return StoreWriter.Job(
            account: commit.account, estimatedBytes: estimate, fullRewrite: commit.before == nil,
            writesState: commit.state != nil
        ) {
            db, fullRewrite in
            if let snapshot = snapshotRowValue {
                try db.cachedStatement(
                    sql: """
                        INSERT OR IGNORE INTO snapshots (account, id, polled_at, is_complete, head, listing)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """
                ).execute(
                    arguments: [
                        key, snapshot.id, snapshot.polledAt, snapshot.isComplete, snapshot.head, snapshot.listing,
                    ])
                for version in snapshot.versions {
                    let (sha, json, post) = (version.contentSHA256, version.json, version.post)
                    // A post the state already tracked was archived when it was first listed: look
                    // its version up in `archive`'s unique index, where the account's rows sit side
                    // by side, before `post_versions`, keyed by a random hash (a page read from
                    // disk per post). When that archived version has this content, both rows
                    // exist (they are written together and never deleted) and both inserts below
                    // would be ignored; on the 2,000-feed steady cycle they were 3,800 ignored
                    // inserts, 60% of the writer's time in SQLite. A version listed by the hash its
                    // tracked row named (no JSON here) is in `post_versions`; it is archived unless
                    // that row was written by a commit without a snapshot (a failed commit's state
                    // saved later), whose version nothing archived: then it is archived now.
                    if version.wasTracked,
                        let archived = try DatabaseValue.fetchOne(
                            db.cachedStatement(
                                sql:
                                    "SELECT content_sha256 FROM archive WHERE account = ? AND post_id = ? AND version = ?"
                            ),
                            arguments: [key, post.id, post.versionHash]),
                        json == nil || (StoredValue.text(archived) ?? nil) == sha
                    {
                        continue
                    }
                    if let json {
                        try db.cachedStatement(
                            sql: "INSERT OR IGNORE INTO post_versions (content_sha256, post) VALUES (?, ?)"
                        ).execute(
                            arguments: [sha, json])
                    }
                    try db.cachedStatement(
                        sql: """
                            INSERT OR IGNORE INTO archive (account, post_id, version, first_seen, snapshot, content_sha256, former_ids)
                            VALUES (?, ?, ?, ?, ?, ?, ?)
                            """
                    ).execute(
                        arguments: [
                            key, post.id, post.versionHash, snapshot.polledAt, snapshot.id, sha,
                            snapshot.formerIDs[post.id],
                        ])
                }
            }
            if let unchanged = unchangedRow {
                let written =
                    try state.map { $0.lastPoll?.at }
                    ?? String.fetchOne(
                        db.cachedStatement(sql: "SELECT last_poll_at FROM accounts WHERE key = ?"), arguments: [key]
                    )
                    .flatMap(RFC3339.date(from:))
                try Self.record(unchanged, of: key, writtenAt: written, in: db)
            }
            guard let state, let stateJSON = stateJSONValue else { return }
            try db.cachedStatement(
                sql: """
                    INSERT INTO accounts (key, state, last_poll_at, last_outcome, updated_at, quiet)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(key) DO UPDATE SET state = excluded.state, last_poll_at = excluded.last_poll_at,
                    last_outcome = excluded.last_outcome, updated_at = excluded.updated_at, quiet = excluded.quiet
                    """
            ).execute(
                arguments: [
                    key, stateJSON, state.lastPoll.map { RFC3339.string(from: $0.at) }, state.lastPoll?.outcome,
                    RFC3339.string(from: Date()), quiet,
                ])
            if fullRewrite {
                // Unknown baseline (first write, or after a failed commit): make the rows equal the state.
                let stored = try String.fetchAll(
                    db.cachedStatement(sql: "SELECT post_id FROM tracked_posts WHERE account = ?"), arguments: [key])
                for id in stored where state.detection.posts[id] == nil {
                    try db.cachedStatement(sql: "DELETE FROM tracked_posts WHERE account = ? AND post_id = ?").execute(
                        arguments: [key, id])
                }
                // Without `before` the rows made above are every tracked post's already (a first
                // poll's ten to twenty rows, encoded off this thread); a baseline the writer forgot
                // after a failed commit needs them all made here.
                let rows =
                    upsertsCoverEveryPost
                    ? upsertsValue
                    : try state.detection.posts.map { id, tracked in
                        try Self.trackedPostRow(id: id, tracked, listed: listedValue)
                    }
                for row in rows {
                    try Self.write(row, of: key, in: db)
                }
            } else {
                for id in deletesValue {
                    try db.cachedStatement(sql: "DELETE FROM tracked_posts WHERE account = ? AND post_id = ?").execute(
                        arguments: [key, id])
                }
                for row in upsertsValue {
                    try Self.write(row, of: key, in: db)
                }
            }
            if let cited {
                // Retention: the newest `keep` snapshots, every one an event cites, and the last
                // complete one the detector remembers.
                var kept = cited
                if let last = state.detection.lastComplete?.id { kept.insert(last) }
                let ids = try String.fetchAll(
                    db.cachedStatement(sql: "SELECT id FROM snapshots WHERE account = ? ORDER BY id"), arguments: [key])
                let newest = Set(ids.suffix(max(0, keep)))
                for id in ids where !newest.contains(id) && !kept.contains(id) {
                    try db.cachedStatement(sql: "DELETE FROM snapshots WHERE account = ? AND id = ?").execute(
                        arguments: [key, id])
                }
            }
        }
    }

    /// The row of tracked post `id`: its tracking fields' JSON, and its post's version named by
    /// the hash the commit's snapshot computed when it lists the post as it is (`listed`), else by
    /// the hash of its JSON, which the row then carries to be stored in `post_versions`.
    /// - Throws: `EncodingError` when a value does not encode (as ``lineJSON(_:)``).
    static func trackedPostRow(id: String, _ tracked: TrackedPost, listed: [String: KnownVersion]) throws
        -> TrackedPostRow
    {
        var row = TrackedPostRow(
            id: id, contentSHA256: "",
            tracking: try Self.lineJSON(TrackedPostRow.Tracking(tracked)))
        if let version = listed[id], version.post == tracked.post {
            row.contentSHA256 = version.contentSHA256
        } else {
            let json = try Self.lineJSON(tracked.post)
            row.contentSHA256 = ContentHash.sha256Hex(json)
            row.version = json
        }
        return row
    }

    /// `value` as one line of JSON (``LineJSONEncoder``), as text.
    /// - Throws: `EncodingError` when the value does not encode.
    static func lineJSON<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try LineJSONEncoder.encode(value), as: UTF8.self)
    }

    /// Writes one tracked post's row (its version first, when the row carries it). An upsert,
    /// not `INSERT OR REPLACE`, which deletes the old row and inserts the new one: an update is
    /// written over the old row in place, and pages whose bytes did not change are not written.
    static func write(_ row: TrackedPostRow, of account: String, in db: Database) throws {
        if let version = row.version {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO post_versions (content_sha256, post) VALUES (?, ?)")
                .execute(arguments: [row.contentSHA256, version])
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO tracked_posts (account, post_id, content_sha256, tracking, post) VALUES (?, ?, ?, ?, NULL)
                ON CONFLICT (account, post_id) DO UPDATE SET content_sha256 = excluded.content_sha256,
                tracking = excluded.tracking, post = NULL
                """
        ).execute(arguments: [account, row.id, row.contentSHA256, row.tracking])
    }

    struct SnapshotRow: Sendable {
        var id: String
        var polledAt: String
        var isComplete: Bool
        var head: String
        var listing: String
        var versions: [ListedVersion]
        var formerIDs: [String: String]
    }

    /// One post of a snapshot as the store writes it: its compact JSON and that JSON's SHA-256
    /// (lowercase hex, the `post_versions` key), and whether the state before the commit already
    /// tracked the post (its version may be archived already). No JSON: listed by the hash its
    /// tracked row named (``KnownVersions``), stored in `post_versions` already.
    struct ListedVersion: Sendable {
        var contentSHA256: String
        var json: String?
        var post: Post
        var wasTracked: Bool
    }

    /// The id of the snapshot of `observation`: the poll time in compact UTC, `-`, and the first 8
    /// hex digits of the SHA-256 of the observation as one compact JSON line (the same
    /// observation value always gets the same id; ids sort by poll time). Two polls of the same
    /// answer still get different ids: the observation cites its evidence by WARC record id,
    /// a random UUID per capture.
    /// - Throws: ``StoreError`` when the observation does not encode.
    public static func snapshotID(of observation: Observation, account: AccountKey, path: String = "") throws -> String
    {
        try Self.encodedSnapshot(of: observation, account: account, path: path).id
    }

    /// One post of an observation as the store writes its version: its compact JSON line and
    /// that line's SHA-256 (64 hex digits), the version's content address in `post_versions`.
    struct EncodedPost: Sendable {
        var post: Post
        var json: String
        var contentSHA256: String
    }

    /// ``snapshotID(of:account:path:)`` and each post's JSON, encoded once: the observation's
    /// line is its JSON without posts with each post's line put in its `posts` array (the same
    /// bytes as the whole observation encoded at once), so a poll's commit stores the versions
    /// of its new posts without encoding them again.
    /// - Throws: ``StoreError`` when the observation does not encode.
    static func encodedSnapshot(of observation: Observation, account: AccountKey, path: String = "") throws
        -> (id: String, posts: [EncodedPost])
    {
        do {
            var head = observation
            head.posts = []
            var headJSON = try LineJSONEncoder.encode(head)
            let posts = try observation.posts.map { post in
                let json = try Self.lineJSON(post)
                return EncodedPost(post: post, json: json, contentSHA256: ContentHash.sha256Hex(json))
            }
            var hasher = SHA256()
            if let range = Self.emptyPostsArray(in: headJSON) {
                hasher.update(data: headJSON[..<range.lowerBound])
                hasher.update(data: Data(#""posts":["#.utf8))
                for (index, post) in posts.enumerated() {
                    if index > 0 { hasher.update(data: Data(",".utf8)) }
                    var json = post.json
                    json.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
                }
                hasher.update(data: Data("]".utf8))
                hasher.update(data: headJSON[range.upperBound...])
            } else {
                // Not one top-level `"posts":[]` (never so for `Observation`'s own coding): the
                // whole observation encoded at once.
                headJSON = try LineJSONEncoder.encode(observation)
                hasher.update(data: headJSON)
            }
            let digest = ContentHash.hex(hasher.finalize())
            return ("\(AccountStore.compactUTC(observation.polledAt))-\(digest.prefix(8))", posts)
        } catch {
            throw StoreError(
                operation: "encode", path: path, detail: "account \(account): \(error)", advice: "report this as a bug")
        }
    }

    /// Where `"posts":[]` is in `json` as a key of the outermost object (outside strings, at
    /// depth one), when it is there exactly once.
    static func emptyPostsArray(in json: Data) -> Range<Data.Index>? {
        let pattern = Array(#""posts":[]"#.utf8)
        var found: Range<Data.Index>?
        var twice = false
        JSONNesting.walk(json) { offset, byte, depth in
            let start = json.startIndex + offset
            guard byte == UInt8(ascii: "\""), depth == 1, json.endIndex - start >= pattern.count,
                json[start..<start + pattern.count].elementsEqual(pattern)
            else { return true }
            twice = found != nil
            found = start..<start + pattern.count
            return !twice
        }
        return twice ? nil : found
    }

    // MARK: Evidence

    struct EvidenceRow: Sendable, Hashable {
        var recordID: String
        var type: String
        var sha256: String
        var size: Int
        var location: WARCLocation
        var request: WARCLocation?
        var body: WARCLocation
        var account: String
        var url: String
        var effectiveURL: String
        var status: Int
        var fetchedAt: String
        var remoteIP: String?
        var redirects: String
        var headers: String
        var legacyPath: String?
    }

    public func storeEvidence(_ capture: EvidenceCapture) throws -> EvidenceReference {
        try self.storeEvidence(capture, legacyPath: nil)
    }

    /// What the index said about a capture, read outside the evidence lock: valid while
    /// ``PendingEvidence/databaseChanges`` is what it was when read (this process's commits and
    /// collections are the only writers of its rows that the lock orders).
    private struct EvidenceIndexAnswer {
        var databaseChanges: Int
        var row: EvidenceRow?
    }

    /// The next step of storing one capture, decided under the evidence lock.
    private enum EvidenceStoreStep {
        /// Stored already (the same capture, or this one): its reference.
        case stored(EvidenceReference)
        /// The index must be read first, outside the lock: the same capture, or the body's
        /// first record.
        case readCapture(databaseChanges: Int)
        case readBody(databaseChanges: Int)
        /// The records must be built (compressed) first, outside the lock, against this original.
        case build(original: EvidenceRow?)
    }

    /// - Parameter permanent: write to the permanent files (migrated evidence) instead of the spool.
    ///
    /// The index reads and the records' compression run outside the evidence lock, which every
    /// capture of every poll takes (in a first cycle, 100,000 new bodies): under the lock the
    /// capture is looked up in memory, then its records are appended if what they were built
    /// against is still what the store holds; otherwise (another poll stored the same body, or
    /// a commit changed the index meanwhile) the step is taken again. After
    /// ``maximumOptimisticRounds`` the index is read under the lock, as before.
    func storeEvidence(_ capture: EvidenceCapture, legacyPath: String?, permanent: Bool = false) throws
        -> EvidenceReference
    {
        let sha256 = ContentHash.sha256Hex(capture.body)
        let fetchedAt = RFC3339.string(from: capture.fetchedAt)
        // The same capture stored twice (same account, URL, status, time and body) is one record.
        let same = { (row: EvidenceRow) in
            row.sha256 == sha256 && row.url == capture.url && row.status == capture.status
                && row.fetchedAt == fetchedAt && row.account == capture.account.rawValue
        }
        let captureKey = RecentRows.captureKey(
            account: capture.account.rawValue, url: capture.url, status: capture.status, fetchedAt: fetchedAt,
            sha256: sha256)
        func reference(_ row: EvidenceRow) -> EvidenceReference {
            EvidenceReference(
                path: row.body.path, sha256: sha256, url: capture.url, status: capture.status,
                fetchedAt: capture.fetchedAt, offset: row.body.offset, length: row.body.length, record: row.recordID)
        }
        func readCapture() throws -> EvidenceRow? {
            try self.read { db in
                // Filtered by SQLite: one body (a platform's 404 page, say) may be cited by
                // thousands of records, which must not all be decoded for each capture.
                try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT * FROM evidence WHERE sha256 = ? AND account = ? AND url = ? AND status = ?
                            AND fetched_at = ? LIMIT 1
                            """),
                    arguments: [sha256, capture.account.rawValue, capture.url, capture.status, fetchedAt]
                ).map(Self.evidenceRow)
            }
        }
        func readBody() throws -> EvidenceRow? { try self.read { db in try Self.bodyRow(db, sha256: sha256) } }
        func build(_ original: EvidenceRow?) throws -> (members: [Data], requestID: String, recordID: String) {
            try WARCFiles.records(
                for: capture, sha256: sha256, original: original.map { ($0.recordID, $0.effectiveURL, $0.fetchedAt) })
        }

        var storedCapture: EvidenceIndexAnswer?
        var storedBody: EvidenceIndexAnswer?
        var built: (original: EvidenceRow?, records: (members: [Data], requestID: String, recordID: String))?
        var round = 0
        while true {
            round += 1
            let underLock = round > Self.maximumOptimisticRounds
            let step: EvidenceStoreStep = try self.pendingEvidence.withLock { pending in
                let changes = pending.databaseChanges
                // A capture fetched since the rows held in memory cover, and not among them, was
                // never stored by this store (another process polling the same account in the same
                // millisecond would at worst make a second record of it): no index read.
                if let known = pending.row(capturedAs: captureKey, where: same)
                    ?? pending.recent.row(capturedAs: captureKey)
                {
                    return .stored(reference(Self.relocated(known, by: pending.unwrittenRelocations)))
                }
                if capture.fetchedAt < pending.recent.coveredSince {
                    if storedCapture?.databaseChanges != changes {
                        guard underLock else { return .readCapture(databaseChanges: changes) }
                        storedCapture = EvidenceIndexAnswer(databaseChanges: changes, row: try readCapture())
                    }
                    if let known = storedCapture?.row {
                        return .stored(reference(Self.relocated(known, by: pending.unwrittenRelocations)))
                    }
                }
                // The body's record as it will be once the relocations not yet committed are: the
                // writer may have taken its promotion to the permanent files into a batch that
                // commits without this capture's row, so a revisit citing the spool copy would cite
                // a place no index row names any more, and its own promotion would fail.
                var firstRecord = pending.bodies[sha256] ?? pending.recent.body(sha256: sha256)
                if firstRecord == nil {
                    if storedBody?.databaseChanges != changes {
                        guard underLock else { return .readBody(databaseChanges: changes) }
                        storedBody = EvidenceIndexAnswer(databaseChanges: changes, row: try readBody())
                    }
                    firstRecord = storedBody?.row
                }
                let original = firstRecord.map { Self.relocated($0, by: pending.unwrittenRelocations) }
                if built == nil || built?.original?.recordID != original?.recordID {
                    guard underLock else { return .build(original: original) }
                    built = (original, try build(original))
                }
                guard let records = built?.records else { return .build(original: original) }
                let files = permanent ? self.warc : self.spool
                let locations = try files.append(records.members, day: WARCFiles.day(of: capture.fetchedAt))
                let row = EvidenceRow(
                    recordID: records.recordID, type: original == nil ? "response" : "revisit", sha256: sha256,
                    size: capture.body.count, location: locations[1], request: locations[0],
                    body: original?.body ?? locations[1], account: capture.account.rawValue, url: capture.url,
                    effectiveURL: capture.effectiveURL, status: capture.status,
                    fetchedAt: fetchedAt, remoteIP: capture.remoteAddress,
                    redirects: String(
                        decoding: (try? LineJSONEncoder.encode(capture.redirects)) ?? Data("[]".utf8), as: UTF8.self),
                    headers: String(
                        decoding: (try? LineJSONEncoder.encode(capture.headers)) ?? Data("[]".utf8), as: UTF8.self),
                    legacyPath: legacyPath)
                pending.append(row)
                if original == nil { pending.bodies[sha256] = row }
                return .stored(reference(row))
            }
            switch step {
            case .stored(let reference):
                return reference
            case .readCapture(let changes):
                storedCapture = EvidenceIndexAnswer(databaseChanges: changes, row: try readCapture())
            case .readBody(let changes):
                storedBody = EvidenceIndexAnswer(databaseChanges: changes, row: try readBody())
            case .build(let original):
                built = (original, try build(original))
            }
        }
    }

    /// Rounds of ``storeEvidence(_:legacyPath:permanent:)`` that read the index and build records
    /// outside the lock before the rest is done under it (each round ends early only when a
    /// commit or another capture of the same body came between).
    static let maximumOptimisticRounds = 4

    /// Takes the evidence rows and relocations waiting for a commit (the writer writes them first
    /// in its batch).
    func takePendingEvidence() -> (rows: [EvidenceRow], relocations: [Relocation]) {
        self.pendingEvidence.withLock { pending in
            let taken = (pending.rows, pending.relocations)
            pending.inFlightRows = pending.rows
            pending.inFlightRelocations = pending.relocations
            pending.rows = []
            pending.relocations = []
            return taken
        }
    }

    /// Gives back rows and relocations a failed batch could not commit.
    func restorePendingEvidence(_ taken: (rows: [EvidenceRow], relocations: [Relocation])) {
        self.pendingEvidence.withLock {
            $0.rows = taken.rows + $0.rows
            $0.relocations = taken.relocations + $0.relocations
            $0.inFlightRows = []
            $0.inFlightRelocations = []
        }
    }

    /// Called by the writer once rows are committed: their bodies are found in the table now.
    /// - Parameters:
    ///   - rows: The rows the batch inserted, as it took them.
    ///   - relocations: The relocations it applied.
    func evidenceCommitted(_ rows: [EvidenceRow], relocations: [Relocation]) {
        self.pendingEvidence.withLock { pending in
            pending.recent.committed(rows, relocations: relocations)
            // A batch of states alone leaves the evidence index as it was (and the index answers
            // read outside the lock valid).
            if !rows.isEmpty || !relocations.isEmpty { pending.databaseChanges &+= 1 }
            pending.inFlightRows = []
            pending.inFlightRelocations = []
            pending.forgetCommittedCaptureKeys()
            for row in rows where pending.bodies[row.sha256]?.recordID == row.recordID {
                pending.bodies[row.sha256] = nil
            }
        }
    }

    static func insert(_ rows: [EvidenceRow], into db: Database) throws {
        for row in rows {
            try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO evidence (record_id, type, sha256, size, path, offset, length, request_offset,
                    request_length, body_path, body_offset, body_length, account, url, effective_url, status, fetched_at,
                    remote_ip, redirects, headers, legacy_path)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    row.recordID, row.type, row.sha256, row.size, row.location.path, row.location.offset,
                    row.location.length, row.request?.offset, row.request?.length, row.body.path, row.body.offset,
                    row.body.length, row.account, row.url, row.effectiveURL, row.status, row.fetchedAt, row.remoteIP,
                    row.redirects, row.headers, row.legacyPath,
                ])
        }
    }

    static func bodyRow(_ db: Database, sha256: String) throws -> EvidenceRow? {
        guard
            // A cached statement: every new capture looks its body up (prepared once per connection).
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT * FROM evidence WHERE sha256 = ? AND type = 'response' ORDER BY fetched_at LIMIT 1"),
                arguments: [sha256])
        else { return nil }
        return try Self.evidenceRow(row)
    }

    /// The evidence index row `row` (every column of `evidence`), read by storage class
    /// (``StoredValue``).
    /// - Throws: ``StoreError/corrupt(_:detail:advice:)`` naming the record when a value is missing
    ///   or not of its type (a row edited by hand; GRDB's conversion stopped the process).
    static func evidenceRow(_ row: Row) throws -> EvidenceRow {
        // `column` as `read` takes it: nil for NULL, a throw for a value of another type.
        func optional<Value>(_ column: String, _ read: (DatabaseValue) -> Value??) throws -> Value? {
            guard let value = read(row[column]) else { throw StoredFieldError(field: column) }
            return value
        }
        func text(_ column: String) throws -> String {
            guard let value = try optional(column, StoredValue.text) else { throw StoredFieldError(field: column) }
            return value
        }
        func integer(_ column: String) throws -> Int {
            guard let value = try optional(column, StoredValue.integer) else { throw StoredFieldError(field: column) }
            return value
        }
        do {
            let path = try text("path")
            let requestOffset = try optional("request_offset", StoredValue.integer)
            let requestLength = try optional("request_length", StoredValue.integer)
            return EvidenceRow(
                recordID: try text("record_id"), type: try text("type"), sha256: try text("sha256"),
                size: try integer("size"),
                location: WARCLocation(path: path, offset: try integer("offset"), length: try integer("length")),
                request: requestOffset.flatMap { offset in
                    requestLength.map { WARCLocation(path: path, offset: offset, length: $0) }
                },
                body: WARCLocation(
                    path: try text("body_path"), offset: try integer("body_offset"), length: try integer("body_length")),
                account: try text("account"), url: try text("url"), effectiveURL: try text("effective_url"),
                status: try integer("status"), fetchedAt: try text("fetched_at"),
                remoteIP: try optional("remote_ip", StoredValue.text),
                redirects: try text("redirects"), headers: try text("headers"),
                legacyPath: try optional("legacy_path", StoredValue.text))
        } catch {
            let record = (StoredValue.text(row["record_id"]) ?? nil) ?? "?"
            throw StoreError.corrupt(
                "state.sqlite", detail: "evidence record \(record) has a value that is not of its type: \(error)",
                advice: "restore state.sqlite from a backup; the WARC files themselves are not changed")
        }
    }

    private func firstBodyRow(sha256: String) throws -> EvidenceRow? {
        if let pending = self.pendingEvidence.withLock({ $0.bodies[sha256] }) { return pending }
        return try self.read { db in try Self.bodyRow(db, sha256: sha256) }
    }

    public func evidenceRecord(sha256: String) throws -> EvidenceRecord? {
        guard let row = try self.firstBodyRow(sha256: sha256) else { return nil }
        let decoder = JSONCoding.decoder()
        return EvidenceRecord(
            v: Self.formatVersion, url: row.url, status: row.status,
            headers: (try? decoder.decode([HTTPHeaders.Field].self, from: Data(row.headers.utf8))) ?? [],
            fetchedAt: RFC3339.date(from: row.fetchedAt) ?? Date(timeIntervalSince1970: 0), sha256: row.sha256,
            size: row.size, effectiveURL: row.effectiveURL, remoteAddress: row.remoteIP,
            redirects: (try? decoder.decode([EvidenceRecord.Redirect].self, from: Data(row.redirects.utf8))) ?? [],
            location: row.body, recordID: row.recordID)
    }

    public func evidenceBody(sha256: String) throws -> Data? {
        guard let row = try self.firstBodyRow(sha256: sha256) else { return nil }
        let payload = try WARCFiles.read(row.body, root: self.root).payload
        guard ContentHash.sha256Hex(payload) == sha256 else {
            throw StoreError.corrupt(
                self.root.appendingPathComponent(row.body.path).path,
                detail: "the record at offset \(row.body.offset) does not hold the body with SHA-256 \(sha256)",
                advice: "the WARC file was changed after it was written; restore it from a backup")
        }
        return payload
    }

    /// Every evidence index row of `account` as (record id, SHA-256, location of the body), oldest
    /// first: what `verify` and the evidence bundles walk.
    /// - Throws: ``StoreError`` when the index cannot be read.
    public func evidenceLocations(of account: AccountKey) throws -> [(
        record: String, sha256: String, body: WARCLocation
    )] {
        try self.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM evidence WHERE account = ? ORDER BY fetched_at, record_id",
                arguments: [account.rawValue]
            ).map { row in
                let evidence = try Self.evidenceRow(row)
                return (evidence.recordID, evidence.sha256, evidence.body)
            }
        }
    }

    // MARK: Snapshots and archive

    public func snapshot(of account: AccountKey, id: String) throws -> Observation? {
        try self.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT head, listing FROM snapshots WHERE account = ? AND id = ?",
                    arguments: [account.rawValue, id])
            else { return nil }
            let decoder = JSONCoding.decoder()
            do {
                // By storage class: bytes that are not UTF-8 stopped the process in GRDB's conversion.
                guard let headText = StoredValue.text(row[0]) ?? nil, let listingText = StoredValue.text(row[1]) ?? nil
                else { throw StoredFieldError(field: "head or listing") }
                var observation = try decoder.decode(Observation.self, from: Data(headText.utf8))
                let listing = try decoder.decode([[String]].self, from: Data(listingText.utf8))
                // Records move (promoted to the permanent files, or copied on in the spool): the
                // index knows where each is now.
                for (index, reference) in observation.evidence.enumerated() {
                    guard let id = reference.record,
                        let row = try Row.fetchOne(
                            db, sql: "SELECT body_path, body_offset, body_length FROM evidence WHERE record_id = ?",
                            arguments: [id])
                    else { continue }
                    guard let path = StoredValue.text(row[0]) ?? nil, let offset = StoredValue.integer(row[1]) ?? nil,
                        let length = StoredValue.integer(row[2]) ?? nil
                    else { throw StoredFieldError(field: "evidence \(id) body_path, body_offset or body_length") }
                    observation.evidence[index].path = path
                    observation.evidence[index].offset = offset
                    observation.evidence[index].length = length
                }
                for entry in listing where entry.count == 2 {
                    guard
                        let json = try String.fetchOne(
                            db, sql: "SELECT post FROM post_versions WHERE content_sha256 = ?", arguments: [entry[1]])
                    else { continue }
                    observation.posts.append(try decoder.decode(Post.self, from: Data(json.utf8)))
                }
                return observation
            } catch {
                throw StoreError.corrupt(
                    self.databaseURL.path, detail: "snapshot \(id) of \(account) does not decode: \(error)",
                    advice: "report this; snapshots are written in one transaction")
            }
        }
    }

    public func snapshotIDs(of account: AccountKey) throws -> [String] {
        try self.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM snapshots WHERE account = ? ORDER BY id", arguments: [account.rawValue])
        }
    }

    public func archivedVersions(of account: AccountKey) throws -> [ArchivedPostVersion] {
        try self.read { db in try Self.archivedVersions(of: account, in: db, decoder: JSONCoding.decoder()) }
    }

    /// ``archivedVersions(of:)`` inside a read: the statement is prepared once per connection
    /// (the digest reads the archive of every account with events in its week).
    static func archivedVersions(of account: AccountKey, in db: Database, decoder: StoredJSONDecoder) throws
        -> [ArchivedPostVersion]
    {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT a.post_id, a.version, a.first_seen, a.snapshot, a.former_ids, v.post
                    FROM archive a JOIN post_versions v ON v.content_sha256 = a.content_sha256
                    WHERE a.account = ? ORDER BY a.seq
                    """),
            arguments: [account.rawValue])
        return rows.compactMap { row -> ArchivedPostVersion? in
            // By storage class (``StoredValue``): a row edited into bytes that are not text is left
            // out, as one that does not decode (GRDB's conversion stopped the process).
            guard let postID = StoredValue.text(row[0]) ?? nil, let version = StoredValue.text(row[1]) ?? nil,
                let seen = StoredValue.date(row[2]) ?? nil, let snapshot = StoredValue.text(row[3]) ?? nil,
                let former = StoredValue.text(row[4]), let postJSON = StoredValue.text(row[5]) ?? nil,
                let post = try? decoder.decode(Post.self, from: Data(postJSON.utf8))
            else { return nil }
            return ArchivedPostVersion(
                v: Self.formatVersion, postID: postID, version: version, firstSeen: seen, snapshot: snapshot,
                post: post, formerIDs: former.flatMap { try? decoder.decode([String].self, from: Data($0.utf8)) })
        }
    }

    /// Every archived version of post `postID` of `account`, in archive order (the versions
    /// ``archivedVersions(of:)`` reads of that post), and a description of each archive row that
    /// may be of that post but does not read: a field edited into another type, a post that is not
    /// JSON or not a post, a `content_sha256` that names no stored post. A row whose `post_id` is
    /// not text may be of any post, so it is named too. What an evidence bundle would leave out.
    /// - Throws: ``StoreError`` when the database cannot be read.
    public func archivedVersions(of account: AccountKey, postID: String) throws -> (
        versions: [ArchivedPostVersion], unreadable: [String]
    ) {
        try self.read { db in
            let decoder = JSONCoding.decoder()
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT a.seq, a.post_id, a.version, a.first_seen, a.snapshot, a.former_ids, v.post,
                    v.content_sha256 IS NOT NULL, a.content_sha256
                    FROM archive a LEFT JOIN post_versions v ON v.content_sha256 = a.content_sha256
                    WHERE a.account = ? ORDER BY a.seq
                    """,
                arguments: [account.rawValue])
            var versions: [ArchivedPostVersion] = []
            var unreadable: [String] = []
            for row in rows {
                let id = StoredValue.text(row[1]) ?? nil
                if let id, id != postID { continue }
                let seq = (StoredValue.integer(row[0]) ?? nil).map { "seq \($0)" } ?? "seq not an integer"
                let name = "archive row \(seq) of account \(account)" + (id.map { " (post \($0))" } ?? "")
                var problems: [String] = []
                if id == nil { problems.append("its post_id is not text") }
                let version = StoredValue.text(row[2]) ?? nil
                if version == nil { problems.append("its version is not text") }
                let seen = StoredValue.date(row[3]) ?? nil
                if seen == nil { problems.append("its first_seen is not an RFC 3339 time") }
                let snapshot = StoredValue.text(row[4]) ?? nil
                if snapshot == nil { problems.append("its snapshot is not text") }
                // Former ids that do not read leave the version in, without them, and are named.
                var formerIDs: [String]?
                var formerProblem: String?
                if let former = StoredValue.text(row[5]) {
                    if let former {
                        formerIDs = try? decoder.decode([String].self, from: Data(former.utf8))
                        if formerIDs == nil { formerProblem = "its former_ids is not a JSON array of ids" }
                    }
                } else {
                    formerProblem = "its former_ids is not text"
                }
                var post: Post?
                let sha = (StoredValue.text(row[8]) ?? nil) ?? "(not text)"
                if (StoredValue.integer(row[7]) ?? nil) != 1 {
                    problems.append("its content_sha256 \(sha) names no row of post_versions")
                } else if let json = StoredValue.text(row[6]) ?? nil {
                    do {
                        post = try decoder.decode(Post.self, from: Data(json.utf8))
                    } catch {
                        problems.append(
                            "the post_versions row \(sha) holds "
                                + (Self.isJSON(json)
                                    ? "JSON that is not a post (\(DecodingErrorText.describe(error)))"
                                    : "text that is not JSON"))
                    }
                } else {
                    problems.append("the post_versions row \(sha) holds a post that is not text")
                }
                guard problems.isEmpty, let id, let version, let seen, let snapshot, let post else {
                    unreadable.append(
                        "\(name): " + (problems + [formerProblem].compactMap { $0 }).joined(separator: "; "))
                    continue
                }
                if let formerProblem {
                    unreadable.append("\(name): \(formerProblem) (the version is included without them)")
                }
                versions.append(
                    ArchivedPostVersion(
                        v: Self.formatVersion, postID: id, version: version, firstSeen: seen, snapshot: snapshot,
                        post: post, formerIDs: formerIDs))
            }
            return (versions, unreadable)
        }
    }

    /// True when `text` is JSON (of any shape): what tells a value that is not JSON from JSON of
    /// the wrong shape, which Foundation's `JSONDecoder` reports alike ("not valid JSON").
    static func isJSON(_ text: String) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil
    }

    /// The runs of unchanged polls recorded for `account`, oldest first.
    /// - Throws: ``StoreError`` when the store cannot be read.
    public func unchangedRuns(of account: AccountKey) throws -> [UnchangedRun] {
        try self.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM unchanged_runs WHERE account = ? ORDER BY since", arguments: [account.rawValue]
            ).compactMap(Self.unchangedRun)
        }
    }

    public func accountKeys() throws -> [AccountKey] {
        try self.read { db in
            try StoredValue.texts(db, sql: "SELECT key FROM accounts ORDER BY key").map { AccountKey(rawValue: $0) }
        }
    }

    // MARK: Helpers

    /// ``read(_:)`` for a body that runs one statement: no transaction around it (SQLite reads
    /// one statement from one snapshot of the WAL).
    func readOneStatement<Value>(_ body: (Database) throws -> Value) throws -> Value {
        do {
            return try self.pool.unsafeRead(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, path: self.databaseURL.path, operation: "read")
        }
    }

    func read<Value>(_ body: (Database) throws -> Value) throws -> Value {
        do {
            return try self.pool.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, path: self.databaseURL.path, operation: "read")
        }
    }

    /// A ``StoreError`` for an error of SQLite or GRDB: `SQLITE_FULL` as `ENOSPC`; an I/O error
    /// with the system's `errno` when SQLite kept one.
    static func storeError(_ error: any Error, path: String, operation: String, systemErrno: Int32 = 0) -> StoreError {
        if let error = error as? StoreError { return error }
        if let database = error as? DatabaseError {
            if database.resultCode == .SQLITE_FULL { return StoreError.posix(operation, path: path, code: ENOSPC) }
            if systemErrno != 0 { return StoreError.posix(operation, path: path, code: systemErrno) }
            return StoreError(
                operation: operation, path: path, detail: "SQLite: \(database.message ?? "\(database.resultCode)")",
                advice: database.resultCode == .SQLITE_BUSY
                    ? "another process holds the database; wait for it or stop it"
                    : "check the state folder's disk and permissions")
        }
        return StoreError(operation: operation, path: path, detail: "\(error)", advice: "check the state folder's disk")
    }
}
