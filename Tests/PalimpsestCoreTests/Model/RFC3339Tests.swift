import Foundation
import Testing

@testable import PalimpsestCore

/// RFC 3339 timestamps are in every state row and log line: reading and writing them byte by byte
/// must give exactly what the calendar and Foundation's ISO 8601 parser gave, or a state written
/// by one release would read back as other dates (and other version hashes) in the next.
@Suite struct RFC3339Tests {
    /// The formatting every release before this one used: the Gregorian calendar's components
    /// (``RFC3339``'s own fallback for years outside the byte-level range, called for every year).
    static func calendarString(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        return RFC3339.calendarString(seconds: seconds, fraction: Int(milliseconds - seconds * 1000))
    }

    /// The parsing every release before this one used: Foundation's ISO 8601 format styles.
    static func foundationDate(_ text: String) -> Date? {
        for strategy in [Date.ISO8601FormatStyle(), Date.ISO8601FormatStyle(includingFractionalSeconds: true)] {
            if let date = try? Date(text, strategy: strategy) { return date.onMillisecondGrid }
        }
        return nil
    }

    /// Instants from 0001 to 9999, whole seconds and milliseconds, before and after 1970.
    static func randomDates(count: Int) -> [Date] {
        var generator = SystemRandomNumberGenerator()
        let first = -62_135_596_800.0  // 0001-01-01T00:00:00Z
        let last = 253_402_300_799.0  // 9999-12-31T23:59:59Z
        return (0..<count).map { index in
            let seconds = Double.random(in: first...last, using: &generator).rounded(.down)
            switch index % 3 {
            case 0: return Date(timeIntervalSince1970: seconds)
            case 1: return Date(timeIntervalSince1970: seconds + Double(Int.random(in: 1...999)) / 1000)
            default: return Date(timeIntervalSince1970: seconds + Double.random(in: 0..<1))
            }
        }
    }

    @Test func formattingMatchesTheCalendarForEveryYearFrom1To9999JulianDaysIncluded() {
        let edges = [0, -1, 0.0004, 0.0005, 0.9995, -0.0005, 951_782_400, 951_868_799.999, 1_764_455_920.123]
        for date in Self.randomDates(count: 20_000) + edges.map(Date.init(timeIntervalSince1970:)) {
            #expect(RFC3339.string(from: date) == Self.calendarString(date), "\(date.timeIntervalSince1970)")
        }
    }

    @Test func parsingTheWrittenFormGivesWhatFoundationGave() {
        for date in Self.randomDates(count: 20_000) {
            let text = Self.calendarString(date)
            #expect(RFC3339.date(from: text) == Self.foundationDate(text), "\(text)")
            #expect(RFC3339.date(from: text) == date.onMillisecondGrid, "\(text)")
        }
    }

    @Test func otherFormsAndImpossibleDaysAreReadAsFoundationReadThem() {
        let texts = [
            "2026-02-29T10:00:00Z", "2024-02-29T10:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
            "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z",
            "2026-01-01T23:59:60Z", "0000-01-01T00:00:00Z", "2026-01-01t00:00:00Z", "2026-01-01T00:00:00z",
            "2026-01-01T00:00:00.5Z", "2026-01-01T00:00:00.12345Z", "2026-01-01T00:00:00+02:00",
            "2026-01-01T00:00:00.250-05:30", "2026-1-01T00:00:00Z", "2026-01-01T00:00:0aZ", "",
            "1582-10-10T00:00:00Z", "1583-01-01T00:00:00Z", "1000-02-29T00:00:00Z",
        ]
        for text in texts {
            #expect(RFC3339.date(from: text) == Self.foundationDate(text), "\(text)")
        }
        #expect(RFC3339.date(from: "2024-02-29T10:00:00Z") != nil)
        #expect(RFC3339.date(from: " 2026-01-01T00:00:00Z ") == RFC3339.date(from: "2026-01-01T00:00:00Z"))
    }
}
