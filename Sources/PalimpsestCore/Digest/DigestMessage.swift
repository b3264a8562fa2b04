public import Foundation

/// The e-mail that carries a digest: RFC 5322 headers, a `multipart/mixed` body holding a
/// `multipart/alternative` (the Markdown as `text/plain`, the HTML as `text/html`) and `events.csv`
/// as an attachment, or, when `events.csv` is larger than the message may carry, a short
/// `text/plain` part saying so and where the file is. Every part is UTF-8 in base64 (lines of 76 characters); the subject is an
/// RFC 2047 encoded word (`=?UTF-8?B?…?=`) when it is not plain ASCII; lines end with CRLF.
public struct DigestMessage: Sendable, Hashable {
    /// The envelope and `From:` sender.
    public var from: String
    /// The envelope and `To:` recipients.
    public var to: [String]
    /// The subject, as readers see it (before encoding).
    public var subject: String
    /// The message bytes, ready for ``SMTPSending/send(_:from:to:)``.
    public var bytes: [UInt8]
    /// False when `events.csv` was larger than `maxAttachmentBytes` and is not attached.
    public var attachesCSV: Bool

    /// Builds the message of `digest` from its rendered `files`.
    /// - Parameters:
    ///   - digest: The digest (for the subject).
    ///   - files: Its rendered files.
    ///   - from: The sender address.
    ///   - to: The recipient addresses.
    ///   - date: The `Date:` header's time.
    ///   - messageID: The unique part of `Message-ID` (left of the `@`); random by default.
    ///   - maxAttachmentBytes: The largest `events.csv` attached, in bytes (`[digest.smtp]
    ///     max_attachment_size`); `nil` attaches it whatever its size.
    ///   - csvLocation: Where `events.csv` is, for the note that replaces a file too large to
    ///     attach (e.g. `host:/var/lib/palimpsest/digests/2026-W48/events.csv`).
    public init(
        digest: Digest, files: DigestFiles, from: String, to: [String], date: Date, messageID: String? = nil,
        maxAttachmentBytes: Int? = nil, csvLocation: String? = nil
    ) {
        self.from = from
        self.to = to
        self.subject = Self.subject(digest)
        let unique = messageID ?? UUID().uuidString.lowercased()
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        // Each file put together from its parts once (``DigestFiles`` does it at every ask).
        let (markdown, html, csv) = (files.markdown, files.html, files.csv)
        // Boundaries hold "=_", which base64 never produces, so no part can contain one.
        let seed = ContentHash.sha256Hex(markdown + html + csv).prefix(16)
        let mixed = "=_palimpsest-mixed-\(seed)"
        let alternative = "=_palimpsest-alt-\(seed)"
        let csvName = "events-\(digest.week).csv"

        var lines: [String] = []
        lines.append("From: Palimpsest digest <\(from)>")
        lines.append("To: " + to.joined(separator: ", "))
        lines.append(Self.encodedHeader("Subject", self.subject))
        lines.append("Date: " + Self.rfc5322Date(date))
        lines.append("Message-ID: <palimpsest-digest.\(digest.week).\(unique)@\(domain)>")
        lines.append("MIME-Version: 1.0")
        lines.append("Auto-Submitted: auto-generated")
        lines.append("X-Palimpsest-Week: \(digest.week)")
        lines.append("Content-Type: multipart/mixed; boundary=\"\(mixed)\"")
        lines.append("")
        let attachesCSV = maxAttachmentBytes.map { csv.count <= $0 } ?? true
        self.attachesCSV = attachesCSV
        lines.append(
            "This is a MIME message: the digest as text and HTML"
                + (attachesCSV ? ", with the events as CSV." : "."))
        lines.append("")
        lines.append("--\(mixed)")
        lines.append("Content-Type: multipart/alternative; boundary=\"\(alternative)\"")
        lines.append("")
        lines.append("--\(alternative)")
        lines += Self.part(type: "text/plain; charset=utf-8", data: markdown)
        lines.append("--\(alternative)")
        lines += Self.part(type: "text/html; charset=utf-8", data: html)
        lines.append("--\(alternative)--")
        lines.append("")
        lines.append("--\(mixed)")
        if attachesCSV {
            lines += Self.part(
                type: "text/csv; charset=utf-8; name=\"\(csvName)\"",
                data: csv,
                disposition: "attachment; filename=\"\(csvName)\""
            )
        } else {
            let note = Self.csvNotAttachedNote(
                size: csv.count, limit: maxAttachmentBytes ?? 0, location: csvLocation)
            lines += Self.part(type: "text/plain; charset=utf-8", data: Data(note.utf8), disposition: "inline")
        }
        lines.append("--\(mixed)--")
        self.bytes = Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// The text that stands for an `events.csv` of `size` bytes too large to attach.
    static func csvNotAttachedNote(size: Int, limit: Int, location: String?) -> String {
        var text = "events.csv (every event of the week, \(Self.mebibytes(size))) is not attached: it is larger "
        text += "than the digest's e-mail may carry (\(Self.mebibytes(limit)), [digest.smtp] max_attachment_size). "
        if let location {
            text += "Ask the operator for it: it is at \(location), beside digest.json, which holds every event too."
        }
        return text + "\n"
    }

    /// A size in MiB with one decimal (`54.1 MiB`), in KiB below one MiB (`5.6 KiB`), for people.
    public static func mebibytes(_ bytes: Int) -> String {
        bytes >= 1 << 20
            ? String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
            : String(format: "%.1f KiB", Double(bytes) / 1_024)
    }

    /// Above this many bytes a message is refused by many mail servers (10 to 25 MB are common
    /// limits): `digest --send` warns before sending one.
    public static let largeMessageBytes = 20 << 20

    /// `Palimpsest digest 2026-W48 — 3 deleted, 1 altered, 0 restored (Asia/Shanghai)`, or
    /// `… — nothing found (UTC)`.
    public static func subject(_ digest: Digest) -> String {
        let totals = digest.totals
        let findings =
            totals.isEmpty
            ? "nothing found"
            : "\(totals.count(.deleted)) deleted, \(totals.count(.altered)) altered, "
                + "\(totals.count(.restored)) restored"
        let progress = digest.isInProgress ? ", week in progress" : ""
        return "Palimpsest digest \(digest.week) — \(findings) (\(digest.timeZone)\(progress))"
    }

    /// A header line, with the value as RFC 2047 `B` encoded words (UTF-8) folded onto
    /// continuation lines when it is not printable ASCII; each encoded word stays within 75
    /// characters and never splits a character.
    static func encodedHeader(_ name: String, _ value: String) -> String {
        if value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }), value.utf8.count + name.count < 76
        {
            return "\(name): \(value)"
        }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in value {
            let bytes = Array(String(character).utf8)
            // 45 bytes make 60 base64 characters: 12 + 60 = 72 per encoded word.
            if chunk.count + bytes.count > 45, !chunk.isEmpty {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return "\(name): " + words.joined(separator: "\r\n ")
    }

    /// `Mon, 30 Nov 2026 07:00:00 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func pad(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return "\(days[((parts.weekday ?? 1) - 1) % 7]), \(parts.day ?? 1) \(months[((parts.month ?? 1) - 1) % 12]) "
            + "\(parts.year ?? 1970) \(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second)) +0000"
    }

    /// The header and base64 body lines of one part.
    static func part(type: String, data: Data, disposition: String? = nil) -> [String] {
        var lines = ["Content-Type: \(type)", "Content-Transfer-Encoding: base64"]
        if let disposition { lines.append("Content-Disposition: \(disposition)") }
        lines.append("")
        let encoded = data.base64EncodedString()
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<end]))
            index = end
        }
        return lines
    }
}
