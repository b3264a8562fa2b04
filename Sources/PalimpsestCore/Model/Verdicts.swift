/// A platform's answer about one post, as classified by its adapter.
public enum ProbeVerdict: Sendable, Hashable, Codable {
    /// The post still exists (HTTP 200 with the post).
    case exists
    /// The platform answered with a tombstone: the post is gone, for `reason`; `detail` quotes the
    /// platform's answer (status and message).
    case tombstone(reason: Reason, detail: String)
    /// The answer proves nothing (5xx, timeout, rate limit, an unexpected page): retry later.
    case inconclusive(detail: String)
}

/// A platform's answer about a whole account.
public enum AccountVerdict: Sendable, Hashable, Codable {
    /// The account is there and public.
    case available
    /// The account is gone or hidden, for `reason` (suspended, deleted, private, gated).
    case unavailable(reason: Reason, detail: String)
    /// The answer proves nothing.
    case inconclusive(detail: String)
}
