/// Unicode scalars that text can be read one at a time, as if each were a whole character:
/// each is its own NFC form (NFC_Quick_Check = Yes, canonical combining class 0) and never forms
/// one grapheme with a neighbour (it is not Extend, ZWJ, SpacingMark, Prepend, a regional
/// indicator or a conjoining Hangul jamo).
///
/// Text made only of plain scalars is already NFC, and walking it scalar by scalar gives what
/// walking it `Character` by `Character` gives (CR LF aside, which is one character), so
/// ``PostVersion/normalizeText(_:)`` and ``HTMLText`` read it over its UTF-8 bytes without
/// Foundation's NFC round trip or grapheme breaking. Any other text takes the general path.
///
/// The plain blocks: Latin, Latin-1 and the spacing modifiers (below U+0300), Cyrillic letters,
/// general punctuation, super- and subscripts, currency, arrows to miscellaneous symbols, CJK
/// symbols, kana, bopomofo, enclosed CJK, CJK ideographs, Hangul syllables, private use,
/// fullwidth forms, U+FFFD, and symbols and emoji without skin-tone modifiers. Left out on purpose
/// (general path): combining marks, Greek, the Indic and other complex scripts, conjoining jamo,
/// NFC singletons (U+2000, U+2001, U+2329, U+232A, U+2ADC, the Ohm and Kelvin signs,
/// compatibility ideographs), variation selectors, ZWJ and ZWNJ, regional indicators and emoji
/// modifiers. Ranges from the Unicode Character Database (DerivedNormalizationProps.txt,
/// GraphemeBreakProperty.txt); `PostVersionNormalizationTests` checks every plain scalar against
/// Foundation's NFC and the standard library's grapheme breaking.
enum PlainScalar {
    /// True when the scalar `value` is plain (see the type's documentation).
    @inline(__always)
    static func isPlain(_ value: UInt32) -> Bool {
        if value < 0x0300 { return true }
        switch value {
        case 0x0400...0x0482, 0x048A...0x052F,  // Cyrillic, without its combining marks
            0x2002...0x200B, 0x200E...0x2064,  // general punctuation, without U+2000/1, ZWNJ, ZWJ
            0x2070...0x20CF,  // super- and subscripts, currency
            0x2190...0x2328, 0x232B...0x2ADB, 0x2ADD...0x2BFF,  // arrows … symbols, without 2329/232A/2ADC
            0x3000...0x3029, 0x3030...0x3098, 0x309B...0x30FF,  // CJK symbols and kana, without combining marks
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

    /// True when the plain scalar `value` has the Unicode White_Space property, which is what
    /// `Character.isWhitespace` reads (of a character's first scalar): tab to carriage return,
    /// space, NEL, no-break space, U+2002–U+200A, the line and paragraph separators, the narrow
    /// no-break space, the medium mathematical space and the ideographic space.
    @inline(__always)
    static func isWhitespace(_ value: UInt32) -> Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x2002...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// The scalar starting at `index` of valid UTF-8 `bytes`, and its length in bytes (1 to 4).
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (value: UInt32, length: Int) {
        let lead = bytes[index]
        if lead < 0x80 { return (UInt32(lead), 1) }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length { value = value << 6 | UInt32(bytes[index + offset] & 0x3F) }
        return (value, length)
    }

    /// True when every scalar of valid UTF-8 `bytes` is plain.
    static func isPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            let (value, length) = Self.decode(bytes, at: index)
            guard Self.isPlain(value) else { return false }
            index += length
        }
        return true
    }
}
