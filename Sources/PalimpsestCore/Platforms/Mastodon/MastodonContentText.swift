import Foundation

/// A minimal reader for the sanitized HTML of a Mastodon status `content`: plain text and link
/// targets.
///
/// Mastodon serves `content` as a small, sanitized subset of HTML (`<p>`, `<br>`, `<a>`, `<span>`,
/// and on newer servers lists and emphasis), with link parts hidden by
/// `<span class="invisible">` that still belong to the URL (FORMATS.md §1; fixtures
/// `docs_status_entity_example.json`, `status_with_preview_card.json`). Stand-in until the shared
/// `HTMLText` helper lands; keep the two in step.
enum MastodonContentText {
    /// The text of `html`: tags removed, character references decoded, `<br>` as a line break,
    /// paragraphs (`<p>`, list items, block quotes) separated by a blank line, trimmed.
    static func plainText(fromHTML html: String) -> String {
        var output = ""
        self.scan(html) { token in
            switch token {
            case .text(let text):
                output += text
            case .tag(let name, let isClosing, _):
                switch name {
                case "br":
                    output += "\n"
                case "p", "div", "blockquote", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6":
                    Self.breakParagraph(&output)
                case "li":
                    if isClosing {
                        output += "\n"
                    } else if !output.isEmpty && !output.hasSuffix("\n") {
                        output += "\n"
                    }
                default:
                    break
                }
            }
        }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The `href` of every `<a>` element in `html`, in document order, character references
    /// decoded; empty `href`s are skipped.
    static func links(inHTML html: String) -> [String] {
        var links: [String] = []
        self.scan(html) { token in
            if case .tag("a", false, let attributes) = token,
                let href = attributes["href"]?.trimmingCharacters(in: .whitespacesAndNewlines), !href.isEmpty
            {
                links.append(href)
            }
        }
        return links
    }

    // MARK: - Scanner

    private enum Token {
        case text(String)
        /// A start or end tag: lowercased name, whether it is an end tag, its attributes
        /// (lowercased names, decoded values).
        case tag(String, Bool, [String: String])
    }

    private static func breakParagraph(_ output: inout String) {
        guard !output.isEmpty else { return }
        while output.hasSuffix(" ") { output.removeLast() }
        if output.hasSuffix("\n\n") { return }
        output += output.hasSuffix("\n") ? "\n" : "\n\n"
    }

    /// Splits `html` into text runs and tags. Comments and the contents of `<script>` and
    /// `<style>` are dropped; a `<` that starts no tag is text.
    private static func scan(_ html: String, _ visit: (Token) -> Void) {
        let characters = Array(html)
        var index = 0
        var text = ""
        var skipUntilClosing: String?

        func flushText() {
            if !text.isEmpty, skipUntilClosing == nil { visit(.text(Self.decodeReferences(text))) }
            text = ""
        }

        while index < characters.count {
            let character = characters[index]
            guard character == "<" else {
                text.append(character)
                index += 1
                continue
            }
            // Comment: skip to "-->".
            if characters[index...].starts(with: Array("<!--")) {
                flushText()
                var end = index + 4
                while end < characters.count, !characters[end...].starts(with: Array("-->")) { end += 1 }
                index = min(end + 3, characters.count)
                continue
            }
            let next = index + 1 < characters.count ? characters[index + 1] : " "
            let isClosing = next == "/"
            let nameStart = isClosing ? index + 2 : index + 1
            guard nameStart < characters.count, characters[nameStart].isLetter || (!isClosing && next == "!") else {
                text.append(character)
                index += 1
                continue
            }
            // Find the tag's end, stepping over quoted attribute values.
            var end = nameStart
            var quote: Character?
            while end < characters.count {
                let current = characters[end]
                if let open = quote {
                    if current == open { quote = nil }
                } else if current == "\"" || current == "'" {
                    quote = current
                } else if current == ">" {
                    break
                }
                end += 1
            }
            guard end < characters.count else {
                // An unterminated tag: the rest is not text a reader would see.
                break
            }
            flushText()
            let inside = String(characters[nameStart..<end])
            index = end + 1

            var nameEnd = inside.startIndex
            while nameEnd < inside.endIndex, inside[nameEnd].isLetter || inside[nameEnd].isNumber {
                nameEnd = inside.index(after: nameEnd)
            }
            let name = inside[..<nameEnd].lowercased()
            if let skipped = skipUntilClosing {
                if isClosing && name == skipped { skipUntilClosing = nil }
                continue
            }
            if !isClosing && (name == "script" || name == "style") {
                skipUntilClosing = name
                continue
            }
            if name.isEmpty { continue }  // <!DOCTYPE …> and the like
            let attributes = isClosing ? [:] : Self.attributes(in: inside[nameEnd...])
            visit(.tag(name, isClosing, attributes))
        }
        flushText()
    }

    /// Parses `name="value"`, `name='value'`, `name=value` and bare `name` attributes.
    private static func attributes(in source: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var rest = source[...]
        func skipSpaces() { while let first = rest.first, first.isWhitespace || first == "/" { rest.removeFirst() } }
        while true {
            skipSpaces()
            guard !rest.isEmpty else { break }
            var name = ""
            while let first = rest.first, !first.isWhitespace, first != "=", first != "/" {
                name.append(first)
                rest.removeFirst()
            }
            while let first = rest.first, first.isWhitespace { rest.removeFirst() }
            var value = ""
            if rest.first == "=" {
                rest.removeFirst()
                while let first = rest.first, first.isWhitespace { rest.removeFirst() }
                if let quote = rest.first, quote == "\"" || quote == "'" {
                    rest.removeFirst()
                    while let first = rest.first, first != quote {
                        value.append(first)
                        rest.removeFirst()
                    }
                    if !rest.isEmpty { rest.removeFirst() }
                } else {
                    while let first = rest.first, !first.isWhitespace {
                        value.append(first)
                        rest.removeFirst()
                    }
                }
            }
            if name.isEmpty {
                if !rest.isEmpty { rest.removeFirst() }
                continue
            }
            let key = name.lowercased()
            if result[key] == nil { result[key] = Self.decodeReferences(value) }
        }
        return result
    }

    private static let namedReferences: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}",
        "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”",
    ]

    /// Decodes `&name;`, `&#NNN;` and `&#xHH;`; anything unrecognised stays as written.
    private static func decodeReferences(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var output = ""
        var rest = text[...]
        while let ampersand = rest.firstIndex(of: "&") {
            output += rest[..<ampersand]
            let afterAmpersand = rest.index(after: ampersand)
            guard let semicolon = rest[afterAmpersand...].prefix(12).firstIndex(of: ";") else {
                output.append("&")
                rest = rest[afterAmpersand...]
                continue
            }
            let entity = rest[afterAmpersand..<semicolon]
            var decoded: String?
            if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                decoded = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
            } else if entity.hasPrefix("#") {
                decoded = UInt32(entity.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init).map { String($0) }
            } else {
                decoded = Self.namedReferences[String(entity)]
            }
            if let decoded {
                output += decoded
                rest = rest[rest.index(after: semicolon)...]
            } else {
                output.append("&")
                rest = rest[afterAmpersand...]
            }
        }
        output += rest
        return output
    }
}
