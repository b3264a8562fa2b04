public import Foundation

/// Reads the dates feeds write, strict formats and common malformed ones, into UTC `Date`s.
///
/// Accepted (case-insensitive, any run of spaces, tabs or line breaks counts as one space):
/// - RFC 822 / RFC 2822 (RSS `pubDate`): `Thu, 18 May 2023 11:56:00 GMT`, with the day name
///   optional (short or full, with or without its comma), a one- or two-digit day, a short or
///   full month name, a two-digit year (RFC 2822 §4.3: 00–49 → 20xx, 50–99 → 19xx) or a
///   four-digit one, seconds optional, and `-` allowed between day, month and year
///   (`18-May-2023`, RFC 850 style).
/// - Zones: numeric `+0800`, `-05:00`, `+08`; the names RFC 822 §5.1 defines, `UT`, `GMT`, `Z`,
///   `EST`/`EDT` (−5/−4 h), `CST`/`CDT` (−6/−5 h), `MST`/`MDT` (−7/−6 h), `PST`/`PDT` (−8/−7 h),
///   plus `UTC`; `GMT+0800` reads as +08:00. Note `CST` is US Central time per RFC 822, even
///   where a Chinese feed means China Standard Time. A missing zone means UTC. Any other zone
///   name (ambiguous ones such as `IST`, military letters) makes the date unreadable: no guess.
/// - RFC 3339 / ISO 8601 (Atom, JSON Feed): `2023-05-18T11:56:00Z`, any numeric offset, with or
///   without fractional seconds; and the malformed variants `2023-05-18 11:56:00` (space for
///   `T`), `2023/05/18 11:56`, `2023-05-18` (midnight), no zone (UTC), a zone after a space.
/// - Twitter/Weibo style `Tue Jun 08 09:35:04 +0800 2021` and C `asctime` style
///   `Thu May 18 11:56:00 2023` (day after the month name, year last).
///
/// Calendar fields are checked (month 1–12, the day exists in that month, hour 0–23, minute
/// 0–59, second 0–60 with a leap second read as 59); anything else gives `nil`, never a guess.
public enum FeedDateParser {
    /// Parses one feed date.
    /// - Parameter text: The element or field value as written in the feed.
    /// - Returns: The instant (UTC-based `Date`), or `nil` when the text is not a readable date.
    public static func date(from text: String) -> Date? {
        let normalized = Self.normalize(text)
        guard !normalized.isEmpty else { return nil }
        let bytes = Array(normalized.utf8)
        if bytes.count >= 8, bytes[0..<4].allSatisfy(Self.isDigit),
            bytes[4] == UInt8(ascii: "-") || bytes[4] == UInt8(ascii: "/")
        {
            return Self.parseISO(bytes)
        }
        return Self.parseWords(normalized)
    }

    // MARK: - ISO 8601 / RFC 3339

    private static func parseISO(_ bytes: [UInt8]) -> Date? {
        var index = 0
        guard let year = Self.number(bytes, &index, digits: 4...4) else { return nil }
        let separator = bytes[index]
        index += 1
        guard let month = Self.number(bytes, &index, digits: 1...2), index < bytes.count, bytes[index] == separator
        else { return nil }
        index += 1
        guard let day = Self.number(bytes, &index, digits: 1...2) else { return nil }
        var time = TimeOfDay()
        var offset = 0
        if index < bytes.count {
            guard bytes[index] == UInt8(ascii: "t") || bytes[index] == UInt8(ascii: " ") else { return nil }
            index += 1
            guard let parsed = Self.timeOfDay(bytes, &index) else { return nil }
            time = parsed
            if index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
            if index < bytes.count {
                let rest = String(decoding: bytes[index...], as: UTF8.self)
                guard let zone = Self.zoneOffset(rest) else { return nil }
                offset = zone
            }
        }
        return Self.makeDate(year: year, month: month, day: day, time: time, offset: offset)
    }

    // MARK: - RFC 822 and other word-based forms

    private static func parseWords(_ text: String) -> Date? {
        var tokens = Self.tokenize(text)
        var month: Int?
        var numbers: [(value: Int, digits: Int)] = []
        var time: TimeOfDay?
        var offset: Int?
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            switch token {
            case .word(let word):
                if Self.dayNames.contains(word) { continue }
                if let number = Self.monthNumbers[word] {
                    guard month == nil else { return nil }
                    month = number
                    continue
                }
                if word == "am" || word == "pm" {
                    guard var current = time, (1...12).contains(current.hour) else { return nil }
                    current.hour = current.hour % 12 + (word == "pm" ? 12 : 0)
                    time = current
                    continue
                }
                guard let named = Self.namedZones[word], offset == nil else { return nil }
                // `GMT+0800`: the numeric offset that follows a universal-time name wins.
                if named == 0, index < tokens.count, case .offset(let numeric) = tokens[index] {
                    offset = numeric
                    index += 1
                } else {
                    offset = named
                }
            case .number(let value, let digits):
                numbers.append((value, digits))
            case .time(let parsed):
                guard time == nil else { return nil }
                time = parsed
            case .offset(let value):
                guard offset == nil else { return nil }
                offset = value
            }
        }
        tokens.removeAll()
        guard let month, numbers.count == 2 else { return nil }
        let day: Int
        var year: Int
        if numbers[0].digits <= 2 && (numbers[1].digits == 4 || numbers[1].digits == 2) {
            day = numbers[0].value
            year = numbers[1].value
            if numbers[1].digits == 2 { year += year < 50 ? 2000 : 1900 }
        } else if numbers[0].digits == 4 && numbers[1].digits <= 2 {
            // `2023 May 18` (seen in hand-written feeds).
            year = numbers[0].value
            day = numbers[1].value
        } else {
            return nil
        }
        return Self.makeDate(year: year, month: month, day: day, time: time ?? TimeOfDay(), offset: offset ?? 0)
    }

    private enum Token {
        case word(String)
        case number(Int, digits: Int)
        case time(TimeOfDay)
        /// A numeric zone offset in seconds east of UTC.
        case offset(Int)
    }

    private static func tokenize(_ text: String) -> [Token] {
        let bytes = Array(text.utf8)
        var tokens: [Token] = []
        var index = 0
        var sawTime = false
        while index < bytes.count {
            let byte = bytes[index]
            if Self.isLetter(byte) {
                let start = index
                while index < bytes.count, Self.isLetter(bytes[index]) { index += 1 }
                var word = String(decoding: bytes[start..<index], as: UTF8.self)
                // `Thu.` / `Sept.`: a trailing dot after a name is noise.
                if index < bytes.count, bytes[index] == UInt8(ascii: ".") { index += 1 }
                if word == "sept" { word = "sep" }
                tokens.append(.word(word))
            } else if Self.isDigit(byte) {
                let start = index
                var probe = index
                while probe < bytes.count, Self.isDigit(bytes[probe]) { probe += 1 }
                if probe < bytes.count, bytes[probe] == UInt8(ascii: ":") {
                    var cursor = start
                    guard let time = Self.timeOfDay(bytes, &cursor) else { return [] }
                    tokens.append(.time(time))
                    sawTime = true
                    index = cursor
                } else {
                    let digits = probe - start
                    guard digits <= 4 else { return [] }
                    let value = Int(String(decoding: bytes[start..<probe], as: UTF8.self)) ?? 0
                    tokens.append(.number(value, digits: digits))
                    index = probe
                }
            } else if byte == UInt8(ascii: "+") || (byte == UInt8(ascii: "-") && sawTime) {
                var cursor = index
                guard let offset = Self.numericOffset(bytes, &cursor) else { return [] }
                tokens.append(.offset(offset))
                index = cursor
            } else if byte == UInt8(ascii: " ") || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "/")
            {
                index += 1
            } else {
                return []
            }
        }
        return tokens
    }

    // MARK: - Pieces

    private struct TimeOfDay {
        var hour = 0
        var minute = 0
        var second = 0
        var fraction: Double = 0
    }

    /// `HH:MM[:SS[.fraction]]` at `index`.
    private static func timeOfDay(_ bytes: [UInt8], _ index: inout Int) -> TimeOfDay? {
        guard let hour = Self.number(bytes, &index, digits: 1...2), index < bytes.count,
            bytes[index] == UInt8(ascii: ":")
        else { return nil }
        index += 1
        guard let minute = Self.number(bytes, &index, digits: 2...2) else { return nil }
        var time = TimeOfDay(hour: hour, minute: minute)
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            index += 1
            guard let second = Self.number(bytes, &index, digits: 2...2) else { return nil }
            time.second = second
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
                index += 1
                let start = index
                while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
                guard index > start else { return nil }
                time.fraction = Double("0." + String(decoding: bytes[start..<index], as: UTF8.self)) ?? 0
            }
        }
        return time
    }

    /// A zone after an ISO time: `z`, a numeric offset or a name.
    private static func zoneOffset(_ text: String) -> Int? {
        if let named = Self.namedZones[text] { return named }
        let bytes = Array(text.utf8)
        var index = 0
        var prefixOffset: Int?
        // `UTC+08:00`, `GMT-5`.
        for name in ["utc", "gmt", "ut"] where text.hasPrefix(name) {
            index = name.utf8.count
            prefixOffset = 0
            break
        }
        if prefixOffset != nil && index == bytes.count { return 0 }
        guard let offset = Self.numericOffset(bytes, &index), index == bytes.count else { return nil }
        return offset
    }

    /// `+HHMM`, `+HH:MM` or `+HH` (also with `-`) at `index`, in seconds east of UTC.
    private static func numericOffset(_ bytes: [UInt8], _ index: inout Int) -> Int? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else {
            return nil
        }
        let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
        index += 1
        let start = index
        while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        let digits = Array(bytes[start..<index])
        var hours: Int
        var minutes = 0
        switch digits.count {
        case 1, 2:
            hours = Self.value(digits)
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                index += 1
                guard let parsed = Self.number(bytes, &index, digits: 2...2) else { return nil }
                minutes = parsed
            }
        case 4:
            hours = Self.value(digits[0..<2])
            minutes = Self.value(digits[2..<4])
        default:
            return nil
        }
        guard hours <= 18, minutes <= 59 else { return nil }
        hours = hours * 3600 + minutes * 60
        return sign * hours
    }

    private static func number(_ bytes: [UInt8], _ index: inout Int, digits: ClosedRange<Int>) -> Int? {
        let start = index
        while index < bytes.count, index - start < digits.upperBound, Self.isDigit(bytes[index]) { index += 1 }
        guard digits.contains(index - start) else { return nil }
        return Self.value(bytes[start..<index])
    }

    private static func value<C: Collection<UInt8>>(_ digits: C) -> Int {
        digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isLetter(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }

    /// Lowercases, and collapses every whitespace run (any Unicode whitespace) to one ASCII space.
    private static func normalize(_ text: String) -> String {
        PostVersion.normalizeText(text.lowercased())
    }

    /// Builds the instant from validated civil fields; `offset` is seconds east of UTC.
    private static func makeDate(year: Int, month: Int, day: Int, time: TimeOfDay, offset: Int) -> Date? {
        guard (1...12).contains(month), day >= 1, day <= CivilDate.days(inMonth: month, year: year),
            (0...23).contains(time.hour), (0...59).contains(time.minute), (0...60).contains(time.second),
            (1...9999).contains(year)
        else { return nil }
        let second = min(time.second, 59)
        let days = CivilDate.dayNumber(year: year, month: month, day: day)
        let seconds = days * 86_400 + time.hour * 3600 + time.minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + time.fraction)
    }

    private static let dayNames: Set<String> = [
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday",
    ]

    private static let monthNumbers: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
        "nov": 11, "dec": 12, "january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7,
        "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    ]

    /// RFC 822 §5.1 zone names (plus `UTC`), in seconds east of UTC.
    private static let namedZones: [String: Int] = [
        "z": 0, "ut": 0, "utc": 0, "gmt": 0,
        "est": -5 * 3600, "edt": -4 * 3600, "cst": -6 * 3600, "cdt": -5 * 3600,
        "mst": -7 * 3600, "mdt": -6 * 3600, "pst": -8 * 3600, "pdt": -7 * 3600,
    ]
}
