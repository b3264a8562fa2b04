public import Foundation

/// One line of an account's post archive `posts.jsonl`: a version of a post the first time it
/// was seen. Deleted posts keep their lines forever.
public struct ArchivedPostVersion: Codable, Sendable, Hashable {
    /// Format version (`v`), 1.
    public var v: Int
    /// The platform's post ID.
    public var postID: String
    /// The version hash (``Post/versionHash``).
    public var version: String
    /// The poll time that first saw this version, UTC.
    public var firstSeen: Date
    /// The id of the snapshot that first saw this version.
    public var snapshot: String
    /// The post as first seen with this version.
    public var post: Post
    /// The IDs the same post had before its source re-keyed it (oldest first), when this line is
    /// the first under its new ID; absent otherwise. Their own lines stay in the archive.
    public var formerIDs: [String]?

    /// Creates an archive line value.
    public init(
        v: Int, postID: String, version: String, firstSeen: Date, snapshot: String, post: Post,
        formerIDs: [String]? = nil
    ) {
        self.formerIDs = formerIDs
        self.v = v
        self.postID = postID
        self.version = version
        self.firstSeen = firstSeen
        self.snapshot = snapshot
        self.post = post
    }

    enum CodingKeys: String, CodingKey {
        case v, version, snapshot, post
        case postID = "post_id"
        case firstSeen = "first_seen"
        case formerIDs = "former_ids"
    }
}
