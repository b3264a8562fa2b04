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

    /// A decoder that accepts the dates the encoders write (with or without fractions, any zone).
    public static func decoder() -> JSONDecoder {
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
public enum RFC3339 {
    /// Formats `date` in UTC: `2026-11-29T22:18:40Z`, or `2026-11-29T22:18:40.123Z` when the date
    /// has a sub-second part (millisecond precision).
    public static func string(from date: Date) -> String {
        // Round to whole milliseconds first, then format the parts by hand: a format style
        // truncates fractions, which would write .122 for .123 after binary rounding.
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let fraction = Int(milliseconds - seconds * 1000)
        let whole = Date(timeIntervalSince1970: TimeInterval(seconds))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: whole)
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
        // Most texts have nothing to trim and no fraction: the cheap checks first (every state
        // read parses dozens of dates), the same two parses in the likelier order.
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
}

extension Date {
    /// This date rounded to whole milliseconds since 1970, computed one way everywhere, so that
    /// two parsers of the same timestamp give the same `Double` (the disk format keeps milliseconds).
    public var onMillisecondGrid: Date {
        Date(timeIntervalSince1970: (self.timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}
