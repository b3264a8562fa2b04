public import Foundation

/// HTTP-date (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`, as in `Last-Modified`,
/// `Retry-After` and `If-Modified-Since`.
public enum HTTPDate {
    /// Parses an IMF-fixdate; `nil` for anything else.
    public static func parse(_ text: String) -> Date? {
        Self.formatter().date(from: text.trimmingCharacters(in: .whitespaces))
    }

    /// Formats `date` as an IMF-fixdate in GMT.
    public static func string(from date: Date) -> String {
        Self.formatter().string(from: date)
    }

    // DateFormatter is not Sendable: a new one per call keeps this free of shared mutable state.
    private static func formatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }
}
