public import Foundation

/// A line of the deletion log that is not a finding: a `checkpoint` (a signed Merkle tree head over
/// the lines before it) or a `log_break` (an operator's record of a discontinuity the guarded chain
/// head found). It chains (`seq`, `prev`) like every line, but it is never counted as an event:
/// ``DeletionLog/read(at:)`` returns it in ``LogContents/records``, apart from the events.
/// Fields: `docs/deletion-log.md`, "Checkpoints and log breaks".
public struct LogRecord: Sendable, Codable, Hashable {
    /// The kind of a line that is not a finding (its `event` field).
    public enum Kind: String, Sendable, Codable, Hashable, CaseIterable {
        /// A signed Merkle tree head over every log line before it.
        case checkpoint
        /// A discontinuity of the chain, recorded by `palimpsest log continue`.
        case logBreak = "log_break"
    }

    /// Format version of the line (`v`): 1, as events.
    public var v: Int = Event.formatVersion
    /// Position in the log, set by the log.
    public var seq: Int?
    /// Deterministic id: 32 hex digits of a SHA-256 over the record's content.
    public var id: String
    /// When the record was made, UTC.
    public var detectedAt: Date
    /// `checkpoint` or `log_break`.
    public var event: Kind
    /// For `checkpoint`: the tree head and its signature.
    public var checkpoint: Checkpoint?
    /// For `log_break`: what was expected, what was found and where the chain resumes.
    public var logBreak: LogBreak?
    /// SHA-256 of the previous log line, set by the log.
    public var prev: String?

    /// Creates a record; the log sets `seq` and `prev` when it appends it.
    public init(id: String, detectedAt: Date, event: Kind, checkpoint: Checkpoint? = nil, logBreak: LogBreak? = nil) {
        self.id = id
        self.detectedAt = detectedAt
        self.event = event
        self.checkpoint = checkpoint
        self.logBreak = logBreak
    }

    enum CodingKeys: String, CodingKey {
        case v, seq, id, event, checkpoint, prev
        case detectedAt = "detected_at"
        case logBreak = "break"
    }

    /// The record kind a log line's bytes announce (`"event":"checkpoint"` or `"log_break"`), or
    /// `nil` for an event line (or no JSON at all).
    static func kind(ofLine line: Data) -> Kind? {
        // Cheap test first: most lines are findings.
        guard
            line.range(of: Data("\"event\":\"checkpoint\"".utf8)) != nil
                || line.range(of: Data("\"event\":\"log_break\"".utf8)) != nil
        else { return nil }
        struct Peek: Decodable { var event: String }
        guard let peek = try? JSONCoding.decoder().decode(Peek.self, from: line) else { return nil }
        return Kind(rawValue: peek.event)
    }
}

/// A place in the chain: a log line's `seq` and SHA-256, and the file it is in when known.
public struct ChainPosition: Sendable, Codable, Hashable {
    /// The log file's name (`deletions.jsonl`), when known.
    public var file: String?
    /// The line's `seq` (0 for the genesis value).
    public var seq: Int
    /// SHA-256 (lowercase hex) of the line's bytes without its newline.
    public var sha256: String

    /// Creates a position.
    public init(file: String? = nil, seq: Int, sha256: String) {
        self.file = file
        self.seq = seq
        self.sha256 = sha256
    }
}

/// What a `log_break` records: the head the daemon kept, what the log held instead, and the line
/// the chain resumes from. History is never rewritten: the lines that do not chain stay in the
/// file, listed in ``setAside``.
public struct LogBreak: Sendable, Codable, Hashable {
    /// The operator's reason (`palimpsest log continue --reason`).
    public var reason: String
    /// What the check found: see ``ChainHeadMismatch/Kind``.
    public var problem: String
    /// The check's sentence (what was expected, what was found).
    public var message: String
    /// The head kept in `state_dir` (`log-head.json`): the last line written, as written.
    public var expected: ChainPosition?
    /// The last log line the file holds now, if any.
    public var found: ChainPosition?
    /// The line this record chains from: the last line of the log that still chains, or the
    /// expected head when the file holds none.
    public var resumesAfter: ChainPosition
    /// Lines after ``resumesAfter`` that are not part of the chain (a forged line, torn bytes):
    /// their line numbers in the file and their SHA-256.
    public var setAside: [SetAsideLine]?

    /// Creates a break record.
    public init(
        reason: String, problem: String, message: String, expected: ChainPosition?, found: ChainPosition?,
        resumesAfter: ChainPosition, setAside: [SetAsideLine]?
    ) {
        self.reason = reason
        self.problem = problem
        self.message = message
        self.expected = expected
        self.found = found
        self.resumesAfter = resumesAfter
        self.setAside = setAside
    }

    enum CodingKeys: String, CodingKey {
        case reason, problem, message, expected, found
        case resumesAfter = "resumes_after"
        case setAside = "set_aside"
    }
}

/// One line a `log_break` leaves out of the chain.
public struct SetAsideLine: Sendable, Codable, Hashable {
    /// Line number in the file, from 1.
    public var line: Int
    /// Bytes of the line without its newline.
    public var bytes: Int
    /// SHA-256 of those bytes.
    public var sha256: String

    /// Creates an entry.
    public init(line: Int, bytes: Int, sha256: String) {
        self.line = line
        self.bytes = bytes
        self.sha256 = sha256
    }
}

/// A signed tree head over the log: the Merkle tree (RFC 9162 §2.1) of every log line before the
/// checkpoint, from the oldest line kept, and an Ed25519 signature of ``signedMessage``.
public struct Checkpoint: Sendable, Codable, Hashable {
    /// Number of leaves (log lines) the tree covers.
    public var treeSize: Int
    /// `seq` of the first and last line covered.
    public var firstSeq: Int
    public var lastSeq: Int
    /// SHA-256 of the first line covered: where the tree starts (the genesis line, or the oldest
    /// line kept after logrotate removed older files).
    public var firstLine: String
    /// The Merkle tree head, 64 lowercase hex.
    public var root: String
    /// The Ed25519 public key (32 bytes, lowercase hex) that signed it.
    public var publicKey: String
    /// The Ed25519 signature of ``signedMessage``, 64 bytes as lowercase hex.
    public var signature: String

    /// Creates a checkpoint.
    public init(
        treeSize: Int, firstSeq: Int, lastSeq: Int, firstLine: String, root: String, publicKey: String,
        signature: String
    ) {
        self.treeSize = treeSize
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.firstLine = firstLine
        self.root = root
        self.publicKey = publicKey
        self.signature = signature
    }

    /// The bytes the signature covers: the ASCII text
    /// `palimpsest checkpoint v1\n<tree_size>\n<first_seq>\n<last_seq>\n<first_line>\n<root>\n<time>\n`
    /// with `<time>` the record's `detected_at` (RFC 3339 UTC).
    public static func signedMessage(
        treeSize: Int, firstSeq: Int, lastSeq: Int, firstLine: String, root: String, at time: Date
    ) -> Data {
        let text =
            "palimpsest checkpoint v1\n\(treeSize)\n\(firstSeq)\n\(lastSeq)\n\(firstLine)\n\(root)\n"
            + "\(RFC3339.string(from: time))\n"
        return Data(text.utf8)
    }

    /// ``signedMessage(treeSize:firstSeq:lastSeq:firstLine:root:at:)`` of this checkpoint.
    public func signedMessage(at time: Date) -> Data {
        Self.signedMessage(
            treeSize: self.treeSize, firstSeq: self.firstSeq, lastSeq: self.lastSeq, firstLine: self.firstLine,
            root: self.root, at: time)
    }

    enum CodingKeys: String, CodingKey {
        case root, signature
        case treeSize = "tree_size"
        case firstSeq = "first_seq"
        case lastSeq = "last_seq"
        case firstLine = "first_line"
        case publicKey = "public_key"
    }
}
