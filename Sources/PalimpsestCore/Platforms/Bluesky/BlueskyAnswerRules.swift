import Foundation

/// The one table that turns Bluesky AppView answers into outcomes (issue 3, item 11).
///
/// Every answer that is not a usable HTTP 2xx body is matched against ``table`` in order; the
/// first matching row decides. The adapter maps a row's meaning onto each question it asks
/// (resolution, timeline, post probe, account probe): only `getProfile` and `getAuthorFeed`
/// answers can make an account unavailable, only a `getPosts` answer can make a tombstone,
/// and nothing here is ever a post deletion by itself (rule of evidence 1). A new platform
/// message is one row to add.
///
/// The AppView's error bodies are always `{"error": <name>, "message": <text>}` (FORMATS.md §2,
/// `xrpc-server/src/errors.ts`); no recorded error body exists, so the shapes come from the
/// AppView source that FORMATS.md cites.
enum BlueskyAnswerRules {
    /// The rules, first match wins.
    static let table: AnswerTable<BlueskyAnswerMatch, BlueskyAnswerMeaning> = [
        AnswerRule(
            match: .status(429...429),
            meaning: .rateLimited,
            source: "FORMATS.md §2 Rate limit: 429 {\"error\":\"RateLimitExceeded\"} with RateLimit-Reset (unix s) "
                + "and Retry-After (s); xrpc-server/src/rate-limiter-http.ts; bsky-docs advanced-guides/rate-limits.md"
        ),
        AnswerRule(
            match: .xrpcError(status: 400, name: "AccountTakedown", messageContains: nil),
            meaning: .accountUnavailable(
                .accountSuspended, explanation: "the account was suspended (taken down by Bluesky moderation)"),
            source: "FORMATS.md §2 Suspended / nonexistent: getProfile 400 {\"error\":\"AccountTakedown\","
                + "\"message\":\"Account has been suspended\"}; bsky api/app/bsky/actor/getProfile.ts"
        ),
        AnswerRule(
            match: .xrpcError(status: 400, name: "AccountDeactivated", messageContains: nil),
            meaning: .accountUnavailable(
                .accountDeleted, explanation: "the account is deactivated by its owner (it may be reactivated)"),
            source: "FORMATS.md §2 Suspended / nonexistent: getProfile 400 {\"error\":\"AccountDeactivated\","
                + "\"message\":\"Account is deactivated\"}; bsky api/app/bsky/actor/getProfile.ts"
        ),
        AnswerRule(
            match: .xrpcError(status: 400, name: "InvalidRequest", messageContains: "Profile not found"),
            meaning: .accountUnavailable(
                .accountDeleted,
                explanation: "no such profile: the account was deleted (or, for a handle, the handle changed)"),
            source: "FORMATS.md §2 Suspended / nonexistent: 400 {\"error\":\"InvalidRequest\","
                + "\"message\":\"Profile not found\"}; bsky actor/getProfile.ts, feed/getAuthorFeed.ts"
        ),
        AnswerRule(
            match: .xrpcError(status: 400, name: "BlockedActor", messageContains: nil),
            meaning: .gated(
                explanation: "the credentials in this account's headers block the account "
                    + "(remove the Authorization header or unblock it)"),
            source: "FORMATS.md §2 Private / protected: 400 BlockedActor \"Requester has blocked actor\"; "
                + "lexicon app/bsky/feed/getAuthorFeed.json errors; bsky feed/getAuthorFeed.ts"
        ),
        AnswerRule(
            match: .xrpcError(status: 400, name: "BlockedByActor", messageContains: nil),
            meaning: .gated(
                explanation: "the account blocks the credentials in this account's headers "
                    + "(remove the Authorization header)"),
            source: "FORMATS.md §2 Private / protected: 400 BlockedByActor \"Requester is blocked by actor\"; "
                + "lexicon app/bsky/feed/getAuthorFeed.json errors; bsky feed/getAuthorFeed.ts"
        ),
        AnswerRule(
            match: .status(401...401),
            meaning: .gated(explanation: "the AppView requires authentication (HTTP 401 AuthenticationRequired)"),
            source: "xrpc/src/types.ts ResponseType 401 AuthenticationRequired (FORMATS.md §2 sources)"
        ),
        AnswerRule(
            match: .status(403...403),
            meaning: .gated(explanation: "the AppView refused access (HTTP 403 Forbidden)"),
            source: "xrpc/src/types.ts ResponseType 403 Forbidden (FORMATS.md §2 sources)"
        ),
        AnswerRule(
            match: .status(500...599),
            meaning: .serverError,
            source: "xrpc/src/types.ts ResponseType 500 InternalServerError, 502 UpstreamFailure, "
                + "503 NotEnoughResources, 504 UpstreamTimeout (FORMATS.md §2 sources)"
        ),
        AnswerRule(
            match: .status(400...499),
            meaning: .rejected,
            source: "xrpc/src/types.ts ResponseType 400 InvalidRequest, 404 XRPCNotSupported (FORMATS.md §2 sources)"
        ),
        AnswerRule(
            match: .missingFromGetPosts,
            meaning: .postGone(
                .removed,
                explanation: "getPosts no longer returns the post (deleted by its author or taken down: "
                    + "the AppView does not say which)"),
            source: "FORMATS.md §2 Deleted post: getPosts silently omits posts it cannot hydrate; "
                + "bsky api/app/bsky/feed/getPosts.ts (mapDefined); lexicon app/bsky/feed/getPosts.json"
        ),
    ]

    /// An XRPC error body: `{"error": <name>, "message": <text>}`, both optional.
    struct XRPCError: Decodable, Sendable, Hashable {
        var error: String?
        var message: String?
    }

    /// The first row that matches an answer that is not a 2xx, and the answer's XRPC error body
    /// when it has one; `nil` for a 2xx answer or one no row matches.
    static func rule(for response: HTTPResponse)
        -> (rule: AnswerRule<BlueskyAnswerMatch, BlueskyAnswerMeaning>, error: XRPCError?)?
    {
        guard !response.isSuccess else { return nil }
        let error = try? JSONDecoder().decode(XRPCError.self, from: response.body)
        let found = self.table.firstMatch { match in
            switch match {
            case .status(let range):
                return range.contains(response.status)
            case .xrpcError(let status, let name, let messageContains):
                guard response.status == status, error?.error == name else { return false }
                if let messageContains, !(error?.message ?? "").contains(messageContains) { return false }
                return true
            case .missingFromGetPosts:
                return false
            }
        }
        return found.map { ($0, error) }
    }

    /// The row for a `getPosts` answer that lacks the requested post.
    static var missingFromGetPosts: AnswerRule<BlueskyAnswerMatch, BlueskyAnswerMeaning> {
        // The table holds this row; the fallback only keeps the function total.
        self.table.firstMatch { $0 == .missingFromGetPosts }
            ?? AnswerRule(
                match: .missingFromGetPosts, meaning: .postGone(.removed, explanation: "getPosts omits the post"),
                source: "FORMATS.md §2")
    }
}
