import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The encoding layers a feed wraps its text in, taken off so that they are never content.
///
/// Generators write the same item in several equivalent ways: a description as escaped HTML
/// (`&lt;p&gt;…`), as a CDATA section (`<![CDATA[<p>…]]>`), or as a CDATA section that was
/// escaped once more (`&lt;![CDATA[&lt;p&gt;…]]&gt;`, which an XML parser hands over as
/// `<![CDATA[<p>…]]>`); a title as text (`AT&amp;T`) or as a CDATA section holding the
/// same character references (`<![CDATA[AT&amp;T]]>`). Each pair reads the same to a person, so
/// each must give the same post text and the same version hash: switching between them is never
/// an edit (rule of evidence 5).
///
/// Only layers that cannot be content are removed: a literal `<![CDATA[` in markup is never shown
/// by a browser (HTML reads it as a bogus comment), and a title's character references are
/// decoded exactly once. An escaped `&lt;![CDATA[` inside the markup (a post that shows XML code)
/// stays text.
enum FeedText {
    /// `text` with every CDATA section replaced by its content, repeated while sections remain
    /// (a layer wrapped in another). An unterminated `<![CDATA[` is left as written.
    static func unwrappingCDATA(_ text: String) -> String {
        // A byte search first: most markup holds no CDATA section (and without the bytes the
        // search below cannot match either).
        guard Self.holdsBytes("<![CDATA[", in: text), text.contains("<![CDATA[") else { return text }
        var current = text
        // Each round removes at least one section, so the loop ends; the bound is a safety net.
        for _ in 0..<16 {
            let next = Self.unwrapOnce(current)
            if next == current { break }
            current = next
        }
        return current
    }

    /// A feed title as text: CDATA layers removed, character references (`&amp;`, `&#8217;`)
    /// decoded once, surrounding whitespace trimmed; `nil` when nothing is left.
    static func title(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let text = Self.trimmed(HTMLText.decodeCharacterReferences(Self.unwrappingCDATA(raw)))
        return text.isEmpty ? nil : text
    }

    /// `text` without the whitespace at either end, as Foundation's
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` gives it (scalar by scalar, the set being
    /// tab to carriage return, space, NEL, no-break space, U+1680, U+2000–U+200B (CoreFoundation
    /// counts the zero-width space), the line and paragraph separators, U+202F, U+205F and
    /// U+3000), without going through `NSString`; `text` itself when there is nothing to trim.
    static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, let length = Self.whitespaceLength(utf8, at: start) {
            start = utf8.index(start, offsetBy: length)
        }
        while start < end {
            // Back to the first byte of the last scalar.
            var lead = utf8.index(before: end)
            while lead > start, utf8[lead] & 0xC0 == 0x80 { lead = utf8.index(before: lead) }
            guard Self.whitespaceLength(utf8, at: lead) != nil else { break }
            end = lead
        }
        if start == utf8.startIndex && end == utf8.endIndex { return text }
        return String(text[start..<end])
    }

    /// True when `text` is empty or only whitespace (see ``trimmed(_:)``).
    static func isBlank(_ text: String) -> Bool {
        let utf8 = text.utf8
        var index = utf8.startIndex
        while index < utf8.endIndex {
            guard let length = Self.whitespaceLength(utf8, at: index) else { return false }
            index = utf8.index(index, offsetBy: length)
        }
        return true
    }

    /// The length in bytes of the whitespace scalar starting at `index`, or `nil` when the scalar
    /// there is not whitespace.
    private static func whitespaceLength(_ utf8: String.UTF8View, at index: String.UTF8View.Index) -> Int? {
        let lead = utf8[index]
        switch lead {
        case 0x09...0x0D, 0x20: return 1
        case 0xC2:
            let next = utf8[utf8.index(after: index)]
            return next == 0x85 || next == 0xA0 ? 2 : nil
        case 0xE1, 0xE2, 0xE3:
            let second = utf8[utf8.index(index, offsetBy: 1)]
            let third = utf8[utf8.index(index, offsetBy: 2)]
            let value = (UInt32(lead & 0x0F) << 12) | (UInt32(second & 0x3F) << 6) | UInt32(third & 0x3F)
            switch value {
            case 0x1680, 0x2000...0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return 3
            default: return nil
            }
        default: return nil
        }
    }

    /// True when the UTF-8 of `needle` occurs in the UTF-8 of `text` (candidates found with
    /// `memchr(3)`).
    static func holdsBytes(_ needle: StaticString, in text: String) -> Bool {
        var text = text
        return text.withUTF8 { haystack in
            needle.withUTF8Buffer { pattern in
                guard let base = haystack.baseAddress, let first = pattern.first, haystack.count >= pattern.count else {
                    return false
                }
                var offset = 0
                let last = haystack.count - pattern.count
                while offset <= last {
                    guard let found = memchr(base + offset, Int32(first), last - offset + 1) else { return false }
                    let position = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    if UnsafeBufferPointer(rebasing: haystack[position..<(position + pattern.count)]).elementsEqual(
                        pattern)
                    {
                        return true
                    }
                    offset = position + 1
                }
                return false
            }
        }
    }

    private static func unwrapOnce(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var rest = text[...]
        while let open = rest.range(of: "<![CDATA[") {
            guard let close = rest[open.upperBound...].range(of: "]]>") else { break }
            result += rest[..<open.lowerBound]
            result += rest[open.upperBound..<close.lowerBound]
            rest = rest[close.upperBound...]
        }
        result += rest
        return result
    }
}
