public import Foundation
import HeapModule
public import Logging
public import ServiceLifecycle
import Synchronization

/// The daemon's poll loop (`palimpsest run`): polls every account on its interval with jitter
/// until graceful shutdown, then lets in-flight polls finish their writes and returns.
///
/// One scheduler keeps every account's next due time in a min-heap and starts a task for each poll
/// when it is due; an account costs its entry (about 200 bytes) between polls, not a task, so
/// 100,000 accounts fit in a few tens of MiB. A slow or blind account never delays another: polls
/// run concurrently, at most ``maximumPollsInFlight`` at once (a poll that is due waits for a
/// slot; when every slot is taken, due polls start once a sixteenth of them are free), and polls
/// due within a quarter of a second of each other start together. The HTTP client's global and
/// per-host limits bound the load on
/// the network and on each platform. ``update(accounts:poller:jitter:now:)`` changes the watch list
/// while it runs (SIGHUP reload): added accounts start, removed ones stop after any poll in flight,
/// changed ones take their new settings at their next poll. One account never has two polls at once.
public final class MonitorService: Service, Sendable {
    /// What the loop did, for the daemon's status, heartbeat and logs. Called synchronously from the
    /// scheduler and the polls: observers must be quick and must not block.
    public enum Activity: Sendable {
        /// The account's next poll is due at `nextPoll` (UTC).
        case scheduled(AccountKey, nextPoll: Date)
        /// A poll of the account started.
        case pollStarted(Account)
        /// A poll of the account finished.
        case polled(Account, PollCycle.Result)
        /// The account is no longer watched (removed from the config, or shutdown).
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
        var polling = false
        /// When the last poll started; `nil` before the first.
        var lastStart: Date?
        /// This cycle's jitter factor, in `-jitter...jitter`.
        var factor: Double = 0
        /// When the first poll is due.
        var firstDue: Date
        /// Bumped whenever the account's due time changes: heap entries of older generations are
        /// stale and skipped.
        var generation = 0

        var nextDue: Date {
            self.lastStart.map { $0.addingTimeInterval(self.account.interval * (1 + self.factor)) } ?? self.firstDue
        }
    }

    /// One account's next due time in the scheduler's heap.
    private struct Due: Comparable {
        var at: Date
        var key: AccountKey
        var generation: Int

        static func < (lhs: Due, rhs: Due) -> Bool {
            lhs.at != rhs.at ? lhs.at < rhs.at : lhs.key.rawValue < rhs.key.rawValue
        }
    }

    private struct State {
        var watches: [AccountKey: Watch] = [:]
        var queue = Heap<Due>()
        var inFlight = 0
        var poller: AccountPoller
        var jitter: Double
        var stopping = false
        /// When the scheduler's current sleep ends: `.distantFuture` while it waits for a slot or
        /// for an account to be added. A poll that ends wakes it only when that poll freed the slot
        /// it waits for or is due again before then.
        var schedulerWakesAt = Date.distantPast
        /// The scheduler waits for free slots (every one was taken when it last looked).
        var awaitingSlots = false

        /// Puts the account's next due time in the heap (a new generation).
        mutating func schedule(_ key: AccountKey) {
            guard var watch = self.watches[key] else { return }
            watch.generation += 1
            self.watches[key] = watch
            self.queue.insert(Due(at: watch.nextDue, key: key, generation: watch.generation))
        }
    }

    /// What the scheduler does after starting a round's polls.
    private enum Wait {
        /// Looks again at once: it started polls and slots are free.
        case noWait
        /// Sleeps until the next due poll is due.
        case until(Date)
        /// Sleeps until woken: every slot is taken (a poll's end wakes it) or nothing is queued.
        case untilWoken
    }

    /// The polls the scheduler starts now, and how long it may sleep after.
    private struct Round {
        var polls: [(Account, AccountPoller, Date)] = []
        var ended: [AccountKey] = []
        var wait = Wait.untilWoken
        var stop = false
    }

    /// Most polls running at once.
    public let maximumPollsInFlight: Int
    /// How far ahead of its due time (seconds) a poll may start with the polls due before it: the
    /// scheduler wakes once per such window instead of once per poll (at 100,000 accounts every
    /// 10 minutes, 167 polls are due each second), and the polls it starts together read their
    /// quiet fields in one statement. A quarter of a second against intervals of 30 s or more.
    static let startLead = 0.25
    /// How many slots a scheduler that waits for free slots lets free before it wakes: a
    /// sixteenth of ``maximumPollsInFlight`` (16 of 256), at least one. Where more polls are due
    /// than can run (a first cycle of 100,000 accounts), it then wakes once for 16 polls, not for
    /// each.
    var slotRefill: Int { max(1, self.maximumPollsInFlight / 16) }
    private let state: Mutex<State>
    private let wake = WakeSignal()
    /// What the scheduler sleeps on and reads the time from.
    private let clock: any TimerClock
    private let logger: Logger
    private let observer: @Sendable (Activity) -> Void

    /// - Parameters:
    ///   - accounts: the accounts to watch.
    ///   - poller: polls one account.
    ///   - jitter: fraction of each interval (0...0.5) by which a poll time is moved at random,
    ///     so accounts on one host are not polled in lockstep.
    ///   - maximumPollsInFlight: most polls running at once (at least 1); a due poll waits for a
    ///     slot. The daemon passes four times `[daemon] concurrency`.
    ///   - firstPolls: when an account's first poll is due (UTC), e.g. its last poll plus its
    ///     interval after a restart. Accounts not in it are spread over the first minute (or their
    ///     interval, if shorter) instead of all polling at start.
    ///   - now: the start time (UTC).
    ///   - clock: what the scheduler sleeps on until the next due poll, and the time (UTC) each
    ///     poll starts at; `ContinuousClock` with `Date()` in the daemon, a manual clock in tests.
    ///   - observer: told of every scheduling decision and poll (see ``Activity``).
    public init(
        accounts: [Account], poller: AccountPoller, jitter: Double, logger: Logger,
        maximumPollsInFlight: Int = 256, firstPolls: [AccountKey: Date] = [:], now: Date = Date(),
        clock: any TimerClock = ContinuousClock(), observer: @escaping @Sendable (Activity) -> Void = { _ in }
    ) {
        self.logger = logger
        self.clock = clock
        self.observer = observer
        self.maximumPollsInFlight = max(1, maximumPollsInFlight)
        var state = State(poller: poller, jitter: Self.clampJitter(jitter))
        for (index, account) in accounts.enumerated() where state.watches[account.key] == nil {
            let due = firstPolls[account.key] ?? Self.spread(account, index: index, of: accounts.count, from: now)
            state.watches[account.key] = Watch(account: account, firstDue: due)
            state.schedule(account.key)
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
        var ended: [AccountKey] = []
        var scheduled: [(AccountKey, Date)] = []
        self.state.withLock { state in
            guard !state.stopping else { return }
            state.poller = poller
            state.jitter = Self.clampJitter(jitter)
            let keys = Set(accounts.map(\.key))
            for (key, watch) in state.watches where !watch.removed && !keys.contains(key) {
                changes.removed.append(key)
                if watch.polling {
                    // Forgotten when its poll ends.
                    state.watches[key]?.removed = true
                } else {
                    state.watches[key] = nil
                    ended.append(key)
                }
            }
            let newcomers = accounts.filter { state.watches[$0.key] == nil }
            let newcomerIndex = Dictionary(
                newcomers.enumerated().map { ($0.element.key, $0.offset) }, uniquingKeysWith: { first, _ in first })
            for account in accounts {
                if var watch = state.watches[account.key] {
                    if watch.removed {
                        // Re-added while its last poll finishes: it goes on.
                        watch.removed = false
                        changes.added.append(account.key)
                    } else if watch.account != account {
                        changes.changed.append(account.key)
                    }
                    let changed = watch.account != account
                    watch.account = account
                    state.watches[account.key] = watch
                    if changed {
                        if !watch.polling { state.schedule(account.key) }
                        scheduled.append((account.key, watch.nextDue))
                    }
                } else if let index = newcomerIndex[account.key] {
                    let due = Self.spread(account, index: index, of: newcomers.count, from: now)
                    state.watches[account.key] = Watch(account: account, firstDue: due)
                    state.schedule(account.key)
                    scheduled.append((account.key, due))
                    changes.added.append(account.key)
                }
            }
        }
        self.wake.wake()
        for key in ended { self.observer(.ended(key)) }
        for (key, due) in scheduled { self.observer(.scheduled(key, nextPoll: due)) }
        changes.removed.sort()
        return changes
    }

    public func run() async throws {
        self.logger.info("watching", metadata: ["accounts": "\(self.state.withLock { $0.watches.count })"])
        for (key, due) in self.nextPolls { self.observer(.scheduled(key, nextPoll: due)) }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                while true {
                    let round = self.nextRound(now: self.clock.date)
                    for key in round.ended { self.observer(.ended(key)) }
                    if round.stop { break }
                    if round.polls.count > 1, let poller = round.polls.first?.1 {
                        // One read of the quiet fields for the round (``AccountPoller/load``
                        // takes each); what a poll does not take it drops at its end.
                        await poller.prefetchQuietStates(of: round.polls.map(\.0))
                    }
                    for (account, poller, now) in round.polls {
                        group.addTask { await self.poll(account, poller: poller, at: now) }
                    }
                    switch round.wait {
                    case .noWait: break
                    // From now: the read ahead took some of the wait.
                    case .until(let due):
                        await self.wake.sleep(seconds: max(0, due.timeIntervalSince(self.clock.date)), on: self.clock)
                    case .untilWoken: await self.wake.sleep(seconds: 3_600, on: self.clock)
                    }
                }
            }
        } onGracefulShutdown: {
            self.logger.info("shutting down: finishing in-flight polls")
            self.stop()
        }
        let left = self.state.withLock { state -> [AccountKey] in
            let keys = state.watches.keys.sorted()
            state.watches = [:]
            return keys
        }
        for key in left { self.observer(.ended(key)) }
        await self.saveUnsavedStates()
        self.logger.info("all polls finished; deletion log and state are written")
    }

    /// Stops scheduling polls: polls in flight finish. Graceful shutdown calls it.
    public func stop() {
        self.state.withLock { $0.stopping = true }
        self.wake.wake()
    }

    // MARK: - Scheduling

    /// Takes the polls that are due from the heap, or due within ``startLead`` (as many as there
    /// are free slots), and says how long the scheduler may sleep: until the next due time, or
    /// until a slot frees (a poll's end wakes it).
    private func nextRound(now: Date) -> Round {
        self.state.withLock { state -> Round in
            var round = Round()
            if state.stopping || Task.isCancelled {
                round.stop = true
                return round
            }
            while state.inFlight < self.maximumPollsInFlight, let first = state.queue.min {
                guard var watch = state.watches[first.key], watch.generation == first.generation, !watch.polling
                else {
                    _ = state.queue.removeMin()  // stale: rescheduled, removed or polling
                    continue
                }
                guard first.at <= now.addingTimeInterval(Self.startLead) else {
                    round.wait = .until(first.at)
                    state.schedulerWakesAt = first.at
                    state.awaitingSlots = false
                    return round
                }
                _ = state.queue.removeMin()
                watch.polling = true
                watch.lastStart = now
                watch.factor = state.jitter > 0 ? Double.random(in: -state.jitter...state.jitter) : 0
                state.watches[first.key] = watch
                state.inFlight += 1
                round.polls.append((watch.account, state.poller, now))
            }
            // All slots busy (a poll's end wakes the scheduler) or nothing queued.
            let noWait = state.inFlight < self.maximumPollsInFlight && !round.polls.isEmpty
            round.wait = noWait ? .noWait : .untilWoken
            state.schedulerWakesAt = noWait ? now : .distantFuture
            state.awaitingSlots = state.inFlight >= self.maximumPollsInFlight
            return round
        }
    }

    /// One poll of `account`, then its next due time into the heap.
    private func poll(_ account: Account, poller: AccountPoller, at now: Date) async {
        self.observer(.pollStarted(account))
        let result: PollCycle.Result
        do {
            let report = try await poller.poll(account, at: now)
            result = .polled(report)
            self.logger.debug(
                "polled",
                metadata: [
                    "account.key": "\(account.key)", "poll.outcome": "\(report.record.outcome)",
                    "poll.detail": "\(report.record.detail)",
                ])
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
                "poll not written; still running: the account's next poll writes what waits, then polls again",
                metadata: [
                    "account.key": "\(account.key)", "account.name": "\(account.displayName)", "error": "\(error)",
                ])
        } catch {
            result = .fault(account, error)
            self.logger.error(
                "poll could not run",
                metadata: [
                    "account.key": "\(account.key)", "account.name": "\(account.displayName)", "error": "\(error)",
                ])
        }
        // Read ahead for this poll and not taken (it ended before reading its state): dropped,
        // so that no later poll of the account takes what this read.
        poller.stateStore.discardPrefetchedQuietState(of: account.key)
        self.observer(.polled(account, result))
        let key = account.key
        enum After {
            case ended
            case scheduled(Date)
            case stopping
        }
        let (after, wakeScheduler) = self.state.withLock { state -> (After, Bool) in
            state.inFlight -= 1
            guard var watch = state.watches[key] else { return (.stopping, true) }
            watch.polling = false
            state.watches[key] = watch
            if watch.removed {
                state.watches[key] = nil
                return (.ended, true)
            }
            if state.stopping { return (.stopping, true) }
            state.schedule(key)
            // The scheduler waits for free slots (woken once enough are free), or sleeps past
            // this account's next due time (woken now).
            let wake: Bool
            if state.awaitingSlots {
                wake = state.inFlight <= self.maximumPollsInFlight - self.slotRefill
                if wake { state.awaitingSlots = false }
            } else {
                wake = watch.nextDue < state.schedulerWakesAt
            }
            return (.scheduled(watch.nextDue), wake)
        }
        switch after {
        case .ended: self.observer(.ended(key))
        case .scheduled(let due): self.observer(.scheduled(key, nextPoll: due))
        case .stopping: break
        }
        if wakeScheduler { self.wake.wake() }
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
                self.logger.critical(
                    """
                    the account's state kept in memory since a write failed cannot be written before exit: \
                    what it held since its last save (a blind span's start, events not yet logged) is \
                    lost, and polling resumes from the state on disk
                    """,
                    metadata: ["account.key": "\(account)", "error": "\(error)"])
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
