public import Foundation

/// The times `palimpsest tail --since` accepts: an RFC 3339 time (`2026-12-05T14:00:00Z`,
/// `2026-12-05T22:00:00+08:00`), a date (`2026-12-05`: its midnight in the local time zone), a
/// local time (`2026-12-05 14:00`, `2026-12-05T14:00:30`, or `14:00` for today), or a span back
/// from now (`30m`, `1h`, `2d`, `1d12h`: the duration syntax of the config, a unit required).
public enum SinceTime {
    /// What every error message lists.
    public static let expectation =
        "an RFC 3339 time (2026-12-05T14:00:00Z), a date (2026-12-05, from local midnight), a local time "
        + "(2026-12-05 14:00, or 14:00 for today) or a span back from now (30m, 1h, 2d)"

    /// Parses `text`.
    /// - Parameters:
    ///   - text: What was given to `--since`.
    ///   - now: The current time (for spans and `14:00`).
    ///   - timeZone: The local time zone (for dates and local times).
    /// - Returns: The time, UTC.
    /// - Throws: ``ConfigValueError`` saying what is accepted.
    public static func date(from text: String, now: Date, timeZone: TimeZone) throws(ConfigValueError) -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = RFC3339.date(from: trimmed) { return date }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        if let components = Self.localComponents(trimmed) {
            var parts = components
            if parts.year == nil {
                let today = calendar.dateComponents([.year, .month, .day], from: now)
                parts.year = today.year
                parts.month = today.month
                parts.day = today.day
            }
            // Reject 2026-02-30 and 25:00 rather than letting the calendar roll them over.
            guard let date = calendar.date(from: parts),
                calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date) == parts
            else {
                throw ConfigValueError(text: text, message: "no such date or time: \"\(text)\"")
            }
            return date
        }
        if let last = trimmed.last, last.isLetter, trimmed.first?.isNumber == true {
            do {
                return now.addingTimeInterval(-(try DurationParser.seconds(from: trimmed)))
            } catch {
                throw ConfigValueError(text: text, message: "\(error.message); --since takes \(Self.expectation)")
            }
        }
        throw ConfigValueError(text: text, message: "expected \(Self.expectation), found \"\(text)\"")
    }

    /// `YYYY-MM-DD`, `YYYY-MM-DD[ T]HH:MM[:SS]` or `HH:MM[:SS]` as date components (no time zone).
    private static func localComponents(_ text: String) -> DateComponents? {
        func number(_ part: Substring, digits: Int) -> Int? {
            part.count == digits && part.allSatisfy { $0.isASCII && $0.isNumber } ? Int(part) : nil
        }
        func time(_ part: Substring) -> (Int, Int, Int)? {
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2 || pieces.count == 3, let hour = number(pieces[0], digits: 2),
                let minute = number(pieces[1], digits: 2)
            else { return nil }
            let second = pieces.count == 3 ? number(pieces[2], digits: 2) : 0
            guard let second else { return nil }
            return (hour, minute, second)
        }
        let halves = text.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "T" })
        guard !halves.isEmpty else { return nil }
        var components = DateComponents()
        if halves.count == 1, let (hour, minute, second) = time(halves[0]) {
            components.hour = hour
            components.minute = minute
            components.second = second
            return components
        }
        let day = halves[0].split(separator: "-", omittingEmptySubsequences: false)
        guard day.count == 3, let year = number(day[0], digits: 4), let month = number(day[1], digits: 2),
            let date = number(day[2], digits: 2)
        else { return nil }
        components.year = year
        components.month = month
        components.day = date
        if halves.count == 2 {
            guard let (hour, minute, second) = time(halves[1]) else { return nil }
            components.hour = hour
            components.minute = minute
            components.second = second
        } else {
            components.hour = 0
            components.minute = 0
            components.second = 0
        }
        return components
    }
}
