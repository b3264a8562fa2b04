import CLibXML2
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads an RSS 0.9x/2.0, RSS 1.0 or Atom 1.0 document straight from libxml2's SAX2 events into
/// feed items, without building an element tree of the document: only the fields the mappings
/// read are kept (each item's `guid`, `link`, `title`, dates, content, enclosures and Media RSS
/// URLs; the channel's or feed's title and date), as strings, while the parse runs. Everything
/// else (channel images, `media:community` statistics, whitespace between elements) is never
/// copied out of libxml2.
///
/// It reads exactly what the tree-based mapping over ``XMLTree`` read (issue 9, item 8; the
/// differential test `FeedXMLStreamDifferentialTests` compares the two on every recorded feed and
/// generated edge cases), with the same bounds and the same failures:
/// - the same libxml2 setup as ``XMLTreeBuilder`` (no entity declared in a document is expanded,
///   nothing is loaded, `XML_PARSE_NONET`; every diagnostic fails the parse with its code, line and
///   column; a body cut short is ``XMLTree/Failure/Kind/truncated``);
/// - elements nested deeper than ``XMLTree/maximumDepth`` stop the parse
///   (``XMLTree/Failure/Kind/tooDeep``);
/// - with an item limit, only the first and the last `limit` feed items (RSS `item` under the
///   root or the root's `channel`, Atom `entry` under the root, whatever their namespace) are kept,
///   the others counted in ``ParsedFeed/omittedItems``; the fields of an item are read as it
///   streams by, and only kept items become ``FeedItem``s (HTML reduced, URLs resolved).
///
/// An Atom text construct of type `xhtml` (a title, `content` or `summary` whose markup is inline
/// XML) is the one place a tree is still built: that element alone is recorded as a small
/// ``XMLTree`` so that its markup is serialized as before (``XMLTree/Element/innerXML``).
///
/// Used on one thread, for one parse.
final class FeedXMLStreamReader {
    /// What a well-formed document read as.
    enum Reading {
        /// An RSS 0.9x/2.0 (root `rss`), RSS 1.0 (`rdf:RDF`) or Atom (`feed`) document, mapped.
        case feed(ParsedFeed)
        /// Any other root element: its local name and namespace URI (`""` when none).
        case otherRoot(name: String, namespace: String)
    }

    /// Parses `data` (UTF-8 XML) and maps it to a feed.
    /// - Parameters:
    ///   - data: The document.
    ///   - feedURL: The base of relative item links (see ``FeedParser/parse(_:feedURL:contentType:itemLimit:)``).
    ///   - itemLimit: See ``XMLTree/parse(_:itemLimit:)``; a negative limit counts as 0.
    /// - Throws: ``XMLTree/Failure`` exactly as ``XMLTree/parse(_:itemLimit:)`` does for the same bytes.
    static func read(_ data: Data, feedURL: URL, itemLimit: Int?) throws(XMLTree.Failure) -> Reading {
        // No element fits in fewer than 4 bytes (`<a/>`), as in XMLTreeBuilder.
        guard data.count >= 4 else {
            throw XMLTree.Failure(message: "the document has no root element", line: 0, column: 0)
        }
        let reader = FeedXMLStreamReader(feedURL: feedURL, itemLimit: itemLimit.map { max(0, $0) })
        LibXML2Lock.withLock { reader.run(data) }
        if let failure = reader.failure { throw failure }
        guard reader.rootClosed else {
            throw XMLTree.Failure(
                message: "the document has no root element", line: reader.line, column: reader.column)
        }
        return reader.finish()
    }

    // MARK: - Names

    /// The local names the mappings look at; every other name is `other`.
    private enum Name: UInt8 {
        case other, rss, rdfRoot, feed, channel, item, entry, guid, link, title, pubDate, date, description, encoded
        case enclosure, content, thumbnail, group, id, published, updated, summary, lastBuildDate

        static let known: [String: Name] = [
            "rss": .rss, "RDF": .rdfRoot, "feed": .feed, "channel": .channel, "item": .item, "entry": .entry,
            "guid": .guid, "link": .link, "title": .title, "pubDate": .pubDate, "date": .date,
            "description": .description, "encoded": .encoded, "enclosure": .enclosure, "content": .content,
            "thumbnail": .thumbnail, "group": .group, "id": .id, "published": .published, "updated": .updated,
            "summary": .summary, "lastBuildDate": .lastBuildDate,
        ]
    }

    /// The namespaces the mappings look at (``FeedParser/Namespace``); every other URI is `other`.
    private enum Space: UInt8 {
        case none, rss10, rss090, atom, rdf, content, dublinCore, media, xhtml, other

        static let known: [String: Space] = [
            "": .none, "http://purl.org/rss/1.0/": .rss10, "http://my.netscape.com/rdf/simple/0.9/": .rss090,
            "http://www.w3.org/2005/Atom": .atom, FeedParser.Namespace.rdf: .rdf,
            "http://purl.org/rss/1.0/modules/content/": .content, "http://purl.org/dc/elements/1.1/": .dublinCore,
            "http://search.yahoo.com/mrss/": .media, "http://search.yahoo.com/mrss": .media,
            "http://www.w3.org/1999/xhtml": .xhtml,
        ]

        /// In ``FeedParser/Namespace/rss`` (none, RSS 1.0, RSS 0.90).
        var isRSS: Bool { self == .none || self == .rss10 || self == .rss090 }
    }

    /// A name or namespace URI as libxml2 interned it, classified once per pointer.
    private struct Interned<Kind> {
        var kind: Kind
        var string: String
    }

    private var names: [UnsafeRawPointer: Interned<Name>] = [:]
    private var spaces: [UnsafeRawPointer: Interned<Space>] = [:]

    private func name(_ pointer: UnsafePointer<xmlChar>) -> Interned<Name> {
        let key = UnsafeRawPointer(pointer)
        if let known = self.names[key] { return known }
        let string = String(cString: pointer)
        let value = Interned(kind: Name.known[string] ?? .other, string: string)
        self.names[key] = value
        return value
    }

    private func space(_ pointer: UnsafePointer<xmlChar>?) -> Interned<Space> {
        guard let pointer else { return Interned(kind: .none, string: "") }
        let key = UnsafeRawPointer(pointer)
        if let known = self.spaces[key] { return known }
        let string = String(cString: pointer)
        let value = Interned(kind: Space.known[string] ?? .other, string: string)
        self.spaces[key] = value
        return value
    }

    // MARK: - What is read

    private enum Format { case rss, rdf, atom, other }

    /// A link's attributes, as the mappings read them.
    private struct Link {
        var rel: String?
        var type: String?
        var href: String?
    }

    /// An Atom text construct as read: its text (all descendant text), its `type` attribute, and
    /// for `xhtml` its element as a small tree.
    struct Construct {
        var text: String
        var type: String?
        var xhtml: XMLTree.Element?
    }

    /// The fields of one item or entry, each from the first element of its name (`nil`: none).
    /// A class: the item is filled in place while it streams by and then only passed around.
    private final class RawItem {
        var isEntry: Bool
        /// An RSS item under the channel (the mapping reads those before the root's own).
        var inChannel: Bool
        var about: String?
        var guid: String?
        var rssLink: String?
        var title: String?
        var pubDate: String?
        var dcDate: String?
        var description: String?
        var encoded: String?
        /// RSS: the Atom `link` elements; Atom: the entry's `link` elements.
        var links: [Link] = []
        var media: [String] = []
        var id: String?
        var titleConstruct: Construct?
        var published: String?
        var updated: String?
        var content: Construct?
        var summary: Construct?
        var mediaDescription: String?
        var groupDescription: String?
        var sawGroup = false

        init(isEntry: Bool, inChannel: Bool) {
            self.isEntry = isEntry
            self.inChannel = inChannel
        }
    }

    /// What a captured element's text goes to.
    private enum Target {
        case guid, rssLink, title, pubDate, dcDate, description, encoded
        case id, atomTitle, published, updated, content, summary, mediaDescription, groupDescription
        case channelTitle, lastBuildDate, feedTitle, feedUpdated
    }

    /// The element whose text is being collected (never nested: every captured element is a
    /// direct child of an item, of the channel or of the root, or a `media:description` in the
    /// first `media:group`, none of which holds another).
    private struct Capture {
        var depth: Int
        var target: Target
        var type: String?
        var subtree: Subtree?
    }

    /// An `xhtml` text construct recorded as an ``XMLTree``, the way ``XMLTreeBuilder`` records a
    /// document (text runs flushed at each tag; children appended as they end), over the capture's
    /// text bytes.
    private struct Subtree {
        var records: [XMLTree.Record] = []
        var open: [Int] = []
        var pendingStart = 0

        mutating func flush(_ textCount: Int) {
            defer { self.pendingStart = textCount }
            guard self.pendingStart < textCount, let last = self.open.last else { return }
            self.records[last].children.append(.text(self.pendingStart..<textCount))
        }

        mutating func start(_ record: XMLTree.Record, textCount: Int) {
            self.flush(textCount)
            self.records.append(record)
            self.open.append(self.records.count - 1)
        }

        mutating func end(textCount: Int) {
            self.flush(textCount)
            let index = self.open.removeLast()
            if let parent = self.open.last { self.records[parent].children.append(.element(index)) }
        }
    }

    /// What an open element is to the mapping.
    private enum Frame: Equatable {
        case plain
        /// The channel the mapping reads (the root's first RSS `channel`).
        case channel
        /// An item or entry the mapping reads.
        case item
        /// A Media RSS `content`, `thumbnail` or `group` whose children are searched for media
        /// (`level`: 1 for a child of the item); `firstGroup` for the item's first `media:group`.
        case media(level: Int, firstGroup: Bool)
    }

    private let feedURL: URL
    private let itemLimit: Int?
    private var format = Format.other
    private var rootName = ""
    private var rootNamespace = ""
    private var rootSpace = Space.none
    private var version: String?
    private var channelSeen = false
    private var channelTitle: String?
    private var lastBuildDate: String?
    private var feedTitle: Construct?
    private var feedUpdated: String?

    /// The depth of the innermost open element (the root is 1); 0 outside the root.
    private var depth = 0
    private var frames: [Frame] = []
    /// The element at depth 2 is named `channel` (in any namespace): its `item` children count as
    /// feed items for the limit.
    private var depth2IsChannel = false
    private var rootSeen = false
    private var rootClosed = false
    private var capture: Capture? {
        didSet { self.capturing = self.capture != nil }
    }
    /// ``capture`` is set (read on every text event).
    private var capturing = false
    /// The UTF-8 of the captured element's text so far.
    private var captureText: [UInt8] = []
    /// The item being read (`nil` outside one, or in an item the mapping does not read).
    private var item: RawItem?
    /// Whether a feed item the mapping does not read is open at depth 2 or 3 (set when it starts).
    private var unmappedItemOpen = [false, false]

    /// Items that ended so far (counted only under a limit).
    private var itemsSeen = 0
    /// The first `itemLimit` items the mapping reads (every item without a limit).
    private var firstItems: [RawItem] = []
    /// The last `itemLimit` feed items past the first ones, oldest first from ``lastItemsStart``
    /// (`nil` for an item the mapping does not read, which still takes its place).
    private var lastItems: [RawItem?] = []
    private var lastItemsStart = 0
    private var omittedItems = 0

    private var failure: XMLTree.Failure?
    private var line = 0
    private var column = 0
    private var endLine = 1
    private var endColumn = 0
    private var context: xmlParserCtxtPtr?

    private init(feedURL: URL, itemLimit: Int?) {
        self.feedURL = feedURL
        self.itemLimit = itemLimit
    }

    // MARK: - The parse

    private func run(_ data: Data) {
        do {
            (self.line, self.column) = try LibXML2.pushParse(
                data, userData: Unmanaged.passUnretained(self).toOpaque(), startElement: streamStartElement,
                endElement: streamEndElement, characters: streamCharacters, error: streamError
            ) { context, bytes in
                self.context = context
                (self.endLine, self.endColumn) = XMLTreeBuilder.endPosition(of: bytes)
            }
        } catch {
            self.failure = error
        }
        self.context = nil
    }

    /// Records the first failure and stops the parser.
    private func fail(_ message: String, kind: XMLTree.Failure.Kind = .malformed) {
        guard self.failure == nil, let context = self.context else { return }
        self.failure = XMLTree.Failure(
            kind: kind, message: message, line: Int(xmlSAX2GetLineNumber(context)),
            column: Int(xmlSAX2GetColumnNumber(context)))
        xmlStopParser(context)
    }

    fileprivate func error(_ error: xmlError) {
        let code = Int(error.code)
        if self.depth > 0, Int(error.line) >= self.endLine, Int(error.int2) >= self.endColumn {
            self.fail(
                "the document ends before its elements are closed (\(self.depth) still open): the body is "
                    + "truncated or incomplete (libxml2 error \(code))", kind: .truncated)
            return
        }
        self.fail(XMLTreeBuilder.libxml2Errors[code].map { "\($0) (libxml2 error \(code))" } ?? "libxml2 error \(code)")
    }

    /// The value of the attribute with this local name and prefix (`nil`: unprefixed), the last one
    /// when repeated (as a dictionary keyed by qualified name keeps it).
    private static func attribute(
        _ local: StaticString, prefix: StaticString? = nil,
        in attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
        count: Int
    ) -> String? {
        guard let attributes, count > 0 else { return nil }
        var found: String?
        for index in 0..<count {
            // localname, prefix, URI, value start, value end.
            guard let name = attributes[5 * index], Self.equal(name, local) else { continue }
            let attributePrefix = attributes[5 * index + 1]
            if let prefix {
                guard let attributePrefix, Self.equal(attributePrefix, prefix) else { continue }
            } else if let attributePrefix, attributePrefix.pointee != 0 {
                continue
            }
            var value = ""
            if let start = attributes[5 * index + 3], let end = attributes[5 * index + 4], end > start {
                value = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
            }
            found = value
        }
        return found
    }

    private static func equal(_ pointer: UnsafePointer<xmlChar>, _ text: StaticString) -> Bool {
        text.withUTF8Buffer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                // StaticString storage is NUL-terminated.
                strcmp(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self), chars.baseAddress!) == 0
            }
        }
    }

    /// The attributes by qualified name, namespace declarations included, as XMLTreeBuilder keeps
    /// them (for the elements of an `xhtml` construct).
    private func attributeDictionary(
        namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, namespaceCount: Int,
        attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, attributeCount: Int
    ) -> [String: String] {
        var values: [String: String] = [:]
        if let namespaces, namespaceCount > 0 {
            for index in 0..<namespaceCount {
                let name = namespaces[2 * index].map { "xmlns:" + self.name($0).string } ?? "xmlns"
                values[name] = namespaces[2 * index + 1].map { self.space($0).string } ?? ""
            }
        }
        if let attributes, attributeCount > 0 {
            for index in 0..<attributeCount {
                guard let local = attributes[5 * index] else { continue }
                var name = self.name(local).string
                if let prefix = attributes[5 * index + 1], prefix.pointee != 0 {
                    name = self.name(prefix).string + ":" + name
                }
                var value = ""
                if let start = attributes[5 * index + 3], let end = attributes[5 * index + 4], end > start {
                    value = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
                }
                values[name] = value
            }
        }
        return values
    }

    fileprivate func startElement(
        localName: UnsafePointer<xmlChar>, prefix: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?,
        namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, namespaceCount: Int,
        attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, attributeCount: Int
    ) {
        guard self.failure == nil else { return }
        guard self.depth < XMLTree.maximumDepth else {
            let qualified = (prefix.map { self.name($0).string + ":" } ?? "") + self.name(localName).string
            self.fail(
                "elements nest deeper than \(XMLTree.maximumDepth) levels (at <\(qualified)>): no feed needs that, so "
                    + "the body is broken or hostile; the account stays blind until the feed answers with a readable "
                    + "body",
                kind: .tooDeep)
            return
        }
        // A second root element: libxml2 reports it as an error; keep the first.
        if self.depth == 0 && self.rootSeen { return }
        self.depth += 1
        let name = self.name(localName)
        let space = self.space(uri)

        if self.capturing {
            // Inside a captured element: only an `xhtml` construct records what it holds.
            if self.capture?.subtree != nil {
                let record = XMLTree.Record(
                    name: name.string, namespace: space.string,
                    attributes: self.attributeDictionary(
                        namespaces: namespaces, namespaceCount: namespaceCount, attributes: attributes,
                        attributeCount: attributeCount),
                    children: [], textStart: self.captureText.count)
                self.capture?.subtree?.start(record, textCount: self.captureText.count)
            }
            self.frames.append(.plain)
            return
        }

        var frame = Frame.plain
        let parent = self.frames.last
        switch parent {
        case .item?:
            frame = self.startItemChild(
                name: name.kind, space: space.kind, attributes: attributes, attributeCount: attributeCount)
        case .media(let level, let firstGroup)?:
            frame = self.mediaCheck(
                name: name.kind, space: space.kind, level: level + 1, attributes: attributes, count: attributeCount)
            if firstGroup, name.kind == .description, space.kind == .media, self.item?.groupDescription == nil {
                self.startCapture(.groupDescription)
            }
        default:
            switch self.depth {
            case 1:
                self.startRoot(name: name, space: space, attributes: attributes, count: attributeCount)
            case 2:
                self.depth2IsChannel = name.kind == .channel
                if name.kind == .item || name.kind == .entry {
                    let mapped =
                        name.kind == .item
                        ? (self.format == .rss || self.format == .rdf) && space.kind.isRSS
                        : self.format == .atom && self.isAtom(space.kind)
                    frame = self.startItem(
                        mapped: mapped, isEntry: name.kind == .entry, inChannel: false, attributes: attributes,
                        count: attributeCount)
                } else {
                    self.startRootChild(
                        name: name.kind, space: space.kind, frame: &frame, attributes: attributes,
                        attributeCount: attributeCount)
                }
            case 3 where self.depth2IsChannel:
                let isTheChannel = parent == .channel
                if name.kind == .item {
                    frame = self.startItem(
                        mapped: isTheChannel && self.format == .rss && space.kind.isRSS, isEntry: false,
                        inChannel: true, attributes: attributes, count: attributeCount)
                } else if isTheChannel && space.kind.isRSS {
                    if name.kind == .title && self.channelTitle == nil {
                        self.startCapture(.channelTitle)
                    } else if name.kind == .lastBuildDate && self.format == .rss && self.lastBuildDate == nil {
                        self.startCapture(.lastBuildDate)
                    }
                }
            default:
                break
            }
        }
        // A captured element's frame is plain; its children are the capture's.
        self.frames.append(self.capturing ? .plain : frame)
    }

    private func isAtom(_ space: Space) -> Bool {
        space == .atom || (space == self.rootSpace && space == .none)
    }

    private func startRoot(
        name: Interned<Name>, space: Interned<Space>, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
        count: Int
    ) {
        self.rootSeen = true
        self.rootName = name.string
        self.rootNamespace = space.string
        self.rootSpace = space.kind
        switch (name.kind, space.kind) {
        case (.rss, _):
            self.format = .rss
            self.version = Self.attribute("version", in: attributes, count: count)
        case (.rdfRoot, .rdf):
            self.format = .rdf
        case (.feed, .atom), (.feed, .none):
            self.format = .atom
        default:
            self.format = .other
        }
    }

    private func startRootChild(
        name: Name, space: Space, frame: inout Frame, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
        attributeCount: Int
    ) {
        switch self.format {
        case .rss, .rdf:
            if name == .channel && space.isRSS && !self.channelSeen {
                self.channelSeen = true
                frame = .channel
            }
        case .atom:
            guard self.isAtom(space) else { return }
            if name == .title && self.feedTitle == nil {
                self.startConstruct(.feedTitle, attributes: attributes, attributeCount: attributeCount)
            } else if name == .updated && self.feedUpdated == nil {
                self.startCapture(.feedUpdated)
            }
        case .other:
            break
        }
    }

    private func startItem(
        mapped: Bool, isEntry: Bool, inChannel: Bool, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
        count: Int
    ) -> Frame {
        guard mapped else {
            self.item = nil
            self.unmappedItemOpen[self.depth - 2] = true
            return .plain
        }
        let item = RawItem(isEntry: isEntry, inChannel: inChannel)
        if self.format == .rdf { item.about = Self.attribute("about", prefix: "rdf", in: attributes, count: count) }
        self.item = item
        return .item
    }

    /// A direct child of a mapped item: its media, its link, or a field to capture.
    private func startItemChild(
        name: Name, space: Space, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, attributeCount: Int
    ) -> Frame {
        var frame = self.mediaCheck(name: name, space: space, level: 1, attributes: attributes, count: attributeCount)
        guard let item = self.item else { return frame }
        if item.isEntry {
            if self.isAtom(space) {
                switch name {
                case .id where item.id == nil: self.startCapture(.id)
                case .title where item.titleConstruct == nil:
                    self.startConstruct(.atomTitle, attributes: attributes, attributeCount: attributeCount)
                case .published where item.published == nil: self.startCapture(.published)
                case .updated where item.updated == nil: self.startCapture(.updated)
                case .content where item.content == nil:
                    self.startConstruct(.content, attributes: attributes, attributeCount: attributeCount)
                case .summary where item.summary == nil:
                    self.startConstruct(.summary, attributes: attributes, attributeCount: attributeCount)
                case .link:
                    self.item?.links.append(Self.link(attributes, count: attributeCount))
                default: break
                }
            }
            if space == .media {
                if name == .description && item.mediaDescription == nil {
                    self.startCapture(.mediaDescription)
                } else if name == .group && !item.sawGroup {
                    self.item?.sawGroup = true
                    frame = .media(level: 1, firstGroup: true)
                }
            }
        } else if space.isRSS {
            switch name {
            case .guid where item.guid == nil: self.startCapture(.guid)
            case .link where item.rssLink == nil: self.startCapture(.rssLink)
            case .title where item.title == nil: self.startCapture(.title)
            case .pubDate where item.pubDate == nil: self.startCapture(.pubDate)
            case .description where item.description == nil: self.startCapture(.description)
            default: break
            }
        } else if space == .dublinCore {
            if name == .date && item.dcDate == nil { self.startCapture(.dcDate) }
        } else if space == .content {
            if name == .encoded && item.encoded == nil { self.startCapture(.encoded) }
        } else if space == .atom && name == .link {
            self.item?.links.append(Self.link(attributes, count: attributeCount))
        }
        return frame
    }

    private static func link(_ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, count: Int) -> Link {
        Link(
            rel: Self.attribute("rel", in: attributes, count: count),
            type: Self.attribute("type", in: attributes, count: count),
            href: Self.attribute("href", in: attributes, count: count))
    }

    /// The media rule of the tree mapping (`mediaURLs(in:depth:)`) for an element at `level` below
    /// the item: enclosures, Atom `link rel="enclosure"`, `media:content` and `media:thumbnail`
    /// URLs; `media:content`, `media:thumbnail` and `media:group` at levels 1 and 2 are searched
    /// in turn.
    private func mediaCheck(
        name: Name, space: Space, level: Int, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, count: Int
    ) -> Frame {
        guard self.item != nil else { return .plain }
        if name == .enclosure && space.isRSS {
            if let url = Self.attribute("url", in: attributes, count: count) { self.item?.media.append(url) }
        } else if name == .link && space == .atom {
            if Self.attribute("rel", in: attributes, count: count) == "enclosure",
                let href = Self.attribute("href", in: attributes, count: count)
            {
                self.item?.media.append(href)
            }
        } else if space == .media {
            switch name {
            case .content, .thumbnail:
                if let url = Self.attribute("url", in: attributes, count: count) { self.item?.media.append(url) }
                if level <= 2 { return .media(level: level, firstGroup: false) }
            case .group:
                if level <= 2 { return .media(level: level, firstGroup: false) }
            default:
                break
            }
        }
        return .plain
    }

    private func startCapture(_ target: Target) {
        self.captureText.removeAll(keepingCapacity: true)
        self.capture = Capture(depth: self.depth, target: target)
    }

    /// Captures an Atom text construct; one of type `xhtml` records its elements too.
    private func startConstruct(
        _ target: Target, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, attributeCount: Int
    ) {
        self.startCapture(target)
        let type = Self.attribute("type", in: attributes, count: attributeCount)
        self.capture?.type = type
        switch type?.lowercased() {
        case "xhtml", "application/xhtml+xml":
            var subtree = Subtree()
            // The construct itself is record 0; only its name and children are read.
            subtree.start(
                XMLTree.Record(name: "", namespace: "", attributes: [:], children: [], textStart: 0), textCount: 0)
            self.capture?.subtree = subtree
        default:
            break
        }
    }

    fileprivate func endElement() {
        guard self.failure == nil, self.depth > 0 else { return }
        if let capture = self.capture {
            if capture.depth < self.depth {
                self.capture?.subtree?.end(textCount: self.captureText.count)
            } else {
                self.endCapture(capture)
            }
        }
        if self.frames.removeLast() == .item || self.isCountedItemEnd() {
            self.endItem()
        }
        self.depth -= 1
        if self.depth == 0 { self.rootClosed = true }
    }

    /// The element ending is a feed item the mapping does not read (it still counts for the limit):
    /// an `item` or `entry` at depth 2, or an `item` at depth 3 under a `channel`. Mapped items end
    /// through their frame.
    private func isCountedItemEnd() -> Bool {
        guard self.depth == 2 || self.depth == 3 else { return false }
        return self.unmappedItemOpen[self.depth - 2]
    }

    private func endCapture(_ capture: Capture) {
        self.capture = nil
        let text = String(decoding: self.captureText, as: UTF8.self)
        func construct() -> Construct {
            var xhtml: XMLTree.Element?
            if var subtree = capture.subtree {
                subtree.end(textCount: self.captureText.count)
                xhtml = XMLTree.Element(
                    storage: XMLTree.Storage(records: subtree.records, text: self.captureText), index: 0)
            }
            return Construct(text: text, type: capture.type, xhtml: xhtml)
        }
        switch capture.target {
        case .guid: self.item?.guid = text
        case .rssLink: self.item?.rssLink = text
        case .title: self.item?.title = text
        case .pubDate: self.item?.pubDate = text
        case .dcDate: self.item?.dcDate = text
        case .description: self.item?.description = text
        case .encoded: self.item?.encoded = text
        case .id: self.item?.id = text
        case .atomTitle: self.item?.titleConstruct = construct()
        case .published: self.item?.published = text
        case .updated: self.item?.updated = text
        case .content: self.item?.content = construct()
        case .summary: self.item?.summary = construct()
        case .mediaDescription: self.item?.mediaDescription = text
        case .groupDescription: self.item?.groupDescription = text
        case .channelTitle: self.channelTitle = text
        case .lastBuildDate: self.lastBuildDate = text
        case .feedTitle: self.feedTitle = construct()
        case .feedUpdated: self.feedUpdated = text
        }
    }

    fileprivate func characters(_ bytes: UnsafePointer<xmlChar>, count: Int) {
        guard self.capturing, self.failure == nil else { return }
        self.captureText.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
    }

    // MARK: - Items kept under a limit

    /// A feed item ended (mapped: ``item`` holds it; else `nil`): kept among the first `limit`,
    /// held among the last `limit`, or counted as omitted.
    private func endItem() {
        let ended = self.item
        self.item = nil
        if self.depth == 2 || self.depth == 3 { self.unmappedItemOpen[self.depth - 2] = false }
        guard let limit = self.itemLimit else {
            if let ended { self.firstItems.append(ended) }
            return
        }
        self.itemsSeen += 1
        guard self.itemsSeen > limit else {
            if let ended { self.firstItems.append(ended) }
            return
        }
        guard limit > 0 else {
            self.omittedItems += 1
            return
        }
        self.lastItems.append(ended)
        if self.lastItems.count - self.lastItemsStart > limit {
            self.lastItems[self.lastItemsStart] = nil
            self.lastItemsStart += 1
            self.omittedItems += 1
            if self.lastItemsStart >= limit {
                self.lastItems.removeFirst(self.lastItemsStart)
                self.lastItemsStart = 0
            }
        }
    }

    // MARK: - The feed

    private func finish() -> Reading {
        let kept = self.firstItems + self.lastItems[self.lastItemsStart...].compactMap { $0 }
        var feed: ParsedFeed
        switch self.format {
        case .rss:
            // The channel's items first, then the ones next to it (as `channel/item` + `rss/item`).
            let items = kept.filter(\.inChannel) + kept.filter { !$0.inChannel }
            let version = self.version?.trimmingCharacters(in: .whitespaces)
            feed = ParsedFeed(
                format: .rss, version: version?.isEmpty == false ? version : nil,
                title: self.channelTitle.flatMap(Self.trimmedText),
                items: items.map { self.rssItem($0, aboutID: false) },
                updatedAt: self.lastBuildDate.flatMap(Self.trimmedText).flatMap(FeedDateParser.date(from:)))
        case .rdf:
            feed = ParsedFeed(
                format: .rdf, version: nil, title: self.channelTitle.flatMap(Self.trimmedText),
                items: kept.map { self.rssItem($0, aboutID: true) })
        case .atom:
            let title = self.feedTitle.flatMap(FeedParser.atomTitle)
            feed = ParsedFeed(
                format: .atom, version: nil, title: title?.isEmpty == false ? title : nil,
                items: kept.map(self.atomEntry),
                updatedAt: self.feedUpdated.flatMap(Self.trimmedText).flatMap(FeedDateParser.date(from:)))
        case .other:
            return .otherRoot(name: self.rootName, namespace: self.rootNamespace)
        }
        feed.omittedItems = self.omittedItems
        return .feed(feed)
    }

    /// `XMLTree.Element.trimmedText`: the text trimmed, `nil` when empty.
    private static func trimmedText(_ text: String) -> String? {
        let trimmed = FeedText.trimmed(text)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// One RSS item (2.0 or 1.0), as `FeedParser.readRSSItem` read it from the tree.
    private func rssItem(_ item: RawItem, aboutID: Bool) -> FeedItem {
        let guid = item.guid.flatMap(Self.trimmedText)
        let about = aboutID ? item.about : nil
        let atomLink = item.links.first { ($0.rel ?? "alternate") == "alternate" }
        let link = item.rssLink.flatMap(Self.trimmedText) ?? atomLink?.href
        let date = item.pubDate.flatMap(Self.trimmedText) ?? item.dcDate.flatMap(Self.trimmedText)
        let html = item.encoded.flatMap { FeedText.isBlank($0) ? nil : $0 } ?? item.description
        return FeedParser.makeItem(
            ids: [(guid, .guid), (about, .about), (link, .link)],
            fallback: (item.title, date, item.description),
            link: link,
            title: FeedText.title(item.title),
            published: date,
            updated: nil,
            html: html,
            plainText: nil,
            media: item.media,
            feedURL: self.feedURL)
    }

    /// One Atom entry, as `FeedParser.readAtomEntry` read it from the tree.
    private func atomEntry(_ entry: RawItem) -> FeedItem {
        let alternates = entry.links.filter { ($0.rel ?? "alternate") == "alternate" }
        let link =
            (alternates.first { $0.type?.lowercased().contains("html") == true } ?? alternates.first)?.href
        let contentElement = entry.content ?? entry.summary
        let content = contentElement.map(FeedParser.atomText)
        var plainText = content?.text
        if content == nil || content?.text.isEmpty == true && content?.html == nil {
            plainText = (entry.sawGroup ? entry.groupDescription : entry.mediaDescription) ?? plainText
        }
        return FeedParser.makeItem(
            ids: [(entry.id.flatMap(Self.trimmedText), .id), (link, .link)],
            fallback: (entry.titleConstruct?.text, entry.published.flatMap(Self.trimmedText), contentElement?.text),
            link: link,
            title: entry.titleConstruct.flatMap(FeedParser.atomTitle),
            published: entry.published.flatMap(Self.trimmedText),
            updated: entry.updated.flatMap(Self.trimmedText),
            html: content?.html,
            plainText: plainText,
            media: entry.media,
            feedURL: self.feedURL)
    }
}

// C function pointers cannot capture context: the reader comes back through the user-data
// pointer, unretained; `FeedXMLStreamReader.read` holds it for the whole parse.

/// Runs `body` with the reader behind `context`, without retaining it (the parse holds it).
@inline(__always)
private func withStreamReader(_ context: UnsafeMutableRawPointer?, _ body: (FeedXMLStreamReader) -> Void) {
    guard let context else { return }
    Unmanaged<FeedXMLStreamReader>.fromOpaque(context)._withUnsafeGuaranteedRef(body)
}

private let streamStartElement: startElementNsSAX2Func = {
    context, localName, prefix, uri, namespaceCount, namespaces, attributeCount, _, attributes in
    guard let localName else { return }
    withStreamReader(context) {
        $0.startElement(
            localName: localName, prefix: prefix, uri: uri, namespaces: namespaces,
            namespaceCount: Int(namespaceCount), attributes: attributes, attributeCount: Int(attributeCount))
    }
}

private let streamEndElement: endElementNsSAX2Func = { context, _, _, _ in
    withStreamReader(context) { $0.endElement() }
}

private let streamCharacters: charactersSAXFunc = { context, bytes, count in
    guard let bytes, count > 0 else { return }
    withStreamReader(context) { $0.characters(bytes, count: Int(count)) }
}

private let streamError: xmlStructuredErrorFunc = { context, error in
    guard let error else { return }
    withStreamReader(context) { $0.error(error.pointee) }
}
