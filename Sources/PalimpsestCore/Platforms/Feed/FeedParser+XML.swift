import Foundation

/// RSS 0.9x/2.0, RSS 1.0 and Atom 1.0 over the element tree of ``XMLTree``.
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
        func parse(_ data: Data) throws(XMLTree.Failure) -> XMLTree {
            try XMLTree.parse(data, itemLimit: itemLimit)
        }
        let tree: XMLTree
        do {
            tree = try parse(data)
        } catch let failure {
            // Undeclared HTML entities (`&nbsp;`) and bare `&` are the commonest breakage in real
            // feeds; retry once with them escaped, and report the original error if that fails too.
            // A document nested too deep stays too deep: no retry.
            guard failure.kind != .tooDeep, let repaired = XMLEntityRepair.repair(data),
                let retried = try? parse(repaired)
            else {
                throw Self.xmlError(failure, body: data, hint: hint, contentType: contentType)
            }
            tree = retried
        }
        let root = tree.root
        var feed: ParsedFeed
        switch (root.name, root.namespace) {
        case ("rss", _):
            feed = Self.readRSS(root, feedURL: feedURL)
        case ("RDF", Namespace.rdf):
            feed = Self.readRDF(root, feedURL: feedURL)
        case ("feed", let namespace) where Namespace.atom.contains(namespace) || namespace.isEmpty:
            feed = Self.readAtom(root, feedURL: feedURL)
        case (let name, _) where name.lowercased() == "html":
            throw FeedParseError(
                kind: .htmlPage, format: nil,
                message: "the body is an XHTML page, not a feed: a login wall, an error page, or the feed moved")
        default:
            let namespace = root.namespace.isEmpty ? "" : " in namespace \(root.namespace)"
            throw FeedParseError(
                kind: .unknownFormat, format: nil,
                message:
                    "the XML root element is <\(root.name)>\(namespace); a feed has <rss>, <rdf:RDF> or an Atom <feed>")
        }
        feed.omittedItems = tree.omittedItems
        return feed
    }

    private static func formatHint(_ firstElement: String?) -> FeedFormat? {
        switch firstElement?.lowercased() {
        case "rss", "!doctype rss": return .rss
        case "rdf:rdf": return .rdf
        case "feed": return .atom
        default: return nil
        }
    }

    private static func xmlError(
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

    // MARK: - RSS 2.0

    private static func readRSS(_ root: XMLTree.Element, feedURL: URL) -> ParsedFeed {
        let channel = root.first("channel", in: Namespace.rss)
        // RSS 0.9x puts items in the channel; a few generators put them next to it.
        let items = (channel?.all("item", in: Namespace.rss) ?? []) + root.all("item", in: Namespace.rss)
        let version = root.attributes["version"]?.trimmingCharacters(in: .whitespaces)
        return ParsedFeed(
            format: .rss, version: version?.isEmpty == false ? version : nil,
            title: channel?.first("title", in: Namespace.rss)?.trimmedText,
            items: items.map { Self.readRSSItem($0, feedURL: feedURL, aboutID: false) },
            updatedAt: channel?.first("lastBuildDate", in: Namespace.rss)?.trimmedText
                .flatMap(FeedDateParser.date(from:)))
    }

    // MARK: - RSS 1.0

    private static func readRDF(_ root: XMLTree.Element, feedURL: URL) -> ParsedFeed {
        let channel = root.first("channel", in: Namespace.rss)
        return ParsedFeed(
            format: .rdf, version: nil,
            title: channel?.first("title", in: Namespace.rss)?.trimmedText,
            items: root.all("item", in: Namespace.rss).map { Self.readRSSItem($0, feedURL: feedURL, aboutID: true) })
    }

    /// One RSS item (2.0 or 1.0). ID: `guid`, else (RSS 1.0) `rdf:about`, else `link`, else the
    /// fallback hash of title, `pubDate` and `description`.
    private static func readRSSItem(_ item: XMLTree.Element, feedURL: URL, aboutID: Bool) -> FeedItem {
        let guid = item.first("guid", in: Namespace.rss)?.trimmedText
        let about = aboutID ? item.attributes["rdf:about"] : nil
        let atomLink = item.all("link", in: Namespace.atom).first {
            ($0.attributes["rel"] ?? "alternate") == "alternate"
        }
        let link = item.first("link", in: Namespace.rss)?.trimmedText ?? atomLink?.attributes["href"]
        let title = item.first("title", in: Namespace.rss)?.text
        let date =
            item.first("pubDate", in: Namespace.rss)?.trimmedText
            ?? item.first("date", in: Namespace.dublinCore)?.trimmedText
        let description = item.first("description", in: Namespace.rss)?.text
        let encoded = item.first("encoded", in: Namespace.content)?.text
        let html =
            encoded.flatMap { FeedText.isBlank($0) ? nil : $0 }
            ?? description
        return Self.makeItem(
            ids: [(guid, .guid), (about, .about), (link, .link)],
            fallback: (title, date, description),
            link: link,
            title: FeedText.title(title),
            published: date,
            updated: nil,
            html: html,
            plainText: nil,
            media: Self.mediaURLs(in: item),
            feedURL: feedURL)
    }

    /// Enclosures, `media:content` and `media:thumbnail` URLs in document order, looking inside
    /// `media:group` and `media:content` too. Nothing else of Media RSS is read (`media:community`
    /// statistics and ratings change constantly).
    private static func mediaURLs(in element: XMLTree.Element, depth: Int = 0) -> [String] {
        var urls: [String] = []
        for child in element.elements {
            if child.name == "enclosure" && Namespace.rss.contains(child.namespace) {
                if let url = child.attributes["url"] { urls.append(url) }
            } else if child.name == "link" && Namespace.atom.contains(child.namespace)
                && child.attributes["rel"] == "enclosure"
            {
                if let href = child.attributes["href"] { urls.append(href) }
            } else if Namespace.media.contains(child.namespace) {
                switch child.name {
                case "content", "thumbnail":
                    if let url = child.attributes["url"] { urls.append(url) }
                    if depth < 2 { urls += Self.mediaURLs(in: child, depth: depth + 1) }
                case "group":
                    if depth < 2 { urls += Self.mediaURLs(in: child, depth: depth + 1) }
                default:
                    break
                }
            }
        }
        return urls
    }

    // MARK: - Atom 1.0

    private static func readAtom(_ root: XMLTree.Element, feedURL: URL) -> ParsedFeed {
        let namespaces = Namespace.atom.union([root.namespace])
        let title = root.first("title", in: namespaces).flatMap(Self.atomTitle)
        return ParsedFeed(
            format: .atom, version: nil,
            title: title?.isEmpty == false ? title : nil,
            items: root.all("entry", in: namespaces).map {
                Self.readAtomEntry($0, namespaces: namespaces, feedURL: feedURL)
            },
            updatedAt: root.first("updated", in: namespaces)?.trimmedText.flatMap(FeedDateParser.date(from:)))
    }

    /// One Atom entry. ID: `id`, else the alternate link, else the fallback hash of title,
    /// `published` and `content` (or `summary`). Text: `content`, else `summary`, else (YouTube)
    /// `media:group/media:description`.
    private static func readAtomEntry(_ entry: XMLTree.Element, namespaces: Set<String>, feedURL: URL) -> FeedItem {
        let id = entry.first("id", in: namespaces)?.trimmedText
        let links = entry.all("link", in: namespaces)
        let alternates = links.filter { ($0.attributes["rel"] ?? "alternate") == "alternate" }
        let link =
            (alternates.first { $0.attributes["type"]?.lowercased().contains("html") == true } ?? alternates.first)?
            .attributes["href"]
        let titleElement = entry.first("title", in: namespaces)
        let title = titleElement.flatMap(Self.atomTitle)
        let published = entry.first("published", in: namespaces)?.trimmedText
        let updated = entry.first("updated", in: namespaces)?.trimmedText
        let contentElement = entry.first("content", in: namespaces) ?? entry.first("summary", in: namespaces)
        let content = contentElement.map(Self.atomText)
        var plainText = content?.text
        if content == nil || content?.text.isEmpty == true && content?.html == nil {
            let group = entry.first("group", in: Namespace.media)
            plainText = (group ?? entry).first("description", in: Namespace.media)?.text ?? plainText
        }
        return Self.makeItem(
            ids: [(id, .id), (link, .link)],
            fallback: (titleElement?.text, published, contentElement?.text),
            link: link,
            title: title,
            published: published,
            updated: updated,
            html: content?.html,
            plainText: plainText,
            media: Self.mediaURLs(in: entry),
            feedURL: feedURL)
    }

    /// An Atom title as text: markup (`html`, `xhtml`) reduced to its text, plain text as any feed
    /// title (``FeedText/title(_:)``); `nil` when empty.
    private static func atomTitle(_ element: XMLTree.Element) -> String? {
        let construct = Self.atomText(element)
        if construct.html == nil { return FeedText.title(construct.text) }
        return construct.text.isEmpty ? nil : construct.text
    }

    /// An Atom text construct (RFC 4287 §3.1): `type="text"` (default) is plain text, `html` is
    /// escaped HTML, `xhtml` is an inline `<div>` whose children are the markup.
    private static func atomText(_ element: XMLTree.Element) -> (html: String?, text: String) {
        let type = element.attributes["type"]?.lowercased() ?? "text"
        switch type {
        case "html", "text/html":
            let html = element.text
            return (html, HTMLText.plainText(fromHTML: FeedText.unwrappingCDATA(html)))
        case "xhtml", "application/xhtml+xml":
            let div = element.first("div", in: Namespace.xhtml) ?? element.elements.first { $0.name == "div" }
            let html = (div ?? element).innerXML
            return (html, HTMLText.plainText(fromHTML: html))
        default:
            return (nil, FeedText.trimmed(element.text))
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
