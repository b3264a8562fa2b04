/// A forgiving HTML tokenizer over UTF-8 bytes: never fails; anything that is not a tag is text.
/// Comments, doctypes and processing instructions are skipped; the content of `script`, `style`
/// and `template` is skipped up to the matching end tag; CDATA sections are text, as written.
///
/// Every decision is made on ASCII bytes (`<`, `>`, quotes, whitespace, ASCII letters), so it
/// reads UTF-8 exactly as a reader of Unicode scalars would, without decoding the text it skips.
/// Tokens carry no text of their own: the bytes of the last text token are read with
/// ``appendText(to:)`` and the attributes of the last start tag with ``attribute(_:)``, so a
/// fragment is read without allocating per token.
struct HTMLTokenizer {
    /// One token.
    enum Token: Equatable {
        /// Text, up to the next markup: ``appendText(to:)`` gives it with character references
        /// decoded.
        case text
        /// A CDATA section's content: ``appendText(to:)`` gives it as written.
        case cdata
        /// A start tag: lowercased name, and whether it was written `<x/>`; its attributes through
        /// ``attribute(_:)`` until the next token.
        case startTag(name: String, selfClosing: Bool)
        /// An end tag: lowercased name.
        case endTag(name: String)
    }

    /// Elements whose content is raw text (skipped to their end tag).
    static let rawTextElements: Set<String> = ["script", "style", "template"]

    private let bytes: [UInt8]
    private var index = 0
    /// The bytes of the last text or CDATA token.
    private var textRange = 0..<0
    private var textIsCDATA = false
    /// The attributes of the last start tag, in order: name and value (without quotes) as bytes.
    private var attributes: [(name: Range<Int>, value: Range<Int>)] = []

    init(_ html: String) {
        self.bytes = Array(html.utf8)
    }

    /// The next token, or `nil` at the end.
    mutating func next() -> Token? {
        let count = self.bytes.count
        while self.index < count {
            guard self.bytes[self.index] == UInt8(ascii: "<"), self.startsMarkup(at: self.index) else {
                // Text up to the next `<` that starts markup (a lone `<` is text).
                let start = self.index
                repeat {
                    self.index += 1
                } while self.index < count
                    && !(self.bytes[self.index] == UInt8(ascii: "<") && self.startsMarkup(at: self.index))
                self.textRange = start..<self.index
                self.textIsCDATA = false
                return .text
            }
            if let token = self.markup() { return token }
        }
        return nil
    }

    /// Appends the last text token's bytes to `buffer`: character references decoded for text,
    /// as written for CDATA.
    func appendText(to buffer: inout [UInt8]) {
        self.bytes.withUnsafeBufferPointer { all in
            let text = UnsafeBufferPointer(rebasing: all[self.textRange])
            if self.textIsCDATA {
                buffer.append(contentsOf: text)
            } else {
                HTMLText.appendDecodingReferences(text, to: &buffer)
            }
        }
    }

    /// The last text token as a string (see ``appendText(to:)``).
    var text: String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(self.textRange.count)
        self.appendText(to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// The value of the last start tag's first attribute whose lowercased name is `name` (a
    /// lowercase ASCII name such as `href`), character references decoded; `nil` when the tag has
    /// none. An attribute written without a value has the value `""`.
    func attribute(_ name: String) -> String? {
        for attribute in self.attributes where self.lowercasedName(attribute.name) == name {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(attribute.value.count)
            self.bytes.withUnsafeBufferPointer {
                HTMLText.appendDecodingReferences(UnsafeBufferPointer(rebasing: $0[attribute.value]), to: &buffer)
            }
            return String(decoding: buffer, as: UTF8.self)
        }
        return nil
    }

    // MARK: - Internals

    private func startsMarkup(at position: Int) -> Bool {
        guard position + 1 < self.bytes.count else { return false }
        let next = self.bytes[position + 1]
        return next == UInt8(ascii: "/") || next == UInt8(ascii: "!") || next == UInt8(ascii: "?")
            || Self.isASCIILetter(next)
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }

    /// Reads markup at `<` (which `startsMarkup` accepted). Returns a token, or `nil` after
    /// skipping something that yields none (a comment, a doctype, a raw-text element).
    private mutating func markup() -> Token? {
        let count = self.bytes.count
        let next = self.bytes[self.index + 1]
        if next == UInt8(ascii: "!") {
            if self.hasPrefix("<!--", at: self.index) {
                self.index = self.position(after: "-->", from: self.index + 4) ?? count
                return nil
            }
            if self.hasPrefix("<![CDATA[", at: self.index) {
                let start = self.index + 9
                let end = self.position(of: "]]>", from: start) ?? count
                self.textRange = start..<end
                self.textIsCDATA = true
                self.index = min(count, end + 3)
                return .cdata
            }
            self.index = self.position(after: ">", from: self.index) ?? count
            return nil
        }
        if next == UInt8(ascii: "?") {
            self.index = self.position(after: ">", from: self.index) ?? count
            return nil
        }
        if next == UInt8(ascii: "/") {
            var position = self.index + 2
            let name = self.readName(&position)
            // `</ >` or `</3`: a bogus comment to the next `>`.
            self.index = self.position(after: ">", from: position) ?? count
            return name.isEmpty ? nil : .endTag(name: self.lowercasedName(name))
        }
        var position = self.index + 1
        let name = self.lowercasedName(self.readName(&position))
        self.attributes.removeAll(keepingCapacity: true)
        var selfClosing = false
        while position < count {
            self.skipWhitespace(&position)
            guard position < count else { break }
            let byte = self.bytes[position]
            if byte == UInt8(ascii: ">") {
                position += 1
                break
            }
            if byte == UInt8(ascii: "/") {
                selfClosing = position + 1 < count && self.bytes[position + 1] == UInt8(ascii: ">")
                position += 1
                continue
            }
            let nameStart = position
            while position < count {
                let c = self.bytes[position]
                if c == UInt8(ascii: "=") && position > nameStart || c == UInt8(ascii: ">") || c == UInt8(ascii: "/")
                    || Self.isWhitespace(c)
                {
                    break
                }
                position += 1
            }
            let nameEnd = position
            self.skipWhitespace(&position)
            var value = position..<position
            if position < count, self.bytes[position] == UInt8(ascii: "=") {
                position += 1
                self.skipWhitespace(&position)
                if position < count,
                    self.bytes[position] == UInt8(ascii: "\"") || self.bytes[position] == UInt8(ascii: "'")
                {
                    let quote = self.bytes[position]
                    position += 1
                    let start = position
                    while position < count, self.bytes[position] != quote { position += 1 }
                    value = start..<position
                    position += 1
                } else {
                    let start = position
                    while position < count, self.bytes[position] != UInt8(ascii: ">"),
                        !Self.isWhitespace(self.bytes[position])
                    {
                        position += 1
                    }
                    value = start..<position
                }
            }
            self.attributes.append((nameStart..<nameEnd, value))
        }
        self.index = min(position, count)
        if Self.rawTextElements.contains(name) && !selfClosing {
            self.skipRawText(of: name)
            return nil
        }
        return .startTag(name: name, selfClosing: selfClosing)
    }

    /// Skips to just after `</name…>` (ASCII case-insensitive), or to the end.
    private mutating func skipRawText(of name: String) {
        let closing = Array("</\(name)".utf8)
        var position = self.index
        while position + closing.count <= self.bytes.count {
            var matches = true
            for offset in 0..<closing.count where Self.asciiLowercased(self.bytes[position + offset]) != closing[offset]
            {
                matches = false
                break
            }
            if matches {
                self.index = self.position(after: ">", from: position) ?? self.bytes.count
                return
            }
            position += 1
        }
        self.index = self.bytes.count
    }

    /// The bytes of a name: up to `>`, `/` or whitespace.
    private func readName(_ position: inout Int) -> Range<Int> {
        let start = position
        while position < self.bytes.count {
            let c = self.bytes[position]
            if c == UInt8(ascii: ">") || c == UInt8(ascii: "/") || Self.isWhitespace(c) { break }
            position += 1
        }
        return start..<position
    }

    /// A name as Swift's `lowercased()` gives it: ASCII names byte by byte, others through the
    /// standard library (a Kelvin sign lowercases to `k`).
    private func lowercasedName(_ range: Range<Int>) -> String {
        let isASCII = self.bytes[range].allSatisfy { $0 < 0x80 }
        guard isASCII else { return String(decoding: self.bytes[range], as: UTF8.self).lowercased() }
        return String(unsafeUninitializedCapacity: range.count) { buffer in
            for (offset, byte) in self.bytes[range].enumerated() { buffer[offset] = Self.asciiLowercased(byte) }
            return range.count
        }
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    private func skipWhitespace(_ position: inout Int) {
        while position < self.bytes.count, Self.isWhitespace(self.bytes[position]) { position += 1 }
    }

    /// True when the bytes at `position` are `prefix`, ASCII letters compared case-insensitively.
    private func hasPrefix(_ prefix: StaticString, at position: Int) -> Bool {
        prefix.withUTF8Buffer { pattern in
            guard position + pattern.count <= self.bytes.count else { return false }
            for offset in 0..<pattern.count
            where Self.asciiLowercased(self.bytes[position + offset]) != Self.asciiLowercased(pattern[offset]) {
                return false
            }
            return true
        }
    }

    private func position(of needle: StaticString, from start: Int) -> Int? {
        needle.withUTF8Buffer { pattern in
            var position = start
            while position + pattern.count <= self.bytes.count {
                var matches = true
                for offset in 0..<pattern.count where self.bytes[position + offset] != pattern[offset] {
                    matches = false
                    break
                }
                if matches { return position }
                position += 1
            }
            return nil
        }
    }

    private func position(after needle: StaticString, from start: Int) -> Int? {
        self.position(of: needle, from: start).map { $0 + needle.utf8CodeUnitCount }
    }
}
