import Foundation
import Testing

@testable import PalimpsestCore

/// Header field names are looked up case-insensitively, with the same answers as Foundation's
/// `caseInsensitiveCompare` (ASCII names compared byte by byte, any other through Foundation).
@Suite struct HTTPHeadersTests {
    @Test func fieldNamesMatchAsFoundationsCaseInsensitiveComparisonDoes() {
        let names = [
            "ETag", "etag", "ETAG", "E-Tag", "Last-Modified", "last-modified", "LAST-MODIFIEd", "Location",
            "Location ", "[a]", "{a}", "@", "`", "^", "~", "", "Straße", "STRASSE", "straße", "Äpfel", "äPFEL",
            "\u{FB00}", "FF", "ff", "Kelvin", "\u{212A}elvin", "e\u{301}", "\u{E9}", "E\u{301}",
        ]
        for first in names {
            for second in names {
                #expect(
                    HTTPHeaders.isSameName(first, second) == (first.caseInsensitiveCompare(second) == .orderedSame),
                    "\(first) / \(second)")
            }
        }
    }

    @Test func lookupsAndReplacementIgnoreTheCaseOfNames() {
        var headers = HTTPHeaders([("ETag", "\"a\""), ("Content-Type", "text/xml"), ("etag", "\"b\"")])
        #expect(headers["ETAG"] == "\"a\"")
        #expect(headers["content-type"] == "text/xml")
        #expect(headers["Last-Modified"] == nil)
        #expect(headers.values(for: "Etag") == ["\"a\"", "\"b\""])
        headers.replaceOrAdd(name: "ETAG", value: "\"c\"")
        #expect(headers.fields.map(\.name) == ["Content-Type", "ETAG"])
        #expect(headers["etag"] == "\"c\"")
    }
}
