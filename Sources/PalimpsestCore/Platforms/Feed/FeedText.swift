import Foundation

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
        guard text.contains("<![CDATA[") else { return text }
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
        let text = HTMLText.decodeCharacterReferences(Self.unwrappingCDATA(raw))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
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
