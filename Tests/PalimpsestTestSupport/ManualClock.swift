public import Foundation
public import PalimpsestCore
import Synchronization

/// A clock that moves only when a test advances it: the daemon's timers (``TimerClock``) sleep on
/// it, and the test sees who sleeps, advances the time, and the sleepers whose deadline passed
/// wake at once. No test waits for a real timer.
public final class ManualClock: TimerClock {
    /// A point on the clock: the time advanced since it was made.
    public struct Instant: InstantProtocol {
        /// Time since the clock was made.
        public var offset: Duration

        public func advanced(by duration: Duration) -> Self { Self(offset: self.offset + duration) }
        public func duration(to other: Self) -> Duration { other.offset - self.offset }
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Int: Sleeper] = [:]
        var nextID = 0
    }

    /// The UTC time at the clock's zero.
    public let start: Date
    private let state = Mutex(State())

    /// A clock at `start` (UTC) that does not move by itself.
    public init(start: Date = Date(timeIntervalSince1970: 1_785_592_800)) {
        self.start = start
    }

    public var now: Instant { self.state.withLock { $0.now } }

    public var minimumResolution: Duration { .zero }

    /// ``start`` plus the time advanced.
    public var date: Date {
        let offset = self.now.offset.components
        return self.start.addingTimeInterval(Double(offset.seconds) + Double(offset.attoseconds) / 1e18)
    }

    /// How many tasks sleep on the clock now.
    public var sleeperCount: Int { self.state.withLock { $0.sleepers.count } }

    /// The earliest deadline of those sleeping, as time from now; `nil` when none sleeps.
    public var nextDeadline: Duration? {
        self.state.withLock { state in
            state.sleepers.values.map(\.deadline).min().map { state.now.duration(to: $0) }
        }
    }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let id = self.state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let wakeNow = self.state.withLock { state -> Bool in
                    if deadline <= state.now { return true }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return false
                }
                if wakeNow { continuation.resume() }
            }
        } onCancel: {
            let sleeper = self.state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the time on by `duration` and wakes, earliest first, every sleeper whose deadline
    /// has come.
    public func advance(by duration: Duration) {
        let woken = self.state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let due = state.sleepers.filter { $0.value.deadline <= state.now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    /// Moves the time on to the earliest sleeper's deadline and wakes it (and any other due then).
    /// - Returns: how far the time moved; `nil` when nobody sleeps (the time does not move).
    @discardableResult
    public func advanceToNextDeadline() -> Duration? {
        guard let next = self.nextDeadline else { return nil }
        self.advance(by: max(next, .zero))
        return next
    }
}
