import Foundation
import Logging
import PalimpsestReplay
import PalimpsestTestSupport
import Synchronization
import Testing

@testable import PalimpsestCore

/// The daemon's scheduler: one heap of due times, a task per poll only while it runs, at most
/// `maximumPollsInFlight` polls at once, every due account polled, none twice at once.
@Suite struct MonitorSchedulerTests {
    /// What the observer saw.
    struct Seen {
        var running: Set<AccountKey> = []
        var mostAtOnce = 0
        var polled: [AccountKey: Int] = [:]
        var twiceAtOnce = false
        var ended: Set<AccountKey> = []
    }

    /// `count` feed accounts `/feed0`, `/feed1`, …, each answering once after `delay(index)` seconds.
    static func slowFeedAccounts(_ harness: IntegrationHarness, count: Int, delay: (Int) -> Double) -> [Account] {
        (0..<count).map { index in
            let path = "/feed\(index)"
            var slow = DiskFullTests.feed(harness, ids: [2, 1])
            slow.delay = delay(index)
            harness.server.script(path, [slow])
            return harness.feedAccount(path: path, name: "Feed \(index)")
        }
    }

    @Test func duePollsWaitForAFreeSlotAndEveryAccountIsPolledOnce() async throws {
        let harness = try await IntegrationHarness()
        let accounts = Self.slowFeedAccounts(harness, count: 6) { _ in 0.2 }
        let seen = Mutex(Seen())
        let start = Date()
        let service = MonitorService(
            accounts: accounts, poller: try harness.poller(), jitter: 0, logger: Logger(label: "test"),
            maximumPollsInFlight: 2, firstPolls: Dictionary(uniqueKeysWithValues: accounts.map { ($0.key, start) }),
            now: start
        ) { activity in
            seen.withLock { seen in
                switch activity {
                case .pollStarted(let account):
                    if seen.running.contains(account.key) { seen.twiceAtOnce = true }
                    seen.running.insert(account.key)
                    seen.mostAtOnce = max(seen.mostAtOnce, seen.running.count)
                case .polled(let account, _):
                    seen.running.remove(account.key)
                    seen.polled[account.key, default: 0] += 1
                case .ended(let key):
                    seen.ended.insert(key)
                case .scheduled:
                    break
                }
            }
        }
        let running = Task { try await service.run() }
        // Each account's next poll is 10 minutes away: the six first polls are all there is.
        await eventually("the six first polls end") { seen.withLock { $0.polled.count >= 6 } }
        service.stop()
        try await running.value
        await harness.close()

        let result = seen.withLock { $0 }
        #expect(result.polled.count == 6, "every due account was polled: \(result.polled)")
        #expect(result.polled.values.allSatisfy { $0 == 1 }, "each once: \(result.polled)")
        #expect(result.mostAtOnce == 2, "never more than two polls at once, and two when six are due")
        #expect(!result.twiceAtOnce)
        #expect(result.ended == Set(accounts.map(\.key)), "every account ends at shutdown")
        #expect(service.watchedKeys.isEmpty)
    }

    /// When every slot is taken, the scheduler wakes once a sixteenth of them are free (2 of
    /// 32), not at each poll's end, and the polls that waited then start. (The first 32 answers
    /// come 40 ms apart, so a scheduler woken at the first poll's end would start one then.)
    @Test func whenEverySlotIsTakenDuePollsStartOnceASixteenthOfTheSlotsAreFree() async throws {
        let harness = try await IntegrationHarness()
        let accounts = Self.slowFeedAccounts(harness, count: 34) { 0.2 + 0.04 * Double(min($0, 31)) }
        struct Counts {
            var started = 0
            var ended = 0
            var endedBeforeLaterStarts: [Int] = []
            var mostAtOnce = 0
        }
        let counts = Mutex(Counts())
        let start = Date()
        let service = MonitorService(
            accounts: accounts, poller: try harness.poller(), jitter: 0, logger: Logger(label: "test"),
            maximumPollsInFlight: 32,
            firstPolls: Dictionary(uniqueKeysWithValues: accounts.map { ($0.key, start) }), now: start
        ) { activity in
            counts.withLock { counts in
                switch activity {
                case .pollStarted:
                    counts.started += 1
                    counts.mostAtOnce = max(counts.mostAtOnce, counts.started - counts.ended)
                    if counts.started > 32 { counts.endedBeforeLaterStarts.append(counts.ended) }
                case .polled: counts.ended += 1
                case .ended, .scheduled: break
                }
            }
        }
        let running = Task { try await service.run() }
        await eventually("the 34 first polls end") { counts.withLock { $0.ended >= 34 } }
        service.stop()
        try await running.value
        await harness.close()

        let result = counts.withLock { $0 }
        #expect(result.started == 34, "every due account was polled once")
        #expect(result.mostAtOnce <= 32, "never more polls at once than slots")
        #expect(result.endedBeforeLaterStarts.count == 2)
        #expect(result.endedBeforeLaterStarts.allSatisfy { $0 >= 2 }, "\(result.endedBeforeLaterStarts)")
    }

    @Test func aRemovedAccountStopsAndAnAddedOneIsPolled() async throws {
        let harness = try await IntegrationHarness()
        let first = harness.feedAccount(path: "/a", name: "A")
        let second = harness.feedAccount(path: "/b", name: "B")
        harness.server.script("/a", [DiskFullTests.feed(harness, ids: [1])])
        harness.server.script("/b", [DiskFullTests.feed(harness, ids: [1])])
        let polled = Mutex<[AccountKey]>([])
        let ended = Mutex<[AccountKey]>([])
        let now = Date()
        let poller = try harness.poller()
        let service = MonitorService(
            accounts: [first], poller: poller, jitter: 0, logger: Logger(label: "test"),
            firstPolls: [first.key: now.addingTimeInterval(3_600)], now: now
        ) { activity in
            if case .polled(let account, _) = activity { polled.withLock { $0.append(account.key) } }
            if case .ended(let key) = activity { ended.withLock { $0.append(key) } }
        }
        let running = Task { try await service.run() }
        // A's first poll is an hour away; the reload removes it and adds B, due at once.
        let changes = service.update(accounts: [second], poller: poller, jitter: 0, now: now.addingTimeInterval(-60))
        #expect(changes.added == [second.key])
        #expect(changes.removed == [first.key])
        #expect(ended.withLock { $0 } == [first.key], "a removed account with no poll in flight ends at once")
        await eventually("B is polled") { !polled.withLock { $0.isEmpty } }
        service.stop()
        try await running.value
        await harness.close()
        #expect(polled.withLock { $0 } == [second.key])
    }

    /// The scheduler waits on its clock: an account's next poll starts when its interval has
    /// passed on that clock, not a second before, stamped with the clock's time. (The test
    /// advances a manual clock ten minutes instead of waiting them.)
    @Test(.awaitedCleanup) func theNextPollStartsWhenTheIntervalHasPassedOnTheClock() async throws {
        let harness = try await IntegrationHarness()
        atEnd { await harness.close() }
        let account = harness.feedAccount(path: "/a", name: "A")
        harness.server.script("/a", [DiskFullTests.feed(harness, ids: [1]), DiskFullTests.feed(harness, ids: [1])])
        let clock = ManualClock()
        let start = clock.date
        let polledAt = Mutex<[Date]>([])
        let service = MonitorService(
            accounts: [account], poller: try harness.poller(), jitter: 0, logger: Logger(label: "test"),
            firstPolls: [account.key: start], now: start, clock: clock
        ) { activity in
            if case .polled(_, .polled(let report)) = activity { polledAt.withLock { $0.append(report.polledAt) } }
        }
        let running = Task { try await service.run() }
        atEnd {
            service.stop()
            _ = try? await running.value
        }

        await eventually("the first poll ends") { polledAt.withLock { $0.count == 1 } }
        await eventually("the scheduler sleeps until the next poll, 600 s away") { clock.nextDeadline == .seconds(600) }
        clock.advance(by: .seconds(599))
        #expect(clock.nextDeadline == .seconds(1), "one second before its time, the poll still waits")
        #expect(polledAt.withLock { $0.count } == 1)
        clock.advance(by: .seconds(1))
        await eventually("the second poll ends") { polledAt.withLock { $0.count == 2 } }
        #expect(polledAt.withLock { $0 } == [start, start.addingTimeInterval(600)])
        #expect(harness.server.requests().count == 2)
    }
    /// Polls due within a quarter of a second start together, stamped with the round's time (the
    /// scheduler wakes once for them, not once each); one due later waits for its time.
    @Test(.awaitedCleanup) func pollsDueWithinAQuarterSecondStartTogetherAndALaterOneWaits() async throws {
        let harness = try await IntegrationHarness()
        atEnd { await harness.close() }
        let accounts = ["a", "b", "c"].map { harness.feedAccount(path: "/\($0)", name: $0.uppercased()) }
        for path in ["/a", "/b", "/c"] { harness.server.script(path, [DiskFullTests.feed(harness, ids: [1])]) }
        let clock = ManualClock()
        let start = clock.date
        let polledAt = Mutex<[String: Date]>([:])
        let service = MonitorService(
            accounts: accounts, poller: try harness.poller(), jitter: 0, logger: Logger(label: "test"),
            firstPolls: [
                accounts[0].key: start, accounts[1].key: start.addingTimeInterval(0.125),
                accounts[2].key: start.addingTimeInterval(0.5),
            ],
            now: start, clock: clock
        ) { activity in
            if case .polled(let account, .polled(let report)) = activity {
                polledAt.withLock { $0[account.displayName] = report.polledAt }
            }
        }
        let running = Task { try await service.run() }
        atEnd {
            service.stop()
            _ = try? await running.value
        }

        await eventually("A and B are polled") { polledAt.withLock { $0.count == 2 } }
        #expect(polledAt.withLock { $0 } == ["A": start, "B": start], "B, due 0.125 s later, started with A")
        await eventually("the scheduler sleeps until C is due") { clock.nextDeadline == .milliseconds(500) }
        clock.advance(by: .milliseconds(500))
        await eventually("C is polled") { polledAt.withLock { $0.count == 3 } }
        #expect(polledAt.withLock { $0["C"] } == start.addingTimeInterval(0.5))
    }

    /// A poll that ends due again before the scheduler's next wake-up wakes it: an account of a
    /// short interval is not held back by one of a long interval that is due later.
    @Test(.awaitedCleanup) func aPollDueAgainBeforeTheSchedulersWakeUpIsNotHeldBack() async throws {
        let harness = try await IntegrationHarness()
        atEnd { await harness.close() }
        let often = {
            var account = harness.feedAccount(path: "/often", name: "Often")
            account.interval = 60
            return account
        }()
        let seldom = harness.feedAccount(path: "/seldom", name: "Seldom")
        harness.server.script("/often", [DiskFullTests.feed(harness, ids: [1]), DiskFullTests.feed(harness, ids: [1])])
        harness.server.script("/seldom", [DiskFullTests.feed(harness, ids: [1])])
        let clock = ManualClock()
        let start = clock.date
        let polled = Mutex<[Date]>([])
        let service = MonitorService(
            accounts: [often, seldom], poller: try harness.poller(), jitter: 0, logger: Logger(label: "test"),
            firstPolls: [often.key: start, seldom.key: start.addingTimeInterval(300)], now: start, clock: clock
        ) { activity in
            if case .polled(let account, .polled(let report)) = activity, account.key == often.key {
                polled.withLock { $0.append(report.polledAt) }
            }
        }
        let running = Task { try await service.run() }
        atEnd {
            service.stop()
            _ = try? await running.value
        }

        await eventually("Often's first poll ends") { polled.withLock { $0.count == 1 } }
        await eventually("the scheduler sleeps until Often is due again, not until Seldom is") {
            clock.nextDeadline == .seconds(60)
        }
        clock.advance(by: .seconds(60))
        await eventually("Often's second poll ends") { polled.withLock { $0.count == 2 } }
        #expect(polled.withLock { $0 } == [start, start.addingTimeInterval(60)])
    }
}
