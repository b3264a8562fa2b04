import Foundation
import Testing

@testable import PalimpsestCore

/// Feeds in legacy encodings. The non-UTF-8 bytes below were produced once with
/// `printf '…' | iconv -f UTF-8 -t GBK` (resp. BIG5, GB18030, CP1252) and pasted here, so the test
/// does not depend on the decoder it checks.
@Suite struct FeedEncodingTests {
    static let feedURL = URL(string: "https://news.example.cn/rss.xml")!

    /// "删除的微博：言论自由" in GBK (identical in GB2312 and GB18030 for these characters).
    static let gbkText: [UInt8] = [
        0xc9, 0xbe, 0xb3, 0xfd, 0xb5, 0xc4, 0xce, 0xa2, 0xb2, 0xa9, 0xa3, 0xba, 0xd1, 0xd4, 0xc2, 0xdb, 0xd7, 0xd4,
        0xd3, 0xc9,
    ]
    /// "刪除的貼文：言論自由" in Big5 (trail bytes 0x52 'R', 0x4B 'K', 0x47 'G' fall in ASCII).
    static let big5Text: [UInt8] = [
        0xa7, 0x52, 0xb0, 0xa3, 0xaa, 0xba, 0xb6, 0x4b, 0xa4, 0xe5, 0xa1, 0x47, 0xa8, 0xa5, 0xbd, 0xd7, 0xa6, 0xdb,
        0xa5, 0xd1,
    ]
    /// "許功蓋" in Big5: every trail byte is 0x5C, the ASCII backslash.
    static let big5Backslashes: [UInt8] = [0xb3, 0x5c, 0xa5, 0x5c, 0xbb, 0x5c]
    /// U+20000 "𠀀" in GB18030 (a four-byte sequence, outside GBK).
    static let gb18030FourByte: [UInt8] = [0x95, 0x32, 0x82, 0x36]
    /// "café – “quoted”" in Windows-1252 (0x96, 0x93, 0x94 are not Latin-1 characters).
    static let windows1252Text: [UInt8] = [
        0x63, 0x61, 0x66, 0xe9, 0x20, 0x96, 0x20, 0x93, 0x71, 0x75, 0x6f, 0x74, 0x65, 0x64, 0x94,
    ]

    /// An RSS document whose title and description are `text` (raw bytes) and whose declaration
    /// names `encoding` (none when `nil`).
    static func rss(encoding: String?, text: [UInt8], description: [UInt8]? = nil) -> Data {
        let declaration = encoding.map { "<?xml version=\"1.0\" encoding=\"\($0)\"?>\n" } ?? ""
        var bytes = Array("\(declaration)<rss version=\"2.0\"><channel><title>".utf8)
        bytes += text
        bytes += Array("</title><item><guid>1</guid><title>".utf8)
        bytes += text
        bytes += Array("</title><description><![CDATA[<p>".utf8)
        bytes += description ?? text
        bytes += Array("</p>]]></description></item></channel></rss>".utf8)
        return Data(bytes)
    }

    @Test(arguments: ["GBK", "gb2312", "GB18030", "gbk"])
    func gbkFamilyDeclarationsDecode(label: String) throws {
        let feed = try FeedParser.parse(Self.rss(encoding: label, text: Self.gbkText), feedURL: Self.feedURL)
        #expect(feed.title == "删除的微博：言论自由")
        let item = try #require(feed.items.first)
        #expect(item.title == "删除的微博：言论自由")
        #expect(item.text == "删除的微博：言论自由")
    }

    @Test func gb18030FourByteSequencesDecode() throws {
        let feed = try FeedParser.parse(
            Self.rss(encoding: "GB18030", text: Self.gbkText + Self.gb18030FourByte), feedURL: Self.feedURL)
        #expect(feed.items.first?.text == "删除的微博：言论自由𠀀")
    }

    @Test(arguments: ["Big5", "big5", "BIG5-HKSCS"])
    func big5DeclarationsDecode(label: String) throws {
        let feed = try FeedParser.parse(Self.rss(encoding: label, text: Self.big5Text), feedURL: Self.feedURL)
        #expect(feed.title == "刪除的貼文：言論自由")
        #expect(feed.items.first?.text == "刪除的貼文：言論自由")
    }

    @Test func big5TrailBytesThatLookLikeBackslashesSurvive() throws {
        let feed = try FeedParser.parse(Self.rss(encoding: "big5", text: Self.big5Backslashes), feedURL: Self.feedURL)
        #expect(feed.items.first?.title == "許功蓋")
    }

    @Test(arguments: ["ISO-8859-1", "windows-1252", "latin1"])
    func westernEncodingsDecodeAsWindows1252(label: String) throws {
        let feed = try FeedParser.parse(Self.rss(encoding: label, text: Self.windows1252Text), feedURL: Self.feedURL)
        #expect(feed.items.first?.title == "café – “quoted”")
    }

    @Test func contentTypeCharsetAppliesWhenTheDocumentDeclaresNone() throws {
        let data = Self.rss(encoding: nil, text: Self.gbkText)
        let feed = try FeedParser.parse(data, feedURL: Self.feedURL, contentType: "application/rss+xml; charset=GBK")
        #expect(feed.items.first?.title == "删除的微博：言论自由")
    }

    @Test func theDeclarationWinsOverAContradictingContentType() throws {
        let data = Self.rss(encoding: "GBK", text: Self.gbkText)
        let feed = try FeedParser.parse(data, feedURL: Self.feedURL, contentType: "text/xml; charset=ISO-8859-1")
        #expect(feed.items.first?.title == "删除的微博：言论自由")
    }

    @Test func invalidBytesBecomeReplacementCharactersDeterministically() throws {
        // 0xFF is no GBK lead byte; the rest of the document must survive.
        let data = Self.rss(encoding: "GBK", text: [0xFF] + Self.gbkText)
        let first = try FeedParser.parse(data, feedURL: Self.feedURL).items.first
        let second = try FeedParser.parse(data, feedURL: Self.feedURL).items.first
        #expect(first?.title == "\u{FFFD}删除的微博：言论自由")
        #expect(first?.post.versionHash == second?.post.versionHash)

    }

    /// Bytes that are not UTF-8 in a UTF-8 document (declared or by default) are a fatal error: a
    /// Latin-1 copy of a UTF-8 feed must make the poll blind, not read as an edited text.
    @Test func invalidUTF8InAUTF8DocumentIsUnreadable() {
        let declared = Self.rss(encoding: "UTF-8", text: Array("ok ".utf8) + [0xC3] + Array(" end".utf8))
        #expect(throws: FeedParseError.self) { try FeedParser.parse(declared, feedURL: Self.feedURL) }
        let latin1 =
            Data("<rss version=\"2.0\"><channel><item><guid>30</guid><title>caf".utf8) + Data([0xE9])
            + Data("</title></item></channel></rss>".utf8)
        #expect(throws: FeedParseError.self) { try FeedParser.parse(latin1, feedURL: Self.feedURL) }
    }

    @Test func utf16WithAByteOrderMarkDecodes() throws {
        let text =
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel><item><guid>u</guid><title>中文標題</title></item></channel></rss>"
        var data = Data([0xFF, 0xFE])
        data.append(text.data(using: .utf16LittleEndian)!)
        #expect(try FeedParser.parse(data, feedURL: Self.feedURL).items.first?.title == "中文標題")
    }

    @Test func numericCharacterReferencesInXMLAndHTMLDecode() throws {
        let data = Self.rss(
            encoding: "UTF-8", text: Array("&#x4E2D;&#25991;".utf8),
            description: Array("&#x4E2D;&amp;nbsp;&#25991;".utf8))
        let item = try #require(try FeedParser.parse(data, feedURL: Self.feedURL).items.first)
        #expect(item.title == "中文")
        // Inside CDATA the references are HTML's: `&amp;nbsp;` stays literal text `&nbsp;` in HTML,
        // which reads as "&nbsp;" (escaped ampersand), while `&#x4E2D;` is a character.
        #expect(item.text == "中&nbsp;文")
    }

    @Test func charsetLabelsMapAsBrowsersMapThem() {
        #expect(FeedCharset.iconvName(forLabel: "UTF-8") == nil)
        #expect(FeedCharset.iconvName(forLabel: "gb2312") == "GB18030")
        #expect(FeedCharset.iconvName(forLabel: " GBK ") == "GB18030")
        #expect(FeedCharset.iconvName(forLabel: "big5") == "BIG5-HKSCS")
        #expect(FeedCharset.iconvName(forLabel: "iso-8859-1") == "CP1252")
        #expect(FeedCharset.iconvName(forLabel: "Shift_JIS") == "SHIFT_JIS")
        #expect(
            FeedCharset.declaredEncoding(in: Array("<?xml version='1.0' encoding = 'Big5' ?><rss/>".utf8)) == "Big5")
        #expect(FeedCharset.declaredEncoding(in: Array("<rss/>".utf8)) == nil)
        #expect(FeedCharset.charset(inContentType: "text/xml; Charset=\"gb2312\"") == "gb2312")
    }
}

extension FeedEncodingTests {
    @Test func aDefaultLatin1HeaderDoesNotGarbleAUTF8Feed() throws {
        let data = Self.rss(encoding: nil, text: Array("删除的微博 café".utf8))
        let feed = try FeedParser.parse(data, feedURL: Self.feedURL, contentType: "text/xml; charset=ISO-8859-1")
        #expect(feed.items.first?.title == "删除的微博 café")
    }

    @Test func aUTF16DeclarationOnASCIIBytesIsReadAsUTF8() throws {
        let data = Self.rss(encoding: "UTF-16", text: Array("plain".utf8))
        #expect(try FeedParser.parse(data, feedURL: Self.feedURL).items.first?.title == "plain")
    }
}
