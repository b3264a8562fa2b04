public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The deletion log: JSON Lines, one ``Event`` per line, UTF-8, append-only, fsynced after each
/// batch, each line chained to the one before by `prev`, the SHA-256 of the previous line's bytes.
/// Schema, chain and rotation rules: `docs/deletion-log.md`.
///
/// Several writers may share the file (the daemon and a `palimpsest poll` beside it): every append
/// takes an exclusive `flock` and first reads what others appended since, so `seq` and `prev` stay
/// continuous. A last line without its newline (torn by a crash mid-write) is never rewritten: the
/// next append starts with a newline after it, and the chain goes on from the last line that carries
/// `seq`, `prev` and `id` (a torn line that is a whole event chaining from that line, only missing
/// its newline, is such a line: its id counts as logged).
///
/// Calls block on the disk: call them through ``BlockingIO/run(_:)`` from async code.
public final class DeletionLog: Sendable {
    /// The `prev` of the first line of a new log: the SHA-256 (lowercase hex) of the 26 ASCII bytes
    /// `palimpsest deletion log v1`, that is
    /// `e91a94fb89aec1361f6f8b22e91f99d3a0318c9021c25b6b47e051cf8f70dc0e` (see
    /// `docs/deletion-log.md`; a test checks the value).
    public static let genesis: String = ContentHash.sha256Hex("palimpsest deletion log v1")

    /// The log file.
    public let url: URL

    /// The guarded chain head (`state_dir/log-head.json`), or `nil` for a log without one (tests,
    /// the benchmark). See ``ChainHead``.
    public let headURL: URL?

    // What this instance has read of the file, and the end of the chain. Mutated only inside
    // `state.withLock`, which also serializes appends within the process; the flock serializes
    // them with other processes.
    private let state: Mutex<ChainState>

    private struct ChainState {
        /// Identity of the file read so far; `nil` before the first scan.
        var device: UInt64?
        var inode: UInt64?
        /// Bytes read, up to the end of the last complete line.
        var offset = 0
        /// `seq` of the last log line (0 before the first).
        var lastSeq = 0
        /// SHA-256 of the last log line (the genesis before the first).
        var lastHash = DeletionLog.genesis
        /// Every event id read or written by this instance (across rotations).
        var ids: Set<String> = []
        /// The last write that failed after it began: whole lines of it may be in the file.
        var failedWrite: FailedWrite?
        /// Events whose lines a failed write left in the file, found there since, and not yet
        /// given back to a request (by id): the next request that holds one gets it back as
        /// written, so that each logged event is reported once (alerts, the mass-deletion alarm).
        var unreported: [String: Event] = [:]
    }

    /// What a write that failed part-way had begun to append.
    private struct FailedWrite {
        var device: UInt64
        var inode: UInt64
        /// Where the write began: the file's size before it.
        var offset: Int
        /// Its bytes: a newline first when it followed a torn line, then one line per event.
        var payload: Data
        /// Its events, as numbered, each with the end of its line in `payload` (after the `\n`).
        var lines: [(event: Event, end: Int)]
    }

    /// Opens the log at `url`, creating its folder (0700) and the file (0600) when missing, and
    /// reads it to find the last `seq`, the hash of the last line and every event id.
    /// - Parameters:
    ///   - url: The log file (`deletion_log`).
    ///   - headURL: The guarded chain head (``ChainHead``, `state_dir/log-head.json`): every append
    ///     first checks the file's tail against it and refuses on a mismatch, and rewrites it after
    ///     writing. `nil`: no guard.
    /// - Throws: ``StoreError`` naming the file when it cannot be created, locked or read.
    public init(url: URL, headURL: URL? = nil) throws {
        self.url = url.standardizedFileURL
        self.headURL = headURL?.standardizedFileURL
        self.state = Mutex(ChainState())
        try self.reopen()
        self.continueRotatedChain()
    }

    /// A log file without log lines, opened by a process that has no memory of an older file (a
    /// daemon started after logrotate renamed the log and before anything was appended), continues
    /// the chain of the newest rotated file beside it (`deletions.jsonl.1`, `….1.gz`,
    /// `deletions.jsonl-20261101`; see ``DeletionLogSet``), so the files stay one chain. Its ids
    /// count as logged, so a pending event already in it is not written again.
    private func continueRotatedChain() {
        self.state.withLock { state in
            guard state.lastSeq == 0, state.ids.isEmpty else { return }
            // Newest by name first; a file that cannot be read or holds no log line is passed over.
            guard let rotated = try? DeletionLogSet.rotatedFiles(of: self.url) else { return }
            for file in rotated.reversed() where file.name.unsupportedCompression == nil {
                guard let data = try? Self.contents(of: file.url), let ends = Self.chainEnds(data) else { continue }
                state.lastSeq = ends.lastSeq
                state.lastHash = ends.lastHash
                state.ids = ends.ids
                return
            }
        }
    }

    /// True when an event with this id has been read from or written to the log by this instance.
    /// Another process's appends show up after this instance's next ``append(_:)`` or ``reopen()``;
    /// ``append(_:)`` itself always checks the file.
    public func contains(eventID: String) -> Bool {
        self.state.withLock { $0.ids.contains(eventID) }
    }

    /// `seq` of the last line known to this instance (0 for an empty log).
    public var lastSeq: Int { self.state.withLock { $0.lastSeq } }

    /// SHA-256 of the last line known to this instance: the `prev` of the next line.
    public var lastHash: String { self.state.withLock { $0.lastHash } }

    /// Appends the events whose id is not in the log yet, in the order given (a repeated id within
    /// the batch is written once), with `seq` = last + 1, … and `prev` = SHA-256 of the previous
    /// line, each as one line encoded with ``JSONCoding/lineEncoder()``, in one write followed by
    /// one fsync, under an exclusive `flock` after reading what other writers appended.
    /// - Parameter events: Events from the detector; their `seq` and `prev` are replaced.
    /// - Returns: The events actually written, with `seq` and `prev` set (empty when all were
    ///   already logged). An event whose line a failed write of this instance left in the file
    ///   counts as written by the first later call that holds it (so each logged event is
    ///   returned once, and alerts hear of it).
    ///
    /// The write also holds the events of every request other callers registered by then
    /// (``queueAppend(_:)``), and its error is theirs too.
    /// - Throws: ``StoreError`` when the file cannot be opened, locked, read, written or synced
    ///   (`ENOSPC` when the disk is full), or its tail is not the guarded head. After a failed
    ///   write the file may hold some of the lines, whole: the part of a line the write left is cut
    ///   off again. The next append reads the whole ones back, writes none of them again and gives
    ///   back, once, those of this instance's write to the call that holds them, so no event is
    ///   written twice.
    public func append(_ events: [Event]) throws -> [Event] {
        try self.appendQueued(self.queueAppend(events))
    }

    /// Events registered for an append of this log (``queueAppend(_:)``), and what became of them.
    public final class AppendRequest: Sendable {
        fileprivate let events: [Event]
        /// The log that queued it: only that log writes it.
        fileprivate let log: ObjectIdentifier
        /// The events written for this request, or why the append failed; `nil` until then.
        fileprivate let outcome = Mutex<Result<[Event], any Error>?>(nil)

        fileprivate init(events: [Event], log: ObjectIdentifier) {
            self.events = events
            self.log = log
        }
    }

    /// Appends registered and not yet written, oldest first.
    private let queued = Mutex<[AppendRequest]>([])

    /// Registers `events` for the next append of this log, without blocking: ``appendQueued(_:)``
    /// writes them, together with every other request registered by then (group commit: several
    /// polls' events in one write, one fsync of the log and one atomic save of the chain head,
    /// where each append had cost all three).
    ///
    /// Call it once everything the events cite is durable (the poll's state committed): a request
    /// may be written by another caller's ``appendQueued(_:)`` from then on.
    /// - Parameter events: Events from the detector; their `seq` and `prev` are replaced.
    /// - Returns: The request to pass to ``appendQueued(_:)``.
    public func queueAppend(_ events: [Event]) -> AppendRequest {
        let request = AppendRequest(events: events, log: ObjectIdentifier(self))
        self.queued.withLock { $0.append(request) }
        return request
    }

    /// Writes `request` as ``append(_:)`` does, unless another call already wrote it: every request
    /// registered by the time this call holds the log's lock goes into one write, in the order they
    /// were registered (an id already logged, or repeated in an earlier request, is skipped).
    /// `request` must come from this log's ``queueAppend(_:)`` (anything else is a bug: it traps).
    /// - Returns: The events of `request` actually written, with `seq` and `prev` set.
    /// - Throws: As ``append(_:)``: an error of the file (opening, locking, reading, the guarded
    ///   head, writing, syncing) is the error of every request in the write, whichever caller's
    ///   call made it (whole lines the write managed stay: they are not written again, and their
    ///   events are given back, once, to the later call that holds them); an
    ///   event that cannot be encoded fails its own request only.
    public func appendQueued(_ request: AppendRequest) throws -> [Event] {
        precondition(request.log == ObjectIdentifier(self), "a request is written by the log that queued it")
        let wrote = self.state.withLock { state -> Bool in
            if request.outcome.withLock({ $0 }) != nil { return false }
            let batch = self.queued.withLock { queued in
                defer { queued = [] }
                return queued
            }
            let outcomes: [Result<[Event], any Error>]
            do {
                outcomes = try self.appendLines(batch.map(\.events), state: &state)
            } catch {
                outcomes = Array(repeating: .failure(error), count: batch.count)
            }
            for (queuedRequest, outcome) in zip(batch, outcomes) {
                queuedRequest.outcome.withLock { $0 = outcome }
            }
            return outcomes.contains { (try? $0.get())?.isEmpty == false }
        }
        if wrote { self.indexAppended() }
        guard let outcome = request.outcome.withLock({ $0 }) else {
            preconditionFailure("a request registered before the lock was taken is written under it")
        }
        return try outcome.get()
    }

    /// Where the last check of the chain before a signature ended without a break
    /// (``chainBreaks(of:leaves:)``): the next one goes on from there when those lines are unchanged.
    struct ChainCheck: Sendable {
        /// Lines checked (of the rotated files, oldest first, then the log file).
        var lineCount: Int
        /// SHA-256 of their leaf hashes, one after the other.
        var prefixDigest: Data
        /// The verification of those lines (the chain's end: last `seq` and hash).
        var verification: LogVerification
        /// Lines the check read (all of them, or only those after the previous check's).
        var linesRead: Int
    }

    /// The last check of the chain without a break, `nil` before the first or after a break.
    let chainCheck = Mutex<ChainCheck?>(nil)

    /// The ``LogIndex`` of a guarded log (in the head's folder, `state_dir`), opened at the first
    /// append after a reader created it; `nil` before, and for a log without a head.
    private let index = Mutex<LogIndex?>(nil)

    /// Indexes the lines just appended (after the file's lock is released: the index reads the
    /// file under a shared lock). A failure only leaves the index behind: readers catch up.
    private func indexAppended() {
        guard let folder = self.headURL?.deletingLastPathComponent() else { return }
        let index = self.index.withLock { index -> LogIndex? in
            // Kept current once a reader made it; never created here (it is a reader's cache).
            if index == nil, FileSystem.exists(folder.appendingPathComponent(LogIndex.fileName).path) {
                index = try? LogIndex(stateDirectory: folder, waitsForOthers: false)
            }
            return index
        }
        _ = try? index?.catchUp(logURL: self.url, rebuild: false)
    }

    /// Appends the events of each request in `requests`, in order, in one write; returns the
    /// events written of each, or the encoding error of a request whose events cannot all be
    /// encoded (none of its events is written) (``appendQueued(_:)``). Called with the log's lock
    /// held.
    /// - Throws: ``StoreError`` when the file cannot be opened, locked, read, written or synced, or
    ///   its tail is not the guarded head: nothing of any request counts as written.
    private func appendLines(_ requests: [[Event]], state: inout ChainState) throws -> [Result<[Event], any Error>] {
        let file = try DurableFile.openForAppend(self.url.path, readable: true)
        defer { file.closeFile() }
        try file.lock(exclusive: true)
        try Self.findLinesOfFailedWrite(file, in: &state)
        let scan = try Self.scan(file, into: &state)
        try self.checkChainHead(file)

        var payload = Data()
        if scan.hasTornTail { payload.append(UInt8(ascii: "\n")) }
        var seq = state.lastSeq
        var prev = state.lastHash
        var written: [Result<[Event], any Error>] = []
        var batchIDs: Set<String> = []
        var lineEnds: [(event: Event, end: Int)] = []
        let encoder = JSONCoding.lineEncoder()
        for events in requests {
            // Where the chain stood before this request: an event it cannot encode takes the whole
            // request back out, and only this request fails.
            let (seqBefore, prevBefore, idsBefore, bytesBefore) = (seq, prev, batchIDs, payload.count)
            let linesBefore = lineEnds.count
            var writtenOfRequest: [Event] = []
            do {
                for var event in events {
                    if batchIDs.contains(event.id) { continue }
                    if state.ids.contains(event.id) {
                        // In the file by a write of this instance that failed: written, not yet said.
                        if let unreported = state.unreported.removeValue(forKey: event.id) {
                            writtenOfRequest.append(unreported)
                        }
                        continue
                    }
                    seq += 1
                    event.seq = seq
                    event.prev = prev
                    let line: Data
                    do {
                        line = try encoder.encode(event)
                    } catch {
                        throw StoreError(
                            operation: "encode",
                            path: self.url.path,
                            detail: "event \(event.id): \(error)",
                            advice: "report this as a bug"
                        )
                    }
                    prev = ContentHash.sha256Hex(line)
                    payload.append(line)
                    payload.append(UInt8(ascii: "\n"))
                    lineEnds.append((event, payload.count))
                    writtenOfRequest.append(event)
                    batchIDs.insert(event.id)
                }
                written.append(.success(writtenOfRequest))
            } catch {
                (seq, prev, batchIDs) = (seqBefore, prevBefore, idsBefore)
                payload.removeLast(payload.count - bytesBefore)
                lineEnds.removeLast(lineEnds.count - linesBefore)
                // Given back again to a later request that holds them.
                for event in writtenOfRequest where state.ids.contains(event.id) {
                    state.unreported[event.id] = event
                }
                written.append(.failure(error))
            }
        }
        guard !batchIDs.isEmpty else { return written }
        // A write cut short by a full disk leaves no torn line: the whole lines it managed stay
        // (the next scan reads them back and they are not written again; the next append finds which are this
        // write's and gives their events back then), the rest is cut off again.
        do {
            try file.appendLines(payload, toFileOfSize: scan.size)
        } catch {
            // The file the scan just read (its identity is the scan's).
            if let device = state.device, let inode = state.inode {
                state.failedWrite = FailedWrite(
                    device: device, inode: inode, offset: scan.size, payload: payload, lines: lineEnds)
            }
            // Every request of this write fails: the events given back from an earlier failed
            // write wait again for the retries.
            for case .success(let events) in written {
                for event in events where state.ids.contains(event.id) { state.unreported[event.id] = event }
            }
            throw error
        }
        state.offset = scan.size + payload.count
        state.lastSeq = seq
        state.lastHash = prev
        state.ids.formUnion(batchIDs)
        self.recordChainHead(file, seq: seq, hash: prev)
        return written
    }

    /// Finds which lines of the last failed write of this instance are in the file, as it began
    /// them where it began them (a write cut short keeps its whole lines), and keeps their events
    /// for the requests that hold them again (``ChainState/unreported``). Called with the file
    /// locked, before the scan that reads those lines.
    /// - Throws: ``StoreError`` when the file cannot be read.
    private static func findLinesOfFailedWrite(_ file: POSIXFile, in state: inout ChainState) throws {
        guard let failed = state.failedWrite else { return }
        let status = try file.status()
        guard status.device == failed.device, status.inode == failed.inode, status.size > failed.offset else {
            state.failedWrite = nil
            return
        }
        let found = try file.read(at: failed.offset, count: min(failed.payload.count, status.size - failed.offset))
        // Forgotten only once read: a read that fails leaves it for the next append.
        state.failedWrite = nil
        func same(_ range: Range<Int>) -> Bool {
            range.upperBound <= found.count
                && found[(found.startIndex + range.lowerBound)..<(found.startIndex + range.upperBound)]
                    == failed.payload[
                        (failed.payload.startIndex + range.lowerBound)..<(failed.payload.startIndex + range.upperBound)]
        }
        var start = 0
        for (event, end) in failed.lines {
            // A whole line; or, at the file's end, a line without its newline (the cut-back failed),
            // which the scan counts as logged too.
            guard same(start..<end) || (end - 1 == found.count && same(start..<(end - 1))) else { break }
            state.unreported[event.id] = event
            start = end
        }
    }

    /// Opens the file at ``url`` again, for after log rotation (logrotate renamed the file; SIGHUP).
    /// A new file (creating it when missing) continues the chain: its first line gets
    /// `seq` = last + 1 and `prev` = the hash of the old file's last line, which this instance
    /// keeps in memory. Appends notice a replaced file by themselves too; this only makes it prompt.
    /// - Throws: ``StoreError`` when the file cannot be created, locked or read.
    public func reopen() throws {
        try self.state.withLock { state in
            let file = try DurableFile.openForAppend(self.url.path, readable: true)
            defer { file.closeFile() }
            try file.lock(exclusive: false)
            _ = try Self.scan(file, into: &state)
        }
    }

    /// Reads what was appended to `file` since the last scan (from the start when the file is a
    /// different one or shorter than before) and advances the chain over its log lines. A file
    /// without log lines keeps the chain end found before: that is how a rotated file continues
    /// the old one.
    private static func scan(_ file: POSIXFile, into state: inout ChainState) throws -> (size: Int, hasTornTail: Bool) {
        let status = try file.status()
        if state.device != status.device || state.inode != status.inode || status.size < state.offset {
            state.device = status.device
            state.inode = status.inode
            state.offset = 0
        }
        let unread = try file.readToEnd(from: state.offset)
        let (lines, consumed) = JSONLines.split(unread)
        let decoder = JSONCoding.decoder()
        // Only the last log line's hash is the chain's end: hashing every line read was a tenth
        // of a restart's time with a 100 MB log.
        var lastLogLine: Data?
        for line in lines {
            guard let fields = try? decoder.decode(ChainFields.self, from: line.bytes) else { continue }
            state.lastSeq = fields.seq
            lastLogLine = line.bytes
            state.ids.insert(fields.id)
        }
        if let lastLogLine { state.lastHash = ContentHash.sha256Hex(lastLogLine) }
        let size = state.offset + unread.count
        state.offset += consumed
        let tail = unread.dropFirst(consumed)
        // A crash after the JSON of a line but before its newline leaves a whole event that chains
        // correctly. Writers hold the lock while writing, so under our lock this tail is final:
        // adopt it (the next append's leading newline completes it), or a retry of the same event
        // would be written a second time with the same seq.
        if !tail.isEmpty, let fields = try? decoder.decode(ChainFields.self, from: Data(tail)),
            fields.prev == state.lastHash, fields.seq == state.lastSeq + 1
        {
            state.lastSeq = fields.seq
            state.lastHash = ContentHash.sha256Hex(Data(tail))
            state.ids.insert(fields.id)
        }
        return (size, !tail.isEmpty)
    }

    // MARK: The guarded chain head

    /// Refuses to append when the file's tail is not the guarded head (``ChainHead``).
    /// - Throws: ``StoreError`` (operation `append`) saying what was found and what to do.
    private func checkChainHead(_ file: POSIXFile) throws {
        if let mismatch = try self.chainHeadMismatch(file) {
            throw StoreError(
                operation: "append", path: self.url.path, detail: mismatch.description, advice: ChainHeadMismatch.advice
            )
        }
    }

    /// The mismatch between `file` (locked) and the stored head, or `nil` when they agree or there
    /// is no head yet (the first append adopts the tail and writes one).
    private func chainHeadMismatch(_ file: POSIXFile) throws -> ChainHeadMismatch? {
        guard let headURL = self.headURL, let head = try ChainHead.load(from: headURL) else { return nil }
        let status = try file.status()
        let sameFile = status.device == head.device && status.inode == head.inode && status.size >= head.offset
        // The head's own file: the last line written ends at the head's offset, so the bytes just
        // before it are enough (a log line is far shorter than the first window). A line that
        // does not fit (no whole line ends at the offset within the window: `changedLastLine`) is
        // looked for again in a wider window, at last in the whole file: each window gives the
        // same verdict as the whole file whenever a whole line ends at the offset within it. Each
        // append checks the head: a window of the whole last MiB read and split that MiB every
        // time (and the first window of 64 KiB was 1.3% of a steady cycle's CPU).
        var found: ChainHeadMismatch?
        for window in Self.chainCheckWindows {
            let base = sameFile && window > 0 ? max(0, head.offset - window) : 0
            found = ChainHeadMismatch.check(
                head: head, data: try file.readToEnd(from: base), base: base, status: status, logURL: self.url)
            guard found?.kind == .changedLastLine, base > 0 else { break }
        }
        return found
    }

    /// The bytes before the head's offset that ``chainHeadMismatch(_:)`` reads, widest last
    /// (0: the whole file): 4 KiB (most log lines are shorter), 64 KiB, 1 MiB, all.
    static let chainCheckWindows = [1 << 12, 1 << 16, 1 << 20, 0]

    /// Rewrites the guarded head after an append (`file` still locked). A failed write is not an
    /// error: the lines are in the log, and the next check accepts lines that chain from the old head.
    private func recordChainHead(_ file: POSIXFile, seq: Int, hash: String) {
        guard let headURL = self.headURL, let status = try? file.status() else { return }
        let head = ChainHead(
            file: self.url.path, device: status.device, inode: status.inode, offset: status.size, seq: seq,
            sha256: hash, writtenAt: Date())
        try? head.save(to: headURL)
    }

    /// Checks the log's tail against the guarded head without appending (for `run` at start-up,
    /// `status` and `verify`).
    /// - Returns: the mismatch, or `nil` when the tail is the head (or there is no head).
    /// - Throws: ``StoreError`` when the file or the head cannot be read.
    public func checkChainHead() throws -> ChainHeadMismatch? {
        try self.state.withLock { _ in
            let file = try DurableFile.openForAppend(self.url.path, readable: true)
            defer { file.closeFile() }
            try file.lock(exclusive: false)
            return try self.chainHeadMismatch(file)
        }
    }

    /// Records a discontinuity of the chain and resumes appending (`palimpsest log continue`):
    /// appends a `log_break` line (``LogBreak``) that says what the guarded head expected and what
    /// the file holds, chained from the last line that still chains (the last line of the file's
    /// longest run of lines that chain; the head itself when the file holds no log line). Nothing
    /// is rewritten or removed: lines after that one stay in the file and are listed as set aside,
    /// and torn bytes at the end get their newline first. The head then points at the new line.
    /// - Parameters:
    ///   - reason: The operator's words, kept in the line.
    ///   - now: The time of the record.
    /// - Returns: the record as written.
    /// - Throws: ``StoreError`` when the log has no guarded head, when its tail matches the head
    ///   (nothing to continue), or when the file cannot be read or written.
    public func continueAfterBreak(reason: String, at now: Date) throws -> LogRecord {
        try self.state.withLock { state in
            guard let headURL = self.headURL else {
                throw StoreError(
                    operation: "append", path: self.url.path, detail: "this log has no guarded chain head",
                    advice: "run `palimpsest log continue` with the config whose state_dir keeps the head")
            }
            let file = try DurableFile.openForAppend(self.url.path, readable: true)
            defer { file.closeFile() }
            try file.lock(exclusive: true)
            let head = try ChainHead.load(from: headURL)
            let status = try file.status()
            let data = try file.readToEnd(from: 0)
            let mismatch = head.flatMap {
                ChainHeadMismatch.check(head: $0, data: data, base: 0, status: status, logURL: self.url)
            }
            let (lines, consumed) = JSONLines.split(data)
            guard mismatch != nil || consumed < data.count else {
                throw StoreError(
                    operation: "append", path: self.url.path,
                    detail: "nothing to continue: the log's tail matches its chain head"
                        + (head.map { " (seq \($0.seq))" } ?? ""),
                    advice: "no break to record; `palimpsest verify` checks the whole log")
            }
            // The longest run of log lines that chain, from the file's first log line.
            let decoder = JSONCoding.decoder()
            var resume: (index: Int, seq: Int, hash: String)?
            for (index, line) in lines.enumerated() {
                guard let fields = try? decoder.decode(ChainLine.self, from: line.bytes) else { continue }
                if let last = resume, fields.prev != last.hash || fields.seq != last.seq + 1 { break }
                resume = (index, fields.seq, ContentHash.sha256Hex(line.bytes))
            }
            let name = self.url.lastPathComponent
            let resumesAfter: ChainPosition
            if let resume {
                resumesAfter = ChainPosition(file: name, seq: resume.seq, sha256: resume.hash)
            } else if let head {
                resumesAfter = head.position
            } else {
                resumesAfter = ChainPosition(file: name, seq: state.lastSeq, sha256: state.lastHash)
            }
            var setAside: [SetAsideLine] = []
            for (index, line) in lines.enumerated() where index > (resume?.index ?? -1) {
                setAside.append(
                    SetAsideLine(line: index + 1, bytes: line.bytes.count, sha256: ContentHash.sha256Hex(line.bytes)))
            }
            if consumed < data.count {
                let tail = Data(data.dropFirst(consumed))
                setAside.append(
                    SetAsideLine(line: lines.count + 1, bytes: tail.count, sha256: ContentHash.sha256Hex(tail)))
            }
            let problem = mismatch?.kind.rawValue ?? ChainHeadMismatch.Kind.tornLine.rawValue
            let message =
                mismatch?.description
                ?? "the file ends in \(data.count - consumed) bytes without a newline that are not a whole log line"
            let id = String(
                ContentHash.sha256Hex("log_break\n\(resumesAfter.sha256)\n\(RFC3339.string(from: now))").prefix(32))
            var record = LogRecord(
                id: id, detectedAt: now, event: .logBreak,
                logBreak: LogBreak(
                    reason: reason, problem: problem, message: message, expected: head?.position,
                    found: mismatch?.found, resumesAfter: resumesAfter, setAside: setAside.isEmpty ? nil : setAside))
            record.seq = resumesAfter.seq + 1
            record.prev = resumesAfter.sha256
            let line = try self.encodeRecord(record)
            var payload = Data()
            if consumed < data.count { payload.append(UInt8(ascii: "\n")) }
            payload.append(line)
            payload.append(UInt8(ascii: "\n"))
            try file.appendLines(payload, toFileOfSize: status.size)
            state.device = status.device
            state.inode = status.inode
            state.offset = status.size + payload.count
            state.lastSeq = resumesAfter.seq + 1
            state.lastHash = ContentHash.sha256Hex(line)
            state.ids.insert(id)
            self.recordChainHead(file, seq: state.lastSeq, hash: state.lastHash)
            return record
        }
    }

    /// Appends the record `build` makes, through the same guard as ``append(_:)``: under the
    /// exclusive lock, after reading what other writers appended and checking the guarded head;
    /// `build` gets the position the record will follow and the bytes of every complete line of
    /// the log file so far (for a checkpoint's tree). The head is rewritten after the write.
    /// - Returns: the record as written, or `nil` when `build` returns `nil` (nothing to record).
    /// - Throws: ``StoreError`` as ``append(_:)``, or what `build` throws.
    func appendRecord(_ build: (_ after: ChainPosition, _ liveLines: [Data]) throws -> LogRecord?) throws -> LogRecord?
    {
        try self.state.withLock { state in
            let file = try DurableFile.openForAppend(self.url.path, readable: true)
            defer { file.closeFile() }
            try file.lock(exclusive: true)
            let scan = try Self.scan(file, into: &state)
            try self.checkChainHead(file)
            let data = try file.readToEnd(from: 0)
            let (lines, consumed) = JSONLines.split(data)
            var live = lines.map(\.bytes)
            // A torn tail becomes a line of its own with the newline written first.
            if consumed < data.count { live.append(Data(data.dropFirst(consumed))) }
            let after = ChainPosition(file: self.url.lastPathComponent, seq: state.lastSeq, sha256: state.lastHash)
            guard var record = try build(after, live) else { return nil }
            record.seq = state.lastSeq + 1
            record.prev = state.lastHash
            let line = try self.encodeRecord(record)
            var payload = Data()
            if scan.hasTornTail { payload.append(UInt8(ascii: "\n")) }
            payload.append(line)
            payload.append(UInt8(ascii: "\n"))
            try file.appendLines(payload, toFileOfSize: scan.size)
            state.offset = scan.size + payload.count
            state.lastSeq += 1
            state.lastHash = ContentHash.sha256Hex(line)
            state.ids.insert(record.id)
            self.recordChainHead(file, seq: state.lastSeq, hash: state.lastHash)
            return record
        }
    }

    private func encodeRecord(_ record: LogRecord) throws -> Data {
        do {
            return try JSONCoding.lineEncoder().encode(record)
        } catch {
            throw StoreError(
                operation: "encode", path: self.url.path, detail: "record \(record.id): \(error)",
                advice: "report this as a bug")
        }
    }

    // MARK: Reading and verifying

    /// Every event of the log file at `url`, in file order. Lines that do not decode and a torn last
    /// line are skipped (``read(at:)`` reports them).
    /// - Throws: ``StoreError`` when the file does not exist or cannot be read.
    public static func readEvents(at url: URL) throws -> [Event] {
        try Self.read(at: url).events
    }

    /// Every event of the log file at `url`, plus a report of the lines skipped: complete lines that
    /// do not decode as an event, and a last line without its newline (torn, or being written).
    /// - Throws: ``StoreError`` when the file does not exist or cannot be read.
    public static func read(at url: URL) throws -> LogContents {
        Self.read(try Self.contents(of: url))
    }

    /// The events of the log file contents `data` (decompressed), as ``read(at:)`` reports them.
    static func read(_ data: Data) -> LogContents {
        let (lines, consumed) = JSONLines.split(data)
        let decoder = JSONCoding.decoder()
        var events: [Event] = []
        var problems: [LogProblem] = []
        var records: [LogRecord] = []
        for (index, line) in lines.enumerated() {
            do {
                if LogRecord.kind(ofLine: line.bytes) != nil {
                    records.append(try decoder.decode(LogRecord.self, from: line.bytes))
                    continue
                }
                events.append(try decoder.decode(Event.self, from: line.bytes))
            } catch {
                problems.append(
                    LogProblem(line: index + 1, kind: .undecodable, message: "not an event: \(Self.describe(error))")
                )
            }
        }
        if consumed < data.count {
            problems.append(Self.tornLineProblem(line: lines.count + 1))
        }
        return LogContents(events: events, problems: problems, records: records)
    }

    /// Checks the hash chain and the sequence numbers of the log file at `url`.
    ///
    /// Every log line (one carrying `seq`, `prev` and `id`) must have `prev` equal to the SHA-256 of
    /// the previous log line's bytes (without the newline) and `seq` one more than its `seq`. The
    /// first log line must chain from `previous` (the report of the file before it, for a rotated
    /// log); without `previous` it must chain from ``genesis`` with `seq` 1, or else it is taken as
    /// the continuation of an older file (``LogVerification/startsFromGenesis`` is false). Lines
    /// that are not log lines (a torn line) are reported and skipped by the chain.
    ///
    /// A changed, removed or inserted line breaks the chain at the log line after it; a change to
    /// the very last line can only be caught against a copy of ``LogVerification/lastHash`` kept
    /// elsewhere.
    /// - Throws: ``StoreError`` when the file does not exist or cannot be read.
    public static func verify(at url: URL, continuing previous: LogVerification? = nil) throws -> LogVerification {
        Self.verify(try Self.contents(of: url), continuing: previous)
    }

    /// Checks the log file contents `data` (decompressed), as ``verify(at:continuing:)`` does.
    static func verify(_ data: Data, continuing previous: LogVerification? = nil) -> LogVerification {
        var seenIDs: Set<String> = []
        return Self.verify(data, continuing: previous, seenIDs: &seenIDs)
    }

    /// ``verify(_:continuing:)`` that also reports ids found in `seenIDs` (the ids of older files
    /// of a rotated log) and adds this file's ids to it.
    static func verify(_ data: Data, continuing previous: LogVerification?, seenIDs: inout Set<String>)
        -> LogVerification
    {
        Self.verifyLines(data, continuing: previous, seenIDs: &seenIDs).verification
    }

    /// ``verify(_:continuing:seenIDs:)`` that also gives what it decoded on the way: the complete
    /// lines, each log line's `seq` and each line's event (`nil` for records and lines that are not
    /// events), so that a caller checking more of each line does not decode it again.
    /// `decodingEvents: false` checks the chain alone (no `invalid_event` problems, no events
    /// given): most of the time of a check is decoding each line as an event.
    static func verifyLines(
        _ data: Data, continuing previous: LogVerification?, seenIDs: inout Set<String>, decodingEvents: Bool = true
    )
        -> (verification: LogVerification, lines: [(offset: Int, bytes: Data)], seqs: [Int?], events: [Event?])
    {
        let (lines, consumed) = JSONLines.split(data)
        var seqs = [Int?](repeating: nil, count: lines.count)
        var decodedEvents = [Event?](repeating: nil, count: lines.count)
        let chainDecoder = JSONCoding.decoder()
        let eventDecoder = JSONCoding.decoder()
        var problems: [LogProblem] = []
        var expectedPrev = previous?.lastHash
        var expectedSeq = previous?.lastSeq.map { $0 + 1 }
        var report = LogVerification(
            lineCount: lines.count + (consumed < data.count ? 1 : 0),
            eventCount: 0,
            firstSeq: nil,
            lastSeq: previous?.lastSeq,
            chainStart: nil,
            lastHash: previous?.lastHash ?? Self.genesis,
            problems: []
        )
        var previousLine: Int?
        // Each log line's hash, for a `log_break` that resumes from an earlier line.
        var lineOfHash: [String: (line: Int, seq: Int)] = [:]
        var acknowledged: [LogProblem] = []

        for (index, line) in lines.enumerated() {
            let number = index + 1
            if LogRecord.kind(ofLine: line.bytes) == .logBreak,
                let record = try? eventDecoder.decode(LogRecord.self, from: line.bytes),
                let logBreak = record.logBreak, record.prev == logBreak.resumesAfter.sha256,
                record.seq == logBreak.resumesAfter.seq + 1
            {
                // An operator's record of a discontinuity: the chain resumes from the line it names
                // (an earlier line of this file, the previous file's end, or the lost head when
                // this file starts with it); the problems of the lines it sets aside are
                // acknowledged by it, not hidden: they stay listed apart.
                let resumeLine = lineOfHash[logBreak.resumesAfter.sha256]
                if resumeLine != nil || report.eventCount == 0 || logBreak.resumesAfter.sha256 == expectedPrev {
                    let after = resumeLine?.line ?? 0
                    let (kept, setAside) = problems.reduce(into: ([LogProblem](), [LogProblem]())) { parts, problem in
                        if problem.line > after { parts.1.append(problem) } else { parts.0.append(problem) }
                    }
                    problems = kept
                    acknowledged += setAside
                    acknowledged.append(
                        LogProblem(
                            line: number, kind: .logBreak,
                            message: "seq \(record.seq ?? 0): log_break (\(logBreak.problem)) recorded "
                                + "\(RFC3339.string(from: record.detectedAt)), resuming after seq "
                                + "\(logBreak.resumesAfter.seq); reason: \(logBreak.reason)"))
                    expectedPrev = logBreak.resumesAfter.sha256
                    expectedSeq = logBreak.resumesAfter.seq + 1
                    previousLine = resumeLine?.line
                }
            }
            guard let fields = try? chainDecoder.decode(ChainFields.self, from: line.bytes) else {
                let message =
                    line.bytes.isEmpty
                    ? "empty line; skipped by the chain"
                    : "not a log line (no seq, prev and id), e.g. a line torn by a crash; skipped by the chain"
                problems.append(LogProblem(line: number, kind: .undecodable, message: message))
                continue
            }
            if report.eventCount == 0 {
                report.firstSeq = fields.seq
                report.chainStart = fields.prev
                report.firstLine = number
            }
            let source =
                previousLine.map { "the SHA-256 of line \($0)" }
                ?? (previous == nil ? "the genesis value" : "the hash of the previous file's last line")
            if let expected = expectedPrev, fields.prev != expected {
                problems.append(
                    LogProblem(
                        line: number,
                        kind: .brokenChain,
                        message: "prev is \(fields.prev), expected \(expected) (\(source)): "
                            + "a line before this one was changed, removed or inserted"
                    )
                )
            }
            if expectedSeq == nil, (expectedPrev ?? fields.prev) == Self.genesis {
                // The first line of a chain.
                expectedSeq = 1
            }
            if let expected = expectedSeq, fields.seq != expected {
                problems.append(
                    LogProblem(
                        line: number,
                        kind: .sequenceGap,
                        message: "seq is \(fields.seq), expected \(expected) (one more than the previous log line)"
                    )
                )
            }
            if !seenIDs.insert(fields.id).inserted {
                problems.append(
                    LogProblem(
                        line: number,
                        kind: .duplicateID,
                        message: "event id \(fields.id) appears on an earlier line"
                            + (previous == nil ? "" : " (of this file or an older one)")
                    )
                )
            }
            seqs[index] = fields.seq
            do {
                if !decodingEvents {
                    // The chain alone.
                } else if LogRecord.kind(ofLine: line.bytes) != nil {
                    _ = try eventDecoder.decode(LogRecord.self, from: line.bytes)
                } else {
                    decodedEvents[index] = try eventDecoder.decode(Event.self, from: line.bytes)
                }
            } catch {
                problems.append(
                    LogProblem(
                        line: number,
                        kind: .invalidEvent,
                        message: "chains correctly but is not a valid event: \(Self.describe(error))"
                    )
                )
            }
            report.eventCount += 1
            report.lastSeq = fields.seq
            expectedPrev = ContentHash.sha256Hex(line.bytes)
            lineOfHash[expectedPrev!] = (number, fields.seq)
            expectedSeq = fields.seq + 1
            previousLine = number
        }
        if let hash = expectedPrev { report.lastHash = hash }
        if consumed < data.count {
            let tail = Data(data.dropFirst(consumed))
            let fields = try? chainDecoder.decode(ChainFields.self, from: tail)
            let whole = fields.map { $0.prev == report.lastHash } ?? false
            problems.append(Self.tornLineProblem(line: lines.count + 1, wholeEvent: whole))
        }
        report.problems = problems
        report.acknowledged = acknowledged
        return (report, lines, seqs, decodedEvents)
    }

    /// The ends of the chain in the log file contents `data`: the first log line's `seq` and `prev`
    /// (whether it starts a chain: the genesis value with `seq` 1), the SHA-256 of the last log
    /// line, and how many log lines there are; `nil` when there is none.
    static func chainEnds(_ data: Data) -> ChainEnds? {
        let decoder = JSONCoding.decoder()
        var first: ChainFields?
        var last: (fields: ChainFields, bytes: Data)?
        var ids: Set<String> = []
        for line in JSONLines.split(data).lines {
            guard let fields = try? decoder.decode(ChainFields.self, from: line.bytes) else { continue }
            if first == nil { first = fields }
            last = (fields, line.bytes)
            ids.insert(fields.id)
        }
        guard let first, let last else { return nil }
        return ChainEnds(
            firstSeq: first.seq, startsFromGenesis: first.prev == Self.genesis && first.seq == 1,
            lastSeq: last.fields.seq, lastHash: ContentHash.sha256Hex(last.bytes), ids: ids)
    }

    /// What ``chainEnds(_:)`` finds in a file.
    struct ChainEnds {
        var firstSeq: Int
        var startsFromGenesis: Bool
        var lastSeq: Int
        var lastHash: String
        var ids: Set<String>
    }

    /// The bytes of the log file at `url`; a file compressed with gzip (logrotate's `compress`:
    /// `deletions.jsonl.2.gz`) is decompressed, whatever its name.
    static func contents(of url: URL) throws -> Data {
        guard let data = try POSIXFile.contents(of: url.path) else {
            throw StoreError(
                operation: "open",
                path: url.path,
                errno: ENOENT,
                detail: "no deletion log here",
                advice: "check deletion_log in the config; the daemon creates the file when it starts"
            )
        }
        return GzipReader.isGzip(data) ? try GzipReader.decompress(data, path: url.path) : data
    }

    private static func tornLineProblem(line: Int, wholeEvent: Bool = false) -> LogProblem {
        if wholeEvent {
            return LogProblem(
                line: line,
                kind: .tornLine,
                message: "the last line is a whole event without its newline (a crash between the two, or "
                    + "still being written); the next append completes it and chains from it"
            )
        }
        return LogProblem(
            line: line,
            kind: .tornLine,
            message: "the last line has no newline: cut short by a crash mid-write, or still being written; "
                + "the chain ignores it and the next append starts on a new line after it"
        )
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing field \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return
                "bad field \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "not JSON" : "bad field \(path): \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}

/// The fields that make a line part of the chain.
private struct ChainFields: Decodable {
    var seq: Int
    var prev: String
    var id: String
}
