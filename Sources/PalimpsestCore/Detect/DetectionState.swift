public import Foundation

/// The detector's memory of one account between polls: every post it tracks, the freshness mark,
/// whether the account is available, and the open blind span. Saved by the store as part of the
/// account's state (JSON, snake_case keys, format version ``v``).
public struct DetectionState: Sendable, Codable, Hashable {
    /// Format version of this structure; bump with a migration note in docs/state-format.md.
    public static let formatVersion = 1

    /// Format version of this value.
    public var v: Int = DetectionState.formatVersion
    /// Tracked posts by post ID: visible, missing (a candidate), deleted (kept forever, so a
    /// restore can be seen) or aged out (forgotten after ``DetectionSettings/agedOutRetention``).
    public var posts: [String: TrackedPost]
    /// The last complete snapshot applied (fresh or not); applying the same snapshot ID again
    /// is a no-op (rule of evidence 7).
    public var lastComplete: SnapshotSummary?
    /// The freshness mark: created time (UTC) of the newest non-pinned post seen in a complete,
    /// fresh snapshot and not since confirmed deleted. A snapshot whose newest non-pinned post is
    /// older is stale (a lagging replica, rule of evidence 3).
    public var freshestPostedAt: Date?
    /// The freshness mark for feeds without dates: the ID of the first-listed non-pinned post of
    /// the last fresh snapshot. A dateless snapshot that lacks it (while it is not known deleted
    /// or aged out) and lists no unknown post first is stale.
    public var freshestPostID: String?
    /// Whether the account is available or has an open `account_unavailable` event.
    public var account: AccountStatus
    /// The open blind span, if the last poll failed.
    public var blindSpan: BlindSpan?
    /// Reposted originals (by ID) already reported gone from a repost's tombstone text, so each
    /// is logged once; absent until the first.
    public var reportedReferenceTombstones: Set<String>?

    /// An empty memory: no posts, the account available, not blind.
    public init() {
        self.posts = [:]
        self.lastComplete = nil
        self.freshestPostedAt = nil
        self.freshestPostID = nil
        self.account = .available
        self.blindSpan = nil
    }

    enum CodingKeys: String, CodingKey {
        case v, posts, account
        case lastComplete = "last_complete"
        case freshestPostedAt = "freshest_posted_at"
        case freshestPostID = "freshest_post_id"
        case blindSpan = "blind_span"
        case reportedReferenceTombstones = "reported_reference_tombstones"
    }
}

/// A short record of a snapshot: its ID in the store, when it was polled and its window.
public struct SnapshotSummary: Sendable, Codable, Hashable {
    /// The snapshot's ID in the account's store.
    public var id: String
    /// When the poll was made, UTC.
    public var polledAt: Date
    /// The snapshot's window bounds.
    public var window: TimelineWindow

    /// Creates a summary.
    public init(id: String, polledAt: Date, window: TimelineWindow) {
        self.id = id
        self.polledAt = polledAt
        self.window = window
    }

    enum CodingKeys: String, CodingKey {
        case id, window
        case polledAt = "polled_at"
    }
}
