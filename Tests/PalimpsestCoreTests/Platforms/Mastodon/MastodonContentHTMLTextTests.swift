import Foundation
import Testing

@testable import PalimpsestCore

@Suite struct MastodonContentHTMLTextTests {
    // Legacy references such as `&lt` without a semicolon decode as browsers decode them.
    @Test func paragraphsBreaksAndReferences() {
        let html =
            "<p>Tom &amp; Jerry&#39;s &lt;show&gt;<br>second line</p><p>&#x1F600; &quot;quoted&quot; &unknown; 5 &lt 6</p>"
        #expect(
            HTMLText.plainText(fromHTML: html)
                == "Tom & Jerry's <show>\nsecond line\n\n😀 \"quoted\" &unknown; 5 < 6"
        )
    }

    @Test func invisibleLinkPartsStayInTheText() {
        let html =
            "<p><a href=\"https://example.com/a?b=1&amp;c=2\"><span class=\"invisible\">https://</span><span class=\"ellipsis\">example.com/a</span><span class=\"invisible\">?b=1&amp;c=2</span></a></p>"
        #expect(HTMLText.plainText(fromHTML: html) == "https://example.com/a?b=1&c=2")
        #expect(HTMLText.links(inHTML: html) == ["https://example.com/a?b=1&c=2"])
    }

    @Test func mentionsHashtagsAndStrayAngleBrackets() {
        let html =
            "<p><span class=\"h-card\"><a href='https://x.example/@bob' class=\"u-url mention\">@<span>bob</span></a></span> 3 < 4 <a href=https://x.example/tags/go>#go</a></p>"
        #expect(HTMLText.plainText(fromHTML: html) == "@bob 3 < 4 #go")
        #expect(HTMLText.links(inHTML: html) == ["https://x.example/@bob", "https://x.example/tags/go"])
    }

    @Test func commentsAndScriptsAreNotText() {
        let html = "<p>a<!-- hidden --><script>alert('x')</script>b</p><ul><li>one</li><li>two</li></ul>"
        #expect(HTMLText.plainText(fromHTML: html) == "ab\n\none\ntwo")
    }
}
