public import Foundation

/// HTTP-date (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`, as in `Last-Modified`,
/// `Retry-After` and `If-Modified-Since`.
///
/// Read and written byte by byte: the format is fixed (29 ASCII bytes), and every answer of every
/// poll carries one (`Last-Modified`), so a `DateFormatter` per call cost a tenth of a steady
/// poll cycle's CPU.
public enum HTTPDate {
    private static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, surrounding spaces allowed); `nil`
    /// for anything else: the obsolete RFC 850 and asctime forms, a wrong weekday, a day the month
    /// does not have, a time past 23:59:60.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            var start = 0
            var end = bytes.count
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            guard end - start == 29 else { return nil }
            let field = UnsafeBufferPointer(rebasing: bytes[start..<end])
            func text(_ from: Int, _ count: Int) -> String {
                String(decoding: field[from..<from + count], as: UTF8.self)
            }
            func number(_ from: Int, _ count: Int) -> Int? {
                var value = 0
                for byte in field[from..<from + count] {
                    guard byte >= 0x30, byte <= 0x39 else { return nil }
                    value = value * 10 + Int(byte - 0x30)
                }
                return value
            }
            guard field[3] == 0x2C, field[4] == 0x20, field[7] == 0x20, field[11] == 0x20, field[16] == 0x20,
                field[19] == 0x3A, field[22] == 0x3A, field[25] == 0x20, text(26, 3) == "GMT",
                let weekday = Self.weekdays.firstIndex(of: text(0, 3)),
                let monthIndex = Self.months.firstIndex(of: text(8, 3)),
                let day = number(5, 2), let year = number(12, 4), let hour = number(17, 2),
                let minute = number(20, 2), let second = number(23, 2),
                hour < 24, minute < 60, second <= 60, day >= 1
            else { return nil }
            let month = monthIndex + 1
            let dayNumber = CivilDate.dayNumber(year: year, month: month, day: day)
            // The date must exist (no 31 Feb) and fall on the weekday it names.
            guard CivilDate.civil(fromDay: dayNumber) == (year, month, day),
                CivilDate.weekday(ofDay: dayNumber) == weekday + 1
            else { return nil }
            let seconds = dayNumber * 86_400 + hour * 3_600 + minute * 60 + min(second, 59)
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }
    }

    /// Formats `date` as an IMF-fixdate in GMT (whole seconds, rounded down).
    public static func string(from date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let dayNumber = Int((Double(total) / 86_400).rounded(.down))
        let secondOfDay = total - dayNumber * 86_400
        let (year, month, day) = CivilDate.civil(fromDay: dayNumber)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var yearText = "\(year)"
        while yearText.utf8.count < 4 { yearText = "0" + yearText }
        return "\(Self.weekdays[CivilDate.weekday(ofDay: dayNumber) - 1]), \(two(day)) \(Self.months[month - 1]) "
            + "\(yearText) \(two(secondOfDay / 3_600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) GMT"
    }
}
