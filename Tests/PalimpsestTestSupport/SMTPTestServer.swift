public import Foundation
import Subprocess

/// A real SMTP server on loopback for the delivery tests: `Tests/Fixtures/digest/smtp_sink.py`
/// (Python's aiosmtpd), which requires AUTH and stores each message it accepts as files. Started
/// with swift-subprocess, for the length of one ``with(user:password:_:)`` call.
public struct SMTPTestServer: Sendable {
    /// Where the server stores `message-N.eml` and `message-N.json`.
    public let folder: URL
    /// The loopback port it listens on.
    public let port: Int
    public let user: String
    public let password: String

    /// Whether python3 with aiosmtpd can run here (`make test` installs aiosmtpd when missing).
    public static func isAvailable() async -> Bool {
        let probe = try? await Subprocess.run(
            .name("python3"), arguments: ["-c", "import aiosmtpd"], output: .discarded, error: .discarded)
        return probe?.terminationStatus.isSuccess == true
    }

    /// Starts the server, waits until it accepts connections, runs `body`, then stops the server
    /// (a stop file, then SIGTERM and SIGKILL if it lingers) and removes its folder, whether `body`
    /// returns or throws.
    /// - Throws: ``SMTPTestServerError`` when the server does not start within 20 s; what `body`
    ///   throws.
    public static func with<T: Sendable>(
        user: String = "digest", password: String = "correct horse battery staple",
        _ body: (SMTPTestServer) async throws -> T
    ) async throws -> T {
        let folder = try TestFolder.make("smtp")
        defer { TestFolder.remove(folder) }
        let script = TestFixtures.root.appendingPathComponent("digest/smtp_sink.py")
        let ready = folder.appendingPathComponent("ready.json")
        let run = try await Subprocess.run(
            .name("python3"),
            arguments: [
                script.path, "--dir", folder.path, "--user", user, "--password", password, "--lifetime", "60",
            ],
            input: .none, output: .discarded, error: .string(limit: 1 << 16)
        ) { execution -> Result<T, any Error>? in
            var port: Int?
            await waitUntil(timeout: .seconds(20)) {
                port = Self.port(in: ready)
                return port != nil || execution.hasExited
            }
            guard let port else {
                await execution.teardown(using: [])
                return nil
            }
            let server = SMTPTestServer(folder: folder, port: port, user: user, password: password)
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await body(server))
            } catch {
                outcome = .failure(error)
            }
            _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("stop").path, contents: Data())
            await execution.teardown(using: [
                .send(signal: Signal(rawValue: 0), allowedDurationToNextStep: .seconds(5)),
                .gracefulShutDown(allowedDurationToNextStep: .seconds(2)),
            ])
            return outcome
        }
        guard let outcome = run.closureResult else {
            throw SMTPTestServerError(description: "the test SMTP server did not start: \(run.standardError)")
        }
        return try outcome.get()
    }

    private static func port(in ready: URL) -> Int? {
        guard let data = try? Data(contentsOf: ready),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["port"] as? Int
    }

    /// The message stored as number `number` (from 1) and its envelope, waiting up to 10 s for it.
    /// - Throws: when the stored files cannot be read.
    public func message(_ number: Int = 1) async throws -> (content: Data, envelope: [String: Any])? {
        let meta = self.folder.appendingPathComponent("message-\(number).json")
        var envelope: [String: Any]?
        try await waitUntil {
            guard let data = try? Data(contentsOf: meta) else { return false }
            envelope = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            return envelope != nil
        }
        guard let envelope else { return nil }
        return (try Data(contentsOf: self.folder.appendingPathComponent("message-\(number).eml")), envelope)
    }

    /// Number of messages stored so far.
    public var messageCount: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: self.folder.path)) ?? [])
            .filter { $0.hasPrefix("message-") && $0.hasSuffix(".json") }.count
    }
}

/// The test SMTP server could not be started.
public struct SMTPTestServerError: Error, CustomStringConvertible {
    public var description: String
}
