import Foundation
import Logging
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The e-mail sink through the outbox, the libcurl SMTP client and a real SMTP server on loopback
/// (Python's aiosmtpd, as for the digest): one message per event, one per batch window.
@Suite(.serialized, .awaitedCleanup) struct EmailAlertTests {
    /// A pipeline with one e-mail sink sending through `server` with `[digest.smtp]`.
    static func pipeline(
        _ fixture: AlertDeliveryTests.Fixture, server: SMTPTestServer, batch: TimeInterval?,
        clock: AlertDeliveryTests.TestClock
    ) throws -> AlertPipeline {
        let passwordFile = fixture.root.appendingPathComponent("smtp-password")
        try Data((server.password + "\n").utf8).write(to: passwordFile)
        var config = PalimpsestConfig(file: fixture.root.appendingPathComponent("palimpsest.toml"))
        config.digest.smtp = SMTPSettings(
            url: URL(string: "smtp://127.0.0.1:\(server.port)")!, requiresSTARTTLS: false, username: server.user,
            passwordFile: passwordFile, from: "palimpsest@example.org", to: ["desk@example.org"])
        config.alerts = [AlertSink(name: "mail", kind: .email, to: ["alerts@example.net"], batch: batch)]
        return AlertPipeline(
            config: config, store: fixture.store, log: fixture.log, client: fixture.client,
            timing: AlertDispatcher.Timing(retryBase: 0.01, retryCap: 0.05, drainRetryBase: 0.01, idleSleep: 0.1),
            clock: { clock.read() }, logger: Logger(label: "test"))
    }

    /// A stored message's headers (unfolded lines) and its decoded plain-text body.
    static func parse(_ content: Data) throws -> (headers: [String: String], body: String) {
        let text = String(decoding: content, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        try #require(parts.count >= 2)
        var headers: [String: String] = [:]
        for line in parts[0].components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let encoded = parts[1...].joined().components(separatedBy: .whitespacesAndNewlines).joined()
        let body = try #require(Data(base64Encoded: encoded))
        return (headers, String(decoding: body, as: UTF8.self))
    }

    @Test(
        .enabled(
            "SKIPPED: needs python3 with aiosmtpd (`make test` installs it; or `python3 -m pip install aiosmtpd`)"
        ) { await SMTPTestServer.isAvailable() })
    func anEmailSinkSendsOneShortMessagePerEvent() async throws {
        try await SMTPTestServer.with { server in
            let fixture = try await AlertDeliveryTests.Fixture()
            atEnd { await fixture.close() }
            let clock = AlertDeliveryTests.TestClock()
            let pipeline = try Self.pipeline(fixture, server: server, batch: nil, clock: clock)
            await pipeline.start(now: clock.read())
            let written = try fixture.log.append([AlertDeliveryTests.deletion(1), AlertDeliveryTests.deletion(2)])
            await pipeline.logged(written)
            let report = await pipeline.dispatcher.drain(within: 20)
            #expect(report.waiting == 0)

            #expect(server.messageCount == 2)
            var seen: [String] = []
            for number in 1...2 {
                let (content, envelope) = try #require(try await server.message(number))
                #expect(envelope["mail_from"] as? String == "palimpsest@example.org")
                #expect(envelope["rcpt_tos"] as? [String] == ["alerts@example.net"], "the sink's `to` wins")
                let message = try Self.parse(content)
                let id = try #require(message.headers["Palimpsest-Event-Ids"])
                seen.append(id)
                let event = try #require(written.first { $0.id == id })
                #expect(message.body.contains("Post number \(event.postID?.dropFirst() ?? "")"))
                #expect(message.body.contains(event.id))
                #expect(message.headers["Subject"]?.isEmpty == false)
            }
            #expect(seen.sorted() == written.map(\.id).sorted(), "one message per event, each once")
            #expect(try pipeline.outbox.rows(of: "mail").allSatisfy(\.delivered))
        }
    }

    @Test(
        .enabled(
            "SKIPPED: needs python3 with aiosmtpd (`make test` installs it; or `python3 -m pip install aiosmtpd`)"
        ) { await SMTPTestServer.isAvailable() })
    func anEmailSinkWithABatchWindowSendsOneMessageListingTheWindow() async throws {
        try await SMTPTestServer.with { server in
            let fixture = try await AlertDeliveryTests.Fixture()
            atEnd { await fixture.close() }
            let clock = AlertDeliveryTests.TestClock()
            let pipeline = try Self.pipeline(fixture, server: server, batch: 300, clock: clock)
            await pipeline.start(now: clock.read())
            let events = (1...20).map {
                AlertDeliveryTests.deletion($0, account: "feed:https://example.org/\($0 % 4).xml")
            }
            let written = try fixture.log.append(events)
            await pipeline.logged(written)
            await pipeline.dispatcher.deliverDue(draining: false)
            #expect(server.messageCount == 0, "nothing before the window ends")
            clock.advance(301)
            await pipeline.dispatcher.deliverDue(draining: false)
            let (content, _) = try #require(try await server.message(1))
            let message = try Self.parse(content)
            #expect(message.headers["Palimpsest-Event-Ids"] == written.map(\.id).joined(separator: ","))
            for event in written { #expect(message.body.contains(event.id)) }
            await pipeline.dispatcher.deliverDue(draining: false)
            #expect(server.messageCount == 1, "one message for the whole window, sent once")
        }
    }
}
