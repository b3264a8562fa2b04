import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// libxml2's HTML parser behind ``HTMLDocument``: queries, readable text, encodings, hostile
/// input and concurrency with the feed parser (FoundationXML, also libxml2).
struct HTMLDocumentTests {
    @Test func classesAttributesAndReadableTextComeFromTheParsedTree() throws {
        let document = HTMLDocument.parse(
            Data(
                """
                <html><head><title> A &amp; B </title><meta property="og:title" content="OG title"></head>
                <body><div class="card  js-card" data-id="7">First&nbsp;line<br/>second <b>bold</b>
                <script>var hidden = "never shown";</script><style>p{}</style>
                <p>Para&#33;</p><a href="/x">link</a></div><div class="card">two</div></body></html>
                """.utf8))
        let cards = document.elements(withClass: "card")
        #expect(cards.count == 2)
        #expect(cards.first?.attributes["data-id"] == "7")
        #expect(cards.first?.hasClass("js-card") == true)
        #expect(cards.first?.readableText == "First line\nsecond bold\n\nPara!\n\nlink")
        #expect(cards.first?.textContent.contains("never shown") == true, "textContent keeps script text")
        #expect(document.title == "A & B")
        #expect(document.metaContent("og:title") == "OG title")
        #expect(document.elements(named: "a").first?.attributes["href"] == "/x")
    }

    @Test func undeclaredPageIsReadAsUTF8() {
        // libxml2 alone would read a page without a declared charset as ISO-8859-1.
        let document = HTMLDocument.parse(Data("<p>Привет 👍 中文</p>".utf8))
        #expect(document.root.readableText == "Привет 👍 中文")
    }

    @Test func metaCharsetGBKIsDecoded() {
        // "中文" in GBK is D6 D0 CE C4.
        let bytes =
            Array("<html><head><meta charset=\"gbk\"></head><body><p>".utf8) + [0xD6, 0xD0, 0xCE, 0xC4]
            + Array("</p></body></html>".utf8)
        let document = HTMLDocument.parse(Data(bytes), contentType: "text/html; charset=utf-8")
        #expect(document.body?.readableText == "中文", "the page's own declaration wins over the header")
    }

    @Test func headerCharsetIsUsedWhenThePageDeclaresNoneAndIsNotUTF8() {
        let bytes = Array("<p>".utf8) + [0xD6, 0xD0, 0xCE, 0xC4] + Array("</p>".utf8)
        #expect(HTMLDocument.parse(Data(bytes), contentType: "text/html; charset=gb2312").root.readableText == "中文")
        let latin = Array("<p>caf".utf8) + [0xE9] + Array("</p>".utf8)
        #expect(HTMLDocument.parse(Data(latin)).root.readableText == "café", "Windows-1252 is the last resort")
    }

    @Test func emptyOrMarkuplessBodiesGiveDocumentsWithoutElements() {
        #expect(HTMLDocument.parse(Data()).root.children.isEmpty)
        #expect(HTMLDocument.parse(Data("   ".utf8)).body == nil)
    }

    @Test func deeplyNestedPageKeepsItsTextWithoutExhaustingTheStack() {
        let depth = 10_000
        let html = String(repeating: "<div>", count: depth) + "deep text" + String(repeating: "</div>", count: depth)
        let document = HTMLDocument.parse(Data(html.utf8))
        #expect(document.root.readableText.contains("deep text"))
    }

    @Test func innerHTMLSerializesTheTreeDeterministically() throws {
        let document = HTMLDocument.parse(
            Data(#"<div id="x"><a title="q&quot;" href="h">a &lt; b</a><br>c</div>"#.utf8))
        let div = try #require(document.element(withID: "x"))
        #expect(div.innerHTML == #"<a href="h" title="q&quot;">a &lt; b</a><br>c"#)
    }

    @Test func htmlAndFeedParsesRunConcurrentlyWithoutInterference() async throws {
        // Both parsers use libxml2's process-wide state; LibXML2Lock makes them take turns.
        let page = try IntegrationHarness.fixture("telegram/t_me_s_full_page_topwar_official.html")
        let feed = try IntegrationHarness.fixture("feeds/rsshub_twitter_ArknightsStaff_snapshot0.xml")
        let results = await withTaskGroup(of: Int.self) { group in
            for index in 0..<40 {
                group.addTask {
                    if index.isMultiple(of: 2) {
                        return TelegramPage.parse(page, contentType: nil, baseURL: URL(string: "https://t.me/s/x")!)
                            .messages.count
                    }
                    return (try? XMLTree.parse(feed))?.root.elements.count ?? -1
                }
            }
            var counts: [Int] = []
            for await count in group { counts.append(count) }
            return counts
        }
        #expect(results.count == 40)
        #expect(results.filter { $0 == 12 }.count == 20, "every HTML parse sees the page's 12 messages")
        #expect(!results.contains(-1), "every feed parse succeeds")
    }
}
