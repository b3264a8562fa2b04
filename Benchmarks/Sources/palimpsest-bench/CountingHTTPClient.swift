import PalimpsestCore
import Synchronization

/// The real libcurl client with a counter in front: every request goes to ``CurlHTTPClient``
/// unchanged; the answers' count and body sizes are added up.
final class CountingHTTPClient: HTTPFetching {
    /// What went through the client so far.
    struct Counts: Sendable {
        /// Answers received (any status).
        var responses = 0
        /// Body bytes received, after content decoding.
        var bodyBytes = 0
    }

    private let client: CurlHTTPClient
    private let counts = Mutex(Counts())

    /// Wraps `client`.
    init(_ client: CurlHTTPClient) {
        self.client = client
    }

    /// Sends `request` through the wrapped client and counts its answer.
    /// - Throws: whatever ``CurlHTTPClient/send(_:)`` throws.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await self.client.send(request)
        self.counts.withLock {
            $0.responses += 1
            $0.bodyBytes += response.body.count
        }
        return response
    }

    /// The counts so far.
    var snapshot: Counts { self.counts.withLock { $0 } }
}
