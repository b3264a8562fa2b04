/// The embed of a post record (`record.embed`, what the author wrote), as far as the version
/// needs it: the blobs of images and video, the external link, the quoted record.
///
/// Read from the record, never from the AppView's `embed` view, so that the version depends only
/// on what the author wrote: CDN hosts and signed image-proxy paths change between AppView
/// versions (fixture `getAuthorFeed_reposts_replies_2023.json` has `cdn.bsky.social/imgproxy/…`,
/// the 2025 fixtures `cdn.bsky.app/img/…`), and a quoted post's view turns into `viewNotFound`,
/// `viewBlocked` or `viewDetached` when something happens to that other post.
///
/// Shapes (lexicons `app/bsky/embed/{images,video,external,record,recordWithMedia}.json`;
/// fixtures `feedViewPost_bsky_app_{images,video,quote}.json`,
/// `feedViewPost_nytimes_external_link.json`): `images: [{image: blob, alt}]`, `video: blob`,
/// `external: {uri, title, description, thumb}`, `record: {uri, cid}` (a quote), and for
/// `recordWithMedia` `record: {record: {uri, cid}}` plus `media: <images | video | external>`.
/// The shape, not `$type`, is read, so a record with an unusual `$type` still gives its parts.
struct BlueskyRecordEmbed: Decodable, Sendable, Hashable {
    /// CIDs of the image blobs, in order.
    var imageCIDs: [String]
    /// CID of the video blob.
    var videoCID: String?
    /// The external link card's target URL.
    var externalURI: String?
    /// The quoted record's at-URI.
    var quotedURI: String?
    // A struct cannot hold itself directly: zero or one element.
    private var mediaStorage: [BlueskyRecordEmbed]

    /// The media part of a `recordWithMedia` embed.
    var media: BlueskyRecordEmbed? { self.mediaStorage.first }

    enum CodingKeys: String, CodingKey {
        case images, video, external, record, media
    }

    private struct Image: Decodable {
        var image: BlueskyBlob?
    }

    private struct External: Decodable {
        var uri: String?
    }

    /// `{uri, cid}` for a quote; `{record: {uri, cid}}` inside `recordWithMedia`.
    private struct QuotedRecord: Decodable {
        var uri: String?
        var record: StrongRef?

        struct StrongRef: Decodable {
            var uri: String?
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let images = container.decodeLeniently([Image?].self, forKey: .images) ?? []
        self.imageCIDs = images.compactMap { $0?.image?.cid }
        self.videoCID = container.decodeLeniently(BlueskyBlob.self, forKey: .video)?.cid
        self.externalURI = container.decodeLeniently(External.self, forKey: .external)?.uri
        let quoted = container.decodeLeniently(QuotedRecord.self, forKey: .record)
        self.quotedURI = quoted?.uri ?? quoted?.record?.uri
        self.mediaStorage = container.decodeLeniently(BlueskyRecordEmbed.self, forKey: .media).map { [$0] } ?? []
    }

    /// Every image CID of this embed and its media part, in order.
    var allImageCIDs: [String] { self.imageCIDs + (self.media?.allImageCIDs ?? []) }

    /// Every video CID of this embed and its media part, in order.
    var allVideoCIDs: [String] { (self.videoCID.map { [$0] } ?? []) + (self.media?.allVideoCIDs ?? []) }

    /// The external link of this embed, else of its media part.
    var anyExternalURI: String? { self.externalURI ?? self.media?.anyExternalURI }
}
