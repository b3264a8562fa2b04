import Foundation
import Testing

@testable import PalimpsestCore

/// What the libxml2 SAX2 feed reader does that FoundationXML's did not: it survives processing
/// instructions without data, and it never expands an entity a document declares (no XXE, no
/// billion laughs), whatever the DTD says.
@Suite struct FeedXMLReaderTests {
    static let feedURL = URL(string: "https://news.example.org/feed.xml")!

    static func parse(_ text: String) throws(FeedParseError) -> ParsedFeed {
        try FeedParser.parse(Data(text.utf8), feedURL: Self.feedURL)
    }

    @Test func aProcessingInstructionWithoutDataIsRead() throws {
        // FoundationXML's reader crashed the whole process (SIGSEGV in strlen) on `<?pi?>`.
        let feed = try Self.parse(
            "<?xml version=\"1.0\"?><?pi?><rss version=\"2.0\"><channel><item><guid>1</guid>"
                + "<title>a<?x?>b</title></item></channel></rss>")
        #expect(feed.items.map(\.id) == ["1"])
        #expect(feed.items.first?.title == "ab")
    }

    @Test func entitiesTheFeedDeclaresAreNeverExpanded() throws {
        let feed = try Self.parse(
            """
            <?xml version="1.0"?>
            <!DOCTYPE rss [<!ENTITY org "Example Org">]>
            <rss version="2.0"><channel><title>&org; news</title>
            <item><guid>1</guid><title>About &org;</title><description>&lt;p&gt;&org;&lt;/p&gt;</description></item>
            </channel></rss>
            """)
        // The reference stays as written: the feed's text is what it serves, not what its DTD says.
        #expect(feed.title == "&org; news")
        #expect(feed.items.first?.title == "About &org;")
        #expect(feed.items.first?.text == "&org;")
    }

    @Test func aBillionLaughsFeedIsReadWithoutExpandingAnything() throws {
        var declarations = "<!ENTITY lol0 \"lol\">"
        for level in 1...9 {
            declarations += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }
        let feed = try Self.parse(
            "<?xml version=\"1.0\"?><!DOCTYPE rss [\(declarations)]><rss version=\"2.0\"><channel>"
                + "<title>&lol9;</title><item><guid>1</guid><title>&lol9;&lol9;</title></item></channel></rss>")
        #expect(feed.title == "&lol9;")
        #expect(feed.items.first?.title == "&lol9;&lol9;")
    }

    @Test func anExternalEntityIsNeverLoaded() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xxe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let secret = directory.appendingPathComponent("secret.txt")
        try Data("TOP-SECRET".utf8).write(to: secret)
        let feed = try Self.parse(
            """
            <?xml version="1.0"?>
            <!DOCTYPE rss [<!ENTITY xxe SYSTEM "\(secret.absoluteString)">]>
            <rss version="2.0"><channel><title>&xxe;</title><item><guid>1</guid><title>x &xxe;</title></item></channel></rss>
            """)
        #expect(feed.title == "&xxe;")
        #expect(feed.items.first?.title == "x &xxe;")
        // An external DTD or parameter entity is not read either: the reference stays unresolved and the
        // document unreadable (a blind poll), never filled from a file.
        let parameter = #expect(throws: FeedParseError.self) {
            try Self.parse(
                "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY % p SYSTEM \"\(secret.absoluteString)\"> %p;]>"
                    + "<rss version=\"2.0\"><channel><title>t</title></channel></rss>")
        }
        #expect(parameter?.kind == .malformedXML)
        #expect(parameter?.message.contains("TOP-SECRET") == false)
    }
}
