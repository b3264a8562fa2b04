/// Something wrong with one line of a deletion log file, found by ``DeletionLog/verify(at:continuing:)``
/// or ``DeletionLog/read(at:)``, or with one file of a rotated log (``DeletionLogSet``).
public struct LogProblem: Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public enum Kind: String, Sendable, Hashable {
        /// The last line has no newline: cut short by a crash mid-write (or still being written).
        /// The chain ignores it; the next append starts on a new line after it.
        case tornLine = "torn_line"
        /// A complete line that is not a log line (no `seq`, `prev` and `id`), e.g. a torn line
        /// completed by the next append's newline. The chain skips it.
        case undecodable
        /// A line that chains correctly but whose fields do not decode as an event of this version.
        case invalidEvent = "invalid_event"
        /// `prev` is not the SHA-256 of the previous log line: a line before it was changed,
        /// removed or inserted.
        case brokenChain = "broken_chain"
        /// `seq` is not one more than the previous line's.
        case sequenceGap = "sequence_gap"
        /// An event id that an earlier line already has.
        case duplicateID = "duplicate_id"
        /// The first line of a rotated log's newer file chains from the genesis value with `seq` 1
        /// instead of from the older file's last line: the chain starts over, so the older files
        /// cannot be tied to it (a daemon that started after a rotation without the older file,
        /// before it looked for one; or older lines removed).
        case chainRestart = "chain_restart"
        /// A `log_break` line: an operator recorded a discontinuity there (`palimpsest log
        /// continue`) and the chain resumes from the line it names. Listed, not a chain problem.
        case logBreak = "log_break"
        /// A file of a rotated log that could not be read (compressed with something other than
        /// gzip, damaged, unreadable): its events are missing and the chain cannot pass through it.
        case unreadableFile = "unreadable_file"

        /// The kinds that make a chain not intact: every kind but the lines the chain skips
        /// (torn, undecodable) and lines that chain but do not decode.
        public static let chainKinds: Set<Kind> = [
            .brokenChain, .sequenceGap, .duplicateID, .chainRestart, .unreadableFile,
        ]
    }

    /// Line number in the file, from 1; 0 for a problem with the whole file.
    public var line: Int
    /// The kind of problem.
    public var kind: Kind
    /// A sentence for the operator.
    public var message: String
    /// The file's name, for a problem found in one file of a rotated log (``DeletionLogSet``);
    /// `nil` when only one file was read.
    public var file: String?

    /// Creates a problem report.
    public init(line: Int, kind: Kind, message: String, file: String? = nil) {
        self.line = line
        self.kind = kind
        self.message = message
        self.file = file
    }

    /// `[<file>: ]line <n>: <kind>: <message>` (without the line for a whole-file problem).
    public var description: String {
        let place = (self.file.map { "\($0): " } ?? "") + (self.line > 0 ? "line \(self.line): " : "")
        return "\(place)\(self.kind.rawValue): \(self.message)"
    }
}
