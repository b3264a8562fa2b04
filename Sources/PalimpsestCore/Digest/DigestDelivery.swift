import Foundation

/// Sends a digest message, retrying failures that may pass (the server unreachable, a timeout, a
/// 4xx reply) with growing waits, and giving up at once on failures that will not (a refused login,
/// recipient or TLS setup).
public struct DigestDelivery: Sendable {
    /// How often and how long to retry.
    public struct RetryPolicy: Sendable, Hashable {
        /// Attempts in all, at least 1.
        public var attempts: Int
        /// Wait before the second attempt, seconds; each later wait is ``multiplier`` times longer.
        public var initialDelay: Double
        /// Growth of the wait.
        public var multiplier: Double

        /// Creates a policy.
        public init(attempts: Int, initialDelay: Double, multiplier: Double = 4) {
            self.attempts = max(1, attempts)
            self.initialDelay = max(0, initialDelay)
            self.multiplier = max(1, multiplier)
        }

        /// Four attempts, waiting 30 s, 2 min and 8 min between them (about 10.5 minutes in all).
        public static let standard = RetryPolicy(attempts: 4, initialDelay: 30, multiplier: 4)

        /// The wait before attempt `number` (2, 3, …), seconds.
        public func delay(beforeAttempt number: Int) -> Double {
            self.initialDelay * pow(self.multiplier, Double(max(0, number - 2)))
        }
    }

    /// The sender.
    public var sender: any SMTPSending
    /// The retry policy.
    public var policy: RetryPolicy

    /// Creates a delivery.
    public init(sender: any SMTPSending, policy: RetryPolicy = .standard) {
        self.sender = sender
        self.policy = policy
    }

    /// Sends `message`, retrying as the policy says.
    /// - Parameters:
    ///   - message: The message.
    ///   - onFailure: Called after each failed attempt that will be retried, with the attempt
    ///     number, the error and the wait before the next attempt (seconds), for operator logs.
    /// - Returns: The number of attempts made (1 when the first succeeded).
    /// - Throws: ``DigestError`` after the last attempt, or at once on a permanent failure, with
    ///   every attempt's error; `CancellationError` when the task is cancelled.
    @discardableResult
    public func send(
        _ message: DigestMessage,
        onFailure: @Sendable (Int, SMTPError, Double) -> Void = { _, _, _ in }
    ) async throws -> Int {
        var failures: [String] = []
        for attempt in 1...self.policy.attempts {
            do {
                try await self.sender.send(message.bytes, from: message.from, to: message.to)
                return attempt
            } catch let error as SMTPError {
                failures.append("attempt \(attempt): \(error)")
                guard error.kind == .transient, attempt < self.policy.attempts else { break }
                let delay = self.policy.delay(beforeAttempt: attempt + 1)
                onFailure(attempt, error, delay)
                try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
            }
        }
        throw DigestError(
            "the digest e-mail was not sent (\(failures.count) \(failures.count == 1 ? "attempt" : "attempts")): "
                + failures.joined(separator: "; "),
            advice: "the digest files are written; fix the problem and run the command again with --send"
        )
    }
}
