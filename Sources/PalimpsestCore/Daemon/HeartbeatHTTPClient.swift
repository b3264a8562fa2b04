/// An HTTP client that reports each completed request to a ``PollHeartbeat`` (and to the
/// metrics, when the endpoint is on).
struct HeartbeatHTTPClient: HTTPFetching {
    let base: any HTTPFetching
    let heartbeat: PollHeartbeat
    let metrics: DaemonMetrics?

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        defer { self.heartbeat.progress() }
        do {
            let response = try await self.base.send(request)
            self.metrics?.recordRequest(bodyBytes: response.body.count)
            return response
        } catch {
            self.metrics?.recordRequest(bodyBytes: nil)
            throw error
        }
    }
}
