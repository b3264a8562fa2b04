/// Calendar arithmetic on day numbers (days since 1970-01-01, negative before), in the proleptic
/// Gregorian calendar: the Gregorian leap rule applied to every year, before 1582 too, as RFC 3339
/// (§5.6, which defers to ISO 8601), HTTP dates (RFC 9110 §5.6.7) and ISO 8601 weeks require.
/// Foundation's `.gregorian` calendar is not this one: it switches to the Julian calendar before
/// 1582-10-15.
///
/// The one copy of these formulas for RFC 3339 (``RFC3339``), HTTP dates (`HTTPDate`), ISO weeks
/// (``ISOWeek``), Mastodon timestamps and feed dates. The day-number conversions are Howard
/// Hinnant's `days_from_civil` and `civil_from_days` ("chrono-Compatible Low-Level Date
/// Algorithms", https://howardhinnant.github.io/date_algorithms.html), exact for every year an
/// `Int` day number can hold.
enum CivilDate {
    /// Days since 1970-01-01 of the date `year`-`month`-`day` (month 1–12). A day past its month's
    /// end counts on into the next month (February 30 is March 1 or 2): callers that must reject
    /// such dates check ``isValid(year:month:day:)``.
    static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of the day `number` (days since 1970-01-01): year, month 1–12, day 1–31.
    static func civil(fromDay number: Int) -> (year: Int, month: Int, day: Int) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// ISO 8601 weekday of the day `number`: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    static func weekday(ofDay number: Int) -> Int {
        ((number + 3) % 7 + 7) % 7 + 1
    }

    /// True for a Gregorian leap year: divisible by 4, except centuries not divisible by 400.
    static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Days in `month` (1–12) of `year`: 28 to 31.
    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: return Self.isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// True when `month` is 1–12 and `day` is a day of that month in `year`.
    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        (1...12).contains(month) && day >= 1 && day <= Self.days(inMonth: month, year: year)
    }
}
