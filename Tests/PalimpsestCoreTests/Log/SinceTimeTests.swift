import Foundation
import PalimpsestCore
import Testing

/// `tail --since` takes what an operator types: a full time, a date, a local time or a span back.
@Suite struct SinceTimeTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    /// 2026-12-05T06:30:00Z = 14:30 in Shanghai.
    static let now = RFC3339.date(from: "2026-12-05T06:30:00Z")!

    static func since(_ text: String) throws -> Date {
        try SinceTime.date(from: text, now: Self.now, timeZone: Self.shanghai)
    }

    @Test(arguments: [
        ("2026-12-05T14:00:00Z", "2026-12-05T14:00:00Z"),
        ("2026-12-05T22:00:00+08:00", "2026-12-05T14:00:00Z"),
        ("2026-12-05", "2026-12-04T16:00:00Z"),
        ("2026-12-05 14:00", "2026-12-05T06:00:00Z"),
        ("2026-12-05T14:00:30", "2026-12-05T06:00:30Z"),
        ("09:15", "2026-12-05T01:15:00Z"),
        ("1h", "2026-12-05T05:30:00Z"),
        ("2d", "2026-12-03T06:30:00Z"),
        ("1d12h", "2026-12-03T18:30:00Z"),
        ("90m", "2026-12-05T05:00:00Z"),
    ])
    func acceptsATimeADateALocalTimeOrASpan(text: String, expected: String) throws {
        #expect(try Self.since(text) == RFC3339.date(from: expected))
    }

    @Test(arguments: ["yesterday", "2026-13-01", "2026-02-30", "25:00", "1.5h", "2026-12-5", "600", ""])
    func refusesAnythingElseAndSaysWhatItTakes(text: String) {
        let error = #expect(throws: ConfigValueError.self) { try Self.since(text) }
        let message = error?.message ?? ""
        #expect(
            message.contains("2026-12-05T14:00:00Z") || message.contains("no such date")
                || message.contains("fractions are not accepted"), "\(message)")
    }
}
