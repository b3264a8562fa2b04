import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// Parser behaviour on small hand-written documents: ID choice, link resolution, content and
/// media extraction, empty feeds and failures.
@Suite struct FeedParserTests {
    static let feedURL = URL(string: "https://blog.example.org/feeds/all.xml")!

    static func parse(_ text: String, contentType: String? = nil) throws(FeedParseError) -> ParsedFeed {
        try FeedParser.parse(Data(text.utf8), feedURL: Self.feedURL, contentType: contentType)
    }

    static func rss(items: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
             xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/">
        <channel><title>Example</title><link>https://blog.example.org/</link>
        \(items)
        </channel></rss>
        """
    }

    // MARK: - The feed's own date

    @Test func feedDateIsRSSLastBuildDateOrAtomUpdatedAndAbsentForJSONFeed() throws {
        let rss = try Self.parse(
            """
            <rss version="2.0"><channel><title>T</title><lastBuildDate> Sat, 05 Dec 2026 08:00:00 GMT </lastBuildDate>
            <pubDate>Fri, 04 Dec 2026 08:00:00 GMT</pubDate><item><guid>1</guid></item></channel></rss>
            """)
        #expect(rss.updatedAt == RFC3339.date(from: "2026-12-05T08:00:00Z"))
        let atom = try Self.parse(
            """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:f</id>
            <updated>2026-12-05T09:30:00+01:00</updated>
            <entry><id>urn:e</id><title>E</title><updated>2026-12-01T00:00:00Z</updated></entry></feed>
            """)
        #expect(atom.updatedAt == RFC3339.date(from: "2026-12-05T08:30:00Z"), "the feed's, not an entry's")
        let noDate = try Self.parse(Self.rss(items: "<item><guid>1</guid></item>"))
        #expect(noDate.updatedAt == nil)
        let json = try Self.parse(
            #"{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [{"id": "1"}]}"#,
            contentType: "application/feed+json")
        #expect(json.updatedAt == nil)
    }

    // MARK: - IDs

    @Test func rssIDIsTheGuidThenTheLinkThenTheDocumentedHash() throws {
        let feed = try Self.parse(
            Self.rss(
                items: """
                    <item><guid isPermaLink="false">urn:post:1</guid><link>https://blog.example.org/1</link><title>One</title></item>
                    <item><guid>   </guid><link> https://blog.example.org/2 </link><title>Two</title></item>
                    <item><title>Hello</title><pubDate>Thu, 18 May 2023 11:56:00 GMT</pubDate>
                      <description><![CDATA[<p>World</p>]]></description></item>
                    """))
        #expect(
            feed.items.map(\.id) == [
                "urn:post:1", "https://blog.example.org/2",
                // sha256("Hello\nThu, 18 May 2023 11:56:00 GMT\n<p>World</p>"), computed with sha256sum.
                "sha256:c69ae6e30ea0019d1c61a371452e591c39efcd5d6d01818edc9a1fed9480c72d",
            ])
        #expect(feed.items.map(\.idSource) == [.guid, .link, .fallback])
        #expect(feed.items[2].url == nil)
        #expect(feed.items[2].text == "World")
    }

    @Test func fallbackIDHashesTitleDateAndContentJoinedByLineFeeds() {
        #expect(
            FeedItem.fallbackID(title: " Untitled ", date: nil, content: "Some text\n")
                == "sha256:e42fcdc865df9c9bbd69e6c77067fb79d86a122a17e44e7adf023c9c744f7e90")
    }

    @Test func atomIDIsTheIDThenTheAlternateLink() throws {
        let feed = try Self.parse(
            """
            <feed xmlns="http://www.w3.org/2005/Atom"><title type="html">A &amp;lt;b&amp;gt;feed</title>
            <entry><id>urn:uuid:1</id><link rel="self" href="/self/1"/><link href="/posts/1"/>
              <title>One</title><updated>2023-05-18T11:56:00Z</updated></entry>
            <entry><link rel="edit" href="/edit/2"/><link rel="alternate" type="application/json" href="/posts/2.json"/>
              <link rel="alternate" type="text/html" href="/posts/2"/><title>Two</title></entry>
            </feed>
            """)
        #expect(feed.title == "A <b>feed")
        #expect(feed.items.map(\.id) == ["urn:uuid:1", "/posts/2"])
        #expect(feed.items.map(\.idSource) == [.id, .link])
        #expect(feed.items.map(\.url) == ["https://blog.example.org/posts/1", "https://blog.example.org/posts/2"])
    }

    @Test func jsonFeedIDsAreCoercedToStringsAndFallBackToTheURL() throws {
        let feed = try Self.parse(
            """
            {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [
              {"id": 12345, "content_text": "number id"},
              {"id": "", "url": "posts/2", "content_text": "empty id"},
              {"url": "https://elsewhere.example/3", "external_url": "https://linked.example/story",
               "content_html": "<p>see <a href='/local'>this</a><img src='img/a.png'></p>",
               "banner_image": "https://cdn.example/banner.jpg",
               "attachments": [{"url": "https://cdn.example/a.mp3", "mime_type": "audio/mpeg"}]}
            ]}
            """)
        #expect(feed.items.map(\.id) == ["12345", "posts/2", "https://elsewhere.example/3"])
        #expect(feed.items.map(\.idSource) == [.id, .link, .link])
        #expect(feed.items[1].url == "https://blog.example.org/feeds/posts/2")
        let third = feed.items[2]
        #expect(third.text == "see this")
        // Relative targets in the HTML resolve against the item's own URL.
        #expect(third.links == ["https://linked.example/story", "https://elsewhere.example/local"])
        #expect(
            third.media == [
                "https://cdn.example/banner.jpg", "https://cdn.example/a.mp3", "https://elsewhere.example/img/a.png",
            ])
    }

    // MARK: - Links, content and media

    @Test func relativeLinksResolveAgainstTheFeedURL() throws {
        let feed = try Self.parse(
            Self.rss(
                items: """
                    <item><guid>a</guid><link>/2023/05/post.html</link></item>
                    <item><guid>b</guid><link>post-b.html</link></item>
                    <item><guid>c</guid><link>//cdn.example.org/c</link></item>
                    <item><guid>d</guid><link>https://other.example/d</link></item>
                    """))
        #expect(
            feed.items.map(\.url) == [
                "https://blog.example.org/2023/05/post.html", "https://blog.example.org/feeds/post-b.html",
                "https://cdn.example.org/c", "https://other.example/d",
            ])
    }

    @Test func rssPrefersContentEncodedAndCollectsEveryMediaKind() throws {
        let feed = try Self.parse(
            Self.rss(
                items: """
                    <item><guid>m</guid><link>https://blog.example.org/m</link>
                      <description>short summary</description>
                      <content:encoded><![CDATA[<p>Full &amp; long <a href="https://x.example/">text</a></p><img src="/i/inline.png">]]></content:encoded>
                      <enclosure url="https://blog.example.org/audio.mp3" length="1" type="audio/mpeg"/>
                      <media:group><media:content url="https://blog.example.org/video.mp4"/>
                        <media:thumbnail url="https://blog.example.org/thumb.jpg"/></media:group>
                      <media:thumbnail url="https://blog.example.org/audio.mp3"/>
                      <dc:date>2023-05-18T19:56:00+08:00</dc:date>
                    </item>
                    """))
        let item = try #require(feed.items.first)
        #expect(item.text == "Full & long text")
        #expect(
            item.html == "<p>Full &amp; long <a href=\"https://x.example/\">text</a></p><img src=\"/i/inline.png\">")
        #expect(item.links == ["https://x.example/"])
        #expect(
            item.media == [
                "https://blog.example.org/audio.mp3", "https://blog.example.org/video.mp4",
                "https://blog.example.org/thumb.jpg", "https://blog.example.org/i/inline.png",
            ])
        #expect(item.publishedAt == FeedFixtures.utc("2023-05-18T11:56:00Z"))
    }

    @Test func atomXHTMLContentIsSerializedAndReduced() throws {
        let feed = try Self.parse(
            """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>X</title>
            <entry><id>x1</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Big <b>news</b></div></title>
              <published>2023-05-18T11:56:00Z</published><updated>2023-05-18T11:56:00Z</updated>
              <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One &amp; <a href="https://a.example/">two</a></p><p>three</p></div></content>
              <link rel="enclosure" href="https://blog.example.org/file.pdf"/>
            </entry></feed>
            """)
        let item = try #require(feed.items.first)
        #expect(item.title == "Big news")
        #expect(item.html == "<p>One &amp; <a href=\"https://a.example/\">two</a></p><p>three</p>")
        #expect(item.text == "One & two\n\nthree")
        #expect(item.links == ["https://a.example/"])
        #expect(item.media == ["https://blog.example.org/file.pdf"])
        // `updated` equal to `published` is no edit.
        #expect(item.editedAt == nil)
    }

    @Test func atomSummaryIsUsedWithoutContent() throws {
        let feed = try Self.parse(
            """
            <feed xmlns="http://www.w3.org/2005/Atom"><entry><id>s</id>
            <summary type="html">&lt;p&gt;Only a summary&lt;/p&gt;</summary>
            <published>2023-05-18T11:56:00Z</published><updated>2023-05-19T08:00:00+02:00</updated></entry></feed>
            """)
        let item = try #require(feed.items.first)
        #expect(item.text == "Only a summary")
        #expect(item.editedAt == FeedFixtures.utc("2023-05-19T06:00:00Z"))
    }

    @Test func rss10RDFItemsAreRead() throws {
        let feed = try Self.parse(
            """
            <?xml version="1.0"?>
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
                     xmlns:dc="http://purl.org/dc/elements/1.1/">
              <channel rdf:about="https://blog.example.org/"><title>RDF feed</title></channel>
              <item rdf:about="https://blog.example.org/r1"><title>R1</title><link>https://blog.example.org/r1</link>
                <description>First</description><dc:date>2023-05-18T11:56:00+09:00</dc:date></item>
            </rdf:RDF>
            """)
        #expect(feed.format == .rdf)
        #expect(feed.title == "RDF feed")
        let item = try #require(feed.items.first)
        #expect(item.id == "https://blog.example.org/r1")
        #expect(item.idSource == .about)
        #expect(item.text == "First")
        #expect(item.publishedAt == FeedFixtures.utc("2023-05-18T02:56:00Z"))
    }

    @Test func undeclaredHTMLEntitiesAndBareAmpersandsAreRepaired() throws {
        let feed = try Self.parse(
            Self.rss(
                items: "<item><guid>e</guid><title>Tom&nbsp;&amp; Jerry & friends &eacute;t&eacute;</title></item>"))
        #expect(feed.items.first?.title == "Tom\u{00A0}& Jerry & friends été")
    }

    @Test func aUTF8ByteOrderMarkIsSkipped() throws {
        var data = Data([0xEF, 0xBB, 0xBF])
        data.append(Data(Self.rss(items: "<item><guid>bom</guid><title>Ünïcode</title></item>").utf8))
        let feed = try FeedParser.parse(data, feedURL: Self.feedURL)
        #expect(feed.items.first?.title == "Ünïcode")

        var json = Data([0xEF, 0xBB, 0xBF])
        json.append(Data(#"{"version":"https://jsonfeed.org/version/1","items":[{"id":"1","content_text":"x"}]}"#.utf8))
        #expect(try FeedParser.parse(json, feedURL: Self.feedURL).items.count == 1)
    }

    @Test func sniffsTheFormatFromTheContentNotTheContentType() throws {
        let atom = #"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id></entry></feed>"#
        #expect(try Self.parse(atom, contentType: "text/html; charset=utf-8").format == .atom)
        let json = #"{"version":"https://jsonfeed.org/version/1.1","items":[]}"#
        #expect(try Self.parse(json, contentType: "application/rss+xml").format == .jsonFeed)
    }

    // MARK: - Empty feeds are valid

    @Test func feedsWithNoItemsAreValidAndEmpty() throws {
        #expect(try Self.parse(Self.rss(items: "")).items.isEmpty)
        #expect(try Self.parse(#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>"#).items.isEmpty)
        #expect(try Self.parse(#"{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[]}"#).items.isEmpty)
    }

    // MARK: - Failures

    @Test(arguments: [
        ("", FeedParseError.Kind.empty),
        ("  \n\t ", .empty),
        (
            "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>",
            .htmlPage
        ),
        ("\n<html lang=\"en\"><body><p>Log in to continue</p></body></html>", .htmlPage),
        ("<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>", .htmlPage),
        ("<!-- cached --><HTML><BODY>Error 500", .htmlPage),
        ("<head><title>x</title></head><body><div>not closed</body>", .htmlPage),
        ("\u{01}\u{02}garbage bytes", .unknownFormat),
        ("Service temporarily unavailable", .unknownFormat),
        ("<?xml version=\"1.0\"?><opml version=\"2.0\"><body/></opml>", .unknownFormat),
        ("{\"error\":\"Record not found\"}", .unknownFormat),
        ("[1, 2, 3]", .unknownFormat),
        ("{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [", .malformedJSON),
        (
            "{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [{\"id\": \"1\", \"title\": 5}]}",
            .malformedJSON
        ),
        ("<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><item><title>cut", .malformedXML),
        ("<?xml version=\"1.0\" encoding=\"x-no-such-charset\"?><rss/>", .unsupportedEncoding),
    ])
    func unusableBodiesAreFailuresOfTheirKind(body: String, kind: FeedParseError.Kind) {
        let error = #expect(throws: FeedParseError.self) { try Self.parse(body) }
        #expect(error?.kind == kind, "\(error.map(String.init(describing:)) ?? "no error")")
    }

    @Test func malformedXMLNamesTheFormatAndTheLine() throws {
        let body =
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\">\n<channel>\n<item><title>a</title></item>\n<item><title>b</titel></item>\n</channel></rss>"
        do {
            _ = try Self.parse(body)
            Issue.record("a broken feed parsed")
        } catch {
            #expect(error.kind == .malformedXML)
            #expect(error.format == .rss)
            #expect(error.line == 5)
            #expect(error.description.hasPrefix("malformed_xml (RSS, line 5"))
            #expect(error.message.contains("not well-formed"))
            #expect(error.message.contains("an end tag that does not match its start tag"), "\(error.message)")
        }
    }

    @Test(arguments: [2, 3, 5, 7, 11])
    func feedCutShortSaysItIsTruncated(fraction: Int) throws {
        let items = (0..<6).map {
            "<item><guid>id-\($0)</guid><title>Title \($0)</title><description>&lt;p&gt;Text \($0)&lt;/p&gt;</description>"
                + "<pubDate>Thu, 18 May 2023 11:5\($0):00 GMT</pubDate></item>"
        }
        let whole =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>T</title>"
            + items.joined() + "</channel></rss>"
        let cut = String(whole.prefix(whole.utf8.count * (fraction - 1) / fraction))
        let error = #expect(throws: FeedParseError.self) { try Self.parse(cut) }
        #expect(error?.kind == .malformedXML)
        #expect(error?.message.contains("is incomplete") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("truncated") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("after the end of the document") == false, "\(error?.message ?? "")")
    }

    @Test func brokenFeedThatIsNotCutShortIsNotCalledTruncated() throws {
        let body =
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><title>a</titel></item></channel></rss>"
        let error = #expect(throws: FeedParseError.self) { try Self.parse(body) }
        #expect(error?.message.contains("is incomplete") == false, "\(error?.message ?? "")")
        #expect(error?.message.contains("an end tag that does not match its start tag") == true)
    }

    @Test func htmlFailureSaysWhatTheServerSent() throws {
        do {
            _ = try Self.parse(
                "<!doctype html><html><body>Sign in</body></html>", contentType: "text/html; charset=utf-8")
            Issue.record("an HTML page parsed as a feed")
        } catch {
            #expect(error.kind == .htmlPage)
            #expect(error.message.contains("HTML page (served as text/html; charset=utf-8)"))
        }
    }
}

extension FeedParserTests {
    @Test func longLeadingWhitespaceIsNotAnEmptyBody() throws {
        let body = String(repeating: "\n", count: 5000) + Self.rss(items: "<item><guid>w</guid></item>")
        #expect(try Self.parse(body).items.map(\.id) == ["w"])
    }
}
