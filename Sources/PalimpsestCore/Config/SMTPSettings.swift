public import Foundation

/// The `[digest.smtp]` table: the mail server and addresses `palimpsest digest --send` uses.
///
/// The password is never in the config: ``passwordFile`` names a file holding it, read only when
/// a message is sent.
public struct SMTPSettings: Sendable, Hashable {
    /// `url`: `smtp://host[:port]` (plain, upgraded with STARTTLS when ``requiresSTARTTLS``) or
    /// `smtps://host[:port]` (TLS from the first byte). Default ports: 25 and 465.
    public var url: URL
    /// `starttls`: for `smtp://`, refuse to send unless the server upgrades the connection with
    /// STARTTLS (`CURLUSESSL_ALL`). Default true; set false only for a relay on loopback. Ignored
    /// for `smtps://`, which is always encrypted.
    public var requiresSTARTTLS: Bool
    /// `username`: the SMTP AUTH user; `nil` sends without authenticating.
    public var username: String?
    /// `password_file`: a file whose contents (one trailing newline removed) are the SMTP AUTH
    /// password; required with ``username``.
    public var passwordFile: URL?
    /// `from`: the sender address (`MAIL FROM` and the `From:` header), e.g. `digest@example.org`.
    public var from: String
    /// `to`: the recipient addresses (`RCPT TO` and the `To:` header), at least one.
    public var to: [String]

    /// Creates settings from validated values.
    public init(
        url: URL,
        requiresSTARTTLS: Bool = true,
        username: String? = nil,
        passwordFile: URL? = nil,
        from: String,
        to: [String]
    ) {
        self.url = url
        self.requiresSTARTTLS = requiresSTARTTLS
        self.username = username
        self.passwordFile = passwordFile
        self.from = from
        self.to = to
    }

    /// True when the connection is encrypted from its first byte (`smtps://`).
    public var isImplicitTLS: Bool { self.url.scheme?.lowercased() == "smtps" }

    /// True for a plausible plain mail address: `local@domain` in ASCII, one `@`, no spaces, angle
    /// brackets, commas, quotes or control characters (display names are not accepted).
    public static func isPlainAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, text.utf8.count <= 254 else { return false }
        return !text.unicodeScalars.contains { scalar in
            scalar.value < 0x21 || scalar.value > 0x7E || "<>,;:\"()[]\\".unicodeScalars.contains(scalar)
        }
    }
}

extension SMTPSettings {
    /// The password in ``passwordFile`` without one trailing newline (LF or CRLF); `nil` when no
    /// password file is configured. Read at send time only, never logged.
    /// - Throws: ``DigestError`` naming the file when it cannot be read or is empty.
    public func readPassword() throws -> String? {
        guard let file = self.passwordFile else { return nil }
        guard let data = try? POSIXFile.contents(of: file.path) else {
            throw DigestError(
                "cannot read password_file \(file.path)",
                advice: "create it with the SMTP password on one line, readable only by the digest's user (chmod 600)"
            )
        }
        var bytes = [UInt8](data)
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard !bytes.isEmpty else {
            throw DigestError("password_file \(file.path) is empty", advice: "write the SMTP password into it")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
