/// A message could not be delivered over SMTP. The message names the server and says what to do.
public struct SMTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Whether trying again later may help.
    public enum Kind: String, Sendable, Hashable {
        /// The server could not be reached, timed out, or answered with a 4xx code: retry later.
        case transient
        /// The server refused the login, the TLS setup, a sender or a recipient (5xx): retrying
        /// the same message will not help; fix the config.
        case permanent
    }

    /// Transient or permanent.
    public var kind: Kind
    /// The server URL (never with credentials).
    public var server: String
    /// The last SMTP reply code, when the server sent one (e.g. 550).
    public var replyCode: Int?
    /// What went wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(kind: Kind, server: String, replyCode: Int? = nil, message: String) {
        self.kind = kind
        self.server = server
        self.replyCode = replyCode
        self.message = message
    }

    /// `smtp://mail.example.org:587: …`.
    public var description: String {
        let code = self.replyCode.map { " (SMTP reply \($0))" } ?? ""
        return "\(self.server): \(self.message)\(code)"
    }
}
