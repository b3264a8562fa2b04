import Foundation

/// RSS 0.9x/2.0, RSS 1.0 and Atom 1.0, read from libxml2's SAX2 events by ``FeedXMLStreamReader``.
extension FeedParser {
    /// Namespace URIs, with the variants real feeds write.
    enum Namespace {
        /// RSS 2.0 elements have none; RSS 1.0 and 0.90 have their own.
        static let rss: Set<String> = ["", "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/"]
        static let atom: Set<String> = ["http://www.w3.org/2005/Atom"]
        static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        static let content: Set<String> = ["http://purl.org/rss/1.0/modules/content/"]
        static let dublinCore: Set<String> = ["http://purl.org/dc/elements/1.1/"]
        static let media: Set<String> = ["http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss"]
        static let xhtml: Set<String> = ["http://www.w3.org/1999/xhtml"]
    }

    static func parseXMLFeed(
        _ body: Data, feedURL: URL, contentType: String?, firstElement: String?, itemLimit: Int?
    ) throws(FeedParseError)
        -> ParsedFeed
    {
        let hint = Self.formatHint(firstElement)
        let data = try FeedCharset.utf8XML(from: body, contentType: contentType)
        func read(_ data: Data) throws(XMLTree.Failure) -> FeedXMLStreamReader.Reading {
            try FeedXMLStreamReader.read(data, feedURL: feedURL, itemLimit: itemLimit)
        }
        let reading: FeedXMLStreamReader.Reading
        do {
            reading = try read(data)
        } catch let failure {
            // Undeclared HTML entities (`&nbsp;`) and bare `&` are the commonest breakage in real
            // feeds; retry once with them escaped, and report the original error if that fails too.
            // A document nested too deep stays too deep: no retry.
            guard failure.kind != .tooDeep, let repaired = XMLEntityRepair.repair(data),
                let retried = try? read(repaired)
            else {
                throw Self.xmlError(failure, body: data, hint: hint, contentType: contentType)
            }
            reading = retried
        }
        switch reading {
        case .feed(let feed):
            return feed
        case .otherRoot(let name, _) where name.lowercased() == "html":
            throw FeedParseError(
                kind: .htmlPage, format: nil,
                message: "the body is an XHTML page, not a feed: a login wall, an error page, or the feed moved")
        case .otherRoot(let name, let namespace):
            let inNamespace = namespace.isEmpty ? "" : " in namespace \(namespace)"
            throw FeedParseError(
                kind: .unknownFormat, format: nil,
                message:
                    "the XML root element is <\(name)>\(inNamespace); a feed has <rss>, <rdf:RDF> or an Atom <feed>")
        }
    }

    static func formatHint(_ firstElement: String?) -> FeedFormat? {
        switch firstElement?.lowercased() {
        case "rss", "!doctype rss": return .rss
        case "rdf:rdf": return .rdf
        case "feed": return .atom
        default: return nil
        }
    }

    static func xmlError(
        _ failure: XMLTree.Failure, body: Data, hint: FeedFormat?, contentType: String?
    )
        -> FeedParseError
    {
        if failure.kind == .tooDeep {
            let what = hint.map { "the \($0.displayName) document" } ?? "the XML document"
            return FeedParseError(
                kind: .tooDeep, format: hint, message: "\(what) is not read: \(failure.message)", line: failure.line,
                column: failure.column)
        }
        let lowered = String(decoding: body.prefix(64 * 1024), as: UTF8.self).lowercased()
        if lowered.contains("<html") || lowered.contains("<body") {
            let served = contentType.map { " (served as \($0))" } ?? ""
            return FeedParseError(
                kind: .htmlPage, format: hint,
                message: "the body\(served) is HTML, not a feed (\(failure.message)): a login wall, an error or "
                    + "anti-bot page, or the feed moved",
                line: failure.line, column: failure.column)
        }
        let what = hint.map { "the \($0.displayName) document" } ?? "the XML document"
        if failure.kind == .truncated {
            return FeedParseError(
                kind: .malformedXML, format: hint,
                message: "\(what) is incomplete: \(failure.message); the next poll fetches it again",
                line: failure.line, column: failure.column)
        }
        return FeedParseError(
            kind: .malformedXML, format: hint,
            message: "\(what) is not well-formed XML: \(failure.message); the body may be truncated or broken "
                + "at the source",
            line: failure.line, column: failure.column)
    }

    // MARK: - Atom text constructs

    /// An Atom title as text: markup (`html`, `xhtml`) reduced to its text, plain text as any feed
    /// title (``FeedText/title(_:)``); `nil` when empty.
    static func atomTitle(_ construct: FeedXMLStreamReader.Construct) -> String? {
        let text = Self.atomText(construct)
        if text.html == nil { return FeedText.title(text.text) }
        return text.text.isEmpty ? nil : text.text
    }

    /// An Atom text construct (RFC 4287 §3.1): `type="text"` (default) is plain text, `html` is
    /// escaped HTML, `xhtml` is an inline `<div>` whose children are the markup.
    static func atomText(_ construct: FeedXMLStreamReader.Construct) -> (html: String?, text: String) {
        switch construct.type?.lowercased() ?? "text" {
        case "html", "text/html":
            let html = construct.text
            return (html, HTMLText.plainText(fromHTML: FeedText.unwrappingCDATA(html)))
        case "xhtml", "application/xhtml+xml":
            // The reader records an `xhtml` construct as a tree (see FeedXMLStreamReader).
            guard let element = construct.xhtml else { return ("", "") }
            let div = element.first("div", in: Namespace.xhtml) ?? element.elements.first { $0.name == "div" }
            let html = (div ?? element).innerXML
            return (html, HTMLText.plainText(fromHTML: html))
        default:
            return (nil, FeedText.trimmed(construct.text))
        }
    }
}

/// Escapes what breaks real feeds' XML: HTML named entities XML does not define (`&nbsp;`,
/// `&eacute;`) become numeric references, and a bare `&` that starts no reference becomes
/// `&amp;`. CDATA sections and comments are left alone.
enum XMLEntityRepair {
    /// The repaired document, or `nil` when there was nothing to repair.
    static func repair(_ data: Data) -> Data? {
        let bytes = [UInt8](data)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 64)
        var changed = false
        var index = 0
        let cdataStart = Array("<![CDATA[".utf8)
        let commentStart = Array("<!--".utf8)
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "<") {
                let terminator: [UInt8]? =
                    bytes[index...].starts(with: cdataStart)
                    ? Array("]]>".utf8)
                    : bytes[index...].starts(with: commentStart) ? Array("-->".utf8) : nil
                if let terminator {
                    var end = index + 4
                    while end < bytes.count && !bytes[end...].starts(with: terminator) { end += 1 }
                    end = min(bytes.count, end + terminator.count)
                    output += bytes[index..<end]
                    index = end
                    continue
                }
            }
            guard bytes[index] == UInt8(ascii: "&") else {
                output.append(bytes[index])
                index += 1
                continue
            }
            var end = index + 1
            while end < bytes.count, end - index <= 33,
                bytes[end] == UInt8(ascii: "#") || (bytes[end] >= 0x30 && bytes[end] <= 0x39)
                    || (bytes[end] | 0x20 >= UInt8(ascii: "a") && bytes[end] | 0x20 <= UInt8(ascii: "z"))
            {
                end += 1
            }
            let name = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
            let terminated = end < bytes.count && bytes[end] == UInt8(ascii: ";")
            if terminated && (["amp", "lt", "gt", "quot", "apos"].contains(name) || name.hasPrefix("#")) {
                output += bytes[index...end]
                index = end + 1
            } else if terminated, let value = HTMLEntities.named[name] {
                output += Array(value.unicodeScalars.map { "&#\($0.value);" }.joined().utf8)
                index = end + 1
                changed = true
            } else {
                output += Array("&amp;".utf8)
                index += 1
                changed = true
            }
        }
        return changed ? Data(output) : nil
    }
}
