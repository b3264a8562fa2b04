/// A benchmark that cannot run, or whose code path did not do what it measures.
struct BenchmarkError: Error, CustomStringConvertible {
    /// What went wrong and what to do about it.
    let description: String

    /// Creates an error with an operator-facing message.
    init(_ description: String) {
        self.description = description
    }
}
