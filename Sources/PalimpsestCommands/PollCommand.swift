import ArgumentParser
import Foundation
import PalimpsestCore

struct PollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll",
        abstract: "Poll every account (or one) once, with the probes it needs, then exit.",
        discussion: """
            Prints one line per account (outcome and events) on stdout. `--now` records the poll \
            as made at the given time: for replays of recorded data and tests. Exit status 0 when \
            every poll ran (a blind poll is a normal outcome), 1 when a poll could not run \
            or its results could not all be written (state or log not writable, disk full: \
            each message says what was not written; events saved in the state but not in the \
            log are appended by the next run), 75 when a daemon (or another poll) is using the same \
            state_dir: `poll` takes the daemon's lock (state_dir/palimpsest.lock) and refuses to \
            run beside it, since both would write the same account state; `--wait` waits for the \
            lock instead. Without --account it polls the accounts of this instance's shard. \
            With [[alert]] sinks configured it then delivers what the cycle logged, and whatever \
            waits in the outbox, retrying quickly for at most --alert-wait seconds; what is left \
            waits for the next run (or the daemon). With [alarms] it raises and clears the blind \
            and mass-deletion alarms as of the poll time (docs/alerts.md).
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(
        name: .customLong("account"),
        help: ArgumentHelp(
            "Poll only this account (its key, e.g. mastodon:@user@host, or its name). Repeatable.",
            valueName: "key"))
    var accountKeys: [String] = []

    @Option(help: ArgumentHelp("Record the poll as made at this RFC 3339 time.", valueName: "time"))
    var now: String?

    @Flag(help: "Wait for a running daemon or poll on the same state_dir to finish instead of refusing.")
    var wait = false

    @Option(
        help: ArgumentHelp(
            "Seconds to spend delivering alerts after the cycle (retrying failed sinks quickly); the rest waits in the outbox.",
            valueName: "seconds"))
    var alertWait: Double = 15

    func run() async throws {
        let logger = self.options.bootstrapLogging()
        let config = try self.options.loadConfig()
        let accounts =
            self.accountKeys.isEmpty
            ? config.watchedAccounts : try selectAccounts(config.accounts, keys: self.accountKeys)
        // Nothing to poll: refused as `run` refuses it, not a silent exit 0 that reads as a poll
        // with nothing new (found by a tester).
        if self.accountKeys.isEmpty { try refuseWatchingNothing(config) }
        let time: Date
        if let text = self.now {
            guard let parsed = RFC3339.date(from: text) else {
                throw ValidationError(
                    "--now: expected an RFC 3339 time such as 2026-11-29T12:00:00Z, found \"\(text)\"")
            }
            time = parsed
        } else {
            time = Date()
        }
        let lock: StateDirectoryLock
        do {
            lock = try StateDirectoryLock.acquire(
                stateDirectory: config.daemon.stateDirectory, wait: self.wait, purpose: "palimpsest poll",
                waitOption: "--wait")
        } catch let held as StateDirectoryLock.Held {
            printError("\(held)")
            throw ExitCode(75)
        }
        defer { withExtendedLifetime(lock) {} }
        let runtime = try MonitorRuntime(config: config, logger: logger)
        defer { runtime.shutdown() }
        await runtime.alerts?.start(now: time)
        // Of each result, only what is printed and what the alarms read is kept (its lines, or
        // its error's message), in account order.
        let formatter = EventLineFormatter()
        var outputs = [PollOutput?](repeating: nil, count: accounts.count)
        var views = [AlarmInputs.AccountView?](repeating: nil, count: accounts.count)
        await PollCycle(poller: runtime.poller, concurrency: config.daemon.concurrency).run(accounts, at: time) {
            index, result in
            switch result {
            case .polled(let report):
                let name = TerminalText.singleLine(report.account.displayName)
                let events = Plural.count(report.events.count, "event")
                let detail = TerminalText.singleLine(report.record.detail)
                outputs[index] = .lines(
                    ["\(name): \(report.record.outcome): \(detail); \(events)"]
                        + report.events.map { "  " + formatter.format($0) })
                if runtime.alerts != nil {
                    views[index] = AlarmInputs.AccountView(
                        key: report.account.key, name: report.account.name, platform: report.account.platform,
                        blind: report.blindSpan)
                }
            case .fault(_, let error as PollWriteError):
                // The message names the account.
                outputs[index] = .fault("\(error)")
            case .fault(let account, let error):
                outputs[index] = .fault("\(TerminalText.singleLine(account.displayName)): poll could not run: \(error)")
            }
        }
        if let alerts = runtime.alerts {
            await alerts.evaluateAlarms(AlarmInputs(accounts: views.compactMap { $0 }), now: time)
            if !config.alerts.isEmpty {
                let drained = await alerts.dispatcher.drain(within: max(0, self.alertWait))
                if drained.waiting > 0 {
                    printError(
                        "alerts: \(Plural.count(drained.waiting, "alert")) could not be delivered within "
                            + "\(self.alertWait) s; they wait in the outbox for the next run (see the warnings above)")
                }
            }
        }
        var faults = 0
        // The report's lines go to stdout in blocks of up to 64 KiB, not one write per line (a
        // cycle over 10,000 accounts made 10,000 write calls); a block goes out before each message
        // on stderr, so the two streams keep their order.
        var block = ""
        func flushLines() {
            guard !block.isEmpty else { return }
            FileHandle.standardOutput.write(Data(block.utf8))
            block = ""
        }
        func addLine(_ line: String) {
            block += TerminalText.safe(line) + "\n"
            if block.utf8.count >= 65_536 { flushLines() }
        }
        for output in outputs {
            switch output {
            case .lines(let lines):
                for line in lines { addLine(line) }
            case .fault(let message):
                faults += 1
                flushLines()
                printError(message)
            case nil:
                preconditionFailure("the cycle hands over one result per account")
            }
        }
        flushLines()
        // A state a full disk kept in memory: one last try before this process and its memory go.
        for (account, result) in runtime.stateStore.saveUnsavedStates() {
            switch result {
            case .success:
                printError("\(account): its state is written after all (the disk had room again)")
            case .failure(let error):
                printError(
                    "\(account): its state could not be written: \(error). What this run found for it "
                        + "(a blind span's start, events not yet logged) is lost; free space and run "
                        + "palimpsest poll again: it observes the account afresh")
            }
        }
        if faults > 0 { throw ExitCode(1) }
    }
}

/// The accounts named by `--account` (key or name), or all of them.
/// - Throws: `ValidationError` naming the first `--account` that names no account, with the
///   accounts whose key or name contains it, else the first few accounts of the config (a config
///   of 100,000 accounts is not listed whole).
func selectAccounts(_ accounts: [Account], keys: [String]) throws -> [Account] {
    guard !keys.isEmpty else { return accounts }
    return try keys.map { key in
        guard let account = accounts.first(where: { $0.key.rawValue == key || $0.name == key }) else {
            throw ValidationError(unknownAccountMessage(key, accounts: accounts))
        }
        return account
    }
}

/// What `--account key` says when no account has that key or name (as `status --account`
/// says it), with at most `shown` accounts whose key or name contains it, ignoring case, else the
/// config's first `shown` accounts. The config's accounts are never listed whole: there may be
/// 100,000 of them.
func unknownAccountMessage(_ key: String, accounts: [Account], shown: Int = 10) -> String {
    let lookedFor = key.lowercased()
    let similar =
        lookedFor.isEmpty
        ? []
        : accounts.filter {
            $0.key.rawValue.lowercased().contains(lookedFor) || ($0.name?.lowercased().contains(lookedFor) ?? false)
        }
    let listed = similar.isEmpty ? accounts : similar
    var names = listed.prefix(shown).map { account in
        account.name.map { "\(account.key.rawValue) (\($0))" } ?? account.key.rawValue
    }
    if listed.count > shown { names.append("and \(listed.count - shown) more") }
    let lead = similar.isEmpty ? "The config's accounts" : "Keys or names containing it"
    return StatusReport.AccountSelectionError(request: key, shard: nil).description + ". \(lead): "
        + names.joined(separator: ", ")
}

/// What `palimpsest poll` prints of one account's poll.
private enum PollOutput {
    /// Its lines on stdout: the outcome, then one per event.
    case lines([String])
    /// Why the poll could not run, on stderr.
    case fault(String)
}
