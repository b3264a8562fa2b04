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

@Suite struct AccountKeyTests {
    @Test func oneFeedHasOneKeyHoweverItsURLIsSpelled() {
        let spellings = [
            "http://127.0.0.1/feed", "HTTP://127.0.0.1:80/feed", "http://127.0.0.1/feed#frag",
            "http://127.0.0.1/./feed",
            "http://127.0.0.1/a/../feed",
        ]
        let keys = Set(spellings.map { Account.key(for: .feed(url: URL(string: $0)!)) })
        #expect(keys == [AccountKey(rawValue: "feed:http://127.0.0.1/feed")])
    }

    @Test func mastodonUsernamesIgnoreCase() {
        let instance = URL(string: "https://Mastodon.Social")!
        #expect(
            Account.key(for: .mastodon(instance: instance, acct: "@Bob"))
                == Account.key(for: .mastodon(instance: instance, acct: "bob")))
        #expect(
            Account.key(for: .mastodon(instance: instance, acct: "bob")).rawValue == "mastodon:@bob@mastodon.social")
    }
}
