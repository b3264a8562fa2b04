/// An HTTP client that reports each completed request to a ``PollHeartbeat``.
struct HeartbeatHTTPClient: HTTPFetching {
    let base: any HTTPFetching
    let heartbeat: PollHeartbeat

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        defer { self.heartbeat.progress() }
        return try await self.base.send(request)
    }
}
