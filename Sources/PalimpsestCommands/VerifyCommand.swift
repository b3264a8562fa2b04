import ArgumentParser
import Foundation
import PalimpsestCore

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the deletion log, its rotated files and everything it cites; exit 1 on any problem.",
        discussion: """
            Reads the deletion log with the files logrotate made of it (.1, .2.gz, -20261101, …) \
            in order and checks: each line parses; prev is the SHA-256 of the line before; seq \
            grows by one (a log_break line, written by `palimpsest log continue`, acknowledges the \
            lines it sets aside: they are listed, not failed); every evidence record an event \
            cites exists in state_dir and its SHA-256 (and WARC-Block-Digest) matches; every \
            checkpoint's Merkle tree head (RFC 9162) matches the lines before it and its Ed25519 \
            signature verifies with a trusted key (the public key of [evidence] \
            signing_key_file, --public-key, or the digest's); and the log's tail matches the \
            guarded chain head in state_dir/log-head.json. `--against digest.json` also checks \
            the log against the checkpoints a digest received earlier published: a log changed \
            since gives other tree heads. Exit 0 when all holds; otherwise exit 1 with one line \
            per problem naming file, line number, seq and what is wrong. See docs/evidence.md.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print one JSON document (the report) instead of text.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "A digest.json received earlier: check the log against the checkpoints it published.",
            valueName: "digest.json"))
    var against: String?

    @Option(
        help: ArgumentHelp(
            "Trust checkpoints signed by this Ed25519 public key (64 hex digits, as digests print it). Repeatable.",
            valueName: "hex"))
    var publicKey: [String] = []

    @Option(help: ArgumentHelp("Check this log file instead of the config's deletion_log.", valueName: "path"))
    var log: String?

    func run() async throws {
        let config = try self.options.loadConfig()
        var trusted = Set(self.publicKey.map { $0.lowercased() })
        if let key = try? CheckpointKey(contentsOf: config.evidence.signingKeyFile) {
            trusted.insert(key.publicKeyHex)
        }
        var witnesses: [WitnessCheckpoint] = []
        if let against = self.against {
            do {
                let witness = try DigestWitness.load(from: URL(fileURLWithPath: against))
                witnesses = witness.checkpoints
                if let key = witness.publicKey { trusted.insert(key) }
            } catch {
                printError("palimpsest verify: --against \(against): \(error)")
                throw ExitCode(1)
            }
        }
        let verifier = LogVerifier(
            logURL: self.log.map { URL(fileURLWithPath: $0) } ?? config.daemon.deletionLog,
            stateDirectory: config.daemon.stateDirectory,
            headURL: self.log == nil ? config.daemon.stateDirectory.appendingPathComponent(ChainHead.fileName) : nil,
            trustedKeys: trusted, witnesses: witnesses, tsaCAFile: config.evidence.tsaCAFile)
        let report: LogVerifier.Report
        do {
            report = try await BlockingIO.run { try verifier.verify() }
        } catch {
            printError("palimpsest verify: \(error)")
            throw ExitCode(1)
        }
        if self.json {
            let data = try JSONCoding.documentEncoder().encode(report)
            printJSON(String(decoding: data, as: UTF8.self))
        } else {
            for problem in report.problems { printLine(problem.description) }
            for note in report.acknowledged { printLine("acknowledged: \(note)") }
            let valid = report.checkpoints.filter(\.isValid).count
            let stamps = report.checkpoints.flatMap(\.timestamps)
            let summary =
                "\(report.lines) lines in \(report.files.count) file(s) (\(report.files.joined(separator: ", "))); "
                + "\(report.evidenceChecked) evidence records; \(report.checkpoints.count) checkpoints (\(valid) valid, "
                + "\(stamps.filter(\.isValid).count) of \(stamps.count) timestamps valid)"
                + (witnesses.isEmpty ? "" : "; \(witnesses.count) checkpoints of the digest")
                + "; last seq \(report.lastSeq.map(String.init) ?? "-"), last hash \(report.lastHash)"
                // An empty log has no oldest line to say that of (a tester read it about one).
                + (report.startsFromGenesis || report.lines == 0
                    ? "" : "; the oldest line kept does not start from the genesis value")
            if report.isValid {
                printLine("verified: \(summary)")
            } else {
                printLine("NOT VERIFIED: \(report.problems.count) problem(s); \(summary)")
            }
        }
        if !report.isValid { throw ExitCode(1) }
    }
}

struct KeygenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write the Ed25519 key pair that signs the log's checkpoints, and print the public key.",
        discussion: """
            Writes the private key (PKCS#8 PEM, mode 0600) to [evidence] signing_key_file \
            (default state_dir/checkpoint-key.pem) or --out, and the public key (PEM) beside it \
            with .pub added, then prints the public key as hex (as checkpoints and digests carry \
            it) and as PEM. Never overwrites an existing key: a new key would not sign the old \
            checkpoints (they keep their own key); move the old one aside yourself if you mean \
            to. Run it as the daemon's user (sudo -u palimpsest palimpsest keygen), then restart \
            the daemon. Publish the public key where your readers can find it; every digest \
            prints it too.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("Write the private key here instead of [evidence] signing_key_file.", valueName: "path"))
    var out: String?

    func run() async throws {
        let url: URL
        if let out = self.out {
            url = URL(fileURLWithPath: out)
        } else {
            url = try self.options.loadConfig().evidence.signingKeyFile
        }
        let publicURL = URL(fileURLWithPath: url.path + ".pub")
        if FileManager.default.fileExists(atPath: url.path) {
            printError(
                "palimpsest keygen: \(url.path) exists; not overwritten (a new key would not match the checkpoints "
                    + "already signed). Move it aside first if you mean to replace it.")
            throw ExitCode(1)
        }
        let key = CheckpointKey()
        do {
            try DurableFile.writeAtomically(Data(key.privateKeyPEM.utf8), to: url)
            try DurableFile.writeAtomically(Data(key.publicKeyPEM.utf8), to: publicURL)
        } catch {
            printError("palimpsest keygen: \(error)")
            throw ExitCode(1)
        }
        printLine("wrote the private key \(url.path) (0600) and the public key \(publicURL.path)")
        printLine("public key (hex): \(key.publicKeyHex)")
        FileHandle.standardOutput.write(Data(key.publicKeyPEM.utf8))
    }
}
