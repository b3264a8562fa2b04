import ArgumentParser
import Foundation
import PalimpsestCore

struct EvidenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence",
        abstract: "Hand one finding to someone else, with its proof.",
        subcommands: [EvidenceExportCommand.self]
    )
}

struct EvidenceExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one finding and its proof as a BagIt bag that anyone can check with standard tools.",
        discussion: """
            Give an event id (from `palimpsest tail --json`), or an account key and a post id (every \
            event of that post). The bag (RFC 8493) holds the event line(s) as logged, the post's \
            archived versions, the WARC records of the captures that prove it (each probe answer \
            cited, the poll that first saw each version, the last poll that saw the post) with \
            their URLs, remote addresses and redirect hops, the signed checkpoint that covers the \
            events with the Merkle inclusion proof of each line, the public key and the RFC 3161 \
            timestamps of the tree head, a README.txt that says what each file proves, and \
            data/verify.sh, which checks everything with sha256sum, openssl and python3 only. \
            When no checkpoint covers the events yet, one is appended first (the signing key \
            must be there: `palimpsest keygen`). The folder must be new or empty; --zip also \
            writes <folder>.zip, which must not exist. Send the folder or the zip; the recipient \
            runs `sh data/verify.sh` (exit 0 OK, 1 FAILED, 3 when a tool it needs is missing or \
            too old). When rows of state.sqlite that belong in the bag do not read (an \
            archived version, a snapshot: edited or damaged), the export is refused and names \
            them; restore state.sqlite from a backup, or pass --allow-incomplete. See \
            docs/evidence.md, "Handing over one finding".
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("An event id, or an account key followed by a post id.", valueName: "id | key post"))
    var selection: [String]

    @Option(help: ArgumentHelp("The folder to write the bag into (new or empty).", valueName: "dir"))
    var out: String

    @Flag(help: "Also write <dir>.zip beside the folder.")
    var zip = false

    @Flag(
        help: ArgumentHelp(
            "Write the bag even when rows of state.sqlite that belong in it do not read.",
            discussion: """
                Without it such an export is refused. With it the bag leaves those rows out, lists \
                them in data/README.txt ("THIS BUNDLE IS INCOMPLETE") and in bag-info.txt \
                (Palimpsest-Left-Out), and the command prints them.
                """))
    var allowIncomplete = false

    func validate() throws {
        guard (1...2).contains(self.selection.count) else {
            throw ValidationError(
                "expected an event id, or an account key and a post id (e.g. mastodon:@user@host 1234)")
        }
    }

    func run() async throws {
        let config = try self.options.loadConfig()
        let selection: EvidenceBundle.Selection =
            self.selection.count == 1
            ? .event(self.selection[0])
            : .post(account: AccountKey(rawValue: self.selection[0]), postID: self.selection[1])
        let folder = URL(fileURLWithPath: self.out, isDirectory: true).standardizedFileURL
        let zip = self.zip
        let allowIncomplete = self.allowIncomplete
        let summary: EvidenceBundle.Summary
        do {
            summary = try await BlockingIO.run {
                try EvidenceBundle(config: config).export(
                    selection, to: folder, zip: zip, allowIncomplete: allowIncomplete)
            }
        } catch {
            printError("palimpsest evidence export: \(error)")
            throw ExitCode(1)
        }
        if !summary.untimestamped.isEmpty {
            printError(
                "palimpsest evidence export: warning: no timestamp of checkpoint seq \(summary.checkpointSeq) from "
                    + summary.untimestamped.map(\.absoluteString).joined(separator: ", ")
                    + " ([evidence] tsa_urls): the bundle holds none of theirs, and data/README.txt says so; the "
                    + "running daemon asks again for recent checkpoints: export again to a new folder once it has")
        }
        if summary.madeCheckpoint {
            printLine("no checkpoint covered the event(s) yet: appended one (seq \(summary.checkpointSeq))")
        }
        printLine(
            "wrote \(summary.folder.path): \(summary.events.count) event(s), \(summary.records) WARC record(s), "
                + "checkpoint seq \(summary.checkpointSeq)")
        for missing in summary.missingRecords { printLine("  not included (collected from the spool): \(missing)") }
        for unreadable in summary.unreadableRecords { printLine("  not included (cannot be copied): \(unreadable)") }
        if !summary.leftOut.isEmpty {
            printLine("INCOMPLETE (--allow-incomplete): left out, as rows of state.sqlite that do not read:")
            for item in summary.leftOut { printLine("  \(item)") }
        }
        if let zip = summary.zip { printLine("and \(zip.path)") }
        printLine("The recipient checks it with: \(EvidenceBundle.verifyCommand(out: self.out))")
    }
}
