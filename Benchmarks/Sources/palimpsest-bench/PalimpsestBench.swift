import ArgumentParser
import Foundation
import PalimpsestCore

/// `palimpsest-bench` (`make benchmark`): throughput, latency and memory figures of the real code
/// paths, printed as tables. Nothing leaves the machine: phase 3 talks to 127.0.0.1 only.
@main
struct PalimpsestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "palimpsest-bench",
        abstract: "Measure feed parsing, detection and whole polls over loopback; print the figures.",
        discussion: """
            1. Feed parsing: recorded real RSSHub and YouTube feeds read through FeedAdapter.observe.
            2. Detection: WindowDiffer.diff + Confirmer.apply over synthetic timelines (new, edited \
            and deleted posts at every poll), in memory.
            3. End to end: a loopback ReplayServer serves each account's timeline as RSS; the libcurl \
            client, state store, deletion log and poller poll every account once per cycle (state \
            in a temporary folder, removed at the end unless --keep); then --unchanged-cycles more \
            cycles in which no feed changed (bytes written and state growth per cycle).
            4. Memory: peak resident set size after each phase.
            5. With --log-scale (`make benchmark-digest`) instead: a state folder and deletion log \
            made through the real store and log (--log-accounts accounts, --log-events events in \
            one ISO week after --log-history older ones, 40% citing WARC evidence), then \
            `palimpsest digest` (twice: the second reuses the index and verification memo), \
            `status`, `tail -n 10` and `verify` each timed as its own process: wall, CPU, peak RSS.
            """
    )

    @Option(help: ArgumentHelp("Accounts in phases 2 and 3 (default 50; 10 with --quick).", valueName: "n"))
    var accounts: Int?

    @Option(help: ArgumentHelp("Posts per timeline window (default 20).", valueName: "n"))
    var posts: Int?

    @Option(help: ArgumentHelp("Polls per account in phases 2 and 3 (default 6; 4 with --quick).", valueName: "n"))
    var polls: Int?

    @Option(
        help: ArgumentHelp("Most polls running at once in phase 3 (default 64, as `palimpsest poll`).", valueName: "n"))
    var concurrency: Int = 64

    @Option(help: ArgumentHelp("Cycles with every feed unchanged after phase 3's (default 2).", valueName: "n"))
    var unchangedCycles: Int = 2

    @Flag(help: "Smaller sizes and shorter repetitions, for a smoke run of a few seconds.")
    var quick = false

    @Option(help: ArgumentHelp("Folder of recorded fixtures (holding feeds/).", valueName: "path"))
    var fixtures: String = "Tests/Fixtures/real"

    @Flag(help: "Keep phase 3's temporary state folder and deletion log, and print where they are.")
    var keep = false

    @Flag(help: "Run only phase 5: digest, status, tail and verify over a large generated log.")
    var logScale = false

    @Option(help: ArgumentHelp("Accounts in phase 5 (default 100000).", valueName: "n"))
    var logAccounts: Int = 100_000

    @Option(help: ArgumentHelp("Events in phase 5's week (default 100000).", valueName: "n"))
    var logEvents: Int = 100_000

    @Option(help: ArgumentHelp("Events before phase 5's week (default 50000).", valueName: "n"))
    var logHistory: Int = 50_000

    @Option(
        help: ArgumentHelp(
            "The palimpsest executable phase 5 runs (default: the one beside palimpsest-bench), e.g. an older build "
                + "to compare.", valueName: "path"))
    var palimpsest: String?

    /// Accounts after defaults.
    private var accountCount: Int { self.accounts ?? (self.quick ? 10 : 50) }
    /// Posts per window after defaults.
    private var postCount: Int { self.posts ?? 20 }
    /// Polls per account after defaults.
    private var pollCount: Int { self.polls ?? (self.quick ? 4 : 6) }

    func validate() throws {
        guard (1...10_000).contains(self.accountCount) else { throw ValidationError("--accounts: expected 1 to 10000") }
        guard (5...1_000).contains(self.postCount) else { throw ValidationError("--posts: expected 5 to 1000") }
        guard (2...1_000).contains(self.pollCount) else { throw ValidationError("--polls: expected 2 to 1000") }
        guard (1...1_024).contains(self.concurrency) else { throw ValidationError("--concurrency: expected 1 to 1024") }
        guard (0...100).contains(self.unchangedCycles) else {
            throw ValidationError("--unchanged-cycles: expected 0 to 100")
        }
        // Phase 2 builds every observation before its clock starts: about 1 KB of memory per post.
        guard self.accountCount * self.pollCount * self.postCount <= 1_000_000 else {
            throw ValidationError("--accounts × --polls × --posts: expected at most 1 000 000 posts in all")
        }
    }

    func run() async throws {
        if self.logScale {
            try await self.runLogScale()
            return
        }
        var memory = [("start", ProcessStats.peakResidentKiB())]
        self.printHeader()

        let parsing = try FeedParsingBenchmark(
            fixturesFolder: URL(fileURLWithPath: self.fixtures).standardizedFileURL,
            repetition: Repetition(minimumSeconds: self.quick ? 0.1 : 0.5)
        ).run()
        self.printParsing(parsing)
        memory.append(("1. feed parsing", ProcessStats.peakResidentKiB()))

        let detection = DetectionBenchmark(
            accounts: self.accountCount, posts: self.postCount, polls: self.pollCount,
            repetition: Repetition(minimumSeconds: self.quick ? 0.2 : 1.0, minimumRuns: 3, maximumRuns: 100_000)
        ).run()
        self.printDetection(detection)
        memory.append(("2. detection", ProcessStats.peakResidentKiB()))

        let endToEnd = try await EndToEndBenchmark(
            accounts: self.accountCount, posts: self.postCount, polls: self.pollCount,
            concurrency: self.concurrency, keep: self.keep, unchangedCycles: self.unchangedCycles
        ).run()
        self.printEndToEnd(endToEnd, detection: detection)
        memory.append(("3. end to end", ProcessStats.peakResidentKiB()))

        say("\n4. Memory: peak resident set size so far (getrusage ru_maxrss)")
        var table = TextTable(["after", "peak RSS KiB", "MiB"])
        for (phase, kib) in memory {
            table.add([phase, Figures.format(kib), Figures.format(Double(kib) / 1024, decimals: 1)])
        }
        say(table.render())
        if endToEnd.faults > 0 || endToEnd.completePolls != endToEnd.polls {
            throw BenchmarkError("phase 3: not every poll completed; the figures do not measure what they claim")
        }
    }

    private func runLogScale() async throws {
        self.printHeader()
        let executable =
            self.palimpsest.map { URL(fileURLWithPath: $0).standardizedFileURL }
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
            .deletingLastPathComponent().appendingPathComponent("palimpsest")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw BenchmarkError(
                "phase 5 runs \(executable.path), which is missing: build the palimpsest product first")
        }
        let benchmark = LogScaleBenchmark(
            accounts: self.logAccounts, events: self.logEvents, historyEvents: self.logHistory,
            executable: executable, keep: self.keep)
        say(
            "\n5. Log readers: \(Figures.format(self.logAccounts)) accounts, \(Figures.format(self.logEvents)) events in "
                + "\(benchmark.week) after \(Figures.format(self.logHistory)) older ones; each command its own process")
        let result = try await benchmark.run()
        say(
            "  made in \(Figures.format(result.generationSeconds, decimals: 1)) s: log "
                + "\(Figures.megabytes(result.logBytes)), \(Figures.format(result.logLines)) lines")
        var table = TextTable(["command", "wall s", "CPU s", "peak RSS MiB", "exit"])
        for run in result.runs {
            table.add([
                run.command, Figures.format(run.wallSeconds, decimals: 2), Figures.format(run.cpuSeconds, decimals: 2),
                Figures.format(Double(run.peakRSSKiB) / 1024, decimals: 1), "\(run.exitStatus)",
            ])
        }
        say(table.render())
        for run in result.runs where run.exitStatus != 0 && run.command != "verify" {
            say("  \(run.command) failed: \(run.output.suffix(2_000))")
        }
        if self.keep { say("  kept    \(result.folder.path)") }
    }

    // MARK: - Printing

    private func printHeader() {
        let info = ProcessInfo.processInfo
        #if DEBUG
            let build = "DEBUG build: figures are not representative, build with -c release"
        #else
            let build = "release build"
        #endif
        let timeline = SyntheticTimeline(account: 0, windowSize: self.postCount)
        let memory = Figures.format(Double(info.physicalMemory) / 1_073_741_824, decimals: 1)
        say("palimpsest-bench: \(build)")
        say(
            "machine: \(info.activeProcessorCount) CPUs, \(memory) GiB RAM, \(info.operatingSystemVersionString), "
                + "libcurl \(CurlHTTPClient.libcurlVersion)")
        say(
            "sizes: \(self.accountCount) accounts, \(self.postCount) posts per window, \(self.pollCount) polls per "
                + "account; before each poll after the first, per account: \(timeline.newPerPoll) new, "
                + "\(timeline.changesPerPoll) edited, \(timeline.changesPerPoll) deleted")
    }

    private func printParsing(_ results: [FeedParsingBenchmark.Result]) {
        say("\n1. Feed parsing: FeedAdapter.observe (FeedParser, posts, version hashes) of recorded real feeds")
        var table = TextTable(["fixture", "bytes", "items", "reads", "ms/read", "MB/s", "items/s"])
        for result in results {
            let perRead = result.seconds / Double(result.runs)
            table.add([
                result.name, Figures.format(result.bytes), Figures.format(result.items), Figures.format(result.runs),
                Figures.format(perRead * 1000, decimals: 3),
                Figures.format(Double(result.bytes) / perRead / 1e6, decimals: 1),
                Figures.format(Double(result.items) / perRead),
            ])
        }
        say(table.render())
    }

    private func printDetection(_ result: DetectionBenchmark.Result) {
        say("\n2. Detection: WindowDiffer.diff + Confirmer.apply, in memory, every account from an empty memory")
        let time = result.seconds / Double(result.rounds)
        var table = TextTable(["observations", "posts", "rounds", "µs/observation", "observations/s", "posts/s"])
        table.add([
            Figures.format(result.observations), Figures.format(result.posts), Figures.format(result.rounds),
            Figures.format(time / Double(result.observations) * 1e6, decimals: 1),
            Figures.format(Double(result.observations) / time), Figures.format(Double(result.posts) / time),
        ])
        say(table.render())
        say("  events per round: \(Self.describe(result.events))")
    }

    private func printEndToEnd(_ result: EndToEndBenchmark.Result, detection: DetectionBenchmark.Result) {
        say(
            "\n3. End to end over loopback: ReplayServer, CurlHTTPClient, AccountPoller via PollCycle, StateStore, "
                + "DeletionLog; at most \(self.concurrency) polls at once, 4 transfers per host (the daemon's default)")
        let milliseconds = { (p: Double) in
            Figures.percentile(p, of: result.latencies).map { Figures.format($0 * 1000, decimals: 1) } ?? "-"
        }
        var table = TextTable(["polls", "complete", "seconds", "polls/s", "p50 ms", "p90 ms", "p99 ms", "max ms"])
        table.add([
            Figures.format(result.polls), Figures.format(result.completePolls),
            Figures.format(result.seconds, decimals: 2),
            Figures.format(Double(result.polls) / result.seconds, decimals: 1),
            milliseconds(50), milliseconds(90), milliseconds(99), milliseconds(100),
        ])
        say(table.render())
        let feeds = result.http.responses - result.probes
        let rate = Figures.format(Double(result.http.bodyBytes) / result.seconds / 1e6, decimals: 2)
        say(
            "  HTTP    \(Figures.format(result.http.responses)) answers (\(Figures.format(feeds)) feeds, "
                + "\(Figures.format(result.probes)) probes), \(Figures.megabytes(result.http.bodyBytes)) of bodies, "
                + "\(rate) MB/s")
        let matches =
            result.events == detection.events ? "same as phase 2" : "phase 2: \(Self.describe(detection.events))"
        say(
            "  events  \(Self.describe(result.events)) (\(matches)); deletion log "
                + "\(Figures.format(result.logLines)) lines, \(Figures.format(result.logBytes)) bytes")
        let written = result.storageBytesWritten.map { Figures.megabytes($0) } ?? "unknown"
        let perPoll = result.storageBytesWritten.map { Figures.format($0 / max(1, result.polls)) } ?? "unknown"
        say(
            "  disk    \(written) written during the cycles (/proc/self/io write_bytes), \(perPoll) bytes per poll; "
                + "state_dir at the end \(Figures.megabytes(result.stateBytes)) in "
                + "\(Figures.format(result.stateFiles)) files")
        if !result.unchangedCycles.isEmpty {
            say("  cycles in which no feed changed (same answers, 10 minutes later each):")
            var table = TextTable([
                "cycle", "polls", "ended unchanged", "seconds", "CPU s (process)", "written bytes", "bytes/poll",
                "state growth bytes",
            ])
            for (index, cycle) in result.unchangedCycles.enumerated() {
                table.add([
                    Figures.format(index + 1), Figures.format(cycle.polls), Figures.format(cycle.unchangedPolls),
                    Figures.format(cycle.seconds, decimals: 2), Figures.format(cycle.cpuSeconds, decimals: 2),
                    cycle.storageBytesWritten.map { Figures.format($0) } ?? "unknown",
                    cycle.storageBytesWritten.map { Figures.format($0 / max(1, cycle.polls)) } ?? "unknown",
                    Figures.format(cycle.stateGrowth),
                ])
            }
            say(table.render())
            say("  (CPU includes the in-process replay server; Scripts/unchanged_cycles.py measures `poll` alone)")
        }
        if let spool = result.spool {
            say(
                "  spool   collection at the end: \(spool.filesRemoved) of \(spool.filesExamined) spool files removed "
                    + "(\(Figures.megabytes(spool.bytesRemoved))), \(Figures.format(spool.recordsCopied)) cited records "
                    + "copied on; state_dir then \(Figures.megabytes(result.stateBytesAfterCollection))")
        }
        if let fault = result.firstFault {
            say("  FAULTS: \(result.faults) polls could not run; first: \(fault)")
        }
        if let folder = result.keptFolder {
            say("  kept    \(folder.path)")
        }
    }

    /// `3 deleted, 5 altered`: counts in the order of ``EventKind``; `none` when empty.
    private static func describe(_ events: [EventKind: Int]) -> String {
        let parts = EventKind.allCases.compactMap { kind in
            events[kind].map { "\(Figures.format($0)) \(kind.rawValue)" }
        }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}

/// Writes one line to stdout at once, so each phase shows as soon as it ends.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
