public import Foundation
import TOMLKit

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
    /// `max_attachment_size`: the largest `events.csv`, in bytes, attached to the message; a
    /// larger one is left out and the message says where it is (mail servers refuse messages of
    /// more than 10 to 25 MB, and base64 makes an attachment a third larger). Default 10 MiB.
    public var maxAttachmentBytes: Int = SMTPSettings.defaultMaxAttachmentBytes

    /// `max_attachment_size`'s default: 10 MiB.
    public static let defaultMaxAttachmentBytes = 10 << 20

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

// MARK: - Reading `[digest.smtp]`

extension SMTPSettings {
    /// Reads `[digest.smtp]` (keys: ``ConfigSections/smtp``); `nil` when a required key is missing
    /// or a value is wrong, each problem reported in `reader` (a `password` key is refused: the
    /// password lives in `password_file`).
    init?(reading table: TOMLTable, with reader: inout ConfigReader) {
        guard let settings = Self.read(table, with: &reader) else { return nil }
        self = settings
    }

    private static func read(_ table: TOMLTable, with reader: inout ConfigReader) -> SMTPSettings? {
        let scope = ConfigReader.Scope.smtp
        let keys = ConfigSections.smtp
        let errorsBefore = reader.errors.count
        for key in table.keys where !ConfigSections.smtp.names.contains(key) {
            if key == "password" {
                reader.report(
                    "the password never goes in the config: put it in a file readable only by the digest's user "
                        + "and name that file in `password_file`",
                    key: key,
                    in: scope
                )
            } else {
                reader.reportUnknown(key, in: ConfigSections.smtp, scope: scope)
            }
        }
        var url: URL?
        let what = "the mail server as \"smtp://host[:port]\" (STARTTLS) or \"smtps://host[:port]\" (TLS)"
        if let text = reader.string(keys["url"], in: table, scope: scope, required: what) {
            if let parsed = URL(string: text), let scheme = parsed.scheme?.lowercased(),
                ["smtp", "smtps"].contains(scheme), let host = parsed.host, !host.isEmpty
            {
                if parsed.user != nil || parsed.password != nil {
                    reader.report(
                        "the URL holds a user or password; use `username` and `password_file` instead",
                        key: "url",
                        in: scope
                    )
                } else if let problem = ConfigReader.problem(ofPort: parsed.port) {
                    reader.report(
                        "\(problem): write the mail server's port (usually 587 with "
                            + "smtp://, 465 with smtps://) or leave it out for 25 and 465",
                        key: "url", in: scope)
                } else if !(parsed.path.isEmpty || parsed.path == "/") || parsed.query != nil || parsed.fragment != nil
                {
                    reader.report(
                        "expected \(what) without a path or query, found "
                            + ConfigReader.quote(ConfigReader.redactingPassword(text)),
                        key: "url", in: scope)
                } else {
                    url = parsed
                }
            } else {
                reader.report(
                    "expected \(what), found \(ConfigReader.quote(ConfigReader.redactingPassword(text)))", key: "url",
                    in: scope)
            }
        }
        let starttls = reader.boolean(keys["starttls"], in: table, scope: scope) ?? true
        let username = reader.string(keys["username"], in: table, scope: scope)
        if let username, username.isEmpty || username.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            reader.report("expected a non-empty user name on one line", key: "username", in: scope)
        }
        let passwordFile = reader.path(keys["password_file"], in: table, scope: scope)
        if username != nil, table["password_file"] == nil {
            reader.report(
                "missing `password_file`: the file holding the password of `username`", key: "username", in: scope)
        }
        if username == nil, table["password_file"] != nil, table["username"] == nil {
            reader.report("`password_file` needs a `username` to log in with", key: "password_file", in: scope)
        }
        var from: String?
        let fromExample = "the sender address, e.g. \"digest@example.org\""
        if let text = reader.string(keys["from"], in: table, scope: scope, required: fromExample) {
            if SMTPSettings.isPlainAddress(text) {
                from = text
            } else {
                reader.report(
                    "expected a plain address such as \"digest@example.org\" (no display name), "
                        + "found \(ConfigReader.quote(text))",
                    key: "from",
                    in: scope
                )
            }
        }
        var recipients: [String] = []
        if table["to"] == nil {
            reader.report("missing required key: the recipients, e.g. [\"desk@example.org\"]", key: "to", in: scope)
        }
        for text in reader.strings(keys["to"], in: table, scope: scope, nonEmpty: true) ?? [] {
            if SMTPSettings.isPlainAddress(text) {
                if !recipients.contains(text) { recipients.append(text) }
            } else {
                reader.report(
                    "expected a list of plain addresses such as [\"desk@example.org\"], "
                        + "found \(ConfigReader.quote(text)) in it",
                    key: "to",
                    in: scope
                )
            }
        }
        let maxAttachment = reader.byteSize(keys["max_attachment_size"], in: table, scope: scope)
        guard reader.errors.count == errorsBefore, let url, let from, !recipients.isEmpty else { return nil }
        var settings = SMTPSettings(
            url: url,
            requiresSTARTTLS: starttls,
            username: username,
            passwordFile: passwordFile,
            from: from,
            to: recipients
        )
        settings.maxAttachmentBytes = maxAttachment ?? settings.maxAttachmentBytes
        return settings
    }
}
