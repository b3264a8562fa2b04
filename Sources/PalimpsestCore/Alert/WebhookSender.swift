import Crypto
public import Foundation

/// `type = "webhook"`: POSTs ``AlertMessage/webhookBody()`` through the libcurl client, signed:
/// `Palimpsest-Signature: sha256=<hex>` is the HMAC-SHA256 of the body's bytes keyed with the
/// contents of `secret_file` (RFC 2104; swift-crypto's `HMAC<SHA256>`). `Palimpsest-Event-Ids`
/// lists the event ids (comma-separated) so a receiver can drop a repeated delivery. Any 2xx
/// answer is a delivery; anything else is retried.
public struct WebhookSender: AlertSending {
    public let sink: AlertSink
    public let client: any HTTPFetching

    public init(sink: AlertSink, client: any HTTPFetching) {
        self.sink = sink
        self.client = client
    }

    /// `sha256=<hex>` of `body` keyed with `secret`.
    public static func signature(of body: Data, secret: Data) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))
        return "sha256=" + ContentHash.hex(code)
    }

    public func send(_ message: AlertMessage) async throws -> String {
        guard let url = self.sink.url, let secretFile = self.sink.secretFile else {
            throw AlertDeliveryError(sink: self.sink.name, message: "no url or secret_file", advice: "check the config")
        }
        let secret = try AlertSenders.readSecret(secretFile, sink: self.sink.name, key: "secret_file")
        let body: Data
        do {
            body = try message.webhookBody()
        } catch {
            throw AlertDeliveryError(
                sink: self.sink.name, message: "cannot encode the event: \(error)", advice: "report this as a bug")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "Palimpsest-Signature", value: Self.signature(of: body, secret: secret))
        headers.add(name: "Palimpsest-Event-Ids", value: message.eventIDs.joined(separator: ","))
        let request = HTTPRequest(
            url: url, method: "POST", headers: headers, body: body, timeout: self.sink.timeout, proxy: "",
            maxBodyBytes: 64 * 1024)
        let response: HTTPResponse
        do {
            response = try await self.client.send(request)
        } catch let error as HTTPClientError {
            throw AlertDeliveryError(
                sink: self.sink.name, message: "POST \(url.absoluteString): \(error)",
                advice: "check that the receiver runs and is reachable; the alert is retried")
        }
        guard response.isSuccess else {
            let start = String(decoding: response.body.prefix(200), as: UTF8.self)
            throw AlertDeliveryError(
                sink: self.sink.name,
                message:
                    "POST \(url.absoluteString) answered HTTP \(response.status) \(TerminalText.singleLine(start))",
                advice: "the alert is retried; check the receiver's log")
        }
        return "HTTP \(response.status)"
    }
}
