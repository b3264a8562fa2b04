public import Foundation

/// The clock the daemon's timers sleep on, which also tells the time in UTC: the scheduler's
/// waits for due polls, the watchdog, status, checkpoint and alarm timers of `palimpsest run`,
/// and the idle checks of ``LogFollower`` (`tail --follow`).
///
/// Production uses `ContinuousClock` (the clock `Task.sleep(for:)` sleeps on) with `Date()` for
/// the time; tests use a manual clock they advance, so they wait for a timer without sleeping.
public protocol TimerClock: Clock where Duration == Swift.Duration {
    /// The time now, in UTC (wall-clock time, as `Date()` tells it).
    var date: Date { get }
}

extension ContinuousClock: TimerClock {
    /// `Date()`: the system's wall-clock time.
    public var date: Date { Date() }
}

extension TimerClock {
    /// Sleeps `seconds` (clamped to 0...1e9) in whole milliseconds on this clock.
    /// - Throws: `CancellationError` when the task is cancelled first.
    func sleep(seconds: Double) async throws {
        try await self.sleep(for: .milliseconds(Int64(max(0, min(seconds, 1e9)) * 1000)))
    }
}
