public import Foundation

/// `events.csv`: one row per event of the digest's week, the log's fields flattened, for
/// spreadsheets.
///
/// - RFC 4180: comma-separated, CRLF after every record (the header too), a field in double
///   quotes when it holds a comma, a double quote (doubled inside), CR or LF.
/// - UTF-8 **with** a byte-order mark (EF BB BF): without it Excel reads a CSV in the machine's
///   legacy code page and garbles Chinese, Japanese and Korean text; LibreOffice, Numbers, Google
///   Sheets and Python's `utf-8-sig` read the mark and drop it.
/// - Formula injection neutralised: a cell whose text begins with `=`, `+`, `-`, `@`, a tab or a
///   CR would be run as a formula by a spreadsheet, so it gets a leading `'` (OWASP, "CSV
///   Injection"). Only text cells can begin so: numbers in this file are never negative.
/// - Several values in one cell (evidence, media) are separated by line feeds.
/// - Times are RFC 3339 UTC as in the log; `detected_local` repeats the detection time in the
///   digest's time zone.
public enum EventsCSV {
    /// The UTF-8 byte-order mark that starts the file.
    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The header row, in column order (documented in `docs/digest.md`).
    public static let columns = [
        "log", "seq", "id", "detected_at", "detected_local", "event", "reason", "confirmed_by", "platform", "account",
        "account_name", "post_id", "post_kind", "about", "url", "posted_at", "first_seen", "last_seen", "first_missing",
        "lifetime_min_s", "lifetime_max_s", "gone_for_min_s", "gone_for_max_s", "text", "previous_text", "diff",
        "edited_at", "previous_version", "version", "title", "media", "blind_from", "blind_to", "blind_failed_polls",
        "blind_failure_kind", "blind_failure_message", "detail", "snapshot", "evidence_sha256", "evidence_status",
        "evidence_url", "evidence_http_status", "evidence_fetched_at", "evidence_path", "prev",
    ]

    /// The file's bytes for `digest`: the byte-order mark, the header and one row per entry of
    /// ``Digest/allEntries``.
    public static func render(_ digest: Digest) -> Data {
        let zone = TimeZone(identifier: digest.timeZone) ?? TimeZone(identifier: "UTC")!
        // Written as bytes into one buffer (the same bytes as ``record(_:)`` of each row).
        var bytes = self.byteOrderMark
        bytes.reserveCapacity(1 << 16)
        self.appendRecord(self.columns, to: &bytes)
        for position in digest.chronologicalEntryIndices {
            self.appendRecord(
                self.row(digest.accounts[position.account].entries[position.entry], zone: zone), to: &bytes)
        }
        return Data(bytes)
    }

    /// Appends ``record(_:)`` of `cells` as UTF-8.
    static func appendRecord(_ cells: [String], to bytes: inout [UInt8]) {
        for (index, cell) in cells.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            self.appendField(cell, to: &bytes)
        }
        bytes.append(UInt8(ascii: "\r"))
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Appends `field(neutralised(cell))` as UTF-8: the first byte is the first scalar when that
    /// is one of the ASCII formula characters, and the `'` added never needs quoting.
    static func appendField(_ cell: String, to bytes: inout [UInt8]) {
        var cell = cell
        cell.withUTF8 { utf8 in
            let formula: Bool
            switch utf8.first {
            case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), UInt8(ascii: "\t"),
                UInt8(ascii: "\r"):
                formula = true
            default:
                formula = false
            }
            let quoted = utf8.contains {
                $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\r")
                    || $0 == UInt8(ascii: "\n")
            }
            if quoted { bytes.append(UInt8(ascii: "\"")) }
            if formula { bytes.append(UInt8(ascii: "'")) }
            if quoted {
                for byte in utf8 {
                    if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                    bytes.append(byte)
                }
                bytes.append(UInt8(ascii: "\""))
            } else {
                bytes.append(contentsOf: utf8)
            }
        }
    }

    /// The cells of one event, in ``columns`` order.
    static func row(_ entry: DigestEntry, zone: TimeZone) -> [String] {
        let event = entry.event
        let time = { (date: Date?) in date.map(RFC3339.string(from:)) ?? "" }
        let checks = Dictionary(
            entry.evidenceChecks.map { ($0.sha256, $0.status.rawValue) },
            uniquingKeysWith: { a, _ in a }
        )
        let evidence = event.evidence
        return [
            entry.log,
            event.seq.map(String.init) ?? "",
            event.id,
            time(event.detectedAt),
            DigestFormat.time(event.detectedAt, in: zone),
            event.event.rawValue,
            event.reason?.rawValue ?? "",
            event.confirmedBy?.rawValue ?? "",
            event.platform?.rawValue ?? "",
            event.account.rawValue,
            event.accountName ?? "",
            event.postID ?? "",
            event.postKind?.rawValue ?? "",
            event.about?.rawValue ?? "",
            event.url ?? "",
            time(event.postedAt),
            time(event.firstSeen),
            time(event.lastSeen),
            time(event.firstMissing),
            event.lifetime.map { String($0.minSeconds) } ?? "",
            event.lifetime.map { String($0.maxSeconds) } ?? "",
            event.goneFor.map { String($0.minSeconds) } ?? "",
            event.goneFor.map { String($0.maxSeconds) } ?? "",
            entry.text ?? "",
            event.previousText ?? "",
            event.diff ?? "",
            time(event.editedAt),
            event.previousVersion ?? "",
            event.version ?? "",
            entry.title ?? "",
            entry.media.joined(separator: "\n"),
            time(event.blind?.from),
            time(event.blind?.to),
            event.blind.map { String($0.failedPolls) } ?? "",
            event.blind?.failure.kind.rawValue ?? "",
            event.blind?.failure.message ?? "",
            event.detail ?? "",
            event.snapshot ?? "",
            evidence.map(\.sha256).joined(separator: "\n"),
            evidence.map { checks[$0.sha256] ?? "" }.joined(separator: "\n"),
            evidence.map(\.url).joined(separator: "\n"),
            evidence.map { String($0.status) }.joined(separator: "\n"),
            evidence.map { RFC3339.string(from: $0.fetchedAt) }.joined(separator: "\n"),
            evidence.map(\.path).joined(separator: "\n"),
            event.prev ?? "",
        ]
    }

    /// One record: the cells neutralised and quoted as needed, joined by commas, ended by CRLF.
    static func record(_ cells: [String]) -> String {
        cells.map { self.field(self.neutralised($0)) }.joined(separator: ",") + "\r\n"
    }

    /// `cell` with a leading `'` when it begins with a character that makes a spreadsheet read it
    /// as a formula (`=`, `+`, `-`, `@`, tab, CR).
    static func neutralised(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return cell }
        return "'" + cell
    }

    /// `cell` as an RFC 4180 field: quoted (inner quotes doubled) when it holds `,`, `"`, CR or LF.
    static func field(_ cell: String) -> String {
        guard cell.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else {
            return cell
        }
        // Every quote scalar doubled, also one a combining mark follows (a replacement by
        // character left that one single, which ended the field inside the cell).
        var field = String.UnicodeScalarView()
        field.append("\"")
        for scalar in cell.unicodeScalars {
            if scalar == "\"" { field.append("\"") }
            field.append(scalar)
        }
        field.append("\"")
        return String(field)
    }
}
