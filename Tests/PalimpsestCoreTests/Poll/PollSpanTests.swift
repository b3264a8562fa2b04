import Foundation
import PalimpsestCore
import Testing

@Suite struct PollSpanTests {
    static func at(_ minutes: Double) -> Date { Date(timeIntervalSince1970: 1_785_715_200 + minutes * 60) }

    @Test func pollsWithinTheGapLimitExtendASpanAndALongerGapStartsANewOne() {
        // 10 min interval, 10 % jitter: up to 22 min between polls is watched.
        let limit = PollSpan.gapLimit(interval: 600, jitter: 0.1)
        #expect(limit == 1_320)
        var spans: [PollSpan] = []
        for minutes in [0.0, 11, 33, 56, 60] { spans = PollSpan.record(Self.at(minutes), in: spans, gapLimit: limit) }
        #expect(spans == [PollSpan(from: Self.at(0), to: Self.at(33)), PollSpan(from: Self.at(56), to: Self.at(60))])
        // A replayed poll inside a span changes nothing; one in an old gap is kept in order.
        #expect(PollSpan.record(Self.at(20), in: spans, gapLimit: limit) == spans)
        #expect(
            PollSpan.record(Self.at(45), in: spans, gapLimit: limit).map(\.from) == [
                Self.at(0), Self.at(45), Self.at(56),
            ])
    }

    @Test func aStateWrittenBeforePollSpansLoadsWithoutThem() throws {
        var state = AccountState(account: AccountKey(rawValue: "feed:https://example.org/feed.xml"))
        let data = try JSONCoding.documentEncoder().encode(state)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["poll_spans"] == nil)
        object.removeValue(forKey: "poll_spans")
        let decoded = try JSONCoding.decoder().decode(
            AccountState.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(decoded.pollSpans == nil)
        state.recordPoll(at: Self.at(0), gapLimit: 1_320)
        let again = try JSONCoding.decoder().decode(
            AccountState.self, from: try JSONCoding.documentEncoder().encode(state))
        #expect(again.pollSpans == [PollSpan(from: Self.at(0), to: Self.at(0))])
    }
}
