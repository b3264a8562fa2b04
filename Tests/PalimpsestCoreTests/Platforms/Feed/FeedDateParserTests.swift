import Foundation
import Testing

@testable import PalimpsestCore

@Suite struct FeedDateParserTests {
    /// Every accepted format, with the UTC instant it means (computed by hand from the offset).
    @Test(arguments: [
        // RFC 822 as RSSHub writes it (rsshub_twitter_ArknightsStaff_snapshot0.xml).
        ("Thu, 18 May 2023 11:56:00 GMT", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 04:00:10 GMT", "2023-05-18T04:00:10Z"),
        // Numeric zones.
        ("Thu, 18 May 2023 19:56:00 +0800", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 06:56:00 -0500", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 17:26:00 +0530", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 19:56:00 +08:00", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 11:56:00 -0000", "2023-05-18T11:56:00Z"),
        // RFC 822 named zones.
        ("Thu, 18 May 2023 11:56:00 UT", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 11:56:00 UTC", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 11:56:00 Z", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 06:56:00 EST", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 07:56:00 EDT", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 05:56:00 CST", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 06:56:00 CDT", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 04:56:00 MST", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 05:56:00 MDT", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 03:56:00 PST", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 04:56:00 PDT", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 19:56:00 GMT+0800", "2023-05-18T11:56:00Z"),
        // Day name optional or full, single-digit day, two-digit year, no seconds, no zone.
        ("18 May 2023 11:56:00 GMT", "2023-05-18T11:56:00Z"),
        ("Thursday, 18 May 2023 11:56:00 GMT", "2023-05-18T11:56:00Z"),
        ("Mon, 1 May 2023 11:56:00 GMT", "2023-05-01T11:56:00Z"),
        ("Thu, 18 May 23 11:56:00 GMT", "2023-05-18T11:56:00Z"),
        ("Sat, 18 May 99 11:56:00 GMT", "1999-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 11:56 GMT", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 11:56:00", "2023-05-18T11:56:00Z"),
        ("Thu, 18 September 2023 11:56:00 GMT", "2023-09-18T11:56:00Z"),
        ("Thu, 18-May-2023 11:56:00 GMT", "2023-05-18T11:56:00Z"),
        // Malformed variants: lowercase, extra whitespace, a stray line break.
        ("thu, 18 may 2023 11:56:00 gmt", "2023-05-18T11:56:00Z"),
        ("  Thu,  18   May 2023\n 11:56:00   GMT ", "2023-05-18T11:56:00Z"),
        ("Thu,18 May 2023 11:56:00 GMT", "2023-05-18T11:56:00Z"),
        ("Thu, 18 May 2023 11:56:00 am GMT", "2023-05-18T11:56:00Z"),
        // Twitter/Weibo and asctime styles.
        ("Tue Jun 08 09:35:04 +0800 2021", "2021-06-08T01:35:04Z"),
        ("Thu May 18 11:56:00 2023", "2023-05-18T11:56:00Z"),
        // RFC 3339 (github_releases_atom.xml, youtube_channel_atom_digitalfoundry.xml, JSON Feed).
        ("2023-06-29T00:46:57+08:00", "2023-06-28T16:46:57Z"),
        ("2025-01-01T16:07:24+00:00", "2025-01-01T16:07:24Z"),
        ("2016-02-09T14:22:00-07:00", "2016-02-09T21:22:00Z"),
        ("2024-08-26T20:32:01-04:00", "2024-08-27T00:32:01Z"),
        ("2023-05-18T11:56:00Z", "2023-05-18T11:56:00Z"),
        ("2023-05-18T11:56:00.505Z", "2023-05-18T11:56:00.505Z"),
        ("2023-05-18T19:56:00.123456+08:00", "2023-05-18T11:56:00.123456Z"),
        ("2023-05-18t11:56:00z", "2023-05-18T11:56:00Z"),
        ("2023-05-18T19:56:00+0800", "2023-05-18T11:56:00Z"),
        ("2023-05-18T19:56:00+08", "2023-05-18T11:56:00Z"),
        ("2023-05-18T11:56Z", "2023-05-18T11:56:00Z"),
        // Malformed ISO variants: no zone (UTC), a space for T, a zone after a space, date only.
        ("2023-05-18T11:56:00", "2023-05-18T11:56:00Z"),
        ("2023-05-18 11:56:00", "2023-05-18T11:56:00Z"),
        ("2023-05-18 19:56:00 +08:00", "2023-05-18T11:56:00Z"),
        ("2023-05-18 11:56:00 UTC", "2023-05-18T11:56:00Z"),
        ("2023-05-18 11:56:00 GMT+0000", "2023-05-18T11:56:00Z"),
        ("2023/05/18 11:56", "2023-05-18T11:56:00Z"),
        ("2023-05-18", "2023-05-18T00:00:00Z"),
        ("2023-5-8 11:56:00", "2023-05-08T11:56:00Z"),
        // Leap day and a leap second read as :59.
        ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"),
        ("Sat, 31 Dec 2016 23:59:60 GMT", "2016-12-31T23:59:59Z"),
    ])
    func readsEveryFormatAsUTC(text: String, expected: String) throws {
        let date = try #require(FeedDateParser.date(from: text), "could not read \(text)")
        let want = try #require(
            try? Date(expected, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: expected.contains("."))))
        // Within a microsecond: fractions are binary doubles.
        #expect(abs(date.timeIntervalSince(want)) < 0.000_001, "\(text) read as \(date.timeIntervalSince1970)")
    }

    /// Text that is not a date, or names an impossible or ambiguous time, gives nil, never a guess.
    @Test(arguments: [
        "", "   ", "yesterday", "5分钟前", "Thu, 32 May 2023 11:56:00 GMT", "Thu, 29 Feb 2023 11:56:00 GMT",
        "Thu, 18 Foo 2023 11:56:00 GMT", "Thu, 18 May 2023 25:00:00 GMT", "Thu, 18 May 2023 11:61:00 GMT",
        "Thu, 18 May 2023 11:56:00 IST", "Thu, 18 May 2023 11:56:00 +2500", "2023-13-01T00:00:00Z",
        "2023-02-30", "2023-05-18T11:56:00+08:00 trailing", "18 May", "May 2023", "12345678",
    ])
    func rejectsWhatIsNotADate(text: String) {
        #expect(FeedDateParser.date(from: text) == nil, "\(text)")
    }
}
