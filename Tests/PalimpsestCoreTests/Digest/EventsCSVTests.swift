import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

@Suite struct EventsCSVTests {
    /// Splits RFC 4180 text into records of fields (quoted fields may hold commas, quotes, CR, LF).
    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if scalars.first == "\"" {
                        field.unicodeScalars.append("\"")
                        scalars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
            } else if scalar == "\"" && field.isEmpty {
                quoted = true
            } else if scalar == "," {
                record.append(field)
                field = ""
            } else if scalar == "\r", scalars.first == "\n" {
                scalars.removeFirst()
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else {
                field.unicodeScalars.append(scalar)
            }
        }
        return records
    }

    private func csv() throws -> (data: Data, records: [[String]]) {
        let data = EventsCSV.render(try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai))
        let text = try #require(String(data: data.dropFirst(3), encoding: .utf8))
        return (data, Self.parse(text))
    }

    @Test func startsWithAByteOrderMarkAndEndsEveryRecordWithCRLF() throws {
        let (data, records) = try self.csv()
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(data.suffix(2) == Data("\r\n".utf8))
        #expect(records.count == 7)
        #expect(records.allSatisfy { $0.count == EventsCSV.columns.count })
        #expect(records[0] == EventsCSV.columns)
    }

    @Test func rowsCarryTheLogsFieldsWithCJKIntact() throws {
        let (_, records) = try self.csv()
        let header = records[0]
        let row = Dictionary(uniqueKeysWithValues: zip(header, records[1]))
        #expect(row["seq"] == "4")
        #expect(row["event"] == "deleted")
        #expect(row["detected_at"] == "2026-11-22T16:00:00Z")
        #expect(row["detected_local"] == "2026-11-23 00:00:00 +08:00")
        #expect(row["account_name"] == "Reporter (记者)")
        #expect(row["text"] == "市政府门前，约两百人。\n视频稍后上传。")
        #expect(row["lifetime_min_s"] == "180")
        #expect(row["lifetime_max_s"] == "480")
        #expect(row["evidence_status"] == "verified")
        #expect(row["media"] == "https://files.example.social/media/1002/original.jpg")
        #expect(row["detail"] == "HTTP 404 {\"error\":\"Record not found\"}")
    }

    @Test func formulaCellsAreNeutralised() throws {
        let (_, records) = try self.csv()
        let textColumn = try #require(records[0].firstIndex(of: "text"))
        // seq 6's text begins with "=1+2".
        #expect(records[3][textColumn] == "'=1+2 is not a formula here, \"quoted\"\nsecond line")
        for cell in ["=HYPERLINK(\"https://evil.example\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            #expect(EventsCSV.neutralised(cell) == "'" + cell)
        }
        for cell in ["plain", "2026-11-22T16:00:00Z", "", "'=already", " =spaced", "１＝"] {
            #expect(EventsCSV.neutralised(cell) == cell)
        }
        #expect(EventsCSV.record(["=1", "a,b", "say \"hi\"", "x\ny"]) == "'=1,\"a,b\",\"say \"\"hi\"\"\",\"x\ny\"\r\n")
        // No cell of the file starts with a formula character.
        for record in records {
            for cell in record {
                #expect(!(cell.first.map { "=+-@\t\r".contains($0) } ?? false), "cell \(cell)")
            }
        }
    }

    /// A quote that a combining mark follows is doubled like any other: the field stays whole.
    @Test func aQuoteBeforeACombiningMarkIsDoubled() {
        let cell = "say \"\u{301}hi\u{301}\" now, \"\u{200D}x"
        let record = EventsCSV.record([cell, "next"])
        #expect(record == "\"say \"\"\u{301}hi\u{301}\"\" now, \"\"\u{200D}x\",next\r\n")
        #expect(Self.parse(record) == [[cell, "next"]])
    }

    /// The file's rows, written as bytes, are ``EventsCSV/record(_:)`` of their cells: formula
    /// characters, quotes, commas, line breaks, empty cells, Chinese and emoji.
    @Test func recordsWrittenAsBytesAreTheRecordsAsText() {
        var random = RandomText(seed: 0xC5F)
        let specials = ["=", "+", "-", "@", "\t", "\r", "\r\n", "\n", ",", "\"", "'", "", "１＝", "😀"]
        for _ in 0..<2_000 {
            let cells = (0..<Int.random(in: 0...6, using: &random)).map { _ in
                (Bool.random(using: &random) ? specials.randomElement(using: &random)! : "")
                    + random.text(maximumPieces: 6)
                    + (Bool.random(using: &random) ? specials.randomElement(using: &random)! : "")
            }
            var bytes: [UInt8] = []
            EventsCSV.appendRecord(cells, to: &bytes)
            #expect(bytes == Array(EventsCSV.record(cells).utf8), "\(cells)")
        }
    }
}
