/// The result of checking one deletion log file's hash chain and sequence numbers
/// (``DeletionLog/verify(at:continuing:)``).
public struct LogVerification: Sendable, Hashable {
    /// Lines in the file, counting a torn last line.
    public var lineCount: Int
    /// Lines that are log lines (carry `seq`, `prev` and `id`) and so take part in the chain.
    public var eventCount: Int
    /// `seq` of the first log line, if any.
    public var firstSeq: Int?
    /// `seq` of the last log line, if any (or the previous file's, when this file has none).
    public var lastSeq: Int?
    /// `prev` of the first log line: ``DeletionLog/genesis`` for the first file of a chain, else
    /// the hash of the last line of the file before it (rotation).
    public var chainStart: String?
    /// SHA-256 of the last log line: the `prev` the next line must carry.
    public var lastHash: String
    /// Every problem found, in line order.
    public var problems: [LogProblem]
    /// Line number of the first log line, if any.
    public var firstLine: Int?
    /// Problems a `log_break` line acknowledges (the lines it sets aside), and each break itself
    /// (``LogProblem/Kind/logBreak``): listed, never counted as problems of the chain.
    public var acknowledged: [LogProblem] = []

    /// Creates a verification report.
    public init(
        lineCount: Int,
        eventCount: Int,
        firstSeq: Int?,
        lastSeq: Int?,
        chainStart: String?,
        lastHash: String,
        problems: [LogProblem]
    ) {
        self.lineCount = lineCount
        self.eventCount = eventCount
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.chainStart = chainStart
        self.lastHash = lastHash
        self.problems = problems
    }

    /// True when the file has no problem at all.
    public var isIntact: Bool { self.problems.isEmpty }

    /// True when the chain (every log line) is unbroken: torn or undecodable lines, which the chain
    /// skips, are allowed.
    public var isChainIntact: Bool {
        !self.problems.contains { LogProblem.Kind.chainKinds.contains($0.kind) }
    }

    /// The first problem, with its line number and reason.
    public var firstProblem: LogProblem? { self.problems.first }

    /// True when the first log line chains from ``DeletionLog/genesis`` (the file starts a chain);
    /// false for a file continuing a rotated one, and for an empty file.
    public var startsFromGenesis: Bool { self.chainStart == DeletionLog.genesis }
}
