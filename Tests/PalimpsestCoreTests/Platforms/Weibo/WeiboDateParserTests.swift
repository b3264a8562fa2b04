import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

@Suite struct WeiboDateParserTests {
    /// The poll's time in these tests: 2025-11-29 10:30:00 in Beijing (02:30 UTC).
    static let now = WeiboFixture.utc("2025-11-29T02:30:00Z")

    /// Every accepted form, with the UTC instant it means against ``now`` (computed by hand:
    /// Beijing is UTC+8, so Beijing midnight is 16:00 UTC the day before).
    @Test(arguments: [
        // Absolute (fixture snapshot0 card 0: created_at and edit_at).
        ("Tue Jun 08 09:35:04 +0800 2021", "2021-06-08T01:35:04Z"),
        ("Wed Jun 16 10:51:10 +0800 2021", "2021-06-16T02:51:10Z"),
        ("Mon Jul 05 00:31:15 +0800 2021", "2021-07-04T16:31:15Z"),
        ("Sat Jan 01 00:00:00 +0000 2022", "2022-01-01T00:00:00Z"),
        ("  Thu Jun 17 16:00:11 +0800 2021 ", "2021-06-17T08:00:11Z"),
        // Relative to the poll.
        ("刚刚", "2025-11-29T02:30:00Z"),
        ("5分钟前", "2025-11-29T02:25:00Z"),
        ("3小时前", "2025-11-28T23:30:00Z"),
        ("今天 09:15", "2025-11-29T01:15:00Z"),
        ("昨天 10:00", "2025-11-28T02:00:00Z"),
        ("昨天 00:05", "2025-11-27T16:05:00Z"),
        // Year-less: this year unless that is in the future.
        ("11-28", "2025-11-27T16:00:00Z"),
        ("11-29", "2025-11-28T16:00:00Z"),
        ("11-30", "2024-11-29T16:00:00Z"),
        ("06-27", "2025-06-26T16:00:00Z"),
        ("12-31", "2024-12-30T16:00:00Z"),
        ("02-29", "2024-02-28T16:00:00Z"),
        ("11-28 23:59", "2025-11-28T15:59:00Z"),
        // With a year.
        ("2025-11-28", "2025-11-27T16:00:00Z"),
        ("2019-01-02", "2019-01-01T16:00:00Z"),
        ("2019-01-02 08:00", "2019-01-02T00:00:00Z"),
    ])
    func readsEveryForm(text: String, expected: String) throws {
        let date = try #require(WeiboDateParser.date(from: text, now: Self.now), "\(text) was not read")
        #expect(RFC3339.string(from: date) == expected, "\(text)")
    }

    @Test func yearlessDateJustAfterNewYearLooksBackToLastYear() throws {
        // 2026-01-01 00:10 in Beijing: "12-31" is yesterday, last year.
        let now = WeiboFixture.utc("2025-12-31T16:10:00Z")
        let date = try #require(WeiboDateParser.date(from: "12-31", now: now))
        #expect(RFC3339.string(from: date) == "2025-12-30T16:00:00Z")
        let yesterday = try #require(WeiboDateParser.date(from: "昨天 23:00", now: now))
        #expect(RFC3339.string(from: yesterday) == "2025-12-31T15:00:00Z")
    }

    @Test(arguments: [
        "", "   ", "yesterday", "5 minutes ago", "分钟前", "-5分钟前", "02-30", "13-01", "2025-02-29", "昨天",
        "昨天 25:00", "昨天 10:60", "Tue Jun 31 09:35:04 +0800 2021", "Tue Foo 08 09:35:04 +0800 2021",
        "Tue Jun 08 09:35 +0800 2021", "Tue Jun 08 09:35:04 0800 2021", "１１-２８", "2025/11/28",
    ])
    func rejectsWhatIsNoDate(text: String) {
        #expect(WeiboDateParser.date(from: text, now: Self.now) == nil, "\(text) should not be read")
    }
}
