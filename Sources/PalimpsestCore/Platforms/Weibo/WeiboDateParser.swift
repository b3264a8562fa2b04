public import Foundation

/// Reads the times Weibo's mobile API gives for `created_at` and `edit_at`.
///
/// Current answers use `Tue Jun 08 09:35:04 +0800 2021` (`%a %b %d %H:%M:%S %z %Y`, fixture
/// `getIndex_107603_arknights_snapshot0.json`). Older answers use forms relative to the time of
/// the request, in Beijing time (FORMATS.md §3 "Created time"; issue 3 item 2):
///
/// | form | meaning |
/// | --- | --- |
/// | `刚刚` | just now |
/// | `5分钟前`, `3小时前` | that many minutes / hours before now |
/// | `今天 10:00`, `昨天 10:00` | today / yesterday (Beijing) at that time |
/// | `11-28`, `11-28 10:00` | that day (Beijing) of the latest year that does not put it in the future |
/// | `2025-11-28`, `2025-11-28 10:00` | that day (Beijing) |
///
/// A date without a time means midnight, Beijing time. Relative forms are resolved against the
/// poll's time (`now`); they are approximate by nature (a "5分钟前" is any time in that minute).
public enum WeiboDateParser {
    /// Beijing time (Asia/Shanghai, UTC+08:00 with no daylight saving since 1991): the zone of
    /// Weibo's relative and short dates.
    public static let beijing: TimeZone = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!

    /// The instant (UTC) a Weibo time string names, or `nil` when the text is in no known form or
    /// names an impossible date (`02-30`, `25:00`).
    /// - Parameters:
    ///   - text: the `created_at` or `edit_at` value, surrounding whitespace allowed.
    ///   - now: the poll's time (UTC): the reference for relative and year-less forms.
    public static func date(from text: String, now: Date) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        if let absolute = self.absoluteDate(trimmed) { return absolute }
        if trimmed == "刚刚" { return now }
        if let minutes = self.count(in: trimmed, suffix: "分钟前") { return now.addingTimeInterval(-60 * minutes) }
        if let hours = self.count(in: trimmed, suffix: "小时前") { return now.addingTimeInterval(-3600 * hours) }
        if let rest = self.dropPrefix("今天", of: trimmed) { return self.day(offset: 0, time: rest, now: now) }
        if let rest = self.dropPrefix("昨天", of: trimmed) { return self.day(offset: -1, time: rest, now: now) }
        return self.shortDate(trimmed, now: now)
    }

    // MARK: - Forms

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Self.beijing
        return calendar
    }()

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `Tue Jun 08 09:35:04 +0800 2021`: the day name is not checked (the date decides).
    private static func absoluteDate(_ text: String) -> Date? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 6,
            let month = self.months.firstIndex(of: fields[1].lowercased()),
            let day = self.number(fields[2], digits: 1...2),
            let time = self.clockTime(fields[3], requireSeconds: true),
            let offset = self.zoneOffset(fields[4]),
            let year = self.number(fields[5], digits: 4...4)
        else { return nil }
        guard let zone = TimeZone(secondsFromGMT: offset) else { return nil }
        return self.validDate(
            year: year, month: month + 1, day: day, hour: time.hour, minute: time.minute, second: time.second, in: zone)
    }

    /// `5分钟前`: the leading count, when `text` is digits followed by `suffix`.
    private static func count(in text: String, suffix: String) -> TimeInterval? {
        guard text.hasSuffix(suffix) else { return nil }
        return self.number(text.dropLast(suffix.count), digits: 1...6).map(TimeInterval.init)
    }

    private static func dropPrefix(_ prefix: String, of text: String) -> Substring? {
        guard text.hasPrefix(prefix) else { return nil }
        return text.dropFirst(prefix.count)
    }

    /// `今天 10:00` / `昨天 10:00`: the Beijing day `offset` days from now's, at the given time.
    private static func day(offset: Int, time: Substring, now: Date) -> Date? {
        let clock = time.trimmingCharacters(in: .whitespaces)
        guard let time = self.clockTime(Substring(clock), requireSeconds: false),
            let day = self.calendar.date(byAdding: .day, value: offset, to: now)
        else { return nil }
        let parts = self.calendar.dateComponents([.year, .month, .day], from: day)
        guard let year = parts.year, let month = parts.month, let dayOfMonth = parts.day else { return nil }
        return self.validDate(
            year: year, month: month, day: dayOfMonth, hour: time.hour, minute: time.minute, second: time.second,
            in: self.beijing)
    }

    /// `11-28`, `2025-11-28`, each with an optional ` HH:mm[:ss]`.
    private static func shortDate(_ text: String, now: Date) -> Date? {
        let pieces = text.split(separator: " ", omittingEmptySubsequences: true)
        guard pieces.count == 1 || pieces.count == 2 else { return nil }
        var time = (hour: 0, minute: 0, second: 0)
        if pieces.count == 2 {
            guard let clock = self.clockTime(pieces[1], requireSeconds: false) else { return nil }
            time = clock
        }
        let fields = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
        switch fields.count {
        case 3:
            guard let year = self.number(fields[0], digits: 4...4), let month = self.number(fields[1], digits: 1...2),
                let day = self.number(fields[2], digits: 1...2)
            else { return nil }
            return self.validDate(
                year: year, month: month, day: day, hour: time.hour, minute: time.minute, second: time.second,
                in: self.beijing)
        case 2:
            guard let month = self.number(fields[0], digits: 1...2), let day = self.number(fields[1], digits: 1...2),
                let thisYear = self.calendar.dateComponents([.year], from: now).year
            else { return nil }
            // The latest year that gives a real date not after now (02-29 looks back to a leap year).
            for year in stride(from: thisYear, through: thisYear - 8, by: -1) {
                if let date = self.validDate(
                    year: year, month: month, day: day, hour: time.hour, minute: time.minute, second: time.second,
                    in: self.beijing),
                    date <= now
                {
                    return date
                }
            }
            return nil
        default:
            return nil
        }
    }

    // MARK: - Pieces

    /// A decimal number of the given digit count (ASCII digits only).
    private static func number(_ text: Substring, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// `HH:mm:ss`, or `HH:mm` when seconds are optional.
    private static func clockTime(_ text: Substring, requireSeconds: Bool) -> (hour: Int, minute: Int, second: Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3 || (!requireSeconds && parts.count == 2),
            let hour = self.number(parts[0], digits: 1...2), let minute = self.number(parts[1], digits: 2...2)
        else { return nil }
        let second = parts.count == 3 ? self.number(parts[2], digits: 2...2) : 0
        guard let second, hour < 24, minute < 60, second < 60 else { return nil }
        return (hour, minute, second)
    }

    /// `+0800` / `-0530`: seconds east of UTC.
    private static func zoneOffset(_ text: Substring) -> Int? {
        guard text.count == 5, let sign = text.first, sign == "+" || sign == "-",
            let hours = self.number(text.dropFirst().prefix(2), digits: 2...2),
            let minutes = self.number(text.suffix(2), digits: 2...2), hours < 24, minutes < 60
        else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    /// The instant of a wall-clock time in `zone`, or `nil` when the date does not exist
    /// (Calendar would roll `02-30` over into March).
    private static func validDate(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, in zone: TimeZone
    ) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components) else { return nil }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        guard back.year == year, back.month == month, back.day == day else { return nil }
        return date
    }
}
