import ArgumentParser
import Foundation
import PalimpsestCore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract:
            "Show what the daemon watches and how well: per account its last and next poll, blind span, posts, "
            + "pending candidates, events.",
        discussion: """
            Read-only: safe while the daemon runs. Reads state_dir/status.json (rewritten by the \
            daemon every few seconds while it polls), each account's state, and the \
            deletion log's events of the last 7 days through state_dir/log-index.sqlite (a cache \
            of where each line is, caught up from the log first; the only file status writes). Per account: key and name, last poll time and outcome, next poll due, \
            the current blind span if any, posts tracked, the findings still being proved \
            (deletion and restore candidates, each with why it waits: absence counted so far, \
            probes that answered nothing conclusive), events of the last 7 days (the \
            deletions of originals the account reposted, which are not its own posts, are \
            counted apart as reposts), and the \
            worst-case delay from a deletion to its log entry (interval plus confirmation by \
            absence). `--json` prints the same as one JSON document. When the config file is \
            invalid (a reload was rejected), status shows the config the daemon runs, which it \
            keeps in state_dir/running-config.json, and says so. `--account` shows only the \
            accounts it names, and reads only their states (with many accounts, much faster).
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print one JSON document instead of text.")
    var json = false

    @Option(
        name: .customLong("account"),
        help: ArgumentHelp(
            "Only this account (its key or configured name). Repeatable.",
            discussion:
                "A name several accounts share shows them all. An account the config does not watch is an "
                + "error (exit status 64).",
            valueName: "key"))
    var accounts: [String] = []

    func run() async throws {
        let (config, fallback) = try self.options.loadConfigOrRunningConfig(command: "status")
        var selected: Set<AccountKey>?
        if !self.accounts.isEmpty {
            do {
                selected = try StatusReport.selectAccounts(self.accounts, in: config)
            } catch {
                printError("status: \(error)")
                throw ExitCode(64)
            }
        }
        var report = try StatusReport.gather(config: config, accounts: selected)
        keepUntilExit((report, config))
        if let fallback {
            report.configProblem = fallback.summary
            report.runningConfigAcceptedAt = fallback.record.acceptedAt
        }
        if self.json {
            // The bytes of `JSONCoding.documentEncoder()`, written a megabyte at a time (the
            // accounts encoded one by one as they are written).
            try DocumentJSONEncoder.write(report) { bytes in FileHandle.standardOutput.write(Data(bytes)) }
            FileHandle.standardOutput.write(Data("\n".utf8))
        } else {
            printLine(report.render())
        }
    }
}
