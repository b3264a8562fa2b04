import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// What the recipient of an evidence bundle is told (tester findings of session 10): verify.sh
/// never says "FAILED" for a tool it lacks, names added and missing files, README.txt says what the
/// signature binds, a recorded log break and a missing timestamp are mentioned, and nothing is
/// overwritten.
@Suite(.serialized) struct EvidenceRecipientTests {
    /// `data/verify.sh` of `bag` run by `/bin/sh` with `PATH` set to `path`: its output and exit status.
    static func verify(_ bag: URL, path: String) async throws -> (output: String, status: Int) {
        let run = try await EvidenceTestSupport.run([
            "env", "PATH=\(path)", "/bin/sh", "-c", "/bin/sh \"$0\" 2>&1; echo \"exit $?\"",
            bag.appendingPathComponent("data/verify.sh").path,
        ])
        let output = run.standardOutput
        let last = output.split(separator: "\n").last.map(String.init) ?? ""
        return (output, Int(last.dropFirst("exit ".count)) ?? -1)
    }

    static var path: String { ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin" }

    /// A folder of `PATH` that holds the tools verify.sh uses, as links to the real ones, except
    /// `leaving`; with `openssl` as a script that stands for OpenSSL 1.1.1 (no `pkeyutl -rawin`)
    /// when `oldOpenSSL`.
    static func tools(in folder: URL, leaving: Set<String> = [], oldOpenSSL: Bool = false) async throws -> String {
        let bin = folder.appendingPathComponent("bin-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let names = [
            "sh", "sed", "find", "sort", "grep", "sha256sum", "openssl", "python3", "mktemp", "rm", "cat", "head",
            "dirname", "env",
        ]
        for name in names where !leaving.contains(name) {
            // python3 itself, not a shim (pyenv's are bash scripts that need more than this PATH).
            let found =
                name == "python3"
                ? try await EvidenceTestSupport.run(["python3", "-c", "import sys; print(sys.executable)"])
                : try await EvidenceTestSupport.run(["sh", "-c", "command -v \"$0\"", name])
            let real = found.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !real.isEmpty else { continue }
            if name == "openssl" && oldOpenSSL {
                let script = """
                    #!/bin/sh
                    case "$1" in version) echo "OpenSSL 1.1.1f  31 Mar 2020"; exit 0;; esac
                    for a in "$@"; do [ "$a" = "-rawin" ] && { echo "pkeyutl: Unknown option: -rawin" >&2; exit 1; }; done
                    exec \(real) "$@"

                    """
                let url = bin.appendingPathComponent(name)
                try Data(script.utf8).write(to: url)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            } else {
                try FileManager.default.createSymbolicLink(
                    atPath: bin.appendingPathComponent(name).path, withDestinationPath: real)
            }
        }
        return bin.path
    }

    @Test(
        .enabled(
            if: EvidenceTestSupport.hasOpenSSL && EvidenceTestSupport.hasPython, "SKIPPED: needs openssl and python3"))
    func verifyShSaysCannotCheckNotFailedWhenAToolIsMissingOrTooOld() async throws {
        let exported = try await EvidenceBundleTests.export()
        let root = exported.harness.root

        let healthy = try await Self.verify(exported.out, path: Self.path)
        #expect(healthy.status == 0, "\(healthy.output)")
        #expect(healthy.output.contains("OK: the bag is complete"))

        let old = try await Self.verify(exported.out, path: try await Self.tools(in: root, oldOpenSSL: true))
        #expect(old.status == 3, "\(old.output)")
        #expect(!old.output.contains("FAILED"), "\(old.output)")
        #expect(
            old.output.contains("cannot check the signature: needs OpenSSL 3.0 or later (found: OpenSSL 1.1.1f"),
            "\(old.output)")
        #expect(!old.output.contains("OK:"))

        let noPython = try await Self.verify(exported.out, path: try await Self.tools(in: root, leaving: ["python3"]))
        #expect(noPython.status == 3, "\(noPython.output)")
        #expect(!noPython.output.contains("FAILED"), "\(noPython.output)")
        #expect(noPython.output.contains("needs python3 (not found)"), "\(noPython.output)")

        let noOpenSSL = try await Self.verify(exported.out, path: try await Self.tools(in: root, leaving: ["openssl"]))
        #expect(noOpenSSL.status == 3, "\(noOpenSSL.output)")
        #expect(noOpenSSL.output.contains("cannot check the signature: needs OpenSSL 3.0 or later (found: no openssl)"))

        // A signature that does not hold is still FAILED with a capable openssl.
        let signature = exported.out.appendingPathComponent("data/proof/checkpoint.sig")
        var bytes = try Data(contentsOf: signature)
        bytes[0] ^= 1
        try bytes.write(to: signature)
        let forged = try await Self.verify(exported.out, path: Self.path)
        #expect(forged.status == 1)
        #expect(forged.output.contains("FAILED: the checkpoint's Ed25519 signature"), "\(forged.output)")
        await exported.harness.close()
    }

    @Test(
        .enabled(
            if: EvidenceTestSupport.hasOpenSSL && EvidenceTestSupport.hasPython, "SKIPPED: needs openssl and python3"))
    func verifyShNamesAFileAddedToAndAFileMissingFromTheBag() async throws {
        let exported = try await EvidenceBundleTests.export()
        let note = exported.out.appendingPathComponent("data/NOTE.txt")
        try Data("note\n".utf8).write(to: note)
        let added = try await Self.verify(exported.out, path: Self.path)
        #expect(added.status == 1, "\(added.output)")
        #expect(added.output.contains("FAILED: data/NOTE.txt is not listed in manifest-sha256.txt"), "\(added.output)")
        #expect(!added.output.contains("OK:"))
        try FileManager.default.removeItem(at: note)

        try FileManager.default.removeItem(at: exported.out.appendingPathComponent("data/events.jsonl"))
        let removed = try await Self.verify(exported.out, path: Self.path)
        #expect(removed.status == 1, "\(removed.output)")
        #expect(
            removed.output.contains("FAILED: data/events.jsonl is listed in manifest-sha256.txt but missing"),
            "\(removed.output)")
        #expect(!removed.output.contains("Traceback"), "\(removed.output)")
        await exported.harness.close()
    }

    @Test func readmeSaysWhatTheSignatureBindsAndAZipIsNeverOverwritten() async throws {
        let exported = try await EvidenceBundleTests.export()
        let readme = try String(contentsOf: exported.out.appendingPathComponent("data/README.txt"), encoding: .utf8)
        #expect(readme.contains("What the signature covers, and what it does not"))
        #expect(readme.contains("Not covered: the other WARC records"))
        #expect(readme.contains("data/versions.jsonl, data/warc/records.json"))
        #expect(readme.contains("exit 3"))

        let logBefore = try Data(contentsOf: exported.config.daemon.deletionLog)
        let folder = exported.harness.root.appendingPathComponent("second")
        let zip = exported.harness.root.appendingPathComponent("second.zip")
        try Data("another case's zip\n".utf8).write(to: zip)
        #expect(throws: EvidenceExportError.self, "an existing zip is never overwritten") {
            try EvidenceBundle(config: exported.config).export(.event(exported.event.id), to: folder, zip: true)
        }
        #expect(try Data(contentsOf: zip) == Data("another case's zip\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: folder.path), "nothing written")
        #expect(try Data(contentsOf: exported.config.daemon.deletionLog) == logBefore)
        await exported.harness.close()
    }

    /// A log with a recorded break before the event, and an authority configured that gave no
    /// timestamp: README.txt mentions both, the summary names the authority.
    @Test func aRecordedBreakAndAMissingTimestampAreMentioned() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let config = try ConfigLoader.parse(
            """
            [daemon]
            state_dir = "state"
            deletion_log = "deletions.jsonl"

            [evidence]
            signing_key_file = "checkpoint-key.pem"
            tsa_urls = ["http://127.0.0.1:9/tsa"]
            """, file: folder.appendingPathComponent("palimpsest.toml"))
        try FileManager.default.createDirectory(at: config.daemon.stateDirectory, withIntermediateDirectories: true)
        try Data(CheckpointKey().privateKeyPEM.utf8).write(to: config.evidence.signingKeyFile)
        let url = config.daemon.deletionLog
        let log = try DeletionLog(
            url: url, headURL: config.daemon.stateDirectory.appendingPathComponent(ChainHead.fileName))
        _ = try log.append([StoreTestSupport.event("e1"), StoreTestSupport.event("e2")])
        let text = try String(contentsOf: url, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "\"id\":\"e2\"", with: "\"id\":\"eX\"").utf8).write(to: url)
        _ = try log.continueAfterBreak(reason: "line 2 edited on the server", at: StoreTestSupport.date(30))
        _ = try log.append([StoreTestSupport.event("e3", at: 60)])

        let out = folder.appendingPathComponent("bundle")
        let summary = try EvidenceBundle(config: config).export(.event("e3"), to: out, allowIncomplete: true)
        #expect(summary.untimestamped == [URL(string: "http://127.0.0.1:9/tsa")!])
        let readme = try String(contentsOf: out.appendingPathComponent("data/README.txt"), encoding: .utf8)
        #expect(readme.contains("A recorded break of the log's chain (log_break, log seq 3)"), "\(readme)")
        #expect(readme.contains("line 2 edited on the server"))
        #expect(readme.contains("acknowledged"))
        #expect(readme.contains("No timestamp from the configured time-stamp authorities http://127.0.0.1:9/tsa"))
    }

    /// The command line: the recipient's command names the folder as given to --out, the missing
    /// timestamp is a warning on stderr, and an existing zip is refused.
    @Test func theCommandPrintsAPathThatWorksAndWarnsOfAMissingTimestamp() async throws {
        let exported = try await EvidenceBundleTests.export()
        let root = exported.harness.root
        let config = root.appendingPathComponent("palimpsest-tsa.toml")
        try Data(
            """
            [daemon]
            state_dir = "state"
            deletion_log = "deletions.jsonl"

            [evidence]
            signing_key_file = "checkpoint-key.pem"
            tsa_urls = ["http://127.0.0.1:9/tsa"]
            """.utf8
        ).write(to: config)
        let out = root.appendingPathComponent("cases/one")
        let export = try await EvidenceCommandTests.palimpsest([
            "evidence", "export", "--config", config.path, exported.event.id, "--out", out.path, "--zip",
        ])
        #expect(export.succeeded, "\(export.standardError)")
        #expect(
            export.standardOutput.contains("The recipient checks it with: sh \(out.path)/data/verify.sh"),
            "\(export.standardOutput)")
        #expect(
            export.standardError.contains("warning: no timestamp of checkpoint seq")
                && export.standardError.contains("http://127.0.0.1:9/tsa"), "\(export.standardError)")
        let zip = root.appendingPathComponent("cases/two.zip")
        try Data("another case's zip\n".utf8).write(to: zip)
        let again = try await EvidenceCommandTests.palimpsest([
            "evidence", "export", "--config", config.path, exported.event.id, "--out",
            root.appendingPathComponent("cases/two").path, "--zip",
        ])
        #expect(!again.succeeded)
        #expect(again.standardError.contains("two.zip exists"), "\(again.standardError)")
        #expect(try Data(contentsOf: zip) == Data("another case's zip\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("cases/two").path))
        await exported.harness.close()
    }

    @Test func theRecipientsCommandUsesThePathAsGiven() {
        #expect(EvidenceBundle.verifyCommand(out: "x") == "sh x/data/verify.sh")
        #expect(EvidenceBundle.verifyCommand(out: "../cases/x/") == "sh ../cases/x/data/verify.sh")
        #expect(EvidenceBundle.verifyCommand(out: "/tmp/case 1") == "sh '/tmp/case 1/data/verify.sh'")
        #expect(EvidenceBundle.verifyCommand(out: "/tmp/it's") == "sh '/tmp/it'\\''s/data/verify.sh'")
    }
}
