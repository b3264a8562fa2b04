import Foundation
import PalimpsestCore
import PalimpsestTestSupport
import Subprocess
import Testing

/// Relative paths in a config resolve against the config file's folder, so the demo writes a
/// config with relative paths and a copied demo folder never writes into the original.
@Suite(.serialized) struct DemoFolderTests {
    @Test func aCopiedDemoFolderUsesItsOwnStateAndLog() async throws {
        let binary = try DaemonProcessTests.binary()
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let original = root.appendingPathComponent("demo")
        let demo = try await Subprocess.run(
            .path(binary),
            arguments: [
                "demo", "--fixtures", IntegrationHarness.fixtures.path, "--state", original.path,
            ], output: .discarded, error: .string(limit: 1 << 20))
        #expect(demo.terminationStatus.isSuccess, "\(demo.standardError)")
        let text = try String(contentsOf: original.appendingPathComponent("palimpsest.toml"), encoding: .utf8)
        #expect(text.contains("state_dir = \"state\""))
        #expect(text.contains("deletion_log = \"deletions.jsonl\""))
        #expect(!text.contains(original.path))

        let copy = root.appendingPathComponent("copy")
        try FileManager.default.copyItem(at: original, to: copy)
        let config = try ConfigLoader.load(from: copy.appendingPathComponent("palimpsest.toml"))
        #expect(config.daemon.stateDirectory.path == copy.appendingPathComponent("state").path)
        #expect(config.daemon.deletionLog.path == copy.appendingPathComponent("deletions.jsonl").path)
        // What the copy reads is its own log: tail of the copy after the original's log is gone.
        try FileManager.default.removeItem(at: original)
        let tail = try await Subprocess.run(
            .path(binary), arguments: ["tail", "--config", copy.appendingPathComponent("palimpsest.toml").path],
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 16))
        #expect(tail.terminationStatus.isSuccess, "\(tail.standardError)")
        #expect(tail.standardOutput.contains("deleted (removed, probe)  Mastodon.py test account"))
    }
}
