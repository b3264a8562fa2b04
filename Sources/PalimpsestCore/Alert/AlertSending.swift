public import Foundation

/// Delivers an ``AlertMessage`` to one sink.
public protocol AlertSending: Sendable {
    /// Sends `message`.
    /// - Returns: what the sink answered, for operators (`HTTP 200`, `apprise exited 0`, …).
    /// - Throws: ``AlertDeliveryError`` saying what the sink answered or why nothing reached it;
    ///   the outbox retries later unless ``AlertDeliveryError/isPermanent``.
    func send(_ message: AlertMessage) async throws -> String
}

/// A delivery that failed: the sink's name and answer, and what to do.
public struct AlertDeliveryError: Error, Sendable, CustomStringConvertible {
    /// The sink (`[[alert]] name`).
    public var sink: String
    /// What happened (the HTTP status and body start, the command's exit status and output).
    public var message: String
    /// What the operator can do.
    public var advice: String
    /// A failure that retrying cannot fix (a secret file missing); still retried until `max_age`,
    /// since the operator may fix it meanwhile.
    public var isPermanent: Bool

    public init(sink: String, message: String, advice: String, isPermanent: Bool = false) {
        self.sink = sink
        self.message = message
        self.advice = advice
        self.isPermanent = isPermanent
    }

    public var description: String { "alert sink \(self.sink): \(self.message); \(self.advice)" }
}

/// Builds the sender of each configured sink.
public enum AlertSenders {
    /// One sender per sink of `config`, by sink name.
    /// - Parameter client: the libcurl client webhooks are posted through.
    public static func make(for config: PalimpsestConfig, client: any HTTPFetching) -> [String: any AlertSending] {
        var senders: [String: any AlertSending] = [:]
        for sink in config.alerts {
            switch sink.kind {
            case .webhook:
                senders[sink.name] = WebhookSender(sink: sink, client: client)
            case .apprise:
                senders[sink.name] = AppriseSender(sink: sink)
            case .email:
                if let smtp = config.digest.smtp { senders[sink.name] = EmailAlertSender(sink: sink, smtp: smtp) }
            }
        }
        return senders
    }

    /// The contents of a secret file without one trailing newline (LF or CRLF).
    static func readSecret(_ file: URL, sink: String, key: String) throws -> Data {
        guard let data = try? POSIXFile.contents(of: file.path) else {
            throw AlertDeliveryError(
                sink: sink, message: "cannot read \(key) \(file.path)",
                advice: "create it readable only by the daemon's user (chmod 600)", isPermanent: true)
        }
        var bytes = [UInt8](data)
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard !bytes.isEmpty else {
            throw AlertDeliveryError(
                sink: sink, message: "\(key) \(file.path) is empty", advice: "write the secret into it",
                isPermanent: true)
        }
        return Data(bytes)
    }
}
