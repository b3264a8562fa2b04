/// One deletion log the digest read, so a reader can check the digest against it.
public struct DigestSource: Sendable, Hashable, Encodable {
    /// The label of the log: its file name, or `folder/name` when two logs share a file name.
    public var log: String
    /// Events read from the whole file.
    public var eventsRead: Int
    /// Of those, events detected in the week.
    public var eventsInWeek: Int
    /// `seq` of the last log line; `nil` for an empty file.
    public var lastSeq: Int?
    /// SHA-256 of the last log line (the `prev` of the next one): compare it with a copy kept
    /// elsewhere to detect a changed last line.
    public var lastHash: String
    /// Lines skipped because they are not events (a torn last line, garbage).
    public var skippedLines: Int
    /// Problems the chain check found (broken `prev`, `seq` gaps, repeated ids, a chain that
    /// starts over, a rotated file that could not be read); 0 when intact.
    public var chainProblems: Int
    /// Each of those problems with its line and the lines in doubt; empty when intact.
    public var chainBreaks: [DigestChainBreak]
    /// The files read, oldest first: the log file and the files logrotate made of it.
    public var files: [String]
    /// `seq` of the first log line read; `nil` for an empty log.
    public var firstSeq: Int?
    /// True when the first log line read chains from the genesis value: nothing of the log is
    /// missing before it. False when older rotated files are gone: the chain is then checked from
    /// ``firstSeq`` on.
    public var startsFromGenesis: Bool

    /// Creates a source summary.
    public init(
        log: String,
        eventsRead: Int,
        eventsInWeek: Int,
        lastSeq: Int?,
        lastHash: String,
        skippedLines: Int,
        chainProblems: Int,
        chainBreaks: [DigestChainBreak] = [],
        files: [String] = [],
        firstSeq: Int? = nil,
        startsFromGenesis: Bool = true
    ) {
        self.log = log
        self.eventsRead = eventsRead
        self.eventsInWeek = eventsInWeek
        self.lastSeq = lastSeq
        self.lastHash = lastHash
        self.skippedLines = skippedLines
        self.chainProblems = chainProblems
        self.chainBreaks = chainBreaks
        self.files = files
        self.firstSeq = firstSeq
        self.startsFromGenesis = startsFromGenesis
    }

    enum CodingKeys: String, CodingKey {
        case log
        case eventsRead = "events_read"
        case eventsInWeek = "events_in_week"
        case lastSeq = "last_seq"
        case lastHash = "last_hash"
        case skippedLines = "skipped_lines"
        case chainProblems = "chain_problems"
        case chainBreaks = "chain_breaks"
        case files
        case firstSeq = "first_seq"
        case startsFromGenesis = "starts_from_genesis"
    }
}
