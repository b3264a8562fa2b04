/// The events of a deletion log file and the lines that could not be read
/// (``DeletionLog/read(at:)``).
public struct LogContents: Sendable, Hashable {
    /// The events in file order.
    public var events: [Event]
    /// Lines skipped: undecodable lines and a torn last line.
    public var problems: [LogProblem]
    /// The lines that are not findings (`checkpoint`, `log_break`), in file order.
    public var records: [LogRecord]

    /// Creates a log reading.
    public init(events: [Event], problems: [LogProblem], records: [LogRecord] = []) {
        self.events = events
        self.problems = problems
        self.records = records
    }
}
