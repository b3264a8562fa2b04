import Foundation
import Logging

/// The I/O of one poll of one account: sends requests through the client while honouring host
/// rate limits and conditional GET, stores every answer as evidence, and turns transport errors
/// into poll failures.
struct PollSession: Sendable {
    let poller: AccountPoller
    let adapter: any PlatformAdapter
    let account: Account
    let store: AccountStore
    let now: Date
    /// The `Cookie` header value from the account's `cookie_file`, read at the start of the poll.
    let cookie: String?
    /// Evidence of the timeline answers of this poll, in request order.
    private(set) var evidence: [EvidenceReference] = []
    private(set) var probesSent = 0

    init(
        poller: AccountPoller, adapter: any PlatformAdapter, account: Account, store: AccountStore, now: Date,
        cookie: String? = nil
    ) {
        self.poller = poller
        self.adapter = adapter
        self.account = account
        self.store = store
        self.now = now
        self.cookie = cookie
    }

    /// Sends one request of the poll. Timeline requests use conditional GET: a 304 is turned back
    /// into the stored body it confirms (unchanged, never empty).
    mutating func send(_ base: HTTPRequest, timeline: Bool, state: inout AccountState) async -> Result<
        HTTPResponse, PollFailure
    > {
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
        } catch let error as HTTPClientError {
            return .failure(error.pollFailure)
        } catch {
            return .failure(PollFailure(kind: .transport, message: "\(error)", url: urlKey))
        }
        await self.noteRateLimit(response)

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
                body: body, httpVersion: response.httpVersion, timings: response.timings)
        }
        if let reference = await self.storeEvidence(response) {
            if timeline { self.evidence.append(reference) }
            if timeline, response.status == 200 {
                let etag = response.headers["ETag"]
                let lastModified = response.headers["Last-Modified"].flatMap { HTTPDate.parse($0) }
                if etag != nil || lastModified != nil {
                    state.validators[urlKey] = ConditionalValidators(
                        etag: etag, lastModified: lastModified, bodySHA256: reference.sha256)
                } else {
                    state.validators[urlKey] = nil
                }
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

    /// Probes one post; a transport failure or a rate limit is an inconclusive answer.
    mutating func probe(_ base: HTTPRequest, post: Post, adapter: any PlatformAdapter, state: inout AccountState)
        async -> ProbeResult
    {
        self.probesSent += 1
        let request = self.prepare(base)
        if let host = request.url.host, let until = self.poller.rateLimits.blockedUntil(host: host, now: self.now) {
            return ProbeResult(
                verdict: .inconclusive(detail: "rate limited until \(RFC3339.string(from: until))"), evidence: nil)
        }
        do {
            let response = try await self.poller.client.send(request)
            await self.noteRateLimit(response)
            let evidence = await self.storeEvidence(response)
            let verdict = adapter.classifyProbe(response, for: post, of: self.account)
            return ProbeResult(verdict: verdict, evidence: evidence)
        } catch {
            return ProbeResult(verdict: .inconclusive(detail: "probe failed: \(error)"), evidence: nil)
        }
    }

    /// Asks the platform whether the whole account is still there.
    mutating func probeAccount(_ base: HTTPRequest, adapter: any PlatformAdapter, state: inout AccountState) async
        -> AccountProbeResult
    {
        self.probesSent += 1
        let request = self.prepare(base)
        do {
            let response = try await self.poller.client.send(request)
            await self.noteRateLimit(response)
            let evidence = await self.storeEvidence(response)
            return AccountProbeResult(
                verdict: adapter.classifyAccountProbe(response, for: self.account), evidence: evidence)
        } catch {
            return AccountProbeResult(verdict: .inconclusive(detail: "account probe failed: \(error)"), evidence: nil)
        }
    }

    func report(state: AccountState, events: [Event]) -> PollReport {
        PollReport(
            account: self.account, polledAt: self.now,
            record: state.lastPoll ?? PollRecord(at: self.now, outcome: "unknown", detail: ""), events: events,
            probes: self.probesSent, blindSpan: state.detection.blindSpan,
            postsTracked: state.detection.trackedPostCount, eventsLogged: state.eventsLogged)
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

    /// Stores a raw answer as evidence. Evidence that cannot be written is logged, never fatal for
    /// the poll: the snapshot still records the posts, and a later event cites what exists.
    private func storeEvidence(_ response: HTTPResponse) async -> EvidenceReference? {
        let store = self.store
        let now = self.now
        do {
            return try await BlockingIO.run {
                try store.storeEvidence(
                    body: response.body, url: response.url.absoluteString, status: response.status,
                    headers: response.headers, fetchedAt: now)
            }
        } catch {
            self.poller.logger.error(
                "could not store evidence: \(error)", metadata: ["account.key": "\(self.account.key)"])
            return nil
        }
    }

    private func storedBody(sha256: String) async -> Data? {
        let store = self.store
        return try? await BlockingIO.run { try store.evidenceBody(sha256: sha256) }
    }
}
