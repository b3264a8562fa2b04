import Foundation
import Testing

@testable import PalimpsestCore

/// `FeedText.trimmed` and `FeedText.isBlank` replace Foundation's
/// `trimmingCharacters(in: .whitespacesAndNewlines)` on the feed path (an `NSString` round trip
/// per field): IDs, links and texts must come out byte for byte the same, or stored posts would
/// change ID or look edited after an upgrade.
@Suite struct FeedTextTrimmingTests {
    @Test func theWhitespaceSetIsFoundations() {
        for value in 0...0x10FFFF {
            guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
            let text = String(scalar)
            let foundation = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            #expect(FeedText.isBlank(text) == foundation, "U+\(String(value, radix: 16))")
        }
    }

    @Test func trimmingIsFoundationsOnRandomText() {
        var random = RandomText(seed: 31)
        for _ in 0..<20_000 {
            let text = random.text(maximumPieces: 8)
            let foundation = text.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(Array(FeedText.trimmed(text).utf8) == Array(foundation.utf8), "\(Array(text.unicodeScalars))")
            #expect(FeedText.isBlank(text) == foundation.isEmpty)
        }
    }

    @Test func unwrappingCDATAIsUnchangedOnRandomText() {
        let pieces = RandomText.pieces + ["<![CDATA[", "]]>", "<![CDATA[\u{0301}", "]]\u{0301}>", "<!"]
        var random = RandomText(seed: 32)
        for _ in 0..<20_000 {
            let text = random.text(maximumPieces: 10, from: pieces)
            #expect(Array(FeedText.unwrappingCDATA(text).utf8) == Array(Self.foundationUnwrapping(text).utf8))
        }
    }

    @Test func schemeDetectionOverBytesIsTheCharacterRule() {
        let pieces = [
            "http", "https", "mailto", "a+b.c-d", "9", "x", ":", "//", "/", "\u{0301}", ":\u{0301}", "é", " ", "?", "#",
            "中", "\u{200D}", "\u{FE0F}", "-", ".", "+", "example.org", "%3A",
        ]
        var random = RandomText(seed: 33)
        for _ in 0..<20_000 {
            let text = random.text(maximumPieces: 6, from: pieces)
            #expect(
                FeedParser.hasScheme(text) == FeedParser.hasSchemeByCharacters(text), "\(Array(text.unicodeScalars))")
        }
    }

    @Test func theByteSearchFindsWhatAnArraySearchFinds() {
        let pieces = ["<![CDATA[", "<![CDATA", "<!", "[", "a", "中", "<", "]]>"]
        var random = RandomText(seed: 34)
        for _ in 0..<5_000 {
            let text = random.text(maximumPieces: 6, from: pieces)
            let expected = Array(text.utf8).firstRange(of: Array("<![CDATA[".utf8)) != nil
            #expect(FeedText.holdsBytes("<![CDATA[", in: text) == expected, "\(text)")
        }
    }

    /// The unwrapping as it was before the byte search went in front of it.
    static func foundationUnwrapping(_ text: String) -> String {
        guard text.contains("<![CDATA[") else { return text }
        var current = text
        for _ in 0..<16 {
            var result = ""
            var rest = current[...]
            while let open = rest.range(of: "<![CDATA[") {
                guard let close = rest[open.upperBound...].range(of: "]]>") else { break }
                result += rest[..<open.lowerBound]
                result += rest[open.upperBound..<close.lowerBound]
                rest = rest[close.upperBound...]
            }
            result += rest
            if result == current { break }
            current = result
        }
        return current
    }
}
