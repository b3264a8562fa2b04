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

    /// The canonical form as one string (see the type's documentation).
    public var canonicalForm: String {
        var form = "v\(Self.formatVersion)\ntitle:"
        form += self.title ?? ""
        form += "\ntext:"
        form += self.text
        for media in self.media {
            form += "\nmedia:"
            form += media
        }
        for link in self.links {
            form += "\nlink:"
            form += link
        }
        form += "\nref:"
        form += self.reference ?? ""
        if let revision = self.revision {
            form += "\nrev:"
            form += revision
        }
        return form
    }

    /// SHA-256 of ``canonicalForm``, lowercase hex (64 characters).
    public var hash: String {
        ContentHash.sha256Hex(self.canonicalForm)
    }

    /// Collapses whitespace runs to one space, trims, and applies Unicode NFC.
    ///
    /// Text made only of plain scalars (``isPlainScalar(_:)``: each is its own NFC form and its
    /// own grapheme) is walked once over its UTF-8 bytes; any other text is composed by Foundation
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

    /// ``normalizeText(_:)`` for UTF-8 made of plain scalars only, or `nil` when a scalar is not
    /// plain. Plain text is already NFC, and each scalar is one character, so whitespace is
    /// collapsed scalar by scalar (White_Space, as `Character.isWhitespace` reads it).
    static func collapsingPlainText(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var isPlain = true
        let result = String(unsafeUninitializedCapacity: bytes.count) { output in
            var count = 0
            var pendingSpace = false
            var index = 0
            while index < bytes.count {
                let lead = bytes[index]
                if lead < 0x80 {
                    if lead == 0x20 || (0x09...0x0D).contains(lead) {
                        pendingSpace = count > 0
                    } else {
                        if pendingSpace {
                            output[count] = 0x20
                            count += 1
                            pendingSpace = false
                        }
                        output[count] = lead
                        count += 1
                    }
                    index += 1
                    continue
                }
                // Valid UTF-8 (a String's own bytes): the lead byte gives the length.
                let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
                var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                for offset in 1..<length { value = value << 6 | UInt32(bytes[index + offset] & 0x3F) }
                guard let scalar = Unicode.Scalar(value), Self.isPlainScalar(scalar) else {
                    isPlain = false
                    return 0
                }
                if scalar.properties.isWhitespace {
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

    /// True for a scalar that is its own NFC form (NFC_Quick_Check = Yes, canonical combining
    /// class 0) and that never forms one grapheme with a neighbour (not Extend, ZWJ, SpacingMark,
    /// Prepend, a regional indicator or a conjoining Hangul jamo): Latin, Latin-1 and the spacing
    /// modifiers (below U+0300), Cyrillic letters, general punctuation, currency and arrows to
    /// miscellaneous symbols, CJK symbols, kana, CJK ideographs, Hangul syllables, private use,
    /// fullwidth forms, U+FFFD, and emoji without modifiers. Blocks holding any other scalar
    /// (combining marks, Greek, Indic scripts, compatibility ideographs, variation selectors, …)
    /// are left to the general path. Ranges from the Unicode Character Database
    /// (DerivedNormalizationProps.txt, GraphemeBreakProperty.txt); `PostVersionNormalizationTests`
    /// checks each scalar against Foundation and the standard library.
    static func isPlainScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0000...0x02FF,  // ASCII, Latin-1, Latin Extended-A/B, IPA, spacing modifiers
            0x0400...0x0482, 0x048A...0x052F,  // Cyrillic, without its combining marks
            0x2002...0x200B, 0x200E...0x2064,  // general punctuation, without U+2000/1 (NFC_QC=No), ZWNJ, ZWJ
            0x2070...0x20CF,  // super- and subscripts, currency
            0x2190...0x2328, 0x232B...0x2ADB, 0x2ADD...0x2BFF,  // arrows … symbols, without 2329/232A/2ADC
            0x3000...0x3029, 0x3030...0x3098, 0x309B...0x30FF,  // CJK symbols, kana, without combining marks
            0x3100...0x33FF,  // bopomofo, compatibility jamo, kanbun, enclosed CJK, CJK compatibility
            0x3400...0x4DBF, 0x4E00...0x9FFF,  // CJK ideographs
            0xAC00...0xD7A3,  // Hangul syllables (a following conjoining jamo is not plain)
            0xE000...0xF8FF,  // private use
            0xFF01...0xFF9D, 0xFFA0...0xFFEF,  // fullwidth and halfwidth forms, without the sound marks
            0xFFFD,  // the replacement character
            0x1F000...0x1F1E5, 0x1F200...0x1F3FA, 0x1F400...0x1FAFF:  // symbols and emoji, no modifiers
            return true
        default:
            return false
        }
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
