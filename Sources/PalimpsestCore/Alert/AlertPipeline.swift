public import Foundation
public import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Push on top of the deletion log (`docs/alerts.md`): told of every append
/// (``LoggedEventsObserver``), it queues alerts in the ``AlertOutbox``, counts deletions for the
/// mass-deletion alarm, raises and clears alarms (``AlarmMonitor``, logged like any event) and
/// rewrites the `[feed_out]` feeds. The log is always written first; nothing here can fail a poll.
public final class AlertPipeline: LoggedEventsObserver {
    public let config: PalimpsestConfig
    public let log: DeletionLog
    public let outbox: AlertOutbox
    public let dispatcher: AlertDispatcher
    public let alarms: AlarmMonitor
    let feedWriter: DeletionFeedWriter?
    private let clock: @Sendable () -> Date
    private let logger: Logger
    /// Deletions within the mass-deletion window, and the newest events for the feeds.
    private let memory = Mutex(Memory())

    private struct Memory {
        var deletions: [Event] = []
        var feedEvents: [Event] = []
    }

    /// - Parameters:
    ///   - config: the `[[alert]]`, `[alarms]` and `[feed_out]` settings (read at start; a reload
    ///     keeps them until the daemon restarts).
    ///   - senders: the sender of each sink; `nil` builds them (``AlertSenders/make(for:client:)``).
    ///   - clock: the wall clock for the outbox's retry times, UTC.
    public init(
        config: PalimpsestConfig, store: StateStore, log: DeletionLog, client: any HTTPFetching,
        senders: [String: any AlertSending]? = nil, timing: AlertDispatcher.Timing = AlertDispatcher.Timing(),
        clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.config = config
        self.log = log
        self.outbox = AlertOutbox(store: store, sinks: config.alerts)
        self.dispatcher = AlertDispatcher(
            outbox: self.outbox, senders: senders ?? AlertSenders.make(for: config, client: client), timing: timing,
            clock: clock, logger: logger)
        self.alarms = AlarmMonitor(settings: config.alarms, store: store)
        self.feedWriter = config.feedOut.map(DeletionFeedWriter.init(settings:))
        self.clock = clock
        self.logger = logger
    }

    /// True when the config asks for any of it: a sink, alarms, or a feed.
    public static func isWanted(by config: PalimpsestConfig) -> Bool {
        !config.alerts.isEmpty || config.alarms.enabled || config.feedOut != nil
    }

    /// Before the first poll: queues the log lines a killed process appended but never queued,
    /// and reads the recent deletions and the newest events back from the log.
    /// - Parameter now: the time polls are recorded at (the mass-deletion window ends there).
    public func start(now: Date) async {
        let outbox = self.outbox
        let log = self.log
        let wall = self.clock()
        do {
            let missed = try await BlockingIO.run { try outbox.catchUp(log: log, at: wall) }
            if !missed.isEmpty {
                self.logger.notice(
                    "alerts: queued events logged before a restart", metadata: ["events": "\(missed.count)"])
            }
        } catch {
            self.logger.error(
                "alerts: cannot catch up with the deletion log; alerts for those events wait",
                metadata: ["error": "\(error)"])
        }
        guard self.config.alarms.enabled || self.feedWriter != nil else { return }
        let logURL = log.url
        let window = self.config.alarms.massDeletionWindow
        let entries = self.config.feedOut?.entries ?? 0
        let events =
            (try? await BlockingIO.runConcurrently { () -> [Event] in
                guard FileSystem.exists(logURL.path) else { return [] }
                return try DeletionLogSet.read(url: logURL).events
            }) ?? []
        self.memory.withLock { memory in
            memory.deletions = events.filter { $0.event == .deleted && now.timeIntervalSince($0.detectedAt) <= window }
            memory.feedEvents = Array(events.suffix(max(entries * 4, entries)))
        }
    }

    public func logged(_ events: [Event]) async {
        guard !events.isEmpty else { return }
        // Crash-safety tests only (none in production): the log took the events, the outbox not.
        try? FaultInjection.reach(.beforeAlertQueue)
        let outbox = self.outbox
        let wall = self.clock()
        if !self.config.alerts.isEmpty {
            do {
                try await BlockingIO.run { try outbox.enqueue(events, at: wall) }
                self.dispatcher.wake()
            } catch {
                self.logger.error(
                    "alerts: cannot queue events; they are in the log and are queued when palimpsest starts again",
                    metadata: ["events": "\(events.count)", "error": "\(error)"])
            }
        }
        let entries = self.config.feedOut?.entries ?? 0
        self.memory.withLock { memory in
            memory.deletions += events.filter { $0.event == .deleted }
            memory.feedEvents += events
            if memory.feedEvents.count > entries * 8 {
                memory.feedEvents.removeFirst(memory.feedEvents.count - entries * 4)
            }
        }
        await self.writeFeed()
    }

    /// Keeps what the probe hosts answered to a poll, for the `probe_host` alarm (only when alarms
    /// are on). A store that cannot be written is logged; the next answers are kept again.
    public func probed(_ answers: [ProbeHostAnswer]) async {
        guard self.config.alarms.enabled, !answers.isEmpty else { return }
        let alarms = self.alarms
        do {
            try await BlockingIO.run { try alarms.noteProbes(answers) }
        } catch {
            self.logger.error(
                "alarms: cannot record probe answers; the probe-host alarm misses them",
                metadata: ["hosts": "\(answers.map(\.host).joined(separator: ","))", "error": "\(error)"])
        }
    }

    /// Rewrites the `[feed_out]` feeds from the newest events.
    public func writeFeed() async {
        guard let writer = self.feedWriter else { return }
        let events = self.memory.withLock { $0.feedEvents }
        let now = self.clock()
        do {
            try await BlockingIO.run { try writer.write(events, now: now) }
        } catch {
            self.logger.error(
                "feed_out: cannot write the feed; the previous feed stays",
                metadata: ["path": "\(writer.settings.path.path)", "error": "\(error)"])
        }
    }

    /// Raises and clears alarms as of `now` (the poll time): appends their events to the log,
    /// records them, and queues them like any event.
    /// - Returns: the alarm events logged.
    @discardableResult
    public func evaluateAlarms(_ inputs: AlarmInputs, now: Date) async -> [Event] {
        guard self.config.alarms.enabled else { return [] }
        let window = self.config.alarms.massDeletionWindow
        let deletions = self.memory.withLock { memory -> [Event] in
            memory.deletions.removeAll { now.timeIntervalSince($0.detectedAt) > window }
            return memory.deletions
        }
        let alarms = self.alarms
        let log = self.log
        do {
            let due = try await BlockingIO.run { try alarms.evaluate(inputs, deletions: deletions, now: now) }
            guard !due.isEmpty else { return [] }
            let written = try await BlockingIO.run { try log.append(due.map(\.event)) }
            try await BlockingIO.run { try alarms.record(due) }
            for event in written {
                self.logger.warning(
                    "alarm",
                    metadata: [
                        "account.key": "\(event.account == .monitor ? "monitor" : event.account.rawValue)",
                        "event.id": "\(event.id)", "alarm.kind": "\(event.alarm?.kind.rawValue ?? "?")",
                        "alarm.state": "\(event.alarm?.state.rawValue ?? "?")", "detail": "\(event.detail ?? "")",
                    ])
            }
            await self.logged(written)
            return written
        } catch {
            self.logger.error("alarms: cannot evaluate or log; tried again", metadata: ["error": "\(error)"])
            return []
        }
    }
}
