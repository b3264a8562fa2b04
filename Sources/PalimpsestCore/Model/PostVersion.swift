import Crypto
import Foundation

/// The canonical, normalized content of a post, and its SHA-256.
///
/// Two polls that see the same content give the same hash even when counts, relative times,
/// whitespace or volatile URL query strings differ; any change of words, media, links or the
/// reposted reference gives a different hash (rule of evidence 5).
///
/// Canonical form (format version 1): the lines `v1`, `title:<t>`, `text:<t>`, one `media:<u>` per
/// media item, one `link:<u>` per link, `ref:<r>`, then `rev:<r>` only when the post has a
/// ``Post/revision`` (so posts without one hash exactly as before it existed), joined by `\n` and
/// hashed as UTF-8. Text is
/// Unicode NFC with every run of whitespace collapsed to one space and trimmed. Media URLs lose
/// their whole query string and fragment (CDNs sign and expire them); links lose their fragment and
/// the query parameters listed in ``volatileQueryParameters``.
public struct PostVersion: Sendable, Hashable {
    /// Version of the canonical form; bump it only with a migration note in docs/state-format.md.
    public static let formatVersion = 1

    /// Query parameters removed from links before hashing: tracking and URL-signing parameters
    /// that change between fetches without any change of content.
    public static let volatileQueryParameters: Set<String> = [
        "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "fbclid", "gclid",
        "expires", "signature", "sig", "token", "key-pair-id", "policy", "x-amz-algorithm",
        "x-amz-credential", "x-amz-date", "x-amz-expires", "x-amz-signedheaders", "x-amz-signature",
        "x-amz-security-token", "oe", "oh", "_nc_ht", "_nc_cat", "_nc_ohc",
    ]

    public let text: String
    public let title: String?
    public let media: [String]
    public let links: [String]
    public let reference: String?
    /// The platform's record revision (Bluesky `cid`), compared as is.
    public let revision: String?

    /// Normalizes the given content into its canonical form.
    public init(
        text: String, title: String? = nil, media: [String] = [], links: [String] = [], reference: String? = nil,
        revision: String? = nil
    ) {
        self.text = Self.normalizeText(text)
        self.title = title.map(Self.normalizeText)
        self.media = media.map(Self.stripQuery)
        self.links = links.map(Self.stripVolatileQuery)
        self.reference = reference
        self.revision = revision
    }

    /// Gives the parts of the canonical form to `part`, in order: concatenated, they are
    /// ``canonicalForm`` (see the type's documentation). ``hash`` feeds them to SHA-256 as they
    /// come, so the form is written in one place and no string is built to hash it.
    private func forEachCanonicalPart(_ part: (String) -> Void) {
        part("v\(Self.formatVersion)\ntitle:")
        part(self.title ?? "")
        part("\ntext:")
        part(self.text)
        for media in self.media {
            part("\nmedia:")
            part(media)
        }
        for link in self.links {
            part("\nlink:")
            part(link)
        }
        part("\nref:")
        part(self.reference ?? "")
        if let revision = self.revision {
            part("\nrev:")
            part(revision)
        }
    }

    /// The canonical form as one string (see the type's documentation).
    public var canonicalForm: String {
        var form = ""
        self.forEachCanonicalPart { form += $0 }
        return form
    }

    /// SHA-256 of ``canonicalForm``, lowercase hex (64 characters), hashed part by part.
    public var hash: String {
        var hasher = SHA256()
        self.forEachCanonicalPart { part in
            var part = part
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return ContentHash.hex(hasher.finalize())
    }

    /// Collapses whitespace runs to one space, trims, and applies Unicode NFC.
    ///
    /// Text made only of plain scalars (``PlainScalar``: each is its own NFC form and its own
    /// grapheme) is walked once over its UTF-8 bytes; any other text is composed by Foundation
    /// (`precomposedStringWithCanonicalMapping`) and walked by characters. Both walks give the same
    /// string for plain text (`PostVersionNormalizationTests` checks every plain scalar).
    public static func normalizeText(_ text: String) -> String {
        var text = text
        if let plain = text.withUTF8(Self.collapsingPlainText) { return plain }
        return Self.collapsingComposedText(text)
    }

    /// ``normalizeText(_:)`` for any text: NFC through Foundation, then whitespace collapsed per
    /// character (a character is whitespace when its first scalar is, as `Character.isWhitespace`).
    static func collapsingComposedText(_ text: String) -> String {
        let composed = text.precomposedStringWithCanonicalMapping
        var result = ""
        result.reserveCapacity(composed.utf8.count)
        var pendingSpace = false
        for character in composed {
            if character.isWhitespace {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(character)
            }
        }
        return result
    }

    /// ``normalizeText(_:)`` for UTF-8 made of plain scalars only (``PlainScalar``), or `nil`
    /// when a scalar is not plain. Plain text is already NFC, and each scalar is one character,
    /// so whitespace is collapsed scalar by scalar.
    static func collapsingPlainText(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var isPlain = true
        let result = String(unsafeUninitializedCapacity: bytes.count) { output in
            var count = 0
            var pendingSpace = false
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0x80 {
                    // ASCII, the commonest byte: plain, and whitespace when tab to CR or space.
                    if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                        pendingSpace = count > 0
                    } else {
                        if pendingSpace {
                            output[count] = 0x20
                            count += 1
                            pendingSpace = false
                        }
                        output[count] = byte
                        count += 1
                    }
                    index += 1
                    continue
                }
                if (byte >= 0xE5 && byte <= 0xE9)
                    || (byte == 0xE3 && bytes[index + 1] >= 0x81 && bytes[index + 1] <= 0x83
                        && !(bytes[index + 1] == 0x82 && (bytes[index + 2] == 0x99 || bytes[index + 2] == 0x9A)))
                {
                    // U+5000–U+9FFF (CJK ideographs) and U+3040–U+30FF (kana) but the two combining
                    // sound marks U+3099 and U+309A: the bulk of Chinese and Japanese text, plain
                    // and never whitespace, copied without decoding.
                    if pendingSpace {
                        output[count] = 0x20
                        count += 1
                        pendingSpace = false
                    }
                    output[count] = byte
                    output[count + 1] = bytes[index + 1]
                    output[count + 2] = bytes[index + 2]
                    count += 3
                    index += 3
                    continue
                }
                let (value, length) = PlainScalar.decode(bytes, at: index)
                guard PlainScalar.isPlain(value) else {
                    isPlain = false
                    return 0
                }
                if PlainScalar.isWhitespace(value) {
                    pendingSpace = count > 0
                } else {
                    if pendingSpace {
                        output[count] = 0x20
                        count += 1
                        pendingSpace = false
                    }
                    for offset in 0..<length { output[count + offset] = bytes[index + offset] }
                    count += length
                }
                index += length
            }
            return count
        }
        return isPlain ? result : nil
    }

    static func stripQuery(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.query = nil
        components.fragment = nil
        return components.string ?? url
    }

    static func stripVolatileQuery(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.fragment = nil
        if let items = components.queryItems {
            let kept = items.filter { !Self.volatileQueryParameters.contains($0.name.lowercased()) }
            components.queryItems = kept.isEmpty ? nil : kept
        }
        return components.string ?? url
    }
}
