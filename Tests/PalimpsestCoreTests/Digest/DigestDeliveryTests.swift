import Foundation
import PalimpsestTestSupport
import Synchronization
import Testing

@testable import PalimpsestCore

#if canImport(Glibc)
    import Glibc
#endif

/// `--send`: the digest e-mailed through libcurl to a real SMTP server on loopback (aiosmtpd), and
/// what happens when sending fails.
@Suite(.serialized) struct DigestDeliveryTests {
    static let fast = DigestDelivery.RetryPolicy(attempts: 3, initialDelay: 0.01, multiplier: 2)

    /// A job over the fixture log that writes into a temporary folder and sends to `smtpURL`.
    static func job(smtpURL: String, password: String, folder: URL) throws -> DigestJob {
        let passwordFile = folder.appendingPathComponent("smtp-password")
        try Data((password + "\n").utf8).write(to: passwordFile)
        var daemon = DaemonSettings()
        daemon.stateDirectory = folder.appendingPathComponent("state", isDirectory: true)
        daemon.deletionLog = DigestTestSupport.logURL
        var digest = DigestSettings(stateDirectory: daemon.stateDirectory)
        digest.timeZone = DigestTestSupport.shanghai
        digest.smtp = SMTPSettings(
            url: URL(string: smtpURL)!,
            requiresSTARTTLS: false,
            username: "digest",
            passwordFile: passwordFile,
            from: "digest@example.org",
            to: ["desk@example.org", "editor@example.net"]
        )
        let config = PalimpsestConfig(
            file: folder.appendingPathComponent("palimpsest.toml"),
            daemon: daemon,
            accounts: DigestTestSupport.accounts,
            digest: digest
        )
        return DigestJob(
            config: config,
            week: ISOWeek("2026-W48")!,
            timeZone: DigestTestSupport.shanghai,
            outputFolder: folder.appendingPathComponent("out", isDirectory: true),
            reproducible: true,
            now: DigestTestSupport.date("2026-11-30T07:00:00Z")
        )
    }

    @Test(
        .enabled(
            "SKIPPED: needs python3 with aiosmtpd (`make test` installs it; or `python3 -m pip install aiosmtpd`)"
        ) { await SMTPTestServer.isAvailable() }
    )
    func digestArrivesWithRecipientsSubjectBothPartsAndTheAttachment() async throws {
        try await SMTPTestServer.with { server in
            let folder = try DigestTestSupport.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            let job = try Self.job(
                smtpURL: "smtp://127.0.0.1:\(server.port)", password: server.password, folder: folder)

            let output = try await job.write()
            let attempts = try await job.send(output, policy: Self.fast)
            #expect(attempts == 1)

            let (content, envelope) = try #require(try await server.message())
            #expect(envelope["mail_from"] as? String == "digest@example.org")
            #expect(envelope["rcpt_tos"] as? [String] == ["desk@example.org", "editor@example.net"])
            #expect(envelope["login"] as? String == "digest")

            let text = String(decoding: content, as: UTF8.self)
            #expect(text.contains("To: desk@example.org, editor@example.net\r\n"))
            #expect(
                try Self.decodedSubject(text)
                    == "Palimpsest digest 2026-W48 — 2 deleted, 1 altered, 1 restored (Asia/Shanghai)"
            )
            #expect(text.contains("Content-Type: multipart/alternative;"))
            #expect(text.contains("Content-Type: text/plain; charset=utf-8\r\n"))
            #expect(text.contains("Content-Type: text/html; charset=utf-8\r\n"))
            #expect(text.contains("Content-Disposition: attachment; filename=\"events-2026-W48.csv\"\r\n"))
            let parts = DigestMessageTests.base64Parts(text)
            #expect(parts.count == 3)
            #expect(parts == [output.files.markdown, output.files.html, output.files.csv])
            #expect(String(decoding: parts[0], as: UTF8.self).contains("市政府门前，约两百人。"))
        }
    }

    @Test(
        .enabled(
            "SKIPPED: needs python3 with aiosmtpd (`make test` installs it; or `python3 -m pip install aiosmtpd`)"
        ) { await SMTPTestServer.isAvailable() }
    )
    func aRefusedLoginFailsAtOnceWithAClearMessage() async throws {
        try await SMTPTestServer.with { server in
            let folder = try DigestTestSupport.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            let job = try Self.job(smtpURL: "smtp://127.0.0.1:\(server.port)", password: "wrong", folder: folder)
            let output = try await job.write()
            let retries = Mutex(0)
            let error = await #expect(throws: DigestError.self) {
                try await job.send(output, policy: Self.fast) { _, _, _ in retries.withLock { $0 += 1 } }
            }
            #expect(retries.withLock { $0 } == 0)
            let message = error?.description ?? ""
            #expect(message.contains("(1 attempt)"))
            #expect(message.contains("smtp://127.0.0.1:\(server.port)"))
            #expect(message.contains("refused the login"))
            #expect(message.contains("password_file"))
            #expect(!message.contains("wrong"))
            #expect(server.messageCount == 0)
        }
    }

    @Test func anUnreachableServerIsRetriedWithBackoffAndTheFilesStay() async throws {
        let folder = try DigestTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try Self.closedPort()
        let job = try Self.job(smtpURL: "smtp://127.0.0.1:\(port)", password: "secret", folder: folder)
        let output = try await job.write()
        let waits = Mutex<[Double]>([])
        let error = await #expect(throws: DigestError.self) {
            try await job.send(output, policy: Self.fast) { _, error, delay in
                #expect(error.kind == .transient)
                waits.withLock { $0.append(delay) }
            }
        }
        #expect(waits.withLock { $0 } == [0.01, 0.02])
        let message = error?.description ?? ""
        #expect(message.contains("(3 attempts)"))
        #expect(message.contains("could not connect"))
        #expect(message.contains("the digest files are written"))
        for url in output.written {
            #expect(FileManager.default.fileExists(atPath: url.path))
        }
        #expect(output.written.first?.deletingLastPathComponent().lastPathComponent == "out")
    }

    @Test func thePasswordFileLosesOneTrailingNewlineOnly() throws {
        let folder = try DigestTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("pw")
        var settings = SMTPSettings(url: URL(string: "smtp://127.0.0.1")!, from: "a@b.c", to: ["d@e.f"])
        settings.passwordFile = file
        try Data(" spaced pass \r\n".utf8).write(to: file)
        #expect(try settings.readPassword() == " spaced pass ")
        try Data("\n".utf8).write(to: file)
        #expect(throws: DigestError.self) { try settings.readPassword() }
        try FileManager.default.removeItem(at: file)
        #expect(throws: DigestError.self) { try settings.readPassword() }
        settings.passwordFile = nil
        #expect(try settings.readPassword() == nil)
    }

    /// A loopback port nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The `Subject:` header of a received message, its encoded words decoded.
    static func decodedSubject(_ text: String) throws -> String {
        let lines = text.components(separatedBy: "\r\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("Subject: ") })
        var words = [String(lines[start].dropFirst(9))]
        var index = start + 1
        while index < lines.count, lines[index].hasPrefix(" ") {
            words.append(String(lines[index].dropFirst()))
            index += 1
        }
        var bytes = Data()
        for word in words {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return words.joined(separator: " ") }
            bytes += try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
