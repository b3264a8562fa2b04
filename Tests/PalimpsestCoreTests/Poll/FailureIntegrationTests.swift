import Foundation
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

/// Transport and platform failures over loopback through the real libcurl client: each one is a
/// blind span, never a deletion; redirects and 304 answers are ordinary observations.
@Suite(.serialized) struct FailureIntegrationTests {
    static let snapshot0 = "feeds/rsshub_twitter_ArknightsStaff_snapshot0.xml"
    static let snapshot1 = "feeds/rsshub_twitter_ArknightsStaff_snapshot1.xml"

    /// Polls `account` once at `minutes` past the base time and returns the report.
    func poll(_ harness: IntegrationHarness, _ account: Account, at minutes: Int) async throws -> PollReport {
        try await harness.poller().poll(account, at: IntegrationHarness.time(minutes))
    }

    @Test func failedPollsOfEveryKindAreBlindAndNeverDeletions() async throws {
        let harness = try await IntegrationHarness(timeout: 1, maxBodyBytes: 64 * 1024)
        let feed = harness.feedAccount(path: "/feed")
        let body = try IntegrationHarness.fixture(Self.snapshot1)
        harness.server.script("/feed", [ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: body)])
        let first = try await self.poll(harness, feed, at: 0)
        #expect(first.record.outcome == "complete")

        let failures: [(String, ReplayResponse)] = [
            (
                "503",
                ReplayResponse(status: 503, headers: [("Content-Type", "text/html")], body: Data("<h1>down</h1>".utf8))
            ),
            ("timeout", ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: body, delay: 3)),
            (
                "truncated",
                ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: body, truncateBodyAt: 2000)
            ),
            (
                "empty HTML page",
                ReplayResponse(
                    status: 200, headers: [("Content-Type", "text/html")],
                    body: Data("<html><body>captcha</body></html>".utf8))
            ),
        ]
        for (index, (name, response)) in failures.enumerated() {
            harness.server.script("/feed", [response])
            let report = try await self.poll(harness, feed, at: 10 * (index + 1))
            #expect(report.record.outcome == "blind", "\(name) must make the poll blind, got \(report.record)")
            #expect(report.events.allSatisfy { $0.event == .blind }, "\(name) derived a post event")
        }
        harness.server.script("/feed", [ReplayResponse(status: 200, headers: IntegrationHarness.rss, body: body)])
        let recovered = try await self.poll(harness, feed, at: 60)
        #expect(recovered.record.outcome == "complete")
        let events = try harness.loggedEvents()
        await harness.close()

        #expect(events.map(\.event) == [.blind, .blind], "one line opens the span, one closes it")
        #expect(events.first?.blind?.to == nil)
        #expect(events.last?.blind?.from == IntegrationHarness.time(10))
        #expect(events.last?.blind?.to == IntegrationHarness.time(60))
    }

    @Test func rateLimitedInstanceGetsNoRequestsUntilItsResetTime() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.mastodonAccount()
        // The reset time lies 30 minutes after the poll (recorded header format, microseconds).
        try harness.scriptMastodon(
            timeline: ReplayResponse(
                status: 429,
                headers: IntegrationHarness.json + [
                    ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "2026-08-01T14:30:00.348080Z"),
                ],
                body: Data(#"{"error":"Too many requests"}"#.utf8)))
        let limited = try await self.poll(harness, account, at: 0)
        #expect(limited.record.outcome == "rate_limited")
        let requestsAfterLimit = harness.server.requests().count

        let during = try await self.poll(harness, account, at: 10)
        #expect(during.record.outcome == "rate_limited")
        #expect(harness.server.requests().count == requestsAfterLimit, "no request may reach the host before its reset")

        try harness.scriptMastodon()
        let after = try await self.poll(harness, account, at: 31)
        #expect(after.record.outcome == "complete")
        #expect(harness.server.requests().count > requestsAfterLimit)
        let events = try harness.loggedEvents()
        await harness.close()
        #expect(events.allSatisfy { $0.event == .blind })
    }

    @Test func accountProbeWaitsForTheHostRateLimitAnAnswerOfTheSamePollSet() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.mastodonAccount()
        let lookup = IntegrationHarness.mastodonLookupPath
        try harness.scriptMastodon()
        let first = try await self.poll(harness, account, at: 0)
        #expect(first.record.outcome == "complete")

        // Every post vanishes (a mass disappearance: the account is probed), and the last timeline
        // answer says the instance takes no more requests before 14:30.
        harness.server.script(
            IntegrationHarness.mastodonTimelinePath,
            [ReplayResponse(status: 200, headers: IntegrationHarness.json, body: Data("[]".utf8))])
        harness.server.script(
            IntegrationHarness.mastodonPinnedPath,
            [
                ReplayResponse(
                    status: 200,
                    headers: IntegrationHarness.json + [
                        ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "2026-08-01T14:30:00Z"),
                    ],
                    body: Data("[]".utf8))
            ])
        let before = harness.server.requests().count
        let emptied = try await self.poll(harness, account, at: 10)
        let sent = harness.server.requests().dropFirst(before).map(\.path)
        let events = try harness.loggedEvents()
        await harness.close()

        #expect(!sent.contains(lookup), "the account probe went to a host that asked for no requests: \(sent)")
        #expect(sent.count == 2, "only the two timeline requests reach the host: \(sent)")
        #expect(emptied.probeHosts.first?.detail.contains("rate limited until 2026-08-01T14:30:00Z") == true)
        #expect(events.allSatisfy { $0.event != .accountUnavailable && $0.event != .deleted })
    }

    @Test func redirectedFeedIsFollowedAndObserved() async throws {
        let harness = try await IntegrationHarness()
        let feed = harness.feedAccount(path: "/old-feed")
        harness.server.script(
            "/old-feed",
            [ReplayResponse(status: 301, headers: [("Location", harness.server.baseURL.absoluteString + "/new-feed")])])
        harness.server.script(
            "/new-feed",
            [
                try IntegrationHarness.answer(fixture: Self.snapshot0)
            ])
        let report = try await self.poll(harness, feed, at: 0)
        await harness.close()
        #expect(report.record.outcome == "complete")
        #expect(report.record.posts == 7)
    }

    @Test func notModifiedAnswerMeansUnchangedNeverEmpty() async throws {
        let harness = try await IntegrationHarness()
        let feed = harness.feedAccount(path: "/feed")
        harness.server.script(
            "/feed",
            [
                ReplayResponse(
                    status: 200, headers: IntegrationHarness.rss + [("ETag", "\"v1\"")],
                    body: try IntegrationHarness.fixture(Self.snapshot1))
            ])
        _ = try await self.poll(harness, feed, at: 0)
        harness.server.script("/feed", [ReplayResponse(status: 304, headers: [("ETag", "\"v1\"")])])
        for minutes in [10, 20, 40] {
            let report = try await self.poll(harness, feed, at: minutes)
            #expect(report.record.outcome == "complete")
            #expect(report.record.posts == 8, "a 304 must replay the stored body, not an empty window")
        }
        let conditional = harness.server.requests().dropFirst().allSatisfy { $0.headers["If-None-Match"] == "\"v1\"" }
        let events = try harness.loggedEvents()
        await harness.close()
        #expect(conditional, "later polls must send If-None-Match")
        #expect(events.isEmpty)
    }

    @Test func crashBetweenStateWriteAndLogAppendWritesTheEventExactlyOnceAfterRestart() async throws {
        let harness = try await IntegrationHarness()
        let feed = harness.feedAccount(path: "/feed")
        harness.server.script(
            "/feed",
            [
                try IntegrationHarness.answer(fixture: Self.snapshot1)
            ])
        _ = try await self.poll(harness, feed, at: 0)
        harness.server.script("/feed", [ReplayResponse(status: 503)])
        // The blind event is saved in the state, then the "process dies" before the log append.
        await #expect(throws: PollerError.self) {
            try await harness.poller(faults: FailBeforeLogAppend()).poll(feed, at: IntegrationHarness.time(10))
        }
        #expect(try harness.loggedEvents().isEmpty, "the log append never happened")
        // Restart: the next poll repairs the log first, then polls (still blind: no new event).
        let restarted = try await self.poll(harness, feed, at: 20)
        let again = try await self.poll(harness, feed, at: 30)
        let events = try harness.loggedEvents()
        await harness.close()
        #expect(restarted.events.count == 1)
        #expect(again.events.isEmpty)
        #expect(events.map(\.event) == [.blind])
        #expect(events.first?.blind?.from == IntegrationHarness.time(10))
    }
}

/// Fails the poll between its state write and its log append, as if the process had died there
/// (the next poller is the "restart").
struct FailBeforeLogAppend: FaultInjecting {
    func reached(_ point: FaultPoint, account: AccountKey?) throws {
        guard point == .beforeLogAppend, let account else { return }
        throw PollerError(account: account, message: "injected failure before the log append")
    }
}
