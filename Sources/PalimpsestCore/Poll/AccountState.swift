public import Foundation

/// Validators of the last successful answer to one timeline URL, for conditional GET.
public struct ConditionalValidators: Sendable, Codable, Hashable {
    /// The `ETag` the server sent.
    public var etag: String?
    /// The `Last-Modified` time the server sent, UTC.
    public var lastModified: Date?
    /// SHA-256 of the body those validators describe; a `304 Not Modified` answer means "this
    /// body again", so the poller re-reads it from the evidence store.
    public var bodySHA256: String

    public init(etag: String?, lastModified: Date?, bodySHA256: String) {
        self.etag = etag
        self.lastModified = lastModified
        self.bodySHA256 = bodySHA256
    }

    enum CodingKeys: String, CodingKey {
        case etag
        case lastModified = "last_modified"
        case bodySHA256 = "body_sha256"
    }
}

/// The outcome of the last poll of an account, for `status` and operators.
public struct PollRecord: Sendable, Codable, Hashable {
    /// When the poll ran, UTC.
    public var at: Date
    /// `complete`, `incomplete`, `blind`, `rate_limited`, `account_unavailable`.
    public var outcome: String
    /// A one-line explanation (failure message, number of posts seen).
    public var detail: String
    /// Number of posts seen (complete polls).
    public var posts: Int?

    public init(at: Date, outcome: String, detail: String, posts: Int? = nil) {
        self.at = at
        self.outcome = outcome
        self.detail = detail
        self.posts = posts
    }
}

/// Everything the daemon remembers about one account between polls: `state.json` in the
/// account's folder (format version 1, documented in docs/state-format.md).
///
/// Crash safety (rule of evidence 7): events are first saved here in ``pendingEvents`` (atomic
/// state write), then appended to the deletion log, then cleared. A process that dies between
/// the two writes finds them pending at its next start and appends the ones the log lacks.
public struct AccountState: Sendable, Codable, Hashable {
    /// Format version of `state.json`.
    public static let formatVersion = 1

    public var v: Int
    public var account: AccountKey
    /// The platform's internal account ID (Mastodon account id), once resolved.
    public var resolvedID: String?
    /// Conditional-GET validators per timeline URL.
    public var validators: [String: ConditionalValidators]
    /// The detector's memory.
    public var detection: DetectionState
    /// Events saved but maybe not yet appended to the log.
    public var pendingEvents: [Event]
    /// Snapshot IDs that logged events cite: never pruned.
    public var citedSnapshots: Set<String>
    /// Evidence SHA-256s that logged events cite: never pruned.
    public var citedEvidence: Set<String>
    /// The last poll.
    public var lastPoll: PollRecord?
    /// Number of events logged for this account so far.
    public var eventsLogged: Int
    /// The timeline's address redirects permanently to another host (absent otherwise, and in
    /// states written before it was kept).
    public var moved: TimelineMove?
    /// The stretches of time the account was polled without a gap longer than
    /// ``PollSpan/gapLimit(interval:jitter:)``, oldest first (``PollSpan``): what coverage counts
    /// as watched. `nil` in states written before it was kept (coverage then falls back to the
    /// first and last poll known).
    public var pollSpans: [PollSpan]?

    public init(account: AccountKey) {
        self.v = Self.formatVersion
        self.account = account
        self.resolvedID = nil
        self.validators = [:]
        self.detection = DetectionState()
        self.pendingEvents = []
        self.citedSnapshots = []
        self.citedEvidence = []
        self.lastPoll = nil
        self.eventsLogged = 0
        self.moved = nil
        self.pollSpans = nil
    }

    /// Records a poll made at `time` in ``pollSpans``.
    /// - Parameters:
    ///   - time: The poll time, UTC.
    ///   - gapLimit: ``PollSpan/gapLimit(interval:jitter:)`` for the account, seconds.
    public mutating func recordPoll(at time: Date, gapLimit: TimeInterval) {
        self.pollSpans = PollSpan.record(time, in: self.pollSpans ?? [], gapLimit: gapLimit)
    }

    /// Whether nothing is in progress that a poll must count (docs/evidence.md, rules 3 and 6), so
    /// that an unchanged timeline answer may end it early: no event waiting for the log, no move
    /// to another host, no open blind span to close, the account available, a complete snapshot to
    /// compare with, no deletion or restore candidate waiting for a fresh miss or listing, and no
    /// deleted post the last snapshot may have listed again.
    public var isQuiet: Bool {
        guard self.pendingEvents.isEmpty, self.moved == nil, self.detection.blindSpan == nil,
            self.detection.account.isAvailable, let last = self.detection.lastComplete
        else { return false }
        // A deleted post that the last snapshot may have listed again (it was not recorded missing
        // there, and it is not below the window floor) waits for its restore probe at every poll.
        return !self.detection.posts.values.contains { tracked in
            if tracked.status.missingRecord != nil { return true }
            guard let deletion = tracked.status.deletionRecord else { return false }
            if deletion.restore != nil { return true }
            let belowFloor = tracked.post.postedAt.flatMap { posted in last.window.floor.map { posted < $0 } } ?? false
            return deletion.lastMissing != last.polledAt && !belowFloor
        }
    }

    /// `self` (the whole state as stored) with the fields of `quiet` that a quiet read holds
    /// (``StateStoring/loadQuietState(of:)``) and a poll may change before it needs the whole state:
    /// the resolved ID, the validators, the last poll, the move and the events logged. The watched
    /// spans stay `self`'s: the quiet read holds only the last one, and a poll records itself in
    /// them only once it holds the whole state.
    func withQuietFields(of quiet: AccountState) -> AccountState {
        var whole = self
        whole.resolvedID = quiet.resolvedID
        whole.validators = quiet.validators
        whole.lastPoll = quiet.lastPoll
        whole.moved = quiet.moved
        whole.eventsLogged = quiet.eventsLogged
        return whole
    }

    enum CodingKeys: String, CodingKey {
        case v, account, validators, detection, moved
        case pollSpans = "poll_spans"
        case resolvedID = "resolved_id"
        case pendingEvents = "pending_events"
        case citedSnapshots = "cited_snapshots"
        case citedEvidence = "cited_evidence"
        case lastPoll = "last_poll"
        case eventsLogged = "events_logged"
    }
}

extension AccountState {
    /// Counts `count` more events logged for this account, stopping at `Int.max`: a count edited
    /// by hand to the largest integer (`events_logged` in the stored state) must not stop the
    /// daemon on an arithmetic overflow at the account's next logged event.
    mutating func countEventsLogged(_ count: Int) {
        let (sum, overflow) = self.eventsLogged.addingReportingOverflow(count)
        self.eventsLogged = overflow ? .max : sum
    }
}
