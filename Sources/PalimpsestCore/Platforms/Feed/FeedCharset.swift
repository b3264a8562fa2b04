import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns the bytes of an XML feed into UTF-8 that the XML parser reads without guessing.
///
/// The encoding is chosen in this order: a byte order mark (UTF-8, UTF-16), then the `encoding`
/// of the XML declaration, then UTF-8 (the XML default) when the bytes are valid UTF-8, then the
/// `charset` of the `Content-Type` header. The document wins over the header because servers
/// often send a default charset (`ISO-8859-1`) that does not match the file, while the file's
/// own declaration is written with it.
///
/// Labels are read as browsers read them (WHATWG Encoding Standard,
/// https://encoding.spec.whatwg.org/#names-and-labels): `gb2312`, `gbk` and `gb18030` decode
/// as GB 18030 (a superset: real "GB2312" feeds contain GBK characters), `big5` as Big5-HKSCS,
/// and `iso-8859-1`, `latin1` and `us-ascii` as Windows-1252. Other labels go to iconv as named.
/// Non-UTF-8 bytes are converted with iconv (glibc's converters, `iconv_open(3)`); invalid byte
/// sequences become U+FFFD, so the same bytes always give the same text.
enum FeedCharset {
    /// The UTF-8 bytes of an XML document, with the declaration's encoding rewritten to UTF-8.
    /// - Throws: ``FeedParseError`` (`unsupportedEncoding`) when iconv knows no such encoding.
    static func utf8XML(from data: Data, contentType: String?) throws(FeedParseError) -> Data {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes.removeFirst(3)
        } else if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let encoding: String.Encoding = bytes[0] == 0xFF ? .utf16LittleEndian : .utf16BigEndian
            let text = String(data: Data(bytes.dropFirst(2)), encoding: encoding) ?? ""
            return Self.rewritingDeclaration(Self.declarationFirst(Array(text.utf8)))
        }
        bytes = Self.declarationFirst(bytes)
        let declared = Self.declaredEncoding(in: bytes)
        let isUTF8 = Self.isValidUTF8(bytes)
        var label = declared
        if label == nil, !isUTF8 {
            // Only bytes that are not UTF-8 (the XML default) make the header's charset matter:
            // servers often label UTF-8 feeds `charset=ISO-8859-1` by default.
            label = Self.charset(inContentType: contentType)
        }
        guard let label, let iconvName = Self.iconvName(forLabel: label) else {
            // UTF-8 by declaration or by default (XML 1.0 §4.3.3): bytes that are not UTF-8 are a
            // fatal error, never text to diff. Decoding them with U+FFFD would make the same item
            // differ from its correctly encoded copy: a false alteration.
            if !isUTF8 {
                throw FeedParseError(
                    kind: .unsupportedEncoding, format: nil,
                    message:
                        "the feed is UTF-8 by \(declared == nil ? "default (no encoding declared)" : "declaration") "
                        + "but contains bytes that are not UTF-8; the server must declare the encoding it sends")
            }
            // Still rewrite the declaration: it may name UTF-16 over bytes that are not.
            return Self.rewritingDeclaration(bytes, isValidUTF8: true)
        }
        guard let converted = Self.convert(bytes, from: iconvName) else {
            throw FeedParseError(
                kind: .unsupportedEncoding, format: nil,
                message: "the feed declares the character encoding \"\(label)\", which this system cannot decode")
        }
        return Self.rewritingDeclaration(converted)
    }

    /// The iconv name for an encoding label, or `nil` for UTF-8 (no conversion needed).
    static func iconvName(forLabel label: String) -> String? {
        let key = label.trimmingCharacters(in: .whitespaces).lowercased()
        switch key {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8": return nil
        // A UTF-16/32 document has a byte order mark (handled before); a declaration readable as
        // ASCII bytes means the bytes are not UTF-16, whatever it says.
        case _
        where key.hasPrefix("utf-16") || key.hasPrefix("utf16") || key.hasPrefix("utf-32")
            || key.hasPrefix("ucs-2") || key.hasPrefix("ucs-4") || key == "unicode":
            return nil
        case "gbk", "gb2312", "gb_2312", "gb_2312-80", "x-gbk", "cp936", "ms936", "windows-936", "csgb2312",
            "chinese", "iso-ir-58", "csiso58gb231280", "euc-cn", "gb18030":
            return "GB18030"
        case "big5", "big5-hkscs", "cn-big5", "x-x-big5", "csbig5": return "BIG5-HKSCS"
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "cp819", "ibm819", "us-ascii", "ascii",
            "windows-1252", "cp1252", "x-cp1252":
            return "CP1252"
        default: return key.uppercased()
        }
    }

    /// The `encoding` pseudo-attribute of an XML declaration at the start of `bytes`, if any.
    static func declaredEncoding(in bytes: [UInt8]) -> String? {
        guard let end = Self.declarationEnd(in: bytes) else { return nil }
        let declaration = String(decoding: bytes[0..<end], as: UTF8.self)
        guard let range = declaration.range(of: "encoding") else { return nil }
        var rest = declaration[range.upperBound...].drop { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        let value = rest.dropFirst().prefix { $0 != quote }
        return value.isEmpty ? nil : String(value)
    }

    /// The `charset` parameter of a `Content-Type` value, if any.
    static func charset(inContentType contentType: String?) -> String? {
        guard let contentType else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let parts = parameter.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "charset" else {
                continue
            }
            let value = parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(
                in: CharacterSet(charactersIn: "\"'"))
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// Moves whitespace that precedes the XML declaration to just after it. XML forbids anything
    /// before the declaration, yet feeds from PHP sites often start with a blank line. Line numbers
    /// of everything after the declaration stay those of the original document.
    static func declarationFirst(_ bytes: [UInt8]) -> [UInt8] {
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        guard let first = bytes.firstIndex(where: { !whitespace.contains($0) }), first > 0,
            bytes[first...].starts(with: Array("<?xml".utf8))
        else { return bytes }
        let rest = Array(bytes[first...])
        guard let end = Self.declarationEnd(in: rest) else { return bytes }
        return Array(rest[..<end]) + Array(bytes[..<first]) + Array(rest[end...])
    }

    /// The index just after the `?>` of a leading XML declaration (searched in the first 1 KiB).
    private static func declarationEnd<Bytes: RandomAccessCollection<UInt8>>(in bytes: Bytes) -> Int?
    where Bytes.Index == Int {
        guard bytes.starts(with: Array("<?xml".utf8)) else { return nil }
        let limit = min(bytes.count, 1024)
        var index = 5
        while index + 1 < limit {
            if bytes[index] == UInt8(ascii: "?") && bytes[index + 1] == UInt8(ascii: ">") { return index + 2 }
            index += 1
        }
        return nil
    }

    /// Replaces a leading XML declaration by one that says UTF-8 (same line, so the parser's line
    /// numbers stay those of the original document). `isValidUTF8` says the bytes are known to be
    /// UTF-8 (they stay so: the declaration ends with ASCII `?>`), else they are checked. The
    /// document is copied once, into the returned `Data`.
    private static func rewritingDeclaration(_ bytes: [UInt8], isValidUTF8: Bool = false) -> Data {
        bytes.withUnsafeBufferPointer { all in
            var rest = UnsafeBufferPointer(rebasing: all[(all.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0)...])
            var replacement: [UInt8] = []
            if let end = Self.declarationEnd(in: rest) {
                let declaration = String(decoding: UnsafeBufferPointer(rebasing: rest[0..<end]), as: UTF8.self)
                let newlines = declaration.filter { $0 == "\n" }.count
                replacement = Array(
                    ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + String(repeating: "\n", count: newlines)).utf8)
                rest = UnsafeBufferPointer(rebasing: rest[end...])
            }
            // The replacement is whole ASCII, so the document is UTF-8 exactly when the rest is, and
            // repairing the rest repairs the document.
            if !isValidUTF8 && !Self.isValidUTF8(rest) {
                return Data(replacement + Array(String(decoding: rest, as: UTF8.self).utf8))
            }
            var data = Data(capacity: replacement.count + rest.count)
            data.append(contentsOf: replacement)
            data.append(rest)
            return data
        }
    }

    /// True when `bytes` are valid UTF-8 (checked in place, nothing copied).
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { Self.isValidUTF8($0) }
    }

    /// True when `bytes` are valid UTF-8 (checked in place, nothing copied).
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if #available(macOS 26, *) {
            return (try? UTF8Span(validating: bytes.span)) != nil
        }
        return String(validating: bytes, as: UTF8.self) != nil
    }

    /// Converts `bytes` from the iconv encoding `name` to UTF-8 (`iconv_open(3)`, `iconv(3)`).
    /// Invalid or truncated input sequences become U+FFFD.
    /// - Returns: The UTF-8 bytes, or `nil` when iconv does not know the encoding.
    static func convert(_ bytes: [UInt8], from name: String) -> [UInt8]? {
        let descriptor = iconv_open("UTF-8", name)
        guard Int(bitPattern: descriptor) != -1 else { return nil }
        defer { _ = iconv_close(descriptor) }
        var input = bytes.map { CChar(bitPattern: $0) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        var chunk = [CChar](repeating: 0, count: 16 * 1024)
        input.withUnsafeMutableBufferPointer { inputBuffer in
            chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = inputBuffer.baseAddress
                var inLeft = inputBuffer.count
                while inLeft > 0 {
                    var outPointer: UnsafeMutablePointer<CChar>? = chunkBuffer.baseAddress
                    var outLeft = chunkBuffer.count
                    let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                    let failure = result == -1 ? errno : 0
                    let produced = chunkBuffer.count - outLeft
                    output.append(
                        contentsOf: UnsafeRawBufferPointer(start: chunkBuffer.baseAddress, count: produced))
                    if result != -1 || failure == E2BIG { continue }
                    // EILSEQ (invalid sequence) or EINVAL (truncated at the end): replace one byte
                    // and carry on, so the rest of the document survives.
                    output.append(contentsOf: replacement)
                    inPointer = inPointer.map { $0 + 1 }
                    inLeft -= 1
                    if failure != EILSEQ && failure != EINVAL { break }
                }
            }
        }
        return output
    }
}
