import Foundation
import Testing

@testable import PalimpsestCore

/// `tail` and the digest show a post's hostile characters the same way (one table, one function:
/// ``TerminalText/visible(_:isolated:)``): as markers such as `[U+202E]`, so the reader sees what
/// the text held and nothing reorders or drives the screen.
@Suite struct HostileTextDisplayTests {
    /// A right-to-left override hiding an extension, an escape sequence that would clear the
    /// screen, a bell, a byte-order mark and a right-to-left isolate.
    static let hostile = "invoice\u{202E}fdp.exe \u{1B}[2J wiped\u{7}\u{FEFF} \u{2067}isolated\u{2069} end"
    static let shown = "invoice[U+202E]fdp.exe [U+001B][2J wiped[U+0007][U+FEFF] [U+2067]isolated[U+2069] end"

    /// The text between 「 and 」 of a `tail` line.
    static func quoted(_ line: String) throws -> String {
        let start = try #require(line.firstIndex(of: "「"))
        let end = try #require(line.lastIndex(of: "」"))
        return String(line[line.index(after: start)..<end])
    }

    @Test func tailAndTheDigestShowHostileTextTheSameWay() throws {
        var digest = HTMLDigestRendererTests.hostileDigest()
        let entry = try #require(digest.accounts.first?.entries.firstIndex { $0.event.event == .deleted })
        digest.accounts[0].entries[entry].event.text = Self.hostile
        digest.accounts[0].entries[entry].event.accountName = "News\u{1B}[31m \u{202E}cod.exe"
        digest.accounts[0].name = "News\u{1B}[31m \u{202E}cod.exe"
        let event = digest.accounts[0].entries[entry].event

        let tail = EventLineFormatter(timeZone: .gmt, textColumns: 200).format(event)
        let markdown = MarkdownDigestRenderer(digest: digest).render()
        let html = HTMLDigestRenderer(digest: digest).render()

        #expect(try Self.quoted(tail) == Self.shown)
        #expect(markdown.contains(Self.shown))
        #expect(html.contains(Self.shown))
        #expect(tail.contains("News[U+001B][31m [U+202E]cod.exe"))
        // In a Markdown line the brackets are escaped (`\[`): it renders as the same markers.
        #expect(markdown.contains(#"News\[U+001B\]\[31m \[U+202E\]cod.exe"#))
        #expect(html.contains("News[U+001B][31m [U+202E]cod.exe"))
        for output in [tail, markdown, html] {
            #expect(!output.unicodeScalars.contains { TerminalText.shown($0, isolated: true) != nil })
        }
    }

    @Test func directionMarksStayWhereTheDigestIsolatesTextAndLeaveATerminalLine() {
        let arabic = "\u{200F}مرحبا\u{200F} 2026"
        #expect(TerminalText.visible(arabic, isolated: true) == arabic)
        #expect(TerminalText.visible(arabic, isolated: false) == "مرحبا 2026")
        #expect(TerminalText.visible("a\r\nb\rc\td", isolated: false) == "a\nb\nc\td")
    }

    /// `safe` finds hidden characters in the UTF-8 bytes: the same answer as asking each scalar,
    /// for every hidden scalar, its neighbours, and random text.
    @Test func safeFindsEveryHiddenScalarInTheBytes() {
        var scalars: [Unicode.Scalar] = (0...0x3FF).compactMap(Unicode.Scalar.init)
        for range in [0x0600...0x0620, 0x2000...0x2080, 0xFE00...0xFFFF] {
            scalars += range.compactMap(Unicode.Scalar.init)
        }
        func byScalar(_ text: String) -> String {
            String(
                String.UnicodeScalarView(
                    text.unicodeScalars.filter { $0 == "\n" || $0 == "\t" || TerminalText.hiddenKind(of: $0) == nil }))
        }
        for scalar in scalars {
            for text in ["\(scalar)", "a\(scalar)b", "中\(scalar)", "\(scalar)\(scalar)"] {
                #expect(TerminalText.safe(text) == byScalar(text), "U+\(String(scalar.value, radix: 16))")
            }
        }
        var random = RandomText(seed: 0x5AFE)
        for _ in 0..<2_000 {
            let text = random.text(
                maximumPieces: 12, from: RandomText.pieces + ["\u{202E}", "\u{FEFF}", "\u{1B}", "\u{9B}"])
            #expect(TerminalText.safe(text) == byScalar(text))
        }
    }
}
