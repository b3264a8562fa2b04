/// Seeded random text for the property tests that compare two implementations of one rule: the
/// same seed always gives the same strings, so a failure can be replayed.
struct RandomText: RandomNumberGenerator {
    private var state: UInt64

    /// A generator whose sequence depends only on `seed` (SplitMix64).
    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = self.state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// Pieces text is made of: ASCII words and punctuation, every kind of whitespace, CJK, kana,
    /// Hangul (syllables and conjoining jamo), Cyrillic and Greek, combining marks (alone and
    /// after a space), precomposed and decomposed letters, NFC singletons (Ohm, Kelvin, U+2000,
    /// a CJK compatibility ideograph), emoji with skin tones, ZWJ sequences, variation selectors and
    /// flags, Arabic prepended marks, line separators, the replacement character.
    static let pieces: [String] = [
        "a", "Z", "word", "Hello", "42", ".", ",", "!", "?", "-", "'", "\"", "/", ":", ";", "(", ")",
        " ", "  ", "\t", "\n", "\r", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}",
        "\u{2003}", "\u{2009}", "\u{200B}", "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}",
        "中", "国", "博士", "明日方舟", "。", "「", "」", "！", "，", "ア", "か", "が", "か\u{3099}", "\u{309A}",
        "한", "국", "\u{1100}", "\u{1161}", "\u{11A8}", "Жж", "Ё", "Е\u{0308}", "Ωμέγα", "ά", "α\u{0301}",
        "\u{0301}", " \u{0301}", "e\u{0301}", "é", "\u{0327}\u{0301}", "\u{0301}\u{0327}", "Å", "A\u{030A}",
        "\u{212B}", "\u{2126}", "\u{212A}", "\u{F900}", "\u{FA10}", "ﬁ", "ｶ", "ｶﾞ", "\u{FF9E}", "€", "→", "✓",
        "😀", "👍🏽", "👨‍👩‍👧", "❤️", "☺\u{FE0E}", "🇨🇳", "🇺🇸🇫🇷", "\u{200D}", " \u{200D}", "\u{200C}",
        "\u{FE0F}", " \u{FE0F}", "\u{0600}", "\u{0600} ", "\u{0915}\u{093F}", "\u{0BCA}", "\u{FFFD}",
        "\u{E000}", "\u{00AD}", "\u{2029}", "\u{1F3FB}", "&", "<", ">",
    ]

    /// A string of up to `maximumPieces` random pieces taken from `pieces` (all of them by default).
    mutating func text(maximumPieces: Int = 24, from pieces: [String] = Self.pieces) -> String {
        var result = ""
        for _ in 0..<Int.random(in: 0...maximumPieces, using: &self) {
            result += pieces.randomElement(using: &self)!
        }
        return result
    }
}
