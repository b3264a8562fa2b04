public import Foundation

/// One file `evidence/<sha256>.json` of an account folder: where a stored raw response body came
/// from. The body itself is `evidence/<sha256>.body`, its bytes exactly as received after content
/// decoding.
public struct EvidenceRecord: Sendable, Codable, Hashable {
    /// Format version (`v`), 1.
    public var v: Int
    /// The URL requested.
    public var url: String
    /// The HTTP status of the answer.
    public var status: Int
    /// The response header fields, in the order received.
    public var headers: [HTTPHeaders.Field]
    /// When the answer was received, UTC (the first fetch that produced this body).
    public var fetchedAt: Date
    /// SHA-256 of the body, lowercase hex.
    public var sha256: String
    /// Size of the body in bytes.
    public var size: Int

    /// Creates an evidence record.
    public init(
        v: Int,
        url: String,
        status: Int,
        headers: [HTTPHeaders.Field],
        fetchedAt: Date,
        sha256: String,
        size: Int
    ) {
        self.v = v
        self.url = url
        self.status = status
        self.headers = headers
        self.fetchedAt = fetchedAt
        self.sha256 = sha256
        self.size = size
    }

    enum CodingKeys: String, CodingKey {
        case v, url, status, headers, sha256, size
        case fetchedAt = "fetched_at"
    }
}
