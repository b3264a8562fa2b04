import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// Parser tests over every recorded feed in `Tests/Fixtures/real/feeds/`; expected values were
/// read by hand from the files.
@Suite struct FeedParserFixtureTests {
    struct Expectation: Sendable {
        var format: FeedFormat
        var version: String?
        var title: String
        var itemCount: Int
    }

    static let expectations: [String: Expectation] = [
        "github_releases_atom.xml": Expectation(
            format: .atom, version: nil, title: "Release notes from R3nzSkin", itemCount: 5),
        "jsonfeed_v1_1_spec_microblog_example.json": Expectation(
            format: .jsonFeed, version: "1.1", title: "Brent Simmons’s Microblog", itemCount: 1),
        "jsonfeed_v1_1_spec_simple_example.json": Expectation(
            format: .jsonFeed, version: "1.1", title: "My Example Feed", itemCount: 2),
        "jsonfeed_v1_npr_world.json": Expectation(format: .jsonFeed, version: "1", title: "World", itemCount: 23),
        "rsshub_twitter_ArknightsStaff_snapshot0.xml": Expectation(
            format: .rss, version: "2.0", title: "Twitter @アークナイツ公式", itemCount: 7),
        "rsshub_twitter_ArknightsStaff_snapshot1.xml": Expectation(
            format: .rss, version: "2.0", title: "Twitter @アークナイツ公式", itemCount: 8),
        "youtube_channel_atom_digitalfoundry.xml": Expectation(
            format: .atom, version: nil, title: "Digital Foundry", itemCount: 15),
    ]

    static func parse(_ name: String, feedURL: String = "https://feeds.example.org/feed") throws -> ParsedFeed {
        try FeedParser.parse(FeedFixtures.data(name), feedURL: URL(string: feedURL)!)
    }

    @Test func everyFixtureFileHasAnExpectation() {
        #expect(FeedFixtures.allNames.count == 7)
        #expect(Set(FeedFixtures.allNames) == Set(Self.expectations.keys))
    }

    @Test(arguments: FeedFixtures.allNames)
    func everyFixtureParsesWithItsFormatTitleAndItemCount(name: String) throws {
        let expected = try #require(Self.expectations[name], "no expectation for \(name)")
        let feed = try Self.parse(name)
        #expect(feed.format == expected.format)
        #expect(feed.version == expected.version)
        #expect(feed.title == expected.title)
        #expect(feed.items.count == expected.itemCount)
        // Every item has an ID from the feed itself (no fallback needed in real feeds), unique.
        #expect(feed.items.allSatisfy { $0.idSource != .fallback })
        #expect(Set(feed.items.map(\.id)).count == feed.items.count)
        // And every post's version hash is stable across two parses.
        #expect(try Self.parse(name).posts.map(\.versionHash) == feed.posts.map(\.versionHash))
    }

    // MARK: - RSSHub (RSS 2.0)

    @Test func rsshubItemsUseTheGuidAndRFC822Dates() throws {
        let feed = try Self.parse("rsshub_twitter_ArknightsStaff_snapshot0.xml")
        let ids = feed.items.map {
            $0.id.replacingOccurrences(of: "https://twitter.com/ArknightsStaff/status/", with: "")
        }
        #expect(
            ids == [
                "1659046193090134016", "1658774457123733505", "1658729101069541377", "1658683798253608960",
                "1658366698179956736", "1658336510670954497", "1658306831960412166",
            ])
        #expect(feed.items.allSatisfy { $0.idSource == .guid })
        let first = try #require(feed.items.first)
        #expect(first.url == "https://twitter.com/ArknightsStaff/status/1659046193090134016")
        #expect(first.publishedAt == FeedFixtures.utc("2023-05-18T04:00:10Z"))
        #expect(first.updatedAt == nil)
        #expect(first.editedAt == nil)
        #expect(feed.items.last?.publishedAt == FeedFixtures.utc("2023-05-16T03:02:13Z"))
    }

    @Test func rsshubDescriptionIsReducedToTextAndKeptAsHTML() throws {
        let feed = try Self.parse("rsshub_twitter_ArknightsStaff_snapshot0.xml")
        let first = try #require(feed.items.first)
        #expect(
            first.text == """
                【#統合戦略】
                新テーマ「ミヅキと紺碧の樹」は5月23日（火）16:00より開催！

                本日は新要素及びシステムの変更点を一部ご紹介します！
                詳細は添付の画像をご確認ください。

                #アークナイツ https://t.co/o2uULEpA5x
                """)
        #expect(
            first.title == "【#統合戦略】 新テーマ「ミヅキと紺碧の樹」は5月23日（火）16:00より開催！ 本日は新要素及びシステムの変更点を一部ご紹介します！ 詳細は添付の画像をご確認...")
        let html = try #require(first.html)
        #expect(html.hasPrefix("【#統合戦略】<br>新テーマ"))
        #expect(html.contains("src=\"https://pbs.twimg.com/media/FwYdt9XaIAEU4gH?format=jpg&amp;name=orig\""))
        // The two photos, from <img src> in the description, with `&amp;` decoded.
        #expect(
            first.media == [
                "https://pbs.twimg.com/media/FwYdt9XaIAEU4gH?format=jpg&name=orig",
                "https://pbs.twimg.com/media/FwYdt7LaEAIPntw?format=jpg&name=orig",
            ])
        #expect(first.links.isEmpty)
        // The second item has no picture.
        #expect(feed.items[1].media.isEmpty)
        #expect(feed.items[1].text.hasPrefix("【リマインド】\n下記コーデの販売期限は、5月18日（木）3:59までです。"))
        #expect(feed.items[1].text.hasSuffix("・カゼマル · 軽やかな幻影\n\n#アークナイツ"))
    }

    /// Snapshot 1 was taken after the account tweeted once more: one item added on top, none
    /// removed, the seven shared items unchanged.
    @Test func rsshubSnapshot1AddsOneItemAndRemovesNone() throws {
        let before = try Self.parse("rsshub_twitter_ArknightsStaff_snapshot0.xml").posts
        let after = try Self.parse("rsshub_twitter_ArknightsStaff_snapshot1.xml").posts
        let beforeIDs = Set(before.map(\.id))
        let afterIDs = Set(after.map(\.id))
        #expect(afterIDs.subtracting(beforeIDs) == ["https://twitter.com/ArknightsStaff/status/1659091539023282178"])
        #expect(beforeIDs.subtracting(afterIDs).isEmpty)
        #expect(after.first?.id == "https://twitter.com/ArknightsStaff/status/1659091539023282178")
        #expect(after.first?.postedAt == FeedFixtures.utc("2023-05-18T07:00:21Z"))
        #expect(after.first?.media == ["https://pbs.twimg.com/media/FwZG9YAacAIXDw2?format=jpg&name=orig"])
        // The space before `<br>` in this item's description does not survive as trailing space.
        #expect(after.first?.text.hasPrefix("【#統合戦略】\n引き続き新テーマ") == true)
        let beforeVersions = Dictionary(uniqueKeysWithValues: before.map { ($0.id, $0.versionHash) })
        for post in after where beforeIDs.contains(post.id) {
            #expect(beforeVersions[post.id] == post.versionHash, "\(post.id) changed version")
        }
        // The window grew: snapshot 1's newest post is newer, its floor the same.
        #expect(TimelineWindow(posts: after).floor == TimelineWindow(posts: before).floor)
        #expect(TimelineWindow(posts: after).newest == FeedFixtures.utc("2023-05-18T07:00:21Z"))
    }

    // MARK: - GitHub releases (Atom)

    @Test func githubReleasesUseAtomIDsAndUpdatedAsTheOnlyDate() throws {
        let feed = try Self.parse("github_releases_atom.xml")
        #expect(
            feed.items.map(\.id) == [
                "tag:github.com,2008:Repository/410126695/v3.0.9", "tag:github.com,2008:Repository/410126695/v3.0.8",
                "tag:github.com,2008:Repository/410126695/v3.0.7", "tag:github.com,2008:Repository/410126695/v3.0.6",
                "tag:github.com,2008:Repository/410126695/v3.0.5",
            ])
        #expect(feed.items.allSatisfy { $0.idSource == .id })
        let first = try #require(feed.items.first)
        #expect(first.url == "https://github.com/R3nzTheCodeGOD/R3nzSkin/releases/tag/v3.0.9")
        #expect(first.title == "R3nzSkin")
        // `<updated>2023-06-29T00:46:57+08:00</updated>` and no <published>: posted at updated, not edited.
        #expect(first.publishedAt == nil)
        #expect(first.updatedAt == FeedFixtures.utc("2023-06-28T16:46:57Z"))
        #expect(first.post.postedAt == FeedFixtures.utc("2023-06-28T16:46:57Z"))
        #expect(first.post.editedAt == nil)
        // `<content>No content.</content>` is type text: no HTML.
        #expect(first.text == "No content.")
        #expect(first.html == nil)
        #expect(first.media == ["https://avatars.githubusercontent.com/u/32012110?s=60&v=4"])
        // `<content type="html">&lt;p&gt;Added &quot;Hide to tray&quot; …`
        let v305 = feed.items[4]
        #expect(v305.html == "<p>Added \"Hide to tray\" option to the injector</p>")
        #expect(v305.text == "Added \"Hide to tray\" option to the injector")
        #expect(v305.updatedAt == FeedFixtures.utc("2023-06-03T11:53:30Z"))
        #expect(feed.items[3].text == "Added update available information")
    }

    // MARK: - YouTube (Atom + Media RSS)

    @Test func youtubeEntriesCarryTheirEditMarker() throws {
        let feed = try Self.parse("youtube_channel_atom_digitalfoundry.xml")
        let first = try #require(feed.items.first)
        #expect(first.id == "yt:video:W_S7iKZZdHw")
        #expect(first.url == "https://www.youtube.com/watch?v=W_S7iKZZdHw")
        #expect(first.title == "Digital Foundry Games of 2024: The Oliver Mackenzie Collection!")
        #expect(first.publishedAt == FeedFixtures.utc("2025-01-01T16:07:24Z"))
        #expect(first.updatedAt == FeedFixtures.utc("2025-01-01T21:08:15Z"))
        #expect(first.post.editedAt == FeedFixtures.utc("2025-01-01T21:08:15Z"))
        // No Atom content: the text is media:group/media:description (plain text).
        #expect(first.html == nil)
        #expect(
            first.text.hasPrefix(
                "As the holiday period begins to unwind, we continue to look back on an excellent 2024"))
        #expect(first.text.hasSuffix("12:08 #1 ….? 16:27 Looking Ahead to 2025"))
        #expect(
            first.media == [
                "https://www.youtube.com/v/W_S7iKZZdHw?version=3", "https://i4.ytimg.com/vi/W_S7iKZZdHw/hqdefault.jpg",
            ])
        let last = try #require(feed.items.last)
        #expect(last.id == "yt:video:araZUoSOPmM")
        #expect(last.publishedAt == FeedFixtures.utc("2024-12-14T17:20:43Z"))
    }

    /// View counts and ratings change on every fetch; they must not change the version, and a
    /// metadata-only `updated` bump changes the edit marker but not the version either.
    @Test func youtubeStatisticsAndUpdatedDoNotChangeTheVersion() throws {
        let original = String(decoding: try FeedFixtures.data("youtube_channel_atom_digitalfoundry.xml"), as: UTF8.self)
        let refetched =
            original
            .replacingOccurrences(
                of: "<media:statistics views=\"23088\"/>", with: "<media:statistics views=\"31337\"/>"
            )
            .replacingOccurrences(of: "<media:starRating count=\"1580\"", with: "<media:starRating count=\"1999\"")
            .replacingOccurrences(
                of: "<updated>2025-01-01T21:08:15+00:00</updated>", with: "<updated>2025-01-02T09:00:00+00:00</updated>"
            )
        #expect(refetched != original)
        let url = URL(string: "https://www.youtube.com/feeds/videos.xml?channel_id=UC9PBzalIcEQCsiIkq36PyUA")!
        let a = try #require(try FeedParser.parse(Data(original.utf8), feedURL: url).posts.first)
        let b = try #require(try FeedParser.parse(Data(refetched.utf8), feedURL: url).posts.first)
        #expect(a.versionHash == b.versionHash)
        #expect(a.editedAt != b.editedAt)
        #expect(b.editedAt == FeedFixtures.utc("2025-01-02T09:00:00Z"))
    }

    // MARK: - JSON Feed

    @Test func nprJSONFeed10ItemsWithModificationDates() throws {
        let feed = try Self.parse("jsonfeed_v1_npr_world.json")
        let first = try #require(feed.items.first)
        #expect(first.id == "1198913145")
        #expect(
            first.url
                == "https://www.npr.org/2024/08/26/1198913145/eggs-and-bananas-life-after-a-russian-prison?utm_medium=JSONFeed&utm_campaign=world"
        )
        #expect(first.title == "Eggs and Bananas: Life after a Russian prison")
        // "2024-08-26T20:32:01-04:00" and "2024-08-26T21:00:00-04:00".
        #expect(first.publishedAt == FeedFixtures.utc("2024-08-27T00:32:01Z"))
        #expect(first.post.editedAt == FeedFixtures.utc("2024-08-27T01:00:00Z"))
        #expect(
            first.text.hasPrefix(
                "It's been more than three weeks since the U.S. and Russia completed the largest prisoner swap since the collapse of the Soviet Union.\n\nSpeaking from the White House"
            ))
        #expect(first.text.hasSuffix("via Apple Podcasts or at plus.npr.org.\n\nEmail us at considerthis@npr.org."))
        #expect(first.html?.hasPrefix("<p>It's been more than three weeks") == true)
        #expect(first.links == ["https://plus.npr.org/", "mailto:considerthis@npr.org"])
        #expect(
            first.media == [
                "https://media.npr.org/assets/img/2024/08/26/gettyimages-2164266488-3743ec7bca7a3dfe2a1d959d7913440c39d73824.jpg",
                "https://play.podtrac.com//traffic.megaphone.fm/NPR1237029792.mp3?orgId=1&p=&e=1198913145&size=10820172&d=676&t=podcast&ft=rss",
                "https://media.npr.org/include/images/tracking/npr-rss-pixel.png?story=1198913145",
            ])
        // The second item has no date_modified: no edit marker.
        #expect(feed.items[1].id == "1197961495")
        #expect(feed.items[1].publishedAt == FeedFixtures.utc("2024-08-23T21:26:50Z"))
        #expect(feed.items[1].updatedAt == nil)
        #expect(feed.items[1].post.editedAt == nil)
        // 1197958294 has no `image`: only the attachment and the tracking pixel.
        let noImage = try #require(feed.items.first { $0.id == "1197958294" })
        #expect(noImage.media.count == 2)
        #expect(
            noImage.media.first?.hasPrefix("https://play.podtrac.com//traffic.megaphone.fm/NPR9589200205.mp3") == true)
        let last = try #require(feed.items.last)
        #expect(last.id == "1198909021")
        #expect(last.title == "The Creeping Coup")
        #expect(last.publishedAt == FeedFixtures.utc("2024-07-18T07:00:59Z"))
        #expect(last.post.editedAt == FeedFixtures.utc("2024-07-18T07:01:00Z"))
        #expect(feed.items.filter { $0.editedAt != nil }.count == 12)
    }

    @Test func jsonFeed11SpecExamples() throws {
        let simple = try Self.parse("jsonfeed_v1_1_spec_simple_example.json")
        #expect(simple.items.map(\.id) == ["2", "1"])
        #expect(simple.items.map(\.url) == ["https://example.org/second-item", "https://example.org/initial-post"])
        // Item 2 has only content_text, item 1 only content_html.
        #expect(simple.items[0].text == "This is a second item.")
        #expect(simple.items[0].html == nil)
        #expect(simple.items[1].text == "Hello, world!")
        #expect(simple.items[1].html == "<p>Hello, world!</p>")
        #expect(simple.items.allSatisfy { $0.publishedAt == nil && $0.title == nil })

        let microblog = try Self.parse("jsonfeed_v1_1_spec_microblog_example.json")
        let item = try #require(microblog.items.first)
        #expect(item.id == "2347259")
        #expect(item.url == "https://example.org/2347259")
        #expect(item.text == "Cats are neat. \n\nhttps://example.org/cats")
        // "2016-02-09T14:22:00-07:00"
        #expect(item.publishedAt == FeedFixtures.utc("2016-02-09T21:22:00Z"))
        #expect(item.post.editedAt == nil)
    }
}

extension FeedParserFixtureTests {
    /// Polls of several feeds run concurrently: parsing from many tasks at once gives the same
    /// results as one at a time (and does not crash libxml2).
    @Test func concurrentParsesAgreeWithSequentialOnes() async throws {
        let names = FeedFixtures.allNames
        let expected = try names.map { try Self.parse($0).posts.map(\.versionHash) }
        let results = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
            for round in 0..<4 {
                for (index, name) in names.enumerated() {
                    group.addTask {
                        _ = round
                        return (index, try Self.parse(name).posts.map(\.versionHash))
                    }
                }
            }
            var collected: [(Int, [String])] = []
            for try await result in group { collected.append(result) }
            return collected
        }
        #expect(results.count == names.count * 4)
        for (index, hashes) in results {
            #expect(hashes == expected[index], "\(names[index])")
        }
    }
}
