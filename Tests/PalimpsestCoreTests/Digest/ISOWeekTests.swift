import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

@Suite struct ISOWeekTests {
    @Test func parsesAndPrintsTheISOForm() throws {
        let week = try #require(ISOWeek("2026-W48"))
        #expect(week.year == 2026)
        #expect(week.week == 48)
        #expect(week.description == "2026-W48")
        #expect(ISOWeek("2026-w05")?.description == "2026-W05")
    }

    @Test(arguments: ["2026-W00", "2026-W54", "2021-W53", "2026W48", "2026-W5", "26-W48", "2026-48", "", "2026-W4a"])
    func rejectsWeeksThatDoNotExist(_ text: String) {
        #expect(ISOWeek(text) == nil)
    }

    @Test func knowsWhichYearsHave53Weeks() {
        // 2026 starts on a Thursday; 2020 is a leap year that starts on a Wednesday; 2021 starts on
        // a Friday.
        #expect(ISOWeek("2020-W53") != nil)
        #expect(ISOWeek("2026-W53") != nil)
        #expect(ISOWeek("2021-W53") == nil)
    }

    @Test func weekOfADateDependsOnTheTimeZone() {
        // Monday 2026-11-23 00:00 in Shanghai is still Sunday 2026-11-22 16:00 in UTC.
        let instant = DigestTestSupport.date("2026-11-22T16:00:00Z")
        #expect(ISOWeek(containing: instant, in: DigestTestSupport.shanghai).description == "2026-W48")
        #expect(ISOWeek(containing: instant, in: DigestTestSupport.utc).description == "2026-W47")
        let before = DigestTestSupport.date("2026-11-22T15:59:59Z")
        #expect(ISOWeek(containing: before, in: DigestTestSupport.shanghai).description == "2026-W47")
    }

    @Test func daysAroundNewYearBelongToTheWeekOfTheirThursday() {
        let utc = DigestTestSupport.utc
        #expect(ISOWeek(containing: DigestTestSupport.date("2027-01-01T12:00:00Z"), in: utc).description == "2026-W53")
        #expect(ISOWeek(containing: DigestTestSupport.date("2021-01-03T12:00:00Z"), in: utc).description == "2020-W53")
        #expect(ISOWeek(containing: DigestTestSupport.date("2026-01-01T00:00:00Z"), in: utc).description == "2026-W01")
        #expect(ISOWeek("2027-W01")?.previous.description == "2026-W53")
        #expect(ISOWeek("2026-W53")?.next.description == "2027-W01")
    }

    @Test func weekRunsFromMondayMidnightToMondayMidnightLocalTime() throws {
        let week = try #require(ISOWeek("2026-W48"))
        let interval = week.interval(in: DigestTestSupport.shanghai)
        #expect(interval.start == DigestTestSupport.date("2026-11-22T16:00:00Z"))
        #expect(interval.end == DigestTestSupport.date("2026-11-29T16:00:00Z"))
        let days = week.days(in: DigestTestSupport.shanghai)
        #expect(days.count == 7)
        #expect(days[1].start == DigestTestSupport.date("2026-11-23T16:00:00Z"))
        let dates = week.dates.map { DigestFormat.date(year: $0.year, month: $0.month, day: $0.day) }
        #expect(dates.first == "2026-11-23")
        #expect(dates.last == "2026-11-29")
    }

    @Test func aWeekWithTheSpringDaylightSavingChangeIsAnHourShort() throws {
        // Berlin moves its clocks forward on Sunday 2026-03-29 (week 13).
        let interval = try #require(ISOWeek("2026-W13")).interval(in: TimeZone(identifier: "Europe/Berlin")!)
        #expect(interval.start == DigestTestSupport.date("2026-03-22T23:00:00Z"))
        #expect(interval.end == DigestTestSupport.date("2026-03-29T22:00:00Z"))
        #expect(interval.duration == 167 * 3_600)
    }
}
