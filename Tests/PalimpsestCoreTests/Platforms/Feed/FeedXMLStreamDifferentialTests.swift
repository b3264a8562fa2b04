import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The streaming feed reader (``FeedXMLStreamReader``: RSS, RSS 1.0 and Atom read from libxml2's
/// SAX2 events) against the tree-based mapping it replaced (`FeedParser.parseByTree`, kept in
/// `FeedXMLTreeMapping.swift`): over every recorded feed, the golden tests' synthetic, legacy-encoded,
/// nested and mutated feeds, and generated corners of each format, at several item limits, both
/// give the same feed (format, version, title, date, items, omitted count, every post and its
/// version hash) or the same failure (kind, message, line, column). A stored post that read
/// differently after an upgrade would look edited.
@Suite struct FeedXMLStreamDifferentialTests {
    static let feedURL = URL(string: "https://news.example.org/feeds/all.xml")!

    enum Outcome: Equatable {
        case feed(ParsedFeed, hashes: [String])
        case failure(FeedParseError)
    }

    static func streamed(_ body: Data, contentType: String?, itemLimit: Int?) -> Outcome {
        do {
            let feed = try FeedParser.parse(body, feedURL: Self.feedURL, contentType: contentType, itemLimit: itemLimit)
            return .feed(feed, hashes: FeedAdapter.distinctIDs(feed.posts).map { "\($0.id) \($0.versionHash)" })
        } catch {
            return .failure(error)
        }
    }

    static func byTree(_ body: Data, contentType: String?, itemLimit: Int?) -> Outcome {
        do {
            let feed = try FeedParser.parseByTree(
                body, feedURL: Self.feedURL, contentType: contentType, itemLimit: itemLimit)
            return .feed(feed, hashes: FeedAdapter.distinctIDs(feed.posts).map { "\($0.id) \($0.versionHash)" })
        } catch {
            return .failure(error)
        }
    }

    /// The bodies on which the two readers differ, with the limit (at most `shown`, described).
    static func differences(_ bodies: [Data], limits: [Int?], contentType: String? = nil, shown: Int = 3) -> [String] {
        var found: [String] = []
        for body in bodies {
            for limit in limits {
                let new = Self.streamed(body, contentType: contentType, itemLimit: limit)
                let old = Self.byTree(body, contentType: contentType, itemLimit: limit)
                guard new != old else { continue }
                if found.count < shown {
                    found.append(
                        "limit \(limit.map(String.init) ?? "none"): \(String(decoding: body.prefix(300), as: UTF8.self))"
                            + "\n  streamed: \(Self.summary(new))\n  tree:     \(Self.summary(old))")
                } else {
                    found.append("")
                }
            }
        }
        return found
    }

    static func summary(_ outcome: Outcome) -> String {
        switch outcome {
        case .feed(let feed, let hashes):
            return "\(feed.format) \(feed.title ?? "-") omitted \(feed.omittedItems) items \(feed.items) \(hashes)"
        case .failure(let error):
            return "failure \(error.kind) \(error.message) \(error.line ?? -1):\(error.column ?? -1)"
        }
    }

    static let limits: [Int?] = [nil, 0, 1, 2, 3, 20]

    @Test func everyRecordedFeedReadsAsTheTreeReadIt() throws {
        let bodies = try FeedFixtures.allNames.map { try FeedFixtures.data($0) }
        #expect(bodies.count >= 4)
        let plain = Self.differences(bodies, limits: Self.limits)
        #expect(plain.isEmpty, "\(plain.count) differences:\n\(plain.joined(separator: "\n"))")
        let latin = Self.differences(bodies, limits: [nil], contentType: "text/xml; charset=ISO-8859-1")
        #expect(latin.isEmpty, "\(latin.count) differences:\n\(latin.joined(separator: "\n"))")
    }

    @Test func theGoldenTestsFeedsReadAsTheTreeReadThem() throws {
        var bodies = FeedXMLGoldenTests.synthetic.map { Data($0.1.utf8) }
        bodies += FeedXMLGoldenTests.encoded.map { Data($0.1) }
        bodies += FeedXMLGoldenTests.nested()
        let found = Self.differences(bodies, limits: Self.limits)
        #expect(found.isEmpty, "\(found.count) differences:\n\(found.joined(separator: "\n"))")
    }

    @Test func mutatedFeedsReadAsTheTreeReadThem() throws {
        let mutations = try FeedXMLGoldenTests.mutations()
        var found: [String] = []
        for (body, limit) in mutations {
            found += Self.differences([body], limits: [limit], shown: max(0, 3 - found.count))
        }
        #expect(found.isEmpty, "\(found.count) of \(mutations.count) differ:\n\(found.joined(separator: "\n"))")
    }

    @Test func generatedCornersReadAsTheTreeReadThem() {
        let found = Self.differences(Self.corners.map { Data($0.utf8) }, limits: Self.limits)
        #expect(found.isEmpty, "\(found.count) differences:\n\(found.joined(separator: "\n"))")
    }

    // MARK: - Corners of each format

    static let atomNS = "http://www.w3.org/2005/Atom"
    static let mediaNS = "http://search.yahoo.com/mrss/"

    static let corners: [String] = [
        // CDATA everywhere, layered and split.
        """
        <rss version=" 2.0 "><channel><title><![CDATA[ T &amp; <b>x</b> ]]></title>
        <lastBuildDate> Thu, 18 May 2023 11:56:00 GMT </lastBuildDate>
        <item><guid><![CDATA[ g1 ]]></guid><title>a<![CDATA[b]]>c</title>
        <description><![CDATA[<p>one</p>]]><![CDATA[<p>two</p>]]></description></item>
        <item><guid>g2</guid><description>&lt;![CDATA[&lt;p&gt;x&lt;/p&gt;]]&gt;</description>
        <content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/"><![CDATA[   ]]></content:encoded></item>
        </channel></rss>
        """,
        // Namespaces bound to other prefixes, default namespaces, foreign elements with feed names.
        """
        <r:rss xmlns:r="urn:any" xmlns:m="\(mediaNS)" xmlns:a="\(atomNS)" xmlns:x="urn:x" version="2.0">
        <channel><x:title>not this</x:title><title>Title</title>
        <item><x:guid>no</x:guid><guid>yes</guid><a:link rel="alternate" href="/alt"/><x:link>no</x:link>
          <m:content url="/m1"><m:thumbnail url="/t1"><m:content url="/deep"/></m:thumbnail></m:content>
          <m:group><m:group><m:content url="/g2"><m:content url="/g3"/></m:content></m:group></m:group>
          <m:description>md</m:description><x:enclosure url="/no"/><enclosure url="/enc"/>
          <a:link rel="enclosure" href="/ae"/><link xmlns="\(atomNS)" rel="enclosure" href="/ae2"/></item>
        <x:item><guid>foreign</guid></x:item>
        </channel><channel><title>second</title><item><guid>second channel</guid></item></channel></r:rss>
        """,
        // Nested HTML in content, unescaped, with attributes and entities.
        """
        <rss version="2.0"><channel><item><guid>h</guid><title>T <b>bold</b> &amp;amp; &#x4E2D;</title>
        <description><p class="c">para <a href="/l?a=1&amp;b=2#f">link</a><img src="i.png"/></p>tail<br/>end</description>
        <link>  /rel/path  </link></item></channel></rss>
        """,
        // Entities: predefined, numeric, undeclared (repaired), declared (never expanded).
        """
        <?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e "expanded">]>
        <rss version="2.0"><channel><title>&e; &amp; &#169;</title><item><guid>&#x31;</guid>
        <title>&lt;&gt;&quot;&apos; &nbsp; &eacute;</title><description>a & b &copy; &#0;</description></item></channel></rss>
        """,
        // Duplicate GUIDs, same and different content, and items without any ID.
        """
        <rss version="2.0"><channel>
        <item><guid>d</guid><title>one</title></item><item><guid>d</guid><title>one</title></item>
        <item><guid>d</guid><title>two</title></item><item><title>no id</title><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>
        <item><title>no id</title><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item><item/><item></item>
        <item><guid> </guid><link> </link><title>blank ids</title></item>
        </channel></rss>
        """,
        // Items next to the channel, before and after it, and a channel that is not first.
        """
        <rss version="2.0"><item><guid>r1</guid></item><x/><channel><item><guid>c1</guid></item><title>t</title>
        <item><guid>c2</guid></item></channel><item><guid>r2</guid></item><channel><item><guid>c3</guid></item></channel>
        <entry><id>stray entry</id></entry></rss>
        """,
        // Atom with xml:base, every link form, text constructs of every type.
        """
        <feed xmlns="\(atomNS)" xml:base="https://base.example/" xmlns:media="\(mediaNS)">
        <title type="html">&lt;b&gt;Feed&lt;/b&gt; &amp;amp;</title><updated>2024-01-01T00:00:00Z</updated>
        <entry xml:base="/sub/"><id> e1 </id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X<b>y</b></div></title>
          <link href="/self" rel="self"/><link href="/text" type="text/plain"/><link href="/html" type="TEXT/HTML"/>
          <link rel="enclosure" href="/file.mp3"/><published>2024-01-01T00:00:00Z</published>
          <updated>2024-01-02T00:00:00Z</updated>
          <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p a="1" b="&quot;&amp;">P &lt;x&gt;</p><br/><img src="/i.png"/></div></content>
          <summary>ignored when content</summary></entry>
        <entry><id>e2</id><title>plain &amp; simple</title><summary type="html">&lt;p&gt;S&lt;/p&gt;</summary>
          <content type="text"></content></entry>
        <entry><id>e3</id><media:group><media:title>v</media:title><media:description>from group</media:description>
          <media:content url="https://v.example/v.mp4"/><media:thumbnail url="https://v.example/t.jpg"/></media:group>
          <media:description>from entry</media:description></entry>
        <entry><id>e4</id><media:description>entry only</media:description><content type="xhtml">no div <span>s</span></content></entry>
        <entry><id>e5</id><content type="application/xhtml+xml"><x:div xmlns:x="urn:other">other div</x:div><div>plain div</div></content>
          <title type="text/html">&lt;i&gt;t&lt;/i&gt;</title></entry>
        <entry><title>fallback id</title><published>2024-01-01</published><content>c</content></entry>
        <entry><link href="https://link.example/only"/></entry>
        </feed>
        """,
        // Atom without a namespace, and Atom in a foreign namespace (not a feed).
        """
        <feed><title>No namespace</title><entry><id>n1</id><link href="/n1"/><enclosure url="/enc"/>
        <content type="html">&lt;p&gt;c&lt;/p&gt;</content></entry><entry xmlns="\(atomNS)"><id>n2</id></entry></feed>
        """,
        "<feed xmlns=\"urn:not-atom\"><entry><id>x</id></entry></feed>",
        // RDF (RSS 1.0) with rdf:about, dc:date, content:encoded, and items inside the channel.
        """
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
          xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
        <channel rdf:about="https://r.example/"><title>RDF</title><item rdf:about="in-channel"/></channel>
        <item rdf:about="https://r.example/1"><title>one</title><dc:date>2024-01-01T00:00:00Z</dc:date>
          <content:encoded>&lt;p&gt;full&lt;/p&gt;</content:encoded><description>short</description></item>
        <item rdf:about=""><title>empty about</title><link>https://r.example/2</link></item>
        <item about="https://r.example/noprefix"><title>no prefix</title></item>
        <item xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#" r:about="https://r.example/r"><title>r prefix</title></item>
        </rdf:RDF>
        """,
        "<rdf:RDF xmlns:rdf=\"urn:not-rdf\"><item><title>x</title></item></rdf:RDF>",
        // RSS 0.90 namespace, and other roots.
        """
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
        <channel><title>0.90</title></channel><item><title>old</title><link>https://old.example/</link></item></rdf:RDF>
        """,
        "<html><body>not a feed</body></html>",
        "<HTML xmlns=\"http://www.w3.org/1999/xhtml\"><body/></HTML>",
        "<opml version=\"2.0\"><body/></opml>",
        "<x:rss xmlns:x=\"urn:x\"><channel><item><guid>prefixed root</guid></item></channel></x:rss>",
        // Many items, to exercise the limits' first and last ends.
        "<rss version=\"2.0\"><channel>"
            + (1...30).map { "<item><guid>\($0)</guid><title>t\($0)</title></item>" }.joined() + "</channel>"
            + (31...35).map { "<item><guid>\($0)</guid></item>" }.joined() + "</rss>",
        "<feed xmlns=\"\(atomNS)\">"
            + (1...30).map { "<entry><id>\($0)</id></entry><item><guid>x\($0)</guid></item>" }.joined() + "</feed>",
        // Broken and cut short.
        "<rss version=\"2.0\"><channel><item><guid>1</guid></item><item><guid>2",
        "<rss><channel><item><guid>1</guid></item></channel></rss><rss/>",
        "<rss/>",
        "<a/>",
    ]
}
