import Foundation
import PalimpsestReplay
import PalimpsestTestSupport

@testable import PalimpsestCore

/// Small RSS 2.0 feeds written for integration tests, with item dates relative to
/// ``IntegrationHarness/time(_:)``.
enum TestFeed {
    /// One `<item>`: `guid` (none when `nil`), `title`, `description`, `pubDate` at `minutes`
    /// from the harness's base time, and `link` (none when `nil`).
    static func item(guid: String?, title: String, text: String, minutes: Int, link: String? = nil) -> String {
        let date = HTTPDate.string(from: IntegrationHarness.time(minutes))
        return "<item>" + (guid.map { "<guid isPermaLink=\"false\">\($0)</guid>" } ?? "")
            + "<title>\(title)</title>" + (link.map { "<link>\($0)</link>" } ?? "")
            + "<description>\(text)</description><pubDate>\(date)</pubDate></item>"
    }

    /// A feed of `items` in the given order.
    static func rss(_ items: [String]) -> Data {
        Data(
            ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Test feed</title>"
                + "<link>http://example.org/</link><description>x</description>" + items.joined()
                + "</channel></rss>").utf8)
    }

    /// The feed as a 200 answer.
    static func answer(_ items: [String]) -> ReplayResponse {
        ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: Self.rss(items))
    }
}
