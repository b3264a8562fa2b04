import Foundation

/// A small element tree of an XML document, read with libxml2's SAX2 parser
/// (``XMLTreeBuilder``).
///
/// Feeds are no longer read through a whole tree: ``FeedXMLStreamReader`` maps the SAX2 events
/// straight to items and records only an Atom `xhtml` text construct as an ``Element``, whose
/// markup ``Element/innerXML`` serializes. ``parse(_:itemLimit:)`` stays as the generic reader the
/// tests hold the streaming reader to (the tree-based feed mapping it replaced lives in the tests).
///
/// Elements carry the namespace URI libxml2 resolved from the `xmlns` declarations, so
/// `media:content` and `m:content` bound to the same URI are the same element whatever the
/// prefix; attributes are kept by qualified name as written, declarations included.
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
    struct Record {
        var name: String
        var namespace: String
        var attributes: [String: String]
        var children: [Child]
        /// Where the element's own text starts in the tree's text bytes (its text and that of its
        /// descendants lie after it).
        var textStart: Int
    }

    /// A stored child: an element by its record index, or a run of text (the UTF-8 bytes of
    /// ``Storage/text`` in this range, text and CDATA merged).
    enum Child {
        case element(Int)
        case text(Range<Int>)
    }

    /// The records and text of one tree. A class so that ``Element`` values can share it without
    /// copying.
    final class Storage {
        var records: [Record]
        /// The UTF-8 of every text run, in document order; children refer to ranges of it.
        var text: [UInt8]

        init(records: [Record], text: [UInt8]) {
            self.records = records
            self.text = text
        }

        /// The text run in `range` as a string.
        func string(_ range: Range<Int>) -> String {
            String(decoding: self.text[range], as: UTF8.self)
        }
    }

    /// One element: local name, namespace URI (`""` when none), attributes by qualified name, and
    /// children in document order. A view into its tree.
    struct Element {
        let storage: Storage
        let index: Int

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
                case .text(let range): return .text(self.storage.string(range))
                }
            }
        }

        /// The concatenated text and CDATA of this element and its descendants, in document order
        /// (walked with an explicit stack).
        var text: String {
            let records = self.storage.records
            let children = records[self.index].children
            // Most elements read hold one run of text.
            if children.count == 1, case .text(let range) = children[0] { return self.storage.string(range) }
            var bytes: [UInt8] = []
            var stack: [(record: Int, next: Int)] = [(self.index, 0)]
            while let top = stack.last {
                let children = records[top.record].children
                guard top.next < children.count else {
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                switch children[top.next] {
                case .text(let range): bytes += self.storage.text[range]
                case .element(let child): stack.append((child, 0))
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        /// The trimmed text, or `nil` when it is empty.
        var trimmedText: String? {
            let text = FeedText.trimmed(self.text)
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
                case .text(let range):
                    result += Self.escape(self.storage.string(range), quote: false)
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
            /// The input ends with elements still open: the body was cut short.
            case truncated
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

    /// Parses UTF-8 XML bytes with libxml2's SAX2 parser (``XMLTreeBuilder``).
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
        try XMLTreeBuilder.parse(data, itemLimit: itemLimit.map { max(0, $0) })
    }
}
