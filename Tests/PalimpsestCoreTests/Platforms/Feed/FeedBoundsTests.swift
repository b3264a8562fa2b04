import Foundation
import Testing

@testable import PalimpsestCore

/// The bounds the feed parsers keep against hostile bodies (issue 8, items 9 and 10): nesting
/// depth, the items read, and the JSON depth check on the bytes.
@Suite struct FeedBoundsTests {
    static let feedURL = URL(string: "https://news.example.org/feed.xml")!

    static func nested(_ depth: Int) -> Data {
        // The root and the channel are two levels, the item a third.
        let inner = depth - 3
        return Data(
            ("<rss version=\"2.0\"><channel><item><guid>1</guid>" + String(repeating: "<x>", count: inner) + "deep"
                + String(repeating: "</x>", count: inner) + "</item></channel></rss>").utf8)
    }

    @Test func xmlNestedToTheCapIsReadAndOneLevelMoreIsTooDeep() throws {
        let feed = try FeedParser.parse(Self.nested(XMLTree.maximumDepth), feedURL: Self.feedURL)
        #expect(feed.items.map(\.id) == ["1"])
        let error = #expect(throws: FeedParseError.self) {
            try FeedParser.parse(Self.nested(XMLTree.maximumDepth + 1), feedURL: Self.feedURL)
        }
        #expect(error?.kind == .tooDeep)
        #expect(error?.format == .rss)
        #expect(error?.message.contains("nest deeper than 256 levels") == true, "\(String(describing: error))")
    }

    @Test func jsonFeedNestedDeeperThanTheCapIsTooDeep() throws {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        let body = #"{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","x":"# + deep + "}]}"
        let error = #expect(throws: FeedParseError.self) {
            try FeedParser.parse(Data(body.utf8), feedURL: Self.feedURL)
        }
        #expect(error?.kind == .tooDeep)
        // Brackets inside strings are text, not nesting.
        let quoted = #"{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"\#(deep) \"[["}]}"#
        #expect(try FeedParser.parse(Data(quoted.utf8), feedURL: Self.feedURL).items.count == 1)
    }

    @Test func theTextAndMarkupOfTheDeepestTreeAreReadWithoutRecursion() throws {
        let depth = XMLTree.maximumDepth
        let inner = String(repeating: "<b k=\"v\">t", count: depth - 1) + String(repeating: "</b>", count: depth - 1)
        let tree = try XMLTree.parse(Data(("<a>" + inner + "<c/></a>").utf8))
        #expect(tree.root.text == String(repeating: "t", count: depth - 1))
        #expect(tree.root.innerXML == inner + "<c/>")
    }

    @Test func anItemLimitReadsTheFirstAndTheLastItemsAndCountsTheOthers() throws {
        func rss(_ count: Int) -> Data {
            Data(
                ("<rss version=\"2.0\"><channel><title>t</title>"
                    + (1...count).map {
                        "<item><guid>\($0)</guid><description>&lt;b&gt;\($0)&lt;/b&gt;</description></item>"
                    }.joined() + "<link>https://news.example.org/</link></channel></rss>").utf8)
        }
        let feed = try FeedParser.parse(rss(10), feedURL: Self.feedURL, itemLimit: 3)
        #expect(feed.items.map(\.id) == ["1", "2", "3", "8", "9", "10"])
        #expect(feed.items.map(\.text) == ["1", "2", "3", "8", "9", "10"])
        #expect(feed.omittedItems == 4)
        let few = try FeedParser.parse(rss(5), feedURL: Self.feedURL, itemLimit: 3)
        #expect(few.items.map(\.id) == ["1", "2", "3", "4", "5"])
        #expect(few.omittedItems == 0)

        let json =
            #"{"version":"https://jsonfeed.org/version/1.1","items":["#
            + (1...10).map { #"{"id":"\#($0)","content_text":"\#($0)"}"# }.joined(separator: ",") + "]}"
        let jsonFeed = try FeedParser.parse(Data(json.utf8), feedURL: Self.feedURL, itemLimit: 3)
        #expect(jsonFeed.items.map(\.id) == ["1", "2", "3", "8", "9", "10"])
        #expect(jsonFeed.omittedItems == 4)
    }

    @Test func keepingNewestTakesPinnedPostsThenTheNewestEndOfEitherOrder() {
        let base = Date(timeIntervalSince1970: 1_785_585_600)
        let newestFirst = (0..<6).map {
            Post(id: "p\($0)", postedAt: base.addingTimeInterval(-Double($0) * 60), text: "")
        }
        let pinned = Post(id: "pin", postedAt: base.addingTimeInterval(-86_400), text: "", isPinned: true)
        #expect(TimelineWindow.keepingNewest([pinned] + newestFirst, limit: 3).map(\.id) == ["pin", "p0", "p1"])
        #expect(TimelineWindow.keepingNewest(newestFirst.reversed(), limit: 3).map(\.id) == ["p2", "p1", "p0"])
        #expect(TimelineWindow.keepingNewest(newestFirst, limit: 10).map(\.id) == newestFirst.map(\.id))
        let kept = TimelineWindow.keepingNewest(newestFirst, limit: 3)
        #expect(TimelineWindow(posts: kept).floor == base.addingTimeInterval(-120))
    }

    @Test func anEventTextIsCutOnACharacterBoundaryAndMarked() {
        var event = Event(
            id: "x", detectedAt: Date(), event: .altered, platform: .feed,
            account: AccountKey(platform: .feed, identifier: "u"))
        let family = "👨‍👩‍👧"  // one grapheme of 18 bytes
        event.text = String(repeating: "a", count: 10) + family + "tail"
        event.previousText = "short"
        event.detail = "changed: text"
        let capped = event.cappingText(toBytes: 20)
        #expect(capped.text == String(repeating: "a", count: 10))
        #expect(capped.previousText == "short")
        #expect(capped.textTruncated == true)
        #expect(event.cappingText(toBytes: 1_000).textTruncated == nil)
        #expect(event.cappingText(toBytes: 1_000) == event)
    }
}
