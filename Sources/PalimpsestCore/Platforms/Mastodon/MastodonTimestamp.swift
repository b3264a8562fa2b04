import Foundation

/// Parses the timestamps a Mastodon server writes: `created_at` / `edited_at` (RFC 3339 in UTC
/// with milliseconds, `2026-08-01T13:54:00.505Z`) and the `X-RateLimit-Reset` header (ISO 8601
/// with microseconds, `2026-08-01T13:55:00.348080Z`).
///
/// Sources: FORMATS.md §1 (Mastodon), docs `api/datetime-format.md`, `api/rate-limits.md`;
/// fixtures `status_edit_0_created.json`, `account_lookup.meta.json`.
///
/// Written by hand rather than with `ISO8601FormatStyle` so that any number of fraction digits is
/// read, and read exactly (the whole seconds are computed with integers; only the fraction is a
/// floating-point value).
enum MastodonTimestamp {
    /// The instant (UTC) `text` names, or `nil` when it is not `YYYY-MM-DDTHH:MM:SS[.fraction]`
    /// followed by `Z` or a numeric offset `±HH:MM` / `±HHMM`.
    static func date(from text: String) -> Date? {
        let bytes = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        var index = 0

        func number(digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += digits
            return value
        }
        func expect(_ allowed: String) -> Bool {
            guard index < bytes.count, allowed.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }

        guard let year = number(digits: 4), expect("-"),
            let month = number(digits: 2), expect("-"),
            let day = number(digits: 2), expect("Tt "),
            let hour = number(digits: 2), expect(":"),
            let minute = number(digits: 2), expect(":"),
            let second = number(digits: 2)
        else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else {
            return nil
        }

        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                index += 1
            }
            guard index > start, let value = Double("0." + String(decoding: bytes[start..<index], as: UTF8.self))
            else { return nil }
            fraction = value
        }

        var offsetSeconds = 0
        if expect("Zz") {
            offsetSeconds = 0
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = number(digits: 2) else { return nil }
            _ = expect(":")
            guard let offsetMinutes = number(digits: 2), offsetHours < 24, offsetMinutes < 60 else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }

        let days = CivilDate.dayNumber(year: year, month: month, day: day)
        let whole = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(whole) + fraction)
    }
}
