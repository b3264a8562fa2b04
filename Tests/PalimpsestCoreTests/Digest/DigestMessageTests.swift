import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

@Suite struct DigestMessageTests {
    static func message() throws -> (DigestMessage, DigestFiles) {
        let digest = try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai)
        let files = try DigestFiles(digest: digest)
        let message = DigestMessage(
            digest: digest,
            files: files,
            from: "digest@example.org",
            to: ["desk@example.org", "editor@example.net"],
            date: DigestTestSupport.date("2026-11-30T07:00:00Z"),
            messageID: "test"
        )
        return (message, files)
    }

    @Test func headersNameTheAddressesAndEncodeTheSubject() throws {
        let (message, _) = try Self.message()
        let text = String(decoding: message.bytes, as: UTF8.self)
        let headers = String(text[..<text.range(of: "\r\n\r\n")!.lowerBound])
        #expect(headers.contains("From: Palimpsest digest <digest@example.org>\r\n"))
        #expect(headers.contains("To: desk@example.org, editor@example.net\r\n"))
        #expect(headers.contains("Date: Mon, 30 Nov 2026 07:00:00 +0000\r\n"))
        #expect(headers.contains("Message-ID: <palimpsest-digest.2026-W48.test@example.org>\r\n"))
        #expect(headers.contains("MIME-Version: 1.0\r\n"))
        #expect(message.subject == "Palimpsest digest 2026-W48 — 2 deleted, 1 altered, 1 restored (Asia/Shanghai)")
        // The subject is UTF-8 encoded words, each within 75 characters, and decodes back.
        let subjectLines = headers.components(separatedBy: "\r\n").drop { !$0.hasPrefix("Subject: ") }
            .prefix { $0.hasPrefix("Subject: ") || $0.hasPrefix(" ") }
        let words = subjectLines.map { $0.hasPrefix("Subject: ") ? String($0.dropFirst(9)) : String($0.dropFirst()) }
        #expect(words.count > 1)
        var decoded = Data()
        for word in words {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            decoded += try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
        }
        #expect(String(decoding: decoded, as: UTF8.self) == message.subject)
    }

    @Test func bodyIsMultipartAlternativeWithTheCSVAttached() throws {
        let (message, files) = try Self.message()
        let text = String(decoding: message.bytes, as: UTF8.self)
        // Only CRLF line ends, no line over 998 characters (RFC 5322).
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
        #expect(text.contains("Content-Type: multipart/mixed; boundary=\""))
        #expect(text.contains("Content-Type: multipart/alternative; boundary=\""))
        #expect(text.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"))
        #expect(text.contains("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"))
        #expect(
            text.contains(
                "Content-Type: text/csv; charset=utf-8; name=\"events-2026-W48.csv\"\r\n"
                    + "Content-Transfer-Encoding: base64\r\n"
                    + "Content-Disposition: attachment; filename=\"events-2026-W48.csv\"\r\n"
            )
        )
        // Each part decodes to its file.
        let parts = Self.base64Parts(text)
        #expect(parts == [files.markdown, files.html, files.csv])
    }

    /// An events.csv larger than `max_attachment_size` is left out, and a short text part says
    /// so and where the file is; one within it is attached as before.
    @Test func aCSVLargerThanTheLimitIsNotAttachedAndTheMessageSaysWhereItIs() throws {
        let digest = try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai)
        let files = try DigestFiles(digest: digest)
        func message(limit: Int) -> DigestMessage {
            DigestMessage(
                digest: digest, files: files, from: "digest@example.org", to: ["desk@example.org"],
                date: DigestTestSupport.date("2026-11-30T07:00:00Z"), messageID: "test",
                maxAttachmentBytes: limit, csvLocation: "monitor:/var/lib/palimpsest/digests/2026-W48/events.csv")
        }
        let small = message(limit: files.csv.count - 1)
        #expect(!small.attachesCSV)
        let text = String(decoding: small.bytes, as: UTF8.self)
        #expect(!text.contains("text/csv"))
        #expect(text.contains("the digest as text and HTML.\r\n"))
        let parts = Self.base64Parts(text)
        #expect(parts.count == 3)
        #expect(Array(parts.prefix(2)) == [files.markdown, files.html])
        let note = String(decoding: try #require(parts.last), as: UTF8.self)
        #expect(note.contains("events.csv (every event of the week, "), "\(note)")
        #expect(note.contains("is not attached: it is larger than the digest's e-mail may carry"), "\(note)")
        #expect(note.contains("it is at monitor:/var/lib/palimpsest/digests/2026-W48/events.csv"), "\(note)")
        #expect(DigestMessage.mebibytes(5_686) == "5.6 KiB")
        #expect(DigestMessage.mebibytes(54_140_767) == "51.6 MiB")

        let exact = message(limit: files.csv.count)
        #expect(exact.attachesCSV)
        #expect(
            Self.base64Parts(String(decoding: exact.bytes, as: UTF8.self)) == [files.markdown, files.html, files.csv])
    }

    /// A server refusing the message as too large (552, or 452 for now) is told apart from a
    /// refused sender or recipient, and the error says what makes the message smaller.
    @Test func aMessageRefusedAsTooLargeSaysWhatMakesItSmaller() {
        let large = SMTPError.afterReply(552, detail: "MAIL failed: 552", server: "s")
        #expect(large.kind == .permanent)
        #expect(large.message.contains("refused the message as too large"), "\(large.message)")
        #expect(large.message.contains("entries_in_full") && large.message.contains("max_attachment_size"))
        let later = SMTPError.afterReply(452, detail: "452", server: "s")
        #expect(later.kind == .transient)
        #expect(later.message.contains("too large"))
        let refused = SMTPError.afterReply(550, detail: "550", server: "s")
        #expect(refused.message.contains("check `from` and `to`"))
    }

    @Test func asciiSubjectsStayReadable() {
        #expect(DigestMessage.encodedHeader("Subject", "Weekly digest") == "Subject: Weekly digest")
        let encoded = DigestMessage.encodedHeader("Subject", "审查周报")
        #expect(encoded == "Subject: =?UTF-8?B?" + Data("审查周报".utf8).base64EncodedString() + "?=")
    }

    /// The decoded bodies of the base64 parts, in order.
    static func base64Parts(_ text: String) -> [Data] {
        var parts: [Data] = []
        let chunks = text.components(separatedBy: "Content-Transfer-Encoding: base64\r\n").dropFirst()
        for chunk in chunks {
            // The part's headers end at the first empty line (right away when no header follows).
            guard let start = chunk.hasPrefix("\r\n") ? chunk.range(of: "\r\n") : chunk.range(of: "\r\n\r\n")
            else { continue }
            let body = chunk[start.upperBound...].prefix { $0 != "-" }
            let joined = body.replacingOccurrences(of: "\r\n", with: "")
            if let data = Data(base64Encoded: joined) { parts.append(data) }
        }
        return parts
    }
}
