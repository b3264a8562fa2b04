import Foundation
import Testing

@testable import PalimpsestCore

/// The encoding layer of feed text is not content (issue 8, item 3): the forms a generator may
/// write one description or one title in read as the same post, while a change of words is still
/// a change.
@Suite struct FeedEncodingLayerTests {
    static let feedURL = URL(string: "https://news.example.org/feed.xml")!

    static func post(description: String, title: String = "Title") throws -> Post {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>News</title>
            <item><guid>https://news.example.org/1</guid><link>https://news.example.org/1</link>
            <title>\(title)</title><pubDate>Thu, 18 May 2023 11:56:00 GMT</pubDate>
            <description>\(description)</description></item>
            </channel></rss>
            """
        let feed = try FeedParser.parse(Data(body.utf8), feedURL: Self.feedURL)
        return try #require(feed.posts.first)
    }

    /// The same description as escaped HTML, as a CDATA section, and as a CDATA section escaped
    /// once more (`&lt;![CDATA[&lt;p&gt;…]]&gt;`), with an image and a link in it.
    static let plain =
        "&lt;p&gt;Floods in &lt;a href=\"https://example.org/a\"&gt;the north&lt;/a&gt; &amp;amp; south&lt;/p&gt;"
        + "&lt;img src=\"https://img.example.org/1.jpg\"&gt;"
    static let cdata =
        "<![CDATA[<p>Floods in <a href=\"https://example.org/a\">the north</a> &amp; south</p>"
        + "<img src=\"https://img.example.org/1.jpg\">]]>"
    static let escapedCDATA =
        "&lt;![CDATA[&lt;p&gt;Floods in &lt;a href=\"https://example.org/a\"&gt;the north&lt;/a&gt; &amp;amp; south"
        + "&lt;/p&gt;&lt;img src=\"https://img.example.org/1.jpg\"&gt;]]&gt;"

    @Test func anEscapedCDATADescriptionReadsAsThePlainFormAndRealEditsStillShow() throws {
        let plain = try Self.post(description: Self.plain)
        #expect(plain.text == "Floods in the north & south")
        #expect(plain.media == ["https://img.example.org/1.jpg"])
        #expect(plain.links == ["https://example.org/a"])
        for form in [Self.cdata, Self.escapedCDATA] {
            let other = try Self.post(description: form)
            #expect(other.text == plain.text, "\(form)")
            #expect(other.media == plain.media, "\(form)")
            #expect(other.links == plain.links, "\(form)")
            #expect(other.versionHash == plain.versionHash, "\(form)")
        }
        // Words changed inside the escaped CDATA form are an edit.
        let edited = try Self.post(description: Self.escapedCDATA.replacingOccurrences(of: "north", with: "east"))
        #expect(edited.text == "Floods in the east & south")
        #expect(edited.versionHash != plain.versionHash)
        // A post that shows CDATA markup as text (escaped inside the HTML) keeps it as text.
        let shown = try Self.post(description: "&lt;p&gt;write &amp;lt;![CDATA[x]]&amp;gt; in XML&lt;/p&gt;")
        #expect(shown.text == "write <![CDATA[x]]> in XML")
    }

    @Test func aTitleWhoseCDATAHoldsCharacterReferencesReadsAsThePlainTitle() throws {
        let plain = try Self.post(description: "x", title: "AT&amp;T &amp; Verizon &#8217;24")
        #expect(plain.title == "AT&T & Verizon \u{2019}24")
        for form in [
            "<![CDATA[AT&amp;T &amp; Verizon &#8217;24]]>", "<![CDATA[AT&T & Verizon ’24]]>",
            "&lt;![CDATA[AT&amp;amp;T &amp;amp; Verizon &amp;#8217;24]]&gt;",
        ] {
            let other = try Self.post(description: "x", title: form)
            #expect(other.title == plain.title, "\(form)")
            #expect(other.versionHash == plain.versionHash, "\(form)")
        }
        let edited = try Self.post(description: "x", title: "<![CDATA[AT&amp;T &amp; Sprint &#8217;24]]>")
        #expect(edited.title == "AT&T & Sprint \u{2019}24")
        #expect(edited.versionHash != plain.versionHash)
    }

    @Test func anAtomHTMLContentInEscapedCDATAReadsAsThePlainForm() throws {
        func entry(_ content: String, title: String) throws -> Post {
            let body = """
                <?xml version="1.0" encoding="utf-8"?>
                <feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>
                <entry><id>urn:1</id><title>\(title)</title><updated>2023-05-18T11:56:00Z</updated>
                <content type="html">\(content)</content></entry></feed>
                """
            return try #require(try FeedParser.parse(Data(body.utf8), feedURL: Self.feedURL).posts.first)
        }
        let plain = try entry("&lt;p&gt;Hello &amp;amp; bye&lt;/p&gt;", title: "Q&amp;A")
        let escaped = try entry(
            "&lt;![CDATA[&lt;p&gt;Hello &amp;amp; bye&lt;/p&gt;]]&gt;", title: "<![CDATA[Q&amp;A]]>")
        #expect(plain.text == "Hello & bye")
        #expect(plain.title == "Q&A")
        #expect(escaped.text == plain.text)
        #expect(escaped.title == plain.title)
        #expect(escaped.versionHash == plain.versionHash)
    }
}
