import Foundation
import PalimpsestCore

/// The content of the benchmark's synthetic posts: as ``Post`` values for the in-memory
/// detection benchmark, and as an RSS 2.0 document for the loopback server.
///
/// A post's link decides how its deletion is confirmed, as in real feeds: posts with an even
/// number link under the feed's own URL, so ``FeedAdapter`` probes them (the replay server answers
/// 404 for them, a tombstone); posts with an odd number link to `localhost`, another host, so
/// only their absence over `confirm_polls` snapshots confirms them. No request is ever sent there.
struct SyntheticFeed {
    /// The account's index.
    let account: Int
    /// The feed's URL; even-numbered posts link below it.
    let feedURL: URL

    /// About 250 characters of text, the length of a typical short post.
    private static let filler =
        "The ministry announced today that the regional programme will continue as planned. "
        + "Officials said the figures published last week were preliminary and would be revised. "
        + "Further details will follow at the press conference on Thursday afternoon."

    /// The post's stable ID (`guid`).
    func guid(_ post: SyntheticPost) -> String {
        "bench-\(self.account)-\(post.number)"
    }

    /// The post's permalink: below the feed URL for even numbers, on `localhost` for odd ones.
    func link(_ post: SyntheticPost) -> String {
        if post.number.isMultiple(of: 2) {
            return self.feedURL.deletingLastPathComponent().appendingPathComponent("posts/\(post.number)")
                .absoluteString
        }
        return "http://localhost/bench/\(self.account)/posts/\(post.number)"
    }

    /// The post's plain text; it changes with each revision.
    func text(_ post: SyntheticPost) -> String {
        "Statement \(post.number), revision \(post.revision). \(Self.filler)"
    }

    /// The post's HTML, as a feed's `description` carries it.
    func html(_ post: SyntheticPost) -> String {
        let link = self.link(post)
        return "<p>\(self.text(post))</p><p><a href=\"\(link)\">\(link)</a></p>"
    }

    /// The post as an adapter would build it from the feed.
    func post(_ post: SyntheticPost) -> Post {
        let link = self.link(post)
        return Post(
            id: self.guid(post), url: link, postedAt: post.postedAt, text: self.text(post) + " " + link,
            html: self.html(post), title: "Statement \(post.number)", links: [link])
    }

    /// The RSS 2.0 document listing `posts`, newest first, with RFC 822 `pubDate`s in GMT.
    func rss(_ posts: [SyntheticPost]) -> Data {
        let dates = DateFormatter()
        dates.locale = Locale(identifier: "en_US_POSIX")
        dates.timeZone = TimeZone(identifier: "GMT")
        dates.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0">
            <channel>
            <title>Benchmark account \(self.account)</title>
            <link>\(self.feedURL.absoluteString)</link>
            <description>Synthetic timeline of palimpsest-bench</description>

            """
        for post in posts {
            xml += """
                <item>
                <title>Statement \(post.number)</title>
                <description><![CDATA[\(self.html(post))]]></description>
                <pubDate>\(dates.string(from: post.postedAt))</pubDate>
                <guid isPermaLink="false">\(self.guid(post))</guid>
                <link>\(self.link(post))</link>
                </item>

                """
        }
        xml += "</channel>\n</rss>\n"
        return Data(xml.utf8)
    }
}
