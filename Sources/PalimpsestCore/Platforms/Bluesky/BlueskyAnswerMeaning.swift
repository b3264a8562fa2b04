/// What an AppView answer means, as a row of ``BlueskyAnswerRules/table`` says.
enum BlueskyAnswerMeaning: Sendable, Hashable {
    /// The account itself is gone or hidden: one `account_unavailable` event with `reason`;
    /// `explanation` says in words what the platform said.
    case accountUnavailable(Reason, explanation: String)
    /// The requested post is gone: a tombstone with `reason`.
    case postGone(Reason, explanation: String)
    /// Too many requests: no request to the host before the reset time; the poll is blind.
    case rateLimited
    /// The AppView wants credentials or refuses these: the poll is blind (`gated`).
    case gated(explanation: String)
    /// The server failed: the poll is blind, retry later.
    case serverError
    /// The AppView refused the request itself (a malformed parameter, a wrong `base_url`): the
    /// poll is blind and the operator should check the account's config.
    case rejected
}

/// Which AppView answers a row of ``BlueskyAnswerRules/table`` matches.
enum BlueskyAnswerMatch: Sendable, Hashable {
    /// Any answer whose HTTP status lies in the range.
    case status(ClosedRange<Int>)
    /// An XRPC error answer `{"error": <name>, "message": <text>}` with this HTTP status and
    /// error name, and, when `messageContains` is set, a message that contains it.
    case xrpcError(status: Int, name: String, messageContains: String?)
    /// A `getPosts` answer (HTTP 200, a `posts` array) that lacks a requested URI.
    case missingFromGetPosts
}
