import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// Post text, names and URLs are untrusted: in digest.html every one of them must stay inert.
@Suite struct HTMLDigestRendererTests {
    static let hostileAccount = AccountKey(rawValue: "feed:https://evil.example/feed?x=\"><script>alert(0)</script>")

    /// A week with one deletion and one alteration whose every field is hostile.
    static func hostileDigest() -> Digest {
        var deleted = Event(
            id: "0123456789abcdef0123456789abcdef",
            detectedAt: DigestTestSupport.date("2026-11-24T10:00:00Z"),
            event: .deleted,
            platform: .feed,
            account: Self.hostileAccount,
            accountName: "\"><img src=x onerror=alert(1)>",
            evidence: [
                EvidenceReference(
                    path: "../../etc/passwd",
                    sha256: String(repeating: "a", count: 64),
                    url: "javascript:alert(4)",
                    status: 404,
                    fetchedAt: DigestTestSupport.date("2026-11-24T10:00:00Z")
                )
            ]
        )
        deleted.postID = "<b>id</b>"
        deleted.reason = .censored
        deleted.confirmedBy = .probe
        deleted.url = "javascript:alert(2)"
        deleted.postedAt = DigestTestSupport.date("2026-11-24T09:00:00Z")
        deleted.text = "<script>alert(3)</script> \"><img onerror=alert(5) src=x> invoice\u{202E}fdp.exe & more"
        deleted.detail = "</code><iframe src=https://evil.example/>"
        var altered = Event(
            id: "fedcba9876543210fedcba9876543210",
            detectedAt: DigestTestSupport.date("2026-11-25T10:00:00Z"),
            event: .altered,
            platform: .feed,
            account: Self.hostileAccount,
            accountName: "\"><img src=x onerror=alert(1)>"
        )
        altered.postID = "p2"
        altered.url = "  JaVaScRiPt:alert(6)"
        altered.previousText = "safe text"
        altered.text = "safe <svg onload=alert(7)> text\u{2067}"
        let account = DigestAccount(
            account: Self.hostileAccount,
            name: "\"><img src=x onerror=alert(1)>",
            platform: .feed,
            isConfigured: false,
            entries: [
                DigestEntry(
                    event: deleted,
                    log: "<log>.jsonl",
                    title: "<title>x</title>",
                    media: [
                        "javascript:alert(8)", "https://ok.example/a.jpg\" onmouseover=\"alert(9)",
                        "https://ok.example/b.jpg",
                    ]
                ),
                DigestEntry(event: altered, log: "<log>.jsonl"),
            ],
            coverage: DigestCoverage(
                expectedSeconds: 604_800,
                observedSeconds: 604_800,
                watchedFrom: nil,
                watchedTo: nil,
                blindSpans: [
                    .init(
                        from: DigestTestSupport.date("2026-11-26T00:00:00Z"),
                        to: nil,
                        failedPolls: 1,
                        failureKind: "<k>",
                        failureMessage: "<script>alert(10)</script>",
                        secondsInWeek: 10
                    )
                ]
            )
        )
        let builder = DigestBuilder(
            week: ISOWeek("2026-W48")!,
            timeZone: DigestTestSupport.utc,
            accounts: [],
            now: DigestTestSupport.date("2026-12-01T00:00:00Z"),
            generatedAt: nil
        )
        var digest = builder.build(logs: [])
        digest.accounts = [account]
        digest.totals = DigestBuilder.totals([account])
        digest.days = digest.days.map { day in
            var day = day
            if day.date == "2026-11-24" { day.deletedByAccount = [Self.hostileAccount.rawValue: 1] }
            return day
        }
        digest.lifetimes = DigestBuilder.lifetimes([account])
        return digest
    }

    @Test func hostileTextAppearsEscapedAndInert() {
        let html = HTMLDigestRenderer(digest: Self.hostileDigest()).render()
        let lower = html.lowercased()
        // No element the page did not write itself.
        #expect(!lower.contains("<script"))
        #expect(!lower.contains("<img"))
        #expect(!lower.contains("<iframe"))
        #expect(!lower.contains("<svg onload"))
        #expect(!lower.contains("<b>id"))
        #expect(!lower.contains("<title>x"))
        // The text is there, escaped, for the reader to see.
        #expect(html.contains("&lt;script&gt;alert(3)&lt;/script&gt; &quot;&gt;&lt;img onerror=alert(5) src=x&gt;"))
        #expect(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.contains("&lt;/code&gt;&lt;iframe src=https://evil.example/&gt;"))
        #expect(html.contains("&amp; more"))
        // An attribute value cannot be closed from inside: every quote in text is escaped.
        #expect(!html.contains("\" onmouseover=\""))
        #expect(!lower.contains("onerror=alert(1)>"))
    }

    @Test func onlyHTTPLinksBecomeLinks() throws {
        let html = HTMLDigestRenderer(digest: Self.hostileDigest()).render()
        let hrefs = Self.attributeValues("href", in: html)
        #expect(!hrefs.isEmpty)
        for href in hrefs {
            #expect(href.hasPrefix("https://") || href.hasPrefix("http://") || href.hasPrefix("#"), "href \(href)")
        }
        #expect(hrefs.contains("https://ok.example/b.jpg"))
        #expect(!hrefs.contains { $0.lowercased().contains("javascript") })
        // The javascript: URLs are shown as text, marked as not links.
        #expect(html.contains("<code>javascript:alert(2)</code> (not a web link)"))
        #expect(html.contains("<code>  JaVaScRiPt:alert(6)</code> (not a web link)"))
        #expect(
            html.contains("<code>https://ok.example/a.jpg&quot; onmouseover=&quot;alert(9)</code> (not a web link)")
        )
        for link in Self.tags("a", in: html) where !link.hasPrefix("<a href=\"#") {
            #expect(link.contains("rel=\"noopener noreferrer nofollow\""))
        }
    }

    @Test func rightToLeftOverridesAreShownNotObeyed() {
        let html = HTMLDigestRenderer(digest: Self.hostileDigest()).render()
        #expect(!html.unicodeScalars.contains("\u{202E}"))
        #expect(!html.unicodeScalars.contains("\u{2067}"))
        #expect(html.contains("invoice[U+202E]fdp.exe"))
        #expect(html.contains("text[U+2067]"))
        #expect(html.contains("<div class=\"text\" dir=\"auto\">"))
        let markdown = MarkdownDigestRenderer(digest: Self.hostileDigest()).render()
        #expect(!markdown.unicodeScalars.contains("\u{202E}"))
        #expect(markdown.contains("invoice[U+202E]fdp.exe"))
    }

    @Test func thePageLoadsNothingAndRunsNothing() {
        let html = HTMLDigestRenderer(digest: try! DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai))
            .render()
        let lower = html.lowercased()
        #expect(!lower.contains("<script"))
        #expect(!lower.contains("<link"))
        #expect(!lower.contains("<img"))
        #expect(!lower.contains("<iframe"))
        #expect(!lower.contains("@import"))
        #expect(!lower.contains("url("))
        #expect(Self.attributeValues("src", in: html).isEmpty)
        #expect(!lower.contains("onload="))
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.contains("@media (prefers-color-scheme: dark)"))
        #expect(html.contains("@media print"))
        #expect(html.contains("\"Noto Sans CJK SC\""))
        // The charts are HTML and CSS: no SVG, no image; the days chart describes itself.
        #expect(!lower.contains("<svg"))
        let daysChart = "<div class=\"chart days-chart\" role=\"img\" aria-label=\"Deleted posts per day, by account: "
        #expect(html.contains(daysChart))
        #expect(html.contains("<dl class=\"chart lifetimes-chart\">"))
        #expect(html.contains("市政府门前，约两百人。\n视频稍后上传。"))
        #expect(html.contains("<del>flawed</del><ins>accurate</ins> and <del>incomplete.</del><ins>complete.</ins>"))
    }

    @Test func markdownKeepsHostileTextOutOfMarkup() {
        let markdown = MarkdownDigestRenderer(digest: Self.hostileDigest()).render()
        // Names are escaped; texts sit in fences; non-web links are code spans.
        #expect(markdown.contains("### \"\\>\\<img src=x onerror=alert(1)\\>"))
        #expect(markdown.contains("~~~text\n<script>alert(3)</script>"))
        #expect(markdown.contains("- Permalink: `javascript:alert(2)` (not a web link)"))
        #expect(!markdown.contains("<javascript:"))
        #expect(markdown.contains("- Media: `javascript:alert(8)` (not a web link), "))
    }

    /// Values of attribute `name` in `html` (double-quoted).
    static func attributeValues(_ name: String, in html: String) -> [String] {
        var values: [String] = []
        var rest = Substring(html)
        let marker = " \(name)=\""
        while let range = rest.range(of: marker) {
            let after = rest[range.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { break }
            values.append(String(after[..<end]))
            rest = after[end...]
        }
        return values
    }

    /// Opening tags `<name …>` in `html`.
    static func tags(_ name: String, in html: String) -> [String] {
        var tags: [String] = []
        var rest = Substring(html)
        while let range = rest.range(of: "<\(name) ") {
            let after = rest[range.lowerBound...]
            guard let end = after.firstIndex(of: ">") else { break }
            tags.append(String(after[...end]))
            rest = after[after.index(after: end)...]
        }
        return tags
    }
}
