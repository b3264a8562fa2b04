import Foundation
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

/// Lagging replicas, re-keyed items, a deleted newest item and probes that never answer, over
/// loopback through the real libcurl client and the poller: no false finding, no finding twice,
/// none missed.
@Suite(.serialized) struct TruthUnderFaultsTests {
    /// One RSS item: its GUID, link, title, text and minutes before 2026-08-01T14:00:00Z.
    struct Item {
        var guid: String
        var link: String
        var title: String
        var text: String
        var minutesAgo: Int
    }

    /// Items of a bridge feed (like RSSHub's): links to another host, so no probe is possible.
    static func bridgeItems(_ names: [String], guidHost: String = "twitter.example") -> [Item] {
        names.enumerated().map { index, name in
            Item(
                guid: "https://\(guidHost)/status/\(name)", link: "https://\(guidHost)/status/\(name)",
                title: "Tweet \(name)", text: "<p>Tweet \(name) says hello &amp; more</p>",
                minutesAgo: 60 * (index + 1))
        }
    }

    static func rss(_ items: [Item], lastBuildDate: Date? = nil) -> Data {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bridge</title>"#
        xml += "<link>https://twitter.example/</link><description>test</description>"
        if let lastBuildDate { xml += "<lastBuildDate>\(HTTPDate.string(from: lastBuildDate))</lastBuildDate>" }
        for item in items {
            let date = IntegrationHarness.time(-item.minutesAgo)
            xml += "<item><title>\(item.title)</title><guid>\(item.guid)</guid><link>\(item.link)</link>"
            xml += "<description><![CDATA[\(item.text)]]></description>"
            xml += "<pubDate>\(HTTPDate.string(from: date))</pubDate></item>"
        }
        return Data((xml + "</channel></rss>").utf8)
    }

    static func serve(_ harness: IntegrationHarness, _ path: String, _ body: Data, headers: HTTPHeaders = [:]) {
        harness.server.script(
            path, [ReplayResponse(status: 200, headers: IntegrationHarness.rss + headers, body: body)])
    }

    func poll(_ harness: IntegrationHarness, _ account: Account, at minutes: Int) async throws -> PollReport {
        try await harness.poller().poll(account, at: IntegrationHarness.time(minutes))
    }

    // MARK: Item 1: a restore needs proof

    @Test func laggingCacheServingADeletedItemAgainLogsNoRestoreAndNoSecondDeletion() async throws {
        let harness = try await IntegrationHarness()
        let feed = harness.feedAccount(path: "/bridge")
        let all = Self.bridgeItems(["5", "4", "3", "2", "1"])
        let withoutThree = all.filter { $0.guid.hasSuffix("/3") == false }
        Self.serve(harness, "/bridge", Self.rss(all))
        _ = try await self.poll(harness, feed, at: 0)
        Self.serve(harness, "/bridge", Self.rss(withoutThree))
        _ = try await self.poll(harness, feed, at: 10)
        let deleted = try await self.poll(harness, feed, at: 30)
        #expect(deleted.events.map(\.event) == [.deleted], "item 3 is gone by absence over 20 minutes")

        // A lagging cache serves the copy of 14:00 again, item 3 included.
        Self.serve(harness, "/bridge", Self.rss(all))
        let lagging = try await self.poll(harness, feed, at: 40)
        #expect(lagging.events.isEmpty, "a listing that a newer one replaced is no restore")
        #expect(lagging.record.detail.contains("stale answer"))
        Self.serve(harness, "/bridge", Self.rss(withoutThree))
        for minutes in [50, 70, 90] {
            let report = try await self.poll(harness, feed, at: minutes)
            #expect(report.events.isEmpty, "the same disappearance is never logged twice")
        }
        let logged = try harness.loggedEvents()
        await harness.close()
        #expect(logged.map(\.event) == [.deleted])
    }

    @Test func itemBackInFreshListingsIsRestoredOnlyAfterConfirmPollsOverConfirmMinAge() async throws {
        let harness = try await IntegrationHarness()
        let feed = harness.feedAccount(path: "/bridge")
        let all = Self.bridgeItems(["5", "4", "3", "2", "1"])
        Self.serve(harness, "/bridge", Self.rss(all))
        _ = try await self.poll(harness, feed, at: 0)
        Self.serve(harness, "/bridge", Self.rss(all.filter { !$0.guid.hasSuffix("/3") }))
        _ = try await self.poll(harness, feed, at: 10)
        #expect(try await self.poll(harness, feed, at: 30).events.map(\.event) == [.deleted])

        // Item 3 is back, with a new item on top: a listing never seen before.
        let back =
            Self.bridgeItems(["6"]).map { item in
                var item = item
                item.minutesAgo = 1
                return item
            } + all
        Self.serve(harness, "/bridge", Self.rss(back))
        #expect(try await self.poll(harness, feed, at: 40).events.isEmpty, "one listing proves no restore")
        #expect(try await self.poll(harness, feed, at: 50).events.isEmpty, "two, but only 10 minutes apart")
        let restored = try await self.poll(harness, feed, at: 60)
        let logged = try harness.loggedEvents()
        await harness.close()
        #expect(restored.events.map(\.event) == [.restored])
        let event = try #require(restored.events.first)
        #expect(event.postID == "https://twitter.example/status/3")
        #expect(event.confirmedBy == .listing)
        // Gone from at least 14:10 to 14:30 (its last miss), at most from 14:00 to 14:40.
        #expect(event.goneFor == SecondsInterval(minSeconds: 1200, maxSeconds: 2400))
        #expect(logged.map(\.event) == [.deleted, .restored])
    }

    @Test func restoredItemWhoseOwnAddressAnswersIsRestoredByItsProbeAtOnce() async throws {
        let harness = try await IntegrationHarness()
        let feed = harness.feedAccount(path: "/blog/feed")
        let base = harness.server.baseURL.absoluteString
        let items = ["c", "b", "a"].enumerated().map { index, name in
            Item(
                guid: "\(base)/blog/\(name)", link: "\(base)/blog/\(name)", title: "Post \(name)",
                text: "<p>Post \(name)</p>", minutesAgo: 60 * (index + 1))
        }
        Self.serve(harness, "/blog/feed", Self.rss(items))
        _ = try await self.poll(harness, feed, at: 0)
        harness.server.script("/blog/b", [ReplayResponse(status: 404, body: Data("gone".utf8))])
        Self.serve(harness, "/blog/feed", Self.rss(items.filter { $0.title != "Post b" }))
        #expect(try await self.poll(harness, feed, at: 10).events.map(\.event) == [.deleted])

        // The feed lists b again; its own address still says 404: a ghost listing, no restore.
        Self.serve(harness, "/blog/feed", Self.rss(items))
        #expect(try await self.poll(harness, feed, at: 20).events.isEmpty)
        harness.server.script("/blog/b", [ReplayResponse(status: 200, body: Data("<p>Post b</p>".utf8))])
        let restored = try await self.poll(harness, feed, at: 30)
        let logged = try harness.loggedEvents()
        await harness.close()
        #expect(restored.events.map(\.event) == [.restored])
        #expect(restored.events.first?.confirmedBy == .probe)
        #expect(restored.events.first?.evidence.first?.url.hasSuffix("/blog/b") == true)
        #expect(logged.map(\.event) == [.deleted, .restored])
    }

    // MARK: Item 2: re-keyed items are the same posts

    @Test func feedWhoseGUIDsSwitchHostIsNoDeletionAndLaterDeletionsAreLoggedOnce() async throws {
        let harness = try await IntegrationHarness()
        let feed = harness.feedAccount(path: "/bridge")
        let names = ["5", "4", "3", "2", "1"]
        Self.serve(harness, "/bridge", Self.rss(Self.bridgeItems(names)))
        _ = try await self.poll(harness, feed, at: 0)
        // The bridge moves its GUIDs and links to another host; titles, texts and dates stay.
        let moved = Self.bridgeItems(names, guidHost: "x.example")
        Self.serve(harness, "/bridge", Self.rss(moved))
        for minutes in [10, 20, 40] {
            let report = try await self.poll(harness, feed, at: minutes)
            #expect(report.events.isEmpty, "re-keyed items are neither deleted nor new")
        }
        // Item 2 is then really deleted: one event, under its new ID.
        Self.serve(harness, "/bridge", Self.rss(moved.filter { !$0.guid.hasSuffix("/2") }))
        _ = try await self.poll(harness, feed, at: 50)
        let deleted = try await self.poll(harness, feed, at: 70)
        let logged = try harness.loggedEvents()
        let store = try harness.poller().stateStore.accountStore(for: feed.key)
        let archive = try store.archivedVersions()
        await harness.close()
        #expect(deleted.events.map(\.postID) == ["https://x.example/status/2"])
        #expect(logged.count == 1)
        // The archive keeps both IDs, and the new line names the former one.
        #expect(archive.contains { $0.postID == "https://twitter.example/status/2" })
        let moved2 = try #require(archive.first { $0.postID == "https://x.example/status/2" })
        #expect(moved2.formerIDs == ["https://twitter.example/status/2"])
    }

    // MARK: Item 4: a listing is fresh when it is new

    @Test func deletedNewestItemOfABridgeFeedIsConfirmedAndOtherEditsAreLoggedMeanwhile() async throws {
        let harness = try await IntegrationHarness()
        let feed = harness.feedAccount(path: "/bridge")
        var items = Self.bridgeItems(["5", "4", "3", "2", "1"])
        Self.serve(harness, "/bridge", Self.rss(items, lastBuildDate: IntegrationHarness.time(0)))
        _ = try await self.poll(harness, feed, at: 0)
        // The newest item (5) is deleted and nothing newer is posted.
        items.removeFirst()
        Self.serve(harness, "/bridge", Self.rss(items, lastBuildDate: IntegrationHarness.time(10)))
        #expect(try await self.poll(harness, feed, at: 10).events.isEmpty)
        // Meanwhile item 3 is edited: logged at once.
        items[1].text = "<p>Tweet 3 says goodbye</p>"
        Self.serve(harness, "/bridge", Self.rss(items, lastBuildDate: IntegrationHarness.time(20)))
        let edited = try await self.poll(harness, feed, at: 20)
        #expect(edited.events.map(\.event) == [.altered])
        Self.serve(harness, "/bridge", Self.rss(items, lastBuildDate: IntegrationHarness.time(30)))
        let deleted = try await self.poll(harness, feed, at: 30)
        let logged = try harness.loggedEvents()
        await harness.close()
        #expect(deleted.events.map(\.event) == [.deleted])
        #expect(deleted.events.first?.postID == "https://twitter.example/status/5")
        #expect(deleted.events.first?.confirmedBy == .absence)
        #expect(logged.map(\.event) == [.altered, .deleted])
    }

    @Test func cachedCopyWithAnOlderLastModifiedIsStaleEvenWhenNeverSeenBefore() async throws {
        let harness = try await IntegrationHarness()
        let feed = harness.feedAccount(path: "/bridge")
        let items = Self.bridgeItems(["5", "4", "3", "2", "1"])
        func lastModified(_ minutes: Int) -> HTTPHeaders {
            [("Last-Modified", HTTPDate.string(from: IntegrationHarness.time(minutes)))]
        }
        Self.serve(harness, "/bridge", Self.rss(items), headers: lastModified(0))
        _ = try await self.poll(harness, feed, at: 0)
        // A cache built before items 5 and 4 were published (never seen here), older by its date.
        let older =
            Array(items.dropFirst(2))
            + Self.bridgeItems(["0"]).map { item in
                var item = item
                item.minutesAgo = 400
                return item
            }
        Self.serve(harness, "/bridge", Self.rss(older), headers: lastModified(-200))
        for minutes in [10, 30, 50] {
            let report = try await self.poll(harness, feed, at: minutes)
            #expect(report.events.isEmpty)
            #expect(report.record.detail.contains("Last-Modified"))
        }
        let logged = try harness.loggedEvents()
        await harness.close()
        #expect(logged.isEmpty, "an older copy never confirms a deletion")
    }

    @Test func cachedCopyWithAnOlderLastBuildDateIsStaleEvenWhenNeverSeenBefore() async throws {
        let harness = try await IntegrationHarness()
        let feed = harness.feedAccount(path: "/bridge")
        let items = Self.bridgeItems(["5", "4", "3", "2", "1"])
        Self.serve(harness, "/bridge", Self.rss(items, lastBuildDate: IntegrationHarness.time(0)))
        _ = try await self.poll(harness, feed, at: 0)
        // A cache built before items 5 and 4 were published (never seen here), older by the feed's date.
        Self.serve(
            harness, "/bridge", Self.rss(Array(items.dropFirst(2)), lastBuildDate: IntegrationHarness.time(-200)))
        for minutes in [10, 30, 50] {
            let report = try await self.poll(harness, feed, at: minutes)
            #expect(report.events.isEmpty)
            #expect(report.record.detail.contains("feed date"), "\(report.record.detail)")
        }
        // The live feed again, with a newer date: fresh, and nothing was deleted.
        Self.serve(harness, "/bridge", Self.rss(items, lastBuildDate: IntegrationHarness.time(60)))
        let live = try await self.poll(harness, feed, at: 60)
        let logged = try harness.loggedEvents()
        await harness.close()
        #expect(!live.record.detail.contains("stale"))
        #expect(logged.isEmpty, "an older copy never confirms a deletion")
    }

    // MARK: Item 5: no candidate waits forever

    @Test func candidateWhoseProbeAlwaysFailsIsConfirmedByAbsenceAfterProbeAttempts() async throws {
        let harness = try await IntegrationHarness()
        let feed = harness.feedAccount(path: "/blog/feed")
        let base = harness.server.baseURL.absoluteString
        let items = ["c", "b", "a"].enumerated().map { index, name in
            Item(
                guid: "\(base)/blog/\(name)", link: "\(base)/blog/\(name)", title: "Post \(name)",
                text: "<p>Post \(name)</p>", minutesAgo: 60 * (index + 1))
        }
        Self.serve(harness, "/blog/feed", Self.rss(items))
        _ = try await self.poll(harness, feed, at: 0)
        // b vanishes; its own address answers 503 every time.
        harness.server.script(
            "/blog/b", [ReplayResponse(status: 503, headers: [("Content-Type", "text/html")], body: Data("busy".utf8))])
        Self.serve(harness, "/blog/feed", Self.rss(items.filter { $0.title != "Post b" }))
        var reports: [PollReport] = []
        for poll in 1...6 {
            reports.append(try await self.poll(harness, feed, at: 5 * poll))
        }
        let status = try StatusReport.pending(
            in: harness.poller().stateStore.accountStore(for: feed.key), settings: DetectionSettings(),
            now: IntegrationHarness.time(25))
        let logged = try harness.loggedEvents()
        await harness.close()
        #expect(reports.dropLast().allSatisfy { $0.events.isEmpty })
        let deleted = try #require(reports.last?.events.first)
        #expect(deleted.event == .deleted)
        #expect(deleted.confirmedBy == .absence)
        #expect(deleted.reason == .unknown)
        #expect(deleted.evidence.filter { $0.status == 503 }.count == 6, "every inconclusive answer is cited")
        #expect(logged.count == 1)
        #expect(status.isEmpty, "nothing is pending once confirmed")
    }
}
