import Testing

@testable import PalimpsestCore

@Suite struct HTMLTextTests {
    @Test(arguments: [
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("&lt;b&gt; is bold", "<b> is bold"),
        ("&#x4E2D;&#X6587; &#20013;&#25991;", "中文 中文"),
        ("a&nbsp;b", "a b"),
        ("&quot;quoted&quot; &apos;single&apos;", "\"quoted\" 'single'"),
        ("wait&hellip; &mdash; &euro;5", "wait… — €5"),
        ("&#150; from the Windows-1252 range", "– from the Windows-1252 range"),
        ("&#0; &#xD800; &#x110000;", "\u{FFFD} \u{FFFD} \u{FFFD}"),
        ("&unknownname; stays", "&unknownname; stays"),
        ("AT&T and a & b", "AT&T and a & b"),
        ("legacy &amp without semicolon", "legacy & without semicolon"),
    ])
    func characterReferencesAreDecoded(html: String, text: String) {
        #expect(HTMLText.plainText(fromHTML: html) == text)
    }

    @Test func lineBreaksAndParagraphsBecomeNewlines() {
        let html = "<p>First line<br>second line<br/><br />after a blank</p><p>Next paragraph</p>"
        #expect(HTMLText.plainText(fromHTML: html) == "First line\nsecond line\n\nafter a blank\n\nNext paragraph")
    }

    @Test func whitespaceCollapsesAsInABrowser() {
        let html = "  <div>  many \n\t spaces   here </div>\n\n<div>next</div>  "
        #expect(HTMLText.plainText(fromHTML: html) == "many spaces here\nnext")
    }

    @Test func preservesWhitespaceInsidePre() {
        let html = "<p>code:</p><pre>let x = 1\n    x += 2</pre>after"
        #expect(HTMLText.plainText(fromHTML: html) == "code:\n\nlet x = 1\n    x += 2\n\nafter")
    }

    @Test func scriptsStylesAndCommentsAreDropped() {
        let html = """
            <style>p { color: red }</style><p>visible<script type="text/javascript">var a = "<p>no</p>";</script>\
            <!-- a comment <b>hidden</b> --> text</p><SCRIPT>alert(1)</SCRIPT>end
            """
        #expect(HTMLText.plainText(fromHTML: html) == "visible text\n\nend")
    }

    @Test func inlineMarkupJoinsWithoutSpaces() {
        // Mastodon splits long link texts into invisible/ellipsis spans; the text must stay whole.
        let html = """
            <p>see <a href="https://example.com/a/long/path"><span class="invisible">https://</span>\
            <span class="ellipsis">example.com/a/lo</span><span class="invisible">ng/path</span></a></p>
            """
        #expect(HTMLText.plainText(fromHTML: html) == "see https://example.com/a/long/path")
    }

    @Test func aLoneLessThanSignIsText() {
        #expect(HTMLText.plainText(fromHTML: "1 < 2 and 3 <4") == "1 < 2 and 3 <4")
    }

    @Test func unterminatedMarkupNeverCrashes() {
        #expect(HTMLText.plainText(fromHTML: "text <a href=\"x") == "text")
        #expect(HTMLText.plainText(fromHTML: "text <!-- open comment") == "text")
        #expect(HTMLText.plainText(fromHTML: "<script>never closed") == "")
        #expect(HTMLText.plainText(fromHTML: "") == "")
    }

    @Test func cdataSectionsInsideHTMLAreText() {
        #expect(HTMLText.plainText(fromHTML: "a <![CDATA[<b>raw</b>]]> z") == "a <b>raw</b> z")
    }

    @Test func tableCellsAreSeparated() {
        let html = "<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>"
        #expect(HTMLText.plainText(fromHTML: html) == "a b\nc d")
    }

    @Test func linksAreHrefsInOrderOnceEach() {
        let html = """
            <a href="https://a.example/1?x=1&amp;y=2">one</a> <A HREF='https://b.example/'>two</A>
            <a href = https://c.example/3>three</a> <a href="https://a.example/1?x=1&y=2">again</a>
            <a href="#top">top</a> <a href="javascript:void(0)">js</a> <a name="anchor">no href</a>
            <a href=" /relative/path ">rel</a>
            """
        #expect(
            HTMLText.links(inHTML: html) == [
                "https://a.example/1?x=1&y=2", "https://b.example/", "https://c.example/3", "/relative/path",
            ])
    }

    @Test func queryStringsThatLookLikeLegacyReferencesStayIntact() {
        let html = #"<a href="https://a.example/?x=1&copy=2&amp=3&lt;">l</a>"#
        #expect(HTMLText.links(inHTML: html) == ["https://a.example/?x=1&copy=2&amp=3<"])
    }

    @Test func imageSourcesAreDecoded() {
        // From rsshub_twitter_ArknightsStaff_snapshot0.xml: the CDATA holds `&amp;` in the attribute.
        let html = """
            text<br><img style="" src="https://pbs.twimg.com/media/FwYdt9XaIAEU4gH?format=jpg&amp;name=orig" \
            referrerpolicy="no-referrer"><br><img src='https://media.npr.org/px.png?story=1'/>
            """
        #expect(
            HTMLText.imageSources(inHTML: html) == [
                "https://pbs.twimg.com/media/FwYdt9XaIAEU4gH?format=jpg&name=orig",
                "https://media.npr.org/px.png?story=1",
            ])
        #expect(HTMLText.plainText(fromHTML: html) == "text")
    }

    @Test func decodeCharacterReferencesLeavesMarkupAlone() {
        #expect(HTMLText.decodeCharacterReferences("<p>&amp;</p>") == "<p>&</p>")
    }
}
