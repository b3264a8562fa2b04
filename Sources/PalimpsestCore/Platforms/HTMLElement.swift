/// One element of an ``HTMLDocument``: lowercase name, attributes (lowercase names, decoded
/// values) and children in document order.
struct HTMLElement: Sendable, Hashable {
    /// The tag name, lowercase (`div`), or `#document` for a document's root.
    var name: String
    /// Attributes by lowercase name, values with character references decoded.
    var attributes: [String: String]
    /// Child elements and text, in document order.
    var children: [HTMLNode]

    init(name: String, attributes: [String: String] = [:], children: [HTMLNode] = []) {
        self.name = name
        self.attributes = attributes
        self.children = children
    }

    /// Elements whose content is never text a reader sees.
    static let hiddenElements: Set<String> = ["script", "style", "template"]

    /// Elements that have no end tag (HTML void elements).
    static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    ]

    /// The whitespace-separated tokens of the `class` attribute.
    var classNames: [Substring] {
        (self.attributes["class"] ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
    }

    /// True when the `class` attribute holds the token `name`.
    func hasClass(_ name: String) -> Bool {
        self.classNames.contains { $0 == name }
    }

    /// The child elements, in order.
    var elementChildren: [HTMLElement] {
        self.children.compactMap {
            if case .element(let element) = $0 { return element }
            return nil
        }
    }

    /// The descendants (not this element) that match `predicate`, in document order (pre-order,
    /// so an element comes before the elements inside it).
    /// - Parameter skippingInside: subtrees rooted at an element matching this are not searched
    ///   (the element itself is not returned either).
    func descendants(
        skippingInside skip: (HTMLElement) -> Bool = { _ in false }, where predicate: (HTMLElement) -> Bool
    ) -> [HTMLElement] {
        var found: [HTMLElement] = []
        self.collect(into: &found, skip: skip, predicate: predicate)
        return found
    }

    private func collect(
        into found: inout [HTMLElement], skip: (HTMLElement) -> Bool, predicate: (HTMLElement) -> Bool
    ) {
        for case .element(let child) in self.children where !skip(child) {
            if predicate(child) { found.append(child) }
            child.collect(into: &found, skip: skip, predicate: predicate)
        }
    }

    /// The first descendant in document order that matches `predicate`.
    func first(
        skippingInside skip: (HTMLElement) -> Bool = { _ in false }, where predicate: (HTMLElement) -> Bool
    ) -> HTMLElement? {
        for case .element(let child) in self.children where !skip(child) {
            if predicate(child) { return child }
            if let found = child.first(skippingInside: skip, where: predicate) { return found }
        }
        return nil
    }

    /// Every descendant carrying the class `name`, in document order.
    func descendants(withClass name: String) -> [HTMLElement] {
        self.descendants { $0.hasClass(name) }
    }

    /// The first descendant carrying the class `name` (the outermost, when they nest).
    func first(withClass name: String) -> HTMLElement? {
        self.first { $0.hasClass(name) }
    }

    /// All text below this element, scripts and styles included, as the DOM's `textContent`.
    var textContent: String {
        var text = ""
        for child in self.children {
            switch child {
            case .text(let part): text += part
            case .element(let element): text += element.textContent
            }
        }
        return text
    }

    /// The text of this element's own text children (not of its child elements).
    var ownText: String {
        var text = ""
        for case .text(let part) in self.children { text += part }
        return text
    }

    /// The text a reader sees, with ``HTMLText``'s rules: `<br>` breaks the line, block elements
    /// start new lines, whitespace collapses, `script`, `style` and `template` are dropped.
    var readableText: String {
        var writer = TextWriter()
        self.render(into: &writer, preformatted: false)
        return writer.finish()
    }

    private func render(into writer: inout TextWriter, preformatted: Bool) {
        for child in self.children {
            switch child {
            case .text(let text):
                writer.write(text, preservingWhitespace: preformatted)
            case .element(let element):
                let name = element.name
                if Self.hiddenElements.contains(name) { continue }
                if name == "br" {
                    writer.lineBreak()
                    continue
                }
                let lines = name == "pre" ? 2 : HTMLText.blockBreaks[name]
                let cell = name == "td" || name == "th"
                if let lines { writer.blockBreak(lines: lines) } else if cell { writer.space() }
                element.render(into: &writer, preformatted: preformatted || name == "pre")
                if let lines { writer.blockBreak(lines: lines) } else if cell { writer.space() }
            }
        }
    }

    /// The children serialized back to HTML (attributes sorted by name, so the same tree always
    /// gives the same text); kept as evidence in ``Post/html``.
    var innerHTML: String {
        var html = ""
        for child in self.children {
            switch child {
            case .text(let text):
                html += Self.hiddenElements.contains(self.name) ? text : Self.escape(text, quote: false)
            case .element(let element):
                html += element.outerHTML
            }
        }
        return html
    }

    /// This element serialized to HTML.
    var outerHTML: String {
        var html = "<\(self.name)"
        for (key, value) in self.attributes.sorted(by: { $0.key < $1.key }) {
            html += " \(key)=\"\(Self.escape(value, quote: true))\""
        }
        html += ">"
        if Self.voidElements.contains(self.name) { return html }
        return html + self.innerHTML + "</\(self.name)>"
    }

    private static func escape(_ text: String, quote: Bool) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"" where quote: result += "&quot;"
            case "\u{00A0}": result += "&nbsp;"
            default: result.append(character)
            }
        }
        return result
    }
}

/// A child of an ``HTMLElement``.
indirect enum HTMLNode: Sendable, Hashable {
    case element(HTMLElement)
    case text(String)
}
