import ArgumentParser
import Foundation
import Logging
import PalimpsestCore

struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Write the weekly digest (Markdown, HTML, CSV, JSON) and optionally e-mail it.",
        discussion: """
            Reads the deletion log (and the [digest] logs), plus the state folder for media, post \
            history and evidence, and writes digest.md, digest.html, events.csv and digest.json for \
            one ISO week (Monday 00:00 to Monday 00:00 in the digest's time zone) into \
            <[digest] dir>/<week>/, or into --out. Without --week or --last-week: the current week \
            so far. The same log gives byte-identical files except the generation time, which \
            --reproducible leaves out. --send then e-mails the digest through [digest.smtp] \
            (retried with backoff; the files are written first either way). Safe to run while the \
            daemon runs. The log is checked as `palimpsest verify` does, going on from the last \
            check that found nothing wrong (state_dir/verify-memo.json: only lines whose bytes \
            changed or were appended since are checked again; the witness says which), and the \
            week's lines are read through state_dir/log-index.sqlite (caught up from the log first, \
            rebuilt when missing). See docs/digest.md and docs/evidence.md.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("The ISO week, e.g. 2026-W48.", valueName: "week"))
    var week: String?

    @Flag(help: "The week before the current one (for the Monday timer).")
    var lastWeek = false

    @Option(
        help: ArgumentHelp(
            "IANA time zone of the week and of the times shown, e.g. Asia/Shanghai (default: [digest] time_zone).",
            valueName: "zone"
        )
    )
    var timeZone: String?

    @Option(help: ArgumentHelp("Write the files into this folder instead of <[digest] dir>/<week>.", valueName: "dir"))
    var out: String?

    @Flag(help: "E-mail the digest through [digest.smtp] after writing the files.")
    var send = false

    @Flag(help: "Leave the generation time out, so the same log always gives the same bytes.")
    var reproducible = false

    // Unconditional: `--entries-in-full -1` reaches validate() and its range message instead of
    // reading as a missing value.
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "The most entries digest.md and digest.html show in full, accounts with the most deletions "
                + "first; 0 shows every entry (default: [digest] entries_in_full, else 1000). "
                + "events.csv and digest.json always hold every event.",
            valueName: "n"
        )
    )
    var entriesInFull: Int?

    func validate() throws {
        if self.week != nil, self.lastWeek {
            throw ValidationError("give either --week or --last-week, not both")
        }
        if let week = self.week, ISOWeek(week) == nil {
            throw ValidationError("--week \(week): expected an ISO week such as 2026-W48 (year, -W, two-digit week)")
        }
        if let limit = self.entriesInFull, !(0...DigestSettings.maximumEntriesInFull).contains(limit) {
            throw ValidationError(
                "--entries-in-full \(limit): expected a number from 0 (every entry) to "
                    + "\(DigestSettings.maximumEntriesInFull)")
        }
        if let zone = self.timeZone, TimeZone(identifier: zone) == nil {
            throw ValidationError("--time-zone \(zone): expected an IANA time zone name such as UTC or Asia/Shanghai")
        }
    }

    func run() async throws {
        let logger = self.options.bootstrapLogging()
        let config = try self.options.loadConfig()
        let zone = self.timeZone.flatMap { TimeZone(identifier: $0) } ?? config.digest.timeZone
        let now = Date()
        let current = ISOWeek(containing: now, in: zone)
        let week = self.week.flatMap { ISOWeek($0) } ?? (self.lastWeek ? current.previous : current)
        if self.send, config.digest.smtp == nil {
            printError(
                "--send needs a [digest.smtp] table in \(config.file.path) (url, from, to): see docs/configuration.md"
            )
            throw ExitCode(78)
        }

        // A signed checkpoint for the digest, so that the digest's witness covers the log up to now.
        if FileManager.default.fileExists(atPath: config.evidence.signingKeyFile.path),
            FileManager.default.fileExists(atPath: config.daemon.deletionLog.path)
        {
            await Self.checkpoint(config: config, logger: logger)
        }
        let folder = self.out.map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL }
        let job = DigestJob(
            config: config,
            week: week,
            timeZone: zone,
            outputFolder: folder,
            reproducible: self.reproducible,
            now: now,
            entriesInFull: self.entriesInFull ?? config.digest.entriesInFull
        )
        let output: DigestJob.Output
        do {
            output = try await job.write()
        } catch {
            printError("palimpsest digest: \(error)")
            throw ExitCode.failure
        }
        keepUntilExit((output, config))
        let totals = output.digest.totals
        let findings =
            totals.isEmpty
            ? "nothing found"
            : "\(totals.count(.deleted)) deleted, \(totals.count(.altered)) altered, "
                + "\(totals.count(.restored)) restored"
        printLine(
            "Digest \(week) (\(output.digest.timeZone)): \(findings); "
                + "\(Plural.count(totals.accountsWatched, "account")) watched."
        )
        printLine("Written to \(job.folder.path)/")
        for url in output.written { printLine("  \(url.lastPathComponent)") }
        let detail = output.files.detail
        if detail.isPartial {
            printLine(
                "digest.md and digest.html show \(detail.shownEntries) of the week's "
                    + "\(detail.shownEntries + detail.omittedEntries) entries in full, in "
                    + "\(detail.detailedAccounts) of \(Plural.count(output.digest.accounts.count, "account")) "
                    + "(entries_in_full = \(job.entriesInFull)); events.csv and digest.json hold every event.")
        }
        try await self.send(output, of: job, config: config, logger: logger)
        // What the digest warns of at its top also fails the run, so that a timer or cron job
        // notices (found by a tester: exit 0 over a broken log).
        let digest = output.digest
        var problems: [String] = []
        let breaks = digest.sources.reduce(0) { $0 + $1.chainBreaks.count }
        if breaks > 0 { problems.append("\(Plural.count(breaks, "break")) of the log's hash chain") }
        if let verdict = digest.verdict {
            problems.append(Plural.count(verdict.problems.count, "problem") + " of the log")
        }
        if let states = digest.stateProblems {
            problems.append("\(Plural.count(states.count, "account")) whose state does not read")
        }
        if !problems.isEmpty {
            printError(
                "palimpsest digest: written, with warnings at its top: \(problems.joined(separator: ", ")); "
                    + "see `palimpsest verify` and `palimpsest status` (exit status 2)")
            throw ExitCode(2)
        }
    }

    /// E-mails the digest when `--send` asks for it.
    /// - Throws: `ExitCode(75)` when it could not be sent (the files stay).
    private func send(_ output: DigestJob.Output, of job: DigestJob, config: PalimpsestConfig, logger: Logger)
        async throws
    {
        guard self.send, let smtp = config.digest.smtp else { return }
        let message = job.message(of: output, through: smtp)
        let size = message.bytes.count
        if size > DigestMessage.largeMessageBytes {
            printError(
                "palimpsest digest: warning: the e-mail is \(DigestMessage.mebibytes(size)); many mail servers refuse "
                    + "messages over 10 to 25 MB. Sending it anyway; if it is refused, lower [digest] entries_in_full "
                    + "(now \(job.entriesInFull)) or [digest.smtp] max_attachment_size.")
        }
        do {
            let attempts = try await job.send(output, message: message) { attempt, error, delay in
                logger.warning(
                    "digest e-mail attempt failed; retrying",
                    metadata: [
                        "smtp.server": "\(error.server)", "attempt": "\(attempt)", "retry.in_s": "\(Int(delay))",
                        "error": "\(error)",
                    ]
                )
            }
            let tries = attempts == 1 ? "" : " (after \(attempts) attempts)"
            printLine("Sent to \(smtp.to.joined(separator: ", ")) through \(smtp.url.host ?? "?")\(tries).")
            if !message.attachesCSV {
                printLine(
                    "events.csv (\(DigestMessage.mebibytes(output.files.csv.count))) was not attached: it is larger "
                        + "than [digest.smtp] max_attachment_size (\(DigestMessage.mebibytes(smtp.maxAttachmentBytes))); "
                        + "the message says where it is.")
            }
        } catch {
            printError("palimpsest digest: \(error)")
            // EX_TEMPFAIL: systemd marks the run failed; the files written above stay.
            throw ExitCode(75)
        }
    }

    /// Appends a checkpoint through the guarded path (and has it timestamped when authorities are
    /// configured); a failure is reported, and the digest is made anyway.
    static func checkpoint(config: PalimpsestConfig, logger: Logger) async {
        let daemon = config.daemon
        do {
            let log = try await BlockingIO.run {
                try DeletionLog(
                    url: daemon.deletionLog, headURL: daemon.stateDirectory.appendingPathComponent(ChainHead.fileName))
            }
            var client: CurlHTTPClient?
            if !config.evidence.tsaURLs.isEmpty {
                try CurlHTTPClient.globalInit()
                var http = HTTPClientConfiguration()
                http.userAgent = daemon.userAgent
                http.proxy = daemon.proxy
                client = try CurlHTTPClient(configuration: http)
            }
            defer { client?.shutdown() }
            let checkpointer = LogCheckpointer(
                log: log, settings: config.evidence, stateDirectory: daemon.stateDirectory, client: client,
                logger: logger)
            await checkpointer.checkpoint()
        } catch {
            logger.error("no checkpoint for this digest", metadata: ["error": "\(error)"])
        }
    }
}
