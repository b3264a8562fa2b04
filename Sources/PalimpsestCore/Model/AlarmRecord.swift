public import Foundation

/// What an `alarm` event is about: the monitor itself stopped seeing, or many posts went at once
/// (`alarm.kind` in the deletion log, `docs/deletion-log.md`, `docs/alerts.md`).
public enum AlarmKind: String, Sendable, Codable, CaseIterable, Hashable {
    /// One account has been blind (failed polls only) for longer than `blind_alarm`.
    case blind
    /// No account had a complete poll for longer than `silence_alarm` while the daemon ran.
    case silence
    /// A probe host answered nothing conclusive (5xx, timeouts, walls) for longer than `probe_alarm`.
    case probeHost = "probe_host"
    /// At least `mass_deletion.posts` deletions across at least `mass_deletion.accounts` accounts
    /// within `mass_deletion.window`.
    case massDeletion = "mass_deletion"
}

/// Whether an alarm event opens or closes the condition. Each alarm is logged once raised and
/// once cleared, never once per poll.
public enum AlarmState: String, Sendable, Codable, CaseIterable, Hashable {
    case raised
    case cleared
}

/// One deletion listed by a mass-deletion alarm.
public struct AlarmDeletion: Sendable, Codable, Hashable {
    /// The `deleted` event's id.
    public var id: String
    /// Its account key.
    public var account: AccountKey
    /// The deleted post's id.
    public var postID: String?
    /// When the deletion was detected, UTC.
    public var detectedAt: Date

    public init(id: String, account: AccountKey, postID: String?, detectedAt: Date) {
        self.id = id
        self.account = account
        self.postID = postID
        self.detectedAt = detectedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, account
        case postID = "post_id"
        case detectedAt = "detected_at"
    }
}

/// The `alarm` object of an `alarm` event (`docs/deletion-log.md`).
public struct AlarmRecord: Sendable, Codable, Hashable {
    /// What the alarm is about.
    public var kind: AlarmKind
    /// Raised or cleared.
    public var state: AlarmState
    /// When the condition began, UTC: the blind span's start, the last complete poll (or the
    /// daemon's start), the probe host's first inconclusive answer, the first deletion listed.
    public var since: Date
    /// The threshold that was crossed, seconds (`blind_alarm`, `silence_alarm`, `probe_alarm`,
    /// `mass_deletion.window`).
    public var thresholdSeconds: Int
    /// For `probe_host`: the host name.
    public var host: String?
    /// For `mass_deletion` raised: the deletions in the window, oldest first.
    public var deletions: [AlarmDeletion]?
    /// For `mass_deletion` raised: the distinct accounts among ``deletions``, sorted.
    public var accounts: [AccountKey]?
    /// For `cleared`: when the alarm was raised, UTC.
    public var raisedAt: Date?

    public init(
        kind: AlarmKind, state: AlarmState, since: Date, thresholdSeconds: Int, host: String? = nil,
        deletions: [AlarmDeletion]? = nil, accounts: [AccountKey]? = nil, raisedAt: Date? = nil
    ) {
        self.kind = kind
        self.state = state
        self.since = since
        self.thresholdSeconds = thresholdSeconds
        self.host = host
        self.deletions = deletions
        self.accounts = accounts
        self.raisedAt = raisedAt
    }

    enum CodingKeys: String, CodingKey {
        case kind, state, since, host, deletions, accounts
        case thresholdSeconds = "threshold_s"
        case raisedAt = "raised_at"
    }
}
