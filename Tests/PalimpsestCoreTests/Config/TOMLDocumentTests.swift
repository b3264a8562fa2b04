import Foundation
import TOMLKit
import Testing

@testable import PalimpsestCore

@Suite struct TOMLDocumentTests {
    /// TOMLKit 0.6.0 never frees the document `TOMLTable(string:)` parses (no `deinit`); what
    /// `TOMLDocument.withRoot` parses is emptied, hence freed, once read: kept, each load of a
    /// 100,000-account config stayed in memory (~70 MB, again at every reload of the daemon).
    @Test func theParsedDocumentIsFreedOnceRead() throws {
        let text = """
            [daemon]
            state_dir = "/srv/palimpsest"

            [[account]]
            platform = "feed"
            url = "https://example.org/feed.xml"
            """
        var kept: TOMLTable?
        let stateDirectory = try TOMLDocument.withRoot(of: text) { root in
            kept = root
            #expect(root.count == 2)
            return root["daemon"]?.table?["state_dir"]?.string
        }
        #expect(stateDirectory == "/srv/palimpsest")
        let root = try #require(kept)
        #expect(root.isEmpty, "the tree is still held: \(root.keys)")
    }

    @Test func aDocumentThatIsNotTOMLThrowsWithoutCallingTheReader() {
        var called = false
        #expect(throws: TOMLParseError.self) {
            try TOMLDocument.withRoot(of: "[daemon\nstate_dir = 1") { _ in called = true }
        }
        #expect(!called)
    }

    /// What the reader throws is thrown, and the document is freed all the same.
    @Test func theDocumentIsFreedWhenTheReaderThrows() throws {
        struct Refused: Error {}
        var kept: TOMLTable?
        #expect(throws: Refused.self) {
            try TOMLDocument.withRoot(of: "a = 1\nb = 2") { root in
                kept = root
                throw Refused()
            }
        }
        #expect(try #require(kept).isEmpty)
    }
}
