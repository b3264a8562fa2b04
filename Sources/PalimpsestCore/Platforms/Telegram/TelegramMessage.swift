import Foundation

/// One message of a Telegram channel's web preview (`https://t.me/s/<channel>`) or of a post's
/// embed page (`https://t.me/<channel>/<id>?embed=1`): a `div.tgme_widget_message` element read
/// into plain values.
///
/// Platform facts (FORMATS.md §4; fixtures `telegram/tchantest/*.html`,
/// `telegram/t_me_s_full_page_topwar_official.html`):
/// - ID: `data-post="<channel>/<id>"`; the number is per channel and increasing.
/// - Time: `a.tgme_widget_message_date > time[datetime]`, UTC (`2023-02-24T07:29:57+00:00`).
/// - Text: the outermost `div.tgme_widget_message_text` (albums nest a second one inside).
/// - Edit marker: the word `edited` in the own text of `span.tgme_widget_message_meta`; no time,
///   no old text.
/// - Forward: `a.tgme_widget_message_forwarded_from_name` (href = the original); reply:
///   `a.tgme_widget_message_reply` (href = the replied post).
/// - Media: `a.tgme_widget_message_photo_wrap` (CSS `background-image`), `a.tgme_widget_message_video_player`
///   (`<video src>`). Both carry an `href` to the message (`https://t.me/<ch>/<id>`, album items
///   `…/<item id>?single`).
/// - Service messages (`service_message` class): channel created, renamed, photo updated,
///   message pinned.
struct TelegramMessage: Sendable, Hashable {
    /// The message number from `data-post` (the part after `/`), e.g. `70989`.
    var id: String
    /// The channel part of `data-post` as the page spells it.
    var channel: String
    /// The permalink from the date link (`https://t.me/<channel>/<id>`), if present.
    var permalink: String?
    /// `time[datetime]` of the date link, UTC.
    var postedAt: Date?
    /// The readable text of the message text element (with a poll's question and options).
    var text: String
    /// The message text element's markup, as evidence.
    var html: String?
    /// The `edited` marker is shown.
    var isEdited: Bool
    /// A service message (channel created, renamed, photo updated, pinned), not a post.
    var isService: Bool
    /// The original of a forward: the `href` of the "Forwarded from" link, or the name shown when
    /// the original has no public link.
    var forwardedFrom: String?
    /// The `href` of the replied-to post.
    var replyTo: String?
    /// One stable reference per media item, in order: the item's own `href` on t.me (the CDN
    /// file URLs of the preview expire and change, so they are kept in ``mediaSources`` only).
    var media: [String]
    /// The CDN URLs of the media as this answer served them (photo `background-image`, `<video
    /// src>`), for evidence; they expire.
    var mediaSources: [String]
    /// Link targets of the text, then the link preview's target, each once, absolute.
    var links: [String]
    /// Telegram hid the content from the web preview ("Please open Telegram to view this post").
    var isContentHidden: Bool

    /// The text of the placeholder Telegram shows instead of content its web preview will not
    /// show (files, audio, channels that restrict saving); seen in public scrapers' samples.
    static let hiddenContentLabel = "Please open Telegram to view this post"

    /// Reads a `div.tgme_widget_message` element.
    /// - Parameter baseURL: the page's URL, against which relative links are resolved.
    /// - Returns: the message, or `nil` when the element has no `data-post` with a numeric ID.
    static func parse(_ element: HTMLElement, baseURL: URL) -> TelegramMessage? {
        guard let dataPost = element.attributes["data-post"], let slash = dataPost.lastIndex(of: "/") else {
            return nil
        }
        let id = String(dataPost[dataPost.index(after: slash)...])
        guard !id.isEmpty, id.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let channel = String(dataPost[..<slash])

        // Parts of the bubble that quote other messages or pages: their text is not this post's.
        let quoted: (HTMLElement) -> Bool = {
            $0.hasClass("tgme_widget_message_reply") || $0.hasClass("tgme_widget_message_link_preview")
                || $0.hasClass("tgme_widget_message_forwarded_from")
        }

        let date = element.first(withClass: "tgme_widget_message_date")
        let permalink = date?.attributes["href"].flatMap { Self.absolute($0, baseURL: baseURL) }
        let postedAt = date?.first { $0.name == "time" && $0.attributes["datetime"] != nil }
            .flatMap { $0.attributes["datetime"] }.flatMap(RFC3339.date(from:))

        let textElement = element.first(skippingInside: quoted) { $0.hasClass("tgme_widget_message_text") }
        var text = textElement?.readableText ?? ""
        if let poll = element.first(withClass: "tgme_widget_message_poll") {
            text = Self.appending(Self.pollText(poll), to: text)
        }

        let meta = element.first(withClass: "tgme_widget_message_meta")
        let isEdited = meta.map { Self.words(of: $0.ownText).contains("edited") } ?? false

        let forward = element.first(withClass: "tgme_widget_message_forwarded_from_name")
        let forwardedFrom =
            forward.flatMap { $0.attributes["href"].flatMap { Self.absolute($0, baseURL: baseURL) } }
            ?? forward.map { PostVersion.normalizeText($0.readableText) }.flatMap { $0.isEmpty ? nil : $0 }
        let replyTo = element.first(withClass: "tgme_widget_message_reply")?.attributes["href"]
            .flatMap { Self.absolute($0, baseURL: baseURL) }

        var media: [String] = []
        var mediaSources: [String] = []
        let mediaItems = element.descendants(skippingInside: quoted) {
            $0.hasClass("tgme_widget_message_photo_wrap") || $0.hasClass("tgme_widget_message_video_player")
                || $0.hasClass("tgme_widget_message_roundvideo_player")
                || $0.hasClass("tgme_widget_message_document_wrap")
        }
        for item in mediaItems {
            let reference = item.attributes["href"].flatMap { Self.absolute($0, baseURL: baseURL) } ?? permalink
            if let reference { media.append(reference) }
            if let source = Self.backgroundImage(in: item.attributes["style"]) { mediaSources.append(source) }
            for video in item.descendants(where: { $0.name == "video" }) {
                if let source = video.attributes["src"].flatMap({ Self.absolute($0, baseURL: baseURL) }) {
                    mediaSources.append(source)
                }
            }
        }

        var links: [String] = []
        var seen = Set<String>()
        let anchors = textElement?.descendants { $0.name == "a" } ?? []
        let preview = element.first(withClass: "tgme_widget_message_link_preview")
        for href in anchors.compactMap({ $0.attributes["href"] }) + [preview?.attributes["href"]].compactMap({ $0 }) {
            guard let link = Self.absolute(href, baseURL: baseURL), seen.insert(link).inserted else { continue }
            links.append(link)
        }

        let isContentHidden = element.descendants(withClass: "message_media_not_supported_label").contains {
            $0.readableText.contains(Self.hiddenContentLabel)
        }

        return TelegramMessage(
            id: id, channel: channel, permalink: permalink, postedAt: postedAt, text: text,
            html: textElement?.innerHTML.trimmingCharacters(in: .whitespacesAndNewlines),
            isEdited: isEdited, isService: element.hasClass("service_message"), forwardedFrom: forwardedFrom,
            replyTo: replyTo, media: media, mediaSources: mediaSources, links: links,
            isContentHidden: isContentHidden)
    }

    /// The message as a post (see ``TelegramAdapter`` for what the version holds).
    func post(channel: String, baseURL: URL) -> Post {
        let url =
            self.permalink ?? baseURL.appendingPathComponent(channel).appendingPathComponent(self.id).absoluteString
        return Post(
            id: self.id,
            kind: self.forwardedFrom == nil ? .post : .repost,
            url: url,
            postedAt: self.postedAt,
            text: self.text,
            html: self.html,
            media: self.media,
            links: self.links,
            reference: self.forwardedFrom ?? self.replyTo,
            isTruncated: self.isContentHidden)
    }

    // MARK: - Helpers

    /// `Poll: <question>` then one `- <option>` line per option; percentages and voter counts
    /// change with every vote and are left out.
    private static func pollText(_ poll: HTMLElement) -> String {
        let question = poll.first(withClass: "tgme_widget_message_poll_question").map(\.readableText) ?? ""
        let options = poll.descendants(withClass: "tgme_widget_message_poll_option_text").map(\.readableText)
        return (["Poll: \(question)"] + options.map { "- \($0)" }).joined(separator: "\n")
    }

    private static func appending(_ addition: String, to text: String) -> String {
        text.isEmpty ? addition : text + "\n\n" + addition
    }

    /// Lowercased words (letters only) of `text`.
    private static func words(of text: String) -> [String] {
        text.lowercased().split { !$0.isLetter }.map(String.init)
    }

    /// The first `url(…)` of a CSS `background-image` in a `style` attribute.
    static func backgroundImage(in style: String?) -> String? {
        guard let style, let start = style.range(of: "background-image:url(") else { return nil }
        var value = style[start.upperBound...]
        guard let end = value.firstIndex(of: ")") else { return nil }
        value = value[..<end]
        let trimmed = value.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        return trimmed.isEmpty ? nil : (trimmed.hasPrefix("//") ? "https:" + trimmed : trimmed)
    }

    /// `href` resolved against `baseURL`; `nil` for empty, fragment-only and `javascript:` targets.
    static func absolute(_ href: String, baseURL: URL) -> String? {
        let trimmed = href.trimmingHTMLWhitespace()
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), !trimmed.lowercased().hasPrefix("javascript:") else {
            return nil
        }
        return URL(string: trimmed, relativeTo: baseURL)?.absoluteString ?? trimmed
    }
}
