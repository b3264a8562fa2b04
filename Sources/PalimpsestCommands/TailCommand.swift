import ArgumentParser
import Foundation
import PalimpsestCore

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print the deletion log, one readable line per event.",
        discussion: """
            Each line: local time, event and reason, account, post, lifetime interval and the \
            first 80 columns of the text. The files logrotate made of the log (deletions.jsonl.1, \
            deletions.jsonl.2.gz, deletions.jsonl-20261101.gz, …) are read first, oldest first. \
            `--json` prints the log's own JSON lines instead (for jq). `--follow` keeps printing \
            new events as they are appended, like `tail -F`, and survives log rotation. When \
            the config file is invalid (a reload was rejected), tail reads the log of the config \
            the daemon runs (state_dir/running-config.json) and says so on stderr.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(name: .shortAndLong, help: "Keep printing events as they are appended.")
    var follow = false

    @Flag(help: "Print the raw JSON lines.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Only events detected at or after this time.",
            discussion:
                "An RFC 3339 time (2026-12-05T14:00:00Z), a date (2026-12-05: from local midnight), a local time "
                + "(2026-12-05 14:00, or 14:00 for today) or a span back from now (30m, 1h, 2d).",
            valueName: "time"))
    var since: String?

    @Option(
        name: .customLong("account"),
        help: ArgumentHelp("Only events of this account (key or configured name). Repeatable.", valueName: "key"))
    var accounts: [String] = []

    @Option(help: ArgumentHelp("Read this log file instead of the config's deletion_log.", valueName: "path"))
    var log: String?

    @Option(
        name: [.customShort("n"), .customLong("lines")],
        help: ArgumentHelp(
            "Print only the last <n> events (after --since and --account); with --follow, then what is appended.",
            discussion: "Without filters only the end of the log is read, however long its history.",
            valueName: "n"))
    var lines: Int?

    func validate() throws {
        if let lines, lines < 0 { throw ValidationError("--lines must be 0 or more, not \(lines)") }
    }

    func run() async throws {
        let url: URL
        var names: [String: String] = [:]
        if let log = self.log {
            url = URL(fileURLWithPath: log)
        } else {
            let (config, _) = try self.options.loadConfigOrRunningConfig(command: "tail")
            url = config.daemon.deletionLog
            for account in config.accounts { if let name = account.name { names[name] = account.key.rawValue } }
            let known = Set(config.accounts.map(\.key.rawValue))
            for requested in self.accounts where names[requested] == nil && !known.contains(requested) {
                printError(
                    "tail: --account \(requested) matches no configured account (by key or name); "
                        + "showing only its past events, if the log has any")
            }
        }
        var sinceDate: Date?
        if let since = self.since {
            do {
                sinceDate = try SinceTime.date(from: since, now: Date(), timeZone: .current)
            } catch {
                throw ValidationError("--since: \(error.message)")
            }
        }
        let keys = Set(self.accounts.map { names[$0] ?? $0 })
        let filter = { (event: Event) -> Bool in
            if let sinceDate, event.detectedAt < sinceDate { return false }
            if !keys.isEmpty, !keys.contains(event.account.rawValue) { return false }
            return true
        }
        let formatter = EventLineFormatter()
        let encoder = JSONCoding.lineEncoder()
        let emit = { (event: Event) in
            if self.json {
                if let data = try? encoder.encode(event) { printJSON(String(decoding: data, as: UTF8.self)) }
            } else {
                printLine(formatter.format(event))
            }
        }
        let hasLog =
            try FileManager.default.fileExists(atPath: url.path)
            || !DeletionLogSet.rotatedFiles(of: url).isEmpty
        if self.follow, let count = self.lines {
            // As `tail -F -n N`: the last N events, then what is appended. The follower's start is
            // decided first, so an event appended meanwhile is not lost; one printed in both is
            // printed once (event ids are unique).
            let appended = LogFollower(url: url).events(fromStart: false)
            var printed = Set<String>()
            if hasLog {
                for event in try DeletionLogSet.read(url: url).events.filter(filter).suffix(count) {
                    emit(event)
                    printed.insert(event.id)
                }
            }
            for try await event in appended where filter(event) && !printed.contains(event.id) { emit(event) }
        } else if self.follow {
            for try await event in LogFollower(url: url).events(fromStart: true, includingRotated: true)
            where filter(event) {
                emit(event)
            }
        } else {
            guard hasLog else {
                printError("\(url.path): no deletion log yet (nothing has been found, or the daemon has not run).")
                return
            }
            if let count = self.lines, sinceDate == nil, keys.isEmpty,
                let last = try DeletionLogSet.lastEvents(url: url, count: count)
            {
                for event in last { emit(event) }
                return
            }
            // The log and the files logrotate made of it, oldest first.
            let set = try DeletionLogSet.read(url: url)
            for problem in set.problems where problem.kind == .unreadableFile {
                printError("tail: \(problem)")
            }
            let shown = set.events.filter(filter)
            for event in self.lines.map({ shown.suffix($0) }) ?? shown[...] { emit(event) }
        }
    }
}
