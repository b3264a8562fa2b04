import Foundation
import Testing

@testable import PalimpsestCore

/// ``CivilDate`` against Foundation's calendar. Foundation's `.gregorian` calendar is Julian before
/// 1582-10-15 while ``CivilDate`` is proleptic Gregorian, so dates before 1583 are compared through
/// the Gregorian 400-year cycle (146 097 days): a date and the same date 400·k years later are
/// exactly 146 097·k days apart in the proleptic calendar, and the later one is in Foundation's range.
@Suite struct CivilDateTests {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Foundation's date, month, day and weekday (1 = Monday) of the day `number`, for days from 1583 on.
    static func foundation(day number: Int) -> (year: Int, month: Int, day: Int, weekday: Int) {
        let parts = Self.calendar.dateComponents(
            [.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(number) * 86_400))
        return (parts.year!, parts.month!, parts.day!, (parts.weekday! + 5) % 7 + 1)
    }

    /// Days from 1970 to 1583-01-01 and to 9999-12-31.
    static let firstGregorianDay = -141_349
    static let lastDay = 2_932_896

    @Test func dayNumbersAndDatesAreFoundationsFrom1583To9999() {
        var random = RandomText(seed: 11)
        var days = [0, -1, Self.firstGregorianDay, Self.lastDay, 11_016, 11_017, 11_047, 10_957]
        days += (0..<20_000).map { _ in Int.random(in: Self.firstGregorianDay...Self.lastDay, using: &random) }
        for number in days {
            let want = Self.foundation(day: number)
            let civil = CivilDate.civil(fromDay: number)
            #expect(civil == (want.year, want.month, want.day), "day \(number)")
            #expect(CivilDate.dayNumber(year: want.year, month: want.month, day: want.day) == number, "day \(number)")
            #expect(CivilDate.weekday(ofDay: number) == want.weekday, "day \(number)")
        }
    }

    @Test func datesBefore1583AreProlepticGregorianNotJulian() {
        var random = RandomText(seed: 12)
        for _ in 0..<5_000 {
            let year = Int.random(in: -2_000...1_582, using: &random)
            let month = Int.random(in: 1...12, using: &random)
            let day = Int.random(in: 1...CivilDate.days(inMonth: month, year: year), using: &random)
            let cycles = (1_583 - year + 399) / 400 + 1
            let later = year + 400 * cycles
            let laterNumber =
                Self.calendar.date(from: DateComponents(year: later, month: month, day: day))!
                .timeIntervalSince1970 / 86_400
            let number = CivilDate.dayNumber(year: year, month: month, day: day)
            #expect(Double(number + 146_097 * cycles) == laterNumber, "\(year)-\(month)-\(day)")
            #expect(CivilDate.civil(fromDay: number) == (year, month, day), "\(year)-\(month)-\(day)")
            #expect(CivilDate.weekday(ofDay: number) == Self.foundation(day: Int(laterNumber)).weekday)
        }
        // 1582-10-04 (Julian) was followed by 1582-10-15 (Gregorian); proleptic days run on.
        #expect(
            CivilDate.dayNumber(year: 1_582, month: 10, day: 15) - CivilDate.dayNumber(year: 1_582, month: 10, day: 4)
                == 11)
        #expect(CivilDate.isLeapYear(1_500) == false)
    }

    @Test func monthLengthsAndLeapYearsAreFoundations() {
        for year in [1_583, 1_600, 1_700, 1_900, 2_000, 2_023, 2_024, 2_100, 2_400, 9_999] {
            for month in 1...12 {
                let first = Self.calendar.date(from: DateComponents(year: year, month: month, day: 1))!
                let length = Self.calendar.range(of: .day, in: .month, for: first)!.count
                #expect(CivilDate.days(inMonth: month, year: year) == length, "\(year)-\(month)")
                #expect(CivilDate.isValid(year: year, month: month, day: length))
                #expect(!CivilDate.isValid(year: year, month: month, day: length + 1))
            }
            #expect(CivilDate.isLeapYear(year) == (CivilDate.days(inMonth: 2, year: year) == 29))
        }
        #expect(!CivilDate.isValid(year: 2_026, month: 13, day: 1))
        #expect(!CivilDate.isValid(year: 2_026, month: 1, day: 0))
    }
}
