import Foundation
import Logging

/// The I/O of one poll of one account: sends requests through the client while honouring host
/// rate limits and conditional GET, stores every answer as evidence, and turns transport errors
/// into poll failures.
struct PollSession: Sendable {
    let poller: AccountPoller
    let adapter: any PlatformAdapter
    let account: Account
    let store: any StateStoring
    /// The state as last committed (what the store diffs the next commit against).
    let baseline: CommitBaseline
    let now: Date
    /// The `Cookie` header value from the account's `cookie_file`, read at the start of the poll.
    let cookie: String?
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

    init(
        poller: AccountPoller, adapter: any PlatformAdapter, account: Account, store: any StateStoring,
        baseline: CommitBaseline, now: Date, cookie: String? = nil
    ) {
        self.baseline = baseline
        self.poller = poller
        self.adapter = adapter
        self.account = account
        self.store = store
        self.now = now
        self.cookie = cookie
    }

    /// Sends one request of the poll. Timeline requests use conditional GET: a 304 is turned back
    /// into the stored body it confirms (unchanged, never empty).
    /// - Throws: `CancellationError` when the poll is cancelled (the daemon stops) or the client is
    ///   shut down: that is not a failure of the account and must not become a blind span.
    mutating func send(_ base: HTTPRequest, timeline: Bool, state: inout AccountState) async throws(CancellationError)
        -> Result<HTTPResponse, PollFailure>
    {
        var request = self.prepare(base)
        let urlKey = request.url.absoluteString
        if let host = request.url.host, let until = self.poller.rateLimits.blockedUntil(host: host, now: self.now) {
            return .failure(
                PollFailure(
                    kind: .rateLimited,
                    message: "\(host) asked for no requests before \(RFC3339.string(from: until)); waiting",
                    url: urlKey, retryAfter: until))
        }
        let validators = timeline ? state.validators[urlKey] : nil
        if let validators {
            request.ifNoneMatch = validators.etag
            request.ifModifiedSince = validators.lastModified
        }
        var response: HTTPResponse
        do {
            response = try await self.poller.client.send(request)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as HTTPClientError {
            var failure = error.pollFailure
            if error.kind == .privateAddress {
                // Name the account: the operator must know which configured address redirects inward.
                failure.message = "\(timeline ? "timeline" : "request") of \(self.account.key): \(failure.message)"
            }
            return .failure(failure)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            return .failure(PollFailure(kind: .transport, message: "\(error)", url: urlKey))
        }
        await self.noteRateLimit(response)

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
            guard let validators, let body = await self.storedBody(sha256: validators.bodySHA256) else {
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
        switch await self.storeEvidence(response, request: request) {
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
                    "\(requested) no longer redirects to another host",
                    metadata: ["account.key": "\(self.account.key)", "account.name": "\(self.account.displayName)"])
            }
            return
        }
        let target = hop.target?.absoluteString ?? hop.location
        if let known = state.moved, known.from == requested, known.to == target { return }
        let move = TimelineMove(from: requested, to: target, status: hop.status, noticedAt: self.now)
        state.moved = move
        let message =
            "\(self.account.key) moved: \(move.summary); its answers are never evidence about the posts seen on "
            + "\(response.url.host ?? requested). If the new address is the same account, put it in the "
            + "configuration"
        self.poller.logger.warning(
            "\(message)",
            metadata: ["account.key": "\(self.account.key)", "account.name": "\(self.account.displayName)"])
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
        let result = try await self.askProbe(base, post: post, adapter: adapter, state: &state)
        if case .inconclusive(let detail) = result.verdict {
            self.noteProbeAnswer(base, conclusive: false, detail: detail)
        } else {
            self.noteProbeAnswer(base, conclusive: true, detail: "")
        }
        return result
    }

    /// Records a probe answer for its host; an answer the disk refused is not the host's.
    private mutating func noteProbeAnswer(_ request: HTTPRequest, conclusive: Bool, detail: String) {
        guard let host = request.url.host, detail != Self.unstoredAnswer else { return }
        var answer =
            self.probeHosts[host]
            ?? ProbeHostAnswer(
                host: host, account: self.account.key, platform: self.account.platform, at: self.now,
                conclusive: false, inconclusiveAnswers: 0, detail: "")
        if conclusive {
            answer.conclusive = true
        } else {
            answer.inconclusiveAnswers += 1
            answer.detail = detail
        }
        self.probeHosts[host] = answer
    }

    private mutating func askProbe(
        _ base: HTTPRequest, post: Post, adapter: any PlatformAdapter, state: inout AccountState
    ) async throws(CancellationError) -> ProbeResult {
        self.probesSent += 1
        let request = self.prepare(base)
        if let host = request.url.host, let until = self.poller.rateLimits.blockedUntil(host: host, now: self.now) {
            return ProbeResult(
                verdict: .inconclusive(detail: "rate limited until \(RFC3339.string(from: until))"), evidence: nil)
        }
        do {
            let response = try await self.poller.client.send(request)
            await self.noteRateLimit(response)
            // An answer that could not be kept is no evidence: the probe is made again next poll.
            guard case .success(let evidence) = await self.storeEvidence(response, request: request) else {
                return ProbeResult(verdict: .inconclusive(detail: Self.unstoredAnswer), evidence: nil)
            }
            if let other = response.otherAnsweringHost {
                // Rule of evidence 8: another host's 404 is not this post's tombstone, nor its 200 a sign of life.
                return ProbeResult(
                    verdict: .inconclusive(detail: Self.otherHostDetail(response, other: other, about: "the post")),
                    evidence: evidence)
            }
            var verdict = adapter.classifyProbe(response, for: post, of: self.account, now: self.now)
            if verdict == .exists, let path = response.redirectedPath {
                // A redirect to another page of the same host (its home page, a section) answers
                // for that page, not for the post: no proof that the post is still at its address.
                verdict = .inconclusive(
                    detail: "HTTP \(response.status) from \(response.effectiveURL.absoluteString) through a redirect from "
                        + "\(response.url.path.isEmpty ? "/" : response.url.path) to \(path): another page of the host, not "
                        + "the post's own answer")
            }
            return ProbeResult(verdict: verdict, evidence: evidence)
        } catch {
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            return ProbeResult(verdict: .inconclusive(detail: "probe failed: \(error)"), evidence: nil)
        }
    }

    /// Asks the platform whether the whole account is still there.
    /// - Throws: `CancellationError` when the poll is cancelled.
    mutating func probeAccount(_ base: HTTPRequest, adapter: any PlatformAdapter, state: inout AccountState) async
        throws(CancellationError) -> AccountProbeResult
    {
        let result = try await self.askAccountProbe(base, adapter: adapter, state: &state)
        if case .inconclusive(let detail) = result.verdict {
            self.noteProbeAnswer(base, conclusive: false, detail: detail)
        } else {
            self.noteProbeAnswer(base, conclusive: true, detail: "")
        }
        return result
    }

    private mutating func askAccountProbe(_ base: HTTPRequest, adapter: any PlatformAdapter, state: inout AccountState)
        async throws(CancellationError) -> AccountProbeResult
    {
        self.probesSent += 1
        let request = self.prepare(base)
        do {
            let response = try await self.poller.client.send(request)
            await self.noteRateLimit(response)
            guard case .success(let evidence) = await self.storeEvidence(response, request: request) else {
                return AccountProbeResult(verdict: .inconclusive(detail: Self.unstoredAnswer), evidence: nil)
            }
            if let other = response.otherAnsweringHost {
                return AccountProbeResult(
                    verdict: .inconclusive(detail: Self.otherHostDetail(response, other: other, about: "the account")),
                    evidence: evidence)
            }
            return AccountProbeResult(
                verdict: adapter.classifyAccountProbe(response, for: self.account, now: self.now), evidence: evidence)
        } catch {
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            return AccountProbeResult(verdict: .inconclusive(detail: "account probe failed: \(error)"), evidence: nil)
        }
    }

    func report(state: AccountState, events: [Event]) -> PollReport {
        PollReport(
            account: self.account, polledAt: self.now,
            record: state.lastPoll ?? PollRecord(at: self.now, outcome: "unknown", detail: ""), events: events,
            probes: self.probesSent, blindSpan: state.detection.blindSpan,
            postsTracked: state.detection.trackedPostCount, eventsLogged: state.eventsLogged, moved: state.moved,
            probeHosts: self.probeHosts.values.sorted { $0.host < $1.host })
    }

    // MARK: - Helpers

    /// Adds the account's cookie file (as `Cookie`, which wins over a `Cookie` in its headers), its
    /// own headers and its proxy.
    private func prepare(_ base: HTTPRequest) -> HTTPRequest {
        var request = base
        if let cookie = self.cookie, request.headers["Cookie"] == nil {
            request.headers.add(name: "Cookie", value: cookie)
        }
        for (name, value) in self.account.headers.sorted(by: { $0.key < $1.key }) where request.headers[name] == nil {
            request.headers.add(name: name, value: value)
        }
        if request.proxy == nil { request.proxy = self.account.proxy }
        return request
    }

    /// Why a probe answer from another host proves nothing.
    private static func otherHostDetail(_ response: HTTPResponse, other: String, about subject: String) -> String {
        "HTTP \(response.status) from \(other), not \(response.url.host ?? response.url.absoluteString) "
            + "(\(response.redirectChain)): another host's answer proves nothing about \(subject)"
    }

    private func noteRateLimit(_ response: HTTPResponse) async {
        guard let until = self.adapter.rateLimitReset(in: response, now: self.now), let host = response.url.host
        else { return }
        guard self.poller.rateLimits.limit(host: host, until: until) else { return }
        self.poller.logger.warning(
            "rate limited by \(host) until \(RFC3339.string(from: until))",
            metadata: ["account.key": "\(self.account.key)", "http.status": "\(response.status)"])
        let limits = self.poller.rateLimits
        let now = self.now
        do {
            try await BlockingIO.run { try limits.save(now: now) }
        } catch {
            self.poller.logger.error("could not save the rate limits: \(error)")
        }
    }

    /// The verdict detail of a probe whose answer could not be stored as evidence.
    static let unstoredAnswer =
        "the answer could not be stored as evidence (the state folder's disk refused the write); probed again next poll"

    /// Stores a raw answer as evidence. An answer that cannot be written (disk full) is logged and
    /// is no evidence: a probe answer then proves nothing, and a timeline answer fails the poll's
    /// commit (``evidenceFault``), so no finding ever cites an answer that was not kept.
    private func storeEvidence(_ response: HTTPResponse, request: HTTPRequest) async -> Result<
        EvidenceReference, StoreError
    > {
        let store = self.store
        var requestHeaders = request.headers.fields
        if let etag = request.ifNoneMatch { requestHeaders.append(.init(name: "If-None-Match", value: etag)) }
        if let since = request.ifModifiedSince {
            requestHeaders.append(.init(name: "If-Modified-Since", value: HTTPDate.string(from: since)))
        }
        let capture = EvidenceCapture(
            account: self.account.key, method: request.method, url: response.url.absoluteString,
            requestHeaders: requestHeaders, effectiveURL: response.effectiveURL.absoluteString,
            status: response.status, httpVersion: response.httpVersion, headers: response.headers.fields,
            body: response.body, fetchedAt: self.now, remoteAddress: response.remoteAddress,
            redirects: response.redirects.map {
                EvidenceRecord.Redirect(
                    url: $0.url.absoluteString, status: $0.status, location: $0.location,
                    remoteAddress: $0.remoteAddress)
            })
        do {
            // An append to the WARC file, synced and indexed with the poll's commit.
            return .success(try await BlockingIO.runConcurrently { try store.storeEvidence(capture) })
        } catch {
            self.poller.logger.error(
                "could not store the answer from \(response.url.absoluteString) as evidence: \(error)",
                metadata: ["account.key": "\(self.account.key)"])
            return .failure(
                error as? StoreError
                    ?? StoreError(
                        operation: "write", path: store.root.appendingPathComponent("warc").path, detail: "\(error)",
                        advice: "check the state folder's disk"))
        }
    }

    private func storedBody(sha256: String) async -> Data? {
        let store = self.store
        return try? await BlockingIO.runConcurrently { try store.evidenceBody(sha256: sha256) }
    }
}
