import Foundation
import Logging
import PalimpsestReplay
import PalimpsestTestSupport
import Synchronization
import Testing

@testable import PalimpsestCore

#if canImport(Glibc)
    import Glibc
#endif

/// A full disk under the poll path (loopback server, real libcurl client, state store, deletion
/// log, poller): nothing the daemon would have logged is lost, nothing is logged twice, and no
/// file is left torn. The disk fills through ``SimulatedDiskSpace`` (short write, then `ENOSPC`,
/// as the kernel does) here; `RealFullDiskTests` fills a real tmpfs where the test may mount one.
@Suite(.serialized) struct DiskFullTests {
    /// A poller reused from poll to poll, as the daemon uses one.
    static func daemonPoller(_ harness: IntegrationHarness) throws -> AccountPoller {
        try harness.poller()
    }

    static let down = ReplayResponse(
        status: 503, headers: [("Content-Type", "text/html")], body: Data("<h1>down for maintenance</h1>".utf8))

    /// An RSS feed of items `ids` (newest first), each posted `id` minutes after 13:00 UTC on
    /// 2026-08-01 and linking to `/posts/<id>` on the replay server, so that it can be probed.
    static func feed(_ harness: IntegrationHarness, ids: [Int]) -> ReplayResponse {
        let base = harness.server.baseURL.absoluteString
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>Disk test</title><link>\(base)/</link><description>test</description>

            """
        for id in ids {
            let minute = id < 10 ? "0\(id)" : "\(id)"
            xml += """
                <item><title>Post \(id)</title><link>\(base)/posts/\(id)</link><guid>\(base)/posts/\(id)</guid>\
                <pubDate>Sat, 01 Aug 2026 13:\(minute):00 +0000</pubDate><description>post number \(id)</description></item>

                """
        }
        xml += "</channel></rss>\n"
        return ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: Data(xml.utf8))
    }

    static func accountStore(_ harness: IntegrationHarness, _ account: Account) throws -> AccountStore {
        try StateStore(root: harness.root.appendingPathComponent("state")).accountStore(for: account.key)
    }

    /// Names in the state folder and its subfolders that start with a dot (temporary files).
    static func temporaryFiles(in store: AccountStore) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: store.root.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if (path as NSString).lastPathComponent.hasPrefix(".") { found.append(path) }
        }
        return found
    }

    @Test func blindSpanOpenedWhileTheDiskIsFullIsLoggedWithItsTrueStartOnceSpaceReturns() async throws {
        let harness = try await IntegrationHarness()
        defer { SimulatedDiskSpace.setFreeBytes(nil, under: harness.root.path) }
        let account = harness.feedAccount(path: "/feed")
        let poller = try Self.daemonPoller(harness)
        harness.server.script("/feed", [Self.feed(harness, ids: [3, 2, 1])])
        _ = try await poller.poll(account, at: IntegrationHarness.time(0))
        let store = try Self.accountStore(harness, account)
        let stateBefore = try store.loadState()

        // The disk fills up (state folder and log alike) and the platform goes down.
        SimulatedDiskSpace.setFreeBytes(0, under: harness.root.path)
        harness.server.script("/feed", [Self.down])
        for minutes in [10, 20] {
            let error = await #expect(throws: PollWriteError.self) {
                try await poller.poll(account, at: IntegrationHarness.time(minutes))
            }
            #expect(error?.stage == .state)
            #expect(error?.isDiskFull == true)
            #expect(error?.blindSpan?.from == IntegrationHarness.time(10))
            let message = error.map { "\($0)" } ?? ""
            #expect(message.contains(account.key.rawValue) && message.contains("No space left on device"))
            #expect(message.contains("blind since 2026-08-01T14:10:00Z"), "\(message)")
        }
        // Nothing stored was touched: the old state, no temporary file, an empty log.
        #expect(try Self.accountStore(harness, account).loadState() == stateBefore)
        #expect(try Self.temporaryFiles(in: store).isEmpty)
        #expect(try harness.loggedEvents().isEmpty)

        // Space returns; the platform answers again.
        SimulatedDiskSpace.setFreeBytes(nil, under: harness.root.path)
        harness.server.script("/feed", [Self.feed(harness, ids: [3, 2, 1])])
        let report = try await poller.poll(account, at: IntegrationHarness.time(30))
        let events = try harness.loggedEvents()
        let verification = try DeletionLog.verify(at: harness.logURL)
        await harness.close()

        #expect(report.record.outcome == "complete")
        #expect(events.map(\.event) == [.blind, .blind], "the span opened during the full disk, then closed")
        #expect(events.first?.blind?.from == IntegrationHarness.time(10), "the true start: the first failed poll")
        #expect(events.first?.blind?.to == nil)
        #expect(events.last?.blind?.from == IntegrationHarness.time(10))
        #expect(events.last?.blind?.to == IntegrationHarness.time(30))
        #expect(events.last?.blind?.failedPolls == 2)
        #expect(Set(events.map(\.id)).count == events.count)
        #expect(verification.problems.isEmpty, "\(verification.problems)")
        #expect(report.eventsLogged == 2)
    }

    @Test func aFullLogDiskKeepsEventsPendingWhilePollsGoOn() async throws {
        let harness = try await IntegrationHarness()
        defer { SimulatedDiskSpace.setFreeBytes(nil, under: harness.logURL.path) }
        let account = harness.feedAccount(path: "/feed")
        let poller = try Self.daemonPoller(harness)
        harness.server.script("/feed", [Self.feed(harness, ids: [3, 2, 1])])
        _ = try await poller.poll(account, at: IntegrationHarness.time(0))

        // Only the log's disk is full: the state is saved with the event pending.
        SimulatedDiskSpace.setFreeBytes(0, under: harness.logURL.path)
        harness.server.script("/feed", [Self.down])
        for minutes in [10, 20] {
            let error = await #expect(throws: PollWriteError.self) {
                try await poller.poll(account, at: IntegrationHarness.time(minutes))
            }
            #expect(error?.stage == .log)
            #expect(error?.pendingEvents == 1)
        }
        let saved = try #require(try Self.accountStore(harness, account).loadState(AccountState.self))
        #expect(saved.pendingEvents.map(\.event) == [.blind])
        #expect(saved.detection.blindSpan?.failedPolls == 2, "the second failed poll ran and was recorded")
        #expect(saved.lastPoll?.at == IntegrationHarness.time(20))
        #expect(try harness.loggedEvents().isEmpty)

        SimulatedDiskSpace.setFreeBytes(nil, under: harness.logURL.path)
        harness.server.script("/feed", [Self.feed(harness, ids: [3, 2, 1])])
        let report = try await poller.poll(account, at: IntegrationHarness.time(30))
        let events = try harness.loggedEvents()
        await harness.close()

        #expect(report.events.count == 2)
        #expect(events.map(\.event) == [.blind, .blind])
        #expect(events.first?.blind?.from == IntegrationHarness.time(10))
        #expect(events.last?.blind?.to == IntegrationHarness.time(30))
        #expect(events.last?.blind?.failedPolls == 2)
    }

    @Test func aWriteCutShortByAFullDiskLeavesNoTornLineInTheLogOrTheArchive() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed")
        let poller = try Self.daemonPoller(harness)
        let store = try Self.accountStore(harness, account)
        let database = harness.root.appendingPathComponent("state/state.sqlite").path
        defer {
            SimulatedDiskSpace.setFreeBytes(nil, under: database)
            SimulatedDiskSpace.setFreeBytes(nil, under: harness.logURL.path)
        }

        // The database's disk has room for part of the poll's commit only: none of it is written.
        SimulatedDiskSpace.setFreeBytes(200, under: database)
        harness.server.script("/feed", [Self.feed(harness, ids: [3, 2, 1])])
        let archiveError = await #expect(throws: PollWriteError.self) {
            try await poller.poll(account, at: IntegrationHarness.time(0))
        }
        #expect(archiveError?.stage == .state)
        #expect(try store.archivedVersions().isEmpty)
        #expect(try store.snapshotIDs().isEmpty)
        SimulatedDiskSpace.setFreeBytes(nil, under: database)
        _ = try await poller.poll(account, at: IntegrationHarness.time(5))

        // The log's disk has room for part of one line only.
        SimulatedDiskSpace.setFreeBytes(100, under: harness.logURL.path)
        harness.server.script("/feed", [Self.down])
        await #expect(throws: PollWriteError.self) {
            try await poller.poll(account, at: IntegrationHarness.time(10))
        }
        let logAfterFailure = try Data(contentsOf: harness.logURL)
        #expect(logAfterFailure.isEmpty || logAfterFailure.last == UInt8(ascii: "\n"))

        SimulatedDiskSpace.setFreeBytes(nil, under: harness.logURL.path)
        harness.server.script("/feed", [Self.feed(harness, ids: [3, 2, 1])])
        _ = try await poller.poll(account, at: IntegrationHarness.time(20))
        let events = try harness.loggedEvents()
        let verification = try DeletionLog.verify(at: harness.logURL)
        let archive = try store.archivedVersions()
        await harness.close()

        #expect(events.map(\.event) == [.blind, .blind])
        #expect(verification.problems.isEmpty, "the log holds no torn line: \(verification.problems)")
        #expect(archive.count == 3, "every version archived once: \(archive.count)")
    }

    @Test func aProbeAnswerThatCannotBeKeptConfirmsNothingUntilItCanBe() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed")
        let poller = try Self.daemonPoller(harness)
        let store = try Self.accountStore(harness, account)
        let warc = harness.root.appendingPathComponent("state/warc").path
        defer { SimulatedDiskSpace.setFreeBytes(nil, under: warc) }
        harness.server.script("/feed", [Self.feed(harness, ids: [3, 2, 1])])
        _ = try await poller.poll(account, at: IntegrationHarness.time(0))

        // Post 2 vanishes; its probe answers 404. The timeline answer is kept (stored before the
        // disk fills), the probe's answer cannot be.
        let withoutTwo = Self.feed(harness, ids: [3, 1])
        _ = try store.storeEvidence(
            body: withoutTwo.body, url: harness.server.url("/feed").absoluteString, status: 200,
            headers: withoutTwo.headers, fetchedAt: IntegrationHarness.time(10))
        // Its index row is committed (this store object is not the poller's).
        try store.store.commitAndWait(StateCommit(account: account.key, before: nil, state: nil))
        SimulatedDiskSpace.setFreeBytes(0, under: warc)
        harness.server.script("/feed", [withoutTwo])
        harness.server.script("/posts/2", [ReplayResponse(status: 404, body: Data("not found".utf8))])
        let whileFull = try await poller.poll(account, at: IntegrationHarness.time(10))
        #expect(whileFull.probes == 1)
        #expect(whileFull.events.isEmpty, "a deletion must not be confirmed by an answer that was not kept")

        SimulatedDiskSpace.setFreeBytes(nil, under: warc)
        let afterwards = try await poller.poll(account, at: IntegrationHarness.time(20))
        let events = try harness.loggedEvents()
        await harness.close()

        #expect(afterwards.events.map(\.event) == [.deleted])
        #expect(events.map(\.postID) == [harness.server.url("/posts/2").absoluteString])
        #expect(events.first?.confirmedBy == .probe)
        let probeAnswer = events.first?.evidence.first { $0.status == 404 }
        #expect(probeAnswer != nil, "the deletion cites the kept 404 answer: \(events.first?.evidence ?? [])")
    }

    @Test func theDaemonKeepsPollingThroughAFullDiskAndLogsTheBlindSpanFromItsFirstFailedPoll() async throws {
        let harness = try await IntegrationHarness()
        defer { SimulatedDiskSpace.setFreeBytes(nil, under: harness.root.path) }
        let base = harness.feedAccount(path: "/feed")
        let account = Account(key: base.key, name: base.name, source: base.source, interval: 0.05)
        let poller = try Self.daemonPoller(harness)
        harness.server.script("/feed", [Self.feed(harness, ids: [3, 2, 1])])
        _ = try await poller.poll(account, at: Date())

        SimulatedDiskSpace.setFreeBytes(0, under: harness.root.path)
        harness.server.script("/feed", [Self.down])
        // Every poll that failed, with when the loop learnt of it.
        let faults = Mutex<[(error: PollWriteError?, seenAt: Date)]>([])
        let service = MonitorService(
            accounts: [account], poller: poller, jitter: 0, logger: Logger(label: "test"),
            firstPolls: [account.key: Date()]
        ) { activity in
            if case .polled(_, .fault(_, let error)) = activity {
                let seenAt = Date()
                faults.withLock { $0.append((error as? PollWriteError, seenAt)) }
            }
        }
        let running = Task { try await service.run() }
        defer { running.cancel() }

        func wait(_ what: String, until condition: () throws -> Bool) async throws {
            try await eventually(what, timeout: .seconds(20)) { try condition() }
        }
        try await wait("three failed polls") { faults.withLock { $0.count } >= 3 }
        #expect(try harness.loggedEvents().isEmpty)
        let firstFailure = try #require(faults.withLock { $0.first })
        #expect(firstFailure.error != nil, "a failed write is a PollWriteError")

        SimulatedDiskSpace.setFreeBytes(nil, under: harness.root.path)
        try await wait("the blind span in the log") { try !harness.loggedEvents().isEmpty }
        harness.server.script("/feed", [Self.feed(harness, ids: [3, 2, 1])])
        try await wait("the blind span closed") { try harness.loggedEvents().count >= 2 }
        service.stop()
        try await running.value
        let events = try harness.loggedEvents()
        await harness.close()

        #expect(events.map(\.event) == [.blind, .blind])
        #expect(events.first.flatMap(\.blind).map { $0.from <= firstFailure.seenAt } == true)
        // The log keeps milliseconds: compare as written.
        let start = firstFailure.error.map { RFC3339.string(from: $0.polledAt) }
        #expect(
            events.first?.blind.map { RFC3339.string(from: $0.from) } == start,
            "the span starts at the first failed poll")
        #expect(events.last?.blind.map { RFC3339.string(from: $0.from) } == start)
        #expect(events.last?.blind?.to != nil)
    }
}
