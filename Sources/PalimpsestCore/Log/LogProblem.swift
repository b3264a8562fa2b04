/// Something wrong with one line of a deletion log file, found by ``DeletionLog/verify(at:continuing:)``
/// or ``DeletionLog/read(at:)``.
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
    }

    /// Line number in the file, from 1.
    public var line: Int
    /// The kind of problem.
    public var kind: Kind
    /// A sentence for the operator.
    public var message: String

    /// Creates a problem report.
    public init(line: Int, kind: Kind, message: String) {
        self.line = line
        self.kind = kind
        self.message = message
    }

    /// `line <n>: <kind>: <message>`.
    public var description: String { "line \(self.line): \(self.kind.rawValue): \(self.message)" }
}
