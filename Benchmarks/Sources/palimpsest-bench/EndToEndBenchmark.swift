import Foundation
import Logging
import PalimpsestCore
import PalimpsestReplay

/// Phase 3: whole polls over loopback. A ``ReplayServer`` on 127.0.0.1 serves each account's
/// ``SyntheticTimeline`` as an RSS feed at its own path; the real ``CurlHTTPClient``,
/// ``StateStore``, ``DeletionLog`` and ``AccountPoller`` poll every account once per cycle, as
/// `palimpsest poll` does, with recorded times 10 minutes apart. Probes of deleted posts on the
/// feed's host get the server's 404 for unscripted paths (a tombstone).
///
/// Each poll runs as ``PollCycle/run(_:at:)`` of one account, at most `concurrency` at once, so
/// that each poll's latency can be timed: it counts from the poll's start to its end, waits for
/// the client's per-host slots and the disk queue included. The feeds are rendered and scripted
/// before each cycle's clock starts.
struct EndToEndBenchmark {
    /// The figures of the phase.
    struct Result {
        /// Polls made (accounts × cycles).
        let polls: Int
        /// Polls that ended `complete` (the others failed or could not run).
        let completePolls: Int
        /// Polls that could not run at all (a fault of this machine).
        let faults: Int
        /// The first of those faults, with its account.
        let firstFault: String?
        /// Measured time of all cycles, in seconds.
        let seconds: Double
        /// Each poll's latency in seconds, ascending.
        let latencies: [Double]
        /// Answers received by the client and their body bytes.
        let http: CountingHTTPClient.Counts
        /// Probes the poller sent.
        let probes: Int
        /// Events logged, by kind.
        let events: [EventKind: Int]
        /// Lines in the deletion log at the end.
        let logLines: Int
        /// Bytes the process wrote to storage during the cycles (`/proc/self/io`), if known.
        let storageBytesWritten: Int?
        /// Size of `state_dir` at the end, in bytes.
        let stateBytes: Int
        /// Regular files in `state_dir` at the end.
        let stateFiles: Int
        /// Size of the deletion log at the end, in bytes.
        let logBytes: Int
        /// The temporary folder, when kept.
        let keptFolder: URL?
        /// The cycles run after the measured ones with every feed as it was (nothing changed).
        let unchangedCycles: [UnchangedCycle]
        /// What a collection of the evidence spool removed at the end (by a second store, as a
        /// later process would: the running one's current spool file is in use).
        let spool: SpoolCollection?
        /// Size of `state_dir` after that collection, in bytes.
        let stateBytesAfterCollection: Int
    }

    /// One cycle in which no feed changed.
    struct UnchangedCycle {
        /// Polls made.
        let polls: Int
        /// Polls that ended early as unchanged (`unchanged since the last poll`).
        let unchangedPolls: Int
        /// Wall time in seconds.
        let seconds: Double
        /// CPU seconds of the whole process (the replay server's threads included).
        let cpuSeconds: Double
        /// Bytes written to storage (`/proc/self/io`), if known.
        let storageBytesWritten: Int?
        /// Growth of `state_dir` in bytes (negative when it shrank).
        let stateGrowth: Int
    }

    /// Number of accounts.
    let accounts: Int
    /// Posts per window.
    let posts: Int
    /// Cycles (polls per account).
    let polls: Int
    /// Most polls running at once.
    let concurrency: Int
    /// Keep the temporary state folder instead of removing it.
    let keep: Bool
    /// Cycles to run after the measured ones, with every feed unchanged.
    var unchangedCycles: Int = 0

    /// Runs every cycle, then stops the server and the client and removes the temporary folder
    /// (unless ``keep``), also when a step fails.
    /// - Throws: when the server cannot bind 127.0.0.1, the client cannot start, or the temporary
    ///   folder, state folder or log cannot be created.
    func run() async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "palimpsest-bench-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let server = ReplayServer()
        var curl: CurlHTTPClient?
        let outcome: Swift.Result<Result, any Error>
        do {
            try await server.start()
            let client = try CurlHTTPClient(configuration: HTTPClientConfiguration(timeout: 10))
            curl = client
            outcome = .success(
                try await self.measure(server: server, client: CountingHTTPClient(client), folder: folder))
        } catch {
            outcome = .failure(error)
        }
        curl?.shutdown()
        await server.stop()
        if !self.keep { try? FileManager.default.removeItem(at: folder) }
        return try outcome.get()
    }

    /// Polls every account for every cycle and collects the figures.
    private func measure(server: ReplayServer, client: CountingHTTPClient, folder: URL) async throws -> Result {
        let stateFolder = folder.appendingPathComponent("state")
        let logURL = folder.appendingPathComponent("deletions.jsonl")
        var logger = Logger(label: "palimpsest.bench")
        logger.logLevel = .warning
        let store = try StateStore(root: stateFolder)
        let poller = AccountPoller(
            client: client, stateStore: store, log: try DeletionLog(url: logURL),
            detection: DetectionSettings(), snapshotRetention: DaemonSettings().snapshotRetention, logger: logger)

        var timelines = (0..<self.accounts).map { SyntheticTimeline(account: $0, windowSize: self.posts) }
        let paths = (0..<self.accounts).map { "/bench/\($0)/feed.xml" }
        let feeds = (0..<self.accounts).map { SyntheticFeed(account: $0, feedURL: server.url(paths[$0])) }
        let accounts = feeds.map { feed in
            Account(
                key: Account.key(for: .feed(url: feed.feedURL)), name: "bench \(feed.account)",
                source: .feed(url: feed.feedURL))
        }

        let writtenBefore = ProcessStats.storageBytesWritten()
        var polls: [TimedPoll] = []
        var seconds = 0.0
        let clock = ContinuousClock()
        for _ in 0..<self.polls {
            for index in timelines.indices {
                timelines[index].advance()
                server.script(
                    paths[index],
                    [
                        ReplayResponse(
                            headers: ["Content-Type": "application/rss+xml; charset=utf-8"],
                            body: feeds[index].rss(timelines[index].window))
                    ])
            }
            let start = clock.now
            polls += await self.cycle(accounts, at: timelines[0].now, poller: poller)
            seconds += Figures.seconds(clock.now - start)
        }
        // Run-of-unchanged-poll rows wait for a batch: written before the figures are taken.
        _ = store.saveUnsavedStates()
        let writtenAfter = ProcessStats.storageBytesWritten()

        // Cycles in which nothing changed: the same answers, ten minutes later each.
        var unchanged: [UnchangedCycle] = []
        var now = timelines[0].now
        for _ in 0..<self.unchangedCycles {
            now = now.addingTimeInterval(600)
            let size = ProcessStats.folderSize(stateFolder).bytes
            let written = ProcessStats.storageBytesWritten()
            let cpu = ProcessStats.cpuSeconds()
            let start = clock.now
            let results = await self.cycle(accounts, at: now, poller: poller)
            _ = store.saveUnsavedStates()
            let seconds = Figures.seconds(clock.now - start)
            let early = results.filter {
                if case .polled(let report) = $0.result { return report.record.detail.hasPrefix("unchanged since") }
                return false
            }.count
            unchanged.append(
                UnchangedCycle(
                    polls: results.count, unchangedPolls: early, seconds: seconds,
                    cpuSeconds: ProcessStats.cpuSeconds() - cpu,
                    storageBytesWritten: ProcessStats.storageBytesWritten().flatMap { after in
                        written.map { after - $0 }
                    },
                    stateGrowth: ProcessStats.folderSize(stateFolder).bytes - size))
        }

        var events: [EventKind: Int] = [:]
        var complete = 0
        var probes = 0
        var faults: [String] = []
        for (_, result) in polls {
            switch result {
            case .polled(let report):
                if report.record.outcome == "complete" { complete += 1 }
                probes += report.probes
                for event in report.events { events[event.event, default: 0] += 1 }
            case .fault(let account, let error):
                faults.append("\(account.key): \(error)")
            }
        }
        let state = ProcessStats.folderSize(stateFolder)
        let spool = try? StateStore(root: stateFolder).collectSpool(minimumAge: 0)
        let logSize = try? FileManager.default.attributesOfItem(atPath: logURL.path)[.size] as? NSNumber
        var written: Int?
        if let writtenBefore, let writtenAfter { written = writtenAfter - writtenBefore }
        return Result(
            polls: polls.count, completePolls: complete, faults: faults.count, firstFault: faults.first,
            seconds: seconds, latencies: polls.map(\.latency).sorted(), http: client.snapshot,
            probes: probes, events: events,
            logLines: (try? DeletionLog.readEvents(at: logURL).count) ?? 0, storageBytesWritten: written,
            stateBytes: state.bytes, stateFiles: state.files, logBytes: logSize?.intValue ?? 0,
            keptFolder: self.keep ? folder : nil, unchangedCycles: unchanged, spool: spool,
            stateBytesAfterCollection: ProcessStats.folderSize(stateFolder).bytes)
    }

    /// One poll's latency in seconds and its result.
    typealias TimedPoll = (latency: Double, result: PollCycle.Result)

    /// Polls every account once as of `now`, at most ``concurrency`` at a time (a new poll starts
    /// as soon as one ends), and returns each poll's latency with its result.
    private func cycle(_ accounts: [Account], at now: Date, poller: AccountPoller) async -> [TimedPoll] {
        let single = PollCycle(poller: poller, concurrency: 1)
        return await withTaskGroup(of: TimedPoll.self) { group in
            var pending = accounts.makeIterator()
            func startNext() -> Bool {
                guard let account = pending.next() else { return false }
                group.addTask {
                    let clock = ContinuousClock()
                    let start = clock.now
                    let result = await single.run([account], at: now)
                    return (Figures.seconds(clock.now - start), result[0])
                }
                return true
            }
            var running = 0
            while running < self.concurrency, startNext() { running += 1 }
            var collected: [TimedPoll] = []
            while let finished = await group.next() {
                collected.append(finished)
                _ = startNext()
            }
            return collected
        }
    }
}
