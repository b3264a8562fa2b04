public import Foundation

/// One post the detector remembers: its last known version and what became of it.
public struct TrackedPost: Sendable, Codable, Hashable {
    /// How many older neighbours a dateless post remembers (see ``olderNeighbours``).
    public static let olderNeighbourLimit = 32

    /// The last known version (full text, media, links, pinned flag).
    public var post: Post
    /// The poll that first saw the post (UTC).
    public var firstSeen: Date
    /// The last complete, fresh poll that listed the post (UTC).
    public var lastSeen: Date
    /// The ID of the snapshot taken at ``lastSeen``.
    public var lastSeenSnapshot: String
    /// Visible, missing (a candidate), deleted or aged out.
    public var status: TrackedPostStatus
    /// For a post without a created time only: the IDs of the non-pinned posts listed after it
    /// (older) in the snapshot that last listed it, nearest first, at most
    /// ``olderNeighbourLimit``. Such a post is inside a later window only if one of these is
    /// still listed: the window still reaches past it, so it should be there too. Empty for
    /// dated and pinned posts.
    public var olderNeighbours: [String]
    /// IDs the post had before its source re-keyed it (oldest first): the same content and
    /// publication time appeared under a new ID while the old one vanished. Empty for most posts.
    public var formerIDs: [String]

    /// Creates a tracked post.
    public init(
        post: Post,
        firstSeen: Date,
        lastSeen: Date,
        lastSeenSnapshot: String,
        status: TrackedPostStatus = .visible,
        olderNeighbours: [String] = [],
        formerIDs: [String] = []
    ) {
        self.formerIDs = formerIDs
        self.post = post
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.lastSeenSnapshot = lastSeenSnapshot
        self.status = status
        self.olderNeighbours = olderNeighbours
    }

    enum CodingKeys: String, CodingKey {
        case post, status
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case lastSeenSnapshot = "last_seen_snapshot"
        case olderNeighbours = "older_neighbours"
        case formerIDs = "former_ids"
    }

    /// Decodes a tracked post; `older_neighbours` and `former_ids` may be absent (empty).
    /// - Throws: `DecodingError` when a required field is missing or malformed.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.post = try container.decode(Post.self, forKey: .post)
        self.firstSeen = try container.decode(Date.self, forKey: .firstSeen)
        self.lastSeen = try container.decode(Date.self, forKey: .lastSeen)
        self.lastSeenSnapshot = try container.decode(String.self, forKey: .lastSeenSnapshot)
        self.status = try container.decode(TrackedPostStatus.self, forKey: .status)
        self.olderNeighbours = try container.decodeIfPresent([String].self, forKey: .olderNeighbours) ?? []
        self.formerIDs = try container.decodeIfPresent([String].self, forKey: .formerIDs) ?? []
    }

    /// Encodes a tracked post (`older_neighbours` and `former_ids` only when non-empty).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.post, forKey: .post)
        try container.encode(self.firstSeen, forKey: .firstSeen)
        try container.encode(self.lastSeen, forKey: .lastSeen)
        try container.encode(self.lastSeenSnapshot, forKey: .lastSeenSnapshot)
        try container.encode(self.status, forKey: .status)
        if !self.olderNeighbours.isEmpty {
            try container.encode(self.olderNeighbours, forKey: .olderNeighbours)
        }
        if !self.formerIDs.isEmpty {
            try container.encode(self.formerIDs, forKey: .formerIDs)
        }
    }
}
