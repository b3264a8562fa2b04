import Synchronization

/// Whether the poll loop makes progress, for the systemd watchdog: the watchdog task pings only
/// while ``check(at:)`` says healthy, so a hung poll loop (a deadlock, an HTTP loop that stopped
/// turning, a disk that never answers) stops the pings and systemd restarts the daemon, where a
/// timer alone would go on pinging.
///
/// Progress is a poll starting or finishing, or one HTTP request of a poll completing (success or
/// error). Every request ends within the HTTP `timeout`, so while polls are in flight some
/// progress is due at least every `timeout`; ``stallLimit`` allows twice that and a minute more.
/// With no poll in flight, the next poll is due within the longest account interval (plus jitter).
///
/// Time is read from the daemon's ``TimerClock`` (the clock its watchdog timer sleeps on), as the
/// time elapsed since the heartbeat was made.
public final class PollHeartbeat: Sendable {
    private struct State {
        var inFlight = 0
        /// When the last progress was seen: time elapsed on the clock since the heartbeat was made.
        var lastProgress = Duration.zero
        var idleLimit: Duration
    }

    /// How long polls may be in flight without any progress before the loop counts as stalled.
    public let stallLimit: Duration
    private let state: Mutex<State>
    /// Time elapsed on the clock since the heartbeat was made.
    private let elapsed: @Sendable () -> Duration

    /// - Parameters:
    ///   - stallLimit: see ``stallLimit``.
    ///   - idleLimit: how long the daemon may go without starting a poll when none is in flight
    ///     (the longest account interval with jitter; adjusted by ``setIdleLimit(_:)`` on reload).
    ///   - clock: where the time is read; the daemon's timer clock (`ContinuousClock` in
    ///     production, a manual clock in tests). The heartbeat starts at the clock's present.
    public init(stallLimit: Duration, idleLimit: Duration, clock: some TimerClock = ContinuousClock()) {
        self.stallLimit = stallLimit
        self.state = Mutex(State(idleLimit: idleLimit))
        let start = clock.now
        self.elapsed = { start.duration(to: clock.now) }
    }

    /// The stall limit for an HTTP `timeout` in seconds: 2 × timeout + 60 s.
    public static func stallLimit(httpTimeout: Double) -> Duration {
        .milliseconds(Int64((2 * httpTimeout + 60) * 1000))
    }

    /// Sets how long the daemon may go without starting a poll when none is in flight.
    public func setIdleLimit(_ limit: Duration) {
        self.state.withLock { $0.idleLimit = limit }
    }

    /// A poll started.
    public func pollStarted() {
        let now = self.elapsed()
        self.state.withLock { state in
            state.inFlight += 1
            state.lastProgress = now
        }
    }

    /// A poll finished (whatever its outcome).
    public func pollFinished() {
        let now = self.elapsed()
        self.state.withLock { state in
            state.inFlight = max(0, state.inFlight - 1)
            state.lastProgress = now
        }
    }

    /// One HTTP request of a poll completed.
    public func progress() {
        let now = self.elapsed()
        self.state.withLock { $0.lastProgress = now }
    }

    /// Polls in flight now.
    public var pollsInFlight: Int { self.state.withLock { $0.inFlight } }

    /// `nil` while the loop makes progress; otherwise why it counts as stalled (for the log).
    public func check() -> String? {
        let now = self.elapsed()
        return self.state.withLock { state in
            let quiet = now - state.lastProgress
            if state.inFlight > 0, quiet > self.stallLimit {
                return "\(Plural.count(state.inFlight, "poll")) in flight and no progress for \(Self.seconds(quiet)) s "
                    + "(limit \(Self.seconds(self.stallLimit)) s)"
            }
            if state.inFlight == 0, quiet > state.idleLimit + self.stallLimit {
                return
                    "no poll started for \(Self.seconds(quiet)) s (longest interval \(Self.seconds(state.idleLimit)) s)"
            }
            return nil
        }
    }

    private static func seconds(_ duration: Duration) -> Int64 { duration.components.seconds }
}
