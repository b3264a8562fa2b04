public import Foundation

/// What the detector knows of a tracked post's fate.
///
/// On disk: `{"state": "visible"}`, `{"state": "missing", "missing": {…}}`,
/// `{"state": "deleted", "deleted": {…}}` or `{"state": "aged_out", "since": "…"}`.
public enum TrackedPostStatus: Sendable, Codable, Hashable {
    /// Listed in the last fresh complete snapshot (or proved to exist by a probe).
    case visible
    /// A candidate: missing from the window of a complete snapshot, not yet confirmed.
    case missing(MissingRecord)
    /// Confirmed deleted: a `deleted` event was logged. Kept forever so a restore can be seen.
    case deleted(DeletionRecord)
    /// Left the window with no sign of deletion (older than the floor, or an unpinned post) at
    /// `since` (UTC). Not deleted; forgotten after ``DetectionSettings/agedOutRetention``.
    case agedOut(since: Date)

    /// The missing record, when the post is a candidate.
    public var missingRecord: MissingRecord? {
        if case .missing(let record) = self { return record }
        return nil
    }

    /// The deletion record, when the post was confirmed deleted.
    public var deletionRecord: DeletionRecord? {
        if case .deleted(let record) = self { return record }
        return nil
    }

    /// True for ``deleted(_:)``.
    public var isDeleted: Bool { self.deletionRecord != nil }

    enum CodingKeys: String, CodingKey {
        case state, missing, deleted, since
    }

    /// Decodes the `state`-tagged form.
    /// - Throws: `DecodingError` for an unknown `state` or a missing record.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let state = try container.decode(String.self, forKey: .state)
        switch state {
        case "visible": self = .visible
        case "missing": self = .missing(try container.decode(MissingRecord.self, forKey: .missing))
        case "deleted": self = .deleted(try container.decode(DeletionRecord.self, forKey: .deleted))
        case "aged_out": self = .agedOut(since: try container.decode(Date.self, forKey: .since))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .state, in: container,
                debugDescription: "post state must be visible, missing, deleted or aged_out, found \"\(state)\"")
        }
    }

    /// Encodes the `state`-tagged form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .visible:
            try container.encode("visible", forKey: .state)
        case .missing(let record):
            try container.encode("missing", forKey: .state)
            try container.encode(record, forKey: .missing)
        case .deleted(let record):
            try container.encode("deleted", forKey: .state)
            try container.encode(record, forKey: .deleted)
        case .agedOut(let since):
            try container.encode("aged_out", forKey: .state)
            try container.encode(since, forKey: .since)
        }
    }
}

/// A candidate's progress towards confirmation.
public struct MissingRecord: Sendable, Codable, Hashable {
    /// Time (UTC) of the first complete, fresh snapshot the post was missing from while inside
    /// its window (the first counted miss). While ``missingPolls`` is 0 the record is
    /// provisional and this is only when it was opened; it proves nothing.
    public var firstMissing: Date
    /// ID of that snapshot.
    public var firstMissingSnapshot: String
    /// Consecutive complete, fresh snapshots the post was missing from while inside their
    /// window, the first one included. 0 for a provisional record: opened by a snapshot that
    /// cannot count (a mass disappearance, a stale snapshot, a pinned post outside the window).
    public var missingPolls: Int
    /// ID of the last snapshot counted (so the same snapshot never counts twice).
    public var lastMissingSnapshot: String
    /// The last inconclusive probe answer, for operators; `nil` when none was made.
    public var lastProbeDetail: String?

    /// Creates a missing record.
    public init(
        firstMissing: Date,
        firstMissingSnapshot: String,
        missingPolls: Int,
        lastMissingSnapshot: String,
        lastProbeDetail: String? = nil
    ) {
        self.firstMissing = firstMissing
        self.firstMissingSnapshot = firstMissingSnapshot
        self.missingPolls = missingPolls
        self.lastMissingSnapshot = lastMissingSnapshot
        self.lastProbeDetail = lastProbeDetail
    }

    enum CodingKeys: String, CodingKey {
        case firstMissing = "first_missing"
        case firstMissingSnapshot = "first_missing_snapshot"
        case missingPolls = "missing_polls"
        case lastMissingSnapshot = "last_missing_snapshot"
        case lastProbeDetail = "last_probe_detail"
    }
}

/// How a post was confirmed deleted: the `deleted` event's essentials.
public struct DeletionRecord: Sendable, Codable, Hashable {
    /// The `deleted` event's ID.
    public var eventID: String
    /// Why it is gone.
    public var reason: Reason
    /// Probe or absence.
    public var confirmedBy: Confirmation
    /// When the deletion was confirmed (the poll time), UTC.
    public var confirmedAt: Date
    /// The snapshot that proved it.
    public var snapshot: String
    /// First complete snapshot the post was missing from, UTC.
    public var firstMissing: Date

    /// Creates a deletion record.
    public init(
        eventID: String,
        reason: Reason,
        confirmedBy: Confirmation,
        confirmedAt: Date,
        snapshot: String,
        firstMissing: Date
    ) {
        self.eventID = eventID
        self.reason = reason
        self.confirmedBy = confirmedBy
        self.confirmedAt = confirmedAt
        self.snapshot = snapshot
        self.firstMissing = firstMissing
    }

    enum CodingKeys: String, CodingKey {
        case reason, snapshot
        case eventID = "event_id"
        case confirmedBy = "confirmed_by"
        case confirmedAt = "confirmed_at"
        case firstMissing = "first_missing"
    }
}
