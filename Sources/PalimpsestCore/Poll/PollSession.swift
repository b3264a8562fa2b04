import Foundation
import Logging

/// The I/O of one poll of one account: sends every request through one ``PollExchange`` (the
/// account's headers, cookies and proxy, host rate limits, evidence capture), uses conditional GET
/// for timeline requests, and turns transport errors into poll failures or inconclusive probes.
struct PollSession: Sendable {
    let poller: AccountPoller
    let adapter: any PlatformAdapter
    let account: Account
    /// The state as last committed (what the store diffs the next commit against).
    let baseline: CommitBaseline
    let now: Date
    /// Every request of the poll goes through it.
    let exchange: PollExchange
    /// Evidence of the timeline answers of this poll, in request order.
    private(set) var evidence: [EvidenceReference] = []
    private(set) var probesSent = 0
    /// What each probe host answered in this poll, by host (the `probe_host` alarm).
    private(set) var probeHosts: [String: ProbeHostAnswer] = [:]
    /// Why a timeline answer of this poll could not be stored as evidence (disk full), if one
    /// could not: such an answer is not evidence, so nothing may be derived from the poll.
    private(set) var evidenceFault: StoreError?
    /// Set by the poller before the timeline request: an unchanged answer may end the poll
    /// (``AccountPoller/isQuiet(_:platform:)``).
    var mayEndUnchanged = false
    /// The timeline answer was a `304` or the body seen last, and ``mayEndUnchanged`` held: the
    /// poll ends with this record, nothing parsed and no evidence written.
    private(set) var unchanged: UnchangedObservation?

    /// - Parameters:
    ///   - store: where the exchange keeps the poll's answers as evidence.
    ///   - cookie: the `Cookie` header value from the account's `cookie_file`, read at the start of
    ///     the poll.
    init(
        poller: AccountPoller, adapter: any PlatformAdapter, account: Account, store: any StateStoring,
        baseline: CommitBaseline, now: Date, cookie: String? = nil
    ) {
        self.baseline = baseline
        self.poller = poller
        self.adapter = adapter
        self.account = account
        self.now = now
        self.exchange = PollExchange(
            client: poller.client, rateLimits: poller.rateLimits, store: store, adapter: adapter, account: account,
            cookie: cookie, now: now, logger: poller.logger)
    }

    /// Sends one request of the poll. Timeline requests use conditional GET: a 304 is turned back
    /// into the stored body it confirms (unchanged, never empty).
    /// - Throws: `CancellationError` when the poll is cancelled (the daemon stops) or the client is
    ///   shut down: that is not a failure of the account and must not become a blind span.
    mutating func send(_ base: HTTPRequest, timeline: Bool, state: inout AccountState) async throws(CancellationError)
        -> Result<HTTPResponse, PollFailure>
    {
        let urlKey = base.url.absoluteString
        let validators = timeline ? state.validators[urlKey] : nil
        let (request, outcome) = try await self.exchange.send(base, validators: validators)
        var response: HTTPResponse
        switch outcome {
        case .held(let until):
            return .failure(
                PollFailure(
                    kind: .rateLimited,
                    message:
                        "\(request.url.host ?? urlKey) asked for no requests before \(RFC3339.string(from: until)); waiting",
                    url: urlKey, retryAfter: until))
        case .failed(let error as HTTPClientError):
            var failure = error.pollFailure
            if error.kind == .privateAddress {
                // Name the account: the operator must know which configured address redirects inward.
                failure.message = "\(timeline ? "timeline" : "request") of \(self.account.key): \(failure.message)"
            }
            return .failure(failure)
        case .failed(let error):
            if Task.isCancelled { throw CancellationError() }
            return .failure(PollFailure(kind: .transport, message: "\(error)", url: urlKey))
        case .answered(let answer):
            response = answer
        }

        if timeline, self.mayEndUnchanged, let validators, response.isAnsweredByRequestedHost,
            response.isNotModified
                || response.status == 200 && ContentHash.sha256Hex(response.body) == validators.bodySHA256
        {
            // Unchanged: the stored body already proves what this answer says; nothing is written
            // but the run of unchanged polls, with the validators this answer leaves (a 200 may
            // carry a new ETag for the same body; a 304 without one confirms the old ones).
            let confirmed = response.isNotModified
            self.unchanged = UnchangedObservation(
                at: self.now, url: urlKey, status: response.status, bodySHA256: validators.bodySHA256,
                etag: response.headers["ETag"] ?? (confirmed ? validators.etag : nil),
                lastModified: response.headers["Last-Modified"].flatMap { HTTPDate.parse($0) }
                    ?? (confirmed ? validators.lastModified : nil))
            return .success(response)
        }
        if response.isNotModified {
            guard let validators, let body = await self.exchange.storedBody(sha256: validators.bodySHA256) else {
                return .failure(
                    PollFailure(
                        kind: .httpStatus,
                        message: "304 Not Modified without a stored body to compare; the next poll refetches",
                        url: urlKey, httpStatus: 304))
            }
            if !timeline || validators.etag == nil && validators.lastModified == nil { state.validators[urlKey] = nil }
            response = HTTPResponse(
                url: response.url, effectiveURL: response.effectiveURL, status: 200, headers: response.headers,
                body: body, httpVersion: response.httpVersion, timings: response.timings,
                redirects: response.redirects, remoteAddress: response.remoteAddress)
        }
        switch await self.exchange.capture(response, request: request) {
        case .failure(let error):
            if timeline { self.evidenceFault = error }
        case .success(let reference):
            if timeline { self.evidence.append(reference) }
            // Another host's validators must never make a later 304 of this URL replay its body.
            if timeline, response.status == 200, response.isAnsweredByRequestedHost {
                let etag = response.headers["ETag"]
                let lastModified = response.headers["Last-Modified"].flatMap { HTTPDate.parse($0) }
                // Kept without ETag or Last-Modified too: the body's SHA-256 alone lets the next
                // poll see an unchanged answer.
                state.validators[urlKey] = ConditionalValidators(
                    etag: etag, lastModified: lastModified, bodySHA256: reference.sha256)
            } else if timeline, !response.isAnsweredByRequestedHost {
                state.validators[urlKey] = nil
            }
        }
        // No adapter reads a JSON answer nested deeper than any real one: it fails the poll here
        // with a plain message, before a decoder walks it (rule of evidence 1: blind, not a crash).
        if response.isSuccess, JSONNesting.looksLikeJSON(response.body),
            let offset = JSONNesting.firstExcess(in: response.body)
        {
            return .failure(
                PollFailure(
                    kind: .unparsable,
                    message: "the answer for \(self.account.key) from \(urlKey) nests JSON arrays and objects "
                        + "deeper than \(JSONNesting.maximumDepth) levels (at byte \(offset)): no real answer does, so "
                        + "the body is broken or hostile and is not read; the account stays blind until the server "
                        + "answers normally",
                    url: urlKey, httpStatus: response.status))
        }
        return .success(response)
    }

    /// Records or clears a permanent move of a timeline (or account lookup) address to another
    /// host, and tells the operator once per account and target (rule of evidence 8: the new
    /// host's answers are still never evidence; the configuration has to name it).
    func noteMove(of response: HTTPResponse, state: inout AccountState) {
        let requested = response.url.absoluteString
        guard let hop = response.permanentMoveToOtherHost else {
            if state.moved?.from == requested {
                state.moved = nil
                self.poller.logger.notice(
                    "timeline no longer redirects to another host",
                    metadata: [
                        "account.key": "\(self.account.key)", "account.name": "\(self.account.displayName)",
                        "url": "\(requested)",
                    ])
            }
            return
        }
        let target = hop.target?.absoluteString ?? hop.location
        if let known = state.moved, known.from == requested, known.to == target { return }
        let move = TimelineMove(from: requested, to: target, status: hop.status, noticedAt: self.now)
        state.moved = move
        self.poller.logger.warning(
            """
            timeline moved to another host: its answers are never evidence about the posts seen on the old \
            host; if the new address is the same account, put it in the configuration
            """,
            metadata: [
                "account.key": "\(self.account.key)", "account.name": "\(self.account.displayName)",
                "move": "\(move.summary)", "host": "\(response.url.host ?? requested)",
            ])
    }

    /// The blind poll for a timeline or account lookup answered by another host than the one
    /// asked (rule of evidence 8): never an observation, never an account event.
    /// - Parameters:
    ///   - response: the answer that came from another host.
    ///   - what: what was asked, for the message (`timeline`, `account lookup`).
    func otherHostFailure(_ response: HTTPResponse, what: String) -> PollFailure {
        let asked = response.url.host ?? response.url.absoluteString
        let other = response.otherAnsweringHost ?? response.effectiveURL.absoluteString
        var message =
            "\(what) of \(self.account.key) was answered by \(other), not \(asked) (\(response.redirectChain), HTTP "
            + "\(response.status)): another host's answer is never evidence about this account"
        if response.permanentMoveToOtherHost != nil {
            message +=
                "; the address moved permanently: if the new one is the same account, put it in the configuration"
        }
        return PollFailure(
            kind: .otherHost, message: message, url: response.url.absoluteString, httpStatus: response.status)
    }

    /// Probes one post; a transport failure or a rate limit is an inconclusive answer.
    /// - Throws: `CancellationError` when the poll is cancelled: no answer, and not an inconclusive
    ///   one either (it would count toward `probe_attempts`).
    mutating func probe(_ base: HTTPRequest, post: Post, adapter: any PlatformAdapter, state: inout AccountState)
        async throws(CancellationError) -> ProbeResult
    {
        let account = self.account
        let now = self.now
        let (verdict, evidence) = try await self.ask(
            base, about: "the post", failure: "probe failed", inconclusive: ProbeVerdict.inconclusive(detail:)
        ) { response in
            var verdict = adapter.classifyProbe(response, for: post, of: account, now: now)
            if verdict == .exists, let path = response.redirectedPath {
                // A redirect to another page of the same host (its home page, a section) answers
                // for that page, not for the post: no proof that the post is still at its address.
                verdict = .inconclusive(
                    detail:
                        "HTTP \(response.status) from \(response.effectiveURL.absoluteString) through a redirect from "
                        + "\(response.url.path.isEmpty ? "/" : response.url.path) to \(path): another page of the host, not "
                        + "the post's own answer")
            }
            return verdict
        }
        return ProbeResult(verdict: verdict, evidence: evidence)
    }

    /// Asks the platform whether the whole account is still there.
    /// - Throws: `CancellationError` when the poll is cancelled.
    mutating func probeAccount(_ base: HTTPRequest, adapter: any PlatformAdapter, state: inout AccountState)
        async throws(CancellationError) -> AccountProbeResult
    {
        let account = self.account
        let now = self.now
        let (verdict, evidence) = try await self.ask(
            base, about: "the account", failure: "account probe failed",
            inconclusive: AccountVerdict.inconclusive(detail:)
        ) { response in
            adapter.classifyAccountProbe(response, for: account, now: now)
        }
        return AccountProbeResult(verdict: verdict, evidence: evidence)
    }

    /// Records a probe answer for its host (the `probe_host` alarm); an answer the disk refused is
    /// not the host's.
    private mutating func noteProbeAnswer(_ request: HTTPRequest, inconclusiveDetail: String?) {
        guard let host = request.url.host, inconclusiveDetail != Self.unstoredAnswer else { return }
        var answer =
            self.probeHosts[host]
            ?? ProbeHostAnswer(
                host: host, account: self.account.key, platform: self.account.platform, at: self.now,
                conclusive: false, inconclusiveAnswers: 0, detail: "")
        if let detail = inconclusiveDetail {
            answer.inconclusiveAnswers += 1
            answer.detail = detail
        } else {
            answer.conclusive = true
        }
        self.probeHosts[host] = answer
    }

    /// One probe (of a post or of the account) through the exchange. It proves nothing when the
    /// host is rate limited (nothing is sent until its limit ends), when no answer arrives, when
    /// the answer could not be kept as evidence (the probe is made again next poll) or when another
    /// host answered (rule of evidence 8: another host's 404 is no tombstone, nor its 200 a sign of
    /// life); else `classify` reads the answer.
    /// - Parameters:
    ///   - subject: what is probed, for the message (`the post`, `the account`).
    ///   - failure: the start of the detail when no answer arrived.
    /// Each answer is noted for its host (``probeHosts``).
    /// - Throws: `CancellationError` when the poll is cancelled.
    private mutating func ask<Verdict: ProbeAnswerVerdict>(
        _ base: HTTPRequest, about subject: String, failure: String,
        inconclusive: (String) -> Verdict, classify: (HTTPResponse) -> Verdict
    ) async throws(CancellationError) -> (Verdict, EvidenceReference?) {
        let answer = try await self.send(
            base, about: subject, failure: failure, inconclusive: inconclusive, classify: classify)
        self.noteProbeAnswer(base, inconclusiveDetail: answer.0.inconclusiveDetail)
        return answer
    }

    /// ``ask(_:about:failure:inconclusive:classify:)`` before the host's answer is noted.
    private mutating func send<Verdict>(
        _ base: HTTPRequest, about subject: String, failure: String,
        inconclusive: (String) -> Verdict, classify: (HTTPResponse) -> Verdict
    ) async throws(CancellationError) -> (Verdict, EvidenceReference?) {
        self.probesSent += 1
        let (request, outcome) = try await self.exchange.send(base)
        switch outcome {
        case .held(let until):
            return (inconclusive("rate limited until \(RFC3339.string(from: until))"), nil)
        case .failed(let error):
            if Task.isCancelled { throw CancellationError() }
            return (inconclusive("\(failure): \(error)"), nil)
        case .answered(let response):
            guard case .success(let evidence) = await self.exchange.capture(response, request: request) else {
                return (inconclusive(Self.unstoredAnswer), nil)
            }
            if let other = response.otherAnsweringHost {
                return (inconclusive(Self.otherHostDetail(response, other: other, about: subject)), evidence)
            }
            return (classify(response), evidence)
        }
    }

    /// The report of the poll that ended with `outcome`.
    func report(state: AccountState, events: [Event], outcome: PollOutcome) -> PollReport {
        PollReport(
            account: self.account, polledAt: self.now, outcome: outcome,
            record: state.lastPoll ?? PollRecord(at: self.now, outcome: outcome.recordName, detail: ""), events: events,
            probes: self.probesSent, blindSpan: state.detection.blindSpan,
            postsTracked: self.baseline.hasTrackedPosts ? state.detection.trackedPostCount : nil,
            eventsLogged: state.eventsLogged, moved: state.moved,
            probeHosts: self.probeHosts.values.sorted { $0.host < $1.host })
    }

    // MARK: - Helpers

    /// Why a probe answer from another host proves nothing.
    private static func otherHostDetail(_ response: HTTPResponse, other: String, about subject: String) -> String {
        "HTTP \(response.status) from \(other), not \(response.url.host ?? response.url.absoluteString) "
            + "(\(response.redirectChain)): another host's answer proves nothing about \(subject)"
    }

    /// The verdict detail of a probe whose answer could not be stored as evidence.
    static let unstoredAnswer =
        "the answer could not be stored as evidence (the state folder's disk refused the write); probed again next poll"
}

/// A probe's verdict as the probe-host bookkeeping reads it: inconclusive (with its detail) or not.
protocol ProbeAnswerVerdict {
    /// The detail of an inconclusive verdict; `nil` for a conclusive one.
    var inconclusiveDetail: String? { get }
}

extension ProbeVerdict: ProbeAnswerVerdict {
    var inconclusiveDetail: String? {
        if case .inconclusive(let detail) = self { return detail }
        return nil
    }
}

extension AccountVerdict: ProbeAnswerVerdict {
    var inconclusiveDetail: String? {
        if case .inconclusive(let detail) = self { return detail }
        return nil
    }
}
