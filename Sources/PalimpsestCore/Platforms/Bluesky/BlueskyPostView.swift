import Foundation

/// The parts of an `app.bsky.feed.defs#postView` the adapter reads: identity (`uri`, `cid`), the
/// author, the record the author wrote, and the AppView's ingest time.
///
/// Source: FORMATS.md §2; fixtures `getAuthorFeed_dril_page.json`, `feedViewPost_*.json`;
/// lexicons `app/bsky/feed/defs.json`, `app/bsky/feed/post.json`. `uri`, `cid` and `record` are
/// required (they make the post's identity and version): without them the whole answer is
/// unparsable, a poll that proves nothing rather than a post silently dropped. Everything else is
/// read leniently. Counts, labels, `viewer` state and the AppView's `embed` view are not read.
struct BlueskyPostView: Decodable, Sendable, Hashable {
    /// `at://<did>/app.bsky.feed.post/<rkey>`: the post's permanent identity.
    var uri: String
    /// The content hash of this version of the record; a rewritten record has another.
    var cid: String
    /// The author's DID.
    var authorDID: String?
    /// The record as the author wrote it.
    var record: BlueskyPostRecord
    /// When the AppView indexed the post (UTC).
    var indexedAt: Date?

    /// Seconds a record's client-supplied `createdAt` may lie after the AppView's `indexedAt`
    /// before it is taken for a wrong clock: clients' clocks run a little fast (fixture
    /// `getAuthorFeed_dril_page.json`: created 20:30:07.343, indexed 20:29:50.454), but a record
    /// dated far in the future would sit above every real post and make every later snapshot look
    /// stale (rule of evidence 3).
    static let createdAtTolerance: TimeInterval = 300

    /// Prefix of an image's full-size URL on Bluesky's CDN, followed by `<did>/<blob cid>@jpeg`
    /// (fixture `feedViewPost_bsky_app_images.json`, `fullsize`).
    static let imageURLPrefix = "https://cdn.bsky.app/img/feed_fullsize/plain/"

    /// Prefix of a video's playlist URL, followed by `<did, percent-encoded>/<blob cid>/playlist.m3u8`
    /// (fixture `feedViewPost_bsky_app_video.json`, `playlist`).
    static let videoURLPrefix = "https://video.bsky.app/watch/"

    private struct Author: Decodable {
        var did: String?
    }

    enum CodingKeys: String, CodingKey {
        case uri, cid, author, record, indexedAt
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.uri = try container.decode(String.self, forKey: .uri)
        self.cid = try container.decode(String.self, forKey: .cid)
        self.authorDID = container.decodeLeniently(Author.self, forKey: .author)?.did
        self.record = try container.decode(BlueskyPostRecord.self, forKey: .record)
        self.indexedAt = container.decodeLeniently(String.self, forKey: .indexedAt).flatMap(
            BlueskyTimestamp.date(from:))
    }

    /// When the post was published (UTC): the record's `createdAt`, or the AppView's `indexedAt`
    /// when `createdAt` is missing, unreadable, or more than ``createdAtTolerance`` seconds after it.
    var postedAt: Date? {
        guard let created = self.record.createdAt else { return self.indexedAt }
        if let indexed = self.indexedAt, created > indexed.addingTimeInterval(Self.createdAtTolerance) {
            return indexed
        }
        return created
    }

    /// The repository DID: the at-URI's authority, else the author's DID.
    var repositoryDID: String? { BlueskyURI(self.uri)?.authority ?? self.authorDID }

    /// Media references of the version, in order: one full-size CDN URL per image blob, one
    /// playlist URL per video blob, built from the record's blob CIDs (stable, unlike the view's).
    var mediaReferences: [String] {
        guard let embed = self.record.embed, let did = self.repositoryDID else { return [] }
        let images = embed.allImageCIDs.map { "\(Self.imageURLPrefix)\(did)/\($0)@jpeg" }
        let encodedDID = did.replacingOccurrences(of: ":", with: "%3A")
        let videos = embed.allVideoCIDs.map { "\(Self.videoURLPrefix)\(encodedDID)/\($0)/playlist.m3u8" }
        return images + videos
    }

    /// Links of the version, in order, without repeats: the text's link facets, then the external
    /// link card's URL.
    var links: [String] {
        var seen = Set<String>()
        let all = self.record.facetLinks + (self.record.embed?.anyExternalURI.map { [$0] } ?? [])
        return all.filter { seen.insert($0).inserted }
    }

    /// The at-URI of the record this post quotes, from the record (so the quoted post's fate
    /// never changes this post's version).
    var quotedURI: String? { self.record.embed?.quotedURI }
}
