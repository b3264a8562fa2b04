import Foundation
import Testing

@testable import PalimpsestCore

/// The libxml2 SAX2 feed reader against FoundationXML's `XMLParser`, the reader before issue 9:
/// every recorded feed, a set of synthetic feeds that exercise each corner of RSS, RDF and Atom,
/// and thousands of mutated copies of them must give the same feed (format, title, items field by
/// field, version hashes) or the same failure (kind, message, line, column).
@Suite struct FeedXMLDifferentialTests {
    static let feedURL = URL(string: "https://news.example.org/feeds/all.xml")!

    /// The outcome of one read, comparable field by field.
    enum Outcome: Equatable {
        case feed(ParsedFeed)
        case failure(FeedParseError)
    }

    static func read(
        _ body: Data, contentType: String? = nil, itemLimit: Int? = nil, with reader: FeedParser.XMLReader
    ) -> Outcome {
        do {
            return .feed(
                try FeedParser.parse(
                    body, feedURL: Self.feedURL, contentType: contentType, itemLimit: itemLimit, xmlReader: reader))
        } catch {
            return .failure(error)
        }
    }

    /// Expects both readers to give the same outcome, comparing field by field for a readable
    /// failure.
    /// - Returns: whether the body read as a feed.
    @discardableResult
    static func expectSame(
        _ body: Data, contentType: String? = nil, itemLimit: Int? = nil, _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        let new = Self.read(body, contentType: contentType, itemLimit: itemLimit, with: .libxml2)
        let old = Self.read(body, contentType: contentType, itemLimit: itemLimit, with: .foundationXML)
        switch (new, old) {
        case (.feed(let new), .feed(let old)):
            #expect(new.format == old.format, "\(label)", sourceLocation: sourceLocation)
            #expect(new.version == old.version, "\(label)", sourceLocation: sourceLocation)
            #expect(new.title == old.title, "\(label)", sourceLocation: sourceLocation)
            #expect(new.omittedItems == old.omittedItems, "\(label)", sourceLocation: sourceLocation)
            #expect(new.items.count == old.items.count, "\(label)", sourceLocation: sourceLocation)
            for (index, (a, b)) in zip(new.items, old.items).enumerated() {
                let where_ = "\(label), item \(index)"
                #expect(a.id == b.id, "\(where_)", sourceLocation: sourceLocation)
                #expect(a.idSource == b.idSource, "\(where_)", sourceLocation: sourceLocation)
                #expect(a.url == b.url, "\(where_)", sourceLocation: sourceLocation)
                #expect(a.title == b.title, "\(where_)", sourceLocation: sourceLocation)
                #expect(a.publishedAt == b.publishedAt, "\(where_)", sourceLocation: sourceLocation)
                #expect(a.updatedAt == b.updatedAt, "\(where_)", sourceLocation: sourceLocation)
                #expect(a.html == b.html, "\(where_)", sourceLocation: sourceLocation)
                #expect(a.text == b.text, "\(where_)", sourceLocation: sourceLocation)
                #expect(a.media == b.media, "\(where_)", sourceLocation: sourceLocation)
                #expect(a.links == b.links, "\(where_)", sourceLocation: sourceLocation)
                #expect(a.post.versionHash == b.post.versionHash, "\(where_)", sourceLocation: sourceLocation)
            }
            #expect(new == old, "\(label)", sourceLocation: sourceLocation)
            return true
        case (.failure(let new), .failure(let old)):
            #expect(new.kind == old.kind, "\(label)", sourceLocation: sourceLocation)
            #expect(new.format == old.format, "\(label)", sourceLocation: sourceLocation)
            #expect(new.message == old.message, "\(label)", sourceLocation: sourceLocation)
            #expect(new.line == old.line, "\(label)", sourceLocation: sourceLocation)
            #expect(new.column == old.column, "\(label)", sourceLocation: sourceLocation)
        default:
            Issue.record("\(label): libxml2 gave \(new), FoundationXML gave \(old)", sourceLocation: sourceLocation)
        }
        return false
    }

    @Test func everyRecordedFeedReadsTheSame() throws {
        for name in FeedFixtures.allNames {
            let body = try FeedFixtures.data(name)
            Self.expectSame(body, name)
            Self.expectSame(body, itemLimit: 3, "\(name), 3 items")
            Self.expectSame(body, itemLimit: 0, "\(name), 0 items")
            Self.expectSame(body, contentType: "text/xml; charset=ISO-8859-1", "\(name), served as Latin-1")
        }
    }

    @Test(arguments: Self.synthetic.indices)
    func syntheticFeedReadsTheSame(index: Int) {
        let (label, text) = Self.synthetic[index]
        Self.expectSame(Data(text.utf8), label)
        Self.expectSame(Data(text.utf8), itemLimit: 1, "\(label), 1 item")
    }

    @Test func legacyEncodedFeedsReadTheSame() {
        for (label, bytes) in Self.encoded {
            Self.expectSame(Data(bytes), label)
            Self.expectSame(Data(bytes), contentType: "application/rss+xml; charset=gbk", "\(label), served as GBK")
        }
    }

    @Test func mutatedFeedsReadTheSame() throws {
        // Each recorded XML feed and each synthetic one, cut, spliced and sprinkled with markup
        // characters at random places: most copies are broken, some still read.
        var sources = try FeedFixtures.allNames.filter { $0.hasSuffix(".xml") }.map {
            (name: $0, bytes: [UInt8](try FeedFixtures.data($0)))
        }
        sources += Self.synthetic.map { (name: $0.0, bytes: Array($0.1.utf8)) }
        let insertions = [
            "<", ">", "&", "&amp;", "&nbsp;", "&#0;", "&#x110000;", "]]>", "<![CDATA[", "</item>", "<item>", "\"", "'",
            "<x:y>", "</x:y>", "xmlns:x=\"urn:x\" ", "<!-- -->", "\u{0}", "\u{1}", "\r\n", "<?pi x?>", "<!DOCTYPE rss>",
            "é", "中", "\u{FEFF}", "&unknown;", "<entry>", "</entry>", "<a:b xmlns:a=\"http://www.w3.org/2005/Atom\"/>",
        ].map { Array($0.utf8) }
        // Content that keeps a document well-formed when put right after a tag.
        let content = [
            "&amp;", "&lt;b&gt;bold&lt;/b&gt;", "<![CDATA[<p>c &amp; d</p>]]>", "é", "中文", " ", "\n", "&#x4E2D;",
            "&#169;", "<!-- c -->", "&quot;", "text", "<x>y</x>", "<enclosure url=\"https://e.example/a.mp3\"/>",
            "<link>https://l.example/x</link>", "<guid>g</guid>", "&lt;img src=&quot;/i.png&quot;&gt;",
            "&lt;a href='x?a=1&amp;amp;b=2'&gt;a&lt;/a&gt;", "<![CDATA[&lt;![CDATA[x]]&gt;]]>", "<title>t</title>",
            "<description>&lt;p&gt;d&lt;/p&gt;</description>", "<br/>", "\u{A0}", "&#x1F600;",
        ].map { Array($0.utf8) }
        var random = RandomText(seed: 21)
        var readCount = 0
        for round in 0..<3_000 {
            let source = sources[round % sources.count]
            var bytes = source.bytes
            if round.isMultiple(of: 2) {
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let tagEnds = bytes.indices.filter { bytes[$0] == UInt8(ascii: ">") }
                    guard let end = tagEnds.randomElement(using: &random) else { break }
                    bytes.insert(contentsOf: content.randomElement(using: &random)!, at: end + 1)
                }
            }
            for _ in 0..<Int.random(in: 0...3, using: &random) where !bytes.isEmpty && round % 4 != 0 {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes.removeSubrange(position...)
                case 1: bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...40, using: &random)))
                case 2: bytes.insert(contentsOf: insertions.randomElement(using: &random)!, at: position)
                default:
                    let start = Int.random(in: 0..<bytes.count, using: &random)
                    let piece = bytes[start..<min(bytes.count, start + Int.random(in: 1...200, using: &random))]
                    bytes.insert(contentsOf: piece, at: position)
                }
            }
            // FoundationXML's reader crashes the process on a processing instruction without data
            // (`<?pi?>`): such copies are read by the new reader only (see
            // `FeedXMLReaderTests.aProcessingInstructionWithoutDataIsRead`).
            if Self.holdsProcessingInstructionWithoutData(bytes) { continue }
            if Self.expectSame(Data(bytes), itemLimit: round.isMultiple(of: 3) ? 2 : nil, "\(source.name), mutation \(round)") {
                readCount += 1
            }
        }
        // Enough copies still read for their items to be compared, not only their failures.
        #expect(readCount > 600, "\(readCount) of 3,000 copies read")
    }

    /// True when `bytes` hold `<?` followed by a name and `?>` with nothing else (after leading
    /// whitespace the data of a processing instruction is empty).
    static func holdsProcessingInstructionWithoutData(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "<") && bytes[index + 1] == UInt8(ascii: "?") {
                var position = index + 2
                while position < bytes.count, ![0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "?")].contains(bytes[position]) {
                    position += 1
                }
                while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
                if position + 1 < bytes.count && bytes[position] == UInt8(ascii: "?") && bytes[position + 1] == UInt8(ascii: ">") {
                    return true
                }
            }
            index += 1
        }
        return false
    }

    @Test func nestingAtAndBeyondTheCapReadsTheSame() {
        for depth in [250, 255, 256, 257, 300, 2_000] {
            let inner = depth - 3
            let body =
                "<rss version=\"2.0\"><channel><item><guid>1</guid>" + String(repeating: "<x a=\"1\">", count: inner)
                + "deep" + String(repeating: "</x>", count: inner) + "</item></channel></rss>"
            Self.expectSame(Data(body.utf8), "depth \(depth)")
            let atom =
                "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>1</id><content type=\"xhtml\">"
                + String(repeating: "<div>", count: inner) + "t" + String(repeating: "</div>", count: inner)
                + "</content></entry></feed>"
            Self.expectSame(Data(atom.utf8), "atom depth \(depth)")
        }
    }

    // MARK: - Documents

    static let rssHead = """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
             xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/"
             xmlns:atom="http://www.w3.org/2005/Atom">
        <channel><title>Example &amp; Co</title><link>https://news.example.org/</link>
        <atom:link href="https://news.example.org/feeds/all.xml" rel="self" type="application/rss+xml"/>
        """

    static func rss(_ items: String) -> String { Self.rssHead + items + "\n</channel></rss>\n" }

    static let synthetic: [(String, String)] = [
        (
            "rss items of every kind",
            Self.rss(
                """
                <item><guid isPermaLink="false">urn:1</guid><link>https://news.example.org/1</link><title>One &lt;b&gt;</title>
                  <description>&lt;p&gt;Escaped &amp;amp; <![CDATA[ mixed ]]> &lt;a href="/rel?a=1&amp;amp;b=2"&gt;link&lt;/a&gt;&lt;/p&gt;</description>
                  <pubDate>Thu, 18 May 2023 11:56:00 GMT</pubDate></item>
                <item><guid>  </guid><link>
                   /2023/two.html </link><title><![CDATA[AT&amp;T <b>bold</b>]]></title>
                  <content:encoded><![CDATA[<p>Full <img src="/i.png"> <a href='https://x.example/'>x</a></p>]]></content:encoded>
                  <description>short</description><dc:date>2023-05-18T19:56:00+08:00</dc:date>
                  <enclosure url="https://news.example.org/a.mp3?x=1&amp;y=2" length="1" type="audio/mpeg"/>
                  <media:group><media:content url="https://cdn.example/v.mp4"><media:thumbnail url="https://cdn.example/t.jpg"/></media:content></media:group>
                  <media:thumbnail url="https://cdn.example/t2.jpg"/><atom:link rel="enclosure" href="https://cdn.example/e.pdf"/></item>
                <item><title>Hello</title><pubDate>Thu, 18 May 2023 11:56:00 GMT</pubDate>
                  <description><![CDATA[<p>World</p>]]></description></item>
                <item><atom:link href="https://news.example.org/4"/><title>Atom link only</title></item>
                <item><description>&lt;![CDATA[&lt;p&gt;escaped cdata&lt;/p&gt;]]&gt;</description><guid>5</guid></item>
                <item><guid>6</guid><description/><title/></item>
                <item><guid>7</guid><description>tab	and
                CRLF\r\nand nbsp\u{00A0}and &#x4E2D;&#20013; &#xD7FF; &#65533; &apos;&quot;</description></item>
                """)
        ),
        (
            "rss attributes with entities, newlines and references",
            Self.rss(
                """
                <item><guid>a</guid><enclosure url="https://x.example/a?b=1&#38;c=2&#x26;d=&lt;&gt;&quot;&apos;" type="t"/>
                  <media:content url="https://x.example/
                  spaced	tab"/><media:content url='single "quoted"'/></item>
                """)
        ),
        (
            "rss 0.91 with a doctype and HTML entities",
            """
            <?xml version="1.0" encoding="ISO-8859-1"?>
            <!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
            <rss version="0.91"><channel><title>Old&nbsp;feed</title>
            <item><title>Caf&eacute; &amp; &hellip;</title><link>https://old.example/1</link><description>a &nbsp; b & c</description></item>
            </channel></rss>
            """
        ),
        (
            "rss with undeclared HTML entities and bare ampersands",
            Self.rss("<item><guid>e</guid><title>Tom&nbsp;&amp; Jerry & friends &eacute;t&eacute; &copy=1 &#x26;</title></item>")
        ),
        (
            "rss items next to the channel",
            """
            <rss version="2.0"><channel><title>t</title><item><guid>1</guid></item></channel>
            <item><guid>2</guid></item><item><guid>3</guid></item></rss>
            """
        ),
        (
            "rss with comments, processing instructions and a stylesheet",
            """
            <?xml version="1.0"?>
            <?xml-stylesheet type="text/xsl" href="/style.xsl"?>
            <!-- generated -->
            <rss version="2.0"><channel><!-- c --><title>T<!-- inside -->itle</title>
            <item><guid>1</guid><description>a<?pi inside?>b<!-- c -->c</description></item></channel></rss>
            """
        ),
        (
            "rdf",
            """
            <?xml version="1.0"?>
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
                     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
              <channel rdf:about="https://blog.example.org/"><title>RDF feed</title><items><rdf:Seq>
                <rdf:li rdf:resource="https://blog.example.org/r1"/></rdf:Seq></items></channel>
              <item rdf:about="https://blog.example.org/r1"><title>R1</title><link>https://blog.example.org/r1</link>
                <description>First</description><dc:date>2023-05-18T11:56:00+09:00</dc:date></item>
              <item rdf:about=" "><link>https://blog.example.org/r2</link><content:encoded>&lt;b&gt;2&lt;/b&gt;</content:encoded></item>
              <item><title>no id</title><dc:date>2023-05-18</dc:date><description>fallback</description></item>
            </rdf:RDF>
            """
        ),
        (
            "rdf with other prefixes",
            """
            <r:RDF xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rss="http://purl.org/rss/1.0/">
              <rss:channel><rss:title>Prefixed</rss:title></rss:channel>
              <rss:item r:about="https://p.example/1"><rss:title>P1</rss:title></rss:item>
            </r:RDF>
            """
        ),
        (
            "rss 0.90",
            """
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
              <channel><title>0.90</title></channel><item><title>i</title><link>https://n.example/i</link></item>
            </rdf:RDF>
            """
        ),
        (
            "atom of every kind",
            """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xml:lang="en"
                  xml:base="https://blog.example.org/">
              <title type="html">A &amp;lt;b&amp;gt;feed</title><updated>2023-05-19T08:00:00+02:00</updated>
              <entry><id>urn:uuid:1</id><link rel="self" href="/self/1"/><link href="/posts/1"/>
                <title>One</title><updated>2023-05-18T11:56:00Z</updated>
                <content type="html">&lt;p&gt;One &amp;amp; &lt;a href="/a"&gt;a&lt;/a&gt;&lt;img src="i.png"/&gt;&lt;/p&gt;</content></entry>
              <entry><link rel="edit" href="/edit/2"/><link rel="alternate" type="application/json" href="/posts/2.json"/>
                <link rel="alternate" type="text/html" href="/posts/2"/><title type="text">  Two  </title>
                <summary type="html"><![CDATA[<p>Summary <b>two</b></p>]]></summary>
                <published>2023-05-18T11:56:00Z</published><updated>2023-05-19T11:56:00Z</updated></entry>
              <entry><id>x1</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Big <b>news</b> &amp; more</div></title>
                <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p class="c" id="p">One &amp; <a href="https://a.example/?q=1&amp;r=&quot;2&quot;">two</a></p><br/><p>three &lt; four</p></div></content>
                <link rel="enclosure" href="https://blog.example.org/file.pdf"/></entry>
              <entry><id>yt</id><title>Video</title><media:group><media:title>t</media:title>
                <media:content url="https://yt.example/v/1" type="application/x-shockwave-flash"/>
                <media:thumbnail url="https://i.yt.example/1.jpg"/><media:description>Line one
            Line two &amp; more</media:description><media:community><media:statistics views="12"/></media:community>
                </media:group></entry>
              <entry><id>text</id><content>Plain   text
              content</content><title type="html">&lt;i&gt;It&lt;/i&gt; &amp;amp; more</title></entry>
              <entry><id>empty</id><content type="html">   </content><summary>sum</summary></entry>
              <entry><title>fallback</title><published>2023-01-01T00:00:00Z</published><content>c</content></entry>
            </feed>
            """
        ),
        (
            "atom without a namespace",
            "<feed><title>No ns</title><entry><id>1</id><title>t</title><link href=\"https://n.example/1\"/></entry></feed>"
        ),
        (
            "atom with a prefix",
            """
            <a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>Prefixed</a:title>
              <a:entry><a:id>1</a:id><a:title>t</a:title><a:content type="xhtml"><h:div xmlns:h="http://www.w3.org/1999/xhtml"><h:p>x</h:p></h:div></a:content></a:entry></a:feed>
            """
        ),
        (
            "an undeclared namespace prefix",
            Self.rss("<item><guid>1</guid><undeclared:thing>x</undeclared:thing></item>")
        ),
        (
            "a relative namespace URI",
            "<rss version=\"2.0\" xmlns:rel=\"relative/uri\"><channel><item><guid>1</guid><rel:x>y</rel:x></item></channel></rss>"
        ),
        (
            "standalone and XML 1.1 declarations",
            "<?xml version=\"1.1\" standalone=\"yes\"?><rss version=\"2.0\"><channel><item><guid>1</guid></item></channel></rss>"
        ),
        (
            "xml:space and whitespace-only nodes",
            """
            <rss version="2.0"><channel>   <title xml:space="preserve">  spaced  </title>
              <item>  <guid>  1  </guid>  <description xml:space="default">  a   b  </description>  </item></channel></rss>
            """
        ),
        ("a truncated feed", "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><item><title>cut"),
        (
            "mismatched tags",
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\">\n<channel>\n<item><title>a</title></item>\n<item><title>b</titel></item>\n</channel></rss>"
        ),
        ("a NUL character reference", Self.rss("<item><guid>1</guid><title>a&#0;b</title></item>")),
        ("a control character", Self.rss("<item><guid>1</guid><title>a\u{1}b</title></item>")),
        ("a < in an attribute", Self.rss("<item><guid>1</guid><enclosure url=\"a<b\"/></item>")),
        ("an unquoted attribute", Self.rss("<item><guid>1</guid><enclosure url=a/></item>")),
        ("a repeated attribute", Self.rss("<item><guid>1</guid><enclosure url=\"a\" url=\"b\"/></item>")),
        ("two roots", "<rss version=\"2.0\"><channel/></rss><rss/>"),
        ("text after the root", "<rss version=\"2.0\"><channel/></rss>trailing"),
        ("an empty document", "<?xml version=\"1.0\"?>"),
        ("only a comment", "<?xml version=\"1.0\"?><!-- nothing -->"),
        ("an opml root", "<?xml version=\"1.0\"?><opml version=\"2.0\"><body/></opml>"),
        ("an xhtml root", "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>"),
        ("an unterminated CDATA", Self.rss("<item><guid>1</guid><description><![CDATA[open</description></item>")),
        ("an unterminated comment", Self.rss("<item><guid>1</guid><!-- open</item>")),
        (
            "a long text node",
            Self.rss("<item><guid>1</guid><description>" + String(repeating: "&lt;p&gt;word &amp; 中文 ", count: 5_000) + "</description></item>")
        ),
        (
            "many items",
            Self.rss((1...300).map { "<item><guid>\($0)</guid><title>t\($0)</title></item>\n" }.joined())
        ),
        (
            "whitespace before the declaration",
            "\n\n  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><item><guid>w</guid></item></channel></rss>"
        ),
        (
            "a doctype with an internal subset but no entity used",
            "<!DOCTYPE rss [<!ELEMENT rss ANY>]><rss version=\"2.0\"><channel><item><guid>d</guid></item></channel></rss>"
        ),
    ]

    /// Feeds in legacy encodings (bytes from `iconv`, as in `FeedEncodingTests`).
    static let encoded: [(String, [UInt8])] = [
        (
            "GBK",
            Array("<?xml version=\"1.0\" encoding=\"GBK\"?><rss version=\"2.0\"><channel><title>".utf8)
                + FeedEncodingTests.gbkText
                + Array("</title><item><guid>1</guid><description><![CDATA[<p>".utf8) + FeedEncodingTests.gbkText
                + Array("</p>]]></description></item></channel></rss>".utf8)
        ),
        (
            "Windows-1252 declared as ISO-8859-1",
            Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><item><guid>1</guid><title>".utf8)
                + FeedEncodingTests.windows1252Text + Array("</title></item></channel></rss>".utf8)
        ),
        (
            "undeclared GBK",
            Array("<rss version=\"2.0\"><channel><item><guid>1</guid><title>".utf8) + FeedEncodingTests.gbkText
                + Array("</title></item></channel></rss>".utf8)
        ),
        (
            "UTF-16 with a byte order mark",
            [0xFF, 0xFE]
                + Array("<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel><item><guid>16</guid><title>中文</title></item></channel></rss>".utf16)
                .flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        ),
        (
            "a UTF-8 byte order mark",
            [0xEF, 0xBB, 0xBF] + Array("<rss version=\"2.0\"><channel><item><guid>bom</guid></item></channel></rss>".utf8)
        ),
    ]
}
