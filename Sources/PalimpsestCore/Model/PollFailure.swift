public import Foundation

/// Why a poll or a request saw nothing usable. A failure is never evidence (rule of evidence 1):
/// the account is `blind` for the span and no post event is derived.
public struct PollFailure: Error, Sendable, Codable, Hashable, CustomStringConvertible {
    /// The class of failure.
    public enum Kind: String, Sendable, Codable, Hashable {
        /// The host name did not resolve.
        case dns
        /// The TCP connection failed (refused, unreachable).
        case connect
        /// The TLS handshake or certificate check failed.
        case tls
        /// The connect or total timeout expired.
        case timeout
        /// The body exceeded the configured maximum size.
        case bodyTooLarge = "body_too_large"
        /// The connection closed before the whole body arrived.
        case truncated
        /// Too many redirects, or a redirect to a protocol other than http/https.
        case redirect
        /// The answer came, through a redirect, from a host other than the one asked: another
        /// host's answer is never evidence about this account (rule of evidence 8).
        case otherHost = "other_host"
        /// A redirect led to another host whose address is in a non-public network (loopback,
        /// private, link-local, CGNAT, multicast, unspecified): refused, nothing fetched there.
        case privateAddress = "private_address"
        /// Any other transport error reported by libcurl.
        case transport
        /// HTTP 429 or a platform rate-limit answer; see ``PollFailure/retryAfter``.
        case rateLimited = "rate_limited"
        /// An HTTP status that is not a usable answer (5xx, unexpected 4xx).
        case httpStatus = "http_status"
        /// A login wall, captcha, anti-bot or visitor page.
        case gated
        /// The body could not be parsed as the expected format (HTML where JSON was expected,
        /// malformed XML or JSON, an unknown feed format).
        case unparsable
        /// Most of the window (or all of it) vanished at once and the account probe proved
        /// nothing: the answer is not taken as the account's state (rule of evidence 4).
        case vanished
    }

    public var kind: Kind
    /// A one-line explanation for operators.
    public var message: String
    /// The URL of the request that failed, if any.
    public var url: String?
    /// The HTTP status, when the failure is about one.
    public var httpStatus: Int?
    /// When requests to the host may resume (UTC), for rate limits.
    public var retryAfter: Date?

    public init(kind: Kind, message: String, url: String? = nil, httpStatus: Int? = nil, retryAfter: Date? = nil) {
        self.kind = kind
        self.message = message
        self.url = url
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
    }

    enum CodingKeys: String, CodingKey {
        case kind, message, url
        case httpStatus = "http_status"
        case retryAfter = "retry_after"
    }

    public var description: String {
        var text = "\(self.kind.rawValue): \(self.message)"
        if let url = self.url { text += " (\(url))" }
        return text
    }
}
