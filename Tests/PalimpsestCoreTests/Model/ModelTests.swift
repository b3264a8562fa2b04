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

    @Test func urlsTakenAsCanonicalWithoutParsingAreTheOnesTheParserLeavesAsTheyAre() {
        // The quick check of a config's URLs must never take a URL the full canonical form would
        // change: two spellings of one feed would then get two keys.
        let spellings = [
            "http://127.0.0.1:9/feed/1.xml", "https://example.org/feed.xml", "https://rsshub.app/weibo/user/1195230310",
            "https://example.org/a%20b/%E4%B8%AD?q=1&r=%2F#x", "https://example.org/feed?x=a/b?c",
            "https://example.org",
            "https://example.org/", "https://example.org:443/feed", "http://example.org:80/feed",
            "http://example.org:080/f",
            "http://example.org:8080/f", "https://Example.org/feed", "HTTPS://example.org/feed",
            "https://example.org/./f",
            "https://example.org/a/..", "https://example.org/a/.", "https://example.org/a/../b",
            "https://example.org/.a/b..",
            "https://user@example.org/f", "https://[::1]/f", "https://example.org/f#", "https://example.org//f",
            "https://example.org/f?", "https://example.org/a;b=c/d:e@f!$&'()*+,", "ftp://example.org/f",
            "https://xn--fiqs8s.example/f", "https://example.org:65535/f", "https://example.org:99999/f",
            "https://example.org/%zz", "https://example.org/f?a=%4", "https://example.org/./", "https://example.org/?a",
        ]
        for spelling in spellings {
            guard let url = URL(string: spelling) else { continue }
            guard Account.isCanonicalWebURL(url.absoluteString),
                var components = URLComponents(url: url.standardized, resolvingAgainstBaseURL: false)
            else { continue }
            let scheme = components.scheme?.lowercased()
            components.scheme = scheme
            components.host = components.host?.lowercased()
            let port = components.port
            if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { components.port = nil }
            components.fragment = nil
            if components.path.isEmpty { components.path = "/" }
            #expect(components.string == url.absoluteString, "\(spelling)")
        }
        #expect(Account.isCanonicalWebURL("http://127.0.0.1:9/feed/1.xml"))
        #expect(!Account.isCanonicalWebURL("http://127.0.0.1:80/feed/1.xml"))
        #expect(!Account.isCanonicalWebURL("https://example.org/a/../b"))
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
