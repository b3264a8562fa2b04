import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// Every recorded Telegram page read with the real HTML parser, against values read by hand from
/// the files.
struct TelegramParsingTests {
    static let base = URL(string: "https://t.me/s/tchantest")!

    /// One tchantest snippet and what it shows (read from the file).
    struct Expected: Sendable, CustomTestStringConvertible {
        var file: String
        var id: String
        var postedAt: Date
        var text: String
        var isEdited = false
        var isService = false
        var forwardedFrom: String? = nil
        var replyTo: String? = nil
        var media: [String] = []
        var links: [String] = []
        var testDescription: String { self.file }
    }

    static let snippets: [Expected] = [
        Expected(
            file: "forwarded_text_message.html", id: "89", postedAt: TelegramFixture.feb24(12, 13, 31), text: ";)",
            forwardedFrom: "https://t.me/some_user"),
        Expected(
            file: "multimedia_message.html", id: "84", postedAt: TelegramFixture.feb24(11, 1, 46),
            text: "Multiple videos and pictures",
            media: (84...87).map { "https://t.me/tchantest/\($0)?single" }),
        Expected(
            file: "photo_multiple.html", id: "14", postedAt: TelegramFixture.feb24(7, 34, 20), text: "Multiple pics",
            media: ["https://t.me/tchantest/14?single", "https://t.me/tchantest/15?single"]),
        Expected(
            file: "photo_single.html", id: "16", postedAt: TelegramFixture.feb24(7, 35, 28),
            text: "Picture by telegram camera", media: ["https://t.me/tchantest/16"]),
        Expected(
            file: "poll.html", id: "11", postedAt: TelegramFixture.feb24(7, 32, 23),
            text: "Poll: Let's do a quick poll quizz mode\n- Opt1\n- Opt2\n- Opt3"),
        Expected(
            file: "service_message_channel_created.html", id: "1", postedAt: TelegramFixture.feb24(7, 26, 49),
            text: "Channel created", isService: true),
        Expected(
            file: "service_message_channel_name_changed.html", id: "2", postedAt: TelegramFixture.feb24(7, 28, 1),
            text: "Channel name was changed to «tchan's test channel»", isService: true),
        Expected(
            file: "service_message_channel_photo_updated.html", id: "3", postedAt: TelegramFixture.feb24(7, 29, 23),
            text: "Channel photo updated", isService: true),
        Expected(
            file: "signed_edited_text_message.html", id: "5", postedAt: TelegramFixture.feb24(7, 29, 57),
            text: "Hello! Signed and edited message", isEdited: true),
        Expected(
            file: "text_message_link_no_preview.html", id: "24", postedAt: TelegramFixture.feb24(7, 48, 2),
            text: "This is a message with a link\n\nhttps://brasil.io/", isEdited: true, links: ["https://brasil.io/"]),
        Expected(
            file: "text_message_link_with_regular_preview.html", id: "94", postedAt: TelegramFixture.feb24(13, 47, 38),
            text:
                "https://agenciabrasil.ebc.com.br/justica/noticia/2022-08/operacao-guardioes-do-bioma-apreende-239-toneladas-de-minerio",
            links: [
                "https://agenciabrasil.ebc.com.br/justica/noticia/2022-08/operacao-guardioes-do-bioma-apreende-239-toneladas-de-minerio"
            ]),
        Expected(
            file: "text_message_multiline.html", id: "62", postedAt: TelegramFixture.feb24(8, 1, 26),
            text: "Bigger\ntext\nmessage\nnumber\n34"),
        Expected(
            file: "text_message_signed_not_edited.html", id: "79", postedAt: TelegramFixture.feb24(8, 7, 51),
            text: "Signed and not edited"),
        Expected(
            file: "text_reply_to_video.html", id: "20", postedAt: TelegramFixture.feb24(7, 38, 31),
            text: "Reply to a video (not recorded in telegram)", replyTo: "https://t.me/tchantest/19"),
        Expected(
            file: "unsigned_text_message.html", id: "6", postedAt: TelegramFixture.feb24(7, 30, 39),
            text: "Unsigned message"),
    ]

    @Test(arguments: Self.snippets)
    func snippetIsReadAsWritten(_ expected: Expected) throws {
        let page = TelegramPage.parse(
            try TelegramFixture.body("telegram/tchantest/\(expected.file)"), contentType: nil, baseURL: Self.base)
        let message = try #require(page.messages.first)
        #expect(page.messages.count == 1)
        #expect(message.id == expected.id)
        #expect(message.channel == "tchantest")
        #expect(message.permalink == "https://t.me/tchantest/\(expected.id)")
        #expect(message.postedAt == expected.postedAt)
        #expect(message.text == expected.text)
        #expect(message.isEdited == expected.isEdited)
        #expect(message.isService == expected.isService)
        #expect(message.forwardedFrom == expected.forwardedFrom)
        #expect(message.replyTo == expected.replyTo)
        #expect(message.media == expected.media)
        #expect(message.links == expected.links)
        #expect(!message.isContentHidden)
        let post = message.post(channel: "tchantest", baseURL: URL(string: "https://t.me")!)
        #expect(post.kind == (expected.forwardedFrom == nil ? .post : .repost))
        #expect(post.reference == expected.forwardedFrom ?? expected.replyTo)
        #expect(!post.isPinned, "Telegram previews show no pin on a message")
    }

    @Test func weirdPreviewKeepsEmojiLineBreaksAndResolvesHashtagLinks() throws {
        let page = TelegramPage.parse(
            try TelegramFixture.body("telegram/tchantest/message_weird_preview.html"), contentType: nil,
            baseURL: URL(string: "https://t.me/s/CamaradosDeputados")!)
        let message = try #require(page.messages.first)
        #expect(message.id == "7334")
        #expect(message.channel == "CamaradosDeputados")
        #expect(message.postedAt == Date(timeIntervalSince1970: 1_668_033_834))  // 2022-11-09T22:43:54Z
        #expect(message.isEdited, "`edited &nbsp;<a class=\"tgme_widget_message_date\">`")
        #expect(message.text.hasPrefix("_\n\n✍️ CÂMARA APROVA\n_\n\n🔸 Projeto que aumenta penas"))
        #expect(
            message.text.hasSuffix("Convide seus contatos do WhatsApp a conhecerem nosso canal clicando aqui!\n____"))
        #expect(!message.text.contains("1.2K"), "the view count is not text")
        #expect(message.links.first == "http://bit.ly/3Tq1C4G")
        #expect(message.links.contains("https://t.me/s/CamaradosDeputados?q=%23Puni%C3%A7%C3%A3o_ampliada"))
        #expect(message.links.count == 10)
    }

    @Test func pinnedServiceMessageIsNoPostButTheMessageBesideItIs() throws {
        // Derived: the two snippets one after the other, as a preview page lists them.
        let body =
            try TelegramFixture.body("telegram/tchantest/service_message_pinned.html")
            + TelegramFixture.body("telegram/tchantest/signed_edited_text_message.html")
        let page = TelegramPage.parse(body, contentType: nil, baseURL: Self.base)
        #expect(page.messages.map(\.id) == ["92", "5"])
        #expect(page.messages.first?.isService == true)
        #expect(page.messages.first?.text == "tchan's test channel 👍 pinned «Going to pin this message»")
        let account = Account(
            key: AccountKey(platform: .telegram, identifier: "tchantest"),
            source: .telegram(channel: "tchantest", baseURL: URL(string: "https://t.me")!, pages: 1))
        let outcome = TelegramAdapter().observe(
            [TelegramFixture.response(body, url: "https://t.me/s/tchantest")], for: account, polledAt: Date())
        guard case .observed(let posts, let isComplete) = outcome else {
            Issue.record("expected posts, got \(outcome)")
            return
        }
        #expect(posts.map(\.id) == ["5"])
        #expect(isComplete)
    }

    @Test func savedChannelPageListsTwelveMessagesWithUTCTimesAndTheOlderPageCursor() throws {
        let page = TelegramPage.parse(
            try TelegramFixture.body(TelegramFixture.topwarPage), contentType: nil,
            baseURL: URL(string: "https://t.me/s/topwar_official")!)
        #expect(
            page.messages.map(\.id) == [
                "70989", "70990", "70992", "70995", "70996", "70997", "70998", "70999", "71000", "71006", "71007",
                "71008",
            ])
        #expect(page.olderBefore == 70989, "a.tme_messages_more[data-before=\"70989\"]")
        #expect(!page.showsNoPostsFound)
        #expect(page.messages.first?.postedAt == TelegramFixture.feb28(7, 47, 53))
        #expect(page.messages.last?.postedAt == TelegramFixture.feb28(13, 14, 3))
        #expect(page.messages.allSatisfy { !$0.isService && !$0.isEdited && !$0.isContentHidden })
        let byID = Dictionary(uniqueKeysWithValues: page.messages.map { ($0.id, $0) })
        #expect(
            byID["70989"]?.text
                == "В Санкт-Петербурге в небо над городом подняли истребители из-за неизвестного объекта в воздухе, "
                + "аэропорт Пулково не принимает самолеты, сообщает Baza.\nСудя по сервису Flightradar, гражданские "
                + "самолеты не приближаются к Санкт-Петербургу.")
        #expect(
            byID["70995"]?.text
                == "План \"Ковер\" отменен, небо над Санкт-Петербургом открывают, сообщает источник РЕН ТВ.")
        #expect(
            byID["71000"]?.text == "Последствия ночного удара БПЛА-камикадзе ВСУ по нефтебазе в Туапсе сегодня ночью.",
            "an album nests a second text element inside the first: its text counts once")
        #expect(
            page.messages.compactMap(\.forwardedFrom) == [
                "https://t.me/yaremshooter/1066", "https://t.me/Belarus_VPO/34301", "https://t.me/vysokygovorit/10899",
                "https://t.me/dimsmirnov175/44655", "https://t.me/ImpNavigator/4580",
            ])
        #expect(byID["70992"]?.media == (70992...70994).map { "https://t.me/topwar_official/\($0)?single" })
        #expect(byID["71000"]?.media.count == 6)
        #expect(byID["70989"]?.media == ["https://t.me/topwar_official/70989"])
        #expect(
            byID["70989"]?.mediaSources.first?.hasPrefix("https://cdn4.telegram-cdn.org/file/J1iJAZDcKYQpr7YXRxAEhL4")
                == true)
        #expect(byID["70990"]?.media == [])
        #expect(
            byID["70996"]?.links == [
                "https://t.me/infantmilitario/93419", "https://t.me/yaremshooter", "http://t.me/infantmilitario/93419",
            ])
    }

    @Test func noPostsFoundPageHasNoMessagesAndSaysSo() throws {
        let page = TelegramPage.parse(
            try TelegramFixture.body("telegram/tchantest/no_posts_found.html"), contentType: nil, baseURL: Self.base)
        #expect(page.messages.isEmpty)
        #expect(page.showsNoPostsFound)
        #expect(page.olderBefore == nil)
        let info = TelegramPage.parse(
            try TelegramFixture.body("telegram/tchantest/channel_info.html"), contentType: nil, baseURL: Self.base)
        #expect(info.messages.isEmpty && !info.showsNoPostsFound, "a channel header alone is neither")
    }

    // MARK: - The version leaves out what changes without an edit

    @Test func viewCountsAndExpiringMediaURLsAreNotPartOfTheVersion() throws {
        let original = try TelegramFixture.text(TelegramFixture.topwarPage)
        let later =
            original
            .replacingOccurrences(of: ">37.2K<", with: ">41.9K<")
            .replacingOccurrences(
                of: "cdn4.telegram-cdn.org/file/J1iJAZDcKYQpr7YXRxAEhL4", with: "cdn1.telegram-cdn.org/file/Zz9Other"
            )
            .replacingOccurrences(
                of: "ee2e53dc9f.mp4?token=JuO07YFPvW0dzxRfhWOTLHwF6PqUoFb1a856HkjtdZ", with: "ee2e53dc9f.mp4?token=NEW")
        #expect(later != original)
        let before = try self.posts(Data(original.utf8))
        let after = try self.posts(Data(later.utf8))
        #expect(before.map(\.versionHash) == after.map(\.versionHash))
    }

    @Test func editedMarkerIsNotPartOfTheVersionButATextChangeIs() throws {
        let edited = try TelegramFixture.text("telegram/tchantest/signed_edited_text_message.html")
        let unmarked = edited.replacingOccurrences(of: ",&nbsp;edited &nbsp;<a", with: ",&nbsp;<a")
        #expect(unmarked != edited)
        let markedMessage = try #require(
            TelegramPage.parse(Data(edited.utf8), contentType: nil, baseURL: Self.base).messages.first)
        let plainMessage = try #require(
            TelegramPage.parse(Data(unmarked.utf8), contentType: nil, baseURL: Self.base).messages.first)
        #expect(markedMessage.isEdited && !plainMessage.isEdited)
        let base = URL(string: "https://t.me")!
        #expect(
            markedMessage.post(channel: "tchantest", baseURL: base).versionHash
                == plainMessage.post(channel: "tchantest", baseURL: base).versionHash)
        #expect(markedMessage.post(channel: "tchantest", baseURL: base).editedAt == nil, "Telegram gives no edit time")
        let rewritten = edited.replacingOccurrences(of: "Signed and edited message", with: "Signed and edited twice")
        let rewrittenMessage = try #require(
            TelegramPage.parse(Data(rewritten.utf8), contentType: nil, baseURL: Self.base).messages.first)
        #expect(
            rewrittenMessage.post(channel: "tchantest", baseURL: base).versionHash
                != markedMessage.post(channel: "tchantest", baseURL: base).versionHash)
    }

    @Test func authorSignatureSpellingEditedIsNoEditMarker() throws {
        // Derived from text_message_signed_not_edited.html: the signature, not the meta's own text,
        // says "edited".
        let html = try TelegramFixture.text("telegram/tchantest/text_message_signed_not_edited.html")
            .replacingOccurrences(of: ">Channel Author<", with: ">edited<")
        let message = try #require(
            TelegramPage.parse(Data(html.utf8), contentType: nil, baseURL: Self.base).messages.first)
        #expect(!message.isEdited)
    }

    @Test func contentHiddenFromTheWebIsATruncatedPost() throws {
        // Derived from unsigned_text_message.html with Telegram's placeholder inserted before the
        // text, as the preview shows files and restricted channels.
        let html = try TelegramFixture.text("telegram/tchantest/unsigned_text_message.html").replacingOccurrences(
            of: "<div class=\"tgme_widget_message_text",
            with: "<div class=\"message_media_not_supported_wrap\"><div class=\"message_media_not_supported\">"
                + "<div class=\"message_media_not_supported_label\">Please open Telegram to view this post</div>"
                + "</div></div><div class=\"tgme_widget_message_text")
        let message = try #require(
            TelegramPage.parse(Data(html.utf8), contentType: nil, baseURL: Self.base).messages.first)
        #expect(message.isContentHidden)
        #expect(message.post(channel: "tchantest", baseURL: URL(string: "https://t.me")!).isTruncated)
    }

    private func posts(_ body: Data) throws -> [Post] {
        let outcome = TelegramAdapter().observe(
            [TelegramFixture.response(body)], for: TelegramFixture.topwarAccount(), polledAt: Date())
        guard case .observed(let posts, _) = outcome else {
            throw TelegramFixture.FixtureError(description: "\(outcome)")
        }
        return posts
    }
}
