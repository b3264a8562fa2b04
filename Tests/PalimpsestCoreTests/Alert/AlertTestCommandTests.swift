import Foundation
import PalimpsestReplay
import PalimpsestTestSupport
import Subprocess
import SystemPackage
import Testing

@testable import PalimpsestCore

/// `palimpsest alert test [--sink NAME]` through the built binary: a loopback webhook receiver,
/// a sink whose port is closed, and a sink name the config does not have.
@Suite(.serialized, .awaitedCleanup) struct AlertTestCommandTests {
    struct Setup {
        let root: URL
        let config: URL
        let secret: Data
    }

    /// A config with two webhook sinks: `hook` (the receiver) and `dead` (a closed loopback port).
    static func setup(receiver: ReplayServer, closedPort: UInt16) throws -> Setup {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pat-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let secret = Data("alert-test-secret".utf8)
        try (secret + Data("\n".utf8)).write(to: root.appendingPathComponent("hook.secret"))
        let config = root.appendingPathComponent("palimpsest.toml")
        try Data(
            """
            [daemon]
            state_dir = "state"
            deletion_log = "deletions.jsonl"

            [[alert]]
            type = "webhook"
            name = "hook"
            url = "\(receiver.url("/hook").absoluteString)"
            secret_file = "hook.secret"
            events = ["alarm"]

            [[alert]]
            type = "webhook"
            name = "dead"
            url = "http://127.0.0.1:\(closedPort)/hook"
            secret_file = "hook.secret"
            timeout = "5s"

            """.utf8
        ).write(to: config)
        return Setup(root: root, config: config, secret: secret)
    }

    static func alertTest(_ config: URL, sink: String?) async throws -> (
        status: TerminationStatus, stdout: String, stderr: String
    ) {
        let result = try await Subprocess.run(
            .path(try DaemonProcessTests.binary()),
            arguments: Arguments(["alert", "test", "--config", config.path] + (sink.map { ["--sink", $0] } ?? [])),
            environment: .inherit.updating(["NOTIFY_SOCKET": nil]),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        return (result.terminationStatus, result.standardOutput, result.standardError)
    }

    /// The port of a loopback server that was started and stopped: nothing listens there.
    static func closedPort() async throws -> UInt16 {
        let server = ReplayServer()
        try await server.start()
        let port = server.port
        await server.stop()
        return port
    }

    /// HMAC-SHA256 of `body` keyed with `secret`, computed by Python's `hmac`, not by the code under test.
    static func pythonSignature(of body: Data, secret: Data, in folder: URL) async throws -> String {
        let bodyFile = folder.appendingPathComponent("body.bin")
        try body.write(to: bodyFile)
        let result = try await Subprocess.run(
            .name("python3"),
            arguments: [
                "-c",
                "import hmac, hashlib, sys; print('sha256=' + hmac.new(sys.argv[1].encode(), "
                    + "open(sys.argv[2], 'rb').read(), hashlib.sha256).hexdigest())",
                String(decoding: secret, as: UTF8.self), bodyFile.path,
            ],
            output: .string(limit: 1 << 16), error: .discarded)
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func theLoopbackReceiverGetsTheSignedSampleWhateverTheSinkFilters() async throws {
        let receiver = ReplayServer()
        try await receiver.start()
        atEnd { await receiver.stop() }
        receiver.script(
            "/hook", [ReplayResponse(status: 200, headers: ["Content-Type": "text/plain"], body: Data("ok".utf8))])
        let setup = try Self.setup(receiver: receiver, closedPort: try await Self.closedPort())
        defer { try? FileManager.default.removeItem(at: setup.root) }

        let run = try await Self.alertTest(setup.config, sink: "hook")
        #expect(run.status == .exited(0), "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("hook (webhook): ok"), "\(run.stdout)")
        let requests = receiver.requests().filter { $0.path == "/hook" }
        #expect(requests.count == 1, "the sample goes to this sink alone, although its filter takes only alarms")
        let request = try #require(requests.first)
        #expect(request.method == "POST")
        let signature = try #require(request.headers["Palimpsest-Signature"])
        #expect(signature == (try await Self.pythonSignature(of: request.body, secret: setup.secret, in: setup.root)))
        let object = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
        let id = try #require(object["id"] as? String)
        #expect(id.hasPrefix("test"))
        #expect(object["account"] as? String == "sample:palimpsest-alert-test")
        #expect(object["event"] as? String == "deleted")
        #expect(request.headers["Palimpsest-Event-Ids"] == id)
        #expect(
            !FileManager.default.fileExists(atPath: setup.root.appendingPathComponent("deletions.jsonl").path),
            "nothing is written to the deletion log")
    }

    @Test func aSinkAtAClosedPortIsReportedFailedAndTheCommandExits1() async throws {
        let receiver = ReplayServer()
        try await receiver.start()
        atEnd { await receiver.stop() }
        receiver.script("/hook", [ReplayResponse(status: 200, headers: [:], body: Data())])
        let setup = try Self.setup(receiver: receiver, closedPort: try await Self.closedPort())
        defer { try? FileManager.default.removeItem(at: setup.root) }

        let dead = try await Self.alertTest(setup.config, sink: "dead")
        #expect(dead.status == .exited(1), "\(dead.stdout)\(dead.stderr)")
        #expect(dead.stdout.contains("dead (webhook): FAILED"), "\(dead.stdout)")
        #expect(receiver.requests().isEmpty)

        // Every sink: the live one still takes it, the dead one fails the run.
        let all = try await Self.alertTest(setup.config, sink: nil)
        #expect(all.status == .exited(1), "\(all.stdout)\(all.stderr)")
        #expect(all.stdout.contains("hook (webhook): ok"), "\(all.stdout)")
        #expect(all.stdout.contains("dead (webhook): FAILED"), "\(all.stdout)")
        #expect(receiver.requests().filter { $0.path == "/hook" }.count == 1)
    }

    @Test func anUnknownSinkNameExits78NamingTheSinks() async throws {
        let receiver = ReplayServer()
        try await receiver.start()
        atEnd { await receiver.stop() }
        let setup = try Self.setup(receiver: receiver, closedPort: try await Self.closedPort())
        defer { try? FileManager.default.removeItem(at: setup.root) }

        let run = try await Self.alertTest(setup.config, sink: "nope")
        #expect(run.status == .exited(78), "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("no [[alert]] named \"nope\""), "\(run.stderr)")
        #expect(run.stderr.contains("sinks: hook, dead"), "\(run.stderr)")
        #expect(receiver.requests().isEmpty)
    }
}
