import Foundation
import Testing

@testable import PalimpsestCore

/// A repost showing that its original is gone (Weibo's tombstone text inside `retweeted_status`)
/// is a finding about the original: one `deleted` event, once.
@Suite struct ReferenceTombstoneTests {
    static func repost(of original: String, tombstone: Reason?) -> Post {
        var post = Post(
            id: "repost-1", kind: .repost, postedAt: Fixture.at(minutes: -5), text: "//@someone: 转发",
            reference: original)
        post.referenceTombstone = tombstone.map {
            ReferenceTombstone(reason: $0, detail: "repost repost-1 shows for its original: 抱歉，此微博已被作者删除。")
        }
        return post
    }

    @Test func aRepostShowingItsOriginalGoneLogsOneDeletionOfTheOriginal() {
        var harness = Harness()
        let old = Fixture.post("old", minutes: -60)
        #expect(harness.poll([Self.repost(of: "orig-9", tombstone: nil), old], at: Fixture.at(minutes: 0)).isEmpty)
        let events = harness.poll(
            [Self.repost(of: "orig-9", tombstone: .authorDeleted), old], at: Fixture.at(minutes: 10))
        #expect(events.map(\.event) == [.deleted])
        #expect(events.first?.postID == "orig-9")
        #expect(events.first?.reason == .authorDeleted)
        #expect(events.first?.confirmedBy == .probe)
        #expect(events.first?.detail?.contains("抱歉，此微博已被作者删除") == true)
        // Seen again on later polls: logged once.
        #expect(
            harness.poll([Self.repost(of: "orig-9", tombstone: .authorDeleted), old], at: Fixture.at(minutes: 20))
                .isEmpty)
    }

    @Test func anOriginalThisAccountTracksIsLeftToItsOwnProbe() {
        var harness = Harness()
        let original = Fixture.post("orig-9", minutes: -30)
        let old = Fixture.post("old", minutes: -60)
        harness.poll([original, Self.repost(of: "orig-9", tombstone: nil), old], at: Fixture.at(minutes: 0))
        let events = harness.poll(
            [original, Self.repost(of: "orig-9", tombstone: .authorDeleted), old], at: Fixture.at(minutes: 10))
        #expect(events.isEmpty)
    }
}
