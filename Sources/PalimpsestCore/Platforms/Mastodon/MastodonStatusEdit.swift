import Foundation

/// One entry of a status's edit history (`GET /api/v1/statuses/:id/history`, oldest first): a
/// `StatusEdit` entity, public for public posts.
///
/// Source: docs `entities/StatusEdit.md`, `methods/statuses.md#history`; fixtures
/// `status_edit_1_history_before_edit.json`, `status_edit_3_history_after_edit.json`.
struct MastodonStatusEdit: Decodable, Sendable, Hashable {
    /// The HTML content of this revision.
    var content: String?
    /// The content warning of this revision; empty when none.
    var spoilerText: String
    /// When this revision was made (UTC); the first entry's time is the post's `created_at`.
    var createdAt: Date?
    /// Media of this revision, in order.
    var mediaAttachments: [MastodonMediaAttachment]
    /// Poll option titles of this revision.
    var pollOptions: [String]

    enum CodingKeys: String, CodingKey {
        case content, poll
        case spoilerText = "spoiler_text"
        case createdAt = "created_at"
        case mediaAttachments = "media_attachments"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.content = try container.decodeIfPresent(String.self, forKey: .content)
        self.spoilerText = try container.decodeIfPresent(String.self, forKey: .spoilerText) ?? ""
        self.createdAt = container.decodeLeniently(String.self, forKey: .createdAt).flatMap(
            MastodonTimestamp.date(from:)
        )
        self.mediaAttachments =
            try container.decodeIfPresent([MastodonMediaAttachment].self, forKey: .mediaAttachments) ?? []
        self.pollOptions = try container.decodeIfPresent(MastodonPoll.self, forKey: .poll)?.optionTitles ?? []
    }

    /// The revision's text, composed exactly as a live status's (``MastodonStatus/versionText``).
    var versionText: String {
        MastodonStatus.versionText(
            spoiler: self.spoilerText,
            html: self.content,
            plain: nil,
            pollOptions: self.pollOptions
        )
    }
}
