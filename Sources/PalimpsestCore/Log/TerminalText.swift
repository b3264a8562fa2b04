/// Text made safe and measured for a terminal line: control characters removed, line breaks
/// shown as `⏎`, widths in terminal columns.
///
/// Widths follow Unicode Standard Annex #11 (East Asian Width, https://www.unicode.org/reports/tr11/)
/// and UTS #51 emoji presentation, as terminals apply them: East Asian Wide (W) and Fullwidth (F)
/// characters and emoji shown as emoji take 2 columns, combining marks and format characters 0,
/// everything else 1. Ambiguous-width characters (A) count 1, as in non-CJK locales.
///
/// This is the one table of characters that must not reach a reader as they are
/// (``hiddenKind(of:)``), and the one way evidence text shows them (``visible(_:isolated:)``):
/// `tail` and the digest's Markdown and HTML show the dangerous ones as the same visible markers
/// (`[U+202E]`); the other terminal outputs (`check-config`, `poll`, `status`, the digest command,
/// operator log lines) remove them.
public enum TerminalText {
    /// Why a character must not be shown as it is.
    public enum HiddenKind: Sendable, Hashable {
        /// C0 and C1 control characters and DEL: a terminal obeys them (`ESC [` sequences move the
        /// cursor, recolour or clear the screen).
        case control
        /// Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they
        /// reorder the text after them ("Trojan Source").
        case reordering
        /// Invisible direction marks (U+200E, U+200F, U+061C): harmless in right-to-left text, but
        /// they can move neighbouring text on a terminal line.
        case directionMark
        /// A byte-order mark (U+FEFF): invisible.
        case byteOrderMark
    }

    /// The one table: what kind of hidden or reordering character `scalar` is, or `nil` for an
    /// ordinary character (line feed and tab are control characters here; callers that keep them
    /// say so).
    public static func hiddenKind(of scalar: Unicode.Scalar) -> HiddenKind? {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return .control
        case 0x202A...0x202E, 0x2066...0x2069: return .reordering
        case 0x200E, 0x200F, 0x061C: return .directionMark
        case 0xFEFF: return .byteOrderMark
        default: return nil
        }
    }

    /// How untrusted text (a post's text, an account name, a post ID) shows `scalar` to a reader:
    /// `nil` when it is shown as it is; else what stands in its place. The control characters
    /// other than line feed and tab, the reordering controls and the byte-order mark become a
    /// visible marker such as `[U+202E]`, so the reader sees that the text holds one; a direction
    /// mark (U+200E, U+200F, U+061C) is kept where the output isolates every text (`isolated`: the
    /// digest's `dir="auto"` and `<bdi>`, where right-to-left text needs it) and left out on a
    /// terminal line, which cannot isolate it.
    public static func shown(_ scalar: Unicode.Scalar, isolated: Bool) -> String? {
        if scalar == "\t" || scalar == "\n" { return nil }
        switch Self.hiddenKind(of: scalar) {
        case nil: return nil
        case .directionMark?: return isolated ? nil : ""
        case .control?, .reordering?, .byteOrderMark?: return Self.marker(scalar)
        }
    }

    /// `text` as evidence outputs show it (`tail`, the digest's Markdown and HTML): every
    /// character of the table replaced as ``shown(_:isolated:)`` says; CR LF and CR become LF.
    /// The exact text stays in the deletion log, `events.csv` and `digest.json`.
    public static func visible(_ text: String, isolated: Bool) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\r" || Self.shown($0, isolated: isolated) != nil })
        else { return text }
        var result = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            if scalar == "\n" {
                if !previousWasCR { result.append(scalar) }
            } else if scalar == "\r" {
                result.append("\n")
            } else if let replacement = Self.shown(scalar, isolated: isolated) {
                result.append(contentsOf: replacement.unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// `[U+202E]`: the code point in upper-case hex, at least four digits.
    static func marker(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "[U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
    }

    /// `text` safe to write to a terminal as it is laid out: every character of the table
    /// (``hiddenKind(of:)``) removed except line feeds and tabs; spaces untouched. The last filter
    /// of every line the commands print.
    public static func safe(_ text: String) -> String {
        guard Self.containsHidden(text) else { return text }
        return String(
            String.UnicodeScalarView(
                text.unicodeScalars.filter { $0 == "\n" || $0 == "\t" || Self.hiddenKind(of: $0) == nil }))
    }

    /// Whether `text` holds a scalar that ``safe(_:)`` removes (``hiddenKind(of:)`` other than line
    /// feed and tab), found in its UTF-8 bytes: every such scalar is a control byte, or starts with
    /// the lead byte `C2` (C1 controls), `D8` (U+061C), `E2` (U+200E/F, U+202A–E, U+2066–9) or `EF`
    /// (U+FEFF), so other text is not decoded (a `status` of 100,000 accounts is tens of MB).
    static func containsHidden(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            let count = bytes.count
            var index = 0
            while index < count {
                let byte = bytes[index]
                switch byte {
                case 0x0A, 0x09:
                    break
                case 0x00...0x1F, 0x7F:
                    return true
                case 0xC2:
                    if index + 1 < count, (0x80...0x9F).contains(bytes[index + 1]) { return true }
                case 0xD8:
                    if index + 1 < count, bytes[index + 1] == 0x9C { return true }
                case 0xE2:
                    if index + 2 < count {
                        let second = bytes[index + 1]
                        let third = bytes[index + 2]
                        if second == 0x80, third == 0x8E || third == 0x8F || (0xAA...0xAE).contains(third) {
                            return true
                        }
                        if second == 0x81, (0xA6...0xA9).contains(third) { return true }
                    }
                case 0xEF:
                    if index + 2 < count, bytes[index + 1] == 0xBB, bytes[index + 2] == 0xBF { return true }
                default:
                    break
                }
                index += 1
            }
            return false
        }
    }

    /// `text` on one line: every line break (CR, LF, CRLF, U+2028, U+2029) becomes `⏎`, other
    /// whitespace runs one space; control characters and bidirectional overrides (which could
    /// reorder or hide what follows on the operator's terminal) are removed; leading and trailing
    /// spaces trimmed. For a value shown inside a line: a name, a post text, a message.
    public static func singleLine(_ text: String) -> String {
        Self.singleLine(text, maximumCharacters: .max).text
    }

    /// ``singleLine(_:)`` of the start of `text`: stops once `maximumCharacters` characters are
    /// written (a line shown cut to a few columns need not read a long text to its end).
    /// - Returns: the line, and whether anything visible of `text` was left out.
    static func singleLine(_ text: String, maximumCharacters: Int) -> (text: String, cut: Bool) {
        if text.utf8.count <= maximumCharacters, Self.isPlainLine(text) {
            // Printable ASCII, single spaces, nothing to trim, short enough: kept as it is.
            return (text, false)
        }
        var result = ""
        var written = 0
        var pendingSpace = false
        for character in text {
            if character.isNewline {
                if written >= maximumCharacters { return (result, true) }
                result.append("⏎")
                written += 1
                pendingSpace = false
                continue
            }
            if character.isWhitespace {
                pendingSpace = !result.isEmpty
                continue
            }
            let kept = String(String.UnicodeScalarView(character.unicodeScalars.filter { !Self.isHidden($0) }))
            if kept.isEmpty { continue }
            if written >= maximumCharacters { return (result, true) }
            if pendingSpace {
                result.append(" ")
                written += 1
            }
            pendingSpace = false
            result.append(kept)
            written += 1
        }
        return (result, false)
    }

    /// True when ``singleLine(_:)`` leaves `text` as it is without reading it character by
    /// character: printable ASCII only, no leading or trailing space, no two spaces in a row.
    private static func isPlainLine(_ text: String) -> Bool {
        var previous: UInt8 = 0x20
        for byte in text.utf8 {
            guard byte >= 0x20, byte < 0x7F, !(byte == 0x20 && previous == 0x20) else { return false }
            previous = byte
        }
        return previous != 0x20 || text.isEmpty
    }

    /// The first characters of `text` that fit in `columns` terminal columns, never cutting a
    /// grapheme cluster, and whether anything was left out.
    static func prefix(_ text: String, columns: Int) -> (text: String, truncated: Bool) {
        var used = 0
        var result = ""
        for character in text {
            let width = Self.columns(of: character)
            if used + width > columns { return (result, true) }
            used += width
            result.append(character)
        }
        return (result, false)
    }

    /// `text` cut to `columns` columns with `…` appended when cut (the ellipsis goes after the
    /// columns).
    static func truncated(_ text: String, columns: Int) -> String {
        let (kept, truncated) = Self.prefix(text, columns: columns)
        return truncated ? kept + "…" : kept
    }

    /// Terminal columns of a string.
    static func columns(of text: String) -> Int {
        text.reduce(0) { $0 + Self.columns(of: $1) }
    }

    /// Terminal columns of one grapheme cluster: 0, 1 or 2.
    static func columns(of character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        let properties = first.properties
        if properties.isEmojiPresentation { return 2 }
        if properties.isEmoji, scalars.contains("\u{FE0F}") { return 2 }
        if Self.isWide(first.value) { return 2 }
        switch properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: return 1
        }
    }

    /// Every character of the table (``hiddenKind(of:)``).
    private static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        Self.hiddenKind(of: scalar) != nil
    }

    /// East Asian Wide (W) and Fullwidth (F) blocks of UAX #11 (EastAsianWidth.txt), merged into ranges.
    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F,  // Hangul Jamo initial consonants
            0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
            0x2E80...0x303E,  // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
            0x3041...0x33FF,  // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK compatibility
            0x3400...0x4DBF,  // CJK unified ideographs extension A
            0x4E00...0x9FFF,  // CJK unified ideographs
            0xA000...0xA4CF,  // Yi
            0xA960...0xA97F,  // Hangul Jamo extended A
            0xAC00...0xD7A3,  // Hangul syllables
            0xF900...0xFAFF,  // CJK compatibility ideographs
            0xFE10...0xFE19,  // vertical forms
            0xFE30...0xFE6F,  // CJK compatibility forms, small form variants
            0xFF00...0xFF60,  // fullwidth forms
            0xFFE0...0xFFE6,  // fullwidth signs
            0x16FE0...0x16FE4, 0x17000...0x18CFF,  // Tangut and others
            0x1B000...0x1B2FF,  // Kana supplement and extensions, Nushu
            0x1F200...0x1F2FF,  // enclosed ideographic supplement
            0x20000...0x2FFFD,  // CJK extensions B–F, compatibility supplement
            0x30000...0x3FFFD:  // CJK extensions G, H
            return true
        default:
            return false
        }
    }
}
