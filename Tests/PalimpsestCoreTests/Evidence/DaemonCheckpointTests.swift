import Foundation
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import Subprocess
import Testing

/// `palimpsest run` signs a checkpoint of the log when it stops (issue 10, item 3), and refuses
/// to append to a log whose tail was edited while it was down (item 2), keeping the events.
@Suite(.serialized) struct DaemonCheckpointTests {
    @Test func theDaemonSignsACheckpointAtShutdown() async throws {
        let binary = try DaemonProcessTests.binary()
        let scratch = try DaemonProcessTests.Scratch()
        defer { scratch.remove() }
        let server = try await DaemonProcessTests.startServer()
        try scratch.writeConfig(server, feeds: ["a"], extra: "deletion_log = \"deletions.jsonl\"")
        let key = CheckpointKey()
        try FileManager.default.createDirectory(at: scratch.state, withIntermediateDirectories: true)
        try Data(key.privateKeyPEM.utf8).write(to: scratch.state.appendingPathComponent("checkpoint-key.pem"))
        let logURL = scratch.root.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: logURL, headURL: scratch.state.appendingPathComponent(ChainHead.fileName))
        _ = try log.append([StoreTestSupport.event("e1"), StoreTestSupport.event("e2")])

        let result = try await Subprocess.run(
            .path(binary), arguments: ["run", "--config", scratch.config.path],
            environment: .inherit.updating(["NOTIFY_SOCKET": nil, "JOURNAL_STREAM": nil]),
            input: .none, output: .discarded, error: .string(limit: 1 << 20)
        ) { execution -> String? in
            await stopChild(execution) {
                guard await DaemonProcessTests.waitForRequest(server, path: "/a.xml") else {
                    return "a was never polled"
                }
                try execution.send(signal: .terminate)
                return nil
            }
        }
        if let failure = result.closureResult { Issue.record("\(failure)\n\(result.standardError)") }
        #expect(result.terminationStatus == TerminationStatus.exited(0), "\(result.standardError)")
        let contents = try DeletionLog.read(at: logURL)
        let checkpoint = try #require(contents.records.last?.checkpoint, "\(result.standardError)")
        #expect(checkpoint.treeSize == 2)
        #expect(checkpoint.publicKey == key.publicKeyHex)
        let report = try LogVerifier(
            logURL: logURL, stateDirectory: scratch.state,
            headURL: scratch.state.appendingPathComponent(ChainHead.fileName), trustedKeys: [key.publicKeyHex]
        ).verify()
        #expect(report.isValid, "\(report.problems)")
        await server.stop()
    }

    @Test func aDaemonStartedOnAnEditedLogSaysSoAndAppendsNothing() async throws {
        let binary = try DaemonProcessTests.binary()
        let scratch = try DaemonProcessTests.Scratch()
        defer { scratch.remove() }
        let server = try await DaemonProcessTests.startServer()
        try scratch.writeConfig(server, feeds: ["a"], extra: "deletion_log = \"deletions.jsonl\"")
        let logURL = scratch.root.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: logURL, headURL: scratch.state.appendingPathComponent(ChainHead.fileName))
        _ = try log.append([StoreTestSupport.event("e1"), StoreTestSupport.event("e2")])
        let edited = try String(contentsOf: logURL, encoding: .utf8).replacingOccurrences(
            of: "post-e2", with: "post-XX")
        let handle = try FileHandle(forWritingTo: logURL)
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(edited.utf8))
        try handle.close()

        let result = try await Subprocess.run(
            .path(binary), arguments: ["run", "--config", scratch.config.path],
            environment: .inherit.updating(["NOTIFY_SOCKET": nil, "JOURNAL_STREAM": nil]),
            input: .none, output: .discarded, error: .string(limit: 1 << 20)
        ) { execution -> String? in
            await stopChild(execution) {
                guard await DaemonProcessTests.waitForRequest(server, path: "/a.xml") else {
                    return "a was never polled"
                }
                try execution.send(signal: .terminate)
                return nil
            }
        }
        if let failure = result.closureResult { Issue.record("\(failure)\n\(result.standardError)") }
        #expect(result.standardError.contains("changed_last_line"), "\(result.standardError)")
        #expect(result.standardError.contains("palimpsest log continue"))
        #expect(try String(contentsOf: logURL, encoding: .utf8) == edited, "nothing appended")
        await server.stop()
    }
}
