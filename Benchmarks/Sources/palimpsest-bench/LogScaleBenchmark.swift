import Foundation
import PalimpsestCore

/// Phase 5 (`--log-scale`, `make benchmark-digest`): the commands that read the deletion log, over
/// a state folder and log made through the real APIs (``StateStore`` commits, ``DeletionLog``
/// appends with their hash chain and guarded head, WARC evidence records): `accounts` watched
/// accounts, `historyEvents` events in the four weeks before an ISO week (UTC), the digest of the
/// week before (as the weekly timer runs it), then `events` events in the week. Each command runs
/// as its own `palimpsest` process under `/usr/bin/time`: wall seconds, CPU seconds and peak
/// resident set size.
struct LogScaleBenchmark {
    /// Watched accounts (each with a stored state: last poll and poll spans).
    var accounts: Int
    /// Events in the measured week.
    var events: Int
    /// Events before the week (older history the readers should not need to decode).
    var historyEvents: Int
    /// Share of events citing a WARC evidence record (probe answers, feed bodies).
    var evidenceShare = 0.4
    /// Distinct evidence records cited (many events cite the same answer, as a shared 404 page).
    var evidenceRecords = 2_000
    /// The `palimpsest` executable.
    var executable: URL
    /// Keep the folder.
    var keep: Bool
    /// The ISO week measured.
    let week = ISOWeek("2026-W49")!

    /// One command as measured.
    struct Run {
        var command: String
        var wallSeconds: Double
        var cpuSeconds: Double
        var peakRSSKiB: Int
        var exitStatus: Int32
        var output: String
    }

    struct Result {
        var folder: URL
        var generationSeconds: Double
        var logBytes: Int
        var logLines: Int
        var runs: [Run]
    }

    func run() async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "palimpsest-bench-log-\(UUID().uuidString)")
        let state = folder.appendingPathComponent("state")
        let logURL = folder.appendingPathComponent("deletions.jsonl")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let start = Date()
        let keys = (0..<self.accounts).map { AccountKey(rawValue: "feed:http://127.0.0.1:9/feed/\($0).xml") }
        try self.writeConfig(folder: folder, state: state, logURL: logURL)
        let weekStart = self.week.interval(in: TimeZone(identifier: "UTC")!).start
        try await self.writeStates(keys: keys, root: state, weekStart: weekStart)
        let store = try StateStore(root: state)
        let references = try self.storeEvidence(keys: keys, store: store, weekStart: weekStart)
        let log = try DeletionLog(url: logURL, headURL: state.appendingPathComponent(ChainHead.fileName))
        try self.append(
            range: 0..<self.historyEvents, keys: keys, references: references, log: log, weekStart: weekStart)

        let config = folder.appendingPathComponent("palimpsest.toml").path
        let digestOut = folder.appendingPathComponent("digest").path
        func digest(_ week: ISOWeek) -> [String] {
            [
                "digest", "--config", config, "--week", week.description, "--out", digestOut, "--time-zone", "UTC",
                "--log-level", "warning",
            ]
        }
        var runs: [Run] = []
        // The weekly timer's digest of the week before: the first over this log (no index, no memo).
        runs.append(try self.measure("digest of the week before (first run)", arguments: digest(self.week.previous)))
        // The week's events, appended as the daemon does (the index kept current at each append).
        try self.append(
            range: self.historyEvents..<(self.historyEvents + self.events), keys: keys, references: references,
            log: log, weekStart: weekStart)
        let generation = Date().timeIntervalSince(start) - runs[0].wallSeconds
        let logBytes = (try? FileManager.default.attributesOfItem(atPath: logURL.path)[.size] as? Int) ?? 0
        for (name, arguments) in [
            ("digest of the week", digest(self.week)),
            ("digest of the week (again)", digest(self.week)),
            ("status", ["status", "--config", config]),
            ("tail -n 10", ["tail", "--config", config, "-n", "10"]),
            ("verify", ["verify", "--config", config]),
        ] {
            runs.append(try self.measure(name, arguments: arguments))
        }
        if !self.keep { try? FileManager.default.removeItem(at: folder) }
        return Result(
            folder: folder, generationSeconds: generation, logBytes: logBytes,
            logLines: self.events + self.historyEvents, runs: runs)
    }

    private func writeConfig(folder: URL, state: URL, logURL: URL) throws {
        var toml = """
            [daemon]
            state_dir = "\(state.path)"
            deletion_log = "\(logURL.path)"
            interval = "10m"

            """
        toml.reserveCapacity(self.accounts * 90)
        for index in 0..<self.accounts {
            toml += "\n[[account]]\nplatform = \"feed\"\nname = \"Account \(index)\"\n"
            toml += "url = \"http://127.0.0.1:9/feed/\(index).xml\"\n"
        }
        try Data(toml.utf8).write(to: folder.appendingPathComponent("palimpsest.toml"))
    }

    /// One stored state per account: last poll at the end of the week, one poll span over it.
    private func writeStates(keys: [AccountKey], root: URL, weekStart: Date) async throws {
        let store = try StateStore(root: root)
        let end = weekStart.addingTimeInterval(7 * 86_400 - 60)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for key in keys {
                if inFlight >= 512 {
                    try await group.next()
                    inFlight -= 1
                }
                var state = AccountState(account: key)
                state.lastPoll = PollRecord(at: end, outcome: "ok", detail: "", posts: 20)
                state.pollSpans = [PollSpan(from: weekStart.addingTimeInterval(-86_400), to: end)]
                group.addTask { try await store.commit(StateCommit(account: key, before: nil, state: state)) }
                inFlight += 1
            }
            try await group.waitForAll()
        }
    }

    /// The evidence records events cite: many events cite the same answer (a shared 404 page).
    private func storeEvidence(keys: [AccountKey], store: StateStore, weekStart: Date) throws -> [EvidenceReference] {
        var references: [EvidenceReference] = []
        for index in 0..<self.evidenceRecords {
            let body = Data("<html><body><h1>404 Not Found</h1><p>post \(index) is gone</p></body></html>".utf8)
            let capture = EvidenceCapture(
                account: keys[index % keys.count], url: "http://127.0.0.1:9/post/\(index)", status: 404,
                headers: [.init(name: "Content-Type", value: "text/html")], body: body,
                fetchedAt: weekStart.addingTimeInterval(Double(index)))
            references.append(try store.storeEvidence(capture))
        }
        return references
    }

    /// Appends events `range` (history before the week, then the week's), 1,000 per append through
    /// the guarded path; a share of them cites an evidence record.
    private func append(
        range: Range<Int>, keys: [AccountKey], references: [EvidenceReference], log: DeletionLog, weekStart: Date
    ) throws {
        var generator = SeededGenerator(seed: 49 &+ UInt64(range.lowerBound))
        let text = "市政府发布关于城市交通管理的最新通知，请市民留意出行安排。The city council published a notice on road works."
        var batch: [Event] = []
        for index in range {
            let inWeek = index >= self.historyEvents
            let offset =
                inWeek
                ? Double(index - self.historyEvents) / Double(max(1, self.events)) * 7 * 86_400
                : -Double(self.historyEvents - index) / Double(max(1, self.historyEvents)) * 28 * 86_400
            let key = keys[index % keys.count]
            let roll = Int.random(in: 0..<100, using: &generator)
            let kind: EventKind = roll < 70 ? .deleted : roll < 92 ? .altered : .restored
            let post = "post-\(index)"
            var event = Event(
                id: Event.makeID(account: key, post: post, kind: kind, proof: "bench-\(index)"),
                detectedAt: weekStart.addingTimeInterval(offset), event: kind, platform: .feed, account: key,
                accountName: "Account \(index % keys.count)")
            event.postID = post
            event.url = "http://127.0.0.1:9/post/\(index)"
            event.text = text
            if kind == .altered { event.previousText = text + " (before)" }
            if kind == .deleted {
                event.reason = .removed
                event.confirmedBy = .probe
            }
            if Double.random(in: 0..<1, using: &generator) < self.evidenceShare {
                event.evidence = [references[Int.random(in: 0..<references.count, using: &generator)]]
            }
            batch.append(event)
            if batch.count == 1_000 {
                _ = try log.append(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { _ = try log.append(batch) }
    }

    /// Runs `palimpsest <arguments>` under GNU time.
    private func measure(_ name: String, arguments: [String]) throws -> Run {
        let timeFile = FileManager.default.temporaryDirectory.appendingPathComponent("bench-time-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: timeFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "%e %U %S %M", "-o", timeFile.path, self.executable.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = (try? String(contentsOf: timeFile, encoding: .utf8)) ?? ""
        let fields = text.split(whereSeparator: \.isWhitespace).suffix(4).compactMap { Double($0) }
        guard fields.count == 4 else {
            throw BenchmarkError("\(name): /usr/bin/time gave no figures (\(text))")
        }
        return Run(
            command: name, wallSeconds: fields[0], cpuSeconds: fields[1] + fields[2], peakRSSKiB: Int(fields[3]),
            exitStatus: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
