import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A small element tree of an XML document, read with Foundation's `XMLParser` (libxml2 on
/// Linux). A tree keeps the RSS and Atom mappings short and readable.
///
/// Namespaces are resolved by the tree itself from the `xmlns` declarations, so `media:content`
/// and `m:content` bound to the same URI are the same element whatever the prefix.
///
/// Hostile bodies are bounded (rule of evidence 1: an unreadable body is a blind poll, never a
/// crash):
/// - Elements nested deeper than ``maximumDepth`` fail the parse (``Failure/Kind/tooDeep``).
/// - The tree is flat: every element is one record in one array, children refer to records by
///   index, so releasing a tree never recurses whatever its shape, and walks over it
///   (``Element/text``, ``Element/innerXML``) use an explicit stack.
/// - With an item limit, only the first and the last `limit` feed items (RSS `item`, Atom
///   `entry`) are kept; the ones between are dropped as soon as they end, so memory does not grow
///   with the number of items (see ``parse(_:itemLimit:)``).
struct XMLTree {
    /// The deepest element nesting read (the root element is depth 1). Real feeds nest a few
    /// levels (Atom `xhtml` content a few dozen); a deeper document is refused.
    static let maximumDepth = 256

    /// One element as stored: local name, namespace URI, attributes, children.
    fileprivate struct Record {
        var name: String
        var namespace: String
        var attributes: [String: String]
        var children: [Child]
    }

    /// A stored child: an element by its record index, or text.
    fileprivate enum Child {
        case element(Int)
        case text(String)
    }

    /// The records of one tree. A class so that ``Element`` values can share it without copying.
    fileprivate final class Storage {
        var records: [Record]

        init(records: [Record]) {
            self.records = records
        }
    }

    /// One element: local name, namespace URI (`""` when none), attributes by qualified name, and
    /// children in document order. A view into its tree.
    struct Element {
        fileprivate let storage: Storage
        fileprivate let index: Int

        private var record: Record { self.storage.records[self.index] }

        /// The local name (`item`, `content`).
        var name: String { self.record.name }
        /// The namespace URI, `""` when none.
        var namespace: String { self.record.namespace }
        /// The attributes by qualified name (`rdf:about`, `xmlns:media`).
        var attributes: [String: String] { self.record.attributes }

        /// The children in document order.
        var children: [Node] {
            self.record.children.map {
                switch $0 {
                case .element(let index): return .element(Element(storage: self.storage, index: index))
                case .text(let text): return .text(text)
                }
            }
        }

        /// The concatenated text and CDATA of this element and its descendants, in document order
        /// (walked with an explicit stack).
        var text: String {
            var result = ""
            var stack: [(record: Int, next: Int)] = [(self.index, 0)]
            let records = self.storage.records
            while let top = stack.last {
                let children = records[top.record].children
                guard top.next < children.count else {
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                switch children[top.next] {
                case .text(let text): result += text
                case .element(let child): stack.append((child, 0))
                }
            }
            return result
        }

        /// The trimmed text, or `nil` when it is empty.
        var trimmedText: String? {
            let text = self.text.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : text
        }

        /// The child elements.
        var elements: [Element] {
            self.record.children.compactMap {
                if case .element(let index) = $0 { return Element(storage: self.storage, index: index) }
                return nil
            }
        }

        /// The first child element with this local name in one of `namespaces`.
        func first(_ name: String, in namespaces: Set<String>) -> Element? {
            let records = self.storage.records
            for case .element(let index) in records[self.index].children
            where records[index].name == name && namespaces.contains(records[index].namespace) {
                return Element(storage: self.storage, index: index)
            }
            return nil
        }

        /// Every child element with this local name in one of `namespaces`.
        func all(_ name: String, in namespaces: Set<String>) -> [Element] {
            let records = self.storage.records
            var found: [Element] = []
            for case .element(let index) in records[self.index].children
            where records[index].name == name && namespaces.contains(records[index].namespace) {
                found.append(Element(storage: self.storage, index: index))
            }
            return found
        }

        /// The children serialized back to XML text (for Atom `type="xhtml"` content), walked with
        /// an explicit stack.
        var innerXML: String {
            var result = ""
            let records = self.storage.records
            var stack: [(record: Int, next: Int)] = [(self.index, 0)]
            while let top = stack.last {
                let children = records[top.record].children
                guard top.next < children.count else {
                    stack.removeLast()
                    // Close every element but the one whose inside is serialized.
                    if !stack.isEmpty { result += "</\(records[top.record].name)>" }
                    continue
                }
                stack[stack.count - 1].next += 1
                switch children[top.next] {
                case .text(let text):
                    result += Self.escape(text, quote: false)
                case .element(let child):
                    let element = records[child]
                    result += "<\(element.name)"
                    for (key, value) in element.attributes.sorted(by: { $0.key < $1.key })
                    where key != "xmlns" && !key.hasPrefix("xmlns:") {
                        result += " \(key)=\"\(Self.escape(value, quote: true))\""
                    }
                    if element.children.isEmpty {
                        result += "/>"
                    } else {
                        result += ">"
                        stack.append((child, 0))
                    }
                }
            }
            return result
        }

        private static func escape(_ text: String, quote: Bool) -> String {
            var result = ""
            for character in text {
                switch character {
                case "&": result += "&amp;"
                case "<": result += "&lt;"
                case ">": result += "&gt;"
                case "\"" where quote: result += "&quot;"
                default: result.append(character)
                }
            }
            return result
        }
    }

    /// A child of an element.
    enum Node {
        case element(Element)
        case text(String)
    }

    /// Where and why the XML could not be read.
    struct Failure: Error {
        /// The class of failure.
        enum Kind {
            /// Not well-formed XML, or no root element.
            case malformed
            /// Elements nested deeper than ``XMLTree/maximumDepth``.
            case tooDeep
        }

        var kind: Kind = .malformed
        var message: String
        var line: Int
        var column: Int
    }

    /// The document's root element.
    var root: Element
    /// Feed items (RSS `item`, Atom `entry`) left out between the first and the last `itemLimit`
    /// ones; 0 without a limit.
    var omittedItems: Int

    /// Parses UTF-8 XML bytes.
    /// - Parameters:
    ///   - data: The document, UTF-8.
    ///   - itemLimit: When set, keep only the first `itemLimit` and the last `itemLimit` feed
    ///     items (elements `item` under the root or under its `channel`, and `entry` under the
    ///     root), in document order; the ones between are dropped as they end and counted in
    ///     ``omittedItems``. `nil` keeps every item.
    /// - Throws: ``Failure`` with libxml2's message and position when the document is not
    ///   well-formed (or has no root element), or of kind ``Failure/Kind/tooDeep`` when elements
    ///   nest deeper than ``maximumDepth``.
    static func parse(_ data: Data, itemLimit: Int? = nil) throws(Failure) -> XMLTree {
        // libxml2 keeps global state (lazy initialization, error handling) and FoundationXML on
        // Linux does not guard it; polls of several feeds run concurrently, so parses take turns,
        // with the HTML parser too (``LibXML2Lock``). A parse takes milliseconds for a typical
        // feed (under 3 s for 8 MiB in a debug build).
        LibXML2Lock.lock.lock()
        defer { LibXML2Lock.lock.unlock() }
        let parser = XMLParser(data: data)
        let builder = Builder(itemLimit: itemLimit.map { max(0, $0) })
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let ok = parser.parse()
        if !ok || builder.failure != nil {
            let message = builder.failure ?? parser.parserError.map { String(describing: $0) } ?? "unknown XML error"
            throw Failure(
                kind: builder.failureKind, message: message, line: builder.failureLine ?? parser.lineNumber,
                column: builder.failureColumn ?? parser.columnNumber)
        }
        guard builder.rootClosed, !builder.records.isEmpty else {
            throw Failure(
                message: "the document has no root element", line: parser.lineNumber, column: parser.columnNumber)
        }
        builder.attachLastItems()
        return XMLTree(
            root: Element(storage: Storage(records: builder.records), index: 0), omittedItems: builder.omittedItems)
    }

    /// Builds the tree from XMLParser callbacks. Used on one thread only, for one parse.
    private final class Builder: NSObject, XMLParserDelegate {
        /// Every element kept so far, in the order their start tags came (the root is record 0).
        var records: [Record] = []
        /// The records of the elements open now, outermost first.
        var open: [Int] = []
        /// Prefix → URI bindings, one dictionary per open element.
        var scopes: [[String: String]] = [["xml": "http://www.w3.org/XML/1998/namespace"]]
        var rootClosed = false
        var failure: String?
        var failureKind = Failure.Kind.malformed
        var failureLine: Int?
        var failureColumn: Int?

        /// A feed item past the first `itemLimit`, held apart: its parent's record and its own
        /// records, with element indices relative to the item (the item is record 0).
        struct DetachedItem {
            var parent: Int
            var records: [Record]
        }

        let itemLimit: Int?
        /// Items that ended so far.
        var itemsSeen = 0
        /// The last `itemLimit` items past the first `itemLimit`, oldest first.
        var lastItems: [DetachedItem] = []
        var lastItemsStart = 0
        var omittedItems = 0

        init(itemLimit: Int?) {
            self.itemLimit = itemLimit
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            guard self.failure == nil else { return }
            guard self.open.count < XMLTree.maximumDepth else {
                self.failure =
                    "elements nest deeper than \(XMLTree.maximumDepth) levels (at <\(qName ?? elementName)>): "
                    + "no feed needs that, so the body is broken or hostile; the account stays blind until the "
                    + "feed answers with a readable body"
                self.failureKind = .tooDeep
                self.failureLine = parser.lineNumber
                self.failureColumn = parser.columnNumber
                parser.abortParsing()
                return
            }
            if self.open.isEmpty && !self.records.isEmpty {
                // A second root element: libxml2 reports it as an error; keep the first tree.
                return
            }
            var scope = self.scopes.last ?? [:]
            for (key, value) in attributeDict {
                if key == "xmlns" {
                    scope[""] = value
                } else if key.hasPrefix("xmlns:") {
                    scope[String(key.dropFirst(6))] = value
                }
            }
            self.scopes.append(scope)
            let qualified = qName ?? elementName
            let prefix: String
            let local: String
            if let colon = qualified.firstIndex(of: ":") {
                prefix = String(qualified[..<colon])
                local = String(qualified[qualified.index(after: colon)...])
            } else {
                prefix = ""
                local = qualified
            }
            let namespace = scope[prefix] ?? ""
            self.records.append(Record(name: local, namespace: namespace, attributes: attributeDict, children: []))
            self.open.append(self.records.count - 1)
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
        ) {
            guard self.failure == nil, let index = self.open.popLast() else { return }
            self.scopes.removeLast()
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
            for position in detached.indices {
                for child in detached[position].children.indices {
                    if case .element(let absolute) = detached[position].children[child] {
                        detached[position].children[child] = .element(absolute - index)
                    }
                }
            }
            guard limit > 0 else {
                self.omittedItems += 1
                return
            }
            self.lastItems.append(DetachedItem(parent: parent, records: detached))
            if self.lastItems.count - self.lastItemsStart > limit {
                self.lastItems[self.lastItemsStart] = DetachedItem(parent: parent, records: [])
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
        func attachLastItems() {
            for item in self.lastItems[self.lastItemsStart...] {
                let offset = self.records.count
                for var record in item.records {
                    for child in record.children.indices {
                        if case .element(let relative) = record.children[child] {
                            record.children[child] = .element(relative + offset)
                        }
                    }
                    self.records.append(record)
                }
                self.records[item.parent].children.append(.element(offset))
            }
            self.lastItems = []
            self.lastItemsStart = 0
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            self.appendText(string)
        }

        func parser(_ parser: XMLParser, foundCDATA cdataBlock: Data) {
            self.appendText(String(decoding: cdataBlock, as: UTF8.self))
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            self.recordFailure(parser, parseError)
        }

        func parser(_ parser: XMLParser, validationErrorOccurred validationError: any Error) {
            self.recordFailure(parser, validationError)
        }

        private func recordFailure(_ parser: XMLParser, _ error: any Error) {
            guard self.failure == nil else { return }
            let nsError = error as NSError
            self.failure =
                (nsError.userInfo[NSLocalizedDescriptionKey] as? String)
                ?? Self.libxml2Errors[nsError.code].map { "\($0) (libxml2 error \(nsError.code))" }
                ?? "libxml2 error \(nsError.code)"
            self.failureLine = parser.lineNumber
            self.failureColumn = parser.columnNumber
        }

        /// Words for the libxml2 `xmlParserErrors` codes a broken feed commonly hits (values from
        /// libxml2's `xmlerror.h`; XMLParser on Linux reports these codes without a message).
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

        private func appendText(_ text: String) {
            guard self.failure == nil, let last = self.open.last else { return }
            if case .text(var previous)? = self.records[last].children.last {
                // Drop the array's reference first so the append below does not copy the text.
                self.records[last].children.removeLast()
                previous += text
                self.records[last].children.append(.text(previous))
            } else {
                self.records[last].children.append(.text(text))
            }
        }
    }
}
