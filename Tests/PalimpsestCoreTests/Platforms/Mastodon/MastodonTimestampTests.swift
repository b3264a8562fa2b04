import Foundation
import Testing

@testable import PalimpsestCore

@Suite struct MastodonTimestampTests {
    @Test func readsMillisecondsAndMicrosecondsExactly() throws {
        let milliseconds = try #require(MastodonTimestamp.date(from: "2026-08-01T13:54:00.505Z"))
        #expect(milliseconds == Date(timeIntervalSince1970: 1_785_592_440.505))
        let microseconds = try #require(MastodonTimestamp.date(from: "2026-08-01T13:55:00.348080Z"))
        #expect(microseconds == Date(timeIntervalSince1970: 1_785_592_500.348080))
        #expect(MastodonTimestamp.date(from: "2024-04-19T22:15:22.000Z") == Date(timeIntervalSince1970: 1_713_564_922))
    }

    @Test func readsOffsetsAndRejectsGarbage() {
        #expect(MastodonTimestamp.date(from: "2026-08-01T15:54:00+02:00") == Date(timeIntervalSince1970: 1_785_592_440))
        #expect(MastodonTimestamp.date(from: "2026-08-01") == nil)
        #expect(MastodonTimestamp.date(from: "2026-08-01T13:54:00") == nil)
        #expect(MastodonTimestamp.date(from: "2026-13-01T13:54:00Z") == nil)
        #expect(MastodonTimestamp.date(from: "2026-08-01T13:54:00.Z") == nil)
        #expect(MastodonTimestamp.date(from: "soon") == nil)
    }
}
