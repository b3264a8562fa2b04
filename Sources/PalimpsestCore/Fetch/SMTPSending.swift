/// Something that delivers one ready-made e-mail message over SMTP: ``CurlSMTPSender`` in
/// production, a recorder in tests.
public protocol SMTPSending: Sendable {
    /// Sends `message` (RFC 5322 bytes, CRLF line ends) from `from` to every address of `recipients`.
    /// - Parameters:
    ///   - message: The whole message, headers and body.
    ///   - from: The envelope sender (`MAIL FROM`).
    ///   - recipients: The envelope recipients (`RCPT TO`), at least one.
    /// - Throws: ``SMTPError`` when the server could not be reached or refused the message;
    ///   `CancellationError` when the task was cancelled.
    func send(_ message: [UInt8], from: String, to recipients: [String]) async throws
}
