public import Foundation

/// `palimpsest verify`: checks a deletion log with its rotated files as one, and everything its
/// lines cite. In order, every file (rotated and `.gz` ones included): each line parses, `prev`
/// chains, `seq` increases by one (a `log_break` line acknowledges the lines it sets aside), every
/// cited evidence record exists in `state_dir` and its SHA-256 matches, and every checkpoint's
/// tree head matches the lines before it and carries a valid Ed25519 signature by a trusted key.
/// With the guarded head, the log's tail must also match it.
///
/// Reads block on the disk: call through ``BlockingIO/run(_:)`` from async code.
public struct LogVerifier: Sendable {
    /// One problem: the file, the line number (0 for the whole file), the line's `seq` when known,
    /// and what is wrong.
    public struct Problem: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The file's name (`deletions.jsonl`, `deletions.jsonl.2.gz`, `log-head.json`).
        public var file: String
        /// Line number in the file, from 1; 0 for the whole file.
        public var line: Int
        /// The line's `seq`, when it has one.
        public var seq: Int?
        /// What kind: a ``LogProblem/Kind`` raw value, or `evidence`, `checkpoint`, `timestamp`,
        /// `chain_head`, `witness`.
        public var kind: String
        /// What is wrong, in words.
        public var message: String

        /// Creates a problem.
        public init(file: String, line: Int, seq: Int?, kind: String, message: String) {
            self.file = file
            self.line = line
            self.seq = seq
            self.kind = kind
            self.message = message
        }

        /// `<file>: line <n>: seq <s>: <kind>: <message>`.
        public var description: String {
            var place = "\(self.file): "
            if self.line > 0 { place += "line \(self.line): " }
            if let seq = self.seq { place += "seq \(seq): " }
            return place + "\(self.kind): \(self.message)"
        }
    }

    /// One checkpoint found, as checked.
    public struct CheckedCheckpoint: Sendable, Hashable, Codable {
        /// Where the checkpoint line is: file, line number, `seq`.
        public var file: String
        public var line: Int
        public var seq: Int
        /// When it was made, UTC.
        public var detectedAt: Date
        /// Its content.
        public var checkpoint: Checkpoint
        /// True when its tree head matched the lines before it and its signature verified.
        public var isValid: Bool
        /// The RFC 3161 answers kept for its tree head (`state_dir/timestamps/<root>/`).
        public var timestamps: [CheckedTimestamp] = []
    }

    /// One RFC 3161 answer, as checked.
    public struct CheckedTimestamp: Sendable, Hashable, Codable {
        /// The file, relative to `state_dir`.
        public var file: String
        /// The authority (host and port, from the file name).
        public var authority: String
        /// The token's time, UTC.
        public var time: Date?
        /// True when the imprint is the tree head and the signature verified against `tsa_ca_file`.
        public var isValid: Bool
    }

    /// What `verify` found.
    public struct Report: Sendable, Hashable, Codable {
        /// The log file checked.
        public var log: String
        /// Files read, oldest first.
        public var files: [String]
        /// Log lines checked.
        public var lines: Int
        /// Evidence references checked.
        public var evidenceChecked: Int
        /// Every checkpoint, in order.
        public var checkpoints: [CheckedCheckpoint]
        /// Every problem, in file and line order: the log does not verify when there is any.
        public var problems: [Problem]
        /// What `log_break` lines acknowledge (the lines they set aside, and each break): listed,
        /// not problems.
        public var acknowledged: [Problem]
        /// `seq` and SHA-256 of the last log line.
        public var lastSeq: Int?
        public var lastHash: String
        /// True when the oldest line read chains from the genesis value.
        public var startsFromGenesis: Bool
        /// `seq` of the oldest log line read.
        public var firstSeq: Int?

        /// True when nothing is wrong.
        public var isValid: Bool { self.problems.isEmpty }
    }

    /// The log file (`deletion_log`).
    public var logURL: URL
    /// `state_dir`, where cited evidence lives; `nil` skips the evidence check.
    public var stateDirectory: URL?
    /// The guarded head (`state_dir/log-head.json`), if checked.
    public var headURL: URL?
    /// Public keys (hex) whose checkpoint signatures are trusted; empty: any key a checkpoint
    /// names is accepted if its signature verifies, and the key is reported.
    public var trustedKeys: Set<String>

    /// `[evidence] tsa_ca_file`: the CA certificates timestamp tokens must chain to; `nil`: tokens
    /// are read (their time) but their signatures cannot be checked, which is a problem.
    public var tsaCAFile: URL?
    /// Tree heads received earlier from another copy (a digest's witness, `--against`): the log
    /// must still give the same head at each size.
    public var witnesses: [WitnessCheckpoint]

    /// The evidence verdicts of this run, shared with the digest's own evidence checks (each
    /// record read once); `nil`: a memo of its own.
    public var evidenceChecks: EvidenceChecks?

    /// Creates a verifier.
    public init(
        logURL: URL, stateDirectory: URL?, headURL: URL? = nil, trustedKeys: Set<String> = [],
        witnesses: [WitnessCheckpoint] = [], tsaCAFile: URL? = nil
    ) {
        self.tsaCAFile = tsaCAFile
        self.logURL = logURL
        self.stateDirectory = stateDirectory
        self.headURL = headURL
        self.trustedKeys = trustedKeys
        self.witnesses = witnesses
    }

    /// Checks the log. Problems are values in the report; only a log that cannot be read at all
    /// throws.
    /// - Throws: ``StoreError`` when neither the log nor any rotated file exists.
    public func verify() throws -> Report {
        try self.verifyInFull().report
    }

    /// The running state of a check, line by line: what a ``VerifyMemo`` keeps of a verified prefix.
    struct Walk {
        var problems: [Problem] = []
        var acknowledged: [Problem] = []
        var checkpoints: [CheckedCheckpoint] = []
        var frontier = MerkleTree.Frontier()
        /// SHA-256 of the first line of the log.
        var firstLeaf: String?
        var lastChainSeq: Int?
        var lines = 0
        var evidenceChecked = 0
    }

    /// The full check, with the state it ended in and the files it read.
    func verifyInFull() throws -> (report: Report, walk: Walk, files: [VerifyMemo.File], liveLines: Int) {
        let set = try DeletionLogSet.read(url: self.logURL)
        var walk = Walk()
        var memoFiles: [VerifyMemo.File] = []
        var liveLines = 0
        let checks = self.evidenceChecks ?? EvidenceChecks()

        for file in set.files {
            let name = file.name
            let data = (try? DeletionLog.contents(of: file.url)) ?? Data()
            let (split, consumed) = JSONLines.split(data)
            memoFiles.append(
                VerifyMemo.File(
                    name: name, bytes: consumed, lines: split.count,
                    sha256: ContentHash.sha256Hex(data.prefix(consumed))))
            if file.isLive { liveLines = split.count }
            self.walk(
                split, name: name, lineBase: 0, chainProblems: file.verification.problems,
                acknowledged: file.verification.acknowledged, into: &walk, checks: checks)
        }
        for witness in self.witnesses where witness.treeSize > walk.lines {
            walk.problems.append(
                Problem(
                    file: self.logURL.lastPathComponent, line: 0, seq: witness.lastSeq, kind: "witness",
                    message: "the digest holds a checkpoint of \(RFC3339.string(from: witness.detectedAt)) over "
                        + "\(witness.treeSize) lines, but the log holds only \(walk.lines): lines were removed since"))
        }
        for problem in set.problems where problem.kind == .unreadableFile {
            walk.problems.append(
                Problem(
                    file: problem.file ?? self.logURL.lastPathComponent, line: 0, seq: nil, kind: problem.kind.rawValue,
                    message: problem.message))
        }
        walk.problems += self.headProblems()
        var report = Report(
            log: self.logURL.path, files: set.files.map(\.name), lines: walk.lines,
            evidenceChecked: walk.evidenceChecked, checkpoints: walk.checkpoints, problems: walk.problems,
            acknowledged: walk.acknowledged, lastSeq: set.lastSeq, lastHash: set.lastHash,
            startsFromGenesis: set.startsFromGenesis)
        report.firstSeq = set.firstSeq
        return (report, walk, set.files.last?.isLive == true ? memoFiles : [], liveLines)
    }

    /// Checks the lines of one file (numbered from `lineBase` + 1) and adds what it finds to `walk`:
    /// the file's chain problems (from ``DeletionLog/verify(_:continuing:seenIDs:)``), each
    /// checkpoint's tree head and signature, each cited evidence record, the witnesses' heads.
    /// `decoded`: each line's `seq` and event when the chain check decoded them already.
    func walk(
        _ split: [(offset: Int, bytes: Data)], name: String, lineBase: Int, chainProblems: [LogProblem],
        acknowledged: [LogProblem], into walk: inout Walk, checks: EvidenceChecks,
        decoded: (seqs: [Int?], events: [Event?])? = nil
    ) {
        let decoder = JSONCoding.decoder()
        let chainDecoder = JSONCoding.decoder()
        var seqOfLine: [Int: Int] = [:]
        for (index, line) in split.enumerated() {
            if let decoded {
                if let seq = decoded.seqs[index] { seqOfLine[lineBase + index + 1] = seq }
            } else if let fields = try? chainDecoder.decode(ChainLine.self, from: line.bytes) {
                seqOfLine[lineBase + index + 1] = fields.seq
            }
        }
        for problem in chainProblems {
            let number = problem.line + lineBase
            walk.problems.append(
                Problem(
                    file: name, line: number, seq: seqOfLine[number], kind: problem.kind.rawValue,
                    message: problem.message))
        }
        for problem in acknowledged {
            let number = problem.line + lineBase
            walk.acknowledged.append(
                Problem(
                    file: name, line: number, seq: seqOfLine[number], kind: problem.kind.rawValue,
                    message: problem.message))
        }
        for (index, line) in split.enumerated() {
            let number = lineBase + index + 1
            let seq = seqOfLine[number]
            if LogRecord.kind(ofLine: line.bytes) == .checkpoint,
                let record = try? decoder.decode(LogRecord.self, from: line.bytes),
                let checkpoint = record.checkpoint
            {
                let message = self.check(
                    checkpoint, at: record.detectedAt, root: walk.frontier.root, treeSize: walk.frontier.count,
                    firstLine: walk.firstLeaf, lastSeq: walk.lastChainSeq)
                if let message {
                    walk.problems.append(
                        Problem(file: name, line: number, seq: seq, kind: "checkpoint", message: message))
                }
                var checked = CheckedCheckpoint(
                    file: name, line: number, seq: seq ?? 0, detectedAt: record.detectedAt,
                    checkpoint: checkpoint, isValid: message == nil)
                if self.stateDirectory != nil {
                    checked.timestamps = self.checkTimestamps(of: checkpoint)
                    walk.problems += self.timestampProblems(checked, seq: seq)
                }
                walk.checkpoints.append(checked)
            } else if let stateDirectory = self.stateDirectory,
                let event = decoded.map({ $0.events[index] })
                    ?? (LogRecord.kind(ofLine: line.bytes) == nil
                        ? try? decoder.decode(Event.self, from: line.bytes) : nil)
            {
                for reference in event.evidence {
                    walk.evidenceChecked += 1
                    // A record cited by many lines (a listing, a shared 404 page) is read once:
                    // its verdict is the same for every line that cites it.
                    if let message = checks.verdict(reference, stateDirectory: stateDirectory).problem {
                        walk.problems.append(
                            Problem(file: name, line: number, seq: seq, kind: "evidence", message: message))
                    }
                }
            }
            walk.frontier.append(MerkleTree.leafHash(line.bytes))
            for witness in self.witnesses where witness.treeSize == walk.frontier.count {
                let root = ContentHash.hex(walk.frontier.root)
                if root != witness.root {
                    walk.problems.append(
                        Problem(
                            file: name, line: number, seq: seq, kind: "witness",
                            message: "the log's first \(witness.treeSize) lines give the tree head \(root), but the "
                                + "checkpoint of \(RFC3339.string(from: witness.detectedAt)) that the digest holds "
                                + "says \(witness.root): the log was changed after that digest was sent"))
                }
            }
            if walk.firstLeaf == nil { walk.firstLeaf = ContentHash.sha256Hex(line.bytes) }
            if let seq { walk.lastChainSeq = seq }
            walk.lines += 1
        }
    }

    /// The problems of a checkpoint's timestamp answers.
    private func timestampProblems(_ checked: CheckedCheckpoint, seq: Int?) -> [Problem] {
        checked.timestamps.filter { !$0.isValid }.map { stamp in
            Problem(
                file: checked.file, line: checked.line, seq: seq, kind: "timestamp",
                message: "the RFC 3161 answer \(stamp.file) of \(stamp.authority) does not hold: "
                    + (self.tsaCAFile == nil
                        ? "no [evidence] tsa_ca_file to check its signature against"
                        : "its imprint is not the tree head, or its signature does not verify "
                            + "against \(self.tsaCAFile?.path ?? "")"))
        }
    }

    /// The guarded head's problem, if any.
    private func headProblems() -> [Problem] {
        guard let headURL = self.headURL else { return [] }
        do {
            if let head = try ChainHead.load(from: headURL),
                let mismatch = try Self.headMismatch(head: head, logURL: self.logURL)
            {
                return [
                    Problem(
                        file: self.logURL.lastPathComponent, line: 0, seq: mismatch.found?.seq,
                        kind: "chain_head", message: "\(mismatch); \(ChainHeadMismatch.advice)")
                ]
            }
            return []
        } catch {
            return [
                Problem(
                    file: headURL.lastPathComponent, line: 0, seq: nil, kind: "chain_head",
                    message: "the guarded chain head could not be read: \(error)")
            ]
        }
    }

    // MARK: With a verification memo

    /// What ``verify(memo:now:)`` did: the report, and how much of the log it took from the memo.
    public struct MemoVerification: Sendable {
        /// The report, as ``verify()`` would give it for the same files (see ``VerifyMemo`` for
        /// what a memo leaves unchecked).
        public var report: Report
        /// The memo used: lines up to its `seq` were not checked again (their bytes are the ones
        /// it verified); `nil` when the whole log was checked now.
        public var reused: VerifyMemo?
        /// The memo written after this check (`nil` when it found problems: the next check is
        /// full again).
        public var written: VerifyMemo?
        /// True when this check had to be full (no memo, another log, or a changed prefix).
        public var isFull: Bool { self.reused == nil }

        /// One sentence on what was verified when, for the digest's witness.
        public var summary: String {
            let end = self.report.lastSeq.map { "seq \($0)" } ?? "the end"
            guard let memo = self.reused else {
                return "The whole deletion log (\(end), \(self.report.lines) lines) was verified now: hash chain, "
                    + "checkpoints and the evidence every line cites."
            }
            let through = memo.lastSeq.map { "seq \($0)" } ?? "line \(memo.lines)"
            let newer = self.report.lines - memo.lines
            let checks =
                memo.verifiedAt == memo.fullAt
                ? "verified in full on \(RFC3339.string(from: memo.fullAt))"
                : "verified earlier (in full on \(RFC3339.string(from: memo.fullAt)), the lines appended since then "
                    + "by the checks up to \(RFC3339.string(from: memo.verifiedAt)))"
            return "Lines up to \(through) were \(checks); their bytes are unchanged now (the same SHA-256 as then). "
                + "Verified now: the \(Plural.count(newer, "line")) after them, up to \(end) "
                + "(the evidence the older lines cite was checked then, not again)."
        }
    }

    /// ``verify()`` that skips the prefix a verification memo (``VerifyMemo``, `state_dir/
    /// verify-memo.json`) says was verified, when the bytes of that prefix are unchanged (same
    /// SHA-256 over every file and the live file's start), and writes a new memo when nothing is
    /// wrong. Any doubt (no memo, another log, other trusted keys, a rotation, a changed byte, a
    /// `log_break` line after the memo, witnesses to check) gives the full check.
    /// - Parameters:
    ///   - memoURL: The memo file.
    ///   - now: The time recorded in the new memo, UTC.
    /// - Throws: ``StoreError`` as ``verify()``. A memo that cannot be written is left as it was.
    public func verify(memo memoURL: URL, now: Date = Date()) throws -> MemoVerification {
        let memo = try? VerifyMemo.load(from: memoURL)
        if let memo, memo.matches(self), let resumed = try self.resume(from: memo) {
            var result = MemoVerification(report: resumed.report, reused: memo, written: nil)
            if resumed.report.problems.isEmpty {
                var next = VerifyMemo(
                    self, walk: resumed.walk, files: resumed.files, liveLines: resumed.liveLines,
                    report: resumed.report, at: now)
                next.fullAt = memo.fullAt
                try? next.save(to: memoURL)
                result.written = next
            }
            return result
        }
        let full = try self.verifyInFull()
        var result = MemoVerification(report: full.report, reused: nil, written: nil)
        if full.report.problems.isEmpty, !full.files.isEmpty, self.witnesses.isEmpty {
            let next = VerifyMemo(
                self, walk: full.walk, files: full.files, liveLines: full.liveLines,
                report: full.report, at: now)
            try? next.save(to: memoURL)
            result.written = next
        }
        return result
    }

    /// The check of what follows the memo's prefix, or `nil` when the memo does not apply.
    private func resume(from memo: VerifyMemo) throws
        -> (report: Report, walk: Walk, files: [VerifyMemo.File], liveLines: Int)?
    {
        guard self.witnesses.isEmpty, let liveMemo = memo.files.last else { return nil }
        let logURL = self.logURL.standardizedFileURL
        let rotated = try DeletionLogSet.rotatedFiles(of: logURL)
        guard Set(rotated.map(\.url.lastPathComponent)) == Set(memo.files.dropLast().map(\.name)),
            liveMemo.name == logURL.lastPathComponent
        else { return nil }
        for file in memo.files.dropLast() {
            let url = logURL.deletingLastPathComponent().appendingPathComponent(file.name)
            guard let data = try? DeletionLog.contents(of: url), data.count == file.bytes,
                ContentHash.sha256Hex(data) == file.sha256
            else { return nil }
        }
        guard let live = try POSIXFile.openIfPresent(logURL.path, flags: O_RDONLY) else { return nil }
        let data: Data
        do {
            defer { live.closeFile() }
            try live.lock(exclusive: false)
            data = try live.readToEnd(from: 0)
        }
        guard data.count >= liveMemo.bytes, ContentHash.sha256Hex(data.prefix(liveMemo.bytes)) == liveMemo.sha256
        else { return nil }
        let tail = Data(data.dropFirst(liveMemo.bytes))
        var ids: Set<String> = []
        var previous = LogVerification(
            lineCount: 0, eventCount: 0, firstSeq: nil, lastSeq: memo.lastSeq, chainStart: nil,
            lastHash: memo.lastHash, problems: [])
        previous.firstLine = nil
        let checked = DeletionLog.verifyLines(tail, continuing: previous, seenIDs: &ids)
        let verification = checked.verification
        let split = checked.lines
        let consumed = split.last.map { $0.offset + $0.bytes.count + 1 } ?? 0
        // A log_break may resume from a line of the prefix: the full check handles that.
        if split.contains(where: { LogRecord.kind(ofLine: $0.bytes) == .logBreak }) { return nil }

        var walk = memo.walk()
        // Timestamps of older checkpoints may have arrived since: read them again.
        if self.stateDirectory != nil {
            for index in walk.checkpoints.indices {
                walk.checkpoints[index].timestamps = self.checkTimestamps(of: walk.checkpoints[index].checkpoint)
                walk.problems += self.timestampProblems(walk.checkpoints[index], seq: walk.checkpoints[index].seq)
            }
        }
        self.walk(
            split, name: liveMemo.name, lineBase: memo.liveLines, chainProblems: verification.problems,
            acknowledged: verification.acknowledged, into: &walk, checks: self.evidenceChecks ?? EvidenceChecks(),
            decoded: (checked.seqs, checked.events))
        walk.problems += self.headProblems()
        var files = Array(memo.files.dropLast())
        let liveBytes = liveMemo.bytes + consumed
        files.append(
            VerifyMemo.File(
                name: liveMemo.name, bytes: liveBytes, lines: memo.liveLines + split.count,
                sha256: ContentHash.sha256Hex(data.prefix(liveBytes))))
        var report = Report(
            log: self.logURL.path, files: files.map(\.name), lines: walk.lines, evidenceChecked: walk.evidenceChecked,
            checkpoints: walk.checkpoints, problems: walk.problems, acknowledged: walk.acknowledged,
            lastSeq: verification.lastSeq, lastHash: verification.lastHash, startsFromGenesis: memo.startsFromGenesis)
        report.firstSeq = memo.firstSeq
        return (report, walk, files, memo.liveLines + split.count)
    }

    /// The mismatch of the log file at `logURL` with `head`, read without a lock (the daemon's
    /// appends are single writes).
    static func headMismatch(head: ChainHead, logURL: URL) throws -> ChainHeadMismatch? {
        guard let file = try POSIXFile.openIfPresent(logURL.path, flags: O_RDONLY) else {
            return ChainHeadMismatch(
                kind: .emptied, expected: head, found: nil, detail: "the log file does not exist any more")
        }
        defer { file.closeFile() }
        // A shared lock: an append in progress (under the writer's exclusive lock) is not half-read.
        try file.lock(exclusive: false)
        let status = try file.status()
        // The head's own file: the last MiB before the head is enough, as for an append.
        let sameFile = status.device == head.device && status.inode == head.inode && status.size >= head.offset
        let base = sameFile ? max(0, head.offset - (1 << 20)) : 0
        let found = ChainHeadMismatch.check(
            head: head, data: try file.readToEnd(from: base), base: base, status: status, logURL: logURL)
        guard found?.kind == .changedLastLine, base > 0 else { return found }
        return ChainHeadMismatch.check(
            head: head, data: try file.readToEnd(from: 0), base: 0, status: status, logURL: logURL)
    }

    /// The timestamp answers kept for a checkpoint's tree head, each checked.
    func checkTimestamps(of checkpoint: Checkpoint) -> [CheckedTimestamp] {
        guard let stateDirectory = self.stateDirectory else { return [] }
        let folder = TimestampToken.folder(root: checkpoint.root, stateDirectory: stateDirectory)
        guard let digest = CheckpointKey.bytes(hex: checkpoint.root),
            let names = try? FileSystem.listDirectory(folder.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".tsr") }.sorted().compactMap { name in
            guard let data = try? POSIXFile.contents(of: folder.appendingPathComponent(name).path) else { return nil }
            let check = TimestampToken.check(response: data, digest: digest, caFile: self.tsaCAFile)
            return CheckedTimestamp(
                file: "timestamps/\(checkpoint.root)/\(name)",
                authority: String(name.dropLast(4)).replacingOccurrences(of: "_", with: ":"),
                time: check.time, isValid: check.problem == nil && self.tsaCAFile != nil)
        }
    }

    /// Why a checkpoint does not hold, or `nil`.
    private func check(
        _ checkpoint: Checkpoint, at time: Date, root: Data, treeSize: Int, firstLine: String?, lastSeq: Int?
    ) -> String? {
        let rootHex = ContentHash.hex(root)
        if checkpoint.treeSize != treeSize || checkpoint.root != rootHex {
            return
                "the tree head does not match the lines before it: the checkpoint says \(checkpoint.treeSize) lines, "
                + "root \(checkpoint.root); the log holds \(treeSize) lines before it, root \(rootHex): a line it "
                + "covers was changed, removed or inserted (or older files are missing)"
        }
        if let firstLine, checkpoint.firstLine != firstLine {
            return "the first line covered has SHA-256 \(firstLine), the checkpoint says \(checkpoint.firstLine)"
        }
        if let lastSeq, checkpoint.lastSeq != lastSeq {
            return "the checkpoint covers up to seq \(checkpoint.lastSeq), the lines before it end at seq \(lastSeq)"
        }
        if !self.trustedKeys.isEmpty, !self.trustedKeys.contains(checkpoint.publicKey) {
            return "signed by the key \(checkpoint.publicKey), which is not a trusted key (the configured "
                + "signing key, --public-key, or the key of the digest given with --against)"
        }
        if !CheckpointKey.isValidSignature(
            checkpoint.signature, of: checkpoint.signedMessage(at: time), publicKey: checkpoint.publicKey)
        {
            return "the Ed25519 signature does not verify against the public key \(checkpoint.publicKey)"
        }
        return nil
    }

    /// Why a cited evidence record does not hold, or `nil`: the record must exist and its
    /// payload's SHA-256 (and, for a WARC record, its `WARC-Block-Digest`) must match.
    static func checkEvidence(_ reference: EvidenceReference, stateDirectory: URL) -> String? {
        Self.evidenceVerdict(reference, stateDirectory: stateDirectory).problem
    }

    /// Whether a cited evidence record holds: its status for the digest and, when it does not,
    /// the problem in words. The record must exist and its payload's SHA-256 (and, for a WARC
    /// record, its `WARC-Block-Digest`) must match; a body file's path (references written
    /// before WARC files) never leads out of `stateDirectory`.
    static func evidenceVerdict(_ reference: EvidenceReference, stateDirectory: URL) -> EvidenceChecks.Verdict {
        if let location = reference.warcLocation {
            let record: WARCRecord
            do {
                record = try WARCFiles.read(location, root: stateDirectory)
            } catch {
                return .init(
                    status: .missing,
                    problem:
                        "the evidence record \(reference.path) at offset \(location.offset) cannot be read: \(error)")
            }
            if let digest = record.field("WARC-Block-Digest"), digest != "sha256:\(ContentHash.sha256Hex(record.block))"
            {
                return .init(
                    status: .mismatch,
                    problem: "the WARC record \(reference.path) at offset \(location.offset) was changed: its block no "
                        + "longer matches its WARC-Block-Digest \(digest)")
            }
            let payload = ContentHash.sha256Hex(record.payload)
            if payload != reference.sha256.lowercased() {
                return .init(
                    status: .mismatch,
                    problem: "the body in \(reference.path) at offset \(location.offset) has SHA-256 \(payload), the "
                        + "event cites \(reference.sha256)")
            }
            return .init(status: .verified, problem: nil)
        }
        let parts = reference.path.split(separator: "/", omittingEmptySubsequences: false)
        guard !reference.path.hasPrefix("/"), !parts.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }),
            !reference.path.contains("\0"),
            let body = try? POSIXFile.contents(of: stateDirectory.appendingPathComponent(reference.path).path)
        else {
            return .init(status: .missing, problem: "the evidence file \(reference.path) is missing")
        }
        let hash = ContentHash.sha256Hex(body)
        return hash == reference.sha256.lowercased()
            ? .init(status: .verified, problem: nil)
            : .init(
                status: .mismatch,
                problem: "the evidence file \(reference.path) has SHA-256 \(hash), the event cites \(reference.sha256)")
    }
}

/// A checkpoint as a digest publishes it (`witness.checkpoints` in `digest.json`): what the log
/// said at that time, held by every recipient.
public struct WitnessCheckpoint: Sendable, Hashable, Codable {
    /// `seq` of the checkpoint line.
    public var seq: Int
    /// When the checkpoint was made, UTC.
    public var detectedAt: Date
    /// Lines covered, and the `seq` of the last one.
    public var treeSize: Int
    public var lastSeq: Int
    /// The tree head, 64 hex.
    public var root: String
    /// The Ed25519 signature and the key that made it (hex).
    public var signature: String
    public var publicKey: String
    /// The RFC 3161 timestamps of its tree head known when the digest was made.
    public var timestamps: [WitnessTimestamp]?

    /// Creates a witness entry.
    public init(
        seq: Int, detectedAt: Date, treeSize: Int, lastSeq: Int, root: String, signature: String, publicKey: String
    ) {
        self.seq = seq
        self.detectedAt = detectedAt
        self.treeSize = treeSize
        self.lastSeq = lastSeq
        self.root = root
        self.signature = signature
        self.publicKey = publicKey
    }

    enum CodingKeys: String, CodingKey {
        case seq, root, signature, timestamps
        case detectedAt = "detected_at"
        case treeSize = "tree_size"
        case lastSeq = "last_seq"
        case publicKey = "public_key"
    }
}

/// A timestamp of a checkpoint's tree head, as a digest lists it.
public struct WitnessTimestamp: Sendable, Hashable, Codable {
    /// The authority (host:port).
    public var authority: String
    /// The token's time, UTC.
    public var time: Date?
    /// True when it verified against `[evidence] tsa_ca_file`.
    public var isValid: Bool

    public init(authority: String, time: Date?, isValid: Bool) {
        self.authority = authority
        self.time = time
        self.isValid = isValid
    }

    enum CodingKeys: String, CodingKey {
        case authority, time
        case isValid = "valid"
    }
}
