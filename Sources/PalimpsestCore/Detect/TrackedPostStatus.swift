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
    /// Probes of this candidate that answered nothing conclusive (5xx, timeout, a visitor wall,
    /// another host's answer), one per poll. After ``DetectionSettings/probeAttempts`` of them
    /// spanning ``DetectionSettings/confirmMinAge`` the candidate may be confirmed by absence.
    public var inconclusiveProbes: Int
    /// When the first inconclusive probe was answered (UTC), `nil` before it.
    public var firstInconclusiveProbe: Date?
    /// The stored answers of the inconclusive probes (the most recent
    /// ``MissingRecord/probeEvidenceLimit``), cited by a deletion confirmed by absence after them.
    public var probeEvidence: [EvidenceReference]

    /// How many inconclusive probe answers a record keeps as evidence.
    public static let probeEvidenceLimit = 16

    /// Creates a missing record.
    public init(
        firstMissing: Date,
        firstMissingSnapshot: String,
        missingPolls: Int,
        lastMissingSnapshot: String,
        lastProbeDetail: String? = nil,
        inconclusiveProbes: Int = 0,
        firstInconclusiveProbe: Date? = nil,
        probeEvidence: [EvidenceReference] = []
    ) {
        self.firstMissing = firstMissing
        self.firstMissingSnapshot = firstMissingSnapshot
        self.missingPolls = missingPolls
        self.lastMissingSnapshot = lastMissingSnapshot
        self.lastProbeDetail = lastProbeDetail
        self.inconclusiveProbes = inconclusiveProbes
        self.firstInconclusiveProbe = firstInconclusiveProbe
        self.probeEvidence = probeEvidence
    }

    /// Counts one inconclusive probe answer made at `time`, keeping its stored answer.
    mutating func noteInconclusiveProbe(detail: String, evidence: EvidenceReference?, at time: Date) {
        self.lastProbeDetail = detail
        self.inconclusiveProbes += 1
        if self.firstInconclusiveProbe == nil { self.firstInconclusiveProbe = time }
        if let evidence { self.keepProbeEvidence(evidence) }
    }

    /// Keeps a probe's stored answer among the record's evidence (the most recent
    /// ``probeEvidenceLimit``): an inconclusive answer, or a tombstone that needs more answers
    /// before it confirms (a watched page's own address).
    mutating func keepProbeEvidence(_ evidence: EvidenceReference) {
        guard !self.probeEvidence.contains(evidence) else { return }
        self.probeEvidence.append(evidence)
        if self.probeEvidence.count > Self.probeEvidenceLimit {
            self.probeEvidence.removeFirst(self.probeEvidence.count - Self.probeEvidenceLimit)
        }
    }

    /// Rule of evidence 3, last resort: the probe has answered nothing conclusive
    /// ``DetectionSettings/probeAttempts`` times over at least ``DetectionSettings/confirmMinAge``
    /// seconds, so absence may confirm as if the platform had no probe.
    func probesExhausted(at time: Date, settings: DetectionSettings) -> Bool {
        guard let first = self.firstInconclusiveProbe else { return false }
        return self.inconclusiveProbes >= settings.probeAttempts
            && time.timeIntervalSince(first) >= settings.confirmMinAge
    }

    enum CodingKeys: String, CodingKey {
        case firstMissing = "first_missing"
        case firstMissingSnapshot = "first_missing_snapshot"
        case missingPolls = "missing_polls"
        case lastMissingSnapshot = "last_missing_snapshot"
        case lastProbeDetail = "last_probe_detail"
        case inconclusiveProbes = "inconclusive_probes"
        case firstInconclusiveProbe = "first_inconclusive_probe"
        case probeEvidence = "probe_evidence"
    }

    /// Decodes a record; the probe counters may be absent (files written before they existed).
    /// - Throws: `DecodingError` when a required field is missing or malformed.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.firstMissing = try container.decode(Date.self, forKey: .firstMissing)
        self.firstMissingSnapshot = try container.decode(String.self, forKey: .firstMissingSnapshot)
        self.missingPolls = try container.decode(Int.self, forKey: .missingPolls)
        self.lastMissingSnapshot = try container.decode(String.self, forKey: .lastMissingSnapshot)
        self.lastProbeDetail = try container.decodeIfPresent(String.self, forKey: .lastProbeDetail)
        self.inconclusiveProbes = try container.decodeIfPresent(Int.self, forKey: .inconclusiveProbes) ?? 0
        self.firstInconclusiveProbe = try container.decodeIfPresent(Date.self, forKey: .firstInconclusiveProbe)
        self.probeEvidence = try container.decodeIfPresent([EvidenceReference].self, forKey: .probeEvidence) ?? []
    }

    /// Encodes a record (the probe counters only once a probe was inconclusive).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.firstMissing, forKey: .firstMissing)
        try container.encode(self.firstMissingSnapshot, forKey: .firstMissingSnapshot)
        try container.encode(self.missingPolls, forKey: .missingPolls)
        try container.encode(self.lastMissingSnapshot, forKey: .lastMissingSnapshot)
        try container.encodeIfPresent(self.lastProbeDetail, forKey: .lastProbeDetail)
        if self.inconclusiveProbes > 0 {
            try container.encode(self.inconclusiveProbes, forKey: .inconclusiveProbes)
            try container.encodeIfPresent(self.firstInconclusiveProbe, forKey: .firstInconclusiveProbe)
        }
        if !self.probeEvidence.isEmpty { try container.encode(self.probeEvidence, forKey: .probeEvidence) }
    }
}

/// How a post was confirmed deleted: the `deleted` event's essentials, and the progress of a
/// restore while the post is listed again (rule of evidence 6).
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
    /// The last fresh complete snapshot (UTC) that did not list the post while it was inside the
    /// window: the post was still gone then. `nil` until one after the confirmation.
    public var lastMissing: Date?
    /// A restore candidate: the post is listed again but the restore is not proved yet.
    public var restore: RestoreRecord?

    /// Creates a deletion record.
    public init(
        eventID: String,
        reason: Reason,
        confirmedBy: Confirmation,
        confirmedAt: Date,
        snapshot: String,
        firstMissing: Date,
        lastMissing: Date? = nil,
        restore: RestoreRecord? = nil
    ) {
        self.eventID = eventID
        self.reason = reason
        self.confirmedBy = confirmedBy
        self.confirmedAt = confirmedAt
        self.snapshot = snapshot
        self.firstMissing = firstMissing
        self.lastMissing = lastMissing
        self.restore = restore
    }

    /// The latest time (UTC) the post is known to have been gone: the last fresh snapshot that
    /// missed it, else the confirmation.
    public var knownGoneAt: Date { max(self.lastMissing ?? self.confirmedAt, self.confirmedAt) }

    enum CodingKeys: String, CodingKey {
        case reason, snapshot, restore
        case eventID = "event_id"
        case confirmedBy = "confirmed_by"
        case confirmedAt = "confirmed_at"
        case firstMissing = "first_missing"
        case lastMissing = "last_missing"
    }
}

/// A deleted post listed again: its progress towards a `restored` event. A restore is proved like
/// a deletion (rule of evidence 6): by the post's own probe answering that it exists, or, where the
/// platform has no probe (or its probe never answers), by the post being listed in
/// ``DetectionSettings/confirmPolls`` consecutive fresh snapshots spanning
/// ``DetectionSettings/confirmMinAge``. Until then the deletion stands and is never logged again.
public struct RestoreRecord: Sendable, Codable, Hashable {
    /// When the first snapshot listing the post again was taken (UTC); while ``listedPolls`` is 0,
    /// only when the record was opened.
    public var firstListed: Date
    /// ID of that snapshot.
    public var firstListedSnapshot: String
    /// Consecutive complete, fresh snapshots that listed the post, the first one included.
    public var listedPolls: Int
    /// ID of the last snapshot counted (so the same snapshot never counts twice).
    public var lastListedSnapshot: String
    /// Probes that answered nothing conclusive while the post was listed again.
    public var inconclusiveProbes: Int
    /// When the first of them was answered (UTC).
    public var firstInconclusiveProbe: Date?
    /// The last inconclusive probe answer, for operators.
    public var lastProbeDetail: String?

    /// Creates a restore record.
    public init(
        firstListed: Date,
        firstListedSnapshot: String,
        listedPolls: Int,
        lastListedSnapshot: String,
        inconclusiveProbes: Int = 0,
        firstInconclusiveProbe: Date? = nil,
        lastProbeDetail: String? = nil
    ) {
        self.firstListed = firstListed
        self.firstListedSnapshot = firstListedSnapshot
        self.listedPolls = listedPolls
        self.lastListedSnapshot = lastListedSnapshot
        self.inconclusiveProbes = inconclusiveProbes
        self.firstInconclusiveProbe = firstInconclusiveProbe
        self.lastProbeDetail = lastProbeDetail
    }

    /// True when the listings alone prove the restore: ``listedPolls`` reaches
    /// ``DetectionSettings/confirmPolls`` over at least ``DetectionSettings/confirmMinAge`` seconds.
    func isProvedByListings(at time: Date, settings: DetectionSettings) -> Bool {
        self.listedPolls >= settings.confirmPolls && time.timeIntervalSince(self.firstListed) >= settings.confirmMinAge
    }

    /// The same rule as ``MissingRecord/probesExhausted(at:settings:)``, for a restore.
    func probesExhausted(at time: Date, settings: DetectionSettings) -> Bool {
        guard let first = self.firstInconclusiveProbe else { return false }
        return self.inconclusiveProbes >= settings.probeAttempts
            && time.timeIntervalSince(first) >= settings.confirmMinAge
    }

    enum CodingKeys: String, CodingKey {
        case firstListed = "first_listed"
        case firstListedSnapshot = "first_listed_snapshot"
        case listedPolls = "listed_polls"
        case lastListedSnapshot = "last_listed_snapshot"
        case inconclusiveProbes = "inconclusive_probes"
        case firstInconclusiveProbe = "first_inconclusive_probe"
        case lastProbeDetail = "last_probe_detail"
    }
}
