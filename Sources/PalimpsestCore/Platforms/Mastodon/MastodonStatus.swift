import Foundation

/// The parts of a Mastodon `Status` entity that make a post, and how they become a ``Post``.
///
/// Source: docs `entities/Status.md`; FORMATS.md §1; fixtures `account_statuses_page1.json`,
/// `status_reblog_wrapper.json`, `status_content_warning.json`, `status_edit_2_get_after_edit.json`,
/// `status_delete_response.json` (no `content`, a plain `text` instead),
/// `docs_status_entity_example.json` (no `edited_at` key at all).
///
/// Only `id` is required. Fields that make the version (`content`, `text`, `spoiler_text`,
/// `media_attachments`, `poll`, `reblog`) must have the right type when present, or the whole
/// answer is unparsable (a poll that proves nothing, rather than a false alteration); the other
/// fields are read leniently. Counts, `favourited` and the like are not read at all.
struct MastodonStatus: Decodable, Sendable, Hashable {
    /// Server-local ID, a string ("cast from an integer but not guaranteed to be a number").
    var id: String
    /// Creation time (UTC); `nil` when missing or unreadable.
    var createdAt: Date?
    /// Time of the last edit (UTC), Mastodon ≥ 3.5; `nil` when never edited.
    var editedAt: Date?
    /// The HTML content; missing from a `DELETE` answer, which carries `text` instead.
    var content: String?
    /// The plain source text, only in answers to the author (`DELETE`, `/source`).
    var plainText: String?
    /// The content warning (plain text); empty when none.
    var spoilerText: String
    /// The ActivityPub ID (global identity); a boost's ends with `/activity`.
    var uri: String?
    /// The HTML permalink.
    var url: String?
    /// `public`, `unlisted`, `private` or `direct`.
    var visibility: String?
    /// The status this one replies to, if any.
    var inReplyToID: String?
    /// Attached media, in order.
    var mediaAttachments: [MastodonMediaAttachment]
    /// A poll's option titles (vote counts are volatile and not read).
    var pollOptions: [String]
    /// The quoted post's URI, URL or ID, when this status quotes one (Mastodon ≥ 4.5 `quote`).
    var quotedReference: String?
    /// `pinned`, present only for a request with the author's token.
    var pinned: Bool?
    /// The author.
    var account: MastodonAccount?
    // A status cannot hold itself directly; zero or one element.
    private var reblogStorage: [MastodonStatus]

    /// For a boost: the boosted status (the wrapper's own `content` is empty).
    var reblog: MastodonStatus? { self.reblogStorage.first }

    enum CodingKeys: String, CodingKey {
        case id, content, text, uri, url, visibility, poll, quote, pinned, account, reblog
        case createdAt = "created_at"
        case editedAt = "edited_at"
        case spoilerText = "spoiler_text"
        case inReplyToID = "in_reply_to_id"
        case mediaAttachments = "media_attachments"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decodeMastodonID(forKey: .id)
        self.createdAt = container.decodeLeniently(String.self, forKey: .createdAt).flatMap(
            MastodonTimestamp.date(from:)
        )
        self.editedAt = container.decodeLeniently(String.self, forKey: .editedAt).flatMap(MastodonTimestamp.date(from:))
        self.content = try container.decodeIfPresent(String.self, forKey: .content)
        self.plainText = try container.decodeIfPresent(String.self, forKey: .text)
        self.spoilerText = try container.decodeIfPresent(String.self, forKey: .spoilerText) ?? ""
        self.uri = container.decodeLeniently(String.self, forKey: .uri)
        self.url = container.decodeLeniently(String.self, forKey: .url)
        self.visibility = container.decodeLeniently(String.self, forKey: .visibility)
        self.inReplyToID = container.decodeMastodonIDIfPresent(forKey: .inReplyToID)
        self.mediaAttachments =
            try container.decodeIfPresent([MastodonMediaAttachment].self, forKey: .mediaAttachments) ?? []
        self.pollOptions = try container.decodeIfPresent(MastodonPoll.self, forKey: .poll)?.optionTitles ?? []
        self.quotedReference = container.decodeLeniently(MastodonQuote.self, forKey: .quote)?.reference
        self.pinned = container.decodeLeniently(Bool.self, forKey: .pinned)
        self.account = container.decodeLeniently(MastodonAccount.self, forKey: .account)
        self.reblogStorage = try container.decodeIfPresent(MastodonStatus.self, forKey: .reblog).map { [$0] } ?? []
    }

    /// The post this status shows in a timeline.
    ///
    /// A boost becomes a post of kind ``PostKind/repost`` with the wrapper's `id` and time and the
    /// boosted status's content, so that un-boosting makes the wrapper vanish without touching the
    /// original; its ``Post/reference`` is the boosted status's `uri` (else `url`, else `id`).
    /// The link preview `card` is left out of the version: the server fetches it asynchronously
    /// after posting and may refetch it, so it would make alterations the author never made
    /// (its URL is normally one of the content's links anyway).
    /// - Parameter isPinned: whether the account pinned this status.
    func post(isPinned: Bool) -> Post {
        if let original = self.reblog {
            return Post(
                id: self.id,
                kind: .repost,
                url: self.url ?? original.url,
                postedAt: self.createdAt,
                editedAt: original.editedAt,
                text: original.versionText,
                html: original.content,
                media: original.mediaReferences,
                links: original.contentLinks,
                reference: original.uri ?? original.url ?? original.id,
                isPinned: isPinned
            )
        }
        return Post(
            id: self.id,
            kind: .post,
            url: self.url ?? self.uri,
            postedAt: self.createdAt,
            editedAt: self.editedAt,
            text: self.versionText,
            html: self.content,
            media: self.mediaReferences,
            links: self.contentLinks,
            reference: self.quotedReference,
            isPinned: isPinned
        )
    }

    /// The text that goes into the version: content warning, content, poll options.
    var versionText: String {
        Self.versionText(
            spoiler: self.spoilerText,
            html: self.content,
            plain: self.plainText,
            pollOptions: self.pollOptions
        )
    }

    /// The media references of the version, in order.
    var mediaReferences: [String] { self.mediaAttachments.compactMap(\.reference) }

    /// The `href`s of the content's links, in order, without repeats.
    var contentLinks: [String] {
        var seen = Set<String>()
        return HTMLText.links(inHTML: self.content ?? "").filter { seen.insert($0).inserted }
    }

    /// Composes a version's text: `CW: <spoiler>` on its own line when there is a content warning,
    /// the content as plain text (the HTML `content`, else the plain `text`), then one
    /// `[poll] <option>` line per poll option.
    static func versionText(spoiler: String, html: String?, plain: String?, pollOptions: [String]) -> String {
        var lines: [String] = []
        let warning = spoiler.trimmingCharacters(in: .whitespacesAndNewlines)
        if !warning.isEmpty { lines.append("CW: \(warning)") }
        let body = html.map(HTMLText.plainText(fromHTML:)) ?? plain ?? ""
        if !body.isEmpty { lines.append(body) }
        lines += pollOptions.map { "[poll] \($0)" }
        return lines.joined(separator: "\n")
    }
}

/// A poll's options, as far as the version needs them (`title` only; counts are volatile).
struct MastodonPoll: Decodable, Sendable, Hashable {
    struct Option: Decodable, Sendable, Hashable {
        var title: String?
    }

    var options: [Option]?

    var optionTitles: [String] { (self.options ?? []).compactMap(\.title) }
}

/// What a status quotes. Mastodon ≥ 4.5 sends `{"state", "quoted_status": Status}` or, nested,
/// `{"state", "quoted_status_id"}`; some forks send the quoted Status itself.
struct MastodonQuote: Decodable, Sendable, Hashable {
    /// The quoted post's `uri`, else `url`, else `id`; `nil` while the quote is pending or revoked.
    var reference: String?

    enum CodingKeys: String, CodingKey {
        case id, uri, url
        case quotedStatus = "quoted_status"
        case quotedStatusID = "quoted_status_id"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let quoted = container.decodeLeniently(MastodonStatus.self, forKey: .quotedStatus) {
            self.reference = quoted.uri ?? quoted.url ?? quoted.id
        } else if let quotedID = container.decodeMastodonIDIfPresent(forKey: .quotedStatusID) {
            self.reference = quotedID
        } else {
            self.reference =
                container.decodeLeniently(String.self, forKey: .uri)
                ?? container.decodeLeniently(String.self, forKey: .url)
                ?? container.decodeMastodonIDIfPresent(forKey: .id)
        }
    }
}
