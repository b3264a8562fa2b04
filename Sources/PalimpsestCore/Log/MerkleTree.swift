import Crypto
public import Foundation
import Synchronization

/// The Merkle tree of the deletion log's lines, hashed as RFC 9162 §2.1 (Certificate Transparency
/// v2; the same as RFC 6962 §2.1): a leaf is SHA-256(0x00 ‖ line bytes without the newline), a node
/// SHA-256(0x01 ‖ left ‖ right), and a tree of n leaves splits at the largest power of two below n.
/// A checkpoint signs the tree head; an inclusion proof (RFC 9162 §2.1.3) shows one line is in it
/// without the rest of the log.
public enum MerkleTree {
    /// The leaf hash of a log line: SHA-256(0x00 ‖ `line`).
    public static func leafHash(_ line: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: Data([0]))
        hasher.update(data: line)
        return Data(hasher.finalize())
    }

    /// An interior node: SHA-256(0x01 ‖ `left` ‖ `right`).
    public static func nodeHash(_ left: Data, _ right: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: Data([1]))
        hasher.update(data: left)
        hasher.update(data: right)
        return Data(hasher.finalize())
    }

    /// The tree head MTH(D[n]) of `leaves` (leaf hashes); SHA-256 of nothing for no leaf.
    public static func root(_ leaves: [Data]) -> Data {
        var frontier = Frontier()
        for leaf in leaves { frontier.append(leaf) }
        return frontier.root
    }

    /// The inclusion proof PATH(m, D[n]) of leaf `index` in the tree of `leaves` (RFC 9162
    /// §2.1.3.1): the sibling hashes from the leaf up to the root.
    /// - Precondition: `index < leaves.count`.
    public static func inclusionProof(index: Int, leaves: [Data]) -> [Data] {
        precondition(index >= 0 && index < leaves.count)
        func path(_ m: Int, _ range: Range<Int>) -> [Data] {
            let n = range.count
            if n <= 1 { return [] }
            let k = Self.split(n)
            if m < k {
                return path(m, range.lowerBound..<(range.lowerBound + k))
                    + [Self.root(Array(leaves[(range.lowerBound + k)..<range.upperBound]))]
            }
            return path(m - k, (range.lowerBound + k)..<range.upperBound)
                + [Self.root(Array(leaves[range.lowerBound..<(range.lowerBound + k)]))]
        }
        return path(index, 0..<leaves.count)
    }

    /// Checks an inclusion proof (RFC 9162 §2.1.3.2): does `leaf` at `index` in a tree of
    /// `treeSize` leaves lead, through `proof`, to `root`?
    public static func verifyInclusion(index: Int, treeSize: Int, leaf: Data, proof: [Data], root: Data) -> Bool {
        guard index >= 0, index < treeSize else { return false }
        var fn = index
        var sn = treeSize - 1
        var r = leaf
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = Self.nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = Self.nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// The largest power of two smaller than `n` (n > 1).
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// The tree grown one leaf at a time: the roots of its perfect subtrees, largest first, so
    /// the head of every prefix of the log costs O(log n) (`verify` checks every checkpoint in
    /// one pass).
    public struct Frontier: Sendable {
        private var nodes: [(height: Int, hash: Data)] = []
        /// Leaves so far.
        public private(set) var count = 0

        /// An empty tree.
        public init() {}

        /// Adds a leaf hash.
        public mutating func append(_ leaf: Data) {
            self.nodes.append((0, leaf))
            self.count += 1
            while self.nodes.count >= 2,
                self.nodes[self.nodes.count - 1].height == self.nodes[self.nodes.count - 2].height
            {
                let right = self.nodes.removeLast()
                let left = self.nodes.removeLast()
                self.nodes.append((left.height + 1, MerkleTree.nodeHash(left.hash, right.hash)))
            }
        }

        /// The pending subtree roots, oldest first (height, SHA-256 hex): with ``count``, all a
        /// later check needs to go on from here (``VerifyMemo``).
        public var pendingRoots: [(height: Int, hash: String)] {
            self.nodes.map { ($0.height, ContentHash.hex($0.hash)) }
        }

        /// The frontier a check left (``pendingRoots``, ``count``); `nil` when a hash is not 64 hex digits
        /// or the heights do not fit `count`.
        public init?(count: Int, pendingRoots nodes: [(height: Int, hash: String)]) {
            var sum = 0
            var parsed: [(height: Int, hash: Data)] = []
            for node in nodes {
                guard node.height >= 0, node.height < 63, let hash = CheckpointKey.bytes(hex: node.hash),
                    hash.count == 32
                else { return nil }
                sum += 1 << node.height
                parsed.append((node.height, hash))
            }
            guard sum == count else { return nil }
            self.nodes = parsed
            self.count = count
        }

        /// The tree head of the leaves so far.
        public var root: Data {
            guard var hash = self.nodes.last?.hash else { return Data(SHA256.hash(data: Data())) }
            for node in self.nodes.dropLast().reversed() { hash = MerkleTree.nodeHash(node.hash, hash) }
            return hash
        }
    }
}

extension DeletionLog {
    /// Appends a signed `checkpoint` line (``Checkpoint``) through the guarded append path: the
    /// Merkle tree head over every complete line of the log before it (the rotated files, oldest
    /// first, then the log file), signed with `key`. Nothing is appended when the last line is
    /// already a checkpoint (no line since).
    ///
    /// A signature certifies the lines as they are, so none is made while the chain is broken
    /// (``chainBreaks(of:)``: a line changed, removed or inserted before the last one, which the
    /// chain head does not see; found by a tester, whose edited event was signed and exported).
    /// - Returns: the record written, or `nil` when there was nothing new to cover.
    /// - Throws: ``StoreError`` as ``append(_:)`` (a chain head mismatch refuses it too), and when
    ///   the chain is broken, naming the first break.
    public func appendCheckpoint(key: CheckpointKey, at now: Date) throws -> LogRecord? {
        // Lines of the rotated files, in the order `verify` reads them.
        var leaves: [Data] = []
        var rotatedLines: [Data] = []
        var firstLine: Data?
        var firstSeq: Int?
        let decoder = JSONCoding.decoder()
        if let set = try? DeletionLogSet.read(url: self.url) {
            for file in set.files where !file.isLive {
                guard let data = try? DeletionLog.contents(of: file.url) else { continue }
                for line in JSONLines.split(data).lines {
                    if firstLine == nil {
                        firstLine = line.bytes
                        firstSeq = try? decoder.decode(ChainLine.self, from: line.bytes).seq
                    }
                    leaves.append(MerkleTree.leafHash(line.bytes))
                    rotatedLines.append(line.bytes)
                }
            }
        }
        return try self.appendRecord { after, live in
            guard let last = live.last ?? (leaves.isEmpty ? nil : Data()), !last.isEmpty || !leaves.isEmpty else {
                return nil
            }
            if LogRecord.kind(ofLine: last) == .checkpoint { return nil }
            var all = leaves
            var first = firstLine
            var start = firstSeq
            for line in live {
                if first == nil {
                    first = line
                    start = try? decoder.decode(ChainLine.self, from: line).seq
                }
                all.append(MerkleTree.leafHash(line))
            }
            guard let first else { return nil }
            if let problem = self.chainBreaks(of: rotatedLines + live, leaves: all).first {
                throw StoreError(
                    operation: "sign a checkpoint of", path: self.url.path,
                    detail: "the chain of the log is broken: \(problem)"
                        + (rotatedLines.isEmpty ? "" : " (lines counted from the oldest rotated file)")
                        + "; a signature would certify the changed line",
                    advice: "see `palimpsest verify`; put the original line back from a backup of the log (or the "
                        + "rotated file) and the next checkpoint is signed; until then nothing is signed")
            }
            let root = ContentHash.hex(MerkleTree.root(all))
            let firstHash = ContentHash.sha256Hex(first)
            let message = Checkpoint.signedMessage(
                treeSize: all.count, firstSeq: start ?? 0, lastSeq: after.seq, firstLine: firstHash, root: root, at: now
            )
            let checkpoint = Checkpoint(
                treeSize: all.count, firstSeq: start ?? 0, lastSeq: after.seq, firstLine: firstHash, root: root,
                publicKey: key.publicKeyHex, signature: try key.sign(message))
            let id = String(ContentHash.sha256Hex("checkpoint\n\(root)\n\(all.count)").prefix(32))
            return LogRecord(id: id, detectedAt: now, event: .checkpoint, checkpoint: checkpoint)
        }
    }

    /// ``chainBreaks(of:)`` of `lines`, whose leaf hashes (``MerkleTree/leafHash(_:)``) are
    /// `leaves`, going on from the last check of this instance when every line it checked is still
    /// there, unchanged, at the start (the SHA-256 of their leaf hashes, in order, is the one kept):
    /// only the lines after them are read. A daemon signs a checkpoint every hour; reading every
    /// line's chain fields each time took ~4 s at 150,000 lines. Whatever differs (a line edited in
    /// place, a rotated file removed, a `log_break` among the new lines, which may resume from an
    /// earlier line) or breaks is checked again from the first line, so the verdict and the line
    /// numbers in it are those of ``chainBreaks(of:)``.
    func chainBreaks(of lines: [Data], leaves: [Data]) -> [LogProblem] {
        let memo = self.chainCheck.withLock { $0 }
        if let memo, leaves.count == lines.count, memo.lineCount <= lines.count,
            Self.prefixDigest(of: leaves[..<memo.lineCount]) == memo.prefixDigest,
            !lines[memo.lineCount...].contains(where: { LogRecord.kind(ofLine: $0) == .logBreak })
        {
            var data = Data()
            for line in lines[memo.lineCount...] {
                data.append(line)
                data.append(0x0A)
            }
            var seen: Set<String> = []
            let continued = Self.verifyLines(data, continuing: memo.verification, seenIDs: &seen, decodingEvents: false)
                .verification
            if !continued.problems.contains(where: { Self.breakKinds.contains($0.kind) }) {
                self.chainCheck.withLock {
                    $0 = ChainCheck(
                        lineCount: lines.count, prefixDigest: Self.prefixDigest(of: leaves[..<lines.count]),
                        verification: continued, linesRead: lines.count - memo.lineCount)
                }
                return []
            }
        }
        let (breaks, verification) = Self.chainCheck(of: lines)
        self.chainCheck.withLock {
            $0 =
                breaks.isEmpty && leaves.count == lines.count
                ? ChainCheck(
                    lineCount: lines.count, prefixDigest: Self.prefixDigest(of: leaves[..<lines.count]),
                    verification: verification, linesRead: lines.count)
                : nil
        }
        return breaks
    }

    /// SHA-256 of `leaves` one after the other.
    private static func prefixDigest(of leaves: ArraySlice<Data>) -> Data {
        var hasher = SHA256()
        for leaf in leaves { hasher.update(data: leaf) }
        return Data(hasher.finalize())
    }

    /// The kinds of problem that are breaks of the chain (``chainBreaks(of:)``).
    static let breakKinds: Set<LogProblem.Kind> = [.brokenChain, .sequenceGap]

    /// The breaks of the chain among `lines` (complete lines of the log and its rotated files,
    /// oldest first, as `verify` reads them) that no `log_break` line acknowledges: a `prev` that
    /// is not the previous line's hash, a `seq` out of order (a line changed, removed or inserted).
    /// What a crash leaves (a torn or undecodable line the chain skips) is not a break, nor are the
    /// problems an operator cannot record a `log_break` for and `verify` reports anyway (a chain
    /// started over after a rotation, a repeated id): those would stop every later signature.
    static func chainBreaks(of lines: [Data]) -> [LogProblem] {
        Self.chainCheck(of: lines).breaks
    }

    /// The breaks of ``chainBreaks(of:)`` and the verification they come from (where a later check
    /// goes on).
    private static func chainCheck(of lines: [Data]) -> (breaks: [LogProblem], verification: LogVerification) {
        var data = Data(capacity: lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines {
            data.append(line)
            data.append(0x0A)
        }
        var seen: Set<String> = []
        let verification = Self.verifyLines(data, continuing: nil, seenIDs: &seen, decodingEvents: false).verification
        return (verification.problems.filter { Self.breakKinds.contains($0.kind) }, verification)
    }
}
