public import Foundation

/// How far the deletion log has been verified: `state_dir/verify-memo.json` (format in
/// `docs/state-format.md`, the rule in `docs/evidence.md`), written atomically after a check
/// that found nothing wrong, so that the next digest verifies only the lines appended since
/// (``LogVerifier/verify(memo:now:)``).
///
/// The memo records, for every file of the log, the bytes verified and their SHA-256 (the rotated
/// files whole, the live file up to its last complete line), and the state the check ended in:
/// the last line's `seq` and hash, the Merkle frontier (for checkpoints after it), the checkpoints
/// checked. A later check re-reads those bytes and hashes them: the same SHA-256 means the same
/// bytes, which verified then; only what follows is checked. The hash of the last line alone
/// would not do: a line edited in place before it leaves the last line as it was.
///
/// What the memo does not cover again: evidence records cited by the lines it covers (checked
/// when those lines were verified; the digest still checks the records its own week cites), and
/// `event id` repeats between the covered lines and newer ones (the chain would break before an
/// appended copy could chain).
public struct VerifyMemo: Sendable, Codable, Hashable, VersionedDocument {
    /// File name inside `state_dir`.
    public static let fileName = "verify-memo.json"
    /// Format version of the file.
    public static let formatVersion = 1
    public static let documentName = "verification memo"
    public static let unreadableAdvice = "the next check verifies the log in full and writes it again"
    public static let endsWithLineFeed = true

    /// One file verified.
    public struct File: Sendable, Codable, Hashable {
        /// Its name beside the log (`deletions.jsonl`, `deletions.jsonl.1`).
        public var name: String
        /// Bytes verified from its start (decompressed, for a `.gz` file).
        public var bytes: Int
        /// Complete lines among them.
        public var lines: Int
        /// SHA-256 (hex) of those bytes.
        public var sha256: String
    }

    /// One pending subtree root of the Merkle frontier.
    public struct Node: Sendable, Codable, Hashable {
        public var height: Int
        public var hash: String
    }

    /// Format version (`v`).
    public var v: Int = VerifyMemo.formatVersion
    /// The log file's path.
    public var log: String
    /// The files verified, oldest first; the last is the live file.
    public var files: [File]
    /// Lines of the live file covered.
    public var liveLines: Int
    /// Lines covered in all files.
    public var lines: Int
    /// `seq` of the first and of the last log line covered, and the last line's SHA-256.
    public var firstSeq: Int?
    public var lastSeq: Int?
    public var lastHash: String
    /// True when the oldest line covered chains from the genesis value.
    public var startsFromGenesis: Bool
    /// The check's state at the end of the covered lines.
    public var lastChainSeq: Int?
    public var firstLine: String?
    public var frontierCount: Int
    public var frontier: [Node]
    public var evidenceChecked: Int
    public var checkpoints: [LogVerifier.CheckedCheckpoint]
    public var acknowledged: [LogVerifier.Problem]
    /// The keys and CA the check trusted: a check with others does not use this memo.
    public var trustedKeys: [String]
    public var tsaCAFile: String?
    /// When every covered line was last checked in full (UTC), and when the memo was written.
    public var fullAt: Date
    public var verifiedAt: Date

    enum CodingKeys: String, CodingKey {
        case v, log, files, lines, frontier, checkpoints, acknowledged
        case liveLines = "live_lines"
        case firstSeq = "first_seq"
        case lastSeq = "last_seq"
        case lastHash = "last_hash"
        case startsFromGenesis = "starts_from_genesis"
        case lastChainSeq = "last_chain_seq"
        case firstLine = "first_line"
        case frontierCount = "frontier_count"
        case evidenceChecked = "evidence_checked"
        case trustedKeys = "trusted_keys"
        case tsaCAFile = "tsa_ca_file"
        case fullAt = "full_at"
        case verifiedAt = "verified_at"
    }

    /// The memo of a check that ended in `walk`.
    init(
        _ verifier: LogVerifier, walk: LogVerifier.Walk, files: [File], liveLines: Int, report: LogVerifier.Report,
        at now: Date
    ) {
        self.log = verifier.logURL.standardizedFileURL.path
        self.files = files
        self.liveLines = liveLines
        self.lines = walk.lines
        self.firstSeq = report.firstSeq
        self.lastSeq = report.lastSeq
        self.lastHash = report.lastHash
        self.startsFromGenesis = report.startsFromGenesis
        self.lastChainSeq = walk.lastChainSeq
        self.firstLine = walk.firstLeaf
        self.frontierCount = walk.frontier.count
        self.frontier = walk.frontier.pendingRoots.map { Node(height: $0.height, hash: $0.hash) }
        self.evidenceChecked = walk.evidenceChecked
        self.checkpoints = walk.checkpoints
        self.acknowledged = walk.acknowledged
        self.trustedKeys = verifier.trustedKeys.sorted()
        self.tsaCAFile = verifier.tsaCAFile?.standardizedFileURL.path
        self.fullAt = now
        self.verifiedAt = now
    }

    /// True when the memo was made for `verifier`'s log with the same trust (keys, CA, evidence
    /// checked in the same state folder).
    func matches(_ verifier: LogVerifier) -> Bool {
        self.v == Self.formatVersion && self.log == verifier.logURL.standardizedFileURL.path
            && self.trustedKeys == verifier.trustedKeys.sorted()
            && self.tsaCAFile == verifier.tsaCAFile?.standardizedFileURL.path && verifier.stateDirectory != nil
    }

    /// The check's state at the end of the covered lines.
    func walk() -> LogVerifier.Walk {
        var walk = LogVerifier.Walk()
        walk.frontier =
            MerkleTree.Frontier(count: self.frontierCount, pendingRoots: self.frontier.map { ($0.height, $0.hash) })
            ?? MerkleTree.Frontier()
        walk.firstLeaf = self.firstLine
        walk.lastChainSeq = self.lastChainSeq
        walk.lines = self.lines
        walk.evidenceChecked = self.evidenceChecked
        walk.checkpoints = self.checkpoints
        walk.acknowledged = self.acknowledged
        return walk
    }

    /// The memo at `url`; `nil` when there is none.
    /// - Throws: ``StoreError`` when the file cannot be read or decoded, or is of a newer format
    ///   version (the caller then checks in full).
    public static func load(from url: URL) throws -> VerifyMemo? {
        guard let memo = try VersionedFile<VerifyMemo>(url).read() else { return nil }
        // A frontier that does not fit its count is no memo.
        guard
            MerkleTree.Frontier(count: memo.frontierCount, pendingRoots: memo.frontier.map { ($0.height, $0.hash) })
                != nil
        else { return nil }
        return memo
    }

    /// Writes the memo atomically (temporary file, fsync, rename, fsync of the folder).
    /// - Throws: ``StoreError`` when the write fails; the old memo is then untouched.
    public func save(to url: URL) throws {
        try VersionedFile<VerifyMemo>(url).write(self)
    }
}
