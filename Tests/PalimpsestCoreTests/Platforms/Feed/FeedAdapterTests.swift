import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// When the probe answers in this file arrive (UTC); classification reads no clock.
private let probedAt = Date(timeIntervalSince1970: 1_790_000_000)

@Suite struct FeedAdapterTests {
    static let feedURL = URL(string: "https://rsshub.example.org/twitter/user/ArknightsStaff")!
    static let account = Account(
        key: Account.key(for: .feed(url: feedURL)), name: "Arknights", source: .feed(url: feedURL),
        proxy: "socks5h://127.0.0.1:9050", headers: ["Cookie": "session=1"])
    static let adapter = FeedAdapter()
    static let polledAt = FeedFixtures.utc("2023-05-18T12:00:00Z")

    static func response(
        _ status: Int, body: Data = Data(), headers: HTTPHeaders = [:], url: URL = feedURL
    )
        -> HTTPResponse
    {
        HTTPResponse(url: url, status: status, headers: headers, body: body)
    }

    static func post(url: String?) -> Post {
        Post(id: url ?? "no-url", url: url, text: "x")
    }

    // MARK: - Timeline

    @Test func timelineIsOneGETOfTheFeedURLWithFeedAcceptAndTheAccountsHeaders() throws {
        let requests = Self.adapter.timelineRequests(for: Self.account, context: AdapterContext())
        let request = try #require(requests.first)
        #expect(requests.count == 1)
        #expect(request.url == Self.feedURL)
        #expect(request.method == "GET")
        #expect(
            request.headers["Accept"]
                == "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, */*;q=0.5"
        )
        #expect(request.headers["cookie"] == "session=1")
        #expect(request.proxy == "socks5h://127.0.0.1:9050")
    }

    @Test func accountHeadersMayOverrideAccept() throws {
        let account = Account(
            key: Self.account.key, source: .feed(url: Self.feedURL), headers: ["accept": "application/rss+xml"])
        let request = try #require(Self.adapter.timelineRequests(for: account, context: AdapterContext()).first)
        #expect(request.headers.values(for: "Accept") == ["application/rss+xml"])
    }

    @Test func aNonFeedAccountGetsNoRequests() {
        let mastodon = Account(
            key: AccountKey(rawValue: "mastodon:@a@b.example"),
            source: .mastodon(instance: URL(string: "https://b.example")!, acct: "a"))
        #expect(Self.adapter.timelineRequests(for: mastodon, context: AdapterContext()).isEmpty)
        #expect(Self.adapter.accountProbeRequest(for: mastodon, context: AdapterContext()) == nil)
    }

    @Test func status200ParsesIntoACompleteObservation() throws {
        let body = try FeedFixtures.data("rsshub_twitter_ArknightsStaff_snapshot1.xml")
        let outcome = Self.adapter.observe(
            [Self.response(200, body: body, headers: ["Content-Type": "application/xml; charset=utf-8"])],
            for: Self.account, polledAt: Self.polledAt)
        guard case .observed(let posts, let isComplete) = outcome else {
            Issue.record("expected an observation, got \(outcome)")
            return
        }
        #expect(isComplete)
        #expect(posts.count == 8)
        #expect(posts.first?.id == "https://twitter.com/ArknightsStaff/status/1659091539023282178")
        #expect(posts.allSatisfy { $0.kind == .post && !$0.isPinned })
    }

    @Test func anEmptyFeedIsAValidEmptyObservation() {
        let body = Data(#"<rss version="2.0"><channel><title>t</title></channel></rss>"#.utf8)
        let outcome = Self.adapter.observe([Self.response(200, body: body)], for: Self.account, polledAt: Self.polledAt)
        #expect(outcome == .observed(posts: [], isComplete: true))
    }

    @Test func repeatedItemIDsWithOtherContentAreDistinctPostsAndRepeatsAreKeptOnce() throws {
        let body = Data(
            #"<rss version="2.0"><channel><item><guid>a</guid><title>first</title></item><item><guid>a</guid><title>again</title></item><item><guid>a</guid><title>first</title></item><item><guid>b</guid><title>other</title></item></channel></rss>"#
                .utf8)
        let outcome = Self.adapter.observe([Self.response(200, body: body)], for: Self.account, polledAt: Self.polledAt)
        guard case .observed(let posts, _) = outcome else {
            Issue.record("expected an observation, got \(outcome)")
            return
        }
        #expect(posts.map(\.title) == ["first", "again", "other"])
        #expect(
            posts.map(\.id) == ["a#" + posts[0].versionHash.prefix(12), "a#" + posts[1].versionHash.prefix(12), "b"])
        #expect(posts.map(\.baseID) == ["a", "a", nil])
    }

    @Test(arguments: [
        (503, PollFailure.Kind.httpStatus),
        (500, .httpStatus),
        (502, .httpStatus),
        (429, .rateLimited),
        (401, .gated),
        (403, .gated),
        (400, .httpStatus),
        (302, .httpStatus),
    ])
    func failedStatusesAreBlindPollsNamingTheURL(status: Int, kind: PollFailure.Kind) {
        let outcome = Self.adapter.observe(
            [Self.response(status, body: Data("<html>busy</html>".utf8))], for: Self.account, polledAt: Self.polledAt)
        guard case .failed(let failure) = outcome else {
            Issue.record("HTTP \(status) gave \(outcome)")
            return
        }
        #expect(failure.kind == kind)
        #expect(failure.httpStatus == status)
        #expect(failure.url == Self.feedURL.absoluteString)
        #expect(failure.message.contains("HTTP \(status)"))
        #expect(failure.message.contains(Self.feedURL.absoluteString))
    }

    @Test func rateLimitCarriesRetryAfter() {
        let outcome = Self.adapter.observe(
            [Self.response(429, headers: ["Retry-After": "120"])], for: Self.account, polledAt: Self.polledAt)
        guard case .failed(let failure) = outcome else {
            Issue.record("429 gave \(outcome)")
            return
        }
        #expect(failure.retryAfter == Self.polledAt.addingTimeInterval(120))
    }

    @Test(arguments: [
        "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>",
        "\u{00}\u{01}\u{02}\u{03} garbage",
        "",
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><title>trunc",
    ])
    func unreadableBodiesAreUnparsableFailures(body: String) {
        let outcome = Self.adapter.observe(
            [Self.response(200, body: Data(body.utf8))], for: Self.account, polledAt: Self.polledAt)
        guard case .failed(let failure) = outcome else {
            Issue.record("body \(body.debugDescription) gave \(outcome)")
            return
        }
        #expect(failure.kind == .unparsable)
        #expect(failure.httpStatus == 200)
        #expect(failure.message.contains(Self.feedURL.absoluteString))
    }

    @Test(arguments: [(404, "HTTP 404 Not Found"), (410, "HTTP 410 Gone")])
    func aMissingFeedIsABlindPollNeverAnAccountEvent(status: Int, statusLine: String) {
        let outcome = Self.adapter.observe([Self.response(status)], for: Self.account, polledAt: Self.polledAt)
        guard case .failed(let failure) = outcome else {
            Issue.record("HTTP \(status) gave \(outcome)")
            return
        }
        #expect(failure.kind == .httpStatus)
        #expect(failure.message.hasPrefix("\(statusLine) from \(Self.feedURL.absoluteString)"))
    }

    @Test func noResponseIsAFailure() {
        guard case .failed = Self.adapter.observe([], for: Self.account, polledAt: Self.polledAt) else {
            Issue.record("no response must fail the poll")
            return
        }
    }

    // MARK: - Probes

    @Test func probesTheItemsOwnURLOnTheFeedsHost() throws {
        let post = Self.post(url: "https://RSSHub.example.org/items/42")
        let request = try #require(Self.adapter.probeRequest(for: post, of: Self.account, context: AdapterContext()))
        #expect(request.url.absoluteString == "https://RSSHub.example.org/items/42")
        #expect(request.method == "GET")
        #expect(request.headers["Cookie"] == "session=1")
        #expect(request.proxy == "socks5h://127.0.0.1:9050")
    }

    @Test(arguments: [
        "https://twitter.com/ArknightsStaff/status/1659046193090134016",  // RSSHub: items live elsewhere
        "https://www.rsshub.example.org/items/42",  // strict: another host name
        "https://example.org/items/42",
        "ftp://rsshub.example.org/items/42",
        "/items/42",
    ])
    func noProbeForItemsOffTheFeedsHost(url: String) {
        #expect(Self.adapter.probeRequest(for: Self.post(url: url), of: Self.account, context: AdapterContext()) == nil)
    }

    @Test func noProbeForItemsWithoutURL() {
        #expect(Self.adapter.probeRequest(for: Self.post(url: nil), of: Self.account, context: AdapterContext()) == nil)
    }

    @Test func probeAnswersAreClassified() {
        let url = URL(string: "https://rsshub.example.org/items/42")!
        let post = Self.post(url: url.absoluteString)
        #expect(
            Self.adapter.classifyProbe(Self.response(404, url: url), for: post, of: Self.account, now: probedAt)
                == .tombstone(reason: .removed, detail: "HTTP 404 Not Found from https://rsshub.example.org/items/42"))
        #expect(
            Self.adapter.classifyProbe(Self.response(410, url: url), for: post, of: Self.account, now: probedAt)
                == .tombstone(reason: .removed, detail: "HTTP 410 Gone from https://rsshub.example.org/items/42"))
        #expect(
            Self.adapter.classifyProbe(Self.response(200, url: url), for: post, of: Self.account, now: probedAt)
                == .exists)
        for status in [301, 302, 401, 403, 429, 500, 502, 503, 504] {
            guard
                case .inconclusive(let detail) = Self.adapter.classifyProbe(
                    Self.response(status, url: url), for: post, of: Self.account, now: probedAt)
            else {
                Issue.record("HTTP \(status) must be inconclusive")
                continue
            }
            #expect(detail.hasPrefix("HTTP \(status)"))
        }
    }

    // MARK: - Account probe

    @Test func accountProbeIsTheFeedRequest() throws {
        let request = try #require(Self.adapter.accountProbeRequest(for: Self.account, context: AdapterContext()))
        #expect(request.url == Self.feedURL)
        #expect(request.headers["Accept"] == FeedAdapter.acceptHeader)
    }

    @Test func accountProbeAnswersAreClassified() throws {
        let full = try FeedFixtures.data("github_releases_atom.xml")
        #expect(
            Self.adapter.classifyAccountProbe(Self.response(200, body: full), for: Self.account, now: probedAt)
                == .available)
        let empty = Data(#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>"#.utf8)
        guard
            case .inconclusive = Self.adapter.classifyAccountProbe(
                Self.response(200, body: empty), for: Self.account, now: probedAt)
        else {
            Issue.record("an empty feed proves nothing about the account")
            return
        }
        guard
            case .inconclusive = Self.adapter.classifyAccountProbe(
                Self.response(200, body: Data("<html><body>login</body></html>".utf8)), for: Self.account, now: probedAt
            )
        else {
            Issue.record("an HTML page proves nothing about the account")
            return
        }
        #expect(
            Self.adapter.classifyAccountProbe(Self.response(410), for: Self.account, now: probedAt)
                == .unavailable(
                    reason: .removed,
                    detail: "HTTP 410 Gone from https://rsshub.example.org/twitter/user/ArknightsStaff"))
        guard
            case .unavailable(.removed, _) = Self.adapter.classifyAccountProbe(
                Self.response(404), for: Self.account, now: probedAt)
        else {
            Issue.record("404 means the feed is gone")
            return
        }
        for status in [401, 403, 429, 500, 503] {
            guard
                case .inconclusive = Self.adapter.classifyAccountProbe(
                    Self.response(status), for: Self.account, now: probedAt)
            else {
                Issue.record("HTTP \(status) must be inconclusive for the account")
                continue
            }
        }
    }

    @Test func rateLimitResetUsesRetryAfterOn429And503() {
        #expect(
            Self.adapter.rateLimitReset(in: Self.response(503, headers: ["Retry-After": "30"]), now: Self.polledAt)
                == Self.polledAt.addingTimeInterval(30))
        #expect(Self.adapter.rateLimitReset(in: Self.response(200), now: Self.polledAt) == nil)
    }
}
