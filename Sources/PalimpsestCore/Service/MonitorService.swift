public import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// The daemon's poll loop (`palimpsest run`): polls every account on its interval with jitter
/// until graceful shutdown, then lets in-flight polls finish their writes and returns.
///
/// Each account has its own loop, so a slow or blind account never delays another; the HTTP
/// client's global and per-host limits bound the load on the network and on each platform.
/// ``update(accounts:poller:jitter:now:)`` changes the watch list while it runs (SIGHUP reload):
/// added accounts start, removed ones stop after any poll in flight, changed ones take their new
/// settings at their next poll. One account never has two polls at once.
public final class MonitorService: Service, Sendable {
    /// What the loop did, for the daemon's status, heartbeat and logs. Called synchronously from the
    /// account loops: observers must be quick and must not block.
    public enum Activity: Sendable {
        /// The account's next poll is due at `nextPoll` (UTC).
        case scheduled(AccountKey, nextPoll: Date)
        /// A poll of the account started.
        case pollStarted(Account)
        /// A poll of the account finished.
        case polled(Account, PollCycle.Result)
        /// The account's loop ended (removed from the config, or shutdown).
        case ended(AccountKey)
    }

    /// What an ``update(accounts:poller:jitter:now:)`` changed.
    public struct Changes: Sendable, Hashable {
        /// Accounts that started (new in the list).
        public var added: [AccountKey] = []
        /// Accounts that stop (gone from the list); their data stays on disk.
        public var removed: [AccountKey] = []
        /// Accounts whose settings changed (interval, name, proxy, headers, platform keys).
        public var changed: [AccountKey] = []

        /// No change.
        public init() {}

        /// True when the watch list is the same as before.
        public var isEmpty: Bool { self.added.isEmpty && self.removed.isEmpty && self.changed.isEmpty }
    }

    private struct Watch {
        var account: Account
        var removed = false
        /// When the last poll started; `nil` before the first.
        var lastStart: Date?
        /// This cycle's jitter factor, in `-jitter...jitter`.
        var factor: Double = 0
        /// When the first poll is due.
        var firstDue: Date
        let wake = WakeSignal()

        var nextDue: Date {
            self.lastStart.map { $0.addingTimeInterval(self.account.interval * (1 + self.factor)) } ?? self.firstDue
        }
    }

    private struct State {
        var watches: [AccountKey: Watch] = [:]
        var poller: AccountPoller
        var jitter: Double
        var stopping = false
    }

    private enum Step {
        case exit
        case sleep(seconds: Double, WakeSignal)
        case poll(Account, AccountPoller, Date)
    }

    private let state: Mutex<State>
    private let starts: AsyncStream<AccountKey>
    private let startContinuation: AsyncStream<AccountKey>.Continuation
    private let logger: Logger
    private let observer: @Sendable (Activity) -> Void

    /// - Parameters:
    ///   - accounts: the accounts to watch.
    ///   - poller: polls one account.
    ///   - jitter: fraction of each interval (0...0.5) by which a poll time is moved at random,
    ///     so accounts on one host are not polled in lockstep.
    ///   - firstPolls: when an account's first poll is due (UTC), e.g. its last poll plus its
    ///     interval after a restart. Accounts not in it are spread over the first minute (or their
    ///     interval, if shorter) instead of all polling at start.
    ///   - now: the start time (UTC).
    ///   - observer: told of every scheduling decision and poll (see ``Activity``).
    public init(
        accounts: [Account], poller: AccountPoller, jitter: Double, logger: Logger,
        firstPolls: [AccountKey: Date] = [:], now: Date = Date(),
        observer: @escaping @Sendable (Activity) -> Void = { _ in }
    ) {
        let (stream, continuation) = AsyncStream.makeStream(of: AccountKey.self)
        self.starts = stream
        self.startContinuation = continuation
        self.logger = logger
        self.observer = observer
        var state = State(poller: poller, jitter: Self.clampJitter(jitter))
        for (index, account) in accounts.enumerated() where state.watches[account.key] == nil {
            let due = firstPolls[account.key] ?? Self.spread(account, index: index, of: accounts.count, from: now)
            state.watches[account.key] = Watch(account: account, firstDue: due)
            continuation.yield(account.key)
        }
        self.state = Mutex(state)
    }

    /// The accounts watched now, sorted by key (those removed but still finishing a poll excluded).
    public var watchedKeys: [AccountKey] {
        self.state.withLock { $0.watches.filter { !$0.value.removed }.keys.sorted() }
    }

    /// When each watched account's next poll is due (UTC).
    public var nextPolls: [AccountKey: Date] {
        self.state.withLock { state in state.watches.filter { !$0.value.removed }.mapValues(\.nextDue) }
    }

    /// Replaces the watch list and the settings for later polls (SIGHUP reload).
    ///
    /// Added accounts start, spread over the first minute; removed ones stop after their poll in
    /// flight, if any (their state and evidence stay on disk); an account whose settings changed
    /// keeps its state and schedule, its next poll due one (new) interval after its last. Does
    /// nothing once the service is stopping.
    /// - Parameters:
    ///   - accounts: the new list.
    ///   - poller: the poller for polls started from now on (new detection settings).
    ///   - jitter: the new jitter fraction.
    ///   - now: the time of the change (UTC).
    /// - Returns: what changed.
    @discardableResult
    public func update(accounts: [Account], poller: AccountPoller, jitter: Double, now: Date = Date()) -> Changes {
        var changes = Changes()
        var wakes: [WakeSignal] = []
        var started: [AccountKey] = []
        var scheduled: [(AccountKey, Date)] = []
        self.state.withLock { state in
            guard !state.stopping else { return }
            state.poller = poller
            state.jitter = Self.clampJitter(jitter)
            let keys = Set(accounts.map(\.key))
            for (key, watch) in state.watches where !watch.removed && !keys.contains(key) {
                state.watches[key]?.removed = true
                wakes.append(watch.wake)
                changes.removed.append(key)
            }
            let newcomers = accounts.filter { state.watches[$0.key] == nil }
            let newcomerIndex = Dictionary(
                newcomers.enumerated().map { ($0.element.key, $0.offset) }, uniquingKeysWith: { first, _ in first })
            for account in accounts {
                if var watch = state.watches[account.key] {
                    if watch.removed {
                        // Re-added while its last poll finishes: the same loop goes on.
                        watch.removed = false
                        changes.added.append(account.key)
                    } else if watch.account != account {
                        changes.changed.append(account.key)
                    }
                    if watch.account != account {
                        watch.account = account
                        wakes.append(watch.wake)
                        scheduled.append((account.key, watch.nextDue))
                    }
                    state.watches[account.key] = watch
                } else if let index = newcomerIndex[account.key] {
                    let due = Self.spread(account, index: index, of: newcomers.count, from: now)
                    state.watches[account.key] = Watch(account: account, firstDue: due)
                    started.append(account.key)
                    scheduled.append((account.key, due))
                    changes.added.append(account.key)
                }
            }
        }
        for key in started { self.startContinuation.yield(key) }
        for wake in wakes { wake.wake() }
        for (key, due) in scheduled { self.observer(.scheduled(key, nextPoll: due)) }
        changes.removed.sort()
        return changes
    }

    public func run() async throws {
        self.logger.info("watching \(Plural.count(self.state.withLock { $0.watches.count }, "account"))")
        for (key, due) in self.nextPolls { self.observer(.scheduled(key, nextPoll: due)) }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await key in self.starts {
                    group.addTask { await self.watch(key) }
                }
            }
        } onGracefulShutdown: {
            self.logger.info("shutting down: finishing in-flight polls")
            self.stop()
        }
        await self.saveUnsavedStates()
        self.logger.info("all polls finished; deletion log and state are written")
    }

    /// Stops scheduling polls: loops end after their poll in flight. Graceful shutdown calls it.
    public func stop() {
        let wakes = self.state.withLock { state -> [WakeSignal] in
            state.stopping = true
            return state.watches.values.map(\.wake)
        }
        self.startContinuation.finish()
        for wake in wakes { wake.wake() }
    }

    // MARK: - One account's loop

    private func watch(_ key: AccountKey) async {
        while true {
            let step = self.state.withLock { state -> Step in
                guard var watch = state.watches[key] else { return .exit }
                if state.stopping || watch.removed || Task.isCancelled {
                    state.watches[key] = nil
                    return .exit
                }
                let now = Date()
                let due = watch.nextDue
                if due > now { return .sleep(seconds: due.timeIntervalSince(now), watch.wake) }
                watch.lastStart = now
                watch.factor = state.jitter > 0 ? Double.random(in: -state.jitter...state.jitter) : 0
                state.watches[key] = watch
                return .poll(watch.account, state.poller, now)
            }
            switch step {
            case .exit:
                self.observer(.ended(key))
                return
            case .sleep(let seconds, let wake):
                await wake.sleep(seconds: seconds)
            case .poll(let account, let poller, let now):
                self.observer(.pollStarted(account))
                let result: PollCycle.Result
                do {
                    let report = try await poller.poll(account, at: now)
                    result = .polled(report)
                    self.logger.debug(
                        "polled: \(report.record.outcome) \(report.record.detail)",
                        metadata: ["account.key": "\(account.key)"])
                } catch is CancellationError {
                    result = .fault(account, CancellationError())
                    // Shutdown cancelled the poll mid-request: nothing was recorded for it, which is
                    // right: a stopped daemon is not a blind account (docs/operating.md).
                    self.logger.notice(
                        "poll cancelled by shutdown: nothing recorded; the next start polls the account again",
                        metadata: ["account.key": "\(account.key)", "account.name": "\(account.displayName)"])
                } catch let error as PollWriteError {
                    result = .fault(account, error)
                    // Not fatal: what waits is written by the account's next poll, first thing.
                    self.logger.error(
                        "\(error) Still running: the account's next poll writes what waits, then polls again.",
                        metadata: ["account.key": "\(account.key)", "account.name": "\(account.displayName)"])
                } catch {
                    result = .fault(account, error)
                    self.logger.error(
                        "poll could not run: \(error)",
                        metadata: ["account.key": "\(account.key)", "account.name": "\(account.displayName)"])
                }
                self.observer(.polled(account, result))
                if let due = self.state.withLock({ $0.watches[key].map(\.nextDue) }) {
                    self.observer(.scheduled(key, nextPoll: due))
                }
            }
        }
    }

    /// Before exiting: writes the account states that a full disk kept in memory, and says which
    /// are lost because the disk is still full.
    private func saveUnsavedStates() async {
        let stateStore = self.state.withLock { $0.poller.stateStore }
        let results = (try? await BlockingIO.run { stateStore.saveUnsavedStates() }) ?? []
        for (account, result) in results {
            switch result {
            case .success:
                self.logger.notice(
                    "wrote the account's state kept in memory since a write failed",
                    metadata: ["account.key": "\(account)"])
            case .failure(let error):
                let message =
                    "the account's state kept in memory since a write failed cannot be written before exit: "
                    + "\(error); what it held since its last save (a blind span's start, events not yet "
                    + "logged) is lost, and polling resumes from the state on disk"
                self.logger.critical("\(message)", metadata: ["account.key": "\(account)"])
            }
        }
    }

    // MARK: - Helpers

    private static func clampJitter(_ jitter: Double) -> Double {
        min(max(jitter, 0), 0.5)
    }

    /// First polls spread over the first minute (or the interval, if shorter) instead of all at once.
    private static func spread(_ account: Account, index: Int, of count: Int, from now: Date) -> Date {
        let window = min(account.interval, 60)
        let offset = count > 1 ? window * Double(index) / Double(count) : 0
        return now.addingTimeInterval(offset)
    }
}
