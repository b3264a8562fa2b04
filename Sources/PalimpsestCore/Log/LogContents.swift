/// The events of a deletion log file and the lines that could not be read
/// (``DeletionLog/read(at:)``).
public struct LogContents: Sendable, Hashable {
    /// The events in file order.
    public var events: [Event]
    /// Lines skipped: undecodable lines and a torn last line.
    public var problems: [LogProblem]

    /// Creates a log reading.
    public init(events: [Event], problems: [LogProblem]) {
        self.events = events
        self.problems = problems
    }
}
