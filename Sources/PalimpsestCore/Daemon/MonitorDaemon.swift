public import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `palimpsest run` as a well-behaved systemd service: the poll loop (``MonitorService``) plus
/// the notify protocol, the watchdog, `status.json`, and reload.
///
/// - `READY=1` once the config is loaded and every watched account's state has been read back;
///   `STATUS=` with accounts watched, polls in the last interval, events today, accounts blind.
/// - `WATCHDOG=1` every half `WATCHDOG_USEC`, only while ``PollHeartbeat`` sees the poll loop make
///   progress: a hung loop stops the pings and systemd restarts the daemon.
/// - ``reload()`` (SIGHUP): `RELOADING=1` + `MONOTONIC_USEC=`, reopen the deletion log (logrotate),
///   re-read the config, apply it or reject it with the old one still running, `READY=1`.
/// - Every config it accepts (at start, at an applied reload) is kept in `state_dir` as its
///   ``RunningConfig``, for `status` and `tail` while the file on disk is invalid.
/// - Graceful shutdown (SIGTERM, SIGINT): `STOPPING=1`, no new polls, in-flight polls finish their
///   writes (watchdog pings go on meanwhile), `status.json` says `stopped`.
public final class MonitorDaemon: Service, Sendable {
    /// What a ``reload()`` did.
    public enum ReloadOutcome: Sendable, Hashable {
        /// The new config runs; these accounts changed.
        case applied(MonitorService.Changes)
        /// The new config was refused (the message says why); the old one keeps running.
        case rejected(String)
        /// Not attempted: the daemon is stopping or already reloading.
        case ignored
    }

    private struct State {
        var config: PalimpsestConfig
        var reloading = false
        var stopping = false
    }

    /// The config file re-read on reload.
    public let configURL: URL
    /// The shard that replaces the config's `[daemon] shard` at every load (`--shard`), if any.
    public let shardOverride: AccountShard?
    private let runtime: MonitorRuntime
    /// Longest wait of an unchanged poll's run row for its transaction under `run`.
    static let unchangedHold = Duration.seconds(120)
    /// Most unchanged polls waiting for a transaction under `run` (~100,000 feeds at 10 min make
    /// 20,000 in 2 minutes).
    static let unchangedHoldCount = 30_000
    private let notifier: any ServiceManagerNotifying
    private let watchdogInterval: Duration?
    private let statusInterval: Duration
    private let logger: Logger
    private let heartbeat: PollHeartbeat
    private let book: DaemonStatusBook
    private let metrics: DaemonMetrics?
    private let monitor: MonitorService
    private let state: Mutex<State>
    private let finished = ShutdownSignal()
    /// What the poll scheduler and the daemon's timers sleep on, and the time (UTC) they stamp.
    private let clock: any TimerClock
    /// The last `STATUS=` text sent, so the status loop sends only changes.
    private let sentSummary = Mutex("")

    private init(
        config: PalimpsestConfig, runtime: MonitorRuntime, notifier: any ServiceManagerNotifying,
        watchdogInterval: Duration?, statusInterval: Duration, logger: Logger, heartbeat: PollHeartbeat,
        book: DaemonStatusBook, metrics: DaemonMetrics?, firstPolls: [AccountKey: Date], shardOverride: AccountShard?,
        now: Date, clock: any TimerClock
    ) {
        self.configURL = config.file
        self.clock = clock
        self.shardOverride = shardOverride
        self.runtime = runtime
        self.notifier = notifier
        self.watchdogInterval = watchdogInterval
        self.statusInterval = statusInterval
        self.logger = logger
        self.heartbeat = heartbeat
        self.book = book
        self.metrics = metrics
        self.state = Mutex(State(config: config))
        // Unchanged polls' run rows in transactions of up to 2 minutes (the stop writes them): at
        // 1 s each transaction wrote its own copy of the pages it touched (issue 9, README Benchmark).
        runtime.stateStore.holdUnchangedPolls(
            for: MonitorDaemon.unchangedHold, upTo: MonitorDaemon.unchangedHoldCount)
        let poller = Self.poller(for: config, runtime: runtime, heartbeat: heartbeat, metrics: metrics, logger: logger)
        let pollStarts = Mutex<[AccountKey: ContinuousClock.Instant]>([:])
        self.monitor = MonitorService(
            accounts: config.watchedAccounts, poller: poller, jitter: config.daemon.jitter, logger: logger,
            maximumPollsInFlight: 4 * config.daemon.concurrency, firstPolls: firstPolls, now: now, clock: clock,
            observer: { [heartbeat, book, metrics] activity in
                switch activity {
                case .pollStarted(let account):
                    heartbeat.pollStarted()
                    if metrics != nil { pollStarts.withLock { $0[account.key] = .now } }
                case .polled(let account, let result):
                    heartbeat.pollFinished()
                    if let metrics, let start = pollStarts.withLock({ $0.removeValue(forKey: account.key) }) {
                        metrics.recordPoll(result, of: account, duration: start.duration(to: .now))
                    }
                case .scheduled, .ended:
                    break
                }
                book.record(activity)
            })
    }

    /// Reads back the state of every watched account and the events logged today, then builds the
    /// daemon (not yet running: call ``run()``).
    ///
    /// An account whose state cannot be read is logged (its polls will report the same error)
    /// and does not stop the others.
    /// - Parameters:
    ///   - config: the loaded config (``PalimpsestConfig/watchedAccounts`` are polled).
    ///   - runtime: the opened state store, deletion log and HTTP client.
    ///   - notifier: systemd's notify socket, or a recorder in tests.
    ///   - watchdogInterval: how often to send `WATCHDOG=1`
    ///     (``SystemdNotifier/watchdogPingInterval(environment:pid:)``), `nil` for never.
    ///   - statusInterval: how often `STATUS=` and the metrics are refreshed, and `status.json` when
    ///     something changed (less often above 10,000 accounts: ``DaemonStatus/writePeriod(refresh:accounts:)``).
    ///   - logger: operator messages.
    ///   - metrics: where to record Prometheus metrics (`[daemon] metrics_listen` set), or `nil`.
    ///   - shardOverride: a shard that replaces `[daemon] shard` in this and every reloaded config
    ///     (`--shard`); `config` must already carry it.
    ///   - stallLimit: how long polls in flight may make no progress before the watchdog pings
    ///     stop; `nil` for ``PollHeartbeat/stallLimit(httpTimeout:)`` of the config's `timeout`
    ///     (tests shorten it).
    ///   - now: the start time (UTC).
    ///   - clock: what the poll scheduler and the watchdog, status, checkpoint and alarm timers
    ///     sleep on, and the time (UTC) they stamp; `ContinuousClock` (with `Date()`) by default,
    ///     a manual clock in tests.
    public static func prepare(
        config: PalimpsestConfig, runtime: MonitorRuntime, notifier: any ServiceManagerNotifying,
        watchdogInterval: Duration?, statusInterval: Duration = .seconds(5), logger: Logger,
        metrics: DaemonMetrics? = nil, shardOverride: AccountShard? = nil, stallLimit: Duration? = nil,
        now: Date = Date(), clock: any TimerClock = ContinuousClock()
    ) async -> MonitorDaemon {
        let accounts = config.watchedAccounts
        let restored = await Self.restore(accounts, store: runtime.stateStore, logger: logger)
        let logURL = runtime.log.url
        let stateDirectory = runtime.stateStore.root
        let midnight = Date(timeIntervalSince1970: Double(DaemonStatusBook.day(of: now)) * 86_400)
        let eventsToday =
            (try? await BlockingIO.run { () -> Int in
                try Self.countEvents(logURL: logURL, stateDirectory: stateDirectory, detectedSince: midnight)
            }) ?? 0
        var firstPolls: [AccountKey: Date] = [:]
        for account in accounts {
            // After a restart, keep each account's rhythm: its next poll one interval after its last.
            if let last = restored[account.key]?.lastPoll?.at {
                let due = last.addingTimeInterval(account.interval)
                if due > now { firstPolls[account.key] = min(due, now.addingTimeInterval(account.interval)) }
            }
        }
        let heartbeat = PollHeartbeat(
            stallLimit: stallLimit ?? PollHeartbeat.stallLimit(httpTimeout: config.daemon.timeout),
            idleLimit: Self.idleLimit(accounts, jitter: config.daemon.jitter), clock: clock)
        let book = DaemonStatusBook(
            config: config, accounts: accounts, restored: restored, eventsToday: eventsToday, now: now)
        await Self.saveRunningConfig(config, shardOverride: shardOverride, at: now, logger: logger)
        return MonitorDaemon(
            config: config, runtime: runtime, notifier: notifier, watchdogInterval: watchdogInterval,
            statusInterval: statusInterval, logger: logger, heartbeat: heartbeat, book: book, metrics: metrics,
            firstPolls: firstPolls, shardOverride: shardOverride, now: now, clock: clock)
    }

    /// The config in effect.
    public var config: PalimpsestConfig { self.state.withLock { $0.config } }

    /// The accounts polled now, sorted by key.
    public var watchedKeys: [AccountKey] { self.monitor.watchedKeys }

    /// The current status, as `status.json` would hold it.
    public var status: DaemonStatus { self.book.snapshot() }

    public func run() async throws {
        // Before the first poll: log lines a killed process never queued are queued first, so
        // the outbox's cursor cannot pass them.
        await self.runtime.alerts?.start(now: self.clock.date)
        self.book.setPhase(.running)
        let status = self.book.snapshot()
        self.metrics?.setAccounts(watched: status.accounts.count, blind: status.blindAccounts)
        await self.writeStatus(status)
        self.sendStatus(status.summary, prefix: "READY=1\n")
        ProcessMemory.returnFreed()
        self.logger.notice(
            "ready",
            metadata: [
                "status": "\(status.summary)", "state_dir": "\(self.runtime.stateStore.root.path)",
                "deletion_log": "\(self.runtime.log.url.path)",
            ])
        await self.reportChainHead()
        let config = self.config
        let checkpointer = LogCheckpointer(
            log: self.runtime.log, settings: config.evidence, stateDirectory: config.daemon.stateDirectory,
            client: self.runtime.client, logger: self.logger)
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    try? await self.monitor.run()
                    self.finished.stop()
                }
                group.addTask { await self.watchdogLoop() }
                group.addTask { await self.statusLoop() }
                if let alerts = self.runtime.alerts {
                    group.addTask { await self.alertLoops(alerts) }
                }
                group.addTask { await self.checkpointLoop(checkpointer, interval: config.evidence.checkpointInterval) }
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            self.beginStopping()
        }
        // Every poll has finished its writes: sign what the log holds now.
        await checkpointer.checkpoint(timestamp: false)
        self.book.setPhase(.stopped)
        await self.writeStatus(self.book.snapshot())
        self.logger.notice("stopped: every poll finished and every write is done")
    }

    /// Says at start-up when the deletion log's tail does not match its guarded head: every append
    /// will be refused (events wait in the state) until an operator runs `palimpsest log continue`.
    private func reportChainHead() async {
        let log = self.runtime.log
        do {
            if let mismatch = try await BlockingIO.run({ try log.checkChainHead() }) {
                self.logger.error(
                    "the deletion log's tail does not match its guarded head; \(ChainHeadMismatch.advice)",
                    metadata: ["deletion_log": "\(log.url.path)", "mismatch": "\(mismatch)"])
            }
        } catch {
            self.logger.error(
                "the deletion log's chain head could not be checked",
                metadata: ["deletion_log": "\(log.url.path)", "error": "\(error)"])
        }
    }

    private func beginStopping() {
        self.state.withLock { $0.stopping = true }
        self.book.setPhase(.stopping)
        self.notifier.notify("STOPPING=1\n" + SystemdNotifier.statusLine("stopping: finishing in-flight polls"))
        self.logger.notice(
            "stopping: no new polls; waiting for the polls in flight",
            metadata: ["polls.in_flight": "\(self.heartbeat.pollsInFlight)"])
    }

    // MARK: - Reload

    /// Re-reads the config file and applies it (SIGHUP): accounts added start polling, removed ones
    /// stop (their data stays), changed ones take their new settings; nothing of any account's
    /// state is lost. Reopens the deletion log first (logrotate), whatever the config holds.
    ///
    /// Rejected, with the old config still running: a config that does not load (every problem is
    /// logged, one per line), one that leaves this instance no account, or one that moves
    /// `state_dir` or `deletion_log` (restart for those). HTTP client settings (`concurrency`,
    /// `per_host_concurrency`, `timeout`, `connect_timeout`, `user_agent`, `proxy`,
    /// `max_body_size`) and `metrics_listen` take effect at the next restart; a warning names them.
    /// - Returns: what happened.
    @discardableResult
    public func reload() async -> ReloadOutcome {
        let claimed = self.state.withLock { state -> Bool in
            guard !state.stopping, !state.reloading else { return false }
            state.reloading = true
            return true
        }
        guard claimed else { return .ignored }
        defer { self.state.withLock { $0.reloading = false } }
        self.book.setPhase(.reloading)
        self.notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())")
        self.logger.notice(
            "reloading: re-reading the config, reopening the deletion log",
            metadata: ["config": "\(self.configURL.path)"])

        let log = self.runtime.log
        do {
            try await BlockingIO.run { try log.reopen() }
        } catch {
            self.logger.error(
                "could not reopen the deletion log; appends go on to the file open before",
                metadata: ["deletion_log": "\(log.url.path)", "error": "\(error)"])
        }

        let outcome = await self.applyNewConfig()
        switch outcome {
        case .applied(let changes):
            self.book.setReloadError(nil)
            let summary = self.book.snapshot().summary
            self.logger.notice(
                "reload done",
                metadata: [
                    "status": "\(summary)", "accounts.added": "\(changes.added.count)",
                    "accounts.removed": "\(changes.removed.count)", "accounts.changed": "\(changes.changed.count)",
                ])
        case .rejected(let reason):
            self.book.setReloadError(reason)
        case .ignored:
            break
        }
        self.book.setPhase(self.state.withLock { $0.stopping } ? .stopping : .running)
        let status = self.book.snapshot()
        await self.writeStatus(status)
        self.sendStatus(status.summary, prefix: "READY=1\n")
        ProcessMemory.returnFreed()
        return outcome
    }

    private func applyNewConfig() async -> ReloadOutcome {
        let old = self.config
        var new: PalimpsestConfig
        do {
            let url = self.configURL
            new = try await BlockingIO.run { try ConfigLoader.load(from: url) }
            if let shard = self.shardOverride { new.daemon.shard = shard }
        } catch let error as ConfigValidationError {
            let path = self.configURL.path
            self.logger.error(
                "reload rejected: the config has problems; still running the previous config",
                metadata: ["config": "\(path)", "problems": "\(error.errors.count)"])
            for problem in error.errors {
                self.logger.error("reload rejected: config problem", metadata: ["problem": "\(problem)"])
            }
            return .rejected(error.errors.map(\.description).joined(separator: "; "))
        } catch {
            self.logger.error(
                "reload rejected; still running the previous config",
                metadata: ["config": "\(self.configURL.path)", "error": "\(error)"])
            return .rejected("\(error)")
        }
        var refusals: [String] = []
        if new.daemon.stateDirectory.standardizedFileURL != old.daemon.stateDirectory.standardizedFileURL {
            refusals.append(
                "state_dir changed from \(old.daemon.stateDirectory.path) to \(new.daemon.stateDirectory.path); "
                    + "a running daemon does not move its state: stop it, move the folder, start it")
        }
        if new.daemon.deletionLog.standardizedFileURL != old.daemon.deletionLog.standardizedFileURL {
            refusals.append(
                "deletion_log changed from \(old.daemon.deletionLog.path) to \(new.daemon.deletionLog.path); "
                    + "restart the daemon to write to another log")
        }
        let accounts = new.watchedAccounts
        if accounts.isEmpty {
            refusals.append(
                new.accounts.isEmpty
                    ? "the new config has no [[account]]; nothing would be watched"
                    : "shard \(new.daemon.shard?.description ?? "") leaves this instance none of the accounts (the "
                        + "config has \(new.accounts.count))")
        }
        guard refusals.isEmpty else {
            for refusal in refusals {
                self.logger.error(
                    "reload rejected; still running the previous config",
                    metadata: ["config": "\(self.configURL.path)", "reason": "\(refusal)"])
            }
            return .rejected(refusals.joined(separator: "; "))
        }
        let restartOnly = Self.restartOnlyChanges(from: old.daemon, to: new.daemon)
        if !restartOnly.isEmpty {
            self.logger.warning(
                """
                [daemon] keys changed that take effect at the next restart (systemctl restart palimpsest); the \
                rest of the new config is applied now
                """,
                metadata: ["keys": "\(restartOnly.joined(separator: ","))"])
        }
        let alertTables = Self.restartOnlyAlertChanges(running: self.runtime.alerts?.config, to: new)
        if !alertTables.isEmpty {
            self.logger.warning(
                """
                alert tables changed: alert sinks, alarms and the feed of events are read at start and take \
                effect at the next restart (systemctl restart palimpsest); until then the daemon keeps \
                those it started with
                """,
                metadata: ["tables": "\(alertTables.joined(separator: ","))"])
        }
        let known = Set(self.monitor.watchedKeys)
        let restored = await Self.restore(
            accounts.filter { !known.contains($0.key) }, store: self.runtime.stateStore, logger: self.logger)
        let poller = Self.poller(
            for: new, runtime: self.runtime, heartbeat: self.heartbeat, metrics: self.metrics, logger: self.logger)
        self.book.setAccounts(accounts, config: new, restored: restored, now: self.clock.date)
        let changes = self.monitor.update(
            accounts: accounts, poller: poller, jitter: new.daemon.jitter, now: self.clock.date)
        self.heartbeat.setIdleLimit(Self.idleLimit(accounts, jitter: new.daemon.jitter))
        self.state.withLock { $0.config = new }
        await Self.saveRunningConfig(new, shardOverride: self.shardOverride, at: self.clock.date, logger: self.logger)
        for key in changes.added { self.logger.info("reload: now watching", metadata: ["account.key": "\(key)"]) }
        for key in changes.removed {
            self.logger.info("reload: no longer watching (its data stays)", metadata: ["account.key": "\(key)"])
        }
        return .applied(changes)
    }

    /// The `[daemon]` keys that differ and only take effect at restart (the HTTP client's and the
    /// metrics endpoint's).
    static func restartOnlyChanges(from old: DaemonSettings, to new: DaemonSettings) -> [String] {
        var keys: [String] = []
        if old.concurrency != new.concurrency { keys.append("concurrency") }
        if old.perHostConcurrency != new.perHostConcurrency { keys.append("per_host_concurrency") }
        if old.timeout != new.timeout { keys.append("timeout") }
        if old.connectTimeout != new.connectTimeout { keys.append("connect_timeout") }
        if old.userAgent != new.userAgent { keys.append("user_agent") }
        if old.proxy != new.proxy { keys.append("proxy") }
        if old.maxBodyBytes != new.maxBodyBytes { keys.append("max_body_size") }
        if old.metricsListen != new.metricsListen { keys.append("metrics_listen") }
        return keys
    }

    /// The alert tables of `new` that differ from those the daemon started with (`running`, the
    /// alert pipeline's config; `nil` when it started without one): `[[alert]]`, `[alarms]`,
    /// `[feed_out]`. They take effect only at restart (`docs/alerts.md`).
    static func restartOnlyAlertChanges(running: PalimpsestConfig?, to new: PalimpsestConfig) -> [String] {
        var tables: [String] = []
        if (running?.alerts ?? []) != new.alerts { tables.append("[[alert]]") }
        if let running, running.alarms != new.alarms {
            tables.append("[alarms]")
        } else if running == nil, new.alarms.enabled {
            tables.append("[alarms]")
        }
        if running?.feedOut != new.feedOut { tables.append("[feed_out]") }
        return tables
    }

    // MARK: - Background loops

    private func watchdogLoop() async {
        guard let interval = self.watchdogInterval else { return }
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        var stalled = false
        while !self.finished.isStopped, !Task.isCancelled {
            if let problem = self.heartbeat.check() {
                if !stalled {
                    self.logger.critical(
                        "poll loop stalled; withholding watchdog pings so systemd restarts the daemon",
                        metadata: ["stall": "\(problem)"])
                    stalled = true
                }
            } else {
                if stalled {
                    self.logger.notice("poll loop progressing again; watchdog pings resume")
                    stalled = false
                }
                self.notifier.notify("WATCHDOG=1")
            }
            if await self.finished.sleep(seconds: seconds, on: self.clock) { return }
        }
    }

    /// Appends a signed checkpoint every `interval` seconds (`[evidence] checkpoint_interval`)
    /// while the daemon runs.
    private func checkpointLoop(_ checkpointer: LogCheckpointer, interval: TimeInterval) async {
        guard checkpointer.key != nil else { return }
        while true {
            let stopped = await self.finished.sleep(seconds: interval, on: self.clock)
            if stopped || Task.isCancelled { return }
            await checkpointer.checkpoint()
        }
    }

    private func statusLoop() async {
        let interval = self.statusInterval
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        var lastWrite = self.clock.date
        var lastTrim = self.clock.date
        while true {
            let stopped = await self.finished.sleep(seconds: seconds, on: self.clock)
            if stopped || Task.isCancelled { return }
            let status = self.book.snapshot()
            self.metrics?.setAccounts(watched: status.accounts.count, blind: status.blindAccounts)
            // A large panel's file is rewritten less often (DaemonStatus.writePeriod); the changes
            // wait, marked dirty, for the next write. Stopping and reloading write at once.
            let period = DaemonStatus.writePeriod(refresh: seconds, accounts: status.accounts.count)
            let now = self.clock.date
            if now.timeIntervalSince(lastWrite) >= period - seconds / 2, self.book.takeDirty() {
                await self.writeStatus(status)
                lastWrite = now
            }
            let quiet = self.state.withLock { $0.stopping || $0.reloading }
            if !quiet, status.summary != self.sentSummary.withLock({ $0 }) {
                self.sendStatus(status.summary)
            }
            if now.timeIntervalSince(lastTrim) >= ProcessMemory.trimPeriod {
                lastTrim = now
                _ = try? await BlockingIO.runConcurrently { ProcessMemory.returnFreed() }
            }
        }
    }

    /// Alerts while the daemon runs: the dispatcher on a task of its own (a slow or dead sink
    /// never delays a poll), and the alarms evaluated every 30 seconds from the daemon's status.
    /// Both stop when the poll loop has finished; what waits stays in the outbox for the next start.
    private func alertLoops(_ alerts: AlertPipeline) async {
        let startedAt = self.book.snapshot().startedAt
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await alerts.dispatcher.run() }
            group.addTask {
                while true {
                    let status = self.book.snapshot()
                    let accounts = self.config.watchedAccounts
                    let entries = Dictionary(status.accounts.map { ($0.account, $0) }, uniquingKeysWith: { a, _ in a })
                    let views = accounts.map { account in
                        AlarmInputs.AccountView(
                            key: account.key, name: account.name, platform: account.platform,
                            blind: entries[account.key]?.blind)
                    }
                    let lastComplete = status.accounts.compactMap { entry -> Date? in
                        guard let poll = entry.lastPoll, poll.outcome == "complete" else { return nil }
                        return poll.at
                    }.max()
                    await alerts.evaluateAlarms(
                        AlarmInputs(accounts: views, running: (startedAt, lastComplete)), now: self.clock.date)
                    if await self.finished.sleep(seconds: 30, on: self.clock) || Task.isCancelled { return }
                }
            }
            await self.finished.wait()
            group.cancelAll()
        }
    }

    /// The events of the log (its rotated files included: today's events may sit in a file
    /// logrotate has just renamed) detected at or after `cutoff`, counted through the log's index
    /// (``LogIndex``, caught up first; built from the whole log at the first start, then kept
    /// current by every append), or by reading the whole log when the index cannot be used. At
    /// start-up reading a 200 MB log took 20 s; the index answers in milliseconds.
    /// - Throws: ``StoreError`` when neither the index nor the log can be read.
    static func countEvents(logURL: URL, stateDirectory: URL, detectedSince cutoff: Date) throws -> Int {
        do {
            let index = try LogIndex(stateDirectory: stateDirectory)
            try index.catchUp(logURL: logURL)
            return try index.eventCount(detectedSince: cutoff)
        } catch {
            return try DeletionLogSet.recentEvents(url: logURL, since: cutoff).count
        }
    }

    /// Sends `STATUS=` (after `prefix`, e.g. `READY=1\n`) and remembers it.
    private func sendStatus(_ summary: String, prefix: String = "") {
        self.sentSummary.withLock { $0 = summary }
        self.notifier.notify(prefix + SystemdNotifier.statusLine(summary))
    }

    private func writeStatus(_ status: DaemonStatus) async {
        let root = self.runtime.stateStore.root
        do {
            try await BlockingIO.run { try status.write(stateDirectory: root) }
        } catch {
            self.logger.warning(
                "could not write the status file; `palimpsest status` shows an older one",
                metadata: ["path": "\(root.appendingPathComponent(DaemonStatus.fileName).path)", "error": "\(error)"])
        }
    }

    // MARK: - Helpers

    /// A poller for `config` whose HTTP requests feed the heartbeat, sharing the runtime's client,
    /// state store, deletion log and host rate limits.
    private static func poller(
        for config: PalimpsestConfig, runtime: MonitorRuntime, heartbeat: PollHeartbeat, metrics: DaemonMetrics?,
        logger: Logger
    ) -> AccountPoller {
        AccountPoller(
            client: HeartbeatHTTPClient(base: runtime.client, heartbeat: heartbeat, metrics: metrics),
            stateStore: runtime.stateStore,
            log: runtime.log,
            detection: config.daemon.detection,
            snapshotRetention: config.daemon.snapshotRetention,
            rateLimits: runtime.poller.rateLimits,
            jitter: config.daemon.jitter,
            logger: logger,
            afterAppend: runtime.alerts)
    }

    /// The longest an account may wait for its next poll: its interval with the most jitter.
    private static func idleLimit(_ accounts: [Account], jitter: Double) -> Duration {
        let longest = accounts.map(\.interval).max() ?? 600
        return .milliseconds(Int64(longest * (1 + min(max(jitter, 0), 0.5)) * 1000))
    }

    /// Keeps `config` as the daemon's running config in `state_dir` (``RunningConfig``), for
    /// `status` and `tail` when the file on disk is invalid. A failure to write it is logged: the
    /// daemon runs on, and those commands then stop at the config error as before.
    private static func saveRunningConfig(
        _ config: PalimpsestConfig, shardOverride: AccountShard?, at now: Date, logger: Logger
    ) async {
        let record = RunningConfig(config: config, shardOverride: shardOverride, acceptedAt: now)
        let stateDirectory = config.daemon.stateDirectory
        do {
            try await BlockingIO.run { try record.write(stateDirectory: stateDirectory) }
        } catch {
            logger.warning(
                """
                could not keep the running config; status and tail will stop at an invalid config file instead \
                of showing what the daemon runs
                """,
                metadata: ["file": "\(RunningConfig.fileName)", "error": "\(error)"])
        }
    }

    /// What each account's state on disk says, for `status.json`: one pass over the store
    /// (``StateStore/accountSummaries()``), never a whole state per account.
    private static func restore(
        _ accounts: [Account], store: StateStore, logger: Logger
    ) async -> [AccountKey: DaemonStatus.AccountEntry] {
        guard !accounts.isEmpty else { return [:] }
        let read: (summaries: [AccountKey: StateStore.AccountSummary], failures: [AccountKey: StoreError])
        do {
            read = try await BlockingIO.run { try store.accountSummaries() }
        } catch {
            logger.error(
                "cannot read the accounts' states; each account's poll reports the same error",
                metadata: ["error": "\(error)"])
            return [:]
        }
        var entries: [AccountKey: DaemonStatus.AccountEntry] = [:]
        for account in accounts {
            if let error = read.failures[account.key] {
                logger.error(
                    "cannot read the account's state",
                    metadata: [
                        "account.key": "\(account.key)", "account.name": "\(account.displayName)", "error": "\(error)",
                    ])
            }
            entries[account.key] = DaemonStatus.AccountEntry(summary: read.summaries[account.key], for: account)
        }
        return entries
    }
}

extension DaemonStatus.AccountEntry {
    /// The entry for `account` from its stored summary (`nil`: never polled).
    init(summary: StateStore.AccountSummary?, for account: Account) {
        self.init(
            account: account.key, name: account.name, interval: account.interval, lastPoll: summary?.lastPoll,
            blind: summary?.blindSpan, postsTracked: summary?.postsTracked ?? 0,
            eventsLogged: summary?.eventsLogged ?? 0, moved: summary?.moved)
    }
}

extension DaemonStatus.AccountEntry {
    /// The entry for `account` from its state on disk (`nil`: never polled).
    init(account state: AccountState?, for account: Account) {
        self.init(
            account: account.key, name: account.name, interval: account.interval, lastPoll: state?.lastPoll,
            blind: state?.detection.blindSpan, postsTracked: state?.detection.trackedPostCount ?? 0,
            eventsLogged: state?.eventsLogged ?? 0, moved: state?.moved)
    }
}
