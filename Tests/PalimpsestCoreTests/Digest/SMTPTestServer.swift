import Foundation

@testable import PalimpsestCore

/// A real SMTP server on loopback for the delivery tests: `Tests/Fixtures/digest/smtp_sink.py`
/// (Python's aiosmtpd), which requires AUTH and stores each message it accepts as files.
final class SMTPTestServer: @unchecked Sendable {
    // @unchecked Sendable is safe: every property is immutable after init.
    let folder: URL
    let port: Int
    let user: String
    let password: String
    private let process: ChildProcess

    /// Whether python3 with aiosmtpd can run here (`make test` installs aiosmtpd when missing).
    static let isAvailable: Bool = {
        guard let folder = try? DigestTestSupport.makeTemporaryDirectory() else { return false }
        defer { try? FileManager.default.removeItem(at: folder) }
        guard
            let probe = try? ChildProcess(
                ["python3", "-c", "import aiosmtpd"],
                output: folder.appendingPathComponent("probe.log")
            )
        else { return false }
        return probe.wait(timeout: 30) == 0
    }()

    /// Starts the server and waits until it accepts connections.
    init(user: String = "digest", password: String = "correct horse battery staple") throws {
        self.folder = try DigestTestSupport.makeTemporaryDirectory()
        self.user = user
        self.password = password
        let script = DigestTestSupport.fixtures.appendingPathComponent("smtp_sink.py")
        self.process = try ChildProcess(
            [
                "python3", script.path, "--dir", self.folder.path, "--user", user, "--password", password, "--lifetime",
                "60",
            ],
            output: self.folder.appendingPathComponent("server.log")
        )
        let ready = self.folder.appendingPathComponent("ready.json")
        let deadline = Date().addingTimeInterval(20)
        var port: Int?
        while port == nil, Date() < deadline {
            if let data = try? Data(contentsOf: ready),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            {
                port = object["port"] as? Int
            } else {
                if self.process.wait(timeout: 0.05) != nil { break }
            }
        }
        guard let port else {
            let log = (try? String(contentsOf: self.folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            self.process.stop()
            throw DigestError("the test SMTP server did not start", advice: log)
        }
        self.port = port
    }

    /// The message stored as number `number` (from 1) and its envelope, waiting up to 10 s.
    func message(_ number: Int = 1) throws -> (content: Data, envelope: [String: Any])? {
        let meta = self.folder.appendingPathComponent("message-\(number).json")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let data = try? Data(contentsOf: meta),
                let envelope = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            {
                return (try Data(contentsOf: self.folder.appendingPathComponent("message-\(number).eml")), envelope)
            }
            usleep(20_000)
        }
        return nil
    }

    /// Number of messages stored so far.
    var messageCount: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: self.folder.path)) ?? [])
            .filter { $0.hasPrefix("message-") && $0.hasSuffix(".json") }.count
    }

    /// Stops the server and removes its folder.
    func stop() {
        _ = FileManager.default.createFile(atPath: self.folder.appendingPathComponent("stop").path, contents: Data())
        if self.process.wait(timeout: 5) == nil { self.process.stop() }
        try? FileManager.default.removeItem(at: self.folder)
    }
}
