import ArgumentParser
import Foundation
import PalimpsestCore

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Act on the deletion log itself (after a break of its guarded chain head).",
        subcommands: [LogContinueCommand.self]
    )
}

struct LogContinueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "continue",
        abstract: "Record a break of the log's chain (a log_break line) and let appends resume.",
        discussion: """
            The daemon keeps the chain head (the last line it wrote: file, byte offset, seq, \
            SHA-256) in state_dir/log-head.json and checks the log's tail against it before every \
            append. When the last line was edited or cut, a torn line was left by a power loss, a \
            line that does not chain was added, or the file was emptied or replaced, it appends \
            nothing: events wait in the state and it says so on every poll. Keep a copy of the log \
            as it is, look at what changed (`palimpsest verify`), then run this command: it \
            appends one `log_break` line recording what the head expected, what the file holds, \
            your reason, and the lines it sets aside, chained from the last line that still \
            chains. Nothing is rewritten or removed; the break itself is evidence, and verify and \
            the digest show it. The waiting events are appended at each account's next poll. \
            Exits 1 when there is nothing to continue (the tail matches the head). See \
            docs/deletion-log.md, "The guarded chain head".
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(
        help: ArgumentHelp(
            "Why the chain is continued (kept in the log_break line): what happened, who decided.",
            valueName: "text"))
    var reason: String

    func validate() throws {
        if self.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--reason: say why the chain is continued (it is kept in the log)")
        }
    }

    func run() async throws {
        let config = try self.options.loadConfig()
        let daemon = config.daemon
        let reason = self.reason
        do {
            let record = try await BlockingIO.run {
                let log = try DeletionLog(
                    url: daemon.deletionLog,
                    headURL: daemon.stateDirectory.appendingPathComponent(ChainHead.fileName))
                return try log.continueAfterBreak(reason: reason, at: Date())
            }
            guard let logBreak = record.logBreak else { return }
            printLine(
                "log continue: appended log_break as seq \(record.seq ?? 0) to \(daemon.deletionLog.path), resuming "
                    + "after seq \(logBreak.resumesAfter.seq) (SHA-256 \(logBreak.resumesAfter.sha256))")
            printLine("  found: \(logBreak.problem): \(logBreak.message)")
            for line in logBreak.setAside ?? [] {
                printLine("  set aside: line \(line.line) (\(line.bytes) bytes, SHA-256 \(line.sha256))")
            }
            printLine("Appends resume at each account's next poll; the waiting events follow this line.")
        } catch {
            printError("palimpsest log continue: \(error)")
            throw ExitCode(1)
        }
    }
}
