import Foundation

@testable import PalimpsestCore

/// The feed XML mapping as it was before issue 9's streaming reader: the document parsed into an
/// ``XMLTree`` (``XMLTreeBuilder``, libxml2 SAX2), then RSS, RSS 1.0 and Atom read from the tree.
/// Kept here, unchanged, as the reference `FeedXMLStreamDifferentialTests` holds
/// ``FeedXMLStreamReader`` to: the same feed, the same items and version hashes, the same failures.
extension FeedParser {
    /// ``FeedParser/parse(_:feedURL:contentType:itemLimit:)`` with XML read through the tree
    /// (the sniffing copied as it is).
    static func parseByTree(_ body: Data, feedURL: URL, contentType: String? = nil, itemLimit: Int? = nil)
        throws(FeedParseError) -> ParsedFeed
    {
        let isUTF16 = body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF])
        let afterBOM = body.starts(with: [0xEF, 0xBB, 0xBF]) ? body.startIndex + 3 : body.startIndex
        let contentStart = body[afterBOM...].firstIndex { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        let bytes = [UInt8](body[(contentStart ?? body.endIndex)...].prefix(4096))
        let isXML = isUTF16 || (!bytes.isEmpty && bytes[0] == UInt8(ascii: "<"))
        let firstElement = isXML ? Self.firstElementName(bytes, from: 0) : nil
        let isHTML = firstElement.map { $0.lowercased() == "html" || $0.lowercased() == "!doctype html" } ?? false
        guard isXML, !isHTML else {
            return try Self.parse(body, feedURL: feedURL, contentType: contentType, itemLimit: itemLimit)
        }
        return try Self.parseXMLFeedByTree(
            body, feedURL: feedURL, contentType: contentType, firstElement: firstElement, itemLimit: itemLimit)
    }

    static func parseXMLFeedByTree(
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
            feed = Self.treeReadRSS(root, feedURL: feedURL)
        case ("RDF", Namespace.rdf):
            feed = Self.treeReadRDF(root, feedURL: feedURL)
        case ("feed", let namespace) where Namespace.atom.contains(namespace) || namespace.isEmpty:
            feed = Self.treeReadAtom(root, feedURL: feedURL)
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

    // MARK: - RSS 2.0

    static func treeReadRSS(_ root: XMLTree.Element, feedURL: URL) -> ParsedFeed {
        let channel = root.first("channel", in: Namespace.rss)
        // RSS 0.9x puts items in the channel; a few generators put them next to it.
        let items = (channel?.all("item", in: Namespace.rss) ?? []) + root.all("item", in: Namespace.rss)
        let version = root.attributes["version"]?.trimmingCharacters(in: .whitespaces)
        return ParsedFeed(
            format: .rss, version: version?.isEmpty == false ? version : nil,
            title: channel?.first("title", in: Namespace.rss)?.trimmedText,
            items: items.map { Self.treeReadRSSItem($0, feedURL: feedURL, aboutID: false) },
            updatedAt: channel?.first("lastBuildDate", in: Namespace.rss)?.trimmedText
                .flatMap(FeedDateParser.date(from:)))
    }

    // MARK: - RSS 1.0

    static func treeReadRDF(_ root: XMLTree.Element, feedURL: URL) -> ParsedFeed {
        let channel = root.first("channel", in: Namespace.rss)
        return ParsedFeed(
            format: .rdf, version: nil,
            title: channel?.first("title", in: Namespace.rss)?.trimmedText,
            items: root.all("item", in: Namespace.rss).map { Self.treeReadRSSItem($0, feedURL: feedURL, aboutID: true) }
        )
    }

    /// One RSS item (2.0 or 1.0). ID: `guid`, else (RSS 1.0) `rdf:about`, else `link`, else the
    /// fallback hash of title, `pubDate` and `description`.
    static func treeReadRSSItem(_ item: XMLTree.Element, feedURL: URL, aboutID: Bool) -> FeedItem {
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
            media: Self.treeMediaURLs(in: item),
            feedURL: feedURL)
    }

    /// Enclosures, `media:content` and `media:thumbnail` URLs in document order, looking inside
    /// `media:group` and `media:content` too. Nothing else of Media RSS is read (`media:community`
    /// statistics and ratings change constantly).
    static func treeMediaURLs(in element: XMLTree.Element, depth: Int = 0) -> [String] {
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
                    if depth < 2 { urls += Self.treeMediaURLs(in: child, depth: depth + 1) }
                case "group":
                    if depth < 2 { urls += Self.treeMediaURLs(in: child, depth: depth + 1) }
                default:
                    break
                }
            }
        }
        return urls
    }

    // MARK: - Atom 1.0

    static func treeReadAtom(_ root: XMLTree.Element, feedURL: URL) -> ParsedFeed {
        let namespaces = Namespace.atom.union([root.namespace])
        let title = root.first("title", in: namespaces).flatMap(Self.treeAtomTitle)
        return ParsedFeed(
            format: .atom, version: nil,
            title: title?.isEmpty == false ? title : nil,
            items: root.all("entry", in: namespaces).map {
                Self.treeReadAtomEntry($0, namespaces: namespaces, feedURL: feedURL)
            },
            updatedAt: root.first("updated", in: namespaces)?.trimmedText.flatMap(FeedDateParser.date(from:)))
    }

    /// One Atom entry. ID: `id`, else the alternate link, else the fallback hash of title,
    /// `published` and `content` (or `summary`). Text: `content`, else `summary`, else (YouTube)
    /// `media:group/media:description`.
    static func treeReadAtomEntry(_ entry: XMLTree.Element, namespaces: Set<String>, feedURL: URL) -> FeedItem {
        let id = entry.first("id", in: namespaces)?.trimmedText
        let links = entry.all("link", in: namespaces)
        let alternates = links.filter { ($0.attributes["rel"] ?? "alternate") == "alternate" }
        let link =
            (alternates.first { $0.attributes["type"]?.lowercased().contains("html") == true } ?? alternates.first)?
            .attributes["href"]
        let titleElement = entry.first("title", in: namespaces)
        let title = titleElement.flatMap(Self.treeAtomTitle)
        let published = entry.first("published", in: namespaces)?.trimmedText
        let updated = entry.first("updated", in: namespaces)?.trimmedText
        let contentElement = entry.first("content", in: namespaces) ?? entry.first("summary", in: namespaces)
        let content = contentElement.map(Self.treeAtomText)
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
            media: Self.treeMediaURLs(in: entry),
            feedURL: feedURL)
    }

    /// An Atom title as text: markup (`html`, `xhtml`) reduced to its text, plain text as any feed
    /// title (``FeedText/title(_:)``); `nil` when empty.
    static func treeAtomTitle(_ element: XMLTree.Element) -> String? {
        let construct = Self.treeAtomText(element)
        if construct.html == nil { return FeedText.title(construct.text) }
        return construct.text.isEmpty ? nil : construct.text
    }

    /// An Atom text construct (RFC 4287 §3.1): `type="text"` (default) is plain text, `html` is
    /// escaped HTML, `xhtml` is an inline `<div>` whose children are the markup.
    static func treeAtomText(_ element: XMLTree.Element) -> (html: String?, text: String) {
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
