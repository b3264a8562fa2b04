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
/// hands back the answers. Every function is pure and cheap to test with recorded responses. This
/// is what the poller calls, per ``Account``; a platform writes its adapter as a
/// ``SourcedPlatformAdapter``, which receives the account's typed source.
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
    /// ``observe(_:for:polledAt:)``. A ``SourcedPlatformAdapter``'s default: `nil` (one page).
    func nextPageRequest(after response: HTTPResponse, pageIndex: Int, for account: Account, context: AdapterContext)
        -> HTTPRequest?

    /// Requests that complete posts the timeline gave only in part (e.g. Weibo long text through
    /// `statuses/extend`), keyed by post ID. A ``SourcedPlatformAdapter``'s default: none.
    func completionRequests(for posts: [Post], of account: Account) -> [String: HTTPRequest]

    /// Applies the answers to ``completionRequests(for:of:)`` (keyed by post ID; an ID without an
    /// answer failed) and returns the posts. A post whose completion failed keeps its partial text
    /// with ``Post/isTruncated`` set, so it is never taken for an edit. A ``SourcedPlatformAdapter``'s
    /// default: unchanged.
    func complete(_ posts: [Post], with answers: [String: HTTPResponse], of account: Account) -> [Post]

    /// Turns the answers to ``timelineRequests(for:context:)``, in the same order, into posts or
    /// a classified failure. A 304 never reaches this function (the poller handles it).
    func observe(_ responses: [HTTPResponse], for account: Account, polledAt: Date) -> TimelineOutcome

    /// Like ``observe(_:for:polledAt:)``, with the listing's own date of its last change (rule of
    /// evidence 3: a listing with an older date than one seen before is stale). The poller calls
    /// this one. A ``SourcedPlatformAdapter``'s default:
    /// ``observe(_:for:polledAt:)`` and no date.
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
    /// different answers agree. A ``SourcedPlatformAdapter``'s default: the stored fields hashed again.
    func renormalized(_ post: Post, for account: Account) -> Post
}

extension PlatformAdapter {
    /// Default: the shared reading (``AnswerFailureClassifier/rateLimitReset(in:now:defaultWait:)``):
    /// HTTP 429 waits for `Retry-After` (seconds or an HTTP date, RFC 9110 §10.2.3), else 60
    /// seconds; a 503 with `Retry-After` waits that long.
    public func rateLimitReset(in response: HTTPResponse, now: Date) -> Date? {
        AnswerFailureClassifier.shared.rateLimitReset(in: response, now: now, defaultWait: 60)
    }
}

/// An account with its platform's typed source: what a ``SourcedPlatformAdapter`` reads. Every
/// property of ``Account`` reads through (`account.key`, `account.headers`, …); ``source`` is the
/// platform's own (`account.source.uid`).
@dynamicMemberLookup
public struct PlatformAccount<Source: PlatformAccountSource>: Sendable, Hashable {
    /// The account as configured.
    public let account: Account
    /// Its platform's typed source.
    public let source: Source

    /// `account` with its source as a `Source`, or `nil` when the account is another platform's.
    public init?(_ account: Account) {
        guard let source = account.source.typed(as: Source.self) else { return nil }
        self.account = account
        self.source = source
    }

    /// A property of the account.
    public subscript<Value>(dynamicMember keyPath: KeyPath<Account, Value>) -> Value {
        self.account[keyPath: keyPath]
    }
}

/// One platform's adapter, written against its typed source (`<Name>Source`): the same questions
/// as ``PlatformAdapter``, asked with a ``PlatformAccount``. The ``PlatformAdapter`` methods that
/// the poller calls check an account's source once and hand the typed account over; an account of
/// another platform gets no request and a failure that proves nothing (it never reaches an
/// adapter through ``AdapterRegistry``).
public protocol SourcedPlatformAdapter: PlatformAdapter {
    /// The platform's typed source.
    associatedtype Source: PlatformAccountSource

    /// See ``PlatformAdapter/resolutionRequest(for:context:)``. Default: `nil`.
    func resolutionRequest(for account: PlatformAccount<Source>, context: AdapterContext) -> HTTPRequest?
    /// See ``PlatformAdapter/interpretResolution(_:for:)``. Default: a failure (no resolution needed).
    func interpretResolution(_ response: HTTPResponse, for account: PlatformAccount<Source>) -> ResolutionOutcome
    /// See ``PlatformAdapter/timelineRequests(for:context:)``.
    func timelineRequests(for account: PlatformAccount<Source>, context: AdapterContext) -> [HTTPRequest]
    /// See ``PlatformAdapter/nextPageRequest(after:pageIndex:for:context:)``. Default: `nil`.
    func nextPageRequest(
        after response: HTTPResponse, pageIndex: Int, for account: PlatformAccount<Source>, context: AdapterContext
    ) -> HTTPRequest?
    /// See ``PlatformAdapter/completionRequests(for:of:)``. Default: none.
    func completionRequests(for posts: [Post], of account: PlatformAccount<Source>) -> [String: HTTPRequest]
    /// See ``PlatformAdapter/complete(_:with:of:)``. Default: unchanged.
    func complete(_ posts: [Post], with answers: [String: HTTPResponse], of account: PlatformAccount<Source>)
        -> [Post]
    /// See ``PlatformAdapter/observe(_:for:polledAt:)``.
    func observe(_ responses: [HTTPResponse], for account: PlatformAccount<Source>, polledAt: Date)
        -> TimelineOutcome
    /// See ``PlatformAdapter/read(_:for:polledAt:)``. Default: ``observe(_:for:polledAt:)`` and no date.
    func read(_ responses: [HTTPResponse], for account: PlatformAccount<Source>, polledAt: Date) -> TimelineReading
    /// See ``PlatformAdapter/probeRequest(for:of:context:)``.
    func probeRequest(for post: Post, of account: PlatformAccount<Source>, context: AdapterContext) -> HTTPRequest?
    /// See ``PlatformAdapter/classifyProbe(_:for:of:now:)``.
    func classifyProbe(_ response: HTTPResponse, for post: Post, of account: PlatformAccount<Source>, now: Date)
        -> ProbeVerdict
    /// See ``PlatformAdapter/accountProbeRequest(for:context:)``.
    func accountProbeRequest(for account: PlatformAccount<Source>, context: AdapterContext) -> HTTPRequest?
    /// See ``PlatformAdapter/classifyAccountProbe(_:for:now:)``.
    func classifyAccountProbe(_ response: HTTPResponse, for account: PlatformAccount<Source>, now: Date)
        -> AccountVerdict
    /// See ``PlatformAdapter/renormalized(_:for:)``. Default: the stored fields hashed again.
    func renormalized(_ post: Post, for account: PlatformAccount<Source>) -> Post
}

extension SourcedPlatformAdapter {
    public func resolutionRequest(for account: PlatformAccount<Source>, context: AdapterContext) -> HTTPRequest? {
        nil
    }

    public func interpretResolution(_ response: HTTPResponse, for account: PlatformAccount<Source>)
        -> ResolutionOutcome
    {
        .failed(PollFailure(kind: .unparsable, message: "this platform needs no account resolution"))
    }

    public func nextPageRequest(
        after response: HTTPResponse, pageIndex: Int, for account: PlatformAccount<Source>, context: AdapterContext
    ) -> HTTPRequest? { nil }

    public func completionRequests(for posts: [Post], of account: PlatformAccount<Source>) -> [String: HTTPRequest] {
        [:]
    }

    public func complete(_ posts: [Post], with answers: [String: HTTPResponse], of account: PlatformAccount<Source>)
        -> [Post]
    { posts }

    public func read(_ responses: [HTTPResponse], for account: PlatformAccount<Source>, polledAt: Date)
        -> TimelineReading
    {
        TimelineReading(outcome: self.observe(responses, for: account, polledAt: polledAt))
    }

    public func renormalized(_ post: Post, for account: PlatformAccount<Source>) -> Post {
        post.withContent(text: post.text, title: post.title, media: post.media, links: post.links)
    }
}

// MARK: - The dispatch: one check of the account's source per question

extension SourcedPlatformAdapter {
    /// The platform of ``Source``.
    public var platform: Platform { Source.platform }

    public func resolutionRequest(for account: Account, context: AdapterContext) -> HTTPRequest? {
        PlatformAccount<Source>(account).flatMap { self.resolutionRequest(for: $0, context: context) }
    }

    public func interpretResolution(_ response: HTTPResponse, for account: Account) -> ResolutionOutcome {
        guard let typed = PlatformAccount<Source>(account) else { return .failed(Self.otherPlatform(account)) }
        return self.interpretResolution(response, for: typed)
    }

    public func timelineRequests(for account: Account, context: AdapterContext) -> [HTTPRequest] {
        PlatformAccount<Source>(account).map { self.timelineRequests(for: $0, context: context) } ?? []
    }

    public func nextPageRequest(
        after response: HTTPResponse, pageIndex: Int, for account: Account, context: AdapterContext
    ) -> HTTPRequest? {
        PlatformAccount<Source>(account).flatMap {
            self.nextPageRequest(after: response, pageIndex: pageIndex, for: $0, context: context)
        }
    }

    public func completionRequests(for posts: [Post], of account: Account) -> [String: HTTPRequest] {
        PlatformAccount<Source>(account).map { self.completionRequests(for: posts, of: $0) } ?? [:]
    }

    public func complete(_ posts: [Post], with answers: [String: HTTPResponse], of account: Account) -> [Post] {
        PlatformAccount<Source>(account).map { self.complete(posts, with: answers, of: $0) } ?? posts
    }

    public func observe(_ responses: [HTTPResponse], for account: Account, polledAt: Date) -> TimelineOutcome {
        guard let typed = PlatformAccount<Source>(account) else { return .failed(Self.otherPlatform(account)) }
        return self.observe(responses, for: typed, polledAt: polledAt)
    }

    public func read(_ responses: [HTTPResponse], for account: Account, polledAt: Date) -> TimelineReading {
        guard let typed = PlatformAccount<Source>(account) else {
            return TimelineReading(outcome: .failed(Self.otherPlatform(account)))
        }
        return self.read(responses, for: typed, polledAt: polledAt)
    }

    public func probeRequest(for post: Post, of account: Account, context: AdapterContext) -> HTTPRequest? {
        PlatformAccount<Source>(account).flatMap { self.probeRequest(for: post, of: $0, context: context) }
    }

    public func classifyProbe(_ response: HTTPResponse, for post: Post, of account: Account, now: Date)
        -> ProbeVerdict
    {
        guard let typed = PlatformAccount<Source>(account) else {
            return .inconclusive(detail: Self.otherPlatform(account).message)
        }
        return self.classifyProbe(response, for: post, of: typed, now: now)
    }

    public func accountProbeRequest(for account: Account, context: AdapterContext) -> HTTPRequest? {
        PlatformAccount<Source>(account).flatMap { self.accountProbeRequest(for: $0, context: context) }
    }

    public func classifyAccountProbe(_ response: HTTPResponse, for account: Account, now: Date) -> AccountVerdict {
        guard let typed = PlatformAccount<Source>(account) else {
            return .inconclusive(detail: Self.otherPlatform(account).message)
        }
        return self.classifyAccountProbe(response, for: typed, now: now)
    }

    public func renormalized(_ post: Post, for account: Account) -> Post {
        guard let typed = PlatformAccount<Source>(account) else {
            return post.withContent(text: post.text, title: post.title, media: post.media, links: post.links)
        }
        return self.renormalized(post, for: typed)
    }

    /// The failure for an account of another platform: a misrouted account proves nothing.
    static func otherPlatform(_ account: Account) -> PollFailure {
        PollFailure(
            kind: .unparsable,
            message: "\(account.key) is a \(account.platform) account, not a \(Source.platform) one; "
                + "this adapter cannot poll it")
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
