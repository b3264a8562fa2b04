import Foundation
import PalimpsestTestSupport
import Subprocess
import Testing

@testable import PalimpsestCore

/// The command line of issue 10 as an operator runs it: `keygen`, `verify` (exit codes, one line
/// per problem), `log continue`.
@Suite(.serialized) struct EvidenceCommandTests {
    static func palimpsest(_ arguments: [String]) async throws -> EvidenceTestSupport.Output {
        let result = try await Subprocess.run(
            .path(try DaemonProcessTests.binary()), arguments: Arguments(arguments),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        return EvidenceTestSupport.Output(
            succeeded: result.terminationStatus.isSuccess, standardOutput: result.standardOutput,
            standardError: result.standardError)
    }

    @Test func keygenVerifyAndLogContinueFromTheCommandLine() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let config = folder.appendingPathComponent("palimpsest.toml")
        try Data("[daemon]\nstate_dir = \"state\"\ndeletion_log = \"deletions.jsonl\"\n".utf8).write(to: config)
        let logURL = folder.appendingPathComponent("deletions.jsonl")

        let keygen = try await Self.palimpsest(["keygen", "--config", config.path])
        #expect(keygen.succeeded, "\(keygen.standardError)")
        let keyURL = folder.appendingPathComponent("state/checkpoint-key.pem")
        let key = try CheckpointKey(contentsOf: keyURL)
        #expect(keygen.standardOutput.contains("public key (hex): \(key.publicKeyHex)"))
        let mode = try FileManager.default.attributesOfItem(atPath: keyURL.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(!(try await Self.palimpsest(["keygen", "--config", config.path])).succeeded, "never overwritten")

        let log = try DeletionLog(url: logURL, headURL: folder.appendingPathComponent("state/\(ChainHead.fileName)"))
        _ = try log.append([StoreTestSupport.event("e1"), StoreTestSupport.event("e2"), StoreTestSupport.event("e3")])
        _ = try log.appendCheckpoint(key: key, at: StoreTestSupport.date(60))
        var verify = try await Self.palimpsest(["verify", "--config", config.path])
        #expect(verify.succeeded, "\(verify.standardOutput)")
        #expect(verify.standardOutput.hasPrefix("verified: 4 lines"))

        // The last line edited in place: verify fails naming it; appends are refused.
        let text = try String(contentsOf: logURL, encoding: .utf8)
        let handle = try FileHandle(forWritingTo: logURL)
        try handle.truncate(atOffset: 0)
        try handle.write(
            contentsOf: Data(text.replacingOccurrences(of: "\"tree_size\":3", with: "\"tree_size\":2").utf8))
        try handle.close()
        verify = try await Self.palimpsest(["verify", "--config", config.path])
        #expect(!verify.succeeded)
        #expect(
            verify.standardOutput.contains("deletions.jsonl: line 4: seq 4: checkpoint:"), "\(verify.standardOutput)")
        #expect(verify.standardOutput.contains("chain_head"))
        #expect(verify.standardOutput.contains("NOT VERIFIED"))
        let json = try await Self.palimpsest(["verify", "--json", "--config", config.path])
        #expect(!json.succeeded)
        #expect(json.standardOutput.contains("\"problems\""))

        let continued = try await Self.palimpsest([
            "log", "continue", "--reason", "checkpoint line edited on the server", "--config", config.path,
        ])
        #expect(continued.succeeded, "\(continued.standardError)")
        #expect(continued.standardOutput.contains("appended log_break as seq 5"))
        #expect(try log.append([StoreTestSupport.event("e4")]).first?.seq == 6)
        let again = try await Self.palimpsest(["log", "continue", "--reason", "again", "--config", config.path])
        #expect(!again.succeeded)
        #expect(again.standardError.contains("nothing to continue"))
        let help = try await Self.palimpsest(["log", "continue", "--help"])
        #expect(help.standardOutput.contains("log_break"))
    }
}
