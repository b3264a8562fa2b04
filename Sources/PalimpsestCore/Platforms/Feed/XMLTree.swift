import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A small element tree of an XML document, read with Foundation's `XMLParser` (libxml2 on
/// Linux). Feeds are small (the fetcher caps bodies at 8 MiB), and a tree keeps the RSS and Atom
/// mappings short and readable.
///
/// Namespaces are resolved by the tree itself from the `xmlns` declarations, so `media:content`
/// and `m:content` bound to the same URI are the same element whatever the prefix.
struct XMLTree {
    /// One element: local name, namespace URI (`""` when none), attributes by qualified name, and
    /// children in document order.
    struct Element {
        var name: String
        var namespace: String
        var attributes: [String: String]
        var children: [Node]

        /// The concatenated text and CDATA of this element and its descendants.
        var text: String {
            var result = ""
            for child in self.children {
                switch child {
                case .text(let text): result += text
                case .element(let element): result += element.text
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
            self.children.compactMap {
                if case .element(let element) = $0 { return element }
                return nil
            }
        }

        /// The first child element with this local name in one of `namespaces`.
        func first(_ name: String, in namespaces: Set<String>) -> Element? {
            self.elements.first { $0.name == name && namespaces.contains($0.namespace) }
        }

        /// Every child element with this local name in one of `namespaces`.
        func all(_ name: String, in namespaces: Set<String>) -> [Element] {
            self.elements.filter { $0.name == name && namespaces.contains($0.namespace) }
        }

        /// The children serialized back to XML text (for Atom `type="xhtml"` content).
        var innerXML: String {
            var result = ""
            for child in self.children {
                switch child {
                case .text(let text):
                    result += Self.escape(text, quote: false)
                case .element(let element):
                    result += "<\(element.name)"
                    for (key, value) in element.attributes.sorted(by: { $0.key < $1.key })
                    where key != "xmlns" && !key.hasPrefix("xmlns:") {
                        result += " \(key)=\"\(Self.escape(value, quote: true))\""
                    }
                    result += element.children.isEmpty ? "/>" : ">\(element.innerXML)</\(element.name)>"
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
    indirect enum Node {
        case element(Element)
        case text(String)
    }

    /// Where and why the XML could not be read.
    struct Failure: Error {
        var message: String
        var line: Int
        var column: Int
    }

    /// The document's root element.
    var root: Element

    /// Parses UTF-8 XML bytes.
    /// - Throws: ``Failure`` with libxml2's message and position when the document is not
    ///   well-formed (or has no root element).
    static func parse(_ data: Data) throws(Failure) -> XMLTree {
        // libxml2 keeps global state (lazy initialization, error handling) and FoundationXML on
        // Linux does not guard it; polls of several feeds run concurrently, so parses take turns,
        // with the HTML parser too (``LibXML2Lock``). A parse takes milliseconds for a typical
        // feed (under 3 s for 8 MiB in a debug build).
        LibXML2Lock.lock.lock()
        defer { LibXML2Lock.lock.unlock() }
        let parser = XMLParser(data: data)
        let builder = Builder()
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let ok = parser.parse()
        if !ok || builder.failure != nil {
            let message = builder.failure ?? parser.parserError.map { String(describing: $0) } ?? "unknown XML error"
            throw Failure(
                message: message, line: builder.failureLine ?? parser.lineNumber,
                column: builder.failureColumn ?? parser.columnNumber)
        }
        guard let root = builder.root else {
            throw Failure(
                message: "the document has no root element", line: parser.lineNumber, column: parser.columnNumber)
        }
        return XMLTree(root: root)
    }

    /// Builds the tree from XMLParser callbacks. Used on one thread only, for one parse.
    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [Element] = []
        /// Prefix → URI bindings, one dictionary per open element.
        var scopes: [[String: String]] = [["xml": "http://www.w3.org/XML/1998/namespace"]]
        var root: Element?
        var failure: String?
        var failureLine: Int?
        var failureColumn: Int?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
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
            self.stack.append(Element(name: local, namespace: namespace, attributes: attributeDict, children: []))
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
        ) {
            guard let element = self.stack.popLast() else { return }
            self.scopes.removeLast()
            if self.stack.isEmpty {
                self.root = element
            } else {
                self.stack[self.stack.count - 1].children.append(.element(element))
            }
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
            guard !self.stack.isEmpty else { return }
            let last = self.stack.count - 1
            if case .text(var previous)? = self.stack[last].children.last {
                // Drop the array's reference first so the append below does not copy the text.
                self.stack[last].children.removeLast()
                previous += text
                self.stack[last].children.append(.text(previous))
            } else {
                self.stack[last].children.append(.text(text))
            }
        }
    }
}
