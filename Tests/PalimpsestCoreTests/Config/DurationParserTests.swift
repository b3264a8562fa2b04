import Foundation
import Testing

@testable import PalimpsestCore

@Suite struct DurationParserTests {
    @Test(arguments: [
        ("10m", 600.0), ("1h30m", 5_400), ("45s", 45), ("2d", 172_800), ("2h", 7_200), ("90s", 90),
        ("500ms", 0.5), ("1d", 86_400), ("1d 12h", 129_600), ("600", 600), (" 20m ", 1_200), ("0s", 0), ("0", 0),
        ("1m30s250ms", 90.25),
    ])
    func readsDurations(text: String, seconds: TimeInterval) throws {
        #expect(try DurationParser.seconds(from: text) == seconds)
    }

    @Test(arguments: [
        ("10x", #"unknown unit "x""#), ("-5m", "cannot be negative"), ("", "found an empty string"),
        ("10M", #"unknown unit "M""#), ("1h1h", "each unit once, largest first"),
        ("30m1h", "each unit once, largest first"), ("1.5h", #"found "1.5h""#), ("h", #"found "h""#),
        ("5m10", "the number 10 has no unit"), ("99999999999999999999d", "too large"),
    ])
    func rejectsMalformedDurationsSayingWhatWasExpected(text: String, reason: String) {
        #expect {
            try DurationParser.seconds(from: text)
        } throws: { error in
            ((error as? ConfigValueError)?.message ?? "").contains(reason)
        }
    }

    @Test func aMalformedDurationErrorShowsTheAcceptedForms() {
        #expect {
            try DurationParser.seconds(from: "10x")
        } throws: { error in
            (error as? ConfigValueError)?.message
                == #"expected a duration such as "90s", "10m", "1h30m", "2d" or "500ms", or a whole number of seconds, "#
                + #"found "10x" (unknown unit "x"; units are d, h, m, s, ms)"#
        }
    }

    @Test(arguments: [(5_400.0, "1h30m"), (600, "10m"), (0.5, "500ms"), (0, "0s"), (90_061, "1d1h1m1s")])
    func formatsDurationsTheWayTheConfigWritesThem(seconds: TimeInterval, text: String) throws {
        #expect(DurationParser.string(from: seconds) == text)
        #expect(try DurationParser.seconds(from: text) == seconds)
    }
}
