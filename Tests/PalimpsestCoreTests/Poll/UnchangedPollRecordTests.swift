import Foundation
import Testing

@testable import PalimpsestCore

/// An unchanged poll's record keeps the words of the last parsed poll after its marker, found as
/// Foundation's `range(of:)` finds it.
@Suite struct UnchangedPollRecordTests {
    @Test func theDetailAfterTheMarkerIsWhatFoundationsSearchFinds() {
        let marker = PollRecord.unchangedMarker
        let details = [
            "", "complete: 10 posts", "unchanged since the last poll (HTTP 304, not parsed)\(marker)complete: 10 posts",
            "a\(marker)b\(marker)c", "ends with the marker\(marker)", marker, "; as then:", "; as then:x",
            "; as; as then: x", "Unicode: 微博-出错了\(marker)暂无数据", "e\u{301}\(marker)caf\u{E9}",
            "no marker, Unicode: Ä",
        ]
        for detail in details {
            let expected = detail.range(of: marker).map { String(detail[$0.upperBound...]) } ?? detail
            #expect(PollRecord.detailAfterUnchangedMarker(detail) == expected, "\(detail)")
        }
    }

    @Test func anUnchangedRecordQuotesTheLastParsedPollOnce() {
        let parsed = PollRecord(at: Date(timeIntervalSince1970: 0), outcome: "complete", detail: "10 posts", posts: 10)
        let first = PollRecord.unchanged(at: Date(timeIntervalSince1970: 600), status: 304, after: parsed)
        let second = PollRecord.unchanged(at: Date(timeIntervalSince1970: 1200), status: 200, after: first)
        #expect(first.detail == "unchanged since the last poll (HTTP 304, not parsed); as then: 10 posts")
        #expect(second.detail == "unchanged since the last poll (HTTP 200, not parsed); as then: 10 posts")
        #expect(second.posts == 10)
    }
}
