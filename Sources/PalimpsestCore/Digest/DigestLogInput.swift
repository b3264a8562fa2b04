public import Foundation

/// One deletion log as the digest reads it: its events and the result of its chain check.
public struct DigestLogInput: Sendable, Hashable {
    /// The label shown in the digest (see ``DigestSource/log``).
    public var label: String
    /// Every event of the file, in file order.
    public var events: [Event]
    /// Lines that are not events (a torn last line, garbage).
    public var skippedLines: Int
    /// `seq` of the last log line; `nil` for an empty file.
    public var lastSeq: Int?
    /// SHA-256 of the last log line (the genesis value for an empty file).
    public var lastHash: String
    /// Problems the chain check found.
    public var chainProblems: Int
    /// Where the chain check failed, with the lines in doubt (empty for an intact chain).
    public var chainBreaks: [DigestChainBreak]
    /// The files read, oldest first (the log file and its rotated files); empty when unknown.
    public var files: [String]
    /// `seq` of the first log line read; `nil` for an empty log.
    public var firstSeq: Int?
    /// True when the first log line read chains from the genesis value (the whole log was read).
    public var startsFromGenesis: Bool
    /// The chain problems, each with its file and line.
    public var problems: [LogProblem]
    /// Every event of the log, when ``events`` holds only those the digest needs (read through
    /// the ``LogIndex``: the week's and every `blind` one); `nil` when ``events`` is the whole log.
    public var totalEvents: Int?
    /// With ``totalEvents``: per account, the earliest and latest time its events mention, the
    /// part of the events left out that the coverage needs.
    public var eventTimes: [AccountKey: TimeRange] = [:]

    /// The earliest and latest of a set of times, UTC.
    public struct TimeRange: Sendable, Hashable {
        public var first: Date
        public var last: Date

        public init(first: Date, last: Date) {
            self.first = first
            self.last = last
        }
    }

    /// Creates a log reading; the chain fields default to an empty, intact log.
    public init(
        label: String,
        events: [Event],
        skippedLines: Int = 0,
        lastSeq: Int? = nil,
        lastHash: String = DeletionLog.genesis,
        chainProblems: Int = 0,
        chainBreaks: [DigestChainBreak] = [],
        files: [String] = [],
        firstSeq: Int? = nil,
        startsFromGenesis: Bool = true,
        problems: [LogProblem] = []
    ) {
        self.label = label
        self.events = events
        self.skippedLines = skippedLines
        self.lastSeq = lastSeq
        self.lastHash = lastHash
        self.chainProblems = chainProblems
        self.chainBreaks = chainBreaks
        self.files = files
        self.firstSeq = firstSeq
        self.startsFromGenesis = startsFromGenesis
        self.problems = problems
    }
}
