import Foundation
import Testing

@testable import PalimpsestCore

/// Rule of evidence 6: how long a restored post was gone is an interval from observed polls. `tail`
/// and the digest show it with its lower bound from the polls that missed the post (never 0 s
/// when more than one poll missed it) and, in the digest, the polls it comes from.
@Suite struct GoneForTests {
    typealias F = Fixture

    /// p3 seen at t0, missing from minute 10, deleted by absence at minute 30, listed again at
    /// minutes 40, 50 and 60: restored at 60.
    static func deletedAndRestored() throws -> (deleted: Event, restored: Event) {
        var h = Harness()
        let five = ConfirmerTests.five
        let without = five.filter { $0.id != "p3" }
        h.poll(five, at: F.t0)
        h.poll(without, at: F.at(minutes: 10), unprobeable: ["p3"])
        let deleted = try #require(h.poll(without, at: F.at(minutes: 30), unprobeable: ["p3"]).first)
        var back = five
        back[0] = F.post("p1", minutes: -60, text: "p1, edited")
        h.poll(back, at: F.at(minutes: 40), unprobeable: ["p3"])
        h.poll(back, at: F.at(minutes: 50), unprobeable: ["p3"])
        let restored = try #require(h.poll(back, at: F.at(minutes: 60), unprobeable: ["p3"]).first)
        return (deleted, restored)
    }

    @Test func tailAndTheDigestShowTheObservedGoneForInterval() throws {
        let (deleted, restored) = try Self.deletedAndRestored()
        #expect(restored.event == .restored)
        // At least from the first poll that missed it (10) to the last that still did (30); at most
        // from the last poll that saw it (0) to the first that listed it again (40).
        #expect(restored.goneFor == SecondsInterval(minSeconds: 1_200, maxSeconds: 2_400))
        #expect(restored.lastSeen == F.t0)
        #expect(restored.firstMissing == F.at(minutes: 10))

        let line = EventLineFormatter(timeZone: TimeZone(identifier: "UTC")!).format(restored)
        #expect(line.contains("restored (listing)  Alice  post p3  gone 20m–40m"))

        let builder = DigestBuilder(
            week: ISOWeek("2026-W23")!, timeZone: TimeZone(identifier: "UTC")!, accounts: [F.account],
            now: F.at(minutes: 7 * 24 * 60), generatedAt: nil)
        let digest = builder.build(logs: [DigestLogInput(label: "deletions.jsonl", events: [deleted, restored])])
        let markdown = MarkdownDigestRenderer(digest: digest).render()
        #expect(markdown.contains("**Post `p3`**: visible again after being gone 20m–40m"))
        #expect(
            markdown.contains(
                "- Gone: vanished between 2026-06-01 00:00:00 +00:00, the last poll that saw it, and "
                    + "2026-06-01 00:10:00 +00:00, the first that missed it; listed again by 2026-06-01 01:00:00 +00:00"
            ))
        let html = HTMLDigestRenderer(digest: digest).render()
        #expect(
            html.contains(
                "<dt>Gone</dt><dd>vanished between <time datetime=\"2026-06-01T00:00:00Z\">2026-06-01 00:00:00 +00:00"
                    + "</time>, the last poll that saw it"))
        #expect(String(decoding: EventsCSV.render(digest), as: UTF8.self).contains(",1200,2400,"))
    }
}
