import Foundation
import Logging
import Synchronization
import Testing

@testable import PalimpsestCore

/// The poll driver (``AccountPoller``) against a scripted ``HTTPFetching``: no server, no
/// network; every ``PollOutcome`` it can end with, and the probe path through the one exchange.
@Suite struct PollDriverTests {
    /// Answers each URL with its scripted answers in turn (the last one again once they run out)
    /// and records every request it was sent.
    final class ScriptedClient: HTTPFetching {
        enum Answer: Sendable {
            case response(status: Int, headers: HTTPHeaders, body: Data)
            case error(HTTPClientError)
        }

        private let state = Mutex<(script: [String: [Answer]], sent: [HTTPRequest])>(([:], []))

        func script(_ url: String, _ answers: [Answer]) {
            self.state.withLock { $0.script[url] = answers }
        }

        var sent: [HTTPRequest] { self.state.withLock { $0.sent } }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            let url = request.url.absoluteString
            let answer = self.state.withLock { state -> Answer? in
                state.sent.append(request)
                guard var answers = state.script[url], let first = answers.first else { return nil }
                if answers.count > 1 { answers.removeFirst() }
                state.script[url] = answers
                return first
            }
            switch answer {
            case .response(let status, let headers, let body):
                return HTTPResponse(url: request.url, status: status, headers: headers, body: body)
            case .error(let error):
                throw error
            case nil:
                return HTTPResponse(url: request.url, status: 599, body: Data("not scripted".utf8))
            }
        }
    }

    /// A fresh state folder and log, and a poller over the scripted client.
    final class Rig: Sendable {
        let client = ScriptedClient()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "palimpsest-driver-\(UUID().uuidString)")
        let rateLimits = HostRateLimits()

        func poller() throws -> AccountPoller {
            AccountPoller(
                client: self.client, stateStore: try StateStore(root: self.root.appendingPathComponent("state")),
                log: try DeletionLog(url: self.root.appendingPathComponent("deletions.jsonl")),
                detection: DetectionSettings(), snapshotRetention: 3, rateLimits: self.rateLimits,
                logger: Logger(label: "test"))
        }

        func poll(_ account: Account, at minutes: Int) async throws -> PollReport {
            try await self.poller().poll(account, at: PollDriverTests.time(minutes))
        }

        func remove() { try? FileManager.default.removeItem(at: self.root) }
    }

    static let base = "https://feeds.example"

    /// 2026-08-01T14:00:00Z plus `minutes`.
    static func time(_ minutes: Int) -> Date {
        Date(timeIntervalSince1970: 1_785_592_800 + TimeInterval(minutes * 60))
    }

    static let feed: Account = {
        let source = AccountSource.feed(url: URL(string: "\(base)/feed.xml")!)
        return Account(
            key: Account.key(for: source), name: "Scripted feed", source: source, interval: 600,
            headers: ["X-Account-Header": "yes"])
    }()

    static func mastodon() -> Account {
        let source = AccountSource.mastodon(instance: URL(string: "https://social.example")!, acct: "someone")
        return Account(key: Account.key(for: source), name: "Scripted Mastodon", source: source, interval: 600)
    }

    /// An RSS 2.0 feed of posts `ids` (newest first); post N links to `/posts/N`.
    static func rss(_ ids: [Int]) -> PollDriverTests.ScriptedClient.Answer {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>Scripted</title><link>\(base)/</link><description>d</description>

            """
        for id in ids {
            xml += """
                <item><title>Post \(id)</title><link>\(base)/posts/\(id)</link><guid>\(base)/posts/\(id)</guid>\
                <pubDate>Sat, 01 Aug 2026 13:0\(id):00 +0000</pubDate><description>post \(id)</description></item>

                """
        }
        xml += "</channel></rss>\n"
        return .response(
            status: 200, headers: [("Content-Type", "application/rss+xml"), ("ETag", "\"e\(ids.count)\"")],
            body: Data(xml.utf8))
    }

    static let feedURL = "\(base)/feed.xml"

    @Test func aReadWindowEndsComplete() async throws {
        let rig = Rig()
        defer { rig.remove() }
        rig.client.script(Self.feedURL, [Self.rss([3, 2, 1])])
        let report = try await rig.poll(Self.feed, at: 0)
        #expect(report.outcome == .complete)
        #expect(report.record.outcome == "complete")
        #expect(report.record.posts == 3)
        #expect(rig.client.sent.first?.headers["X-Account-Header"] == "yes", "the account's headers go with it")
    }

    @Test func aNotModifiedOrSameBodyAnswerEndsUnchanged() async throws {
        let rig = Rig()
        defer { rig.remove() }
        rig.client.script(Self.feedURL, [Self.rss([3, 2, 1])])
        _ = try await rig.poll(Self.feed, at: 0)
        // The same body again: unchanged by its SHA-256.
        let same = try await rig.poll(Self.feed, at: 10)
        #expect(same.outcome == .unchanged)
        #expect(same.record.outcome == "complete")
        // A 304 to the validators the first answer left.
        rig.client.script(Self.feedURL, [.response(status: 304, headers: [("ETag", "\"e3\"")], body: Data())])
        let notModified = try await rig.poll(Self.feed, at: 20)
        #expect(notModified.outcome == .unchanged)
        #expect(rig.client.sent.last?.ifNoneMatch == "\"e3\"", "the timeline request is conditional")
    }

    @Test func anOlderPageThatFailsEndsIncomplete() async throws {
        let rig = Rig()
        defer { rig.remove() }
        let source = AccountSource.telegram(channel: "topwar_official", baseURL: URL(string: "https://t.me")!, pages: 2)
        let account = Account(key: Account.key(for: source), source: source, interval: 600)
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(
                "Fixtures/real/telegram/t_me_s_full_page_topwar_official.html")
        rig.client.script(
            "https://t.me/s/topwar_official",
            [
                .response(
                    status: 200, headers: [("Content-Type", "text/html; charset=utf-8")],
                    body: try Data(contentsOf: fixture))
            ])
        // The older page is not scripted: the client answers it 599.
        let report = try await rig.poll(account, at: 0)
        #expect(report.outcome == .incomplete, "\(report.record.detail)")
        #expect(report.record.outcome == "incomplete")
        #expect(rig.client.sent.count == 2)
    }

    @Test func failedAnswersEndBlindNeverWithAnEvent() async throws {
        let rig = Rig()
        defer { rig.remove() }
        rig.client.script(Self.feedURL, [Self.rss([3, 2, 1])])
        _ = try await rig.poll(Self.feed, at: 0)
        let failures: [(String, ScriptedClient.Answer)] = [
            ("5xx", .response(status: 503, headers: [("Content-Type", "text/html")], body: Data("<h1>down</h1>".utf8))),
            ("timeout", .error(HTTPClientError(kind: .timeout, url: Self.feedURL, message: "timed out"))),
            (
                "HTML page",
                .response(
                    status: 200, headers: [("Content-Type", "text/html")],
                    body: Data("<html><body>captcha</body></html>".utf8))
            ),
        ]
        for (index, (name, answer)) in failures.enumerated() {
            rig.client.script(Self.feedURL, [answer])
            let report = try await rig.poll(Self.feed, at: 10 * (index + 1))
            guard case .blind(let failure) = report.outcome else {
                Issue.record("\(name): expected blind, got \(report.outcome)")
                continue
            }
            #expect(report.record.outcome == "blind", "\(name)")
            #expect(report.record.detail == failure.description, "\(name)")
            #expect(report.events.allSatisfy { $0.event == .blind }, "\(name) derived a post event")
        }
    }

    @Test func htmlInsteadOfJSONEndsBlind() async throws {
        let rig = Rig()
        defer { rig.remove() }
        let account = Self.mastodon()
        rig.client.script(
            "https://social.example/api/v1/accounts/lookup?acct=someone",
            [
                .response(
                    status: 200, headers: [("Content-Type", "application/json")],
                    body: Data(#"{"id":"1234","username":"someone","acct":"someone"}"#.utf8))
            ])
        rig.client.script(
            "https://social.example/api/v1/accounts/1234/statuses?limit=40",
            [
                .response(
                    status: 200, headers: [("Content-Type", "text/html")],
                    body: Data("<html><body>Just a moment…</body></html>".utf8))
            ])
        rig.client.script(
            "https://social.example/api/v1/accounts/1234/statuses?pinned=true",
            [.response(status: 200, headers: [("Content-Type", "application/json")], body: Data("[]".utf8))])
        let report = try await rig.poll(account, at: 0)
        guard case .blind = report.outcome else {
            Issue.record("expected blind, got \(report.outcome): \(report.record.detail)")
            return
        }
        #expect(report.events.allSatisfy { $0.event == .blind })
    }

    @Test func aRateLimitEndsRateLimitedAndHoldsTheNextRequest() async throws {
        let rig = Rig()
        defer { rig.remove() }
        rig.client.script(
            Self.feedURL,
            [.response(status: 429, headers: [("Retry-After", "3600")], body: Data("slow down".utf8))])
        let limited = try await rig.poll(Self.feed, at: 0)
        guard case .rateLimited = limited.outcome else {
            Issue.record("expected rate_limited, got \(limited.outcome): \(limited.record.detail)")
            return
        }
        #expect(limited.record.outcome == "rate_limited")
        let sent = rig.client.sent.count
        let held = try await rig.poll(Self.feed, at: 10)
        guard case .rateLimited = held.outcome else {
            Issue.record("expected rate_limited, got \(held.outcome)")
            return
        }
        #expect(rig.client.sent.count == sent, "nothing is sent to the host before its limit ends")
    }

    @Test func aGoneAccountEndsAccountUnavailable() async throws {
        let rig = Rig()
        defer { rig.remove() }
        rig.client.script(
            "https://social.example/api/v1/accounts/lookup?acct=someone",
            [
                .response(
                    status: 404, headers: [("Content-Type", "application/json")],
                    body: Data(#"{"error":"Record not found"}"#.utf8))
            ])
        let report = try await rig.poll(Self.mastodon(), at: 0)
        guard case .accountUnavailable = report.outcome else {
            Issue.record("expected account_unavailable, got \(report.outcome): \(report.record.detail)")
            return
        }
        #expect(report.record.outcome == "account_unavailable")
    }

    @Test func aMissingPostIsProbedThroughTheExchangeAndItsTombstoneLogged() async throws {
        let rig = Rig()
        defer { rig.remove() }
        rig.client.script(Self.feedURL, [Self.rss([5, 4, 3, 2, 1])])
        _ = try await rig.poll(Self.feed, at: 0)
        rig.client.script(Self.feedURL, [Self.rss([5, 4, 2, 1])])
        rig.client.script(
            "\(Self.base)/posts/3",
            [.response(status: 404, headers: [("Content-Type", "text/plain")], body: Data("gone".utf8))])
        let report = try await rig.poll(Self.feed, at: 10)
        #expect(report.outcome == .complete)
        #expect(report.probes == 1)
        let probe = try #require(rig.client.sent.last)
        #expect(probe.url.absoluteString == "\(Self.base)/posts/3")
        #expect(probe.headers["X-Account-Header"] == "yes", "a probe is built like every other request")
        #expect(report.events.map(\.event) == [.deleted])
        #expect(report.events.first?.evidence.isEmpty == false, "the tombstone is kept as evidence")
    }

    @Test func aProbeToARateLimitedHostIsNotSentAndProvesNothing() async throws {
        let rig = Rig()
        defer { rig.remove() }
        let account = Self.mastodon()
        let lookup = "https://social.example/api/v1/accounts/lookup?acct=someone"
        let json: HTTPHeaders = [("Content-Type", "application/json")]
        rig.client.script(
            lookup,
            [
                .response(
                    status: 200, headers: json, body: Data(#"{"id":"1234","username":"someone","acct":"someone"}"#.utf8)
                )
            ])
        let statuses = (1...3).map {
            #"{"id":"\#($0)","created_at":"2026-08-01T13:0\#($0):00.000Z","content":"<p>post \#($0)</p>","url":"https://social.example/@someone/\#($0)","visibility":"public","account":{"id":"1234","acct":"someone"}}"#
        }
        rig.client.script(
            "https://social.example/api/v1/accounts/1234/statuses?limit=40",
            [.response(status: 200, headers: json, body: Data("[\(statuses.reversed().joined(separator: ","))]".utf8))])
        rig.client.script(
            "https://social.example/api/v1/accounts/1234/statuses?pinned=true",
            [.response(status: 200, headers: json, body: Data("[]".utf8))])
        let first = try await rig.poll(account, at: 0)
        try #require(first.outcome == .complete, "\(first.record.detail)")

        // Every post vanishes (the account is probed), and the last timeline answer says the
        // instance takes no requests before 15:00.
        rig.client.script(
            "https://social.example/api/v1/accounts/1234/statuses?limit=40",
            [.response(status: 200, headers: json, body: Data("[]".utf8))])
        rig.client.script(
            "https://social.example/api/v1/accounts/1234/statuses?pinned=true",
            [
                .response(
                    status: 200,
                    headers: json + [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "2026-08-01T15:00:00Z")],
                    body: Data("[]".utf8))
            ])
        let before = rig.client.sent.count
        let emptied = try await rig.poll(account, at: 10)
        let sent = rig.client.sent.dropFirst(before).map(\.url.absoluteString)
        #expect(!sent.contains(lookup), "the account probe went to a host that asked for no requests: \(sent)")
        #expect(emptied.probeHosts.first?.detail == "rate limited until 2026-08-01T15:00:00Z")
        #expect(emptied.events.allSatisfy { $0.event != .accountUnavailable && $0.event != .deleted })
    }
}
