/// Reduces HTML fragments (feed item content, Mastodon `content`) to plain text and extracts the
/// links and images they carry.
///
/// This is a small, forgiving tokenizer, not a full HTML5 parser: it never fails, whatever the
/// input. Rules:
/// - Tags are removed. `<br>` becomes a line break; block elements (`p`, `div`, `li`, `h1`–`h6`,
///   `blockquote`, `tr`, …) start a new line, and paragraph-like ones (`p`, `h1`–`h6`,
///   `blockquote`, `pre`, lists, tables, `hr`, `figure`) leave an empty line between them.
///   Table cells are separated by a space.
/// - The content of `script`, `style` and `template` elements and of comments is dropped.
/// - Character references are decoded: named (`&amp;`, `&nbsp;`, `&hellip;`, … the common HTML
///   set), decimal (`&#20013;`) and hexadecimal (`&#x4E2D;`). An invalid code point (0,
///   surrogates, beyond U+10FFFF) becomes U+FFFD; an unknown name stays as written.
/// - Whitespace runs (spaces, tabs, line feeds, and no-break spaces) collapse to one space, as a
///   browser renders them; lines are trimmed and there is never more than one empty line in a
///   row. Inside `<pre>` spaces and line breaks are kept (a no-break space or tab becomes a space).
/// - Image `alt` text is not part of the text (images are media; see ``imageSources(inHTML:)``).
public enum HTMLText {
    /// What one HTML fragment holds: its text, link targets and image sources, read in one pass.
    public struct Content: Sendable, Hashable {
        /// The readable plain text (see ``HTMLText/plainText(fromHTML:)``).
        public var text: String
        /// The `<a href>` targets, in document order, each once (see ``HTMLText/links(inHTML:)``).
        public var links: [String]
        /// The `<img src>` sources, in document order, each once (see
        /// ``HTMLText/imageSources(inHTML:)``).
        public var imageSources: [String]

        /// Creates the content of a fragment.
        public init(text: String, links: [String], imageSources: [String]) {
            self.text = text
            self.links = links
            self.imageSources = imageSources
        }
    }

    /// The text, links and images of an HTML fragment, its markup read once: the same as
    /// ``plainText(fromHTML:)``, ``links(inHTML:)`` and ``imageSources(inHTML:)`` together.
    /// - Parameter html: An HTML fragment or document, already unescaped from its container.
    /// - Returns: The fragment's text, link targets and image sources.
    public static func content(ofHTML html: String) -> Content {
        Self.read(html, text: true, links: true, images: true)
    }

    /// The readable plain text of an HTML fragment (see the type's documentation for the rules).
    ///
    /// - Parameter html: An HTML fragment or document, already unescaped from its container (the
    ///   string an XML parser or JSON decoder returns).
    /// - Returns: The text, lines separated by `\n`, trimmed; empty when the fragment has no text.
    public static func plainText(fromHTML html: String) -> String {
        Self.read(html, text: true, links: false, images: false).text
    }

    /// The targets of the fragment's `<a href>` links, in document order, each once.
    ///
    /// Character references in the attribute are decoded and surrounding whitespace trimmed.
    /// Empty targets, fragment-only targets (`#top`) and `javascript:` targets are left out.
    /// Relative targets are returned as written; the caller resolves them against its base URL.
    /// - Parameter html: An HTML fragment or document.
    /// - Returns: The link targets, without duplicates.
    public static func links(inHTML html: String) -> [String] {
        Self.read(html, text: false, links: true, images: false).links
    }

    /// The sources of the fragment's `<img src>` images, in document order, each once.
    ///
    /// Character references in the attribute are decoded (`?format=jpg&amp;name=orig` gives
    /// `?format=jpg&name=orig`, as in RSSHub's Twitter descriptions) and whitespace trimmed.
    /// Relative sources are returned as written; the caller resolves them against its base URL.
    /// - Parameter html: An HTML fragment or document.
    /// - Returns: The image sources, without duplicates.
    public static func imageSources(inHTML html: String) -> [String] {
        Self.read(html, text: false, links: false, images: true).imageSources
    }

    /// Decodes the character references in `text` (named, decimal, hexadecimal), as in HTML text.
    /// - Parameter text: Text that may hold references such as `&amp;` or `&#x4E2D;`.
    /// - Returns: The text with every known reference replaced by its character.
    public static func decodeCharacterReferences(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        var text = text
        return text.withUTF8 { bytes in
            var decoded: [UInt8] = []
            decoded.reserveCapacity(bytes.count)
            Self.appendDecodingReferences(bytes, to: &decoded)
            return String(decoding: decoded, as: UTF8.self)
        }
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

    /// One pass over `html`, collecting what is asked for.
    private static func read(_ html: String, text wantsText: Bool, links wantsLinks: Bool, images wantsImages: Bool)
        -> Content
    {
        var tokenizer = HTMLTokenizer(html)
        var writer = TextWriter()
        var preDepth = 0
        var links = UniqueValues()
        var images = UniqueValues()
        var buffer: [UInt8] = []
        while let token = tokenizer.next() {
            switch token {
            case .text, .cdata:
                guard wantsText else { continue }
                buffer.removeAll(keepingCapacity: true)
                tokenizer.appendText(to: &buffer)
                writer.write(utf8: buffer, preservingWhitespace: preDepth > 0)
            case .startTag(let name, let selfClosing):
                if wantsLinks && name == "a", let target = tokenizer.attribute("href") {
                    links.add(target)
                } else if wantsImages && name == "img", let source = tokenizer.attribute("src") {
                    images.add(source)
                }
                guard wantsText else { continue }
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
                guard wantsText else { continue }
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
        return Content(text: wantsText ? writer.finish() : "", links: links.values, imageSources: images.values)
    }

    /// Attribute values kept in order, each once: trimmed, and without empty, fragment-only and
    /// `javascript:` ones.
    private struct UniqueValues {
        var values: [String] = []
        var seen = Set<String>()

        mutating func add(_ raw: String) {
            let value = raw.trimmingHTMLWhitespace()
            if value.isEmpty || value.hasPrefix("#") || value.lowercased().hasPrefix("javascript:") { return }
            if self.seen.insert(value).inserted { self.values.append(value) }
        }
    }

    /// Appends UTF-8 `text` to `output` with every known character reference decoded.
    ///
    /// Text in which no `&` stands as a character of its own (each one joined to a prepended
    /// mark before it, such as U+0600, or to a combining mark after it) is left as it is: the
    /// reader has always tested for `&` by character, and keeping that keeps every stored text.
    static func appendDecodingReferences(_ text: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        guard Self.nextAmpersand(in: text, from: 0) != nil,
            PlainScalar.isPlain(text) || Self.holdsAmpersandCharacter(String(decoding: text, as: UTF8.self))
        else {
            output.append(contentsOf: text)
            return
        }
        var index = 0
        var copied = 0
        while let ampersand = Self.nextAmpersand(in: text, from: index) {
            index = ampersand + 1
            guard
                let consumed = Self.decodeReference(
                    in: text, at: ampersand, into: &output, flushing: copied..<ampersand)
            else { continue }
            index = ampersand + consumed
            copied = index
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: text[copied...]))
    }

    /// True when `&` is one of the characters of `text` (an `&` in a grapheme with other scalars
    /// is not).
    private static func holdsAmpersandCharacter(_ text: String) -> Bool {
        text.contains("&")
    }

    private static func nextAmpersand(in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < text.count {
            if text[index] == UInt8(ascii: "&") { return index }
            index += 1
        }
        return nil
    }

    /// Decodes the character reference at `start` (which holds `&`): appends the bytes of
    /// `pending` (the text before it) and then its characters to `output`.
    /// - Returns: The bytes the reference takes, or `nil` (nothing appended) when the text at
    ///   `start` is not a known reference.
    private static func decodeReference(
        in text: UnsafeBufferPointer<UInt8>, at start: Int, into output: inout [UInt8], flushing pending: Range<Int>
    ) -> Int? {
        var index = start + 1
        guard index < text.count else { return nil }
        if text[index] == UInt8(ascii: "#") {
            index += 1
            var hex = false
            if index < text.count, text[index] == UInt8(ascii: "x") || text[index] == UInt8(ascii: "X") {
                hex = true
                index += 1
            }
            let digitsStart = index
            var value: UInt32 = 0
            while index < text.count, index - digitsStart < 8, let digit = Self.digitValue(text[index], hex: hex) {
                value = value * (hex ? 16 : 10) + digit
                index += 1
            }
            guard index > digitsStart else { return nil }
            // Skip any further digits of an absurdly long reference.
            while index < text.count, Self.digitValue(text[index], hex: hex) != nil {
                value = 0x11_0000
                index += 1
            }
            if index < text.count, text[index] == UInt8(ascii: ";") { index += 1 }
            let scalar: Unicode.Scalar
            if value == 0 || value > 0x10_FFFF {
                scalar = "\u{FFFD}"
            } else if let windows = Self.windows1252Controls[value] {
                // HTML maps the C1 range to what Windows-1252 meant (&#150; is an en dash).
                scalar = windows
            } else {
                scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: text[pending]))
            output.append(contentsOf: UTF8.encode(scalar)!)
            return index - start
        }
        let nameStart = index
        while index < text.count, index - start <= 32, Self.isASCIIAlphanumeric(text[index]) { index += 1 }
        guard index > nameStart else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: text[nameStart..<index]), as: UTF8.self)
        let decoded: String
        if index < text.count, text[index] == UInt8(ascii: ";") {
            guard let value = HTMLEntities.named[name] else { return nil }
            decoded = value
            index += 1
        } else {
            // Legacy references without `;` are only honoured for the handful browsers accept
            // everywhere and feeds actually write (`&amp`, `&nbsp`), and never before `=`, so URL
            // query strings such as `?a=1&copy=2` stay intact (WHATWG HTML, attribute values).
            guard HTMLEntities.legacyWithoutSemicolon.contains(name), let value = HTMLEntities.named[name],
                index >= text.count || text[index] != UInt8(ascii: "=")
            else {
                return nil
            }
            decoded = value
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: text[pending]))
        output.append(contentsOf: decoded.utf8)
        return index - start
    }

    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func digitValue(_ byte: UInt8, hex: Bool) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte) - 48
        case UInt8(ascii: "a")...UInt8(ascii: "f") where hex: return UInt32(byte) - 87
        case UInt8(ascii: "A")...UInt8(ascii: "F") where hex: return UInt32(byte) - 55
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
///
/// Text is written character by character, a character being whitespace when its first scalar
/// is (`Character.isWhitespace`). Text made of plain scalars (``PlainScalar``: each one is a
/// whole character) is read over its UTF-8 bytes instead, a run of non-whitespace at a time,
/// which gives the same output.
struct TextWriter {
    private var output = ""
    private var pendingSpace = false
    private var pendingLines = 0

    mutating func write(_ text: String, preservingWhitespace: Bool) {
        var text = text
        let written = text.withUTF8 { self.writePlain($0, preservingWhitespace: preservingWhitespace) }
        if !written { self.writeCharacters(text, preservingWhitespace: preservingWhitespace) }
    }

    /// Writes valid UTF-8 text.
    mutating func write(utf8 text: [UInt8], preservingWhitespace: Bool) {
        let written = text.withUnsafeBufferPointer { self.writePlain($0, preservingWhitespace: preservingWhitespace) }
        if !written {
            self.writeCharacters(String(decoding: text, as: UTF8.self), preservingWhitespace: preservingWhitespace)
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

    mutating func finish() -> String {
        while let last = self.output.last, last.isWhitespace { self.output.removeLast() }
        return self.output
    }

    /// Any text, one character at a time.
    private mutating func writeCharacters(_ text: String, preservingWhitespace: Bool) {
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

    /// Plain text, a run at a time: what ``writeCharacters(_:preservingWhitespace:)`` does, since
    /// each plain scalar is a character (and CR LF one line break). Returns `false`, writing
    /// nothing, when `text` holds a scalar that is not plain.
    private mutating func writePlain(_ text: UnsafeBufferPointer<UInt8>, preservingWhitespace: Bool) -> Bool {
        guard PlainScalar.isPlain(text) else { return false }
        var index = 0
        if !preservingWhitespace {
            while index < text.count {
                let (value, length) = PlainScalar.decode(text, at: index)
                if PlainScalar.isWhitespace(value) {
                    self.pendingSpace = true
                    index += length
                    continue
                }
                let start = index
                index += length
                while index < text.count {
                    let (value, length) = PlainScalar.decode(text, at: index)
                    if PlainScalar.isWhitespace(value) { break }
                    index += length
                }
                // Only the first character of a run can have anything pending.
                self.flush()
                self.append(UnsafeBufferPointer(rebasing: text[start..<index]))
            }
            return true
        }
        while index < text.count {
            let byte = text[index]
            if byte == 0x0A || byte == 0x0D {
                let isCRLF = byte == 0x0D && index + 1 < text.count && text[index + 1] == 0x0A
                index += isCRLF ? 2 : 1
                self.pendingLines += 1
                self.pendingSpace = false
                continue
            }
            self.flush()
            // A tab or a no-break space is written as a space.
            if byte == 0x09 {
                self.output.append(" ")
                index += 1
                continue
            }
            if byte == 0xC2 && index + 1 < text.count && text[index + 1] == 0xA0 {
                self.output.append(" ")
                index += 2
                continue
            }
            let start = index
            while index < text.count {
                let byte = text[index]
                if byte == 0x0A || byte == 0x0D || byte == 0x09 || (byte == 0xC2 && text[index + 1] == 0xA0) { break }
                index += 1
            }
            self.append(UnsafeBufferPointer(rebasing: text[start..<index]))
        }
        return true
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.output.append(String(decoding: bytes, as: UTF8.self))
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
}

extension String {
    /// Trims the ASCII whitespace HTML attribute values may carry.
    func trimmingHTMLWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = {
            $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0C}"
        }
        while let first = scalars.first, isSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        return String(scalars)
    }
}

/// The named character references HTMLText decodes: the HTML 4 set (Latin-1, symbols, Greek,
/// punctuation) plus a few common HTML5 names; values from the WHATWG HTML named character
/// references table (https://html.spec.whatwg.org/multipage/named-characters.html).
enum HTMLEntities {
    /// Names honoured without a trailing `;` (browsers accept these legacy forms).
    static let legacyWithoutSemicolon: Set<String> = ["amp", "lt", "gt", "quot", "nbsp", "copy", "reg"]

    /// Name (without `&` and `;`) to its characters.
    static let named: [String: String] = [
        "amp": "\u{0026}", "lt": "\u{003C}", "gt": "\u{003E}", "quot": "\u{0022}", "apos": "\u{0027}",
        "nbsp": "\u{00A0}", "iexcl": "\u{00A1}", "cent": "\u{00A2}", "pound": "\u{00A3}", "curren": "\u{00A4}",
        "yen": "\u{00A5}", "brvbar": "\u{00A6}", "sect": "\u{00A7}", "uml": "\u{00A8}", "copy": "\u{00A9}",
        "ordf": "\u{00AA}", "laquo": "\u{00AB}", "not": "\u{00AC}", "shy": "\u{00AD}", "reg": "\u{00AE}",
        "macr": "\u{00AF}", "deg": "\u{00B0}", "plusmn": "\u{00B1}", "sup2": "\u{00B2}", "sup3": "\u{00B3}",
        "acute": "\u{00B4}", "micro": "\u{00B5}", "para": "\u{00B6}", "middot": "\u{00B7}", "cedil": "\u{00B8}",
        "sup1": "\u{00B9}", "ordm": "\u{00BA}", "raquo": "\u{00BB}", "frac14": "\u{00BC}", "frac12": "\u{00BD}",
        "frac34": "\u{00BE}", "iquest": "\u{00BF}", "Agrave": "\u{00C0}", "Aacute": "\u{00C1}",
        "Acirc": "\u{00C2}", "Atilde": "\u{00C3}", "Auml": "\u{00C4}", "Aring": "\u{00C5}", "AElig": "\u{00C6}",
        "Ccedil": "\u{00C7}", "Egrave": "\u{00C8}", "Eacute": "\u{00C9}", "Ecirc": "\u{00CA}", "Euml": "\u{00CB}",
        "Igrave": "\u{00CC}", "Iacute": "\u{00CD}", "Icirc": "\u{00CE}", "Iuml": "\u{00CF}", "ETH": "\u{00D0}",
        "Ntilde": "\u{00D1}", "Ograve": "\u{00D2}", "Oacute": "\u{00D3}", "Ocirc": "\u{00D4}",
        "Otilde": "\u{00D5}", "Ouml": "\u{00D6}", "times": "\u{00D7}", "Oslash": "\u{00D8}", "Ugrave": "\u{00D9}",
        "Uacute": "\u{00DA}", "Ucirc": "\u{00DB}", "Uuml": "\u{00DC}", "Yacute": "\u{00DD}", "THORN": "\u{00DE}",
        "szlig": "\u{00DF}", "agrave": "\u{00E0}", "aacute": "\u{00E1}", "acirc": "\u{00E2}", "atilde": "\u{00E3}",
        "auml": "\u{00E4}", "aring": "\u{00E5}", "aelig": "\u{00E6}", "ccedil": "\u{00E7}", "egrave": "\u{00E8}",
        "eacute": "\u{00E9}", "ecirc": "\u{00EA}", "euml": "\u{00EB}", "igrave": "\u{00EC}", "iacute": "\u{00ED}",
        "icirc": "\u{00EE}", "iuml": "\u{00EF}", "eth": "\u{00F0}", "ntilde": "\u{00F1}", "ograve": "\u{00F2}",
        "oacute": "\u{00F3}", "ocirc": "\u{00F4}", "otilde": "\u{00F5}", "ouml": "\u{00F6}", "divide": "\u{00F7}",
        "oslash": "\u{00F8}", "ugrave": "\u{00F9}", "uacute": "\u{00FA}", "ucirc": "\u{00FB}", "uuml": "\u{00FC}",
        "yacute": "\u{00FD}", "thorn": "\u{00FE}", "yuml": "\u{00FF}", "OElig": "\u{0152}", "oelig": "\u{0153}",
        "Scaron": "\u{0160}", "scaron": "\u{0161}", "Yuml": "\u{0178}", "fnof": "\u{0192}", "circ": "\u{02C6}",
        "tilde": "\u{02DC}", "ensp": "\u{2002}", "emsp": "\u{2003}", "thinsp": "\u{2009}", "zwnj": "\u{200C}",
        "zwj": "\u{200D}", "lrm": "\u{200E}", "rlm": "\u{200F}", "ndash": "\u{2013}", "mdash": "\u{2014}",
        "lsquo": "\u{2018}", "rsquo": "\u{2019}", "sbquo": "\u{201A}", "ldquo": "\u{201C}", "rdquo": "\u{201D}",
        "bdquo": "\u{201E}", "dagger": "\u{2020}", "Dagger": "\u{2021}", "bull": "\u{2022}", "hellip": "\u{2026}",
        "permil": "\u{2030}", "prime": "\u{2032}", "Prime": "\u{2033}", "lsaquo": "\u{2039}", "rsaquo": "\u{203A}",
        "oline": "\u{203E}", "frasl": "\u{2044}", "euro": "\u{20AC}", "trade": "\u{2122}", "larr": "\u{2190}",
        "uarr": "\u{2191}", "rarr": "\u{2192}", "darr": "\u{2193}", "harr": "\u{2194}", "crarr": "\u{21B5}",
        "lArr": "\u{21D0}", "uArr": "\u{21D1}", "rArr": "\u{21D2}", "dArr": "\u{21D3}", "hArr": "\u{21D4}",
        "forall": "\u{2200}", "part": "\u{2202}", "exist": "\u{2203}", "empty": "\u{2205}", "nabla": "\u{2207}",
        "isin": "\u{2208}", "notin": "\u{2209}", "ni": "\u{220B}", "prod": "\u{220F}", "sum": "\u{2211}",
        "minus": "\u{2212}", "lowast": "\u{2217}", "radic": "\u{221A}", "prop": "\u{221D}", "infin": "\u{221E}",
        "ang": "\u{2220}", "and": "\u{2227}", "or": "\u{2228}", "cap": "\u{2229}", "cup": "\u{222A}",
        "int": "\u{222B}", "there4": "\u{2234}", "sim": "\u{223C}", "cong": "\u{2245}", "asymp": "\u{2248}",
        "ne": "\u{2260}", "equiv": "\u{2261}", "le": "\u{2264}", "ge": "\u{2265}", "sub": "\u{2282}",
        "sup": "\u{2283}", "nsub": "\u{2284}", "sube": "\u{2286}", "supe": "\u{2287}", "oplus": "\u{2295}",
        "otimes": "\u{2297}", "perp": "\u{22A5}", "sdot": "\u{22C5}", "lceil": "\u{2308}", "rceil": "\u{2309}",
        "lfloor": "\u{230A}", "rfloor": "\u{230B}", "lang": "\u{27E8}", "rang": "\u{27E9}", "loz": "\u{25CA}",
        "spades": "\u{2660}", "clubs": "\u{2663}", "hearts": "\u{2665}", "diams": "\u{2666}", "Alpha": "\u{0391}",
        "Beta": "\u{0392}", "Gamma": "\u{0393}", "Delta": "\u{0394}", "Epsilon": "\u{0395}", "Zeta": "\u{0396}",
        "Eta": "\u{0397}", "Theta": "\u{0398}", "Iota": "\u{0399}", "Kappa": "\u{039A}", "Lambda": "\u{039B}",
        "Mu": "\u{039C}", "Nu": "\u{039D}", "Xi": "\u{039E}", "Omicron": "\u{039F}", "Pi": "\u{03A0}",
        "Rho": "\u{03A1}", "Sigma": "\u{03A3}", "Tau": "\u{03A4}", "Upsilon": "\u{03A5}", "Phi": "\u{03A6}",
        "Chi": "\u{03A7}", "Psi": "\u{03A8}", "Omega": "\u{03A9}", "alpha": "\u{03B1}", "beta": "\u{03B2}",
        "gamma": "\u{03B3}", "delta": "\u{03B4}", "epsilon": "\u{03B5}", "zeta": "\u{03B6}", "eta": "\u{03B7}",
        "theta": "\u{03B8}", "iota": "\u{03B9}", "kappa": "\u{03BA}", "lambda": "\u{03BB}", "mu": "\u{03BC}",
        "nu": "\u{03BD}", "xi": "\u{03BE}", "omicron": "\u{03BF}", "pi": "\u{03C0}", "rho": "\u{03C1}",
        "sigmaf": "\u{03C2}", "sigma": "\u{03C3}", "tau": "\u{03C4}", "upsilon": "\u{03C5}", "phi": "\u{03C6}",
        "chi": "\u{03C7}", "psi": "\u{03C8}", "omega": "\u{03C9}", "thetasym": "\u{03D1}", "upsih": "\u{03D2}",
        "piv": "\u{03D6}", "hyphen": "\u{2010}", "dash": "\u{2010}", "horbar": "\u{2015}", "check": "\u{2713}",
        "cross": "\u{2717}", "star": "\u{2606}", "starf": "\u{2605}", "phone": "\u{260E}", "female": "\u{2640}",
        "male": "\u{2642}", "sharp": "\u{266F}", "flat": "\u{266D}", "natural": "\u{266E}",
    ]
}
