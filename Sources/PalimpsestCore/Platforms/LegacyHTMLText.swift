// The HTML reader before issue 9 (one scalar array, three passes per fragment), kept only until
// the byte-level reader in HTMLText.swift has been compared with it (HTMLTextEquivalenceTests).

enum LegacyHTMLText {
    /// The readable plain text of an HTML fragment (see the type's documentation for the rules).
    ///
    /// - Parameter html: An HTML fragment or document, already unescaped from its container (the
    ///   string an XML parser or JSON decoder returns).
    /// - Returns: The text, lines separated by `\n`, trimmed; empty when the fragment has no text.
    static func plainText(fromHTML html: String) -> String {
        var writer = LegacyTextWriter()
        var tokenizer = LegacyHTMLTokenizer(html)
        var preDepth = 0
        while let token = tokenizer.next() {
            switch token {
            case .text(let text):
                writer.write(text, preservingWhitespace: preDepth > 0)
            case .startTag(let name, _, let selfClosing):
                if name == "br" {
                    writer.lineBreak()
                } else if name == "pre" && !selfClosing {
                    writer.blockBreak(lines: 2)
                    preDepth += 1
                } else if let lines = Self.blockBreaks[name] {
                    writer.blockBreak(lines: lines)
                } else if name == "td" || name == "th" {
                    writer.space()
                }
            case .endTag(let name):
                if name == "pre" {
                    preDepth = max(0, preDepth - 1)
                    writer.blockBreak(lines: 2)
                } else if name == "br" {
                    // `</br>` is read as `<br>` by browsers (HTML5 parsing rules).
                    writer.lineBreak()
                } else if let lines = Self.blockBreaks[name] {
                    writer.blockBreak(lines: lines)
                } else if name == "td" || name == "th" {
                    writer.space()
                }
            }
        }
        return writer.finish()
    }

    /// The targets of the fragment's `<a href>` links, in document order, each once.
    ///
    /// Character references in the attribute are decoded and surrounding whitespace trimmed.
    /// Empty targets, fragment-only targets (`#top`) and `javascript:` targets are left out.
    /// Relative targets are returned as written; the caller resolves them against its base URL.
    /// - Parameter html: An HTML fragment or document.
    /// - Returns: The link targets, without duplicates.
    static func links(inHTML html: String) -> [String] {
        Self.attributeValues(html, element: "a", attribute: "href")
    }

    /// The sources of the fragment's `<img src>` images, in document order, each once.
    ///
    /// Character references in the attribute are decoded (`?format=jpg&amp;name=orig` gives
    /// `?format=jpg&name=orig`, as in RSSHub's Twitter descriptions) and whitespace trimmed.
    /// Relative sources are returned as written; the caller resolves them against its base URL.
    /// - Parameter html: An HTML fragment or document.
    /// - Returns: The image sources, without duplicates.
    static func imageSources(inHTML html: String) -> [String] {
        Self.attributeValues(html, element: "img", attribute: "src")
    }

    /// Decodes the character references in `text` (named, decimal, hexadecimal), as in HTML text.
    /// - Parameter text: Text that may hold references such as `&amp;` or `&#x4E2D;`.
    /// - Returns: The text with every known reference replaced by its character.
    static func decodeCharacterReferences(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == "&", let (decoded, length) = Self.characterReference(in: scalars, at: index) {
                result.append(decoded)
                index += length
            } else {
                result.unicodeScalars.append(scalars[index])
                index += 1
            }
        }
        return result
    }

    // MARK: - Internals

    /// Elements that break the line, with the number of line breaks they leave (2 = an empty line).
    static let blockBreaks: [String: Int] = [
        "p": 2, "h1": 2, "h2": 2, "h3": 2, "h4": 2, "h5": 2, "h6": 2, "blockquote": 2, "ul": 2, "ol": 2,
        "dl": 2, "table": 2, "hr": 2, "figure": 2,
        "div": 1, "li": 1, "dt": 1, "dd": 1, "tr": 1, "section": 1, "article": 1, "header": 1,
        "footer": 1, "aside": 1, "nav": 1, "main": 1, "address": 1, "figcaption": 1, "details": 1,
        "summary": 1, "form": 1, "fieldset": 1, "caption": 1, "title": 1, "body": 1, "html": 1,
    ]

    static func attributeValues(_ html: String, element: String, attribute: String) -> [String] {
        var values: [String] = []
        var seen = Set<String>()
        var tokenizer = LegacyHTMLTokenizer(html)
        while let token = tokenizer.next() {
            guard case .startTag(let name, let attributes, _) = token, name == element else { continue }
            guard let raw = attributes.first(where: { $0.name == attribute })?.value else { continue }
            let value = raw.trimmingHTMLWhitespace()
            if value.isEmpty || value.hasPrefix("#") || value.lowercased().hasPrefix("javascript:") { continue }
            if seen.insert(value).inserted { values.append(value) }
        }
        return values
    }

    /// Decodes the character reference starting at `start` (which holds `&`).
    /// - Returns: The decoded text and the number of scalars consumed, or `nil` when the text at
    ///   `start` is not a known reference.
    static func characterReference(in scalars: [Unicode.Scalar], at start: Int) -> (String, Int)? {
        var index = start + 1
        guard index < scalars.count else { return nil }
        if scalars[index] == "#" {
            index += 1
            var hex = false
            if index < scalars.count, scalars[index] == "x" || scalars[index] == "X" {
                hex = true
                index += 1
            }
            let digitsStart = index
            var value: UInt32 = 0
            while index < scalars.count, index - digitsStart < 8,
                let digit = Self.digitValue(scalars[index], hex: hex)
            {
                value = value * (hex ? 16 : 10) + digit
                index += 1
            }
            guard index > digitsStart else { return nil }
            // Skip any further digits of an absurdly long reference.
            while index < scalars.count, Self.digitValue(scalars[index], hex: hex) != nil {
                value = 0x11_0000
                index += 1
            }
            if index < scalars.count, scalars[index] == ";" { index += 1 }
            let scalar: Unicode.Scalar
            if value == 0 || value > 0x10_FFFF {
                scalar = "\u{FFFD}"
            } else if let windows = Self.windows1252Controls[value] {
                // HTML maps the C1 range to what Windows-1252 meant (&#150; is an en dash).
                scalar = windows
            } else {
                scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            }
            return (String(Character(scalar)), index - start)
        }
        var name = ""
        while index < scalars.count, index - start <= 32,
            ("a"..."z").contains(scalars[index]) || ("A"..."Z").contains(scalars[index])
                || ("0"..."9").contains(scalars[index])
        {
            name.unicodeScalars.append(scalars[index])
            index += 1
        }
        guard !name.isEmpty else { return nil }
        if index < scalars.count, scalars[index] == ";" {
            guard let decoded = HTMLEntities.named[name] else { return nil }
            return (decoded, index + 1 - start)
        }
        // Legacy references without `;` are only honoured for the handful browsers accept
        // everywhere and feeds actually write (`&amp`, `&nbsp`), and never before `=`, so URL
        // query strings such as `?a=1&copy=2` stay intact (WHATWG HTML, attribute values).
        guard HTMLEntities.legacyWithoutSemicolon.contains(name), let decoded = HTMLEntities.named[name],
            index >= scalars.count || scalars[index] != "="
        else {
            return nil
        }
        return (decoded, index - start)
    }

    static func digitValue(_ scalar: Unicode.Scalar, hex: Bool) -> UInt32? {
        switch scalar {
        case "0"..."9": return scalar.value - 48
        case "a"..."f" where hex: return scalar.value - 87
        case "A"..."F" where hex: return scalar.value - 55
        default: return nil
        }
    }

    /// Numeric references 0x80–0x9F as HTML reads them (WHATWG HTML, "numeric character
    /// reference end state").
    static let windows1252Controls: [UInt32: Unicode.Scalar] = [
        0x80: "\u{20AC}", 0x82: "\u{201A}", 0x83: "\u{0192}", 0x84: "\u{201E}", 0x85: "\u{2026}",
        0x86: "\u{2020}", 0x87: "\u{2021}", 0x88: "\u{02C6}", 0x89: "\u{2030}", 0x8A: "\u{0160}",
        0x8B: "\u{2039}", 0x8C: "\u{0152}", 0x8E: "\u{017D}", 0x91: "\u{2018}", 0x92: "\u{2019}",
        0x93: "\u{201C}", 0x94: "\u{201D}", 0x95: "\u{2022}", 0x96: "\u{2013}", 0x97: "\u{2014}",
        0x98: "\u{02DC}", 0x99: "\u{2122}", 0x9A: "\u{0161}", 0x9B: "\u{203A}", 0x9C: "\u{0153}",
        0x9E: "\u{017E}", 0x9F: "\u{0178}",
    ]
}

/// Accumulates text with HTML whitespace rules: collapsible spaces and pending line breaks.
struct LegacyTextWriter {
    private var output = ""
    private var pendingSpace = false
    private var pendingLines = 0

    mutating func write(_ text: String, preservingWhitespace: Bool) {
        for character in text {
            if preservingWhitespace {
                if character == "\n" || character == "\r\n" || character == "\r" {
                    self.pendingLines += 1
                    self.pendingSpace = false
                    continue
                }
                self.flush()
                self.output.append(character == "\u{00A0}" || character == "\t" ? " " : character)
            } else if character.isWhitespace {
                self.pendingSpace = true
            } else {
                self.flush()
                self.output.append(character)
            }
        }
    }

    /// A `<br>`: each one adds a line break (two in a row leave an empty line).
    mutating func lineBreak() {
        self.pendingLines = min(2, self.pendingLines + 1)
        self.pendingSpace = false
    }

    /// A block boundary: at least `lines` line breaks, not added to those already pending.
    mutating func blockBreak(lines: Int) {
        self.pendingLines = max(self.pendingLines, lines)
        self.pendingSpace = false
    }

    mutating func space() {
        self.pendingSpace = true
    }

    private mutating func flush() {
        if self.output.isEmpty {
            self.pendingLines = 0
            self.pendingSpace = false
            return
        }
        if self.pendingLines > 0 {
            while self.output.last == " " { self.output.removeLast() }
            self.output.append(String(repeating: "\n", count: min(2, self.pendingLines)))
        } else if self.pendingSpace, self.output.last != "\n", self.output.last != " " {
            self.output.append(" ")
        }
        self.pendingLines = 0
        self.pendingSpace = false
    }

    mutating func finish() -> String {
        while let last = self.output.last, last.isWhitespace { self.output.removeLast() }
        return self.output
    }
}

/// One token of an HTML fragment.
enum LegacyHTMLToken: Equatable {
    /// Text with character references decoded.
    case text(String)
    /// A start tag: lowercased name, attributes (lowercased names, decoded values), and whether it
    /// was written `<x/>`.
    case startTag(name: String, attributes: [LegacyHTMLAttribute], selfClosing: Bool)
    /// An end tag: lowercased name.
    case endTag(name: String)
}

/// One attribute of a start tag.
struct LegacyHTMLAttribute: Equatable {
    var name: String
    var value: String
}

/// A forgiving HTML tokenizer over Unicode scalars: never fails; anything that is not a tag is
/// text. Comments, doctypes and processing instructions are skipped; the content of `script`,
/// `style` and `template` is skipped up to the matching end tag; CDATA sections are text.
struct LegacyHTMLTokenizer {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    static let rawTextElements: Set<String> = ["script", "style", "template"]

    init(_ html: String) {
        self.scalars = Array(html.unicodeScalars)
    }

    mutating func next() -> LegacyHTMLToken? {
        while self.index < self.scalars.count {
            guard self.scalars[self.index] == "<", self.startsMarkup(at: self.index) else { return self.text() }
            if let token = self.markup() { return token }
        }
        return nil
    }

    /// Text up to the next `<` that starts markup (a lone `<` is text).
    private mutating func text() -> LegacyHTMLToken {
        var raw = ""
        repeat {
            raw.unicodeScalars.append(self.scalars[self.index])
            self.index += 1
        } while self.index < self.scalars.count
            && !(self.scalars[self.index] == "<" && self.startsMarkup(at: self.index))
        return .text(LegacyHTMLText.decodeCharacterReferences(raw))
    }

    private func startsMarkup(at position: Int) -> Bool {
        guard position + 1 < self.scalars.count else { return false }
        let next = self.scalars[position + 1]
        return next == "/" || next == "!" || next == "?" || Self.isASCIILetter(next)
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    /// Reads markup at `<` (which `startsMarkup` accepted). Returns a token, or `nil` after
    /// skipping something that yields none (a comment, a doctype, a raw-text element).
    private mutating func markup() -> LegacyHTMLToken? {
        let next = self.scalars[self.index + 1]
        if next == "!" {
            if self.hasPrefix("<!--", at: self.index) {
                self.index = self.position(after: "-->", from: self.index + 4) ?? self.scalars.count
                return nil
            }
            if self.hasPrefix("<![CDATA[", at: self.index) {
                let start = self.index + 9
                let end = self.position(of: "]]>", from: start) ?? self.scalars.count
                var text = ""
                text.unicodeScalars.append(contentsOf: self.scalars[start..<end])
                self.index = min(self.scalars.count, end + 3)
                return .text(text)
            }
            self.index = self.position(after: ">", from: self.index) ?? self.scalars.count
            return nil
        }
        if next == "?" {
            self.index = self.position(after: ">", from: self.index) ?? self.scalars.count
            return nil
        }
        if next == "/" {
            var position = self.index + 2
            let name = self.readName(&position)
            if name.isEmpty {
                // `</ >` or `</3`: a bogus comment to the next `>`.
                self.index = self.position(after: ">", from: position) ?? self.scalars.count
                return nil
            }
            self.index = self.position(after: ">", from: position) ?? self.scalars.count
            return .endTag(name: name)
        }
        var position = self.index + 1
        let name = self.readName(&position)
        var attributes: [LegacyHTMLAttribute] = []
        var selfClosing = false
        while position < self.scalars.count {
            self.skipWhitespace(&position)
            guard position < self.scalars.count else { break }
            let scalar = self.scalars[position]
            if scalar == ">" {
                position += 1
                break
            }
            if scalar == "/" {
                selfClosing = position + 1 < self.scalars.count && self.scalars[position + 1] == ">"
                position += 1
                continue
            }
            var attributeName = ""
            while position < self.scalars.count {
                let c = self.scalars[position]
                if c == "=" && !attributeName.isEmpty || c == ">" || c == "/" || Self.isWhitespace(c) { break }
                attributeName.unicodeScalars.append(c)
                position += 1
            }
            self.skipWhitespace(&position)
            var value = ""
            if position < self.scalars.count, self.scalars[position] == "=" {
                position += 1
                self.skipWhitespace(&position)
                if position < self.scalars.count, self.scalars[position] == "\"" || self.scalars[position] == "'" {
                    let quote = self.scalars[position]
                    position += 1
                    while position < self.scalars.count, self.scalars[position] != quote {
                        value.unicodeScalars.append(self.scalars[position])
                        position += 1
                    }
                    position += 1
                } else {
                    while position < self.scalars.count, self.scalars[position] != ">",
                        !Self.isWhitespace(self.scalars[position])
                    {
                        value.unicodeScalars.append(self.scalars[position])
                        position += 1
                    }
                }
            }
            attributes.append(
                LegacyHTMLAttribute(name: attributeName.lowercased(), value: LegacyHTMLText.decodeCharacterReferences(value)))
        }
        self.index = min(position, self.scalars.count)
        if Self.rawTextElements.contains(name) && !selfClosing {
            self.skipRawText(of: name)
            return nil
        }
        return .startTag(name: name, attributes: attributes, selfClosing: selfClosing)
    }

    /// Skips to just after `</name…>` (case-insensitive), or to the end.
    private mutating func skipRawText(of name: String) {
        let closing = Array("</\(name)".unicodeScalars)
        var position = self.index
        while position + closing.count <= self.scalars.count {
            var matches = true
            for offset in 0..<closing.count {
                let a = self.scalars[position + offset].properties.lowercaseMapping
                if a != String(closing[offset]) {
                    matches = false
                    break
                }
            }
            if matches {
                self.index = self.position(after: ">", from: position) ?? self.scalars.count
                return
            }
            position += 1
        }
        self.index = self.scalars.count
    }

    private func readName(_ position: inout Int) -> String {
        var name = ""
        while position < self.scalars.count {
            let c = self.scalars[position]
            if c == ">" || c == "/" || Self.isWhitespace(c) { break }
            name.unicodeScalars.append(c)
            position += 1
        }
        return name.lowercased()
    }

    private func skipWhitespace(_ position: inout Int) {
        while position < self.scalars.count, Self.isWhitespace(self.scalars[position]) { position += 1 }
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}"
    }

    private func hasPrefix(_ prefix: String, at position: Int) -> Bool {
        var offset = position
        for scalar in prefix.unicodeScalars {
            guard offset < self.scalars.count else { return false }
            if self.scalars[offset].properties.uppercaseMapping != String(scalar).uppercased() { return false }
            offset += 1
        }
        return true
    }

    private func position(of needle: String, from start: Int) -> Int? {
        let pattern = Array(needle.unicodeScalars)
        var position = start
        while position + pattern.count <= self.scalars.count {
            if self.scalars[position..<position + pattern.count].elementsEqual(pattern) { return position }
            position += 1
        }
        return nil
    }

    private func position(after needle: String, from start: Int) -> Int? {
        self.position(of: needle, from: start).map { $0 + needle.unicodeScalars.count }
    }
}
