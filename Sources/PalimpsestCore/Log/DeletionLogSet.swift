public import Foundation

/// A deletion log and the files logrotate made of it, read as the one log they are: every reader
/// (`tail`, `status`, the digest, the daemon's count of today's events, the chain check) reads
/// through this type, so none of them sees only the file written since the last rotation.
///
/// **Which files.** Beside the log file (`deletion_log`, e.g. `deletions.jsonl`), in the same
/// folder, the names logrotate gives rotated copies: numbered (`deletions.jsonl.1`,
/// `deletions.jsonl.2.gz`, …) and with `dateext` (`deletions.jsonl-20261101`,
/// `deletions.jsonl-20261101.gz`; any `dateformat` made of digits, `-` and `_`). Files compressed
/// with gzip (logrotate's default `compress`) are read transparently, whatever their name; a
/// rotated file compressed with anything else (`.xz`, `.bz2`, `.zst`, …), or that cannot be read or
/// decompressed, is reported as an ``LogProblem/Kind/unreadableFile`` problem and left out. Two
/// files with the same contents (a copy being compressed) count once.
///
/// **Order.** Oldest first, by content: by the `seq` of each file's first line, never by name
/// alone. Only when several files start a chain (the genesis value, `seq` 1: an old log whose
/// chain started over) do the names decide which chain is older: each such file begins a run, runs
/// are ordered by the names logrotate gives (dated files by date, then numbered files, higher
/// numbers older), files inside a run by `seq`. The log file itself is always last.
///
/// **Chain.** The files are checked as one chain: the first line of each newer file must carry
/// `prev` = the SHA-256 of the last line of the file before it and the next `seq`. The oldest file
/// read may continue older files that are gone (logrotate's `rotate` count): its first line is
/// then taken as it is (``startsFromGenesis`` is false).
///
/// Reads block on the disk: call them through ``BlockingIO/run(_:)`` from async code.
public struct DeletionLogSet: Sendable, Hashable {
    /// One file of the set, as read.
    public struct File: Sendable, Hashable {
        /// The file.
        public var url: URL
        /// True for the log file itself (`deletion_log`), false for a rotated copy.
        public var isLive: Bool
        /// True when the file was gzip-compressed.
        public var isCompressed: Bool
        /// The file's events, in file order.
        public var events: [Event]
        /// The file's chain check, continuing the file before it.
        public var verification: LogVerification

        /// The file's name.
        public var name: String { self.url.lastPathComponent }
    }

    /// The log file (`deletion_log`).
    public var url: URL
    /// The files read, oldest first (the log file last, when it exists).
    public var files: [File]
    /// Every problem found, oldest file first, each naming its file: lines skipped, chain
    /// problems, files that could not be read.
    public var problems: [LogProblem]

    /// Every event of every file, oldest file first, each file in file order.
    public var events: [Event] { self.files.flatMap(\.events) }

    /// `seq` of the first log line of the oldest file, if any.
    public var firstSeq: Int? { self.files.lazy.compactMap(\.verification.firstSeq).first }

    /// `seq` of the last log line of the newest file that has one.
    public var lastSeq: Int? { self.files.last?.verification.lastSeq }

    /// SHA-256 of the last log line: the `prev` of the next line.
    public var lastHash: String { self.files.last?.verification.lastHash ?? DeletionLog.genesis }

    /// True when the oldest log line read chains from the genesis value: the whole log is here.
    public var startsFromGenesis: Bool {
        self.files.first { $0.verification.eventCount > 0 }?.verification.startsFromGenesis ?? false
    }

    /// The problems that break the chain (see ``LogProblem/Kind/chainKinds``).
    public var chainProblems: [LogProblem] {
        self.problems.filter { LogProblem.Kind.chainKinds.contains($0.kind) }
    }

    /// Lines skipped because they are not events (torn or undecodable lines).
    public var skippedLines: [LogProblem] {
        self.problems.filter { $0.kind == .tornLine || $0.kind == .undecodable }
    }

    /// True when the chain runs unbroken through every file.
    public var isChainIntact: Bool { self.chainProblems.isEmpty }

    // MARK: Reading

    /// Reads the log at `url` and every rotated file of it, in order, and checks the chain across
    /// them.
    /// - Parameters:
    ///   - url: The log file (`deletion_log`).
    ///   - includeRotated: `false` reads the log file alone (as before rotation was known).
    /// - Throws: ``StoreError`` when neither the log file nor any rotated file exists, or when the
    ///   log file itself exists but cannot be read. A rotated file that cannot be read is a
    ///   problem in ``problems``, not an error.
    public static func read(url: URL, includeRotated: Bool = true) throws -> DeletionLogSet {
        try Self.read(url: url, includeRotated: includeRotated, includeLive: true, skipping: nil)
    }

    /// The last `count` events of the log file at `url` (the live file only), read from its end:
    /// what `palimpsest tail --lines` prints without reading the whole history. `nil` when the
    /// file holds fewer than `count` complete lines (the caller then reads the rotated files too)
    /// or a line among them does not decode; the hash chain is not checked here (`verify` does).
    /// - Throws: ``StoreError`` when the file exists but cannot be read.
    public static func lastEvents(url: URL, count: Int) throws -> [Event]? {
        guard count > 0 else { return [] }
        guard let file = try POSIXFile.openIfPresent(url.path, flags: O_RDONLY) else { return nil }
        defer { file.closeFile() }
        let size = try file.status().size
        var chunk = 64 << 10
        while true {
            let start = max(0, size - chunk)
            // The bytes after the last newline are a line still being written: left out.
            var lines = try LogTail.lines(of: file, from: start).lines
            if start > 0, !lines.isEmpty { lines.removeFirst() }  // begins mid-line
            // Checkpoint and log_break lines are not events (readers leave them out).
            lines.removeAll { LogRecord.kind(ofLine: $0.bytes) != nil }
            if lines.count >= count || start == 0 {
                guard lines.count >= count else { return nil }
                return LogTail.events(of: Array(lines.suffix(count)), decoder: JSONCoding.decoder(), strict: true)
            }
            chunk *= 4
        }
    }

    /// ``read(url:includeRotated:)`` of the rotated files only, leaving out the one that is the
    /// file `skipping` (device and inode) if any: what ``LogFollower`` reads before it follows the
    /// file it holds open.
    static func readRotated(of url: URL, skipping: POSIXFile.Status?) throws -> DeletionLogSet {
        try Self.read(url: url, includeRotated: true, includeLive: false, skipping: skipping)
    }

    private static func read(url: URL, includeRotated: Bool, includeLive: Bool, skipping: POSIXFile.Status?)
        throws -> DeletionLogSet
    {
        let url = url.standardizedFileURL
        let rotated = (includeRotated ? try Self.rotatedFiles(of: url) : []).filter { file in
            guard let skipping, let status = FileSystem.status(file.url.path) else { return true }
            return status.device != skipping.device || status.inode != skipping.inode
        }
        var problems: [LogProblem] = []
        var loaded: [(url: URL, rank: Int, data: Data, isLive: Bool, isCompressed: Bool)] = []
        for (rank, file) in rotated.enumerated() {
            let name = file.url.lastPathComponent
            if let method = file.name.unsupportedCompression {
                problems.append(
                    LogProblem(
                        line: 0, kind: .unreadableFile,
                        message: "compressed with \(method), which palimpsest cannot read; its events are left out: "
                            + "decompress it, or let logrotate use gzip (its default `compress`)",
                        file: name))
                continue
            }
            do {
                let raw = try POSIXFile.contents(of: file.url.path) ?? Data()
                let data = GzipReader.isGzip(raw) ? try GzipReader.decompress(raw, path: file.url.path) : raw
                loaded.append((file.url, rank, data, false, GzipReader.isGzip(raw)))
            } catch {
                problems.append(
                    LogProblem(
                        line: 0, kind: .unreadableFile, message: "not read, its events are left out: \(error)",
                        file: name))
            }
        }
        if !includeLive {
            // The caller reads the log file itself.
        } else if let raw = try POSIXFile.contents(of: url.path) {
            let data = GzipReader.isGzip(raw) ? try GzipReader.decompress(raw, path: url.path) : raw
            loaded.append((url, rotated.count, data, true, GzipReader.isGzip(raw)))
        } else if rotated.isEmpty {
            _ = try DeletionLog.contents(of: url)  // throws the usual "no deletion log here"
        }

        // Identical contents (a copy being compressed) count once: the first in name order stays.
        var seenContents: Set<Data> = []
        loaded = loaded.filter { $0.isLive || $0.data.isEmpty || seenContents.insert($0.data).inserted }

        // Order by content: runs that start from the genesis value, in name order; inside a run by seq.
        let ends = loaded.map { DeletionLog.chainEnds($0.data) }
        var genesisRanks = loaded.indices.filter { ends[$0]?.startsFromGenesis == true }.map { loaded[$0].rank }
        // One chain (the usual case): the contents alone give the order.
        if genesisRanks.count < 2 { genesisRanks = [] }
        let order = loaded.indices.sorted { a, b in
            if loaded[a].isLive != loaded[b].isLive { return loaded[b].isLive }
            let runA = genesisRanks.count { $0 <= loaded[a].rank }
            let runB = genesisRanks.count { $0 <= loaded[b].rank }
            if runA != runB { return runA < runB }
            let seqA = ends[a]?.firstSeq ?? Int.max
            let seqB = ends[b]?.firstSeq ?? Int.max
            if seqA != seqB { return seqA < seqB }
            return loaded[a].rank < loaded[b].rank
        }

        var files: [File] = []
        var running: LogVerification?
        var seenIDs: Set<String> = []
        for index in order {
            let item = loaded[index]
            let name = item.url.lastPathComponent
            let contents = DeletionLog.read(item.data)
            var verification: LogVerification
            if let previous = running, ends[index]?.startsFromGenesis == true {
                verification = DeletionLog.verify(item.data, continuing: nil, seenIDs: &seenIDs)
                let before = previous.lastSeq.map { "seq \($0)" } ?? "its last line"
                verification.problems.insert(
                    LogProblem(
                        line: verification.firstLine ?? 1, kind: .chainRestart,
                        message: "the chain starts again here from the genesis value with seq 1, instead of "
                            + "continuing the file before it (\(before)): the older files cannot be tied to this "
                            + "one (a daemon that started after a rotation without the older file, or older lines "
                            + "replaced)"),
                    at: 0)
            } else {
                verification = DeletionLog.verify(item.data, continuing: running, seenIDs: &seenIDs)
            }
            problems += verification.problems.map {
                var problem = $0
                problem.file = name
                return problem
            }
            // Lines the reader skipped that the chain check does not report (it reports the rest).
            problems += contents.problems.filter { skipped in
                !verification.problems.contains { $0.line == skipped.line }
            }.map {
                var problem = $0
                problem.file = name
                return problem
            }
            if verification.eventCount > 0 { running = verification }
            files.append(
                File(
                    url: item.url, isLive: item.isLive, isCompressed: item.isCompressed, events: contents.events,
                    verification: verification))
        }
        return DeletionLogSet(url: url, files: files, problems: problems)
    }

    /// The events of the log at `url` and its rotated files detected at or after `cutoff`, read
    /// newest file first and stopping at the first file (after the log file) whose events are all
    /// older: for readers that need only recent events (`status`, today's count).
    /// - Throws: ``StoreError`` as ``read(url:includeRotated:)``.
    public static func recentEvents(url: URL, since cutoff: Date) throws -> [Event] {
        let set = try Self.read(url: url)
        var recent: [Event] = []
        for file in set.files.reversed() {
            let events = file.events.filter { $0.detectedAt >= cutoff }
            recent.insert(contentsOf: events, at: 0)
            if !file.isLive, events.isEmpty { break }
        }
        return recent
    }

    // MARK: Finding rotated files

    /// A rotated file found beside a log.
    public struct RotatedFile: Sendable, Hashable {
        /// The file.
        public var url: URL
        /// What its name says.
        public var name: RotatedName
    }

    /// What a rotated file's name says: its stamp and its compression.
    public struct RotatedName: Sendable, Hashable {
        /// The part logrotate added to the log's name.
        public enum Stamp: Sendable, Hashable {
            /// `.1`, `.2`, …: higher is older.
            case number(Int)
            /// `-20261101` (`dateext`): the digits of the date; earlier is older.
            case date(String)
        }

        /// The stamp.
        public var stamp: Stamp
        /// The compression suffix without its dot (`gz`, `xz`, …), or `nil`.
        public var compression: String?

        /// Compression suffixes logrotate may add (`compressext`, `compresscmd`).
        static let compressionSuffixes = ["gz", "xz", "bz2", "zst", "zstd", "lz4", "lzma", "lz", "Z"]

        /// Parses `name` as a rotated copy of a log named `base`, or `nil` when it is not one.
        /// - Parameters:
        ///   - name: A file name in the log's folder.
        ///   - base: The log's file name, e.g. `deletions.jsonl`.
        public init?(_ name: String, base: String) {
            guard name.count > base.count, name.hasPrefix(base) else { return nil }
            var rest = Substring(name.dropFirst(base.count))
            var compression: String?
            for suffix in Self.compressionSuffixes where rest.hasSuffix("." + suffix) && rest.count > suffix.count + 2 {
                compression = suffix
                rest = rest.dropLast(suffix.count + 1)
                break
            }
            let body = rest.dropFirst()
            if rest.first == ".", !body.isEmpty, body.count <= 9, body.allSatisfy({ $0.isASCII && $0.isNumber }),
                let number = Int(body)
            {
                self.stamp = .number(number)
            } else if rest.first == "-", let first = body.first, first.isASCII, first.isNumber,
                body.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "-" || $0 == "_" })
            {
                self.stamp = .date(String(body.filter(\.isNumber)))
            } else {
                return nil
            }
            self.compression = compression
        }

        /// The compression method when it is not gzip (`xz`, `bzip2`, …), which cannot be read.
        var unsupportedCompression: String? {
            guard let compression = self.compression, compression != "gz" else { return nil }
            return compression
        }

        /// True when `self` is older than `other` by name: dates before numbers, earlier dates
        /// first, higher numbers first.
        func isOlderByName(than other: RotatedName) -> Bool {
            switch (self.stamp, other.stamp) {
            case (.date(let a), .date(let b)): return a < b
            case (.number(let a), .number(let b)): return a > b
            case (.date, .number): return true
            case (.number, .date): return false
            }
        }
    }

    /// The rotated files of the log at `url` in its folder, oldest first by name (see
    /// ``RotatedName``); the log file itself is not included.
    /// - Throws: ``StoreError`` when the folder exists but cannot be listed.
    public static func rotatedFiles(of url: URL) throws -> [RotatedFile] {
        let folder = url.deletingLastPathComponent()
        let base = url.lastPathComponent
        return try FileSystem.listDirectory(folder.path).compactMap { name -> RotatedFile? in
            guard let parsed = RotatedName(name, base: base) else { return nil }
            let file = folder.appendingPathComponent(name)
            guard !FileSystem.isDirectory(file.path) else { return nil }
            return RotatedFile(url: file, name: parsed)
        }
        .sorted { a, b in
            if a.name.isOlderByName(than: b.name) { return true }
            if b.name.isOlderByName(than: a.name) { return false }
            return a.url.lastPathComponent < b.url.lastPathComponent
        }
    }
}
