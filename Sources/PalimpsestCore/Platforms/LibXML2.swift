import CLibXML2
import Foundation

/// libxml2's process-wide setup.
enum LibXML2 {
    /// `xmlInitParser()`, run once (a Swift static initialiser runs exactly once, thread-safely):
    /// libxml2 2.9 initialises its global tables lazily, and two first parses racing that
    /// initialisation are not safe. Every parse calls ``initialize()`` first.
    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Initialises libxml2 once per process; cheap after the first call.
    static func initialize() {
        _ = Self.initialized
    }

    /// Parses `data` in one chunk with libxml2's push parser, network access off
    /// (`XML_PARSE_NONET`), giving its SAX2 events to the callbacks (each receives `userData`);
    /// whitespace and CDATA go to `characters` like any other text.
    /// - Parameters:
    ///   - willParse: Called with the parser context and the document's bytes just before the
    ///     parse (the callbacks stop the parser through the context; the bytes are valid during
    ///     the call only).
    /// - Returns: Where the parser stopped: line (from 1) and column.
    /// - Throws: ``XMLTree/Failure`` when the document is 2 GiB or larger, or libxml2 cannot make a
    ///   parser.
    static func pushParse(
        _ data: Data, userData: UnsafeMutableRawPointer, startElement: startElementNsSAX2Func,
        endElement: endElementNsSAX2Func, characters: charactersSAXFunc, error: xmlStructuredErrorFunc,
        willParse: (xmlParserCtxtPtr, UnsafeBufferPointer<UInt8>) -> Void
    ) throws(XMLTree.Failure) -> (line: Int, column: Int) {
        Self.initialize()
        guard data.count < Int(Int32.max) else {
            throw XMLTree.Failure(message: "the document is larger than 2 GiB", line: 0, column: 0)
        }
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = startElement
        handler.endElementNs = endElement
        handler.characters = characters
        handler.ignorableWhitespace = characters
        handler.cdataBlock = characters
        handler.serror = error
        guard let context = xmlCreatePushParserCtxt(&handler, userData, nil, 0, nil) else {
            throw XMLTree.Failure(message: "libxml2 could not create a parser (out of memory?)", line: 0, column: 0)
        }
        defer { xmlFreeParserCtxt(context) }
        _ = xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOENT.rawValue))
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            willParse(context, bytes)
            _ = xmlParseChunk(
                context, UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), 1
            )
        }
        return (Int(xmlSAX2GetLineNumber(context)), Int(xmlSAX2GetColumnNumber(context)))
    }
}
