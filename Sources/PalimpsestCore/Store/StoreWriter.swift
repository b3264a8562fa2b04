import Foundation
import GRDB
import GRDBSQLite
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one writer of a ``StateStore``: a thread of its own (never the cooperative pool) that takes
/// every commit queued while it was busy (at most ``maximumBatch``) into one SQLite transaction,
/// each commit in its own savepoint, and commits it with one fsync (WAL, `synchronous = FULL`).
/// Before that it fsyncs the WARC files written since its last batch and inserts their index rows,
/// so a committed state never cites evidence that is not on disk.
///
/// Unchanged polls (``deferUnchanged(_:_:)``) are not waited for: their run rows are written
/// 1 s after the oldest of them or with any batch before (`palimpsest run`: ``holdUnchanged(for:upTo:)``,
/// only with a batch that commits their account), or as soon as enough of them wait, so that a
/// cycle in which nothing changed is a few transactions. Each such transaction dirties a page of
/// `unchanged_runs` per account it writes: fewer, larger ones write each page once per hold, not
/// once per second (docs/state-format.md, "Unchanged polls").
///
/// Latency is bounded by one batch: a commit waits at most for the batch being written and its own.
/// A commit that fails alone (its savepoint) fails only its poll; a transaction that fails (a full
/// disk: `SQLITE_FULL`) fails every commit of the batch, and SQLite leaves the database as it was.
final class StoreWriter: Sendable {
    /// Most commits in one transaction.
    static let maximumBatch = 512
    /// Longest wait of an unchanged poll's run row for a batch, unless ``holdUnchanged(for:upTo:)``.
    static let deferredFlushInterval = Duration.seconds(1)

    /// How long unchanged polls may wait for a transaction, and how many may wait.
    struct UnchangedHold: Sendable {
        var interval: Duration = StoreWriter.deferredFlushInterval
        var count: Int = StoreWriter.maximumBatch
        /// Whether they go with any batch (a commit of another account's state), not only when due.
        var withAnyBatch = true
    }
    struct Job: Sendable {
        var account: AccountKey
        /// Bytes the job is expected to write (for the simulated full disk of the tests).
        var estimatedBytes: Int
        /// Whether the tracked posts must be rewritten whole (no trusted baseline).
        var fullRewrite: Bool
        /// Whether the job writes the account's state and tracked posts: only such a job makes the
        /// stored rows equal a known state again, after a failed commit.
        var writesState: Bool = true
        /// Whether the batch of this job writes every unchanged poll that waits (``flushDeferred()``).
        var flushesDeferred = false
        /// A job that runs alone, outside any batch, with the pool (a collection of the spool).
        var standalone: (@Sendable (DatabasePool) throws -> Void)? = nil
        var work: @Sendable (Database, Bool) throws -> Void
    }

    private struct Entry: Sendable {
        var job: Job
        var done: @Sendable (Result<Void, StoreError>) -> Void
    }

    private struct Queue {
        var entries: [Entry] = []
        /// Unchanged polls not written yet, in the order they were made.
        private(set) var deferred: [(account: AccountKey, unchanged: UnchangedObservation)] = []
        /// The newest entry of ``deferred`` per account: every state read asks for its account's,
        /// and a scan of up to ``StoreWriter/maximumBatch`` entries per read was a hundredth of a
        /// cycle in which nothing changed.
        private(set) var newestDeferred: [AccountKey: UnchangedObservation] = [:]

        mutating func appendDeferred(_ account: AccountKey, _ unchanged: UnchangedObservation) {
            self.deferred.append((account, unchanged))
            self.newestDeferred[account] = unchanged
        }

        /// The newest unchanged poll per account that a batch has taken and not yet committed (or
        /// put back, when it failed): until then a read finds it neither queued nor stored.
        private(set) var inFlightDeferred: [AccountKey: UnchangedObservation] = [:]

        /// Takes every deferred unchanged poll out (for a batch; ``writtenDeferred()`` when done).
        mutating func takeDeferred() -> [(account: AccountKey, unchanged: UnchangedObservation)] {
            defer {
                self.inFlightDeferred = self.newestDeferred
                self.deferred = []
                self.newestDeferred = [:]
            }
            return self.deferred
        }

        /// Takes out the deferred unchanged polls of `accounts` only (a batch that commits states
        /// of theirs writes them first); the others keep waiting.
        mutating func takeDeferred(of accounts: Set<AccountKey>) -> [(
            account: AccountKey, unchanged: UnchangedObservation
        )] {
            guard !accounts.isEmpty, accounts.contains(where: { self.newestDeferred[$0] != nil }) else { return [] }
            var taken: [(account: AccountKey, unchanged: UnchangedObservation)] = []
            var kept: [(account: AccountKey, unchanged: UnchangedObservation)] = []
            for entry in self.deferred {
                if accounts.contains(entry.account) { taken.append(entry) } else { kept.append(entry) }
            }
            self.deferred = kept
            for account in accounts {
                if let newest = self.newestDeferred.removeValue(forKey: account) {
                    self.inFlightDeferred[account] = newest
                }
            }
            return taken
        }

        /// The batch that took the deferred unchanged polls committed them or put them back.
        mutating func writtenDeferred() {
            self.inFlightDeferred = [:]
        }

        /// Puts `earlier` back before the deferred unchanged polls (a batch that failed).
        mutating func restoreDeferred(_ earlier: [(account: AccountKey, unchanged: UnchangedObservation)]) {
            self.deferred = earlier + self.deferred
            self.newestDeferred = Dictionary(self.deferred.map { ($0.account, $0.unchanged) }, uniquingKeysWith: { $1 })
        }
        /// When the oldest of ``deferred`` came.
        var deferredSince: ContinuousClock.Instant?
        /// When the writer may next look whether a collection of the spool is due.
        var nextCollectionCheck: ContinuousClock.Instant?
        var stopped = false
        var hold = UnchangedHold()
        /// Accounts whose last commit failed: their next commit rewrites every tracked post.
        var untrusted: Set<AccountKey> = []
    }

    /// The writer thread's name in `/proc/PID/task/*/comm`.
    static let threadName = "store-writer"

    private let pool: DatabasePool
    private let databasePath: String
    private let queue = Mutex<Queue>(Queue())
    private let wake = DispatchSemaphore(value: 0)
    /// The store whose evidence rows and WARC files go with each batch (weak: the store owns us).
    private let owner = Mutex<WeakStore>(WeakStore())

    private struct WeakStore: @unchecked Sendable {
        weak var store: StateStore?
    }

    /// A writer of the database at `databasePath`; `readOnly` for a store opened read-only
    /// (`status`, `digest`, `tail`): no thread is started (one that only waited cost a second of
    /// system time per `status` when the clock is frozen), and every job is refused.
    init(pool: DatabasePool, databasePath: String, readOnly: Bool = false) {
        self.pool = pool
        self.databasePath = databasePath
        guard !readOnly else {
            self.queue.withLock { $0.stopped = true }
            return
        }
        let thread = Thread { [self] in
            Self.nameCurrentThread(Self.threadName)
            self.loop()
        }
        thread.name = "palimpsest.store-writer"
        thread.start()
    }

    /// Sets the name `top -H`, `perf` and `/proc/PID/task/*/comm` show for the calling thread
    /// (`Thread.name` does not reach the kernel on Linux; at most 15 bytes). Best effort.
    private static func nameCurrentThread(_ name: String) {
        guard let comm = FileHandle(forWritingAtPath: "/proc/thread-self/comm") else { return }
        try? comm.write(contentsOf: Data(name.utf8.prefix(15)))
        try? comm.close()
    }

    func attach(_ store: StateStore) {
        self.owner.withLock { $0.store = store }
    }

    func stop() {
        self.queue.withLock { $0.stopped = true }
        self.wake.signal()
    }

    /// Lets unchanged polls wait up to `interval` and up to `count` of them for one transaction
    /// (`palimpsest run`, whose shutdown writes them: ``flushDeferred()``). A crash loses at most
    /// those: that the polls happened, never anything they found.
    func holdUnchanged(for interval: Duration, upTo count: Int) {
        self.queue.withLock { $0.hold = UnchangedHold(interval: interval, count: max(1, count), withAnyBatch: false) }
    }

    /// Tests only: called on the writer's thread after a batch took unchanged polls and before it
    /// commits them.
    let deferredTakenHook = Mutex<(@Sendable () -> Void)?>(nil)

    func forgetBaseline(_ account: AccountKey) {
        self.queue.withLock { _ = $0.untrusted.insert(account) }
    }

    func submit(_ job: Job) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            self.enqueue(Entry(job: job, done: { continuation.resume(with: $0.mapError { $0 as any Error }) }))
        }
    }

    /// Queues the run row of an unchanged poll for a later batch (nothing to wait for: a crash
    /// before it is written loses only that the poll happened, never anything it found).
    func deferUnchanged(_ account: AccountKey, _ unchanged: UnchangedObservation) {
        let full = self.queue.withLock { queue -> Bool in
            if queue.deferred.isEmpty { queue.deferredSince = .now }
            queue.appendDeferred(account, unchanged)
            return queue.deferred.count >= queue.hold.count
        }
        if full { self.wake.signal() }
    }

    /// The newest unchanged poll of `account` not written yet (waiting, or in a batch not yet
    /// committed), if any.
    func deferredUnchanged(of account: AccountKey) -> UnchangedObservation? {
        self.queue.withLock { queue in queue.newestDeferred[account] ?? queue.inFlightDeferred[account] }
    }

    /// Whether an unchanged poll of `account` waits for a batch or is in one not yet committed:
    /// its run row in the database may not say it yet (``StateStore/prefetchQuietStates(of:)``).
    func hasUnwrittenUnchanged(of account: AccountKey) -> Bool {
        self.queue.withLock { $0.newestDeferred[account] != nil || $0.inFlightDeferred[account] != nil }
    }

    /// Writes every unchanged poll waiting; returns once they are committed.
    /// - Throws: ``StoreError`` when the transaction fails (they stay queued).
    func flushDeferred() throws {
        guard self.queue.withLock({ !$0.deferred.isEmpty }) else { return }
        try self.submitAndWait(
            Job(
                account: AccountKey(rawValue: ""), estimatedBytes: 0, fullRewrite: false, writesState: false,
                flushesDeferred: true
            ) { _, _ in })
    }

    func submitAndWait(_ job: Job) throws {
        let result = Mutex<Result<Void, StoreError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        self.enqueue(
            Entry(
                job: job,
                done: { outcome in
                    result.withLock { $0 = outcome }
                    done.signal()
                }))
        done.wait()
        try result.withLock { $0! }.get()
    }

    private func enqueue(_ entry: Entry) {
        let refused = self.queue.withLock { queue -> Bool in
            if queue.stopped { return true }
            queue.entries.append(entry)
            return false
        }
        if refused {
            entry.done(
                .failure(
                    StoreError(
                        operation: "commit", path: self.databasePath, detail: "the store is closed",
                        advice: "report this as a bug")))
            return
        }
        self.wake.signal()
    }

    private func loop() {
        while true {
            _ = self.wake.wait(timeout: .now() + .milliseconds(200))
            while true {
                let (batch, deferred, stopped) = self.queue.withLock {
                    queue -> ([Entry], [(account: AccountKey, unchanged: UnchangedObservation)], Bool) in
                    if let first = queue.entries.first, first.job.standalone != nil {
                        queue.entries.removeFirst()
                        return ([first], [], queue.stopped)
                    }
                    // A batch ends before the next job that runs alone.
                    let alone = queue.entries.firstIndex { $0.job.standalone != nil } ?? queue.entries.count
                    let count = min(alone, Self.maximumBatch)
                    let batch = Array(queue.entries.prefix(count))
                    queue.entries.removeFirst(count)
                    // Unchanged polls go once enough wait or the oldest waited long, or when asked;
                    // else those of accounts whose states the batch commits go before them.
                    let due =
                        (queue.hold.withAnyBatch && !batch.isEmpty) || batch.contains { $0.job.flushesDeferred }
                        || queue.stopped
                        || queue.deferred.count >= queue.hold.count
                        || queue.deferredSince.map { ContinuousClock.now - $0 >= queue.hold.interval } == true
                    guard !queue.deferred.isEmpty else { return (batch, [], queue.stopped) }
                    guard due else {
                        let deferred = queue.takeDeferred(of: Set(batch.map(\.job.account)))
                        if queue.deferred.isEmpty { queue.deferredSince = nil }
                        return (batch, deferred, queue.stopped)
                    }
                    let deferred = queue.takeDeferred()
                    queue.deferredSince = nil
                    return (batch, deferred, queue.stopped)
                }
                if batch.isEmpty && deferred.isEmpty {
                    if stopped { return }
                    self.collectSpoolWhenDue()
                    break
                }
                if let standalone = batch.first?.job.standalone {
                    let result = Result { try standalone(self.pool) }.mapError {
                        Self.mapped($0, db: nil, path: self.databasePath)
                    }
                    batch[0].done(result)
                    continue
                }
                if !deferred.isEmpty, let hook = self.deferredTakenHook.withLock({ $0 }) { hook() }
                self.write(batch, deferred: deferred)
                if !deferred.isEmpty { self.queue.withLock { $0.writtenDeferred() } }
            }
        }
    }

    /// When the writer is idle: starts a collection of the evidence spool when one is due
    /// (checked at most once a minute; a failure waits for the next one).
    private func collectSpoolWhenDue() {
        let now = ContinuousClock.now
        let check = self.queue.withLock { queue -> Bool in
            guard queue.nextCollectionCheck.map({ now >= $0 }) ?? true else { return false }
            queue.nextCollectionCheck = now + .seconds(60)
            return true
        }
        guard check, let store = self.owner.withLock({ $0.store }) else { return }
        guard (try? self.pool.read({ db in try store.spoolCollectionIsDue(db, now: Date()) })) == true else { return }
        _ = try? store.collect(self.pool, minimumAge: StateStore.spoolCollectionInterval)
    }

    private func write(_ batch: [Entry], deferred: [(account: AccountKey, unchanged: UnchangedObservation)] = []) {
        let store = self.owner.withLock { $0.store }
        let evidence: (rows: [StateStore.EvidenceRow], relocations: [StateStore.Relocation]) =
            store?.takePendingEvidence() ?? ([], [])
        var results: [Result<Void, StoreError>] = []
        let untrusted = self.queue.withLock { $0.untrusted }
        do {
            // The WARC records the index rows name are on disk before the rows commit.
            try store?.warc.syncWritten()
            try store?.spool.syncWritten()
            if !evidence.rows.isEmpty {
                // Crash-safety tests only (none in production): WARC records synced, their rows
                // and the batch not committed.
                try FaultInjection.reach(.beforeStoreCommit)
            }
            try self.pool.writeWithoutTransaction { db in
                do {
                    try db.inTransaction(.immediate) {
                        try StateStore.insert(evidence.rows, into: db)
                        try StateStore.apply(evidence.relocations, in: db)
                        // Before the commits: a state this batch writes is newer than these polls.
                        for (account, unchanged) in deferred {
                            let written = try String.fetchOne(
                                db.cachedStatement(sql: "SELECT last_poll_at FROM accounts WHERE key = ?"),
                                arguments: [account.rawValue]
                            ).flatMap(RFC3339.date(from:))
                            try StateStore.record(unchanged, of: account.rawValue, writtenAt: written, in: db)
                        }
                        for entry in batch {
                            do {
                                if let allowed = SimulatedDiskSpace.allowance(
                                    for: self.databasePath, wanted: entry.job.estimatedBytes),
                                    allowed < entry.job.estimatedBytes
                                {
                                    throw StoreError.posix("write", path: self.databasePath, code: ENOSPC)
                                }
                                try db.inSavepoint {
                                    try entry.job.work(
                                        db, entry.job.fullRewrite || untrusted.contains(entry.job.account))
                                    return .commit
                                }
                                results.append(.success(()))
                            } catch {
                                results.append(.failure(Self.mapped(error, db: db, path: self.databasePath)))
                            }
                        }
                        return .commit
                    }
                } catch {
                    throw Self.mapped(error, db: db, path: self.databasePath)
                }
            }
            store?.evidenceCommitted(evidence.rows, relocations: evidence.relocations)
        } catch {
            let failure = Self.mapped(error, db: nil, path: self.databasePath)
            store?.restorePendingEvidence(evidence)
            if !deferred.isEmpty {
                // Tried again with the next batch.
                self.queue.withLock { queue in
                    queue.restoreDeferred(deferred)
                    if queue.deferredSince == nil { queue.deferredSince = .now }
                }
            }
            results = batch.map { _ in .failure(failure) }
        }
        self.queue.withLock { queue in
            for (entry, result) in zip(batch, results) {
                switch result {
                case .success: if entry.job.writesState { queue.untrusted.remove(entry.job.account) }
                case .failure: queue.untrusted.insert(entry.job.account)
                }
            }
        }
        for (entry, result) in zip(batch, results) { entry.done(result) }
    }

    private static func mapped(_ error: any Error, db: Database?, path: String) -> StoreError {
        var code: Int32 = 0
        if let connection = db?.sqliteConnection { code = sqlite3_system_errno(connection) }
        return StateStore.storeError(error, path: path, operation: "write", systemErrno: code)
    }
}
