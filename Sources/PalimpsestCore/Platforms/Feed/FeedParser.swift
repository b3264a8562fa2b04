public import Foundation

/// Reads a feed body (RSS 0.9x/2.0, RSS 1.0, Atom 1.0, JSON Feed 1.0/1.1) into items. Pure: no
/// I/O, no clock.
///
/// The format is sniffed from the content, never from the `Content-Type` alone (servers send
/// `text/html`, `text/plain` or `application/octet-stream` for feeds): a body starting with `{`
/// is JSON Feed, one whose first element is `<html>` (or `<!DOCTYPE html>`) is an HTML page, and
/// other XML is read by its root element (`rss`, `rdf:RDF`, `feed`). A UTF-8 byte order mark is
/// skipped; declared non-UTF-8 encodings (GBK, GB2312, GB18030, Big5, ISO-8859-1, Windows-1252,
/// …) are decoded first (see `FeedCharset`).
///
/// A feed with no items is a valid, empty result: deciding whether an empty answer after a full
/// one means anything is the detector's job. An empty body, an HTML page, and a body that is not
/// a well-formed feed are errors.
///
/// Hostile bodies are bounded: elements (XML) or arrays and objects (JSON) nested deeper than
/// ``maximumDepth`` are an error, never a crash, and with an item limit the items between the
/// first and the last `limit` are dropped while reading, so a feed of 100,000 items costs about
/// what one of `2 × limit` items does.
public enum FeedParser {
    /// The deepest nesting read: XML elements (the root is depth 1) and JSON arrays and objects.
    /// Deeper documents fail with ``FeedParseError/Kind/tooDeep``.
    public static let maximumDepth = XMLTree.maximumDepth

    /// Parses one feed document.
    /// - Parameters:
    ///   - body: The response body, as received (after content decoding).
    ///   - feedURL: The URL the feed was fetched from (the effective URL after redirects): relative
    ///     item links, images and link targets are resolved against it.
    ///   - contentType: The response's `Content-Type` header value, if any: its `charset` is used
    ///     for XML without a byte order mark or encoding declaration, and it is named in error
    ///     messages. It never decides the format.
    ///   - itemLimit: When set, only the first `itemLimit` and the last `itemLimit` items of the
    ///     document are read (either end may be the newest; the caller keeps the newest end, see
    ///     ``TimelineWindow/keepingNewest(_:limit:)``); the count of the others is in
    ///     ``ParsedFeed/omittedItems``. `nil` reads every item.
    /// - Returns: The feed's format, title and items in document order.
    /// - Throws: ``FeedParseError`` when the body is empty, is an HTML page, is not well-formed
    ///   XML or JSON, is XML or JSON of another kind than a feed, nests deeper than
    ///   ``maximumDepth`` (`too_deep`), or declares an encoding this system cannot decode. The
    ///   message names the format and, for XML, the line.
    public static func parse(
        _ body: Data, feedURL: URL, contentType: String? = nil, itemLimit: Int? = nil
    ) throws(FeedParseError)
        -> ParsedFeed
    {
        let isUTF16 = body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF])
        let afterBOM = body.starts(with: [0xEF, 0xBB, 0xBF]) ? body.startIndex + 3 : body.startIndex
        let contentStart = body[afterBOM...].firstIndex { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        // Sniffing looks at the first 4 KiB after leading whitespace.
        let bytes = [UInt8](body[(contentStart ?? body.endIndex)...].prefix(4096))
        let served = contentType.map { " (served as \($0))" } ?? ""
        if !isUTF16 && bytes.isEmpty {
            let what = body.isEmpty ? "the body is empty (0 bytes)" : "the body holds only whitespace"
            throw FeedParseError(kind: .empty, format: nil, message: "\(what)\(served); expected a feed")
        }
        if !isUTF16 && (bytes[0] == UInt8(ascii: "{") || bytes[0] == UInt8(ascii: "[")) {
            return try Self.parseJSONFeed(body, feedURL: feedURL, itemLimit: itemLimit)
        }
        if isUTF16 || bytes[0] == UInt8(ascii: "<") {
            let firstElement = Self.firstElementName(bytes, from: 0)
            if let firstElement, firstElement.lowercased() == "html" || firstElement.lowercased() == "!doctype html" {
                throw FeedParseError(
                    kind: .htmlPage, format: nil,
                    message: "the body is an HTML page\(served), not a feed: a login wall, an error or anti-bot "
                        + "page, or the feed moved; open the URL in a browser to see")
            }
            return try Self.parseXMLFeed(
                body, feedURL: feedURL, contentType: contentType, firstElement: firstElement, itemLimit: itemLimit)
        }
        let preview = String(decoding: bytes.prefix(40), as: UTF8.self)
        throw FeedParseError(
            kind: .unknownFormat, format: nil,
            message: "the body\(served) is neither XML nor JSON; it starts with \"\(Self.printable(preview))\"")
    }

    // MARK: - Shared helpers

    /// The name of the first element after the XML prolog (declaration, comments, processing
    /// instructions); a doctype is returned as `!doctype <root>` (lowercased).
    static func firstElementName(_ bytes: [UInt8], from start: Int) -> String? {
        var index = start
        func skip(past terminator: [UInt8]) {
            while index < bytes.count {
                if bytes[index...].starts(with: terminator) {
                    index += terminator.count
                    return
                }
                index += 1
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if [0x20, 0x09, 0x0A, 0x0D].contains(byte) {
                index += 1
            } else if bytes[index...].starts(with: Array("<?".utf8)) {
                skip(past: Array("?>".utf8))
            } else if bytes[index...].starts(with: Array("<!--".utf8)) {
                skip(past: Array("-->".utf8))
            } else if bytes[index...].starts(with: Array("<!".utf8)) {
                let text = String(decoding: bytes[index..<min(bytes.count, index + 40)], as: UTF8.self).lowercased()
                if text.hasPrefix("<!doctype") {
                    let name = text.dropFirst(9).drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
                        .prefix { $0.isLetter || $0 == ":" || $0 == "-" }
                    return "!doctype \(name)"
                }
                return nil
            } else if byte == UInt8(ascii: "<") {
                let name = bytes[(index + 1)...].prefix {
                    !([0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ">"), UInt8(ascii: "/")].contains($0))
                }
                return String(decoding: name, as: UTF8.self)
            } else {
                return nil
            }
        }
        return nil
    }

    /// `raw` made absolute against `base`: unchanged when it already has a scheme, `nil` when
    /// empty.
    static func absoluteURL(_ raw: String?, base: URL) -> String? {
        guard let raw = raw.map(FeedText.trimmed), !raw.isEmpty else { return nil }
        if Self.hasScheme(raw) { return raw }
        return URL(string: raw, relativeTo: base)?.absoluteString ?? raw
    }

    static func hasScheme(_ text: String) -> Bool {
        // Over the bytes first: a scheme is ASCII letters, digits, `+`, `-` and `.` before the first
        // `:`. When they are, the answer is yes unless the `:` is joined into one character with
        // what follows it (a combining mark); then the characters decide, as they always did.
        let utf8 = text.utf8
        guard let byteColon = utf8.firstIndex(of: UInt8(ascii: ":")), byteColon != utf8.startIndex else { return false }
        let first = utf8[utf8.startIndex] | 0x20
        guard first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z"),
            utf8[..<byteColon].allSatisfy({ byte in
                let lower = byte | 0x20
                return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "+")
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            })
        else { return false }
        let scalars = text.unicodeScalars
        let next = utf8.index(after: byteColon)
        if next == utf8.endIndex { return true }
        if let scalarIndex = String.Index(next, within: scalars), PlainScalar.isPlain(scalars[scalarIndex].value) {
            return true
        }
        return Self.hasSchemeByCharacters(text)
    }

    static func hasSchemeByCharacters(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { return false }
        let scheme = text[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter else { return false }
        return scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }

    /// `values` in order without repeats.
    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    /// Builds an item from its read fields: picks the ID, reduces the HTML, collects media and
    /// links (absolute, each once).
    ///
    /// `title` is the item's title as text (see ``FeedText/title(_:)``); `html` is the markup as
    /// served: its CDATA layers are taken off before it is read (``FeedText/unwrappingCDATA(_:)``),
    /// so `<![CDATA[<p>x</p>]]>` gives the same text, media and links as `<p>x</p>`. The `fallback`
    /// parts are the raw fields as written (the fallback ID must never change).
    static func makeItem(
        ids: [(String?, FeedItem.IDSource)],
        fallback: (title: String?, date: String?, content: String?),
        link: String?,
        title: String?,
        published: String?,
        updated: String?,
        html: String?,
        plainText: String?,
        media: [String],
        extraLinks: [String] = [],
        feedURL: URL
    ) -> FeedItem {
        var id: String?
        var source = FeedItem.IDSource.fallback
        for (candidate, candidateSource) in ids {
            if let value = candidate.map(FeedText.trimmed), !value.isEmpty {
                id = value
                source = candidateSource
                break
            }
        }
        let url = Self.absoluteURL(link, base: feedURL)
        let base = url.flatMap(URL.init(string:)) ?? feedURL
        let markup = html.flatMap {
            FeedText.isBlank(FeedText.unwrappingCDATA($0)) ? nil : $0
        }
        let text: String
        var allMedia = media.compactMap { Self.absoluteURL($0, base: base) }
        var links = extraLinks.compactMap { Self.absoluteURL($0, base: base) }
        if let markup {
            let content = Self.readContent(ofMarkup: markup, base: base)
            text = content.text
            allMedia += content.media
            links += content.links
        } else {
            text = plainText.map(FeedText.trimmed) ?? ""
        }
        let cleanTitle = title.map(FeedText.trimmed)
        return FeedItem(
            id: id ?? FeedItem.fallbackID(title: fallback.title, date: fallback.date, content: fallback.content),
            idSource: source,
            url: url,
            title: cleanTitle?.isEmpty == false ? cleanTitle : nil,
            publishedAt: published.flatMap(FeedDateParser.date(from:)),
            updatedAt: updated.flatMap(FeedDateParser.date(from:)),
            html: markup,
            text: text,
            media: Self.unique(allMedia),
            links: Self.unique(links),
            baseID: id == nil ? FeedItem.fallbackBaseID(title: fallback.title, date: fallback.date) : nil
        )
    }

    /// The text, image sources and link targets (absolute against `base`) of an item's markup as
    /// served, its CDATA layers taken off first.
    static func readContent(ofMarkup markup: String, base: URL) -> (text: String, media: [String], links: [String]) {
        let content = HTMLText.content(ofHTML: FeedText.unwrappingCDATA(markup))
        return (
            content.text,
            content.imageSources.compactMap { Self.absoluteURL($0, base: base) },
            content.links.compactMap { Self.absoluteURL($0, base: base) }
        )
    }

    /// A feed post as stored by any version of Palimpsest, read again with today's rules: the
    /// text, image sources and links of its stored markup (``Post/html``, the content as served,
    /// CDATA layers taken off) and its title through ``FeedText/title(_:)``. Media and links keep
    /// the stored ones first (enclosures, JSON Feed attachments), then add what the markup holds,
    /// each once, as ``makeItem(ids:fallback:link:title:published:updated:html:plainText:media:extraLinks:feedURL:)``
    /// orders them. A post without markup keeps its text.
    /// - Parameters:
    ///   - post: the post as stored.
    ///   - feedURL: the account's feed URL (the base of relative links when the post has no URL).
    /// - Returns: the post with its derived fields and version hash recomputed.
    static func renormalized(_ post: Post, feedURL: URL) -> Post {
        let base = post.url.flatMap(URL.init(string:)) ?? feedURL
        var text = post.text
        var media = post.media
        var links = post.links
        if let markup = post.html,
            !FeedText.isBlank(FeedText.unwrappingCDATA(markup))
        {
            let content = Self.readContent(ofMarkup: markup, base: base)
            text = content.text
            media = Self.unique(media + content.media)
            links = Self.unique(links + content.links)
        }
        return post.withContent(text: text, title: FeedText.title(post.title), media: media, links: links)
    }

    /// Replaces control characters so a quoted preview stays on one line.
    static func printable(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }
}
