import Foundation
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

/// Coverage counts only time an account was actually watched: a gap between two polls longer than
/// twice the interval (plus jitter) is unobserved, in the digest and in `status`, whatever the
/// polls on both sides of it say.
@Suite(.serialized, .awaitedCleanup) struct CoverageGapTests {
    /// 2026-08-03T00:00:00Z (Monday of ISO week 2026-W32) plus `minutes`.
    static func time(_ minutes: Int) -> Date {
        Date(timeIntervalSince1970: 1_785_715_200 + TimeInterval(minutes * 60))
    }

    /// Polls a feed (interval 10 min, jitter 0.1: gaps up to 22 min are watched) on Monday at 00:00,
    /// 00:10 and 00:20, then, after the daemon was down, on Saturday at 00:00 and 00:10.
    static func pollWithAGap(_ harness: IntegrationHarness) async throws -> Account {
        let feed = try IntegrationHarness.fixture("feeds/github_releases_atom.xml")
        harness.server.script(
            "/feed.xml", [ReplayResponse(status: 200, headers: [("Content-Type", "application/atom+xml")], body: feed)])
        let account = harness.feedAccount(path: "/feed.xml", name: "Releases")
        let saturday = 5 * 24 * 60
        for minutes in [0, 10, 20, saturday, saturday + 10] {
            let poller = try harness.poller()
            _ = try await poller.poll(account, at: Self.time(minutes))
            // An unchanged poll's run row waits for a batch; `poll` and the daemon flush it at exit.
            _ = poller.stateStore.saveUnsavedStates()
        }
        return account
    }

    static func config(_ harness: IntegrationHarness, account: Account) -> PalimpsestConfig {
        var daemon = DaemonSettings()
        daemon.stateDirectory = harness.root.appendingPathComponent("state")
        daemon.deletionLog = harness.logURL
        return PalimpsestConfig(
            file: harness.root.appendingPathComponent("p.toml"), daemon: daemon, accounts: [account])
    }

    @Test func theDigestCountsAGapBetweenPollsAsUnobserved() async throws {
        let harness = try await IntegrationHarness()
        atEnd { await harness.close() }
        let account = try await Self.pollWithAGap(harness)
        // No event was logged; the digest still needs a log to read.
        _ = try DeletionLog(url: harness.logURL)

        let digest = try DigestLoader.makeDigest(
            config: Self.config(harness, account: account), week: ISOWeek("2026-W32")!,
            timeZone: TimeZone(identifier: "UTC")!, now: Self.time(8 * 24 * 60), reproducible: true)
        let coverage = try #require(digest.accounts.first).coverage
        #expect(coverage.expectedSeconds == 7 * 86_400)
        // 20 min on Monday and 10 min on Saturday, not the 5 days between.
        #expect(coverage.observedSeconds == 30 * 60)
        #expect(coverage.unobserved.count == 1)
        #expect(coverage.unobserved.first?.from == Self.time(20))
        #expect(coverage.unobserved.first?.to == Self.time(5 * 24 * 60))
        let markdown = MarkdownDigestRenderer(digest: digest).render()
        #expect(markdown.contains("**Nothing was found this week:**"))
        #expect(markdown.contains("- Coverage: 0.2% of the week observed over all accounts (30m of 7d)"))
        #expect(markdown.contains("- 1 gap in which an account was not polled at all"))
        #expect(
            markdown.contains(
                "- from 2026-08-03 00:20:00 +00:00, the last poll before, to 2026-08-08 00:00:00 +00:00, the first "
                    + "after: 4d23h in this week"))
    }

    @Test func statusShowsTheGapsOfTheLastSevenDays() async throws {
        let harness = try await IntegrationHarness()
        atEnd { await harness.close() }
        let account = try await Self.pollWithAGap(harness)
        // The next Monday at 00:00, nothing polled since Saturday.
        let now = Self.time(7 * 24 * 60)
        let report = try StatusReport.gather(config: Self.config(harness, account: account), now: now)
        let row = try #require(report.accounts.first)
        #expect(row.observedSeconds7d == 30 * 60)
        #expect(row.unobserved7d.count == 2)
        #expect(row.unobserved7d.first?.from == Self.time(20))
        #expect(row.unobserved7d.first?.to == Self.time(5 * 24 * 60))
        #expect(row.unobserved7d.last?.from == Self.time(5 * 24 * 60 + 10))
        #expect(row.unobserved7d.last?.to == nil)
        let text = report.render()
        #expect(text.contains("observed    0.2% of the last 7 days (30 min)"))
        #expect(
            text.contains(
                "unwatched   no poll from 2026-08-03T00:20:00Z to 2026-08-08T00:00:00Z (4 d 23 h): not observed"))
        #expect(text.contains("no poll since 2026-08-08T00:10:00Z (47 h 50 min ago): not observed"))
    }
}
