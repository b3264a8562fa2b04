import Foundation
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// A Telegram channel polled through the loopback replay server and the real libcurl client, on
/// the recorded preview page (and pages derived from it, as labelled).
@Suite(.serialized) struct TelegramIntegrationTests {
    static let previewPath = "/s/topwar_official"
    static let html: HTTPHeaders = [("Content-Type", "text/html; charset=utf-8")]

    func account(_ harness: IntegrationHarness) -> Account {
        TelegramFixture.topwarAccount(baseURL: harness.server.baseURL)
    }

    func page(_ body: Data, status: Int = 200, headers: HTTPHeaders = Self.html) -> ReplayResponse {
        ReplayResponse(status: status, headers: headers, body: body)
    }

    func poll(_ harness: IntegrationHarness, _ account: Account, at minutes: Int) async throws -> PollReport {
        try await harness.poller().poll(account, at: IntegrationHarness.time(minutes))
    }

    @Test func messageMissingFromThePageAndNotFoundByItsEmbedIsDeletedExactlyOnce() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness)
        harness.server.script(Self.previewPath, [self.page(try TelegramFixture.body(TelegramFixture.topwarPage))])
        let first = try await self.poll(harness, account, at: 0)
        #expect(first.record.outcome == "complete")
        #expect(first.record.posts == 12)
        #expect(first.events.isEmpty)

        // Derived: the saved page without message 70997, and the embed's "Post not found".
        harness.server.script(Self.previewPath, [self.page(try TelegramFixture.topwarPage(without: "70997"))])
        harness.server.script("/topwar_official/70997?embed=1", [self.page(TelegramFixture.postNotFoundEmbed)])
        let second = try await self.poll(harness, account, at: 10)
        let third = try await self.poll(harness, account, at: 20)
        let logged = try harness.loggedEvents()
        let embedRequests = harness.server.requests().filter { $0.path == "/topwar_official/70997?embed=1" }
        let verification = try DeletionLog.verify(at: harness.logURL)
        await harness.close()

        #expect(second.events.map(\.event) == [.deleted])
        let deleted = try #require(second.events.first)
        #expect(deleted.postID == "70997")
        #expect(deleted.reason == .removed)
        #expect(deleted.confirmedBy == .probe)
        #expect(deleted.platform == .telegram)
        #expect(deleted.url == "https://t.me/topwar_official/70997")
        #expect(deleted.postedAt == TelegramFixture.feb28(10, 0, 3))
        #expect(deleted.text?.hasPrefix("Минобороны России сообщило") == true)
        #expect(deleted.detail?.contains("Post not found") == true)
        #expect(deleted.evidence.contains { $0.url.hasSuffix("/topwar_official/70997?embed=1") })
        #expect(third.events.isEmpty, "the same answers again log nothing")
        #expect(embedRequests.count == 1, "one probe when the message vanished, none once it is deleted")
        #expect(logged.map(\.event) == [.deleted])
        #expect(verification.isIntact)
    }

    @Test func changedTextIsOneAlteration() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness)
        let original = try TelegramFixture.text(TelegramFixture.topwarPage)
        harness.server.script(Self.previewPath, [self.page(Data(original.utf8))])
        _ = try await self.poll(harness, account, at: 0)
        // Derived: message 70999 edited by the channel (its text changed, the "edited" marker and
        // new view counts appear).
        let edited =
            original
            .replacingOccurrences(of: "Ночью ВСУ предприняли попытку", with: "Ночью ВСУ предприняли две попытки")
            .replacingOccurrences(of: ">28.7K<", with: ">30.1K<")
            .replacingOccurrences(
                of:
                    "class=\"tgme_widget_message_meta\"><a class=\"tgme_widget_message_date\"\n                                                                        href=\"https://t.me/topwar_official/70999\"",
                with:
                    "class=\"tgme_widget_message_meta\">edited &nbsp;<a class=\"tgme_widget_message_date\" href=\"https://t.me/topwar_official/70999\""
            )
        #expect(edited.contains("edited &nbsp;"), "the derived page carries the edit marker")
        harness.server.script(Self.previewPath, [self.page(Data(edited.utf8))])
        let second = try await self.poll(harness, account, at: 10)
        let third = try await self.poll(harness, account, at: 20)
        await harness.close()

        #expect(second.events.map(\.event) == [.altered])
        let altered = try #require(second.events.first)
        #expect(altered.postID == "70999")
        #expect(altered.previousText?.hasPrefix("Ночью ВСУ предприняли попытку") == true)
        #expect(altered.text?.hasPrefix("Ночью ВСУ предприняли две попытки") == true)
        #expect(third.events.isEmpty)
    }

    @Test func rateLimitIsBlindAndTheHostIsLeftAloneUntilItsReset() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness)
        harness.server.script(Self.previewPath, [self.page(try TelegramFixture.body(TelegramFixture.topwarPage))])
        _ = try await self.poll(harness, account, at: 0)
        harness.server.script(
            Self.previewPath,
            [self.page(Data("Too Many Requests".utf8), status: 429, headers: Self.html + [("Retry-After", "1800")])])
        let limited = try await self.poll(harness, account, at: 10)
        let requestsAfterLimit = harness.server.requests().count
        let during = try await self.poll(harness, account, at: 20)
        let requestsDuring = harness.server.requests().count
        harness.server.script(Self.previewPath, [self.page(try TelegramFixture.body(TelegramFixture.topwarPage))])
        let after = try await self.poll(harness, account, at: 41)
        let logged = try harness.loggedEvents()
        await harness.close()

        #expect(limited.record.outcome == "rate_limited")
        #expect(during.record.outcome == "rate_limited")
        #expect(requestsDuring == requestsAfterLimit, "no request may reach the host before its reset (30 min)")
        #expect(after.record.outcome == "complete")
        #expect(logged.map(\.event) == [.blind, .blind], "one line opens the blind span, one closes it")
    }

    @Test func antiBotPageIsBlindAndPreviewRedirectIsOneAccountEvent() async throws {
        let harness = try await IntegrationHarness()
        let account = self.account(harness)
        harness.server.script(Self.previewPath, [self.page(try TelegramFixture.body(TelegramFixture.topwarPage))])
        _ = try await self.poll(harness, account, at: 0)

        // An HTML page that is no channel preview (a captcha or login wall): blind.
        harness.server.script(
            Self.previewPath, [self.page(Data("<html><body><h1>Checking your browser…</h1></body></html>".utf8))])
        let wall = try await self.poll(harness, account, at: 10)
        #expect(wall.record.outcome == "blind")
        #expect(wall.events.map(\.event) == [.blind])

        // The preview now redirects to the channel's own page (preview off, or channel gone):
        // one account event, not twelve deletions.
        harness.server.script(
            Self.previewPath,
            [
                ReplayResponse(
                    status: 302, headers: [("Location", harness.server.baseURL.absoluteString + "/topwar_official")])
            ])
        harness.server.script(
            "/topwar_official",
            [self.page(Data("<html><body><div class=\"tgme_page\">Военное обозрение</div></body></html>".utf8))])
        let gone = try await self.poll(harness, account, at: 20)
        let again = try await self.poll(harness, account, at: 30)
        let logged = try harness.loggedEvents()
        await harness.close()

        #expect(gone.record.outcome == "account_unavailable")
        #expect(gone.events.map(\.event) == [.accountUnavailable])
        #expect(gone.events.first?.reason == .gated)
        #expect(again.events.isEmpty, "the account stays unavailable: no second event")
        #expect(!logged.contains { $0.event == .deleted })
    }
}
