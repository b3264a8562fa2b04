public import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where each line of the deletion log is, with the few fields readers select by: an SQLite
/// database beside the state store (`state_dir/log-index.sqlite`, format in
/// `docs/state-format.md`). `digest` reads only the lines of its week through it (seeking to
/// each, checking the line's SHA-256 against the one recorded), `status` counts each account's
/// events of the last 7 days with one query.
///
/// **The log stays the truth.** The index is a cache: it records the end of what it has indexed
/// (the live file's identity and byte offset) and catches up from there before every use
/// (``catchUp(logURL:rebuild:progress:)``), so lines appended by a process that did not index them (a
/// crash between the log append and the index write, an older palimpsest) are never missed. A
/// missing index, one of another format version, one whose last indexed line no longer has the
/// SHA-256 it recorded, or a log whose rotated files changed (logrotate ran) is rebuilt from the
/// whole log (progress on stderr for long rebuilds). Deleting the file is always safe.
///
/// Calls block on the disk: call them through ``BlockingIO/run(_:)`` from async code.
public final class LogIndex: Sendable {
    /// File name inside `state_dir`.
    public static let fileName = "log-index.sqlite"
    /// Format version (`PRAGMA user_version`); another version is rebuilt.
    public static let formatVersion = 1

    /// The database file.
    public let url: URL
    private let queue: DatabaseQueue

    /// One indexed line.
    public struct Line: Sendable, Hashable {
        /// Position of the line in the whole log (1 = the oldest line of the oldest file).
        public var ordinal: Int
        /// `st_dev` and `st_ino` of the file holding the line (for a gzip-compressed rotated file:
        /// of the compressed file; the offset is then into its decompressed bytes).
        public var device: UInt64
        public var inode: UInt64
        /// True when the file was gzip-compressed.
        public var compressed: Bool
        /// Byte offset of the line in the file, and its length without the newline, in bytes.
        public var offset: Int
        public var length: Int
        /// SHA-256 (lowercase hex) of the line's bytes when indexed.
        public var sha256: String
    }

    /// One account's events of a period, as ``counts(since:)`` gives them.
    public struct AccountCounts: Sendable, Hashable {
        /// Events about its own posts (every kind but the deletions of reposted originals).
        public var own = 0
        /// `deleted` events about originals of other accounts it reposted.
        public var repostedOriginals = 0
        /// The newest `detected_at` among them, UTC.
        public var lastDetectedAt: Date?
        /// The earliest and latest time they mention (`detected_at`, `first_seen`, `last_seen`,
        /// `first_missing`, a blind span's ends), UTC.
        public var firstTime: Date?
        public var lastTime: Date?
    }

    /// Opens (creating when missing) the index of the log whose state folder is `stateDirectory`.
    /// An index of another format version is emptied (the next catch-up rebuilds it).
    /// - Parameters:
    ///   - stateDirectory: `state_dir`; it must exist (it is never created here).
    ///   - waitsForOthers: `false` makes a call fail at once, instead of waiting up to 30 seconds,
    ///     while another process writes the index (the log's appender: the next reader catches up).
    /// - Throws: ``StoreError`` when the database cannot be created or opened.
    public init(stateDirectory: URL, waitsForOthers: Bool = true) throws {
        self.url = stateDirectory.standardizedFileURL.appendingPathComponent(Self.fileName)
        var configuration = Configuration()
        configuration.busyMode = waitsForOthers ? .timeout(30) : .immediateError
        configuration.label = "palimpsest.log-index"
        configuration.prepareDatabase { db in
            // A cache of the log: losing the last transactions to a power cut only means catching
            // up again from the log.
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            // Never creates state_dir: a command run before the daemon made it reads the log instead.
            guard FileSystem.exists(stateDirectory.standardizedFileURL.path) else {
                throw StoreError(
                    operation: "open", path: self.url.path, errno: ENOENT, detail: "no state folder here",
                    advice: "start the daemon once; the log is read without the index meanwhile")
            }
            let existed = FileSystem.exists(self.url.path)
            self.queue = try DatabaseQueue(path: self.url.path, configuration: configuration)
            if !existed { chmod(self.url.path, 0o600) }
            try self.queue.writeWithoutTransaction { db in
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                guard version != Self.formatVersion else { return }
                try db.inTransaction(.immediate) {
                    try db.execute(sql: "DROP TABLE IF EXISTS log_lines; DROP TABLE IF EXISTS index_meta")
                    try db.execute(sql: Self.schema)
                    try db.execute(sql: "PRAGMA user_version = \(Self.formatVersion)")
                    return .commit
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(
                operation: "open", path: self.url.path, detail: "\(error)",
                advice: "check state_dir's permissions; the index can be deleted, it is rebuilt from the log")
        }
    }

    static let schema = """
        CREATE TABLE log_lines (
            ordinal INTEGER PRIMARY KEY,
            device INTEGER NOT NULL,
            inode INTEGER NOT NULL,
            compressed INTEGER NOT NULL,
            file_offset INTEGER NOT NULL,
            length INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            seq INTEGER,
            kind TEXT,
            account TEXT,
            detected_at REAL,
            reposted_original INTEGER NOT NULL DEFAULT 0,
            min_time REAL,
            max_time REAL
        );
        CREATE INDEX log_lines_by_time ON log_lines (detected_at);
        CREATE INDEX log_lines_by_kind ON log_lines (kind, detected_at);
        CREATE TABLE index_meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """

    /// Progress of a long rebuild on stderr, for the commands that read the log through the index.
    public static let stderrProgress: @Sendable (Int) -> Void = { lines in
        FileHandle.standardError.write(Data("palimpsest: indexing the deletion log: \(lines) lines so far\n".utf8))
    }

    // MARK: Catching up

    /// Indexes the lines appended to the log at `logURL` since the last call (any process's), or
    /// rebuilds the index from every file of the log when it cannot continue (see the type).
    /// Runs in one transaction; concurrent callers wait for each other.
    ///
    /// The lines of the log file are indexed at most ``chunkBytes`` at a time, each chunk its own
    /// transaction: a long rebuild interrupted (the command stopped, the machine rebooted) goes on
    /// from the last chunk at the next call. A log with rotated files is rebuilt in one transaction.
    /// - Parameters:
    ///   - logURL: The log file (`deletion_log`).
    ///   - rebuild: `false` leaves an index that cannot go on as it is (the log's appender does
    ///     not rebuild under its feet; the next reader does).
    ///   - progress: Called with the lines indexed so far during a rebuild of a large log.
    /// - Returns: How many lines were indexed by this call.
    /// - Throws: ``StoreError`` when the log or the index cannot be read or written.
    @discardableResult
    public func catchUp(logURL: URL, rebuild: Bool = true, progress: (@Sendable (Int) -> Void)? = nil) throws -> Int {
        let logURL = logURL.standardizedFileURL
        do {
            return try self.queue.inDatabase { db in
                var total = 0
                while true {
                    var step = (count: 0, more: false)
                    try db.inTransaction(.immediate) {
                        step = try Self.catchUp(db, logURL: logURL, rebuild: rebuild)
                        return .commit
                    }
                    total += step.count
                    guard step.more else { return total }
                    if let progress, step.count > 0 {
                        progress(try Int.fetchOne(db, sql: "SELECT max(ordinal) FROM log_lines") ?? 0)
                    }
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(
                operation: "index", path: self.url.path, detail: "\(error)",
                advice: "delete \(self.url.path): it is rebuilt from the deletion log")
        }
    }

    private static func meta(_ db: Database) throws -> [String: String] {
        var meta: [String: String] = [:]
        // By storage class (``StoredValue``) here and below: a row of another type (an edited
        // file) fails the read with the advice to delete the index, where GRDB's conversion
        // stopped the process.
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM index_meta") {
            guard let key = StoredValue.text(row[0]) ?? nil, let value = StoredValue.text(row[1]) ?? nil else {
                throw StateStore.StoredFieldError(field: "index_meta")
            }
            meta[key] = value
        }
        return meta
    }

    /// The rotated files as a catch-up compares them: name, identity and size of each.
    private static func rotatedSignature(of logURL: URL) throws -> String {
        try DeletionLogSet.rotatedFiles(of: logURL).map { file in
            let status = FileSystem.status(file.url.path)
            return "\(file.url.lastPathComponent):\(status?.device ?? 0):\(status?.inode ?? 0):\(status?.size ?? -1)"
        }.joined(separator: "\n")
    }

    /// Bytes of the log file indexed per transaction (32 MiB, about 16,000 lines).
    static let chunkBytes = 32 << 20

    /// One step of ``catchUp(logURL:rebuild:progress:)``: the lines indexed, and whether more
    /// of the log file remains.
    private static func catchUp(_ db: Database, logURL: URL, rebuild: Bool) throws -> (count: Int, more: Bool) {
        let meta = try Self.meta(db)
        let rotated = try Self.rotatedSignature(of: logURL)
        guard let live = try POSIXFile.openIfPresent(logURL.path, flags: O_RDONLY) else {
            // No live file (between a rotation and the next append): rebuild from the rotated ones.
            guard rebuild else { return (0, false) }
            return (try Self.rebuild(db, logURL: logURL, rotated: rotated), false)
        }
        defer { live.closeFile() }
        try live.lock(exclusive: false)
        let status = try live.status()
        if let device = meta["device"].flatMap(UInt64.init), let inode = meta["inode"].flatMap(UInt64.init),
            let offset = meta["offset"].flatMap(Int.init), let ordinal = meta["ordinal"].flatMap(Int.init),
            meta["rotated"] == rotated, device == status.device, inode == status.inode, status.size >= offset
        {
            // The last line indexed must still be where it was, with the same bytes.
            var intact = true
            if let last = try Row.fetchOne(
                db, sql: "SELECT file_offset, length, sha256 FROM log_lines WHERE ordinal = ?", arguments: [ordinal])
            {
                let lineOffset: Int = last["file_offset"]
                let length: Int = last["length"]
                let bytes = try live.read(at: lineOffset, count: length)
                intact = bytes.count == length && ContentHash.sha256Hex(bytes) == (last["sha256"] as String)
            }
            if intact {
                var data = try live.readToEnd(from: offset, limit: Self.chunkBytes)
                var split = JSONLines.split(data)
                if split.lines.isEmpty, data.count == Self.chunkBytes {
                    // One line longer than a chunk: read it whole.
                    data = try live.readToEnd(from: offset)
                    split = JSONLines.split(data)
                }
                let added = try Self.insert(
                    split, base: offset, status: status, compressed: false, after: ordinal, db: db)
                try Self.saveMeta(
                    db, status: status, offset: offset + added.consumed, ordinal: added.ordinal, rotated: rotated)
                return (added.ordinal - ordinal, data.count == Self.chunkBytes && added.consumed > 0)
            }
        }
        guard rebuild else { return (0, false) }
        try db.execute(sql: "DELETE FROM log_lines; DELETE FROM index_meta")
        guard rotated.isEmpty else { return (try Self.rebuild(db, logURL: logURL, rotated: rotated), false) }
        // The log file alone: indexed from its start, chunk by chunk (resumable).
        try Self.saveMeta(db, status: status, offset: 0, ordinal: 0, rotated: rotated)
        return (0, true)
    }

    /// Empties the index and indexes every file of the log, in the order ``DeletionLogSet`` reads
    /// them.
    private static func rebuild(_ db: Database, logURL: URL, rotated: String) throws -> Int {
        try db.execute(sql: "DELETE FROM log_lines; DELETE FROM index_meta")
        let files: [(url: URL, isLive: Bool)]
        if rotated.isEmpty {
            files = [(logURL, true)]
        } else {
            // The order of the files comes from their contents (DeletionLogSet's rules).
            let set = try DeletionLogSet.read(url: logURL)
            files = set.files.map { ($0.url, $0.isLive) }
        }
        var ordinal = 0
        var liveStatus: POSIXFile.Status?
        var liveEnd = 0
        for file in files {
            guard let handle = try POSIXFile.openIfPresent(file.url.path, flags: O_RDONLY) else { continue }
            defer { handle.closeFile() }
            try handle.lock(exclusive: false)
            let status = try handle.status()
            let raw = try handle.readToEnd(from: 0)
            let compressed = GzipReader.isGzip(raw)
            let data = compressed ? try GzipReader.decompress(raw, path: file.url.path) : raw
            let added = try Self.insert(
                JSONLines.split(data), base: 0, status: status, compressed: compressed, after: ordinal, db: db)
            ordinal = added.ordinal
            if file.isLive, !compressed {
                liveStatus = status
                liveEnd = added.consumed
            }
        }
        // Without a live file yet, the next catch-up rebuilds again (cheap: rotated files only).
        if let liveStatus {
            try Self.saveMeta(db, status: liveStatus, offset: liveEnd, ordinal: ordinal, rotated: rotated)
        }
        return ordinal
    }

    private static func saveMeta(
        _ db: Database, status: POSIXFile.Status, offset: Int, ordinal: Int, rotated: String
    ) throws {
        for (key, value) in [
            ("device", String(status.device)), ("inode", String(status.inode)), ("offset", String(offset)),
            ("ordinal", String(ordinal)), ("rotated", rotated),
        ] {
            try db.execute(
                sql: "INSERT OR REPLACE INTO index_meta (key, value) VALUES (?, ?)", arguments: [key, value])
        }
    }

    /// The fields a line is indexed by.
    private struct Fields: Decodable {
        struct Span: Decodable {
            var from: Date?
            var to: Date?
        }
        var seq: Int?
        var event: String?
        var account: String?
        var detectedAt: Date?
        var about: String?
        var firstSeen: Date?
        var lastSeen: Date?
        var firstMissing: Date?
        var blind: Span?

        enum CodingKeys: String, CodingKey {
            case seq, event, account, about, blind
            case detectedAt = "detected_at"
            case firstSeen = "first_seen"
            case lastSeen = "last_seen"
            case firstMissing = "first_missing"
        }
    }

    /// Inserts the complete `lines` of a file (offsets relative to `base`) after `ordinal`.
    private static func insert(
        _ split: (lines: [(offset: Int, bytes: Data)], consumed: Int), base: Int, status: POSIXFile.Status,
        compressed: Bool, after ordinal: Int, db: Database
    ) throws -> (ordinal: Int, consumed: Int) {
        let decoder = JSONCoding.decoder()
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO log_lines (ordinal, device, inode, compressed, file_offset, length, sha256, seq, kind,
                account, detected_at, reposted_original, min_time, max_time)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        var ordinal = ordinal
        for line in split.lines {
            ordinal += 1
            let fields = try? decoder.decode(Fields.self, from: line.bytes)
            let times = [
                fields?.detectedAt, fields?.firstSeen, fields?.lastSeen, fields?.firstMissing, fields?.blind?.from,
                fields?.blind?.to,
            ].compactMap { $0?.timeIntervalSince1970 }
            try statement.execute(arguments: [
                ordinal, Int64(bitPattern: status.device), Int64(bitPattern: status.inode), compressed,
                base + line.offset, line.bytes.count, ContentHash.sha256Hex(line.bytes), fields?.seq, fields?.event,
                fields?.account, fields?.detectedAt?.timeIntervalSince1970,
                fields?.event == EventKind.deleted.rawValue && fields?.about == EventSubject.repostedOriginal.rawValue,
                times.min(), times.max(),
            ])
        }
        return (ordinal, split.consumed)
    }

    // MARK: Reading

    /// The event lines (not checkpoints or `log_break` lines) detected in `[from, to)`, plus every
    /// `blind` event whatever its time (its span may overlap the period), in log order.
    /// - Throws: ``StoreError`` when the index cannot be read.
    public func eventLines(from: Date, to: Date) throws -> [Line] {
        try self.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT ordinal, device, inode, compressed, file_offset, length, sha256 FROM log_lines
                    WHERE kind IS NOT NULL AND kind NOT IN ('checkpoint', 'log_break')
                    AND ((detected_at >= ? AND detected_at < ?) OR kind = 'blind')
                    ORDER BY ordinal
                    """, arguments: [from.timeIntervalSince1970, to.timeIntervalSince1970]
            ).map(Self.line)
        }
    }

    /// Per account, the earliest and latest time any of its events mentions (`detected_at`,
    /// `first_seen`, `last_seen`, `first_missing`, a blind span's ends): what the digest's
    /// coverage needs of the events outside its week.
    public func eventTimes() throws -> [AccountKey: DigestLogInput.TimeRange] {
        try self.read { db in
            var result: [AccountKey: DigestLogInput.TimeRange] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT account, min(min_time) AS first, max(max_time) AS last FROM log_lines
                    WHERE account IS NOT NULL AND kind NOT IN ('checkpoint', 'log_break') AND min_time IS NOT NULL
                    GROUP BY account
                    """)
            {
                guard let account = StoredValue.text(row[0]) ?? nil, let first = StoredValue.number(row[1]) ?? nil,
                    let last = StoredValue.number(row[2]) ?? nil
                else { throw StateStore.StoredFieldError(field: "log_lines") }
                result[AccountKey(rawValue: account)] = DigestLogInput.TimeRange(
                    first: Date(timeIntervalSince1970: first), last: Date(timeIntervalSince1970: last))
            }
            return result
        }
    }

    /// How many event lines the index holds (checkpoints and `log_break` lines left out).
    public func eventCount() throws -> Int {
        try self.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM log_lines WHERE kind IS NOT NULL AND kind NOT IN ('checkpoint', 'log_break')"
            )
                ?? 0
        }
    }

    /// How many event lines detected at or after `cutoff` (UTC) the index holds, checkpoints and
    /// `log_break` lines left out: the daemon's "events today" without reading the log.
    public func eventCount(detectedSince cutoff: Date) throws -> Int {
        try self.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM log_lines WHERE detected_at >= ? AND kind IS NOT NULL
                    AND kind NOT IN ('checkpoint', 'log_break')
                    """, arguments: [cutoff.timeIntervalSince1970]) ?? 0
        }
    }

    /// The SHA-256 of the last line indexed, if any: equal to the log's last line when the index
    /// is complete.
    public func lastLineHash() throws -> String? {
        try self.read { db in
            try String.fetchOne(db, sql: "SELECT sha256 FROM log_lines ORDER BY ordinal DESC LIMIT 1")
        }
    }

    /// Per account, its events detected at or after `cutoff`, counted (``AccountCounts``).
    /// - Parameters:
    ///   - cutoff: The earliest detection time counted.
    ///   - accounts: Count only these accounts (`status --account`), or every account when `nil`.
    ///     A selection of more than ``selectionLimit`` accounts counts every account.
    public func counts(since cutoff: Date, of accounts: Set<AccountKey>? = nil) throws -> [AccountKey: AccountCounts] {
        let selection = Self.accountSelection(accounts)
        return try self.read { db in
            var result: [AccountKey: AccountCounts] = [:]
            // Read row by row, the columns by position (a lookup by name compares every column's
            // name): at 100,000 accounts this was a tenth of `status`.
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT account, reposted_original, count(*) AS events, max(detected_at) AS last,
                    min(min_time) AS first_time, max(max_time) AS last_time FROM log_lines
                    WHERE detected_at >= ? AND account IS NOT NULL AND kind NOT IN ('checkpoint', 'log_break')
                    \(selection.sql) GROUP BY account, reposted_original
                    """, arguments: [cutoff.timeIntervalSince1970] + selection.arguments)
            while let row = try rows.next() {
                guard let account = StoredValue.text(row[0]) ?? nil, let reposted = StoredValue.integer(row[1]) ?? nil,
                    let events = StoredValue.integer(row[2]) ?? nil, let detected = StoredValue.number(row[3]) ?? nil,
                    let firstTime = StoredValue.number(row[4]), let lastTime = StoredValue.number(row[5])
                else { throw StateStore.StoredFieldError(field: "log_lines") }
                let key = AccountKey(rawValue: account)
                var counts = result[key] ?? AccountCounts()
                if reposted != 0 { counts.repostedOriginals += events } else { counts.own += events }
                let last = Date(timeIntervalSince1970: detected)
                counts.lastDetectedAt = max(counts.lastDetectedAt ?? last, last)
                if let first = firstTime.map(Date.init(timeIntervalSince1970:)) {
                    counts.firstTime = min(counts.firstTime ?? first, first)
                }
                if let latest = lastTime.map(Date.init(timeIntervalSince1970:)) {
                    counts.lastTime = max(counts.lastTime ?? latest, latest)
                }
                result[key] = counts
            }
            return result
        }
    }

    /// The event lines of `kinds` detected at or after `cutoff` (``eventLines(from:to:)``'s rows).
    /// - Parameters:
    ///   - kinds: The event kinds wanted.
    ///   - cutoff: The earliest detection time.
    ///   - accounts: Only the lines of these accounts, or of every account when `nil` (as
    ///     ``counts(since:of:)`` selects them).
    public func eventLines(kinds: [EventKind], since cutoff: Date, of accounts: Set<AccountKey>? = nil) throws
        -> [Line]
    {
        guard !kinds.isEmpty else { return [] }
        let marks = kinds.map { _ in "?" }.joined(separator: ", ")
        let selection = Self.accountSelection(accounts)
        return try self.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT ordinal, device, inode, compressed, file_offset, length, sha256 FROM log_lines
                    WHERE kind IN (\(marks)) AND detected_at >= ? \(selection.sql) ORDER BY ordinal
                    """,
                arguments: StatementArguments(kinds.map(\.rawValue)) + [cutoff.timeIntervalSince1970]
                    + selection.arguments
            )
            .map(Self.line)
        }
    }

    /// The most accounts a read selects by key; a larger selection reads every account (one SQL
    /// parameter per key, and SQLite allows 32,766).
    public static let selectionLimit = 1_000

    /// The `AND account IN (…)` of a read of `accounts` (empty when `nil` or more than
    /// ``selectionLimit``), with its arguments.
    private static func accountSelection(_ accounts: Set<AccountKey>?) -> (sql: String, arguments: StatementArguments) {
        guard let accounts, accounts.count <= Self.selectionLimit else { return ("", []) }
        guard !accounts.isEmpty else { return ("AND 0", []) }
        let keys = accounts.map(\.rawValue).sorted()
        return ("AND account IN (\(keys.map { _ in "?" }.joined(separator: ", ")))", StatementArguments(keys))
    }

    /// The line of `row` (`ordinal, device, inode, compressed, file_offset, length, sha256`).
    private static func line(_ row: Row) throws -> Line {
        guard let ordinal = StoredValue.integer(row[0]) ?? nil, let device = StoredValue.integer(row[1]) ?? nil,
            let inode = StoredValue.integer(row[2]) ?? nil, let compressed = StoredValue.integer(row[3]) ?? nil,
            let offset = StoredValue.integer(row[4]) ?? nil, let length = StoredValue.integer(row[5]) ?? nil,
            let sha256 = StoredValue.text(row[6]) ?? nil
        else { throw StateStore.StoredFieldError(field: "log_lines") }
        return Line(
            ordinal: ordinal, device: UInt64(bitPattern: Int64(device)), inode: UInt64(bitPattern: Int64(inode)),
            compressed: compressed != 0, offset: offset, length: length, sha256: sha256)
    }

    private func read<Value>(_ body: (Database) throws -> Value) throws -> Value {
        do {
            return try self.queue.read(body)
        } catch {
            throw StoreError(
                operation: "read", path: self.url.path, detail: "\(error)",
                advice: "delete \(self.url.path): it is rebuilt from the deletion log")
        }
    }

    // MARK: Reading the lines themselves

    /// A line the index names that the log no longer holds as indexed.
    public struct StaleLine: Error, CustomStringConvertible {
        /// The line's position in the log.
        public var ordinal: Int
        /// What differs.
        public var detail: String
        public var description: String { "log line \(self.ordinal): \(self.detail)" }
    }

    /// The events of `lines`, read from the log files at `logURL` (the live file and its rotated
    /// ones, found by identity), each line's bytes checked against the SHA-256 the index recorded.
    /// - Throws: ``StaleLine`` when a file is gone, a line's bytes changed or it does not decode
    ///   (the caller reads the whole log instead); ``StoreError`` when a file cannot be read.
    public static func events(of lines: [Line], logURL: URL) throws -> [Event] {
        guard !lines.isEmpty else { return [] }
        let logURL = logURL.standardizedFileURL
        var paths: [String: URL] = [:]
        for url in [logURL] + ((try? DeletionLogSet.rotatedFiles(of: logURL)) ?? []).map(\.url) {
            if let status = FileSystem.status(url.path) { paths["\(status.device):\(status.inode)"] = url }
        }
        // The lines' bytes read in order, until the first that cannot be read; then checked and
        // decoded side by side on the machine's cores (a week of 100,000 events: decoding was a
        // tenth of the digest), each part into its own slot. The error thrown is the one of the
        // first line in log order that fails, as when every line was read and decoded in turn.
        var read: [Data] = []
        read.reserveCapacity(lines.count)
        var readFailure: (any Error)?
        do {
            var open: (key: String, file: POSIXFile?, data: Data?)?
            defer { open?.file?.closeFile() }
            for line in lines {
                let key = "\(line.device):\(line.inode)"
                if open?.key != key {
                    open?.file?.closeFile()
                    open = nil
                    guard let url = paths[key], let file = try POSIXFile.openIfPresent(url.path, flags: O_RDONLY)
                    else {
                        throw StaleLine(ordinal: line.ordinal, detail: "its file is gone (rotated or compressed since)")
                    }
                    if line.compressed {
                        let raw = try file.readToEnd(from: 0)
                        file.closeFile()
                        open = (key, nil, try GzipReader.decompress(raw, path: url.path))
                    } else {
                        open = (key, file, nil)
                    }
                }
                if let data = open?.data {
                    guard line.offset + line.length <= data.count else {
                        throw StaleLine(ordinal: line.ordinal, detail: "its file is shorter than indexed")
                    }
                    read.append(data.subdata(in: line.offset..<(line.offset + line.length)))
                } else {
                    read.append(try open!.file!.read(at: line.offset, count: line.length))
                }
            }
        } catch {
            readFailure = error
        }
        let bytes = read
        let decoded = ParallelParts.map(Array(bytes.indices), minimumPerPart: 1_000) { positions in
            let decoder = JSONCoding.decoder()
            var events: [Event] = []
            events.reserveCapacity(positions.count)
            for position in positions {
                let line = lines[position]
                guard bytes[position].count == line.length, ContentHash.sha256Hex(bytes[position]) == line.sha256 else {
                    return Result<[Event], StaleLine>.failure(
                        StaleLine(ordinal: line.ordinal, detail: "its bytes no longer have the SHA-256 indexed"))
                }
                do {
                    events.append(try decoder.decode(Event.self, from: bytes[position]))
                } catch {
                    return .failure(StaleLine(ordinal: line.ordinal, detail: "not an event: \(error)"))
                }
            }
            return .success(events)
        }
        var events: [Event] = []
        events.reserveCapacity(lines.count)
        for part in decoded { events += try part.get() }
        if let readFailure { throw readFailure }
        return events
    }
}
