/// How one poll of one account ended: the one value the poll driver (``AccountPoller``) ends
/// with, whatever step it ended at.
///
/// What is written about a poll (the state's `last_poll.outcome`, `palimpsest status`, the
/// `outcome` label of `palimpsest_polls_total`, the lines of `palimpsest poll`) is its
/// ``recordName``: the same strings as before this type existed (docs/state-format.md).
public enum PollOutcome: Sendable, Hashable {
    /// The whole timeline window was read, stored as a snapshot and diffed.
    case complete
    /// The timeline answered `304 Not Modified` or the body seen last while nothing was in
    /// progress: nothing parsed, no snapshot, only the run of unchanged polls recorded.
    case unchanged
    /// Only part of the window could be read: stored, never diffed (rule of evidence 2).
    case incomplete
    /// Nothing could be learned about the posts (the network, the platform or the answer failed;
    /// another host answered): the account is blind for this poll (rule of evidence 1).
    case blind(PollFailure)
    /// The host asked for no requests before a time (HTTP 429, `X-RateLimit-Reset`): blind too,
    /// and nothing is sent to that host before then.
    case rateLimited(PollFailure)
    /// The platform answered that the account is gone or closed, for `reason`.
    case accountUnavailable(Reason)

    /// The blind outcome of `failure`: ``rateLimited(_:)`` for a rate limit, else ``blind(_:)``.
    public init(failure: PollFailure) {
        self = failure.kind == .rateLimited ? .rateLimited(failure) : .blind(failure)
    }

    /// The name written for this outcome: `complete` (an unchanged poll too), `incomplete`,
    /// `blind`, `rate_limited` or `account_unavailable`.
    public var recordName: String {
        switch self {
        case .complete, .unchanged: "complete"
        case .incomplete: "incomplete"
        case .blind: "blind"
        case .rateLimited: "rate_limited"
        case .accountUnavailable: "account_unavailable"
        }
    }
}
