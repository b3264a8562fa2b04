import Crypto
import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// `PostVersion.normalizeText` reads plain text (``PlainScalar``) without
/// Foundation's NFC round trip and hashes without formatting each byte: every version hash must stay
/// byte for byte what it was, or every stored post would look edited after an upgrade.
@Suite struct PostVersionNormalizationTests {
    /// Every scalar the fast path accepts, in code point order.
    static let plainScalars: [Unicode.Scalar] = (0...0x10FFFF).compactMap {
        Unicode.Scalar(UInt32($0)).flatMap { PlainScalar.isPlain($0.value) ? $0 : nil }
    }

    @Test func everyPlainScalarIsItsOwnNFCAndItsOwnCharacter() throws {
        #expect(Self.plainScalars.count > 50_000)
        for scalar in Self.plainScalars {
            #expect(scalar.properties.canonicalCombiningClass == .notReordered, "U+\(String(scalar.value, radix: 16))")
            #expect(!scalar.properties.isGraphemeExtend, "U+\(String(scalar.value, radix: 16))")
            #expect(Character(scalar).isWhitespace == scalar.properties.isWhitespace)
            #expect(PlainScalar.isWhitespace(scalar.value) == scalar.properties.isWhitespace)
        }
        // In code point order and shuffled: NFC changes nothing, and each scalar is one character
        // (CR and LF are never adjacent: LF comes first in code point order, and the shuffle
        // separates them with "a").
        var random = RandomText(seed: 1)
        let orders = [Self.plainScalars, Self.plainScalars.shuffled(using: &random)]
        for (index, order) in orders.enumerated() {
            var text = ""
            for scalar in order {
                text.unicodeScalars.append(scalar)
                if index == 1 { text.unicodeScalars.append("a") }
            }
            let composed = text.precomposedStringWithCanonicalMapping
            #expect(Array(composed.utf8) == Array(text.utf8))
            #expect(text.count == text.unicodeScalars.count)
        }
        // Next to a space, a letter, a Hangul syllable or an emoji, a plain scalar stays apart.
        for neighbour in [" ", "a", "\u{AC00}", "😀", "\r", "\n"] {
            for scalar in Self.plainScalars where !(neighbour == "\r" && scalar == "\n") {
                let pair = neighbour + String(scalar)
                #expect(pair.count == 2, "\(neighbour.unicodeScalars.first!) + U+\(String(scalar.value, radix: 16))")
            }
        }
    }

    @Test func normalizedTextIsTheComposedWalkOnRandomText() {
        // Half the strings from plain pieces only, so both walks run on the same text.
        let plainPieces = RandomText.pieces.filter { $0.unicodeScalars.allSatisfy { PlainScalar.isPlain($0.value) } }
        var random = RandomText(seed: 9)
        var plainCount = 0
        for round in 0..<20_000 {
            var text = random.text(from: round.isMultiple(of: 2) ? plainPieces : RandomText.pieces)
            if text.withUTF8(PostVersion.collapsingPlainText) != nil { plainCount += 1 }
            let fast = PostVersion.normalizeText(text)
            let general = PostVersion.collapsingComposedText(text)
            #expect(Array(fast.utf8) == Array(general.utf8), "\(Array(text.unicodeScalars))")
        }
        #expect(plainCount > 10_000)
    }

    @Test func normalizedTextIsTheComposedWalkOnRecordedText() throws {
        for name in FeedFixtures.allNames {
            let text = String(decoding: try FeedFixtures.data(name), as: UTF8.self)
            for chunk in text.split(separator: "<") {
                let piece = String(chunk)
                #expect(
                    Array(PostVersion.normalizeText(piece).utf8)
                        == Array(PostVersion.collapsingComposedText(piece).utf8), "\(name)")
            }
        }
    }

    @Test func theHashOfKnownVersionsIsUnchanged() {
        // sha256sum of the canonical forms, computed outside Swift.
        #expect(
            PostVersion(text: " Hello\u{3000}world\r\n").hash
                == "e0304c983d24b8d8647ff631769a051db1dac6d84b08b02ab8581362a4a7d096")
        let full = PostVersion(
            text: "Hello  world", title: "T", media: ["https://cdn.example/a.jpg?sig=1"],
            links: ["https://x.example/p?utm_source=a&b=2#f"], reference: "r", revision: "c")
        #expect(
            full.canonicalForm
                == "v1\ntitle:T\ntext:Hello world\nmedia:https://cdn.example/a.jpg\nlink:https://x.example/p?b=2\nref:r\nrev:c"
        )
        #expect(full.hash == "7cbf7c249c90bcef944876a1a07aa9ca1a51b8b00702e7682e3477f0b99c8383")
    }

    @Test func theHashIsTheSHA256OfTheCanonicalFormOnRandomVersions() {
        // The hash feeds the canonical form's parts to SHA-256 one by one: it must equal the hash
        // of the whole string, whatever the fields (empty, non-ASCII, several media and links).
        var random = RandomText(seed: 11)
        for round in 0..<2_000 {
            let pick = { (random: inout RandomText) -> String in random.text(from: RandomText.pieces) }
            let version = PostVersion(
                text: pick(&random), title: round.isMultiple(of: 3) ? nil : pick(&random),
                media: (0..<Int(random.next() % 3)).map { "https://cdn.example/\($0)/" + pick(&random) },
                links: (0..<Int(random.next() % 3)).map { "https://x.example/\($0)?q=" + pick(&random) },
                reference: round.isMultiple(of: 5) ? nil : pick(&random),
                revision: round.isMultiple(of: 2) ? nil : pick(&random))
            #expect(version.hash == ContentHash.sha256Hex(version.canonicalForm), "round \(round)")
        }
    }

    @Test func hexDigitsAreThoseOfFormattingEachByte() {
        var random = RandomText(seed: 3)
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0...64, using: &random)).map { _ in
                UInt8.random(in: 0...255, using: &random)
            }
            let digest = SHA256.hash(data: bytes)
            #expect(ContentHash.hex(digest) == digest.map { String(format: "%02x", $0) }.joined())
        }
    }

    @Test func anyBytesBecomeHexThroughTheOneHelper() {
        var random = RandomText(seed: 5)
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0...100, using: &random)).map { _ in
                UInt8.random(in: 0...255, using: &random)
            }
            let formatted = bytes.map { String(format: "%02x", $0) }.joined()
            #expect(ContentHash.hex(Data(bytes)) == formatted)
            #expect(ContentHash.hex(bytes) == formatted)
        }
    }

    @Test func hexNamesOnDiskAndOnTheWireKeepTheirDigits() {
        // Known answers from Python's hashlib and hmac, not from this code.
        let key = AccountKey(rawValue: "mastodon:@alice@example.social")
        #expect(key.directoryName.hasSuffix("-247a5049c13ddbac"))
        #expect(
            Event.makeID(account: key, post: "p1", kind: .deleted, proof: "s1") == "3beaa5c2b7bb7aade21d23ab6450ee12")
        #expect(
            WebhookSender.signature(of: Data(#"{"a":1}"#.utf8), secret: Data("k3y".utf8))
                == "sha256=32db719f172c48e89dbfa56ed20d9e19cdbfdbe9f652ccdf5fa03494d2444853")
    }
}
