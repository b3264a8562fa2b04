import Foundation
import Testing

@testable import PalimpsestCore

/// Rule of evidence 5: a long post whose full text failed to load is not altered.
@Suite struct TruncatedTextTests {
    static let full = "全文：今天发布的公告全文，包括所有段落与细节。"
    static let partial = "全文：今天发布的公告…"

    static func version(_ text: String, truncated: Bool) -> Post {
        Post(id: "long", postedAt: Fixture.at(minutes: -30), text: text, isTruncated: truncated)
    }

    @Test func failedExpansionAfterFullTextIsNeverAnEditAndKeepsTheFullText() {
        var harness = Harness()
        harness.poll(
            [Self.version(Self.full, truncated: false), Fixture.post("old", minutes: -60)], at: Fixture.at(minutes: 0))
        let events = harness.poll(
            [Self.version(Self.partial, truncated: true), Fixture.post("old", minutes: -60)],
            at: Fixture.at(minutes: 10))
        #expect(events.isEmpty)
        #expect(harness.state.posts["long"]?.post.text == Self.full)
    }

    @Test func fullTextArrivingAfterATruncatedFirstSightIsNotAnEdit() {
        var harness = Harness()
        harness.poll(
            [Self.version(Self.partial, truncated: true), Fixture.post("old", minutes: -60)], at: Fixture.at(minutes: 0)
        )
        let events = harness.poll(
            [Self.version(Self.full, truncated: false), Fixture.post("old", minutes: -60)], at: Fixture.at(minutes: 10))
        #expect(events.isEmpty)
        #expect(harness.state.posts["long"]?.post.text == Self.full)
        // A real edit of the full text afterwards is still an alteration.
        let edited = harness.poll(
            [Self.version(Self.full + "（已更新）", truncated: false), Fixture.post("old", minutes: -60)],
            at: Fixture.at(minutes: 20))
        #expect(edited.map(\.event) == [.altered])
    }
}
