import Foundation
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// Real-world feed faults over loopback, through the real libcurl client, store, log and poller
/// (issue 8, items 3 and 10): an encoding layer switched between polls is never an edit, a feed
/// longer than `max_items` is cut at its newest end without false candidates, and a huge post
/// does not put megabytes into a log line.
@Suite(.serialized) struct FeedFaultIntegrationTests {
    /// An RSS document of `items` (already formatted `<item>` elements).
    static func rss(_ items: [String]) -> Data {
        Data(
            ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>News</title>\n"
                + items.joined(separator: "\n") + "\n</channel></rss>\n").utf8)
    }

    /// One item, posted `minute` minutes after 2026-08-01T12:00:00Z.
    static func item(_ id: String, minute: Int, title: String, description: String) -> String {
        let date = Date(timeIntervalSince1970: 1_785_585_600 + TimeInterval(minute * 60))
        return "<item><guid>https://news.example.org/\(id)</guid><link>https://news.example.org/\(id)</link>"
            + "<title>\(title)</title><pubDate>\(Self.dateFormatter.string(from: date))</pubDate>"
            + "<description>\(description)</description></item>"
    }

    /// RFC 822 dates as RSS writes them (configured once here, never mutated).
    static let dateFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }()

    func poll(_ harness: IntegrationHarness, _ account: Account, at minutes: Int) async throws -> PollReport {
        try await harness.poller().poll(account, at: IntegrationHarness.time(minutes))
    }

    // MARK: - Item 3: encoding layers

    /// The two items in one of the forms generators write: plain escaped HTML and text titles,
    /// CDATA sections (titles holding character references), or CDATA sections escaped once more.
    enum Form: CaseIterable {
        case plain, cdata, escapedCDATA

        func items(flood: String = "north") -> [String] {
            let (title1, description1, title2, description2): (String, String, String, String)
            switch self {
            case .plain:
                title1 = "Q&amp;A: floods &amp;amp; more"
                description1 =
                    "&lt;p&gt;Floods in the \(flood) &amp;amp; south&lt;/p&gt;"
                    + "&lt;img src=\"https://img.example.org/1.jpg\"&gt;"
                title2 = "Statement"
                description2 = "&lt;p&gt;We regret &lt;b&gt;nothing&lt;/b&gt;&lt;/p&gt;"
            case .cdata:
                title1 = "<![CDATA[Q&amp;A: floods &amp; more]]>"
                description1 =
                    "<![CDATA[<p>Floods in the \(flood) &amp; south</p><img src=\"https://img.example.org/1.jpg\">]]>"
                title2 = "<![CDATA[Statement]]>"
                description2 = "<![CDATA[<p>We regret <b>nothing</b></p>]]>"
            case .escapedCDATA:
                title1 = "&lt;![CDATA[Q&amp;amp;A: floods &amp;amp; more]]&gt;"
                description1 =
                    "&lt;![CDATA[&lt;p&gt;Floods in the \(flood) &amp;amp; south&lt;/p&gt;"
                    + "&lt;img src=\"https://img.example.org/1.jpg\"&gt;]]&gt;"
                title2 = "Statement"
                description2 = "&lt;![CDATA[&lt;p&gt;We regret &lt;b&gt;nothing&lt;/b&gt;&lt;/p&gt;]]&gt;"
            }
            return [
                FeedFaultIntegrationTests.item("2", minute: 20, title: title2, description: description2),
                FeedFaultIntegrationTests.item("1", minute: 10, title: title1, description: description1),
            ]
        }
    }

    @Test func switchingAFeedBetweenEncodingFormsIsNeverAnEditButAChangedWordIs() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/layers.xml")
        var events: [Event] = []
        // Every switch, both directions: plain → CDATA → escaped CDATA → plain → escaped → CDATA → plain.
        let sequence: [Form] = [.plain, .cdata, .escapedCDATA, .plain, .escapedCDATA, .cdata, .plain]
        for (step, form) in sequence.enumerated() {
            let body = Self.rss(form.items())
            harness.server.script(
                "/layers.xml", [ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: body)])
            let report = try await self.poll(harness, account, at: step * 10)
            #expect(report.record.outcome == "complete", "\(form): \(report.record.detail)")
            events += report.events
        }
        let logged = events.map { "\($0.event) \($0.postID ?? "") \($0.diff ?? "")" }
        #expect(events.isEmpty, "form switches logged \(logged)")

        // A real edit inside the escaped form is one `altered`, with the words that changed.
        let editedBody = Self.rss(Form.escapedCDATA.items(flood: "east"))
        harness.server.script(
            "/layers.xml", [ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: editedBody)])
        let edited = try await self.poll(harness, account, at: sequence.count * 10)
        await harness.close()
        #expect(edited.events.map(\.event) == [.altered])
        #expect(edited.events.first?.postID == "https://news.example.org/1")
        #expect(edited.events.first?.text == "Floods in the east & south")
        #expect(edited.events.first?.diff == "Floods in the [-north-]{+east+} & south")
    }

    @Test func aVersionStoredBeforeTheEncodingRulesIsNotAnEditAfterTheUpgrade() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/upgrade.xml")
        let body = Self.rss(Form.escapedCDATA.items())
        harness.server.script(
            "/upgrade.xml", [ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: body)])
        _ = try await self.poll(harness, account, at: 0)

        // Rewrite the stored versions as the rules before this fix derived them: the escaped
        // CDATA section read as text, the title's references left as written, no media.
        let store = try StateStore(root: harness.root.appendingPathComponent("state")).accountStore(for: account.key)
        var state = try #require(try store.loadState(AccountState.self))
        for (id, tracked) in state.detection.posts {
            let html = try #require(tracked.post.html)
            let first = tracked.post.id == "https://news.example.org/1"
            let raw = first ? "<![CDATA[Q&amp;A: floods &amp; more]]>" : "Statement"
            var old = tracked
            old.post = Post(
                id: id, url: tracked.post.url, postedAt: tracked.post.postedAt,
                text: HTMLText.plainText(fromHTML: html), html: html, title: raw, media: [], links: [])
            #expect(old.post.versionHash != tracked.post.versionHash, "the old rules gave another version")
            state.detection.posts[id] = old
        }
        try store.saveState(state)

        // A changed answer (one more item), so the poll reads the feed instead of ending early.
        let next = Self.rss(
            Form.escapedCDATA.items()
                + [Self.item("3", minute: 30, title: "Update", description: "&lt;p&gt;More&lt;/p&gt;")])
        harness.server.script(
            "/upgrade.xml", [ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: next)])
        let report = try await self.poll(harness, account, at: 10)
        let after = try #require(try store.loadState(AccountState.self))
        await harness.close()
        #expect(report.events.isEmpty, "\(report.events.map { "\($0.event) \($0.diff ?? "")" })")
        #expect(after.detection.posts["https://news.example.org/1"]?.post.text == "Floods in the north & south")
        #expect(after.detection.posts["https://news.example.org/1"]?.post.title == "Q&A: floods & more")
    }

    // MARK: - Item 10: max_items

    /// `count` items, one a minute, newest first (or oldest first).
    static func longFeed(count: Int, newestMinute: Int, newestFirst: Bool = true) -> Data {
        var items = (0..<count).map { index in
            Self.item(
                "n\(newestMinute - index)", minute: newestMinute - index, title: "Item \(newestMinute - index)",
                description: "Text \(newestMinute - index)")
        }
        if !newestFirst { items.reverse() }
        return Self.rss(items)
    }

    @Test func aFeedLongerThanMaxItemsKeepsItsNewestEndAndWhatFallsPastTheCutIsNoCandidate() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/long.xml")
        let store = try StateStore(root: harness.root.appendingPathComponent("state")).accountStore(for: account.key)
        var events: [Event] = []
        // Posts one a minute up to minute 2000; each poll five newer ones appear at the top, so five
        // more of the kept ones fall past the cut every time.
        for (step, newest) in [2_000, 2_005, 2_010, 2_015, 2_020].enumerated() {
            harness.server.script(
                "/long.xml",
                [
                    ReplayResponse(
                        status: 200, headers: IntegrationHarness.rss,
                        body: Self.longFeed(count: 1_500, newestMinute: newest))
                ])
            let report = try await self.poll(harness, account, at: 3_000 + step * 15)
            events += report.events
            #expect(report.record.outcome == "complete")
            #expect(report.record.posts == 1_000, "poll \(step): \(report.record.detail)")
            let state = try #require(try store.loadState(AccountState.self))
            let visible = state.detection.posts.values.filter { $0.status == .visible }.map(\.post.id)
            #expect(Set(visible) == Set((newest - 999...newest).map { "https://news.example.org/n\($0)" }))
            #expect(!state.detection.posts.values.contains { $0.status.missingRecord != nil }, "no candidate")
        }
        let snapshot = try #require(try store.snapshotIDs().last.flatMap { try store.readSnapshot(id: $0) })
        await harness.close()
        #expect(events.isEmpty, "\(events.map { "\($0.event) \($0.postID ?? "")" })")
        #expect(snapshot.posts.count == 1_000)
        // The floor is the oldest post kept, not the oldest the feed listed.
        let oldestKept = Date(timeIntervalSince1970: 1_785_585_600 + TimeInterval((2_020 - 999) * 60))
        #expect(snapshot.window.floor == oldestKept)
    }

    @Test func aFeedListedOldestFirstKeepsItsNewestItems() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/ascending.xml")
        harness.server.script(
            "/ascending.xml",
            [
                ReplayResponse(
                    status: 200, headers: IntegrationHarness.rss,
                    body: Self.longFeed(count: 2_500, newestMinute: 3_000, newestFirst: false))
            ])
        let report = try await self.poll(harness, account, at: 3_100)
        let store = try StateStore(root: harness.root.appendingPathComponent("state")).accountStore(for: account.key)
        let state = try #require(try store.loadState(AccountState.self))
        await harness.close()
        #expect(report.record.posts == 1_000, "\(report.record.detail)")
        #expect(Set(state.detection.posts.keys) == Set((2_001...3_000).map { "https://news.example.org/n\($0)" }))
    }

    // MARK: - Item 10: event_text_limit

    @Test func aHugePostEditedLogsItsTextCutToTheEventTextLimitAndTheArchiveKeepsItWhole() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/huge.xml")
        // 200,000 bytes of text: CJK characters (3 bytes each) with an ASCII word every 10.
        let body = String(repeating: "人民日报评论员文章ab", count: 7_000)
        let before = "Original " + body + " END-OF-OLD"
        let after = "Corrected " + body + " END-OF-NEW"
        for (step, text) in [before, after].enumerated() {
            harness.server.script(
                "/huge.xml",
                [
                    ReplayResponse(
                        status: 200, headers: IntegrationHarness.rss,
                        body: Self.rss([Self.item("big", minute: 5, title: "Big", description: text)]))
                ])
            _ = try await self.poll(harness, account, at: step * 10)
        }
        let logData = try Data(contentsOf: harness.logURL)
        let lines = logData.split(separator: UInt8(ascii: "\n"))
        let store = try harness.poller().stateStore.accountStore(for: account.key)
        let archive = try store.archivedVersions().map(\.post.text).joined(separator: "\n")
        await harness.close()

        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.count < 300_000, "one event line of \(line.count) bytes")
        let event = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(event["event"] as? String == "altered")
        #expect(event["text_truncated"] as? Bool == true)
        for field in ["text", "previous_text"] {
            let value = try #require(event[field] as? String, "\(field)")
            #expect(value.utf8.count <= 65_536, "\(field): \(value.utf8.count) bytes")
            #expect(value.utf8.count > 65_536 - 4, "\(field) is cut at the limit, on a character boundary")
        }
        #expect(after.hasPrefix(try #require(event["text"] as? String)))
        #expect(before.hasPrefix(try #require(event["previous_text"] as? String)))
        // The diff keeps both changes (first and last word), with the unchanged middle left out.
        let diff = try #require(event["diff"] as? String)
        #expect(diff.utf8.count <= 65_536)
        #expect(diff.hasPrefix("[-Original-]{+Corrected+}"))
        #expect(diff.hasSuffix("[-END-OF-OLD-]{+END-OF-NEW+}"))
        #expect(diff.contains("…"))
        // The post archive holds both versions in full.
        #expect(archive.contains("END-OF-OLD"))
        #expect(archive.contains("END-OF-NEW"))
    }
}
