import Foundation
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// A Mastodon account whose statuses endpoint answers 404 or 410 (rule of evidence 4): the account
/// lookup, asked in the same poll, decides whether the account is gone. Recorded answers from
/// `Tests/Fixtures/real/mastodon/` through the loopback replay server and the real libcurl client.
@Suite(.serialized) struct MastodonTimelineAnswerIntegrationTests {
    static let id = DemoScenario.mastodonAccountID
    static let lookup = "/api/v1/accounts/lookup?acct=mastodonpy_test"
    static let timeline = "/api/v1/accounts/\(DemoScenario.mastodonAccountID)/statuses?limit=40"
    static let pinned = "/api/v1/accounts/\(DemoScenario.mastodonAccountID)/statuses?pinned=true"
    static let notFound = Data(#"{"error":"Record not found"}"#.utf8)

    func json(_ body: Data, status: Int = 200) -> ReplayResponse {
        ReplayResponse(status: status, headers: IntegrationHarness.json, body: body)
    }

    func serveAccount(_ harness: IntegrationHarness) throws {
        harness.server.script(Self.lookup, [self.json(try IntegrationHarness.fixture("mastodon/account_lookup.json"))])
        harness.server.script(
            Self.timeline, [self.json(try IntegrationHarness.fixture("mastodon/account_statuses_page1.json"))])
        harness.server.script(
            Self.pinned, [self.json(try IntegrationHarness.fixture("mastodon/account_statuses_pinned.json"))])
    }

    func poll(_ harness: IntegrationHarness, _ account: Account, at minutes: Int) async throws -> PollReport {
        try await harness.poller().poll(account, at: IntegrationHarness.time(minutes))
    }

    @Test(arguments: [404, 410])
    func statusesNotFoundWhileTheLookupAnswersIsABlindPoll(status: Int) async throws {
        let harness = try await IntegrationHarness()
        let account = harness.mastodonAccount()
        try self.serveAccount(harness)
        _ = try await self.poll(harness, account, at: 0)
        harness.server.script(Self.timeline, [self.json(Self.notFound, status: status)])
        let failed = try await self.poll(harness, account, at: 10)
        try self.serveAccount(harness)
        let back = try await self.poll(harness, account, at: 20)
        let logged = try harness.loggedEvents()
        await harness.close()

        #expect(failed.record.outcome == "blind")
        #expect(failed.blindSpan?.failure.message.contains("mastodon:@mastodonpy_test") == true)
        #expect(back.record.outcome == "complete")
        #expect(logged.map(\.event) == [.blind, .blind], "no account event: \(logged.map(\.event))")
    }

    @Test func statusesAndLookupNotFoundIsOneAccountEventConfirmedByProbe() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.mastodonAccount()
        try self.serveAccount(harness)
        _ = try await self.poll(harness, account, at: 0)
        harness.server.script(Self.timeline, [self.json(Self.notFound, status: 404)])
        harness.server.script(Self.lookup, [self.json(Self.notFound, status: 404)])
        let gone = try await self.poll(harness, account, at: 10)
        let again = try await self.poll(harness, account, at: 20)
        let logged = try harness.loggedEvents()
        await harness.close()

        #expect(gone.events.map(\.event) == [.accountUnavailable])
        let event = try #require(gone.events.first)
        #expect(event.reason == .accountDeleted)
        #expect(event.confirmedBy == .probe)
        #expect(event.evidence.contains { $0.url.contains("/accounts/lookup") }, "the lookup's answer is cited")
        #expect(again.events.isEmpty)
        #expect(logged.map(\.event) == [.accountUnavailable])
    }

    @Test func lookupNotFoundAtResolutionIsConfirmedByProbe() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.mastodonAccount()
        harness.server.script(Self.lookup, [self.json(Self.notFound, status: 404)])
        let gone = try await self.poll(harness, account, at: 0)
        await harness.close()

        #expect(gone.events.map(\.event) == [.accountUnavailable])
        #expect(gone.events.first?.confirmedBy == .probe)
    }
}
