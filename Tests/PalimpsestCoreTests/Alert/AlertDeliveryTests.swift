import Foundation
import Logging
import PalimpsestReplay
import PalimpsestTestSupport
import Subprocess
import Synchronization
import Testing

@testable import PalimpsestCore

/// Alerts through the real pieces on loopback: the state store's outbox, the libcurl client, a
/// replay server as the webhook (or Apprise's JSON) receiver, the real `apprise` command, and
/// Python's feedparser reading the Atom feed.
@Suite(.serialized, .awaitedCleanup) struct AlertDeliveryTests {
    /// A settable wall clock for the outbox (batch windows, retry times).
    final class TestClock: Sendable {
        private let offset = Mutex(0.0)
        /// Moves with the real time (retries fall due) or stands still until advanced.
        let runs: Bool
        private let start = Date()
        init(runs: Bool = false) { self.runs = runs }
        func read() -> Date {
            let base = Date(timeIntervalSince1970: 1_785_592_800)
            let elapsed = self.runs ? Date().timeIntervalSince(self.start) : 0
            return base.addingTimeInterval(elapsed + self.offset.withLock { $0 })
        }
        func advance(_ seconds: TimeInterval) { self.offset.withLock { $0 += seconds } }
    }

    struct Fixture {
        let root: URL
        let store: StateStore
        let log: DeletionLog
        let client: CurlHTTPClient
        let server: ReplayServer
        let secret: URL

        init() async throws {
            try CurlHTTPClient.globalInit()
            self.root = FileManager.default.temporaryDirectory.appendingPathComponent(
                "palimpsest-alert-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: self.root, withIntermediateDirectories: true)
            self.store = try StateStore(root: self.root.appendingPathComponent("state"))
            self.log = try DeletionLog(url: self.root.appendingPathComponent("deletions.jsonl"))
            var configuration = HTTPClientConfiguration()
            configuration.timeout = 5
            configuration.connectTimeout = 2
            self.client = try CurlHTTPClient(configuration: configuration)
            self.server = ReplayServer()
            try await self.server.start()
            self.secret = self.root.appendingPathComponent("webhook.secret")
            try Data("s3cret-for-tests\n".utf8).write(to: self.secret)
        }

        func webhook(batch: TimeInterval? = nil) -> AlertSink {
            AlertSink(
                name: "hook", kind: .webhook, url: self.server.url("/hook"), secretFile: self.secret, batch: batch)
        }

        func pipeline(_ sinks: [AlertSink], clock: TestClock, feedOut: FeedOutSettings? = nil) -> AlertPipeline {
            var config = PalimpsestConfig(file: self.root.appendingPathComponent("palimpsest.toml"))
            config.alerts = sinks
            config.feedOut = feedOut
            return AlertPipeline(
                config: config, store: self.store, log: self.log, client: self.client,
                timing: AlertDispatcher.Timing(retryBase: 0.01, retryCap: 0.05, drainRetryBase: 0.01, idleSleep: 0.1),
                clock: { clock.read() }, logger: Logger(label: "test"))
        }

        func close() async {
            self.client.shutdown()
            await self.server.stop()
            try? FileManager.default.removeItem(at: self.root)
        }
    }

    static func deletion(_ index: Int, account: String = "feed:https://example.org/a.xml") -> Event {
        let key = AccountKey(rawValue: account)
        var event = Event(
            id: Event.makeID(account: key, post: "p\(index)", kind: .deleted, proof: "s\(index)"),
            detectedAt: Date(timeIntervalSince1970: 1_785_592_800 + Double(index)), event: .deleted, platform: .feed,
            account: key, accountName: "Example feed")
        event.postID = "p\(index)"
        event.reason = .removed
        event.confirmedBy = .probe
        event.text = "Post number \(index)\nsecond line"
        event.url = "https://example.org/posts/\(index)"
        event.lifetime = SecondsInterval(minSeconds: 600, maxSeconds: 1200)
        return event
    }

    /// The event ids in a webhook body: one event, or a batch's `events`.
    static func ids(inBody body: Data) throws -> [String] {
        let object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        if let events = object["events"] as? [[String: Any]] { return events.compactMap { $0["id"] as? String } }
        return [object["id"] as? String].compactMap { $0 }
    }

    @Test func webhookRetriesTwoServerErrorsAndTheReceiverAcceptsEachEventOnceBySignedID() async throws {
        let fixture = try await Fixture()
        atEnd { await fixture.close() }
        let ok = ReplayResponse(status: 200, headers: ["Content-Type": "text/plain"], body: Data("ok".utf8))
        let failure = ReplayResponse(status: 500, headers: ["Content-Type": "text/plain"], body: Data("boom".utf8))
        fixture.server.script("/hook", [failure, failure, ok])
        let clock = TestClock(runs: true)
        let pipeline = fixture.pipeline([fixture.webhook()], clock: clock)
        await pipeline.start(now: clock.read())
        let written = try fixture.log.append((1...3).map { Self.deletion($0) })
        await pipeline.logged(written)
        // A bound, not a pace: the drain returns once nothing waits (its retries' backoff is a few
        // seconds). 10 s ran out once under the whole suite's load on two cores.
        let report = await pipeline.dispatcher.drain(within: 60)
        #expect(report.waiting == 0)

        let requests = fixture.server.requests().filter { $0.path == "/hook" }
        #expect(requests.count == 5, "3 events, the first two answered 500 and sent again")
        // The receiver keeps what it answered 200 (every request after the first two), by id.
        var accepted: [String] = []
        for (index, request) in requests.enumerated() {
            #expect(request.method == "POST")
            let signature = try #require(request.headers["Palimpsest-Signature"])
            #expect(signature == WebhookSender.signature(of: request.body, secret: Data("s3cret-for-tests".utf8)))
            let ids = try Self.ids(inBody: request.body)
            #expect(request.headers["Palimpsest-Event-Ids"] == ids.joined(separator: ","))
            let object = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
            #expect((object["summary"] as? String)?.contains("deleted (removed, probe)") == true)
            if index >= 2 { accepted += ids }
        }
        #expect(accepted.sorted() == written.map(\.id).sorted(), "each event accepted exactly once")
        let rows = try pipeline.outbox.rows(of: "hook")
        #expect(rows.count == 3 && rows.allSatisfy(\.delivered))
    }

    @Test func aBatchWindowTurnsFiftyDeletionsIntoOneMessage() async throws {
        let fixture = try await Fixture()
        atEnd { await fixture.close() }
        fixture.server.script("/hook", [ReplayResponse(status: 204, headers: [:], body: Data())])
        let clock = TestClock()
        let pipeline = fixture.pipeline([fixture.webhook(batch: 300)], clock: clock)
        await pipeline.start(now: clock.read())
        let events = (1...50).map { Self.deletion($0, account: "feed:https://example.org/\($0 % 5).xml") }
        let written = try fixture.log.append(events)
        await pipeline.logged(written)
        await pipeline.dispatcher.deliverDue(draining: false)
        #expect(fixture.server.requests().isEmpty, "nothing before the window ends")
        clock.advance(301)
        await pipeline.dispatcher.deliverDue(draining: false)
        let requests = fixture.server.requests()
        #expect(requests.count == 1)
        let ids = try Self.ids(inBody: try #require(requests.first).body)
        #expect(ids == written.map(\.id))
        await pipeline.dispatcher.deliverDue(draining: false)
        #expect(fixture.server.requests().count == 1, "delivered once")
    }

    static let appriseIsInstalled = AppriseSender.locate() != nil

    @Test(
        .enabled(
            if: Self.appriseIsInstalled,
            "SKIPPED: needs the apprise command (`make` installs Debian's apprise; or apt-get install apprise)"))
    func theRealAppriseCommandDeliversTitleAndBodyToALoopbackJSONReceiver() async throws {
        let fixture = try await Fixture()
        atEnd { await fixture.close() }
        fixture.server.script("/apprise", [ReplayResponse(status: 200, headers: [:], body: Data())])
        let sink = AlertSink(
            name: "chat", kind: .apprise, appriseURLs: ["json://127.0.0.1:\(fixture.server.port)/apprise"])
        let event = Self.deletion(7)
        let answer = try await AppriseSender(sink: sink).send(AlertMessage(events: [event]))
        #expect(answer.contains("exited 0"))
        let request = try #require(fixture.server.requests().first { $0.path == "/apprise" })
        let object = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
        let title = try #require(object["title"] as? String)
        let body = try #require(object["message"] as? String)
        #expect(title.contains("deleted (removed, probe): Example feed"))
        #expect(body.contains("Post number 7"))
        #expect(body.contains("lived 10m–20m"))
        #expect(body.contains("https://example.org/posts/7"))
        #expect(body.contains(event.id))
    }

    @Test func anAppriseCommandThatFailsIsReportedWithItsOutput() async throws {
        let sink = AlertSink(name: "chat", kind: .apprise, appriseURLs: ["json://127.0.0.1:1/none"])
        await #expect(throws: AlertDeliveryError.self) {
            _ = try await AppriseSender(sink: sink, executable: "/bin/false").send(
                AlertMessage(events: [Self.deletion(1)]))
        }
    }

    static let feedparserIsAvailable: Bool = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fp-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        guard
            let probe = try? ChildProcess(
                ["python3", "-c", "import feedparser"], output: folder.appendingPathComponent("p"))
        else { return false }
        return probe.wait(timeout: 30) == 0
    }()

    @Test(
        .enabled(
            if: Self.feedparserIsAvailable,
            "SKIPPED: needs python3 with feedparser (`make test` installs it; or `python3 -m pip install feedparser`)"))
    func theAtomFeedReadsInFeedparserWithItsEntriesAndTombstones() async throws {
        let fixture = try await Fixture()
        atEnd { await fixture.close() }
        let clock = TestClock()
        let path = fixture.root.appendingPathComponent("public/deletions.atom")
        let pipeline = fixture.pipeline([], clock: clock, feedOut: FeedOutSettings(path: path, entries: 10))
        await pipeline.start(now: clock.read())
        var altered = Self.deletion(3)
        altered.id = Event.makeID(account: altered.account, post: "p3", kind: .altered, proof: "x")
        altered.event = .altered
        altered.reason = nil
        altered.confirmedBy = nil
        altered.diff = "Post number [-3-]{+three+} & <more>"
        let written = try fixture.log.append([Self.deletion(1), Self.deletion(2), altered])
        await pipeline.logged(written)

        let script = """
            import feedparser, json, sys
            import xml.etree.ElementTree as ET
            d = feedparser.parse(sys.argv[1])
            ns = {"at": "http://purl.org/atompub/tombstones/1.0"}
            tombs = [t.attrib for t in ET.parse(sys.argv[1]).getroot().findall("at:deleted-entry", ns)]
            print(json.dumps({"bozo": d.bozo, "version": d.version, "title": d.feed.title,
                "entries": [{"id": e.id, "title": e.title, "link": e.get("link"), "content": e.content[0].value}
                            for e in d.entries], "tombstones": tombs}))
            """
        let scriptURL = fixture.root.appendingPathComponent("read_feed.py")
        try Data(script.utf8).write(to: scriptURL)
        let result = try await Subprocess.run(
            .name("python3"), arguments: [scriptURL.path, path.path], output: .bytes(limit: 1 << 20),
            error: .string(limit: 1 << 20))
        #expect(result.terminationStatus.isSuccess, "\(result.standardError)")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any])
        #expect(parsed["bozo"] as? Int == 0 || parsed["bozo"] as? Bool == false)
        #expect(parsed["version"] as? String == "atom10")
        let entries = try #require(parsed["entries"] as? [[String: Any]])
        #expect(entries.map { $0["id"] as? String } == written.reversed().map { "urn:palimpsest:event:\($0.id)" })
        #expect((entries[0]["content"] as? String)?.contains("[-3-]{+three+} & <more>") == true)
        #expect((entries[1]["title"] as? String)?.hasPrefix("deleted (removed, probe): Example feed") == true)
        #expect(entries[1]["link"] as? String == "https://example.org/posts/2")
        let tombstones = try #require(parsed["tombstones"] as? [[String: String]])
        #expect(tombstones.map { $0["ref"] } == ["https://example.org/posts/2", "https://example.org/posts/1"])
        #expect(
            FileManager.default.fileExists(atPath: path.deletingPathExtension().appendingPathExtension("json").path))
        let json =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: path.deletingPathExtension().appendingPathExtension("json"))) as? [String: Any]
        #expect((json?["items"] as? [Any])?.count == 3)
    }
}
