public import Foundation

/// The JSON encoders and decoders for every file Palimpsest writes: sorted keys (so the same
/// value always gives the same bytes), no escaped slashes, dates as RFC 3339 UTC
/// (`2026-11-29T22:18:40Z`, with milliseconds only when the time has a fraction).
public enum JSONCoding {
    /// An encoder producing one compact line (deletion log, archive lines).
    public static func lineEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        return encoder
    }

    /// An encoder producing indented, human-readable documents (state, snapshots).
    public static func documentEncoder() -> JSONEncoder {
        let encoder = Self.lineEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return encoder
    }

    /// The decoder for what Palimpsest wrote: the values of ``foundationDecoder()``, read faster
    /// (``StoredJSONDecoder``).
    public static func decoder() -> StoredJSONDecoder {
        StoredJSONDecoder()
    }

    /// Foundation's decoder, accepting the dates the encoders write (with or without fractions,
    /// any zone): ``StoredJSONDecoder`` hands it what it does not read itself.
    public static func foundationDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.date(from: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected an RFC 3339 date, found \"\(text)\"")
            }
            return date
        }
        return decoder
    }
}

/// RFC 3339 timestamps (UTC on output).
///
/// Every state read and write formats or parses dozens of these, so the form the encoders write
/// (`2026-11-29T22:18:40Z`, `2026-11-29T22:18:40.123Z`, years 1583 to 9999) is read and written
/// byte by byte; any other form (an offset, another number of fraction digits, a leap second) goes
/// through Foundation's ISO 8601 parser, and dates before 1583 through Foundation's calendar (it
/// switches to the Julian calendar before October 1582, where days differ from ours).
public enum RFC3339 {
    /// Formats `date` in UTC: `2026-11-29T22:18:40Z`, or `2026-11-29T22:18:40.123Z` when the date
    /// has a sub-second part (millisecond precision, rounded to the nearest millisecond).
    public static func string(from date: Date) -> String {
        // Round to whole milliseconds first, then split: formatting a fraction by truncation
        // would write .122 for .123 after binary rounding.
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let fraction = Int(milliseconds - seconds * 1000)
        let dayNumber = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds) - dayNumber * 86_400
        let (year, month, day) = CivilDate.civil(fromDay: dayNumber)
        guard (Self.firstByteYear...9999).contains(year) else {
            return Self.calendarString(seconds: seconds, fraction: fraction)
        }
        let length = fraction == 0 ? 20 : 24
        return String(unsafeUninitializedCapacity: length) { bytes in
            func put(_ value: Int, width: Int, at offset: Int) {
                var value = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    bytes[index] = UInt8(truncatingIfNeeded: 0x30 + value % 10)
                    value /= 10
                }
            }
            put(year, width: 4, at: 0)
            bytes[4] = 0x2D
            put(month, width: 2, at: 5)
            bytes[7] = 0x2D
            put(day, width: 2, at: 8)
            bytes[10] = 0x54
            put(secondOfDay / 3_600, width: 2, at: 11)
            bytes[13] = 0x3A
            put(secondOfDay / 60 % 60, width: 2, at: 14)
            bytes[16] = 0x3A
            put(secondOfDay % 60, width: 2, at: 17)
            if fraction != 0 {
                bytes[19] = 0x2E
                put(fraction, width: 3, at: 20)
            }
            bytes[length - 1] = 0x5A
            return length
        }
    }

    /// The first year read and written byte by byte: the first whole year of the Gregorian
    /// calendar (Foundation's `.gregorian` calendar is Julian before 15 October 1582).
    static let firstByteYear = 1583

    /// Years outside 1583…9999 (which no platform sends): Foundation's calendar's own components.
    static func calendarString(seconds: Int64, fraction: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T"
        text += "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2))"
        if fraction != 0 { text += "." + pad(fraction, 3) }
        return text + "Z"
    }

    /// Parses an RFC 3339 / ISO 8601 date-time with or without fractional seconds and with `Z`
    /// or a numeric offset. Returns `nil` for anything else.
    /// The result lies on the millisecond grid (``Foundation/Date/onMillisecondGrid``), like every
    /// date in a ``Post``, so a date read back from disk equals the date parsed from the platform.
    public static func date(from text: String) -> Date? {
        if let date = Self.canonicalDate(text) { return date }
        let trimmed =
            text.first?.isWhitespace == true || text.last?.isWhitespace == true
            ? text.trimmingCharacters(in: .whitespaces) : text
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let strategies = trimmed.utf8.contains(UInt8(ascii: ".")) ? [withFraction, .init()] : [.init(), withFraction]
        for strategy in strategies {
            if let date = try? Date(trimmed, strategy: strategy) { return date.onMillisecondGrid }
        }
        return nil
    }

    /// The form ``string(from:)`` writes, read byte by byte: `YYYY-MM-DDTHH:MM:SSZ` or
    /// `YYYY-MM-DDTHH:MM:SS.fffZ` naming a day the month has and a time before 24:00:00; `nil` for
    /// anything else (which ``date(from:)`` then hands to Foundation).
    private static func canonicalDate(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            guard bytes.count == 20 || bytes.count == 24, bytes[bytes.count - 1] == 0x5A,
                bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A, bytes[16] == 0x3A
            else { return nil }
            func number(_ from: Int, _ count: Int) -> Int? {
                var value = 0
                for index in from..<from + count {
                    let digit = bytes[index] &- 0x30
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int(digit)
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                year >= Self.firstByteYear, (1...12).contains(month), day >= 1, hour < 24, minute < 60, second < 60
            else { return nil }
            var milliseconds = 0
            if bytes.count == 24 {
                guard bytes[19] == 0x2E, let fraction = number(20, 3) else { return nil }
                milliseconds = fraction
            }
            let dayNumber = CivilDate.dayNumber(year: year, month: month, day: day)
            guard CivilDate.civil(fromDay: dayNumber) == (year, month, day) else { return nil }
            let seconds = Int64(dayNumber) * 86_400 + Int64(hour * 3_600 + minute * 60 + second)
            return Date(timeIntervalSince1970: Double(seconds * 1000 + Int64(milliseconds)) / 1000)
        }
    }
}

extension Date {
    /// This date rounded to whole milliseconds since 1970, computed one way everywhere, so that
    /// two parsers of the same timestamp give the same `Double` (the disk format keeps milliseconds).
    public var onMillisecondGrid: Date {
        Date(timeIntervalSince1970: (self.timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}
