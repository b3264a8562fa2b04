public import Foundation
public import PalimpsestCore

/// One request as ``ReplayServer`` received it.
public struct ReplayedRequest: Sendable, Hashable {
    /// The request method, e.g. `GET`.
    public var method: String
    /// The request target: the path with its query, e.g. `/api/v1/accounts/lookup?acct=x`, or the
    /// absolute URL of a request sent through the server as a proxy (`http://feed.example/feed.xml`).
    public var path: String
    /// The header fields in the order received.
    public var headers: HTTPHeaders
    /// The request body (empty for most requests).
    public var body: Data
    /// When the request head had been read (UTC).
    public var receivedAt: Date

    /// Creates a record of a received request.
    public init(method: String, path: String, headers: HTTPHeaders, body: Data = Data(), receivedAt: Date = Date()) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.receivedAt = receivedAt
    }
}
