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
    /// Short hashes (``WindowDiff/listingHash``) of the last fresh listings, oldest first, at most
    /// ``recentListingLimit``; the last one is the latest fresh listing. A listing identical to
    /// an earlier one that has since been superseded is a stale replica or cache (rule of
    /// evidence 3).
    public var recentListings: [String]
    /// The newest listing dates (`lastBuildDate`/`updated`, `Last-Modified`) seen in fresh
    /// listings; a listing with an older one is stale.
    public var newestSignals: ListingSignals?
    /// When listings started to carry dates older than ``newestSignals`` (UTC), `nil` while they
    /// do not; after ``DetectionSettings/signalRegressionTolerance`` the older dates are accepted.
    public var signalsRegressedSince: Date?
    /// The `ETag`s of the last fresh listings (at most ``recentETagLimit``): one never seen is new.
    public var recentETags: [String]
    /// The stale listing being repeated now (identical to a superseded one): its hash, since when
    /// and in how many consecutive polls; `nil` when the last listing was not such a repeat.
    public var repeatedListing: RepeatedListing?
    /// Whether the account is available or has an open `account_unavailable` event.
    public var account: AccountStatus
    /// The open blind span, if the last poll failed.
    public var blindSpan: BlindSpan?
    /// Reposted originals (by ID) already reported gone from a repost's tombstone text, so each
    /// is logged once; absent until the first.
    public var reportedReferenceTombstones: Set<String>?

    /// How many fresh listing hashes ``recentListings`` keeps.
    public static let recentListingLimit = 256
    /// How many `ETag`s ``recentETags`` keeps.
    public static let recentETagLimit = 32

    /// An empty memory: no posts, the account available, not blind.
    public init() {
        self.posts = [:]
        self.lastComplete = nil
        self.recentListings = []
        self.newestSignals = nil
        self.signalsRegressedSince = nil
        self.recentETags = []
        self.repeatedListing = nil
        self.account = .available
        self.blindSpan = nil
    }

    enum CodingKeys: String, CodingKey {
        case v, posts, account
        case lastComplete = "last_complete"
        case recentListings = "recent_listings"
        case newestSignals = "newest_signals"
        case signalsRegressedSince = "signals_regressed_since"
        case recentETags = "recent_etags"
        case repeatedListing = "repeated_listing"
        case blindSpan = "blind_span"
        case reportedReferenceTombstones = "reported_reference_tombstones"
    }

    /// Decodes a memory. Fields added after format version 1 first shipped may be absent; the
    /// freshness marks of earlier versions (`freshest_posted_at`, `freshest_post_id`) are ignored.
    /// - Throws: `DecodingError` when a required field is missing or malformed.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.v = try container.decode(Int.self, forKey: .v)
        self.posts = try container.decode([String: TrackedPost].self, forKey: .posts)
        self.lastComplete = try container.decodeIfPresent(SnapshotSummary.self, forKey: .lastComplete)
        self.recentListings = try container.decodeIfPresent([String].self, forKey: .recentListings) ?? []
        self.newestSignals = try container.decodeIfPresent(ListingSignals.self, forKey: .newestSignals)
        self.signalsRegressedSince = try container.decodeIfPresent(Date.self, forKey: .signalsRegressedSince)
        self.recentETags = try container.decodeIfPresent([String].self, forKey: .recentETags) ?? []
        self.repeatedListing = try container.decodeIfPresent(RepeatedListing.self, forKey: .repeatedListing)
        self.account = try container.decode(AccountStatus.self, forKey: .account)
        self.blindSpan = try container.decodeIfPresent(BlindSpan.self, forKey: .blindSpan)
        self.reportedReferenceTombstones = try container.decodeIfPresent(
            Set<String>.self, forKey: .reportedReferenceTombstones)
    }
}

/// A stale listing served again and again: identical to an earlier listing that a later fresh one
/// replaced (rule of evidence 3).
public struct RepeatedListing: Sendable, Codable, Hashable {
    /// The listing's short hash (``WindowDiff/listingHash``).
    public var hash: String
    /// When the current run of this repeat began (UTC).
    public var since: Date
    /// Consecutive polls that served it.
    public var polls: Int

    /// Creates a record.
    public init(hash: String, since: Date, polls: Int) {
        self.hash = hash
        self.since = since
        self.polls = polls
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
