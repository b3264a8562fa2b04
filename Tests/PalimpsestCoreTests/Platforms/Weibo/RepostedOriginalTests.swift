import Foundation
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

/// An original of another account, reposted by the watched Weibo account, shows Weibo's tombstone
/// inside the repost: the `deleted` event says it concerns a reposted original (`about`), and
/// `tail`, `status` and the digest show it apart from the account's own deletions. Whole poll path:
/// recorded Weibo answers over loopback, the real libcurl client, store, detector and log.
@Suite(.serialized) struct RepostedOriginalTests {
    /// Another account's post that card 2 of the recorded timeline reposts (in the recording the
    /// account reposts its own post; here the original belongs to someone else).
    static let originalID = "4600000000000001"
    static let tombstone = "抱歉，此微博已被作者删除。查看帮助：<a href=\"http://t.cn/zWSudZc\">http://t.cn/zWSudZc</a>"

    /// The recorded snapshot0 with card 2's original made another account's post, its text
    /// replaced by Weibo's tombstone when `deleted`.
    static func timeline(deleted: Bool) throws -> Data {
        let data = try IntegrationHarness.fixture("weibo/getIndex_107603_arknights_snapshot0.json")
        var root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var body = try #require(root["data"] as? [String: Any])
        var cards = try #require(body["cards"] as? [[String: Any]])
        var card = cards[2]
        var mblog = try #require(card["mblog"] as? [String: Any])
        var original = try #require(mblog["retweeted_status"] as? [String: Any])
        original["id"] = Self.originalID
        original["mid"] = Self.originalID
        original["user"] = ["id": 1_000_000_001, "screen_name": "另一个账号"]
        if deleted { original["text"] = Self.tombstone }
        mblog["retweeted_status"] = original
        card["mblog"] = mblog
        cards[2] = card
        body["cards"] = cards
        root["data"] = body
        return try JSONSerialization.data(withJSONObject: root)
    }

    @Test func aDeletedRepostedOriginalIsMarkedAndCountedApartInTailStatusAndDigest() async throws {
        let harness = try await IntegrationHarness()
        let source = AccountSource.weibo(
            uid: WeiboIntegrationTests.uid, baseURL: harness.server.baseURL, pages: 1, cookieFile: nil)
        let account = Account(key: Account.key(for: source), name: "明日方舟Arknights", source: source, interval: 600)
        for deleted in [false, true] {
            harness.server.script(
                WeiboIntegrationTests.timeline,
                [
                    ReplayResponse(
                        status: 200, headers: WeiboIntegrationTests.json, body: try Self.timeline(deleted: deleted))
                ])
            _ = try await harness.poller().poll(account, at: IntegrationHarness.time(deleted ? 10 : 0))
        }
        let events = try harness.loggedEvents().filter { $0.event == .deleted }
        let rawLog = String(decoding: try Data(contentsOf: harness.logURL), as: UTF8.self)

        // The log line.
        #expect(events.map(\.postID) == [Self.originalID])
        let event = try #require(events.first)
        #expect(event.about == .repostedOriginal)
        #expect(event.reason == .authorDeleted)
        #expect(rawLog.contains(#""about":"reposted_original""#))

        // tail.
        let line = EventLineFormatter(timeZone: TimeZone(identifier: "UTC")!).format(event)
        #expect(
            line.hasPrefix(
                "2026-08-01 14:10:00 +0000  reposted original deleted (author_deleted, probe)  明日方舟Arknights  post \(Self.originalID)"
            ), "\(line)")

        // status: not among the account's own events of the week.
        let config = try ConfigLoader.parse(
            """
            [daemon]
            state_dir = "\(harness.root.appendingPathComponent("state").path)"
            deletion_log = "\(harness.logURL.path)"

            [[account]]
            platform = "weibo"
            name = "明日方舟Arknights"
            uid = "\(WeiboIntegrationTests.uid)"
            base_url = "\(harness.server.baseURL.absoluteString)"
            pages = 1
            """,
            file: harness.root.appendingPathComponent("palimpsest.toml"))
        let status = try StatusReport.gather(config: config, now: IntegrationHarness.time(20))
        let row = try #require(status.accounts.first)
        #expect(row.eventsThisWeek == 0)
        #expect(row.repostedOriginalsDeleted == 1)
        #expect(
            status.render().contains(
                "  reposts     1 original this account reposted was deleted in the last 7 days (not its own post)"),
            "\(status.render())")

        // The digest: no deletion by the account, one reposted original.
        let digest = DigestBuilder(
            week: try #require(ISOWeek("2026-W31")), timeZone: TimeZone(identifier: "UTC")!, accounts: [account],
            now: IntegrationHarness.time(60 * 24 * 10), generatedAt: nil
        ).build(logs: [try DigestLoader.readLog(at: harness.logURL, label: "deletions.jsonl")])
        let files = try DigestFiles(digest: digest)
        await harness.close()

        #expect(digest.totals.count(.deleted) == 0)
        #expect(digest.totals.repostedOriginalsDeleted == 1)
        #expect(digest.days.allSatisfy { $0.deleted == 0 })
        let section = try #require(digest.accounts.first)
        #expect(section.count(.deleted) == 0)
        #expect(section.repostedOriginalEntries.map(\.event.postID) == [Self.originalID])
        let markdown = String(decoding: files.markdown, as: UTF8.self)
        #expect(markdown.contains("- 0 posts deleted\n"), "\(markdown)")
        #expect(
            markdown.contains(
                "- 1 reposted original deleted (another account's post that a watched account reposted; not counted above)"
            ))
        #expect(markdown.contains("#### Originals this account reposted, deleted (1)"))
        #expect(markdown.contains("**Post `\(Self.originalID)`**: an original this account reposted was deleted, "))
        #expect(!markdown.contains("#### Deleted"))
        let html = String(decoding: files.html, as: UTF8.self)
        #expect(html.contains("<h4>Originals this account reposted, deleted (1)</h4>"))
        #expect(!html.contains("<h4>Deleted"))
        let csv = String(decoding: files.csv, as: UTF8.self)
        #expect(
            csv.contains(",\(Self.originalID),post,reposted_original,")
                || csv.contains(",\(Self.originalID),,reposted_original,"), "\(csv)")
    }
}
