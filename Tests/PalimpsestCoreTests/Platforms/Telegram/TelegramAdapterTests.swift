import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// When the probe answers in this file arrive (UTC); classification reads no clock.
private let probedAt = Date(timeIntervalSince1970: 1_790_000_000)

/// The Telegram adapter's requests, observations and rule table, on recorded pages.
struct TelegramAdapterTests {
    let adapter = TelegramAdapter()
    let now = Date(timeIntervalSince1970: 1_785_592_800)  // 2026-08-01T14:00:00Z

    // MARK: - Requests

    @Test func requestsThePreviewItsOlderPagesAndEmbeds() throws {
        let account = TelegramFixture.topwarAccount(pages: 2)
        let timeline = try #require(self.adapter.timelineRequests(for: account, context: AdapterContext()).first)
        #expect(timeline.url.absoluteString == "https://t.me/s/topwar_official")
        #expect(timeline.headers["Accept"]?.hasPrefix("text/html") == true)
        let page0 = TelegramFixture.response(try TelegramFixture.body(TelegramFixture.topwarPage))
        let next = self.adapter.nextPageRequest(after: page0, pageIndex: 0, for: account, context: AdapterContext())
        #expect(next?.url.absoluteString == "https://t.me/s/topwar_official?before=70989")
        #expect(
            self.adapter.nextPageRequest(after: page0, pageIndex: 1, for: account, context: AdapterContext()) == nil,
            "two pages were asked for")
        #expect(
            self.adapter.nextPageRequest(
                after: page0, pageIndex: 0, for: TelegramFixture.topwarAccount(pages: 1), context: AdapterContext())
                == nil)
        let end = TelegramFixture.response(try TelegramFixture.body("telegram/tchantest/no_posts_found.html"))
        #expect(self.adapter.nextPageRequest(after: end, pageIndex: 0, for: account, context: AdapterContext()) == nil)

        let post = Post(id: "70997", text: "x")
        let probe = self.adapter.probeRequest(for: post, of: account, context: AdapterContext())
        #expect(probe?.url.absoluteString == "https://t.me/topwar_official/70997?embed=1")
        #expect(
            self.adapter.probeRequest(for: Post(id: "../x", text: ""), of: account, context: AdapterContext()) == nil)
        #expect(
            self.adapter.accountProbeRequest(for: account, context: AdapterContext())?.url.absoluteString
                == "https://t.me/s/topwar_official")
    }

    // MARK: - Observations

    @Test func pagesBecomePostsNewestFirstWithoutDuplicates() throws {
        let page = try TelegramFixture.body(TelegramFixture.topwarPage)
        let account = TelegramFixture.topwarAccount(pages: 2)
        // Derived second page: the same page again; an overlap must not list a post twice.
        let outcome = self.adapter.observe(
            [
                TelegramFixture.response(page),
                TelegramFixture.response(page, url: "https://t.me/s/topwar_official?before=70989"),
            ],
            for: account, polledAt: self.now)
        guard case .observed(let posts, let isComplete) = outcome else {
            Issue.record("expected posts, got \(outcome)")
            return
        }
        #expect(isComplete)
        #expect(posts.count == 12)
        #expect(posts.first?.id == "71008")
        #expect(posts.last?.id == "70989")
        #expect(posts.first?.url == "https://t.me/topwar_official/71008")
        #expect(posts.first?.kind == .repost)
        #expect(posts.first?.reference == "https://t.me/ImpNavigator/4580")
        #expect(posts.allSatisfy { !$0.isPinned })
        let window = TimelineWindow(posts: posts)
        #expect(window.floor == TelegramFixture.feb28(7, 47, 53), "the oldest message shown is the window floor")
        #expect(window.newest == TelegramFixture.feb28(13, 14, 3))

        let ended = self.adapter.observe(
            [
                TelegramFixture.response(page),
                TelegramFixture.response(try TelegramFixture.body("telegram/tchantest/no_posts_found.html")),
            ], for: account, polledAt: self.now)
        #expect(ended.postIDs?.count == 12)
        #expect(ended.isComplete == true, "“No posts found” on an older page is the channel's start")

        let broken = self.adapter.observe(
            [TelegramFixture.response(page), TelegramFixture.response(Data("<h1>502</h1>".utf8), status: 502)],
            for: account, polledAt: self.now)
        #expect(broken.postIDs?.count == 12)
        #expect(broken.isComplete == false, "a failed older page leaves the window unknown: not diffed")
    }

    @Test func firstPageFailuresAreBlindNeverPosts() throws {
        let account = TelegramFixture.topwarAccount()
        let limited = self.adapter.observe(
            [TelegramFixture.response(Data(), status: 429, headers: ["Retry-After": "1800"])], for: account,
            polledAt: self.now)
        #expect(limited.failure?.kind == .rateLimited)
        #expect(limited.failure?.retryAfter == self.now.addingTimeInterval(1800))
        #expect(
            self.adapter.rateLimitReset(
                in: TelegramFixture.response(Data(), status: 429, headers: ["Retry-After": "1800"]), now: self.now)
                == self.now.addingTimeInterval(1800))

        let down = self.adapter.observe(
            [TelegramFixture.response(Data("oops".utf8), status: 502)], for: account, polledAt: self.now)
        #expect(down.failure?.kind == .httpStatus)
        let refused = self.adapter.observe(
            [TelegramFixture.response(Data(), status: 403)], for: account, polledAt: self.now)
        #expect(refused.failure?.kind == .gated)
        let wall = self.adapter.observe(
            [TelegramFixture.response(Data("<html><body><h1>Checking your browser</h1></body></html>".utf8))],
            for: account, polledAt: self.now)
        #expect(wall.failure?.kind == .unparsable, "a page that is no preview proves nothing")
        let channelHeaderOnly = self.adapter.observe(
            [TelegramFixture.response(try TelegramFixture.body("telegram/tchantest/channel_info.html"))], for: account,
            polledAt: self.now)
        #expect(channelHeaderOnly.failure?.kind == .unparsable)
    }

    @Test func noPostsFoundAndPreviewRedirectAreAccountEvents() throws {
        let account = TelegramFixture.topwarAccount()
        let empty = self.adapter.observe(
            [TelegramFixture.response(try TelegramFixture.body("telegram/tchantest/no_posts_found.html"))],
            for: account,
            polledAt: self.now)
        guard case .accountUnavailable(let reason, let detail) = empty else {
            Issue.record("expected an account event, got \(empty)")
            return
        }
        #expect(reason == .removed)
        #expect(detail.contains("No posts found"))

        let followed = self.adapter.observe(
            [
                TelegramFixture.response(
                    Data("<html><body>If you have Telegram…</body></html>".utf8),
                    effectiveURL: "https://t.me/topwar_official")
            ],
            for: account, polledAt: self.now)
        #expect(followed == .accountUnavailable(reason: .gated, detail: followed.accountDetail ?? ""))
        let notFollowed = self.adapter.observe(
            [TelegramFixture.response(Data(), status: 302, headers: ["Location": "/topwar_official"])], for: account,
            polledAt: self.now)
        #expect(notFollowed.accountReason == .gated)
        let elsewhere = self.adapter.observe(
            [TelegramFixture.response(Data(), status: 302, headers: ["Location": "/s/topwar_official_new"])],
            for: account,
            polledAt: self.now)
        #expect(elsewhere.failure != nil, "a redirect to some other page proves nothing")
    }

    // MARK: - Probes and the rule table

    @Test func embedProbesAreClassifiedWithTheRuleTable() throws {
        let post = Post(id: "6", text: "Unsigned message")
        let embedURL = "https://t.me/tchantest/6?embed=1"
        let gone = self.adapter.classifyProbe(
            TelegramFixture.response(TelegramFixture.postNotFoundEmbed, url: embedURL), for: post,
            of: TelegramFixture.topwarAccount(), now: probedAt)
        guard case .tombstone(let reason, let detail) = gone else {
            Issue.record("expected a tombstone, got \(gone)")
            return
        }
        #expect(reason == .removed, "Telegram does not say who removed it")
        #expect(detail.contains("Post not found"))

        // The widget markup of the same post (the tchantest snippets are that markup).
        let shown = TelegramFixture.response(
            try TelegramFixture.body("telegram/tchantest/unsigned_text_message.html"), url: embedURL)
        #expect(
            self.adapter.classifyProbe(shown, for: post, of: TelegramFixture.topwarAccount(), now: probedAt) == .exists)
        #expect(
            self.adapter.classifyProbe(
                shown, for: Post(id: "7", text: ""), of: TelegramFixture.topwarAccount(), now: probedAt
            ).isInconclusive,
            "another post proves nothing")

        let placeholder = Data(
            """
            <div class="tgme_widget_message_wrap"><div class="tgme_widget_message" data-post="tchantest/6">
            <div class="message_media_not_supported_wrap">
            <div class="message_media_not_supported_label">Please open Telegram to view this post</div></div></div></div>
            """.utf8)
        #expect(
            self.adapter.classifyProbe(
                TelegramFixture.response(placeholder, url: embedURL), for: post, of: TelegramFixture.topwarAccount(),
                now: probedAt
            )
            .isInconclusive,
            "the placeholder hides the post: issue 3 item 9 says it proves nothing, even around the post's own element")
        #expect(
            self.adapter.classifyProbe(
                TelegramFixture.response(TelegramFixture.postNotFoundEmbed, status: 503, url: embedURL), for: post,
                of: TelegramFixture.topwarAccount(),
                now: probedAt
            )
            .isInconclusive, "a 503 proves nothing, whatever its body")
        let otherError = Data(#"<div class="tgme_widget_message_error">Channel is unavailable</div>"#.utf8)
        #expect(
            self.adapter.classifyProbe(
                TelegramFixture.response(otherError, url: embedURL), for: post, of: TelegramFixture.topwarAccount(),
                now: probedAt
            )
            .isInconclusive)
    }

    @Test func accountProbeIsClassifiedWithTheRuleTable() throws {
        let account = TelegramFixture.topwarAccount()
        #expect(
            self.adapter.classifyAccountProbe(
                TelegramFixture.response(try TelegramFixture.body(TelegramFixture.topwarPage)), for: account,
                now: probedAt)
                == .available)
        guard
            case .unavailable(.removed, _) = self.adapter.classifyAccountProbe(
                TelegramFixture.response(try TelegramFixture.body("telegram/tchantest/no_posts_found.html")),
                for: account, now: probedAt)
        else {
            Issue.record("“No posts found” must make the channel unavailable")
            return
        }
        guard
            case .unavailable(.gated, _) = self.adapter.classifyAccountProbe(
                TelegramFixture.response(Data(), status: 302, headers: ["Location": "https://t.me/topwar_official"]),
                for: account, now: probedAt)
        else {
            Issue.record("a redirect to the channel page must make the channel unavailable")
            return
        }
        guard
            case .inconclusive = self.adapter.classifyAccountProbe(
                TelegramFixture.response(Data(), status: 500), for: account, now: probedAt)
        else {
            Issue.record("a 500 proves nothing")
            return
        }
    }

    @Test func everyRuleCitesItsSourceAndTombstonesComeBeforeExistence() {
        #expect(TelegramAdapter.rules.allSatisfy { !$0.source.isEmpty })
        let embed = TelegramAdapter.rules.filter { $0.answer == .postEmbed }
        #expect(embed.first?.outcome == .tombstone(.removed))
        #expect(embed.last?.outcome == .exists, "a page that shows the post and an error must not count as existing")
        #expect(TelegramAdapter.rules.contains { $0.answer == .channelPage && $0.sign == .noPostsFound })
        #expect(AdapterRegistry.standard.contains(.telegram))
    }
}

extension TimelineOutcome {
    var failure: PollFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }

    var postIDs: [String]? {
        if case .observed(let posts, _) = self { return posts.map(\.id) }
        return nil
    }

    var isComplete: Bool? {
        if case .observed(_, let isComplete) = self { return isComplete }
        return nil
    }

    var accountReason: Reason? {
        if case .accountUnavailable(let reason, _) = self { return reason }
        return nil
    }

    var accountDetail: String? {
        if case .accountUnavailable(_, let detail) = self { return detail }
        return nil
    }
}

extension ProbeVerdict {
    var isInconclusive: Bool {
        if case .inconclusive = self { return true }
        return false
    }
}

extension AdapterRegistry {
    /// True when the registry has an adapter for `platform`.
    func contains(_ platform: Platform) -> Bool {
        (try? self.adapter(for: platform))?.platform == platform
    }
}
