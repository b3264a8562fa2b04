public import Foundation
public import Logging
import Synchronization

/// Sends what waits in the ``AlertOutbox``, off the poll path: each sink on its own task, so a
/// slow or dead sink never delays polling nor another sink.
///
/// A failed delivery is retried with exponential backoff and jitter (``Timing``) until the
/// sink's `max_age`; then it is given up and reported once (an operator error naming the sink,
/// the events and the last answer). A sink with a `batch` window gets everything that waits as one
/// message once the oldest has waited the window. Delivery is at least once: each alert carries
/// its event ids.
public final class AlertDispatcher: Sendable {
    /// Backoff of failed deliveries.
    public struct Timing: Sendable, Hashable {
        /// Wait after the first failure, seconds (doubled after each further one).
        public var retryBase: TimeInterval
        /// Longest wait between two attempts, seconds.
        public var retryCap: TimeInterval
        /// ``AlertDispatcher/drain(within:)``'s first wait after a failure (`palimpsest poll` retries
        /// quickly within its bounded time).
        public var drainRetryBase: TimeInterval
        /// Longest sleep of ``AlertDispatcher/run()`` when nothing is due, seconds.
        public var idleSleep: TimeInterval

        public init(
            retryBase: TimeInterval = 30, retryCap: TimeInterval = 3600, drainRetryBase: TimeInterval = 0.5,
            idleSleep: TimeInterval = 30
        ) {
            self.retryBase = retryBase
            self.retryCap = retryCap
            self.drainRetryBase = drainRetryBase
            self.idleSleep = idleSleep
        }
    }

    /// One delivery attempt and what came of it.
    public struct Attempt: Sendable {
        public var sink: String
        public var eventIDs: [String]
        /// What the sink answered, or the error.
        public var result: Result<String, AlertDeliveryError>
    }

    public let outbox: AlertOutbox
    public let timing: Timing
    private let senders: [String: any AlertSending]
    private let sinks: [String: AlertSink]
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let wakeSignal = WakeSignal()
    /// The outbox rows that do not read already warned of (by their key, ``AlertOutbox/UnreadableRow/deleteStatement``):
    /// once per process, not at every poll.
    private let warnedUnreadable = Mutex<Set<String>>([])

    /// - Parameters:
    ///   - outbox: where alerts wait.
    ///   - senders: the sender of each sink, by name (``AlertSenders/make(for:client:)``).
    ///   - timing: backoff; tests shorten it.
    ///   - clock: the wall clock, UTC (tests inject one).
    public init(
        outbox: AlertOutbox, senders: [String: any AlertSending], timing: Timing = Timing(),
        clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.outbox = outbox
        self.senders = senders
        self.sinks = Dictionary(outbox.sinks.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.timing = timing
        self.clock = clock
        self.logger = logger
    }

    /// Ends the current idle sleep of ``run()``: something was queued.
    public func wake() { self.wakeSignal.wake() }

    /// Delivers until the task is cancelled (the daemon stops): every due alert, then sleeps until
    /// the next is due (at most ``Timing/idleSleep``) or ``wake()``.
    public func run() async {
        while !Task.isCancelled {
            let next = await self.deliverDue(draining: false)
            let now = self.clock()
            let sleep =
                next.map { min(max(0.05, $0.timeIntervalSince(now)), self.timing.idleSleep) } ?? self.timing.idleSleep
            await self.wakeSignal.sleep(seconds: sleep)
        }
    }

    /// What ``drain(within:)`` did.
    public struct DrainReport: Sendable {
        public var attempts: [Attempt] = []
        /// Alerts still waiting when it returned (left for the next run).
        public var waiting = 0
    }

    /// Delivers everything waiting now, batch windows and retry times aside, retrying failures
    /// quickly (from ``Timing/drainRetryBase``) until nothing waits or `seconds` have passed: the
    /// end of `palimpsest poll`. What is left stays in the outbox for the next run.
    public func drain(within seconds: TimeInterval) async -> DrainReport {
        var report = DrainReport()
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        var first = true
        while true {
            let (attempts, next) = await self.deliver(draining: true, ignoreSchedule: first)
            first = false
            report.attempts += attempts
            guard let next else { break }
            let wait = max(0.01, next.timeIntervalSince(self.clock()))
            guard ContinuousClock.now + .milliseconds(Int64(wait * 1000)) < deadline else { break }
            try? await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
        }
        report.waiting = (try? await BlockingIO.runConcurrently { [outbox] in try outbox.waiting().count }) ?? 0
        return report
    }

    /// One pass over the sinks. Returns when the next alert is due, `nil` when none waits.
    @discardableResult
    public func deliverDue(draining: Bool) async -> Date? {
        await self.deliver(draining: draining, ignoreSchedule: false).next
    }

    private func deliver(draining: Bool, ignoreSchedule: Bool) async -> (attempts: [Attempt], next: Date?) {
        let outbox = self.outbox
        let waiting: [AlertOutbox.Item]
        do {
            let read = try await BlockingIO.runConcurrently { try outbox.waitingRows() }
            waiting = read.items
            self.warn(of: read.unreadable)
        } catch {
            self.logger.error("alerts: cannot read the outbox; tried again later", metadata: ["error": "\(error)"])
            return ([], self.clock().addingTimeInterval(self.timing.retryBase))
        }
        let bySink = Dictionary(grouping: waiting, by: \.sink)
        return await withTaskGroup(of: (attempts: [Attempt], next: Date?).self) { group in
            for (name, items) in bySink {
                group.addTask {
                    await self.deliver(items, sink: name, draining: draining, ignoreSchedule: ignoreSchedule)
                }
            }
            var attempts: [Attempt] = []
            var next: Date?
            for await result in group {
                attempts += result.attempts
                if let due = result.next { next = min(next ?? due, due) }
            }
            return (attempts, next)
        }
    }

    /// Warns once per row of the outbox that does not read: it is never sent, and without a word
    /// it would wait there unseen.
    private func warn(of rows: [AlertOutbox.UnreadableRow]) {
        let new = self.warnedUnreadable.withLock { warned in
            rows.filter { warned.insert($0.deleteStatement).inserted }
        }
        let path = self.outbox.store.databaseURL.path
        for row in new {
            self.logger.warning(
                """
                alerts: a waiting alert does not read and is never sent (state.sqlite edited or damaged); the \
                event stays in the deletion log. Restore state.sqlite from a backup, or remove the row: \
                sqlite3 <state> "<fix>"
                """,
                metadata: [
                    "alert.sink": "\(row.sink ?? "(not text)")", "event.id": "\(row.eventID ?? "(not text)")",
                    "problem": "\(row.problem)", "state": "\(path)", "fix": "\(row.deleteStatement)",
                ])
        }
    }

    private func deliver(_ items: [AlertOutbox.Item], sink name: String, draining: Bool, ignoreSchedule: Bool) async
        -> (attempts: [Attempt], next: Date?)
    {
        let now = self.clock()
        guard let sink = self.sinks[name], let sender = self.senders[name] else {
            // A sink removed from the config: its rows wait in case it comes back, until max_age.
            return ([], nil)
        }
        let expired = items.filter { now.timeIntervalSince($0.enqueuedAt) > sink.maxAge }
        if !expired.isEmpty {
            let ids = expired.map(\.event.id)
            let outbox = self.outbox
            try? await BlockingIO.runConcurrently { try outbox.markGivenUp(sink: name, ids: ids, at: now) }
            let last = expired.compactMap(\.lastError).last ?? "no answer recorded"
            self.logger.error(
                """
                alert sink: gave up alerts after max_age of retries; the events stay in the deletion log. Fix \
                the sink and check it with palimpsest alert test --sink <name>
                """,
                metadata: [
                    "alert.sink": "\(name)", "alerts": "\(expired.count)",
                    "max_age": "\(DurationParser.string(from: sink.maxAge))",
                    "event.ids": "\(ids.prefix(10).joined(separator: ","))\(ids.count > 10 ? ",…" : "")",
                    "last_answer": "\(last)",
                ])
        }
        let live = items.filter { now.timeIntervalSince($0.enqueuedAt) <= sink.maxAge }
        guard !live.isEmpty else { return ([], nil) }

        var groups: [[AlertOutbox.Item]] = []
        var next: Date?
        if let window = sink.batch {
            let oldest = live.map(\.enqueuedAt).min() ?? now
            let retryAt = live.map(\.nextAttemptAt).max() ?? now
            let due = max(draining ? now : oldest.addingTimeInterval(window), ignoreSchedule ? now : retryAt)
            if due <= now {
                groups = stride(from: 0, to: live.count, by: 500).map { Array(live[$0..<min($0 + 500, live.count)]) }
            } else {
                next = due
            }
        } else {
            for item in live {
                if ignoreSchedule || item.nextAttemptAt <= now {
                    groups.append([item])
                } else {
                    next = min(next ?? item.nextAttemptAt, item.nextAttemptAt)
                }
            }
        }
        var attempts: [Attempt] = []
        for group in groups {
            if Task.isCancelled { break }
            let message = AlertMessage(events: group.map(\.event))
            let ids = message.eventIDs
            let outbox = self.outbox
            do {
                let answer = try await sender.send(message)
                let at = self.clock()
                do {
                    try await BlockingIO.runConcurrently { try outbox.markDelivered(sink: name, ids: ids, at: at) }
                } catch {
                    self.logger.error(
                        "alert sink: delivered, but the outbox could not record it (the alert may be sent again)",
                        metadata: ["alert.sink": "\(name)", "error": "\(error)"])
                }
                self.logger.info(
                    "alert sink: delivered",
                    metadata: [
                        "alert.sink": "\(name)", "event.id": "\(ids.first ?? "")", "events": "\(ids.count)",
                        "answer": "\(answer)",
                    ])
                attempts.append(Attempt(sink: name, eventIDs: ids, result: .success(answer)))
            } catch {
                let failure =
                    error as? AlertDeliveryError
                    ?? AlertDeliveryError(sink: name, message: "\(error)", advice: "the alert is retried")
                let previous = group.map(\.attempts).max() ?? 0
                let base = draining ? self.timing.drainRetryBase : self.timing.retryBase
                let delay = min(self.timing.retryCap, base * pow(2, Double(previous))) * Double.random(in: 0.5...1.5)
                let retryAt = self.clock().addingTimeInterval(delay)
                try? await BlockingIO.runConcurrently {
                    try outbox.markFailed(sink: name, ids: ids, error: failure.message, nextAttempt: retryAt)
                }
                self.logger.warning(
                    "alert not delivered; retried later",
                    metadata: [
                        "alert.sink": "\(name)", "error": "\(failure)",
                        "attempt": "\(previous.addingReportingOverflow(1).overflow ? previous : previous + 1)",
                        "retry.in": "\(DurationParser.string(from: delay.rounded(.up)))",
                    ])
                attempts.append(Attempt(sink: name, eventIDs: ids, result: .failure(failure)))
                next = min(next ?? retryAt, retryAt)
            }
        }
        return (attempts, next)
    }
}
