public import Foundation

/// An ISO 8601 week (`2026-W48`): Monday to Sunday, week 1 being the week that holds the year's
/// first Thursday. Which instants a week covers depends on the time zone it is read in
/// (``interval(in:)``): the digest's weeks run from Monday 00:00 to the next Monday 00:00 local time.
public struct ISOWeek: Sendable, Hashable, Comparable, LosslessStringConvertible, Codable {
    /// The ISO week-numbering year (differs from the calendar year around New Year: 2026-12-31 is in
    /// 2026-W53, 2027-01-01 too).
    public let year: Int
    /// The week number, 1 to 52 or 53.
    public let week: Int

    /// The week `week` of ISO year `year`, or `nil` when the year has no such week (a year has 53
    /// weeks only when it starts on a Thursday, or is a leap year starting on a Wednesday).
    public init?(year: Int, week: Int) {
        guard (1...9999).contains(year), week >= 1, week <= Self.weeks(inYear: year) else { return nil }
        self.year = year
        self.week = week
    }

    /// Parses `YYYY-Www` (`2026-W48`; a lower-case `w` is accepted), or returns `nil`.
    public init?(_ description: String) {
        let scalars = Array(description.trimmingCharacters(in: .whitespaces).unicodeScalars)
        guard scalars.count == 8, scalars[4] == "-", scalars[5] == "W" || scalars[5] == "w" else { return nil }
        let digits = scalars[0..<4] + scalars[6..<8]
        guard digits.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        let value = { (range: Range<Int>) in Int(String(String.UnicodeScalarView(scalars[range])))! }
        self.init(year: value(0..<4), week: value(6..<8))
    }

    /// The week that holds `date` in `timeZone`.
    public init(containing date: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let day = CivilDate.dayNumber(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
        self.init(dayNumber: day)
    }

    /// The week that holds the day `dayNumber` (days since 1970-01-01).
    init(dayNumber day: Int) {
        // The ISO year of a day is the calendar year of the Thursday of its week.
        let thursday = day - (CivilDate.weekday(ofDay: day) - 1) + 3
        let year = CivilDate.civil(fromDay: thursday).year
        self.year = year
        self.week = (thursday - CivilDate.dayNumber(year: year, month: 1, day: 1)) / 7 + 1
    }

    /// `2026-W48`.
    public var description: String {
        let year = String(self.year)
        let week = String(self.week)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-W" + (self.week < 10 ? "0" : "") + week
    }

    /// The week before this one.
    public var previous: ISOWeek { ISOWeek(dayNumber: self.mondayDayNumber - 7) }

    /// The week after this one.
    public var next: ISOWeek { ISOWeek(dayNumber: self.mondayDayNumber + 7) }

    /// The instants of this week in `timeZone`: from Monday 00:00 local time (inclusive) to the next
    /// Monday 00:00 (exclusive). Usually 7 × 86 400 s; an hour less or more in a week with a
    /// daylight-saving change.
    public func interval(in timeZone: TimeZone) -> DateInterval {
        let days = self.days(in: timeZone)
        return DateInterval(start: days[0].start, end: days[6].end)
    }

    /// The seven local days of the week, Monday first, each from 00:00 to the next day's 00:00 in
    /// `timeZone`.
    public func days(in timeZone: TimeZone) -> [DateInterval] {
        let starts = (0...7).map { Self.localMidnight(ofDay: self.mondayDayNumber + $0, in: timeZone) }
        return (0..<7).map { DateInterval(start: starts[$0], end: max(starts[$0], starts[$0 + 1])) }
    }

    /// The calendar dates of the week's days, Monday first: `(year, month, day)`.
    public var dates: [(year: Int, month: Int, day: Int)] {
        (0..<7).map { CivilDate.civil(fromDay: self.mondayDayNumber + $0) }
    }

    /// Earlier weeks sort first.
    public static func < (lhs: ISOWeek, rhs: ISOWeek) -> Bool {
        (lhs.year, lhs.week) < (rhs.year, rhs.week)
    }

    /// Decodes `2026-W48`.
    /// - Throws: `DecodingError` for anything else.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let week = ISOWeek(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected an ISO week such as 2026-W48, found \"\(text)\""
            )
        }
        self = week
    }

    /// Encodes as `2026-W48`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.description)
    }

    // MARK: Calendar arithmetic (``CivilDate``: proleptic Gregorian, days since 1970-01-01)

    /// Days since 1970-01-01 of the Monday that starts this week.
    var mondayDayNumber: Int {
        let january4 = CivilDate.dayNumber(year: self.year, month: 1, day: 4)
        return january4 - (CivilDate.weekday(ofDay: january4) - 1) + (self.week - 1) * 7
    }

    /// Number of ISO weeks in `year`: the week of December 28 is always the last.
    static func weeks(inYear year: Int) -> Int {
        ISOWeek(dayNumber: CivilDate.dayNumber(year: year, month: 12, day: 28)).week
    }

    /// The first instant of the local day `number` in `timeZone` (00:00, or the first valid time
    /// after it where a daylight-saving change skips midnight).
    static func localMidnight(ofDay number: Int, in timeZone: TimeZone) -> Date {
        // Local noon of that day (never inside a daylight-saving gap, and within an hour of noon
        // even where the offset changes that day), then the start of its local day.
        let utcNoon = Date(timeIntervalSince1970: TimeInterval(number) * 86_400 + 43_200)
        let localNoon = utcNoon.addingTimeInterval(-TimeInterval(timeZone.secondsFromGMT(for: utcNoon)))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.startOfDay(for: localNoon)
    }
}
