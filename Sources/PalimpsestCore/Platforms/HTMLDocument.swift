import CLibXML2
import Foundation

/// An HTML document read with libxml2's HTML parser (`htmlReadMemory`), copied into plain Swift
/// values so no libxml2 type or pointer leaves this file.
///
/// The parser is the forgiving one browsers' predecessors used (HTML 4 rules, recovery on): it
/// never fails on real-world markup, closes what the page forgot to close, and decodes character
/// references. Every body gives a document; an empty or unreadable one gives an empty document.
///
/// - Bytes are turned into UTF-8 first (``HTMLCharset``) and handed to libxml2 as UTF-8, so the
///   parser never guesses (libxml2 2.9 reads an undeclared HTML page as ISO-8859-1).
/// - Parses take ``LibXML2Lock`` (libxml2's global state is shared with FoundationXML).
/// - Trees deeper than ``maximumDepth`` elements keep the text of the deeper part, flattened, so a
///   hostile page cannot exhaust the stack.
struct HTMLDocument: Sendable, Hashable {
    /// A synthetic root named `#document` holding the top-level nodes (usually one `html`).
    let root: HTMLElement

    /// Element nesting kept as a tree; below it, text only.
    static let maximumDepth = 256

    /// Parses an HTML body.
    /// - Parameters:
    ///   - data: the bytes as received.
    ///   - contentType: the `Content-Type` header, whose `charset` is used when the page declares
    ///     none and is not valid UTF-8.
    /// - Returns: the document (empty when the body holds no markup at all).
    static func parse(_ data: Data, contentType: String? = nil) -> HTMLDocument {
        Self.parse(utf8: HTMLCharset.utf8Bytes(of: data, contentType: contentType))
    }

    /// Parses HTML text.
    static func parse(_ html: String) -> HTMLDocument {
        Self.parse(utf8: Array(html.utf8))
    }

    private static func parse(utf8 bytes: [UInt8]) -> HTMLDocument {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else {
            return HTMLDocument(root: HTMLElement(name: "#document"))
        }
        // XML_PARSE_HUGE lifts libxml2's nesting limit (256 elements: beyond it the parse stops
        // and the rest of the page is lost); the tree copy below caps the depth itself.
        let options = Int32(
            bitPattern: HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                | HTML_PARSE_NONET.rawValue | XML_PARSE_HUGE.rawValue)
        return LibXML2Lock.withLock {
            let document = bytes.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    htmlReadMemory($0, Int32(buffer.count), nil, "UTF-8", options)
                }
            }
            defer { palimpsest_html_free_document(document) }
            guard let document else { return HTMLDocument(root: HTMLElement(name: "#document")) }
            var root = HTMLElement(name: "#document")
            root.children = Self.nodes(from: document.pointee.children, depth: 0)
            return HTMLDocument(root: root)
        }
    }

    // MARK: - Queries

    /// The `html` element's `body`, if the document has one.
    var body: HTMLElement? { self.root.first { $0.name == "body" } }

    /// The `head` element, if any.
    var head: HTMLElement? { self.root.first { $0.name == "head" } }

    /// The first element whose `id` is `id`.
    func element(withID id: String) -> HTMLElement? {
        self.root.first { $0.attributes["id"] == id }
    }

    /// Every element that carries the class `name`, in document order (nested ones included).
    func elements(withClass name: String) -> [HTMLElement] {
        self.root.descendants(withClass: name)
    }

    /// Every element named `name` (lowercase), in document order.
    func elements(named name: String) -> [HTMLElement] {
        self.root.descendants { $0.name == name }
    }

    /// The trimmed text of the first `<title>`, or `nil` when absent or empty.
    var title: String? {
        self.root.first { $0.name == "title" }.map { PostVersion.normalizeText($0.textContent) }
            .flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The trimmed `content` of the first `<meta property="…">` or `<meta name="…">` with this
    /// key (`og:title`), or `nil` when absent or empty.
    func metaContent(_ key: String) -> String? {
        let meta = self.root.first {
            $0.name == "meta" && ($0.attributes["property"] == key || $0.attributes["name"] == key)
        }
        guard let content = meta?.attributes["content"].map(PostVersion.normalizeText), !content.isEmpty else {
            return nil
        }
        return content
    }

    // MARK: - Copying libxml2's tree

    /// The Swift nodes for a libxml2 sibling list starting at `first`.
    private static func nodes(from first: xmlNodePtr?, depth: Int) -> [HTMLNode] {
        var result: [HTMLNode] = []
        var cursor = first
        while let node = cursor {
            switch node.pointee.type {
            case XML_ELEMENT_NODE:
                result.append(.element(Self.element(from: node, depth: depth + 1)))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = node.pointee.content {
                    Self.appendText(String(cString: content), to: &result)
                }
            default:
                break  // comments, processing instructions, the DTD
            }
            cursor = node.pointee.next
        }
        return result
    }

    private static func element(from node: xmlNodePtr, depth: Int) -> HTMLElement {
        let name = node.pointee.name.map { String(cString: $0).lowercased() } ?? ""
        var element = HTMLElement(name: name, attributes: Self.attributes(of: node))
        if depth >= Self.maximumDepth {
            let text = Self.flattenedText(under: node)
            if !text.isEmpty { element.children = [.text(text)] }
        } else {
            element.children = Self.nodes(from: node.pointee.children, depth: depth)
        }
        return element
    }

    /// Attribute names lowercased; a value is the concatenation of its text children (libxml2
    /// has already decoded character references in them).
    private static func attributes(of node: xmlNodePtr) -> [String: String] {
        var attributes: [String: String] = [:]
        var cursor = node.pointee.properties
        while let attribute = cursor {
            if let rawName = attribute.pointee.name {
                var value = ""
                var child = attribute.pointee.children
                while let text = child {
                    if let content = text.pointee.content { value += String(cString: content) }
                    child = text.pointee.next
                }
                let name = String(cString: rawName).lowercased()
                if attributes[name] == nil { attributes[name] = value }  // the first one wins, as in browsers
            }
            cursor = attribute.pointee.next
        }
        return attributes
    }

    /// The text of every text node below `node`, in document order, walked without recursion.
    private static func flattenedText(under node: xmlNodePtr) -> String {
        var text = ""
        var cursor = node.pointee.children
        while let current = cursor {
            if current.pointee.type == XML_TEXT_NODE || current.pointee.type == XML_CDATA_SECTION_NODE,
                let content = current.pointee.content
            {
                text += String(cString: content)
            }
            if current.pointee.type == XML_ELEMENT_NODE, let child = current.pointee.children {
                cursor = child
                continue
            }
            var climb: xmlNodePtr? = current
            cursor = nil
            while let step = climb, step != node {
                if let next = step.pointee.next {
                    cursor = next
                    break
                }
                climb = step.pointee.parent
            }
        }
        return text
    }

    private static func appendText(_ text: String, to nodes: inout [HTMLNode]) {
        if case .text(let previous)? = nodes.last {
            nodes[nodes.count - 1] = .text(previous + text)
        } else {
            nodes.append(.text(text))
        }
    }
}
