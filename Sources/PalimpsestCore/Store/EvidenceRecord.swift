public import Foundation

/// One file `evidence/<sha256>.json` of an account folder: where a stored raw response body came
/// from. The body itself is `evidence/<sha256>.body`, its bytes exactly as received after content
/// decoding.
///
/// The route fields (``effectiveURL``, ``remoteAddress``, ``redirects``) are optional: records
/// written before they existed decode without them (format version stays 1).
public struct EvidenceRecord: Sendable, Codable, Hashable {
    /// One redirect followed on the way to the answer.
    public struct Redirect: Sendable, Codable, Hashable {
        /// The URL that answered with the redirect.
        public var url: String
        /// Its HTTP status (301, 302, 303, 307, 308).
        public var status: Int
        /// Its `Location` header exactly as sent.
        public var location: String
        /// The IP address connected to for it (a proxy's when a proxy was used), if known.
        public var remoteAddress: String?

        /// Creates the record of one redirect.
        public init(url: String, status: Int, location: String, remoteAddress: String? = nil) {
            self.url = url
            self.status = status
            self.location = location
            self.remoteAddress = remoteAddress
        }

        enum CodingKeys: String, CodingKey {
            case url, status, location
            case remoteAddress = "remote_ip"
        }
    }

    /// Format version (`v`), 1.
    public var v: Int
    /// The URL requested.
    public var url: String
    /// The URL of the final answer after redirects (equal to ``url`` when nothing redirected);
    /// `nil` in records written before it was kept.
    public var effectiveURL: String?
    /// The IP address the final answer came from (a proxy's when a proxy was used); `nil` when
    /// unknown or in records written before it was kept.
    public var remoteAddress: String?
    /// Every redirect followed before the answer, in order; empty when none, `nil` in records
    /// written before they were kept.
    public var redirects: [Redirect]?
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
    /// Where the WARC `response` record holding the body lies; `nil` in the `evidence/*.json`
    /// files of the earlier layout.
    public var location: WARCLocation?
    /// The WARC-Record-ID of that record; `nil` in the files of the earlier layout.
    public var recordID: String?

    /// Creates an evidence record.
    public init(
        v: Int,
        url: String,
        status: Int,
        headers: [HTTPHeaders.Field],
        fetchedAt: Date,
        sha256: String,
        size: Int,
        effectiveURL: String? = nil,
        remoteAddress: String? = nil,
        redirects: [Redirect]? = nil,
        location: WARCLocation? = nil,
        recordID: String? = nil
    ) {
        self.location = location
        self.recordID = recordID
        self.v = v
        self.url = url
        self.effectiveURL = effectiveURL
        self.remoteAddress = remoteAddress
        self.redirects = redirects
        self.status = status
        self.headers = headers
        self.fetchedAt = fetchedAt
        self.sha256 = sha256
        self.size = size
    }

    enum CodingKeys: String, CodingKey {
        case v, url, status, headers, sha256, size, redirects, location
        case recordID = "record_id"
        case fetchedAt = "fetched_at"
        case effectiveURL = "effective_url"
        case remoteAddress = "remote_ip"
    }
}
