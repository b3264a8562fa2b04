public import Foundation

/// What an adapter made of the answer to an account-resolution request.
public enum ResolutionOutcome: Sendable, Hashable {
    /// The platform's internal account ID (e.g. Mastodon's numeric account id), kept in state.
    case resolved(id: String)
    /// The account is gone or hidden (HTTP 404/410, `suspended: true`).
    case accountUnavailable(reason: Reason, detail: String)
    /// The answer proves nothing (5xx, 429, unparsable): the poll is blind.
    case failed(PollFailure)
}

/// What an adapter made of the answers to one poll's timeline requests.
public enum TimelineOutcome: Sendable, Hashable {
    /// The posts visible in the window, in platform order (pinned included, flagged), and whether
    /// the poll saw the whole window (every request answered and parsed).
    case observed(posts: [Post], isComplete: Bool)
    /// The poll saw nothing usable: blind, no post event derived (rule of evidence 1).
    case failed(PollFailure)
    /// The answer says the account itself is gone or hidden.
    case accountUnavailable(reason: Reason, detail: String)
}

/// What an adapter read from one poll's timeline answers: the outcome, and the listing's own date
/// of its last change where the format has one (feeds: `lastBuildDate`, Atom `updated`).
public struct TimelineReading: Sendable, Hashable {
    /// Posts, a failure, or the account gone.
    public var outcome: TimelineOutcome
    /// The listing's own date of its last change (UTC), `nil` when the format or answer has none.
    public var updatedAt: Date?

    /// Creates a reading.
    public init(outcome: TimelineOutcome, updatedAt: Date? = nil) {
        self.outcome = outcome
        self.updatedAt = updatedAt
    }
}

/// Everything an adapter knows about one account between polls (kept in the account's state).
public struct AdapterContext: Sendable, Hashable {
    /// The platform's internal account ID once resolved (``ResolutionOutcome/resolved(id:)``).
    public var resolvedID: String?

    public init(resolvedID: String? = nil) {
        self.resolvedID = resolvedID
    }
}

/// One platform's knowledge: which requests to make and what the answers mean.
///
/// Adapters do no I/O: the poller sends the requests they build (through the libcurl client) and
/// hands back the answers. Every function is pure and cheap to test with recorded responses.
public protocol PlatformAdapter: Sendable {
    /// The platform this adapter handles.
    var platform: Platform { get }

    /// A request that resolves the account's internal ID, or `nil` when none is needed or
    /// `context` already holds it.
    func resolutionRequest(for account: Account, context: AdapterContext) -> HTTPRequest?

    /// Interprets the answer to ``resolutionRequest(for:context:)``.
    func interpretResolution(_ response: HTTPResponse, for account: Account) -> ResolutionOutcome

    /// The requests of one timeline poll (all of them must succeed for a complete observation).
    func timelineRequests(for account: Account, context: AdapterContext) -> [HTTPRequest]

    /// Paging: the request for the page after `response` (the answer to page `pageIndex`, 0 for
    /// the first), or `nil` when the poll has seen enough pages (the account's `pages` setting) or
    /// the platform says there are no more. Its answer is appended to the responses handed to
    /// ``observe(_:for:polledAt:)``. Default: `nil` (one page).
    func nextPageRequest(after response: HTTPResponse, pageIndex: Int, for account: Account, context: AdapterContext)
        -> HTTPRequest?

    /// Requests that complete posts the timeline gave only in part (e.g. Weibo long text through
    /// `statuses/extend`), keyed by post ID. Default: none.
    func completionRequests(for posts: [Post], of account: Account) -> [String: HTTPRequest]

    /// Applies the answers to ``completionRequests(for:of:)`` (keyed by post ID; an ID without an
    /// answer failed) and returns the posts. A post whose completion failed keeps its partial text
    /// with ``Post/isTruncated`` set, so it is never taken for an edit. Default: unchanged.
    func complete(_ posts: [Post], with answers: [String: HTTPResponse], of account: Account) -> [Post]

    /// Turns the answers to ``timelineRequests(for:context:)``, in the same order, into posts or
    /// a classified failure. A 304 never reaches this function (the poller handles it).
    func observe(_ responses: [HTTPResponse], for account: Account, polledAt: Date) -> TimelineOutcome

    /// Like ``observe(_:for:polledAt:)``, with the listing's own date of its last change (rule of
    /// evidence 3: a listing with an older date than one seen before is stale). The poller calls
    /// this one. Default: ``observe(_:for:polledAt:)`` and no date.
    func read(_ responses: [HTTPResponse], for account: Account, polledAt: Date) -> TimelineReading

    /// A request for one post's own URL or API object, or `nil` when the platform offers no
    /// usable probe for it (then absence must confirm).
    func probeRequest(for post: Post, of account: Account, context: AdapterContext) -> HTTPRequest?

    /// Classifies the answer to a probe of `post` of `account` (whose config may add rules: a
    /// watched page's `tombstones`) received at `now` (UTC; the poller's clock, never read here,
    /// so the verdict depends only on the arguments).
    func classifyProbe(_ response: HTTPResponse, for post: Post, of account: Account, now: Date) -> ProbeVerdict

    /// A request that tells whether the whole account is still there, or `nil` when none exists.
    func accountProbeRequest(for account: Account, context: AdapterContext) -> HTTPRequest?

    /// Classifies the answer to ``accountProbeRequest(for:context:)`` received at `now` (UTC; the
    /// poller's clock).
    func classifyAccountProbe(_ response: HTTPResponse, for account: Account, now: Date) -> AccountVerdict

    /// When the platform says no more requests may go to this host before a time (UTC), that time;
    /// `nil` when the answer carries no such limit. Called for every answer.
    func rateLimitReset(in response: HTTPResponse, now: Date) -> Date?

    /// A post as stored in the detector's memory, read again with today's rules: its text, media
    /// and links derived anew from what was stored of the answer (the markup as served, the
    /// title), and its version hash computed under the current ``PostVersion``. The poller calls it
    /// only for a listed post whose version hash differs from the stored one: when the two agree,
    /// the difference came from a change of Palimpsest's own normalisation (an upgrade), not from
    /// the account, and no `altered` is derived (rule of evidence 5). It must never make two
    /// different answers agree. Default: the stored fields hashed again.
    func renormalized(_ post: Post, for account: Account) -> Post
}

extension PlatformAdapter {
    public func nextPageRequest(
        after response: HTTPResponse, pageIndex: Int, for account: Account, context: AdapterContext
    ) -> HTTPRequest? { nil }

    public func completionRequests(for posts: [Post], of account: Account) -> [String: HTTPRequest] { [:] }

    public func complete(_ posts: [Post], with answers: [String: HTTPResponse], of account: Account) -> [Post] {
        posts
    }

    public func resolutionRequest(for account: Account, context: AdapterContext) -> HTTPRequest? { nil }

    public func read(_ responses: [HTTPResponse], for account: Account, polledAt: Date) -> TimelineReading {
        TimelineReading(outcome: self.observe(responses, for: account, polledAt: polledAt))
    }

    public func renormalized(_ post: Post, for account: Account) -> Post {
        post.withContent(text: post.text, title: post.title, media: post.media, links: post.links)
    }

    public func interpretResolution(_ response: HTTPResponse, for account: Account) -> ResolutionOutcome {
        .failed(PollFailure(kind: .unparsable, message: "this platform needs no account resolution"))
    }

    /// Default: the shared reading (``AnswerFailureClassifier/rateLimitReset(in:now:defaultWait:)``):
    /// HTTP 429 waits for `Retry-After` (seconds or an HTTP date, RFC 9110 §10.2.3), else 60
    /// seconds; a 503 with `Retry-After` waits that long.
    public func rateLimitReset(in response: HTTPResponse, now: Date) -> Date? {
        AnswerFailureClassifier.shared.rateLimitReset(in: response, now: now, defaultWait: 60)
    }
}

/// Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
public enum HTTPRetryAfter {
    /// The time (UTC) the header names, or `nil` when absent or unreadable.
    public static func parse(_ value: String?, now: Date) -> Date? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value), seconds >= 0 {
            return now.addingTimeInterval(TimeInterval(seconds))
        }
        return HTTPDate.parse(value)
    }
}
