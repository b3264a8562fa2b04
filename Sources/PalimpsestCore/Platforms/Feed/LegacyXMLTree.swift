import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

// The feed XML reader before issue 9 (FoundationXML's XMLParser), kept only until the libxml2
// SAX2 reader (XMLTreeBuilder) has been compared with it (FeedXMLDifferentialTests).

/// Builds an ``XMLTree`` with FoundationXML's `XMLParser`.
enum LegacyXMLTree {
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
    static func parse(_ data: Data, itemLimit: Int? = nil) throws(XMLTree.Failure) -> XMLTree {
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
            throw XMLTree.Failure(
                kind: builder.failureKind, message: message, line: builder.failureLine ?? parser.lineNumber,
                column: builder.failureColumn ?? parser.columnNumber)
        }
        guard builder.rootClosed, !builder.records.isEmpty else {
            throw XMLTree.Failure(
                message: "the document has no root element", line: parser.lineNumber, column: parser.columnNumber)
        }
        builder.attachLastItems()
        return XMLTree(
            root: XMLTree.Element(storage: XMLTree.Storage(records: builder.records), index: 0),
            omittedItems: builder.omittedItems)
    }

    /// Builds the tree from XMLParser callbacks. Used on one thread only, for one parse.
    private final class Builder: NSObject, XMLParserDelegate {
        /// Every element kept so far, in the order their start tags came (the root is record 0).
        var records: [XMLTree.Record] = []
        /// The records of the elements open now, outermost first.
        var open: [Int] = []
        /// Prefix → URI bindings, one dictionary per open element.
        var scopes: [[String: String]] = [["xml": "http://www.w3.org/XML/1998/namespace"]]
        var rootClosed = false
        var failure: String?
        var failureKind = XMLTree.Failure.Kind.malformed
        var failureLine: Int?
        var failureColumn: Int?

        /// A feed item past the first `itemLimit`, held apart: its parent's record and its own
        /// records, with element indices relative to the item (the item is record 0).
        struct DetachedItem {
            var parent: Int
            var records: [XMLTree.Record]
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
            self.records.append(XMLTree.Record(name: local, namespace: namespace, attributes: attributeDict, children: []))
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
