public import Foundation

/// A stretch of time in which an account was polled without a gap: from a poll to a later one, each
/// poll between them no further than the gap limit from the one before (``gapLimit(interval:jitter:)``).
/// Kept in the account's state (`poll_spans`) so that coverage counts only time the account was
/// actually watched: a daemon stopped for a week leaves two spans and the week between them
/// unobserved, never "observed".
public struct PollSpan: Sendable, Codable, Hashable {
    /// The first poll of the span, UTC.
    public var from: Date
    /// The last poll of the span so far, UTC.
    public var to: Date

    /// Creates a span.
    public init(from: Date, to: Date) {
        self.from = from
        self.to = to
    }

    /// Spans kept per account, oldest dropped first: one per stop of the daemon (or longer
    /// outage), so years of them.
    public static let maximumCount = 1_000

    /// The longest time between two polls that still counts as watched: twice the account's
    /// interval with the most jitter, `2 × interval × (1 + jitter)` seconds. A longer gap (the daemon
    /// was stopped, the machine was down) is unobserved time.
    /// - Parameters:
    ///   - interval: The account's poll interval, seconds.
    ///   - jitter: The jitter fraction, 0 to 0.5.
    public static func gapLimit(interval: TimeInterval, jitter: Double) -> TimeInterval {
        2 * interval * (1 + min(max(jitter, 0), 0.5))
    }

    /// `spans` with a poll at `time` added: the last span grows to it when the poll comes within
    /// `gapLimit` seconds of the span's last poll, else a new span starts. A poll at or before the
    /// end of the last span (a replay with `--now`) changes nothing when it lies inside a span,
    /// else it is inserted in order.
    public static func record(_ time: Date, in spans: [PollSpan], gapLimit: TimeInterval) -> [PollSpan] {
        var spans = spans
        if let last = spans.last, time >= last.to {
            if time.timeIntervalSince(last.to) <= gapLimit {
                spans[spans.count - 1].to = time
            } else {
                spans.append(PollSpan(from: time, to: time))
            }
        } else if spans.isEmpty {
            spans.append(PollSpan(from: time, to: time))
        } else if !spans.contains(where: { $0.from <= time && time <= $0.to }) {
            spans.append(PollSpan(from: time, to: time))
            spans.sort { $0.from < $1.from }
        }
        if spans.count > Self.maximumCount { spans.removeFirst(spans.count - Self.maximumCount) }
        return spans
    }
}
