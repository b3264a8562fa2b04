import Foundation
import GRDB
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// Redirects through the whole poll path (replay server, real libcurl client, poller, state,
/// log): only the host asked is a witness, and no redirect leads into a non-public network
/// (rule of evidence 8).
///
/// Several host names on loopback without DNS: the accounts use the replay server as their HTTP
/// proxy, which answers for any host (`http://news.example/…`). The private-network tests go
/// without a proxy, from `127.0.0.1` to `localhost`: another host name whose address is loopback.
@Suite(.serialized) struct RedirectIntegrationTests {
    static let t0 = "2026-08-01T13:00:00Z"
    static let t1 = "2026-08-01T13:30:00Z"
    static let t2 = "2026-08-01T13:50:00Z"

    /// An RSS feed whose items are `(id, published)`, newest first, each linking to
    /// `<base>/posts/<id>`.
    static func rss(base: String, items: [(String, String)]) -> Data {
        let entries = items.map { id, published -> String in
            let date = RFC3339.date(from: published).map { Self.rfc822($0) } ?? published
            return "<item><title>Post \(id)</title><link>\(base)/posts/\(id)</link>"
                + "<guid isPermaLink=\"false\">\(id)</guid><description>Text of post \(id)</description>"
                + "<pubDate>\(date)</pubDate></item>"
        }
        let xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>News</title>"
            + "<link>\(base)/</link><description>test</description>\(entries.joined())</channel></rss>"
        return Data(xml.utf8)
    }

    static func rfc822(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    static let threeItems = [("3", Self.t2), ("2", Self.t1), ("1", Self.t0)]
    static let withoutTheMiddleOne = [("3", Self.t2), ("1", Self.t0)]

    /// A feed account at `http://news.example/feed.xml`, fetched through the replay server as proxy.
    func proxiedFeed(_ harness: IntegrationHarness) -> Account {
        let source = AccountSource.feed(url: URL(string: "http://news.example/feed.xml")!)
        return Account(
            key: Account.key(for: source), name: "News", source: source, interval: 600,
            proxy: harness.server.baseURL.absoluteString)
    }

    func poll(_ harness: IntegrationHarness, _ account: Account, at minutes: Int) async throws -> PollReport {
        try await harness.poller().poll(account, at: IntegrationHarness.time(minutes))
    }

    func feed(_ items: [(String, String)], base: String) -> ReplayResponse {
        ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: Self.rss(base: base, items: items))
    }

    /// Every `evidence/*.json` record under the harness's state folder, decoded as plain JSON.
    func evidenceRecords(_ harness: IntegrationHarness) throws -> [[String: Any]] {
        // The evidence index of the state store, one row per capture, as JSON objects.
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        let rows = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT url, effective_url, remote_ip, redirects FROM evidence")
        }
        return rows.map { row in
            let redirects: String = row["redirects"]
            var record: [String: Any] = ["url": row["url"] as String, "effective_url": row["effective_url"] as String]
            if let ip: String = row["remote_ip"] { record["remote_ip"] = ip }
            record["redirects"] = (try? JSONSerialization.jsonObject(with: Data(redirects.utf8))) ?? []
            return record
        }
    }

    /// Every file under the state folder whose bytes contain `text`.
    func stateFiles(_ harness: IntegrationHarness, containing text: String) -> [String] {
        let state = harness.root.appendingPathComponent("state")
        guard let walker = FileManager.default.enumerator(at: state, includingPropertiesForKeys: nil) else { return [] }
        var found: [String] = []
        for case let url as URL in walker {
            // WARC files are gzip members: searched decompressed (gzip -dc reads every member).
            var data = try? Data(contentsOf: url)
            if url.lastPathComponent.hasSuffix(".warc.gz") {
                let gzip = Process()
                gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
                gzip.arguments = ["-dc", url.path]
                let pipe = Pipe()
                gzip.standardOutput = pipe
                try? gzip.run()
                data = pipe.fileHandleForReading.readDataToEndOfFile()
                gzip.waitUntilExit()
            }
            if let data, data.range(of: Data(text.utf8)) != nil {
                found.append(url.lastPathComponent)
            }
        }
        return found
    }

    // MARK: - Item 7: another host's answer is not evidence

    @Test func probeRedirectedToAnotherHostAnswering404IsNoDeletion() async throws {
        let harness = try await IntegrationHarness()
        let account = self.proxiedFeed(harness)
        let server = harness.server
        server.script("http://news.example/feed.xml", [self.feed(Self.threeItems, base: "http://news.example")])
        let first = try await self.poll(harness, account, at: 0)
        #expect(first.record.outcome == "complete")

        // Post 2 vanishes; its own address redirects to another host, which answers 404.
        server.script(
            "http://news.example/feed.xml", [self.feed(Self.withoutTheMiddleOne, base: "http://news.example")])
        server.script(
            "http://news.example/posts/2",
            [ReplayResponse(status: 301, headers: [("Location", "http://archive.example/posts/2")])])
        server.script(
            "http://archive.example/posts/2",
            [ReplayResponse(status: 404, headers: [("Content-Type", "text/plain")], body: Data("not here".utf8))])
        let second = try await self.poll(harness, account, at: 10)
        let third = try await self.poll(harness, account, at: 20)
        let probes = server.requests().filter { $0.path == "http://archive.example/posts/2" }.count
        let events = try harness.loggedEvents()
        await harness.close()

        #expect(second.record.outcome == "complete")
        #expect(second.probes == 1)
        #expect(probes == 2, "the redirect was followed at both polls: the probe was sent, its answer proved nothing")
        #expect(!events.contains { $0.event == .deleted }, "another host's 404 is not the post's tombstone: \(events)")
        #expect(third.postsTracked == 3, "the post stays a candidate, probed again at the next poll")
    }

    @Test func accountLookupRedirectedToAnotherHostAnswering404IsNoAccountEvent() async throws {
        let harness = try await IntegrationHarness()
        let server = harness.server
        let source = AccountSource.mastodon(instance: URL(string: "http://social.example")!, acct: "ministry")
        let account = Account(
            key: Account.key(for: source), name: "Ministry", source: source, interval: 600,
            proxy: server.baseURL.absoluteString)
        server.script(
            "http://social.example/api/v1/accounts/lookup?acct=ministry",
            [
                ReplayResponse(
                    status: 301, headers: [("Location", "http://other.example/api/v1/accounts/lookup?acct=ministry")])
            ])
        // The instance's recorded answer for an unknown account, served by the other host.
        server.script(
            "http://other.example/api/v1/accounts/lookup?acct=ministry",
            [
                ReplayResponse(
                    status: 404, headers: IntegrationHarness.json,
                    body: try IntegrationHarness.fixture("mastodon/account_lookup_404.json"))
            ])
        let first = try await self.poll(harness, account, at: 0)
        let second = try await self.poll(harness, account, at: 10)
        let events = try harness.loggedEvents()
        await harness.close()

        #expect(
            !events.contains { $0.event == .accountUnavailable }, "another host's 404 is not the account's: \(events)")
        #expect(first.record.outcome == "blind")
        #expect(second.record.outcome == "blind")
        #expect(events.map(\.event) == [.blind])
        let failure = try #require(events.first?.blind?.failure)
        #expect(failure.kind.rawValue == "other_host")
        #expect(failure.message.contains("other.example"))
        #expect(failure.message.contains(account.key.rawValue))
    }

    @Test func timelineAnsweredByAnotherHostIsNeverEvidenceAgainstThePostsOfTheHostAsked() async throws {
        let harness = try await IntegrationHarness()
        let account = self.proxiedFeed(harness)
        let server = harness.server
        server.script("http://news.example/feed.xml", [self.feed(Self.threeItems, base: "http://news.example")])
        _ = try await self.poll(harness, account, at: 0)

        // The feed now comes from a mirror that lacks post 2, whose own address answers 404 on the
        // host asked: the mirror's list must not make post 2 a candidate.
        server.script(
            "http://news.example/feed.xml",
            [ReplayResponse(status: 302, headers: [("Location", "http://mirror.example/feed.xml")])])
        server.script(
            "http://mirror.example/feed.xml", [self.feed(Self.withoutTheMiddleOne, base: "http://news.example")])
        server.script(
            "http://news.example/posts/2",
            [ReplayResponse(status: 404, headers: [("Content-Type", "text/plain")], body: Data("gone".utf8))])
        let second = try await self.poll(harness, account, at: 10)
        let third = try await self.poll(harness, account, at: 20)
        let probed = server.requests().contains { $0.path == "http://news.example/posts/2" }
        let events = try harness.loggedEvents()
        await harness.close()

        #expect(!events.contains { $0.event == .deleted }, "\(events)")
        #expect(!probed, "no candidate may come from another host's list")
        #expect(second.record.outcome == "blind")
        #expect(third.record.outcome == "blind")
        #expect(events.map(\.event) == [.blind])
        #expect(events.first?.blind?.failure.kind.rawValue == "other_host")
    }

    // MARK: - Evidence records the route

    @Test func evidenceRecordsTheRedirectHopsTheEffectiveURLAndTheRemoteAddress() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/old-feed.xml")
        let server = harness.server
        // A same-host path redirect is the host's own answer: observed as before.
        server.script("/old-feed.xml", [ReplayResponse(status: 302, headers: [("Location", "/feed.xml")])])
        server.script("/feed.xml", [self.feed(Self.threeItems, base: server.baseURL.absoluteString)])
        let report = try await self.poll(harness, account, at: 0)
        let records = try self.evidenceRecords(harness)
        await harness.close()

        #expect(report.record.outcome == "complete")
        #expect(report.record.posts == 3)
        let record = try #require(
            records.first { ($0["url"] as? String) == server.url("/old-feed.xml").absoluteString })
        #expect(record["effective_url"] as? String == server.url("/feed.xml").absoluteString)
        #expect(record["remote_ip"] as? String == "127.0.0.1")
        let hops = try #require(record["redirects"] as? [[String: Any]])
        #expect(hops.count == 1)
        #expect(hops.first?["url"] as? String == server.url("/old-feed.xml").absoluteString)
        #expect(hops.first?["status"] as? Int == 302)
        #expect(hops.first?["location"] as? String == "/feed.xml")
        #expect(hops.first?["remote_ip"] as? String == "127.0.0.1")
    }

    @Test func sameHostOnAnotherPortStaysTheHostsOwnAnswerAndItsTombstoneCounts() async throws {
        let harness = try await IntegrationHarness()
        let other = ReplayServer()
        try await other.start()
        let server = harness.server
        let account = harness.feedAccount(path: "/feed.xml")
        let base = server.baseURL.absoluteString
        server.script("/feed.xml", [self.feed(Self.threeItems, base: base)])
        _ = try await self.poll(harness, account, at: 0)

        server.script("/feed.xml", [self.feed(Self.withoutTheMiddleOne, base: base)])
        server.script(
            "/posts/2", [ReplayResponse(status: 301, headers: [("Location", other.url("/posts/2").absoluteString)])])
        other.script("/posts/2", [ReplayResponse(status: 404, body: Data("gone".utf8))])
        let second = try await self.poll(harness, account, at: 10)
        await other.stop()
        await harness.close()

        #expect(second.events.map(\.event) == [.deleted], "127.0.0.1 on another port is still the host asked")
        #expect(second.events.first?.postID == "2")
        #expect(second.events.first?.confirmedBy == .probe)
    }

    // MARK: - Item 8: no request into a non-public network by redirect

    @Test func watchedPageRedirectedToAnInternalHostIsBlindAndNothingOfItIsStored() async throws {
        let harness = try await IntegrationHarness()
        let server = harness.server
        let source = AccountSource.url(url: server.url("/article"), tombstones: [])
        let account = Account(key: Account.key(for: source), name: "Article", source: source)
        let html: HTTPHeaders = [("Content-Type", "text/html; charset=utf-8")]
        server.script(
            "/article",
            [
                ReplayResponse(
                    status: 200, headers: html, body: Data("<html><body><p>The public article.</p></body></html>".utf8))
            ])
        let first = try await self.poll(harness, account, at: 0)
        #expect(first.record.outcome == "complete")

        // `localhost` is another host name than 127.0.0.1, and its address is loopback.
        server.script(
            "/article",
            [ReplayResponse(status: 302, headers: [("Location", "http://localhost:\(server.port)/internal")])])
        server.script(
            "/internal",
            [
                ReplayResponse(
                    status: 200, headers: html, body: Data("<html><body><p>Internal admin page.</p></body></html>".utf8)
                )
            ])
        let second = try await self.poll(harness, account, at: 10)
        let internalRequests = server.requests().filter { $0.path == "/internal" }.count
        let stored = self.stateFiles(harness, containing: "Internal admin page")
        let events = try harness.loggedEvents()
        await harness.close()

        #expect(internalRequests == 0, "no request may reach the internal host")
        #expect(stored.isEmpty, "the internal page is in the state folder: \(stored)")
        #expect(!events.contains { $0.event == .altered || $0.event == .deleted }, "\(events)")
        #expect(second.record.outcome == "blind")
        let failure = try #require(events.first { $0.event == .blind }?.blind?.failure)
        #expect(failure.kind.rawValue == "private_address")
        #expect(failure.message.contains("loopback"))
        #expect(failure.message.contains("localhost"))
        #expect(failure.message.contains(account.key.rawValue))
    }

    @Test func probeRedirectedIntoAPrivateNetworkProvesNothingAndSendsNoRequestThere() async throws {
        let harness = try await IntegrationHarness()
        let server = harness.server
        let account = harness.feedAccount(path: "/feed.xml")
        let base = server.baseURL.absoluteString
        server.script("/feed.xml", [self.feed(Self.threeItems, base: base)])
        _ = try await self.poll(harness, account, at: 0)

        server.script("/feed.xml", [self.feed(Self.withoutTheMiddleOne, base: base)])
        server.script(
            "/posts/2", [ReplayResponse(status: 302, headers: [("Location", "http://localhost:\(server.port)/gone")])])
        server.script("/gone", [ReplayResponse(status: 404, body: Data("gone".utf8))])
        let second = try await self.poll(harness, account, at: 10)
        let internalRequests = server.requests().filter { $0.path == "/gone" }.count
        await harness.close()

        #expect(internalRequests == 0)
        #expect(second.events.isEmpty, "\(second.events)")
        #expect(second.record.outcome == "complete")
    }
}
