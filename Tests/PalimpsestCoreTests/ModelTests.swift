import Foundation
import Testing

@testable import PalimpsestCore

@Suite struct PostVersionTests {
    @Test func countsWhitespaceAndSignedMediaQueriesDoNotChangeTheHash() {
        let a = PostVersion(text: "Hello   world\n", media: ["https://cdn.example/a.jpg?sig=1&exp=2"])
        let b = PostVersion(text: " Hello world", media: ["https://cdn.example/a.jpg?sig=9&exp=3"])
        #expect(a.hash == b.hash)
    }

    @Test func aChangedWordChangesTheHash() {
        #expect(PostVersion(text: "Hello world").hash != PostVersion(text: "Hello there").hash)
    }

    @Test func accountDirectoryNamesCannotEscapeOrCollide() {
        let evil = AccountKey(rawValue: "feed:../../etc/passwd")
        let name = evil.directoryName
        #expect(!name.contains("/"))
        #expect(!name.hasPrefix("."))
        #expect(AccountKey(rawValue: "feed:a/b").directoryName != AccountKey(rawValue: "feed:a_b").directoryName)
    }
}
