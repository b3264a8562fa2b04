public import Foundation

/// What one poll of one account did, for the command line and operator logs.
public struct PollReport: Sendable {
    /// The account polled.
    public var account: Account
    /// When (UTC).
    public var polledAt: Date
    /// How the poll ended.
    public var outcome: PollOutcome
    /// The poll's record (the outcome's ``PollOutcome/recordName`` and the detail), as saved in
    /// the account state.
    public var record: PollRecord
    /// Events appended to the deletion log by this poll (with seq), including any repaired from
    /// a previous crash.
    public var events: [Event]
    /// Number of probes sent.
    public var probes: Int
    /// The account's blind span after this poll: open while polls fail, `nil` once one succeeds.
    public var blindSpan: BlindSpan?
    /// Posts the detector tracks after this poll (visible or missing; not deleted or aged out);
    /// `nil` when the poll did not read them: an unchanged answer of a quiet account ends before
    /// its tracked posts are read, and leaves their count as it was.
    public var postsTracked: Int?
    /// Events logged for the account so far, this poll's included.
    public var eventsLogged: Int
    /// The account's timeline address redirects permanently to another host, if it does.
    public var moved: TimelineMove?
    /// What each probe host answered to this poll's probes, by host name (the `probe_host` alarm).
    public var probeHosts: [ProbeHostAnswer]

    public init(
        account: Account, polledAt: Date, outcome: PollOutcome, record: PollRecord, events: [Event], probes: Int,
        blindSpan: BlindSpan? = nil, postsTracked: Int? = 0, eventsLogged: Int = 0, moved: TimelineMove? = nil,
        probeHosts: [ProbeHostAnswer] = []
    ) {
        self.account = account
        self.polledAt = polledAt
        self.outcome = outcome
        self.record = record
        self.events = events
        self.probes = probes
        self.blindSpan = blindSpan
        self.postsTracked = postsTracked
        self.eventsLogged = eventsLogged
        self.moved = moved
        self.probeHosts = probeHosts
    }
}
