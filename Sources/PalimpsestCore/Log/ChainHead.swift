public import Foundation

/// The guarded chain head: what the last append left at the end of the deletion log (the file,
/// its identity, the byte offset after the last line, and that line's `seq` and SHA-256), kept in
/// `state_dir/log-head.json` and rewritten (atomically) with each append.
///
/// Before appending, the log checks its tail against the head (``ChainHeadMismatch/check``): an
/// edited, truncated or torn last line, a line appended that does not chain, an emptied or
/// replaced file are refused, so an edit can never become the new chain head. The operator then
/// runs `palimpsest log continue --reason …` (``DeletionLog/continueAfterBreak(reason:at:)``).
/// Format: `docs/state-format.md`, "log-head.json".
public struct ChainHead: Sendable, Codable, Hashable, VersionedDocument {
    /// File name inside `state_dir`.
    public static let fileName = "log-head.json"
    /// Format version of the file.
    public static let formatVersion = 1
    public static let documentName = "chain head"
    public static let unreadableAdvice =
        "restore it from a backup, or move it aside to let the next append adopt the log's tail "
        + "(check the log with `palimpsest verify` first)"
    public static let endsWithLineFeed = true

    /// Format version (`v`).
    public var v: Int = ChainHead.formatVersion
    /// The log file's absolute path when the line was written.
    public var file: String
    /// `st_dev` and `st_ino` of that file: logrotate renames it, an editor replaces it.
    public var device: UInt64
    public var inode: UInt64
    /// Bytes of the file up to and including the last line's newline.
    public var offset: Int
    /// `seq` of the last line.
    public var seq: Int
    /// SHA-256 (lowercase hex) of the last line without its newline.
    public var sha256: String
    /// When the head was written, UTC.
    public var writtenAt: Date

    /// Creates a head.
    public init(file: String, device: UInt64, inode: UInt64, offset: Int, seq: Int, sha256: String, writtenAt: Date) {
        self.file = file
        self.device = device
        self.inode = inode
        self.offset = offset
        self.seq = seq
        self.sha256 = sha256
        self.writtenAt = writtenAt
    }

    enum CodingKeys: String, CodingKey {
        case v, file, device, inode, offset, seq, sha256
        case writtenAt = "written_at"
    }

    /// This head as a chain position.
    public var position: ChainPosition {
        ChainPosition(file: (self.file as NSString).lastPathComponent, seq: self.seq, sha256: self.sha256)
    }

    /// The head stored at `url`, or `nil` when there is none yet.
    /// - Throws: ``StoreError`` when the file exists but cannot be read or decoded, or is of a newer
    ///   format version (a damaged head is never replaced in silence: the operator must look).
    public static func load(from url: URL) throws -> ChainHead? {
        try VersionedFile<ChainHead>(url).read()
    }

    /// Writes the head to `url` atomically (temporary file, fsync, rename, fsync of the folder).
    /// - Throws: ``StoreError`` when the write fails; the old head is then untouched.
    public func save(to url: URL) throws {
        try VersionedFile<ChainHead>(url).write(self)
    }
}

/// Why the deletion log's tail does not match its guarded head. A value, not a crash: the log
/// refuses to append (``StoreError`` with this message) and `palimpsest log continue` records it.
public struct ChainHeadMismatch: Sendable, Hashable, CustomStringConvertible {
    /// What was found.
    public enum Kind: String, Sendable, Hashable {
        /// The last line written is still there but its bytes changed.
        case changedLastLine = "changed_last_line"
        /// The file is shorter than after the last append: lines were cut off.
        case truncated
        /// The file ends in bytes without a newline that are not a whole line (a power loss mid-write).
        case tornLine = "torn_line"
        /// Lines after the last one written do not chain from it (e.g. a forged line resetting `seq`).
        case unchainedLines = "unchained_lines"
        /// The file holds no log line and no rotated file ends with the head.
        case emptied
        /// The file was replaced by one that does not hold the head.
        case replaced
    }

    /// The kind of mismatch.
    public var kind: Kind
    /// The head kept in `state_dir`.
    public var expected: ChainHead
    /// The last log line the file holds now, if any.
    public var found: ChainPosition?
    /// What was found, in words.
    public var detail: String

    /// One sentence: what was expected, what was found, and what to do.
    public var description: String {
        "the deletion log's tail does not match the chain head kept in state_dir (\(ChainHead.fileName): seq "
            + "\(self.expected.seq), SHA-256 \(self.expected.sha256), \(self.expected.offset) bytes): "
            + "\(self.kind.rawValue): \(self.detail)"
    }

    /// What the operator should do, for error messages.
    public static let advice =
        "nothing is appended until an operator acts; events wait in the state. Run `palimpsest verify` to see what "
        + "changed, keep a copy of the log as it is, then `palimpsest log continue --reason \"…\"` to record the "
        + "break and resume"

    /// Checks the log file against `head`: `data` is the file from byte `base` to its end, as read
    /// under the lock (`base` is 0 unless the file is the head's own and at least as long), `status`
    /// its identity and size. The rotated files beside `logURL` are read when the file holds no
    /// log line.
    /// - Returns: `nil` when the tail is the head, or lines that chain from it.
    static func check(head: ChainHead, data: Data, base: Int, status: POSIXFile.Status, logURL: URL)
        -> ChainHeadMismatch?
    {
        let (lines, consumed) = JSONLines.split(data)
        let decoder = JSONCoding.decoder()
        func fields(_ bytes: Data) -> (seq: Int, prev: String)? {
            guard let line = try? decoder.decode(ChainLine.self, from: bytes) else { return nil }
            return (line.seq, line.prev)
        }
        let lastLogLine = lines.last { fields($0.bytes) != nil }.map {
            ChainPosition(
                file: logURL.lastPathComponent, seq: fields($0.bytes)!.seq, sha256: ContentHash.sha256Hex($0.bytes))
        }
        func mismatch(_ kind: Kind, _ detail: String) -> ChainHeadMismatch {
            ChainHeadMismatch(kind: kind, expected: head, found: lastLogLine, detail: detail)
        }
        /// Checks that the lines from index `start` chain from the head and that no torn bytes follow.
        func checkTail(from start: Int) -> ChainHeadMismatch? {
            var prev = head.sha256
            var seq = head.seq
            for (index, line) in lines.enumerated().dropFirst(start) {
                guard let next = fields(line.bytes), next.prev == prev, next.seq == seq + 1 else {
                    return mismatch(
                        .unchainedLines,
                        "line \(index + 1), after the last line written (seq \(head.seq)), does not chain from it "
                            + "(a line appended by hand, or a forged one)")
                }
                prev = ContentHash.sha256Hex(line.bytes)
                seq = next.seq
            }
            if consumed < data.count {
                let tail = Data(data.dropFirst(consumed))
                // A whole line missing only its newline (a crash between the two) chains: the next
                // append completes it, as without a head.
                if let next = fields(tail), next.prev == prev, next.seq == seq + 1 { return nil }
                return mismatch(
                    .tornLine,
                    "the file ends in \(tail.count) bytes without a newline after line \(lines.count) that are "
                        + "not a whole log line (a write cut short by a power loss or a crash)")
            }
            return nil
        }

        if status.device == head.device, status.inode == head.inode {
            guard status.size >= head.offset else {
                if lastLogLine == nil, base == 0 {
                    return mismatch(
                        .emptied,
                        "the file holds no log line any more (\(status.size) bytes, \(head.offset) after the last "
                            + "append): the log was emptied")
                }
                return mismatch(
                    .truncated,
                    "the file has \(status.size) bytes, \(head.offset - status.size) fewer than after the last "
                        + "append: its end was cut off (a committed line cut, or lines removed)")
            }
            // With `base` > 0 the first line read may be the end of a longer one: never take it.
            guard
                let index = lines.firstIndex(where: { base + $0.offset + $0.bytes.count + 1 == head.offset }),
                base == 0 || index > 0
            else {
                return mismatch(
                    .changedLastLine,
                    "no line ends at byte \(head.offset) any more: the lines before it were changed in place")
            }
            let line = lines[index].bytes
            guard ContentHash.sha256Hex(line) == head.sha256 else {
                return mismatch(
                    .changedLastLine,
                    "line \(index + 1), the last one written (seq \(head.seq)), now has SHA-256 "
                        + "\(ContentHash.sha256Hex(line)): it was edited after it was written")
            }
            return checkTail(from: index + 1)
        }
        // Another file: renamed by logrotate (a new file beside it), or replaced.
        if let index = lines.firstIndex(where: { ContentHash.sha256Hex($0.bytes) == head.sha256 }) {
            return checkTail(from: index + 1)
        }
        if lastLogLine == nil {
            // A new file after rotation: some rotated file must end with the head.
            let rotated = (try? DeletionLogSet.rotatedFiles(of: logURL)) ?? []
            for file in rotated.reversed() where file.name.unsupportedCompression == nil {
                guard let contents = try? DeletionLog.contents(of: file.url), let ends = DeletionLog.chainEnds(contents)
                else { continue }
                if ends.lastHash == head.sha256, ends.lastSeq == head.seq { return checkTail(from: 0) }
            }
            if !data.isEmpty {
                return mismatch(
                    .replaced,
                    "the file holds \(data.count) bytes but no log line, and no rotated file beside it ends with the "
                        + "last line written")
            }
            return mismatch(
                .emptied,
                "the file holds no log line, and no rotated file beside it ends with the last line written "
                    + "(the log was emptied, deleted or replaced)")
        }
        if let first = lines.first(where: { fields($0.bytes) != nil }), let chain = fields(first.bytes),
            chain.prev == head.sha256, chain.seq == head.seq + 1
        {
            return checkTail(from: 0)
        }
        return mismatch(
            .replaced,
            "the file was replaced by one that does not hold the last line written (its last log line is seq "
                + "\(lastLogLine.map { String($0.seq) } ?? "?"))")
    }
}

/// The chain fields of a log line.
struct ChainLine: Decodable {
    var seq: Int
    var prev: String
    var id: String
}
