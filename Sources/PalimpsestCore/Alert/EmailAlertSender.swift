public import Foundation

/// `type = "email"`: one short plain-text message per event or per batch through the digest's
/// SMTP settings (`[digest.smtp]`, its `password_file` read at each send), to the sink's `to`
/// or else the digest's recipients. The event ids are in the `Palimpsest-Event-Ids` header.
public struct EmailAlertSender: AlertSending {
    public let sink: AlertSink
    public let smtp: SMTPSettings
    /// The sender; `nil` uses ``CurlSMTPSender`` (tests inject one).
    let sender: (any SMTPSending)?

    public init(sink: AlertSink, smtp: SMTPSettings, sender: (any SMTPSending)? = nil) {
        self.sink = sink
        self.smtp = smtp
        self.sender = sender
    }

    /// The recipients: the sink's `to`, else `[digest.smtp] to`.
    public var recipients: [String] { self.sink.to.isEmpty ? self.smtp.to : self.sink.to }

    /// The message's bytes (CRLF lines, UTF-8 body in base64).
    public func messageBytes(_ message: AlertMessage, date: Date = Date()) -> [UInt8] {
        var lines = [
            "From: \(self.smtp.from)",
            "To: \(self.recipients.joined(separator: ", "))",
            DigestMessage.encodedHeader("Subject", message.title),
            "Date: \(DigestMessage.rfc5322Date(date))",
            "Message-ID: <\(UUID().uuidString.lowercased())@palimpsest>",
            "Palimpsest-Event-Ids: \(message.eventIDs.joined(separator: ","))",
            "MIME-Version: 1.0",
        ]
        lines += DigestMessage.part(type: "text/plain; charset=utf-8", data: Data(message.body.utf8))
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    public func send(_ message: AlertMessage) async throws -> String {
        let sender: any SMTPSending
        if let injected = self.sender {
            sender = injected
        } else {
            let password: String?
            do {
                password = try self.smtp.readPassword()
            } catch {
                throw AlertDeliveryError(
                    sink: self.sink.name, message: "\(error)", advice: "fix [digest.smtp] password_file",
                    isPermanent: true)
            }
            sender = CurlSMTPSender(
                settings: self.smtp, password: password, connectTimeout: 10, timeout: self.sink.timeout)
        }
        do {
            try await sender.send(self.messageBytes(message), from: self.smtp.from, to: self.recipients)
        } catch {
            throw AlertDeliveryError(
                sink: self.sink.name, message: "\(error)",
                advice: "check [digest.smtp] and the mail server; the alert is retried")
        }
        return "sent to \(self.recipients.joined(separator: ", "))"
    }
}
