import Foundation

/// What one Telegram answer shows: a channel preview page (`t.me/s/<channel>`, oldest message
/// first) or a post's embed page (`t.me/<channel>/<id>?embed=1`), read with ``HTMLDocument``.
///
/// Platform facts: FORMATS.md §4; fixtures `telegram/t_me_s_full_page_topwar_official.html`,
/// `telegram/tchantest/no_posts_found.html`.
struct TelegramPage: Sendable, Hashable {
    /// The `div.tgme_widget_message` elements with a numeric `data-post`, in page order.
    var messages: [TelegramMessage]
    /// The ID before which older messages start: `data-before` of `a.tme_messages_more`, else the
    /// `before` of `<link rel="prev" href="/s/<ch>?before=N">`; `nil` when the page offers none.
    var olderBefore: Int?
    /// The page says `<div class="tme_no_messages_found">No posts found</div>`.
    var showsNoPostsFound: Bool
    /// The text of `div.tgme_widget_message_error` (an embed's "Post not found"), if any.
    var errorMessage: String?
    /// The texts of `.message_media_not_supported_label` elements ("Please open Telegram to view
    /// this post", or a video's "This media is not supported in your browser").
    var notSupportedLabels: [String]

    /// Reads a page.
    /// - Parameters:
    ///   - data: the body.
    ///   - contentType: the `Content-Type` header (for the charset).
    ///   - baseURL: the page's URL, for relative links.
    static func parse(_ data: Data, contentType: String?, baseURL: URL) -> TelegramPage {
        let document = HTMLDocument.parse(data, contentType: contentType)
        let messages = document.root.descendants {
            $0.hasClass("tgme_widget_message") && $0.attributes["data-post"] != nil
        }
        .compactMap { TelegramMessage.parse($0, baseURL: baseURL) }

        var olderBefore = document.root.first {
            $0.hasClass("tme_messages_more") && $0.attributes["data-before"] != nil
        }
        .flatMap { $0.attributes["data-before"] }.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if olderBefore == nil,
            let prev = document.root.first(where: { $0.name == "link" && $0.attributes["rel"] == "prev" }),
            let href = prev.attributes["href"], let components = URLComponents(string: href),
            let before = components.queryItems?.first(where: { $0.name == "before" })?.value
        {
            olderBefore = Int(before)
        }

        let error = document.root.first(withClass: "tgme_widget_message_error")
            .map { PostVersion.normalizeText($0.readableText) }
        return TelegramPage(
            messages: messages,
            olderBefore: olderBefore,
            showsNoPostsFound: document.root.first(withClass: "tme_no_messages_found") != nil,
            errorMessage: error,
            notSupportedLabels: document.elements(withClass: "message_media_not_supported_label")
                .map { PostVersion.normalizeText($0.readableText) })
    }
}
