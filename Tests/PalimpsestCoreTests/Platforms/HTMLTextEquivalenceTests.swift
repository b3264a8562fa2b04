import Foundation
import Testing

@testable import PalimpsestCore

/// The byte-level HTML reader (one pass for text, links and images) against the reader it
/// replaces (``LegacyHTMLText``): the same text, links, images and decoded references for every
/// input, or stored posts would look edited after an upgrade.
@Suite struct HTMLTextEquivalenceTests {
    /// Markup pieces random fragments are made of, with the text pieces of ``RandomText``.
    static let markup: [String] = [
        "<p>", "</p>", "<P CLASS=x>", "<br>", "<br/>", "</br>", "<BR />", "<pre>", "</pre>", "<pre/>", "<PRE>",
        "<div>", "</div>", "<li>", "</li>", "<ul>", "</ul>", "<h1>", "</h2>", "<blockquote>", "</blockquote>",
        "<td>", "</td>", "<th>", "<tr>", "</tr>", "<table>", "<hr>", "<span>", "</span>", "<b>", "</b>",
        "<a href=\"https://x.example/a?b=1&amp;c=2\">", "<a href='/rel/path'>", "<A HREF=https://u.example/q>",
        "<a href=\" javascript:alert(1) \">", "<a href=\"#top\">", "<a href=\"\">", "<a name=x>",
        "<a href=\"https://x.example/a?x=1&copy=2&amp=3\">", "<a href=\"https://d.example/\" href=\"https://e.example/\">",
        "</a>", "<img src=\"https://cdn.example/i.jpg?format=jpg&amp;name=orig\">", "<img src='/i.png' alt='[doge]'>",
        "<IMG SRC=pic.gif ALT=x>", "<img alt=\"only alt\">", "<img src=\"https://cdn.example/i.jpg?format=jpg&amp;name=orig\"/>",
        "<script>var a = '<p>x</p>';</script>", "<SCRIPT type=x>if (a < b) {}</ScRiPt >", "<style>p { }</style>",
        "<template><p>hidden</p></template>", "<script/>", "<!-- comment -->", "<!-- open", "<!---->", "<!-->",
        "<![CDATA[<b>raw &amp; kept</b>]]>", "<![cdata[x]]>", "<![CDATA[open", "<!DOCTYPE html>", "<?xml version=\"1.0\"?>",
        "</ >", "</3", "<", "<3", "< p>", "<a", "<a href=\"x", "<p =x>", "<img src = \"s.png\" >", "<img src=>",
        "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&nbsp;", "&nbsp", "&copy=", "&copy", "&eacute;", "&hellip;",
        "&#20013;", "&#x4E2D;", "&#X4e2d;", "&#150;", "&#0;", "&#xD800;", "&#1114112;", "&#99999999999;", "&#;",
        "&#x;", "&unknown;", "&amp", "&ampx", "&", "&#", "&#x", "&zwj;", "&#x301;", "&#769;", "&#13;", "&#10;",
        "\r\n", "\u{00A0}", "\t", " ", "\n\n\n",
    ]

    static func fragment(_ random: inout RandomText) -> String {
        var html = ""
        for _ in 0..<Int.random(in: 0...30, using: &random) {
            html +=
                Bool.random(using: &random)
                ? Self.markup.randomElement(using: &random)! : RandomText.pieces.randomElement(using: &random)!
        }
        return html
    }

    static func expectSameReading(_ html: String) {
        let content = HTMLText.content(ofHTML: html)
        let text = LegacyHTMLText.plainText(fromHTML: html)
        let links = LegacyHTMLText.links(inHTML: html)
        let images = LegacyHTMLText.imageSources(inHTML: html)
        #expect(Array(content.text.utf8) == Array(text.utf8), "\(html.debugDescription)")
        #expect(content.links == links, "\(html.debugDescription)")
        #expect(content.imageSources == images, "\(html.debugDescription)")
        #expect(Array(HTMLText.plainText(fromHTML: html).utf8) == Array(text.utf8))
        #expect(HTMLText.links(inHTML: html) == links)
        #expect(HTMLText.imageSources(inHTML: html) == images)
        let decoded = HTMLText.decodeCharacterReferences(html)
        #expect(Array(decoded.utf8) == Array(LegacyHTMLText.decodeCharacterReferences(html).utf8))
        #expect(Array(WeiboText.inliningImageAltText(html).utf8) == Array(Self.legacyInliningImageAltText(html).utf8))
    }

    @Test func randomFragmentsReadTheSame() {
        var random = RandomText(seed: 11)
        for _ in 0..<6_000 { Self.expectSameReading(Self.fragment(&random)) }
    }

    @Test func plainRandomFragmentsReadTheSame() {
        // Only plain text between the tags, so the byte-level writer runs on every text token.
        let plainPieces = RandomText.pieces.filter { $0.unicodeScalars.allSatisfy { PlainScalar.isPlain($0.value) } }
        let plainMarkup = Self.markup.filter { !$0.contains("&#x301;") && !$0.contains("&#769;") && !$0.contains("&zwj;") }
        var random = RandomText(seed: 12)
        for _ in 0..<6_000 {
            var html = ""
            for _ in 0..<Int.random(in: 0...30, using: &random) {
                html +=
                    Bool.random(using: &random)
                    ? plainMarkup.randomElement(using: &random)! : plainPieces.randomElement(using: &random)!
            }
            Self.expectSameReading(html)
        }
    }

    @Test func recordedContentReadsTheSame() throws {
        // Every feed item's markup as the feed parser hands it over, and the whole bodies.
        for name in FeedFixtures.allNames {
            let body = String(decoding: try FeedFixtures.data(name), as: UTF8.self)
            Self.expectSameReading(body)
            Self.expectSameReading(LegacyHTMLText.decodeCharacterReferences(body))
        }
        let real = FeedFixtures.directory.deletingLastPathComponent()
        for folder in ["mastodon", "weibo", "bluesky", "telegram", "telegram/tchantest", "wechat"] {
            let directory = real.appendingPathComponent(folder)
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            where !file.hasSuffix(".meta.json") {
                let url = directory.appendingPathComponent(file)
                guard !url.hasDirectoryPath, let data = try? Data(contentsOf: url) else { continue }
                let body = String(decoding: data, as: UTF8.self)
                Self.expectSameReading(body)
                if file.hasSuffix(".json"), let object = try? JSONSerialization.jsonObject(with: data) {
                    for string in Self.strings(in: object) where string.contains("<") || string.contains("&") {
                        Self.expectSameReading(string)
                    }
                }
            }
        }
    }

    @Test func documentTextReadsTheSame() throws {
        // HTMLElement.readableText writes through the same TextWriter.
        var random = RandomText(seed: 13)
        for _ in 0..<1_500 {
            let html = "<html><body>" + Self.fragment(&random) + "</body></html>"
            let document = HTMLDocument.parse(html)
            var legacy = LegacyTextWriter()
            Self.legacyRender(document.root, into: &legacy, preformatted: false)
            #expect(Array(document.root.readableText.utf8) == Array(legacy.finish().utf8), "\(html.debugDescription)")
        }
    }

    // MARK: - The readers as they were

    static func strings(in object: Any) -> [String] {
        switch object {
        case let string as String: return [string]
        case let array as [Any]: return array.flatMap(Self.strings(in:))
        case let dictionary as [String: Any]: return dictionary.values.flatMap(Self.strings(in:))
        default: return []
        }
    }

    static func legacyInliningImageAltText(_ html: String) -> String {
        guard html.contains("<") else { return html }
        func escape(_ text: String) -> String {
            guard text.contains("&") || text.contains("<") else { return text }
            return text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        }
        var tokenizer = LegacyHTMLTokenizer(html)
        var rebuilt = ""
        while let token = tokenizer.next() {
            switch token {
            case .text(let text):
                rebuilt += escape(text)
            case .startTag(let name, let attributes, let selfClosing):
                if name == "img" {
                    if let alt = attributes.first(where: { $0.name == "alt" })?.value { rebuilt += escape(alt) }
                } else {
                    rebuilt += selfClosing ? "<\(name)/>" : "<\(name)>"
                }
            case .endTag(let name):
                rebuilt += "</\(name)>"
            }
        }
        return rebuilt
    }

    static func legacyRender(_ element: HTMLElement, into writer: inout LegacyTextWriter, preformatted: Bool) {
        for child in element.children {
            switch child {
            case .text(let text):
                writer.write(text, preservingWhitespace: preformatted)
            case .element(let element):
                let name = element.name
                if HTMLElement.hiddenElements.contains(name) { continue }
                if name == "br" {
                    writer.lineBreak()
                    continue
                }
                let lines = name == "pre" ? 2 : LegacyHTMLText.blockBreaks[name]
                let cell = name == "td" || name == "th"
                if let lines { writer.blockBreak(lines: lines) } else if cell { writer.space() }
                Self.legacyRender(element, into: &writer, preformatted: preformatted || name == "pre")
                if let lines { writer.blockBreak(lines: lines) } else if cell { writer.space() }
            }
        }
    }
}
