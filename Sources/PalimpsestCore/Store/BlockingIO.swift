import Dispatch

/// Runs blocking file-system work (fsync, rename, reads of large files) on a dedicated serial
/// dispatch queue instead of Swift's cooperative thread pool, whose few threads must never block.
public enum BlockingIO {
    // One serial queue for the writes that need an order in the whole process. A log line never
    // precedes the state that cites it because a poll registers its events for the log
    // (`DeletionLog.queueAppend`) only once its state commit is durable: another caller's append
    // may then write them, earlier than this queue would.
    private static let queue = DispatchQueue(label: "palimpsest.blocking-io", qos: .utility)

    // Reads of the state store (WAL snapshots) and WARC appends: never behind the serial queue.
    private static let concurrent = DispatchQueue(
        label: "palimpsest.blocking-io.concurrent", qos: .utility, attributes: .concurrent)

    /// Runs `work` on a concurrent queue for blocking work that needs no order with other writes
    /// (reads of the state store, evidence appends, whose order the store's writer keeps).
    /// - Throws: whatever `work` throws.
    public static func runConcurrently<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws
        -> Value
    {
        try await withCheckedThrowingContinuation { continuation in
            Self.concurrent.async {
                continuation.resume(with: Swift.Result(catching: work))
            }
        }
    }

    /// Runs `work` on the blocking-I/O queue and returns its result.
    /// - Throws: whatever `work` throws.
    public static func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Self.queue.async {
                continuation.resume(with: Swift.Result(catching: work))
            }
        }
    }
}
