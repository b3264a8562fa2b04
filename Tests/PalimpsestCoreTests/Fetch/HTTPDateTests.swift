import Foundation
import Testing

@testable import PalimpsestCore

/// HTTP-date (RFC 9110 §5.6.7) read and written without a DateFormatter: the same results as
/// Foundation's formatter for the IMF-fixdate, `nil` for everything else.
@Suite struct HTTPDateTests {
    static func reference() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }

    @Test func theRFCExampleParsesAndFormats() {
        let date = HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(date == Date(timeIntervalSince1970: 784_111_777))
        #expect(HTTPDate.string(from: Date(timeIntervalSince1970: 784_111_777)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("  Sun, 06 Nov 1994 08:49:37 GMT ") == date, "surrounding spaces are allowed")
    }

    @Test func agreesWithFoundationsFormatterOnRandomDates() {
        let formatter = Self.reference()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // 1900 to 2200, whole seconds.
            let seconds = Int.random(in: -2_208_988_800...7_258_118_400, using: &generator)
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let text = formatter.string(from: date)
            #expect(HTTPDate.string(from: date) == text)
            #expect(HTTPDate.parse(text) == date, "\(text)")
        }
        // Sub-second parts are dropped when formatting, as the formatter does.
        #expect(HTTPDate.string(from: Date(timeIntervalSince1970: 784_111_777.9)) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test func anythingButAnIMFFixdateIsNil() {
        for text in [
            "", "Sunday, 06-Nov-94 08:49:37 GMT",  // RFC 850
            "Sun Nov  6 08:49:37 1994",  // asctime
            "Mon, 06 Nov 1994 08:49:37 GMT",  // wrong weekday
            "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37 +0000", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 0x Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMTX",
        ] {
            #expect(HTTPDate.parse(text) == nil, "\(text)")
        }
    }
}
