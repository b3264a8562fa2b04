public import Foundation
public import PalimpsestCore

/// One scripted answer of ``ReplayServer``.
public struct ReplayResponse: Sendable {
    /// The HTTP status code sent.
    public var status: Int
    /// Header fields sent, in order. `Content-Length` is added (for the full body) unless present;
    /// `Connection: close` is added unless present.
    public var headers: HTTPHeaders
    /// The body sent (for `HEAD`, 204, 304 and 1xx answers no body is sent).
    public var body: Data
    /// Seconds to wait after reading the request before answering (for timeout tests).
    public var delay: TimeInterval
    /// When set, the `Content-Length` still announces the full body but the connection closes
    /// after this many body bytes (a truncated transfer).
    public var truncateBodyAt: Int?

    /// Creates a scripted answer.
    /// - Parameters:
    ///   - status: HTTP status code (default 200).
    ///   - headers: header fields, e.g. `["Content-Type": "application/json", "ETag": "\"v1\""]`.
    ///     An `ETag` makes the server answer 304 to a matching `If-None-Match`; a `Last-Modified`
    ///     makes it answer 304 to an identical `If-Modified-Since`.
    ///   - body: body bytes.
    ///   - delay: seconds to wait before answering.
    ///   - truncateBodyAt: body bytes to send before closing, if the body should arrive truncated.
    public init(
        status: Int = 200,
        headers: HTTPHeaders = HTTPHeaders(),
        body: Data = Data(),
        delay: TimeInterval = 0,
        truncateBodyAt: Int? = nil
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.truncateBodyAt = truncateBodyAt
    }

    /// An answer whose body is the contents of a file, e.g. a recorded real response from
    /// `Tests/Fixtures/real/`.
    /// - Parameters:
    ///   - url: the file to read.
    ///   - status: HTTP status code (default 200).
    ///   - contentType: the `Content-Type` value, e.g. `application/rss+xml; charset=utf-8`.
    /// - Returns: the answer with that body and a `Content-Type` header.
    /// - Throws: the file-system error when the file cannot be read.
    public static func file(_ url: URL, status: Int = 200, contentType: String) throws -> ReplayResponse {
        let body = try Data(contentsOf: url)
        return ReplayResponse(status: status, headers: ["Content-Type": contentType], body: body)
    }
}
