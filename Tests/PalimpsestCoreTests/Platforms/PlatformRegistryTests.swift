import Foundation
import Testing

@testable import PalimpsestCore

/// The platform registry (`PlatformSources.all`): the platforms that exist, their adapters, the
/// names stored on disk, and the typed source each adapter receives.
@Suite struct PlatformRegistryTests {
    let weibo = Account(
        key: Account.key(
            for: .weibo(uid: "1195230310", baseURL: URL(string: "https://m.weibo.cn")!, pages: 2, cookieFile: nil)),
        source: .weibo(uid: "1195230310", baseURL: URL(string: "https://m.weibo.cn")!, pages: 2, cookieFile: nil))
    let feed = Account(
        key: Account.key(for: .feed(url: URL(string: "https://example.org/feed.xml")!)),
        source: .feed(url: URL(string: "https://example.org/feed.xml")!))

    @Test func everyRegisteredPlatformHasItsNameAndOneAdapter() throws {
        #expect(Platform.allCases.map(\.rawValue) == ["feed", "mastodon", "weibo", "bluesky", "telegram", "url"])
        for platform in Platform.allCases {
            #expect(try AdapterRegistry.standard.adapter(for: platform).platform == platform)
            #expect(Platform(rawValue: platform.rawValue) == platform)
            #expect("\(platform)" == platform.rawValue, "messages name the platform as the config does")
        }
        #expect(Platform(rawValue: "myspace") == nil)
    }

    @Test func platformsAreStoredAsTheirNamesAndUnknownNamesDoNotDecode() throws {
        let encoded = try JSONEncoder().encode([Platform.feed, .mastodon, .weibo, .bluesky, .telegram, .url])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["feed","mastodon","weibo","bluesky","telegram","url"]"#)
        #expect(try JSONDecoder().decode([Platform].self, from: Data(#"["url","weibo"]"#.utf8)) == [.url, .weibo])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Platform.self, from: Data(#""myspace""#.utf8)) }
    }

    @Test func anAdapterReceivesItsTypedSourceOnlyForItsOwnPlatform() throws {
        let typed = try #require(PlatformAccount<WeiboSource>(self.weibo))
        #expect(typed.source.uid == "1195230310")
        #expect(typed.source.pages == 2)
        #expect(typed.key == self.weibo.key)
        #expect(PlatformAccount<WeiboSource>(self.feed) == nil)
        #expect(self.weibo.source.typed(as: FeedSource.self) == nil)

        let adapter = WeiboAdapter()
        #expect(adapter.timelineRequests(for: self.feed, context: AdapterContext()).isEmpty)
        let answer = HTTPResponse(url: URL(string: "https://example.org/feed.xml")!, status: 404)
        guard
            case .inconclusive(let detail) = adapter.classifyProbe(
                answer, for: Post(id: "1", text: ""), of: self.feed, now: Date(timeIntervalSince1970: 0))
        else {
            Issue.record("another platform's account proves nothing")
            return
        }
        #expect(detail.contains("feed:https://example.org/feed.xml") && detail.contains("not a weibo one"))
    }

    @Test func sourcesAreEqualByPlatformAndValue() {
        let url = URL(string: "https://example.org/page")!
        #expect(AccountSource.url(url: url, tombstones: []) == .url(url: url, tombstones: []))
        #expect(AccountSource.url(url: url, tombstones: []) != .feed(url: url))
        #expect(Set([AccountSource.feed(url: url), .feed(url: url), .url(url: url, tombstones: [])]).count == 2)
        #expect(Account.key(for: .url(url: url, tombstones: [])).rawValue == "url:https://example.org/page")
        #expect(Account.key(for: .feed(url: url)).rawValue == "feed:https://example.org/page")
    }
}
