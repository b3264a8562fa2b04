import Foundation

/// Turns the bytes of an HTML page into valid UTF-8 for ``HTMLDocument``.
///
/// The encoding is chosen in this order: a byte order mark (UTF-8, UTF-16), then the page's own
/// `<meta charset>` or `<meta http-equiv="Content-Type" content="…; charset=…">` in its first
/// 1024 bytes (the prescan window of the WHATWG HTML standard, §13.2.3.2), then UTF-8 when the
/// bytes are valid UTF-8, then the `charset` of the `Content-Type` header, then Windows-1252.
/// The page wins over the header, as for feeds (``FeedCharset``): servers often send a default
/// charset that does not match the file. Labels map as in ``FeedCharset/iconvName(forLabel:)``
/// (`gb2312` and `gbk` read as GB 18030). Invalid sequences become U+FFFD, so the same bytes
/// always give the same text.
enum HTMLCharset {
    /// The page as valid UTF-8 bytes.
    static func utf8Bytes(of data: Data, contentType: String?) -> [UInt8] {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes.removeFirst(3)
            return Self.validUTF8(bytes)
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let encoding: String.Encoding = bytes[0] == 0xFF ? .utf16LittleEndian : .utf16BigEndian
            return Array((String(data: Data(bytes.dropFirst(2)), encoding: encoding) ?? "").utf8)
        }
        if let label = Self.declaredCharset(in: bytes) {
            guard let iconvName = FeedCharset.iconvName(forLabel: label) else { return Self.validUTF8(bytes) }
            if let converted = FeedCharset.convert(bytes, from: iconvName) { return Self.validUTF8(converted) }
        }
        if String(validating: bytes, as: UTF8.self) != nil { return bytes }
        let label = FeedCharset.charset(inContentType: contentType) ?? "windows-1252"
        if let iconvName = FeedCharset.iconvName(forLabel: label),
            let converted = FeedCharset.convert(bytes, from: iconvName)
        {
            return Self.validUTF8(converted)
        }
        return Self.validUTF8(bytes)
    }

    /// The charset label a `<meta>` element declares in the first 1024 bytes, if any.
    static func declaredCharset(in bytes: [UInt8]) -> String? {
        // ASCII-lowercased; other bytes become spaces (labels and markup are ASCII).
        let head = String(
            decoding: bytes.prefix(1024).map { byte -> UInt8 in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte + 32
                case 0x80...: return UInt8(ascii: " ")
                default: return byte
                }
            }, as: UTF8.self)
        var searchStart = head.startIndex
        while let meta = head.range(of: "<meta", range: searchStart..<head.endIndex) {
            let tagEnd = head[meta.upperBound...].firstIndex(of: ">") ?? head.endIndex
            let tag = head[meta.upperBound..<tagEnd]
            if let charset = tag.range(of: "charset") {
                var rest = tag[charset.upperBound...].drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
                if rest.first == "=" {
                    rest = rest.dropFirst().drop {
                        $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\"" || $0 == "'"
                    }
                    let label = rest.prefix {
                        $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ":" || $0 == "."
                    }
                    if !label.isEmpty { return String(label) }
                }
            }
            searchStart = tagEnd
        }
        return nil
    }

    /// `bytes` when valid UTF-8, else the same text with each invalid sequence as U+FFFD.
    private static func validUTF8(_ bytes: [UInt8]) -> [UInt8] {
        if String(validating: bytes, as: UTF8.self) != nil { return bytes }
        return Array(String(decoding: bytes, as: UTF8.self).utf8)
    }
}
