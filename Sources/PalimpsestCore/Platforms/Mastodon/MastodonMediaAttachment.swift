/// The parts of a Mastodon `MediaAttachment` entity the adapter reads.
///
/// Source: docs `entities/MediaAttachment.md`; fixtures `status_with_media_attachment.json`,
/// `status_delete_response.json`.
struct MastodonMediaAttachment: Decodable, Sendable, Hashable {
    /// The attachment's server-local ID.
    var id: String?
    /// `image`, `gifv`, `video`, `audio` or `unknown`.
    var type: String?
    /// The file on this server: `null` while a video is still processing, and for remote media a
    /// cache URL that turns into a `/media_proxy/…` URL once the cache is cleared.
    var url: String?
    /// The file's URL on the origin server, for remote media; `null` for local media.
    var remoteURL: String?
    /// Alt text.
    var description: String?

    /// The reference kept in a post's version: the origin URL when the media is remote (it does
    /// not change when this server's cache expires), else the local file URL; `nil` while the
    /// server has no URL for it yet.
    var reference: String? {
        if let remote = self.remoteURL, !remote.isEmpty { return remote }
        if let local = self.url, !local.isEmpty { return local }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case id, type, url, description
        case remoteURL = "remote_url"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = container.decodeMastodonIDIfPresent(forKey: .id)
        self.type = container.decodeLeniently(String.self, forKey: .type)
        self.url = try container.decodeIfPresent(String.self, forKey: .url)
        self.remoteURL = try container.decodeIfPresent(String.self, forKey: .remoteURL)
        self.description = container.decodeLeniently(String.self, forKey: .description)
    }
}
