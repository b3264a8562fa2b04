import Foundation
import Logging

/// The one way a poll asks a platform anything: the account lookup, each timeline page, each
/// completion, each post probe and the account probe all go through ``send(_:validators:)`` and
/// have their answers kept by ``capture(_:request:)``.
///
/// It adds what the account's configuration asks of every request (its cookie file, headers and
/// proxy), holds back any request to a host that asked for no requests before a time
/// (``HostRateLimits``, shared by every account on the host), adds the conditional-GET validators
/// it is given, records the rate limit an answer announces (the adapter reads it,
/// ``PlatformAdapter/rateLimitReset(in:now:)``) and stores answers as evidence (WARC records).
/// What an answer means is the caller's business (``PollSession``).
struct PollExchange: Sendable {
    let client: any HTTPFetching
    let rateLimits: HostRateLimits
    let store: any StateStoring
    let adapter: any PlatformAdapter
    let account: Account
    /// The `Cookie` header value from the account's `cookie_file`, read at the start of the poll.
    let cookie: String?
    /// The time the poll is recorded at (UTC): rate limits are judged and evidence dated by it.
    let now: Date
    let logger: Logger

    /// What came of one request.
    enum Outcome: Sendable {
        /// Nothing was sent: the host asked for no requests before this time (UTC).
        case held(until: Date)
        /// No answer arrived: an ``HTTPClientError`` (DNS, connect, TLS, timeout, a redirect into
        /// a non-public network, …) or another error of the client.
        case failed(any Error)
        /// The host answered (whatever the HTTP status).
        case answered(HTTPResponse)
    }

    /// Sends `base` with the account's additions, unless its host is rate limited at ``now``.
    /// - Parameters:
    ///   - base: the adapter's request.
    ///   - validators: the conditional-GET validators of a timeline address (`If-None-Match`,
    ///     `If-Modified-Since`), if it has any.
    /// - Returns: the request as built (what the evidence records as asked) and what came of it.
    /// - Throws: `CancellationError` when the task was cancelled (the daemon stops) or the client
    ///   shut down while the request was in flight; any other error of the client is returned as
    ///   ``Outcome/failed(_:)``.
    func send(_ base: HTTPRequest, validators: ConditionalValidators? = nil) async throws(CancellationError) -> (
        request: HTTPRequest, outcome: Outcome
    ) {
        var request = self.build(base)
        if let host = request.url.host, let until = self.rateLimits.blockedUntil(host: host, now: self.now) {
            return (request, .held(until: until))
        }
        if let validators {
            request.ifNoneMatch = validators.etag
            request.ifModifiedSince = validators.lastModified
        }
        let response: HTTPResponse
        do {
            response = try await self.client.send(request)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return (request, .failed(error))
        }
        await self.noteRateLimit(response)
        return (request, .answered(response))
    }

    /// Adds the account's cookie file (as `Cookie`, which wins over a `Cookie` in its headers), its
    /// own headers and its proxy.
    func build(_ base: HTTPRequest) -> HTTPRequest {
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

    /// Records the limit `response` announces for its host, and saves the limits when that changed
    /// them (`state_dir/rate-limits.json`; a failed save is logged: the host would only be asked a
    /// little early by a later process).
    private func noteRateLimit(_ response: HTTPResponse) async {
        guard let until = self.adapter.rateLimitReset(in: response, now: self.now), let host = response.url.host
        else { return }
        guard self.rateLimits.limit(host: host, until: until) else { return }
        self.logger.warning(
            "rate limited: no request to the host until the time given",
            metadata: [
                "account.key": "\(self.account.key)", "http.status": "\(response.status)", "host": "\(host)",
                "until": "\(RFC3339.string(from: until))",
            ])
        let limits = self.rateLimits
        let now = self.now
        do {
            try await BlockingIO.run { try limits.save(now: now) }
        } catch {
            self.logger.error(
                "could not save the rate limits; they hold in memory until a restart",
                metadata: ["account.key": "\(self.account.key)", "error": "\(error)"])
        }
    }

    /// Stores a raw answer as evidence (an append to the WARC file, synced and indexed with the
    /// poll's commit), with the request headers as sent. An answer that cannot be written (disk
    /// full) is logged and is no evidence: the caller must then derive nothing from it.
    func capture(_ response: HTTPResponse, request: HTTPRequest) async -> Result<EvidenceReference, StoreError> {
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
            return .success(try await BlockingIO.runConcurrently { try store.storeEvidence(capture) })
        } catch {
            self.logger.error(
                "could not store an answer as evidence",
                metadata: [
                    "account.key": "\(self.account.key)", "url": "\(response.url.absoluteString)", "error": "\(error)",
                ])
            return .failure(
                error as? StoreError
                    ?? StoreError(
                        operation: "write", path: store.root.appendingPathComponent("warc").path, detail: "\(error)",
                        advice: "check the state folder's disk"))
        }
    }

    /// The body of an earlier answer kept as evidence, by its SHA-256 (what a `304` confirms).
    func storedBody(sha256: String) async -> Data? {
        let store = self.store
        return try? await BlockingIO.runConcurrently { try store.evidenceBody(sha256: sha256) }
    }
}
