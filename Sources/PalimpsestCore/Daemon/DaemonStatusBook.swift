import DequeModule
import Foundation
import Synchronization

/// The running daemon's bookkeeping behind `status.json` and systemd's `STATUS=`: one entry per
/// watched account, updated from the poll loop's ``MonitorService/Activity``, plus counters.
final class DaemonStatusBook: Sendable {
    private struct State {
        var phase: DaemonStatus.Phase = .starting
        var configFile: String
        var configLoadedAt: Date
        var shard: String?
        var window: TimeInterval
        var order: [AccountKey]
        var entries: [AccountKey: DaemonStatus.AccountEntry]
        /// End times of recent polls, oldest first, trimmed to ``window``.
        var pollTimes: Deque<Date> = []
        /// Days since 1970 (UTC) of ``eventsToday``.
        var day: Int
        var eventsToday: Int
        var reloadError: String?
        var dirty = true
    }

    let pid: Int32
    let startedAt: Date
    private let state: Mutex<State>

    /// - Parameters:
    ///   - config: the loaded config.
    ///   - accounts: the watched accounts.
    ///   - restored: what the account states on disk say (last poll, blind span, posts tracked).
    ///   - eventsToday: events the log holds from today (UTC).
    init(
        config: PalimpsestConfig, accounts: [Account], restored: [AccountKey: DaemonStatus.AccountEntry],
        eventsToday: Int, now: Date, pid: Int32 = getpid()
    ) {
        self.pid = pid
        self.startedAt = now
        var entries: [AccountKey: DaemonStatus.AccountEntry] = [:]
        for account in accounts {
            entries[account.key] = Self.entry(for: account, from: restored[account.key])
        }
        self.state = Mutex(
            State(
                configFile: config.file.path, configLoadedAt: now, shard: config.daemon.shard?.description,
                window: config.daemon.interval, order: accounts.map(\.key), entries: entries,
                day: Self.day(of: now), eventsToday: eventsToday))
    }

    /// An entry for `account` carrying over what `previous` knew.
    static func entry(for account: Account, from previous: DaemonStatus.AccountEntry?) -> DaemonStatus.AccountEntry {
        var entry =
            previous ?? DaemonStatus.AccountEntry(account: account.key, name: account.name, interval: account.interval)
        entry.name = account.name
        entry.interval = account.interval
        return entry
    }

    /// Records one thing the poll loop did.
    func record(_ activity: MonitorService.Activity, now: Date = Date()) {
        self.state.withLock { state in
            state.dirty = true
            switch activity {
            case .scheduled(let key, let nextPoll):
                state.entries[key]?.nextPoll = nextPoll
            case .pollStarted(let account):
                state.entries[account.key]?.polling = true
                state.entries[account.key]?.nextPoll = nil
            case .polled(let account, let result):
                state.entries[account.key]?.polling = false
                state.pollTimes.append(now)
                if case .polled(let report) = result {
                    state.entries[account.key]?.lastPoll = report.record
                    state.entries[account.key]?.blind = report.blindSpan
                    if let tracked = report.postsTracked { state.entries[account.key]?.postsTracked = tracked }
                    state.entries[account.key]?.eventsLogged = report.eventsLogged
                    state.entries[account.key]?.moved = report.moved
                    let today = Self.day(of: now)
                    if today != state.day {
                        state.day = today
                        state.eventsToday = 0
                    }
                    state.eventsToday += report.events.count
                }
            case .ended:
                break
            }
        }
    }

    /// Sets the phase (running, reloading, stopping, stopped).
    func setPhase(_ phase: DaemonStatus.Phase) {
        self.state.withLock { state in
            state.phase = phase
            state.dirty = true
        }
    }

    /// Replaces the watched accounts after a reload: entries of kept accounts carry over, new ones
    /// start from `restored`, removed ones go.
    func setAccounts(
        _ accounts: [Account], config: PalimpsestConfig, restored: [AccountKey: DaemonStatus.AccountEntry], now: Date
    ) {
        self.state.withLock { state in
            var entries: [AccountKey: DaemonStatus.AccountEntry] = [:]
            for account in accounts {
                entries[account.key] = Self.entry(
                    for: account, from: state.entries[account.key] ?? restored[account.key])
            }
            state.entries = entries
            state.order = accounts.map(\.key)
            state.configFile = config.file.path
            state.configLoadedAt = now
            state.shard = config.daemon.shard?.description
            state.window = config.daemon.interval
            state.dirty = true
        }
    }

    /// Records the outcome of a reload: why it was rejected, or `nil` when applied.
    func setReloadError(_ error: String?) {
        self.state.withLock { state in
            state.reloadError = error
            state.dirty = true
        }
    }

    /// Returns whether anything changed since the last call, and clears the flag.
    func takeDirty() -> Bool {
        self.state.withLock { state in
            defer { state.dirty = false }
            return state.dirty
        }
    }

    /// The status as of `now`.
    func snapshot(now: Date = Date()) -> DaemonStatus {
        self.state.withLock { state in
            let cutoff = now.addingTimeInterval(-state.window)
            while let first = state.pollTimes.first, first < cutoff { state.pollTimes.removeFirst() }
            if Self.day(of: now) != state.day {
                state.day = Self.day(of: now)
                state.eventsToday = 0
            }
            // Sized once: grown by appends, 100,000 entries (~340 bytes each) were held twice over.
            var accounts: [DaemonStatus.AccountEntry] = []
            accounts.reserveCapacity(state.order.count)
            for key in state.order {
                if let entry = state.entries[key] { accounts.append(entry) }
            }
            return DaemonStatus(
                pid: self.pid, phase: state.phase, startedAt: self.startedAt, updatedAt: now,
                configLoadedAt: state.configLoadedAt, config: state.configFile, shard: state.shard,
                recentPolls: state.pollTimes.count, recentWindow: state.window, eventsToday: state.eventsToday,
                reloadError: state.reloadError, accounts: accounts)
        }
    }

    /// Days since 1970-01-01 (UTC).
    static func day(of date: Date) -> Int {
        Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }
}
