import CLibXML2
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Builds an ``XMLTree`` from libxml2's SAX2 callbacks (`xmlCreatePushParserCtxt` with our own
/// `xmlSAXHandler`, one `xmlParseChunk` for the whole document): no libxml2 tree is built and no
/// libxml2 pointer outlives the parse.
///
/// No entity declared in a document is ever expanded and nothing is ever loaded: the handler has
/// no `entityDecl`, `getEntity`, `getParameterEntity`, `resolveEntity` or `externalSubset`, so
/// libxml2 keeps no declaration and loads no external subset or entity, and the parser runs with
/// `XML_PARSE_NONET` and without `XML_PARSE_DTDLOAD` or `XML_PARSE_HUGE`. A billion-laughs or XXE
/// body therefore costs nothing: its references are undeclared entities, which the feed parser's
/// repair turns into text (`&name;`). `XML_PARSE_NOENT` is set only because without it libxml2's
/// SAX2 hands over an attribute's `&amp;` as `&#38;` (for a tree builder to read again); with no
/// declaration to expand, it changes nothing else. libxml2's own limits stay (10 MB per text
/// node, names of 50,000 bytes).
///
/// Every diagnostic libxml2 reports, warnings included, fails the parse, with its code, line and
/// column (the errors are reported through the handler's `serror`, for this parse only), as
/// FoundationXML's parser did before. Elements nested deeper than ``XMLTree/maximumDepth`` stop
/// the parse (`xmlStopParser`) with a ``XMLTree/Failure/Kind/tooDeep`` failure.
///
/// Used on one thread, for one parse.
final class XMLTreeBuilder {
    /// Parses `data` (UTF-8 XML) into a tree.
    /// - Parameters:
    ///   - data: The document.
    ///   - itemLimit: See ``XMLTree/parse(_:itemLimit:)``; not negative.
    /// - Throws: ``XMLTree/Failure`` (see ``XMLTree/parse(_:itemLimit:)``).
    static func parse(_ data: Data, itemLimit: Int?) throws(XMLTree.Failure) -> XMLTree {
        // No element fits in fewer than 4 bytes (`<a/>`); FoundationXML's reader gave this answer
        // without parsing, and so does this one.
        guard data.count >= 4 else {
            throw XMLTree.Failure(message: "the document has no root element", line: 0, column: 0)
        }
        let builder = XMLTreeBuilder(itemLimit: itemLimit)
        LibXML2Lock.withLock { builder.run(data) }
        if let failure = builder.failure { throw failure }
        guard builder.rootClosed, !builder.records.isEmpty else {
            throw XMLTree.Failure(
                message: "the document has no root element", line: builder.line, column: builder.column)
        }
        builder.attachLastItems()
        return XMLTree(
            root: XMLTree.Element(storage: XMLTree.Storage(records: builder.records, text: builder.text), index: 0),
            omittedItems: builder.omittedItems)
    }

    /// Every element kept so far, in the order their start tags came (the root is record 0).
    private var records: [XMLTree.Record] = []
    /// The records of the elements open now, outermost first.
    private var open: [Int] = []
    /// Where the input ends (line from 1, and the last line's length in characters): an error
    /// there, with elements still open, is a document cut short.
    private var endLine = 1
    private var endColumn = 0
    /// The UTF-8 of all text kept so far; the bytes from ``pendingStart`` on were read since the
    /// last start or end tag (text of the innermost open element, not yet a child).
    private var text: [UInt8] = []
    private var pendingStart = 0
    private var rootClosed = false
    private var failure: XMLTree.Failure?
    /// Where the parser was when it stopped (for a document with no root).
    private var line = 0
    private var column = 0
    /// The parse in progress (only while ``run(_:)`` runs).
    private var context: xmlParserCtxtPtr?
    /// Names and namespace URIs by their pointer into the parse's dictionary (libxml2 interns
    /// them), so each is made a Swift string once.
    private var interned: [UnsafeRawPointer: String] = [:]

    /// A feed item past the first `itemLimit`, held apart: its parent's record, its own records
    /// and its text, with element indices and text ranges relative to the item (the item is
    /// record 0, its text starts at 0).
    private struct DetachedItem {
        var parent: Int
        var records: [XMLTree.Record]
        var text: [UInt8]
    }

    private let itemLimit: Int?
    /// Items that ended so far.
    private var itemsSeen = 0
    /// The last `itemLimit` items past the first `itemLimit`, oldest first.
    private var lastItems: [DetachedItem] = []
    private var lastItemsStart = 0
    private var omittedItems = 0

    private init(itemLimit: Int?) {
        self.itemLimit = itemLimit
    }

    // MARK: - The parse

    private func run(_ data: Data) {
        do {
            (self.line, self.column) = try LibXML2.pushParse(
                data, userData: Unmanaged.passUnretained(self).toOpaque(), startElement: saxStartElement,
                endElement: saxEndElement, characters: saxCharacters, error: saxError
            ) { context, bytes in
                self.context = context
                (self.endLine, self.endColumn) = Self.endPosition(of: bytes)
                // Room for every text byte and about one element per 64 bytes of a feed of usual
                // size, so the arrays do not grow by copying while it is read (capped: a huge body
                // read under an item limit keeps only a few items).
                self.text.reserveCapacity(min(bytes.count, 1 << 20))
                self.records.reserveCapacity(min(bytes.count / 64, 16_384))
            }
        } catch {
            self.failure = error
        }
        self.context = nil
    }

    /// The line (from 1) and the column (libxml2 counts characters, from 1) just past the last
    /// byte of the document: the line breaks counted over the bytes, the last line's scalars
    /// counted by their UTF-8 lead bytes (malformed bytes count as U+FFFD replacements, as decoding
    /// them would).
    static func endPosition(of bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var lastLineStart = 0
        guard let base = bytes.baseAddress else { return (1, 0) }
        var offset = 0
        while offset < bytes.count, let found = memchr(base + offset, 0x0A, bytes.count - offset) {
            line += 1
            offset = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
            lastLineStart = offset
        }
        let lastLine = UnsafeBufferPointer(rebasing: bytes[lastLineStart...])
        return (line, String(decoding: lastLine, as: UTF8.self).unicodeScalars.count)
    }

    /// Records the first failure and stops the parser.
    private func fail(_ message: String, kind: XMLTree.Failure.Kind = .malformed) {
        guard self.failure == nil, let context = self.context else { return }
        self.failure = XMLTree.Failure(
            kind: kind, message: message, line: Int(xmlSAX2GetLineNumber(context)),
            column: Int(xmlSAX2GetColumnNumber(context)))
        xmlStopParser(context)
    }

    private func string(_ pointer: UnsafePointer<xmlChar>) -> String {
        let key = UnsafeRawPointer(pointer)
        if let known = self.interned[key] { return known }
        let value = String(cString: pointer)
        self.interned[key] = value
        return value
    }

    fileprivate func startElement(
        localName: UnsafePointer<xmlChar>, prefix: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?,
        namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, namespaceCount: Int,
        attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, attributeCount: Int
    ) {
        guard self.failure == nil else { return }
        guard self.open.count < XMLTree.maximumDepth else {
            let qualified = (prefix.map { self.string($0) + ":" } ?? "") + self.string(localName)
            self.fail(
                "elements nest deeper than \(XMLTree.maximumDepth) levels (at <\(qualified)>): no feed needs that, so "
                    + "the body is broken or hostile; the account stays blind until the feed answers with a readable "
                    + "body",
                kind: .tooDeep)
            return
        }
        if self.open.isEmpty && !self.records.isEmpty {
            // A second root element: libxml2 reports it as an error; keep the first tree.
            return
        }
        self.flushText()
        // Attributes by qualified name, namespace declarations included (`xmlns`, `xmlns:media`),
        // as written.
        var attributeValues: [String: String] = [:]
        if namespaceCount + attributeCount > 0 { attributeValues.reserveCapacity(namespaceCount + attributeCount) }
        if let namespaces, namespaceCount > 0 {
            for index in 0..<namespaceCount {
                let name = namespaces[2 * index].map { "xmlns:" + self.string($0) } ?? "xmlns"
                attributeValues[name] = namespaces[2 * index + 1].map { self.string($0) } ?? ""
            }
        }
        if let attributes, attributeCount > 0 {
            for index in 0..<attributeCount {
                // localname, prefix, URI, value start, value end.
                guard let local = attributes[5 * index] else { continue }
                var name = self.string(local)
                if let prefix = attributes[5 * index + 1], prefix.pointee != 0 {
                    name = self.string(prefix) + ":" + name
                }
                var value = ""
                if let start = attributes[5 * index + 3], let end = attributes[5 * index + 4], end > start {
                    value = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
                }
                attributeValues[name] = value
            }
        }
        self.records.append(
            XMLTree.Record(
                name: self.string(localName), namespace: uri.map { self.string($0) } ?? "", attributes: attributeValues,
                children: [], textStart: self.text.count))
        self.open.append(self.records.count - 1)
    }

    fileprivate func endElement() {
        guard self.failure == nil, !self.open.isEmpty else { return }
        self.flushText()
        let index = self.open.removeLast()
        guard let parent = self.open.last else {
            self.rootClosed = true
            return
        }
        if let limit = self.itemLimit, self.isFeedItem(index, depth: self.open.count + 1) {
            self.itemsSeen += 1
            if self.itemsSeen > limit {
                self.detachItem(index, parent: parent, limit: limit)
                return
            }
        }
        self.records[parent].children.append(.element(index))
    }

    fileprivate func characters(_ bytes: UnsafePointer<xmlChar>, count: Int) {
        guard self.failure == nil, !self.open.isEmpty else { return }
        self.text.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
    }

    fileprivate func error(_ error: xmlError) {
        let code = Int(error.code)
        // A body cut short ends with elements still open: whatever libxml2 names at that point (it
        // may read the cut as extra content), the document is incomplete.
        if !self.open.isEmpty, Int(error.line) >= self.endLine, Int(error.int2) >= self.endColumn {
            self.fail(
                "the document ends before its elements are closed (\(self.open.count) still open): the body is "
                    + "truncated or incomplete (libxml2 error \(code))", kind: .truncated)
            return
        }
        self.fail(Self.libxml2Errors[code].map { "\($0) (libxml2 error \(code))" } ?? "libxml2 error \(code)")
    }

    /// Moves the text read since the last tag into the innermost open element, joined to a text
    /// child that ends its children.
    private func flushText() {
        defer { self.pendingStart = self.text.count }
        guard self.pendingStart < self.text.count, let last = self.open.last else { return }
        var run = self.pendingStart..<self.text.count
        if case .text(let previous)? = self.records[last].children.last {
            // One run of text between two elements, as a text node is: the held item between the
            // two parts was detached.
            self.records[last].children.removeLast()
            if previous.upperBound != run.lowerBound {
                let added = Array(self.text[run])
                self.text.removeSubrange(run)
                self.text.append(contentsOf: self.text[previous])
                self.text.append(contentsOf: added)
                run = (self.text.count - previous.count - added.count)..<self.text.count
            } else {
                run = previous.lowerBound..<run.upperBound
            }
        }
        self.records[last].children.append(.text(run))
    }

    // MARK: - Items kept under a limit

    /// An RSS `item` under the root or the root's `channel`, or an Atom `entry` under the root.
    private func isFeedItem(_ index: Int, depth: Int) -> Bool {
        switch self.records[index].name {
        case "entry": return depth == 2
        case "item":
            return depth == 2 || depth == 3 && self.records[self.open[1]].name == "channel"
        default: return false
        }
    }

    /// Moves the item that just ended (the last records, from `index` on) out of the tree into
    /// ``lastItems``, dropping the oldest held item beyond `limit`.
    private func detachItem(_ index: Int, parent: Int, limit: Int) {
        var detached = Array(self.records[index...])
        self.records.removeSubrange(index...)
        // The item's text is the end of the tree's text: it was read after the item started.
        let textStart = detached[0].textStart
        let text = Array(self.text[textStart...])
        self.text.removeSubrange(textStart...)
        self.pendingStart = self.text.count
        for position in detached.indices {
            detached[position].textStart -= textStart
            for child in detached[position].children.indices {
                switch detached[position].children[child] {
                case .element(let absolute): detached[position].children[child] = .element(absolute - index)
                case .text(let range):
                    detached[position].children[child] = .text(
                        (range.lowerBound - textStart)..<(range.upperBound - textStart))
                }
            }
        }
        guard limit > 0 else {
            self.omittedItems += 1
            return
        }
        self.lastItems.append(DetachedItem(parent: parent, records: detached, text: text))
        if self.lastItems.count - self.lastItemsStart > limit {
            self.lastItems[self.lastItemsStart] = DetachedItem(parent: parent, records: [], text: [])
            self.lastItemsStart += 1
            self.omittedItems += 1
            // Compact now and then, so the held items stay about `limit` long.
            if self.lastItemsStart >= limit {
                self.lastItems.removeFirst(self.lastItemsStart)
                self.lastItemsStart = 0
            }
        }
    }

    /// Puts the held last items back under their parents, after the first ones.
    private func attachLastItems() {
        for item in self.lastItems[self.lastItemsStart...] {
            let offset = self.records.count
            let textOffset = self.text.count
            self.text += item.text
            for var record in item.records {
                record.textStart += textOffset
                for child in record.children.indices {
                    switch record.children[child] {
                    case .element(let relative): record.children[child] = .element(relative + offset)
                    case .text(let range):
                        record.children[child] = .text(
                            (range.lowerBound + textOffset)..<(range.upperBound + textOffset))
                    }
                }
                self.records.append(record)
            }
            self.records[item.parent].children.append(.element(offset))
        }
        self.lastItems = []
        self.lastItemsStart = 0
    }

    /// Words for the libxml2 `xmlParserErrors` codes a broken feed commonly hits (values from
    /// libxml2's `xmlerror.h`).
    static let libxml2Errors: [Int: String] = [
        4: "the document is empty", 5: "extra content after the end of the document",
        6: "invalid hexadecimal character reference", 7: "invalid decimal character reference",
        8: "invalid character reference", 9: "a character not allowed in XML",
        14: "the document ends inside an entity reference", 22: "a bare '&' without an entity name",
        23: "an entity reference without its ';'", 26: "an undeclared entity (such as &nbsp;)",
        38: "a '<' inside an attribute value", 39: "an attribute value without quotes",
        40: "an unterminated attribute value", 41: "an attribute without a value", 42: "a repeated attribute",
        45: "an unterminated comment", 63: "an unterminated CDATA section", 68: "a name was expected",
        73: "'>' was expected", 74: "'</' was expected", 76: "an end tag that does not match its start tag",
        77: "an element that is never closed (the document ends too early)",
        81: "bytes that are not valid in the document's encoding", 85: "unbalanced elements",
        86: "extra content after the root element", 89: "an entity that refers to itself",
    ]
}

// C function pointers cannot capture context: the builder comes back through the user-data
// pointer, unretained; `XMLTreeBuilder.parse` holds it for the whole parse.

private func builder(_ context: UnsafeMutableRawPointer?) -> XMLTreeBuilder? {
    context.map { Unmanaged<XMLTreeBuilder>.fromOpaque($0).takeUnretainedValue() }
}

private let saxStartElement: startElementNsSAX2Func = {
    context, localName, prefix, uri, namespaceCount, namespaces, attributeCount, _, attributes in
    guard let localName else { return }
    builder(context)?.startElement(
        localName: localName, prefix: prefix, uri: uri, namespaces: namespaces, namespaceCount: Int(namespaceCount),
        attributes: attributes, attributeCount: Int(attributeCount))
}

private let saxEndElement: endElementNsSAX2Func = { context, _, _, _ in
    builder(context)?.endElement()
}

private let saxCharacters: charactersSAXFunc = { context, bytes, count in
    guard let bytes, count > 0 else { return }
    builder(context)?.characters(bytes, count: Int(count))
}

private let saxError: xmlStructuredErrorFunc = { context, error in
    guard let error else { return }
    builder(context)?.error(error.pointee)
}
