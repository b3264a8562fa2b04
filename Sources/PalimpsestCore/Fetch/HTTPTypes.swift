public import Foundation

/// HTTP header fields in order, with case-insensitive lookup (RFC 9110: names are
/// case-insensitive; a name may repeat).
public struct HTTPHeaders: Sendable, Hashable, Codable, Sequence, ExpressibleByDictionaryLiteral,
    ExpressibleByArrayLiteral
{
    /// The fields in the order received or added.
    public private(set) var fields: [Field]

    /// One header field.
    public struct Field: Sendable, Hashable, Codable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { Field(name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public init(arrayLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// These fields followed by `other`'s.
    public static func + (lhs: HTTPHeaders, rhs: HTTPHeaders) -> HTTPHeaders {
        var merged = lhs
        for field in rhs.fields { merged.add(name: field.name, value: field.value) }
        return merged
    }

    /// Appends a field (keeps earlier fields of the same name).
    public mutating func add(name: String, value: String) {
        self.fields.append(Field(name: name, value: value))
    }

    /// Replaces every field of this name with one field.
    public mutating func replaceOrAdd(name: String, value: String) {
        self.fields.removeAll { Self.isSameName($0.name, name) }
        self.fields.append(Field(name: name, value: value))
    }

    /// The first value of the field `name` (case-insensitive), if present.
    public subscript(name: String) -> String? {
        self.fields.first { Self.isSameName($0.name, name) }?.value
    }

    /// Every value of the field `name` (case-insensitive).
    public func values(for name: String) -> [String] {
        self.fields.filter { Self.isSameName($0.name, name) }.map(\.value)
    }

    /// Whether two field names are the same, case-insensitively (`caseInsensitiveCompare`). Names
    /// of ASCII bytes only (every HTTP token) are compared byte by byte, A–Z folded to a–z: the
    /// same answer, without Foundation's string comparison, which was a twenty-fifth of a poll
    /// cycle in which nothing changed (each 304 reads `ETag` and `Last-Modified`, each request
    /// sets its validators). Any other name goes through `caseInsensitiveCompare`.
    static func isSameName(_ first: String, _ second: String) -> Bool {
        var isASCII = true
        var isEqual = first.utf8.count == second.utf8.count
        if isEqual {
            for (a, b) in zip(first.utf8, second.utf8) {
                guard a < 0x80, b < 0x80 else {
                    isASCII = false
                    break
                }
                if a != b, a | 0x20 != b | 0x20 || !(0x61...0x7A).contains(a | 0x20) {
                    isEqual = false
                    break
                }
            }
        }
        if isASCII, isEqual { return true }
        if isASCII, first.utf8.allSatisfy({ $0 < 0x80 }), second.utf8.allSatisfy({ $0 < 0x80 }) { return false }
        return first.caseInsensitiveCompare(second) == .orderedSame
    }

    public func makeIterator() -> IndexingIterator<[Field]> { self.fields.makeIterator() }
}

/// One HTTP request as the fetcher sends it.
public struct HTTPRequest: Sendable, Hashable {
    /// Absolute `http` or `https` URL.
    public var url: URL
    /// Request method, `GET` unless stated.
    public var method: String
    /// Extra request headers (User-Agent comes from the client's configuration unless set here).
    public var headers: HTTPHeaders
    /// Request body, if any.
    public var body: Data?
    /// Sends `If-None-Match` with this entity tag (conditional GET).
    public var ifNoneMatch: String?
    /// Sends `If-Modified-Since` with this time (conditional GET).
    public var ifModifiedSince: Date?
    /// Total time allowed for the transfer once started, in seconds; `nil` uses the client default.
    public var timeout: TimeInterval?
    /// Proxy URL (`http://`, `https://`, `socks5h://`); `nil` uses the client default, `""` none.
    public var proxy: String?
    /// Maximum body size in bytes; `nil` uses the client default (8 MiB).
    public var maxBodyBytes: Int?

    public init(
        url: URL,
        method: String = "GET",
        headers: HTTPHeaders = HTTPHeaders(),
        body: Data? = nil,
        ifNoneMatch: String? = nil,
        ifModifiedSince: Date? = nil,
        timeout: TimeInterval? = nil,
        proxy: String? = nil,
        maxBodyBytes: Int? = nil
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.ifNoneMatch = ifNoneMatch
        self.ifModifiedSince = ifModifiedSince
        self.timeout = timeout
        self.proxy = proxy
        self.maxBodyBytes = maxBodyBytes
    }
}

/// Where the time of one transfer went, in seconds from the start of the transfer
/// (libcurl's `CURLINFO_*_TIME_T` values).
public struct HTTPTimings: Sendable, Hashable, Codable {
    public var nameLookup: TimeInterval
    public var connect: TimeInterval
    public var tlsHandshake: TimeInterval
    public var firstByte: TimeInterval
    public var total: TimeInterval

    public init(
        nameLookup: TimeInterval = 0, connect: TimeInterval = 0, tlsHandshake: TimeInterval = 0,
        firstByte: TimeInterval = 0, total: TimeInterval = 0
    ) {
        self.nameLookup = nameLookup
        self.connect = connect
        self.tlsHandshake = tlsHandshake
        self.firstByte = firstByte
        self.total = total
    }
}

/// One HTTP answer (after redirects), whatever its status, with the way it came: the redirects
/// followed and the address it came from.
public struct HTTPResponse: Sendable, Hashable {
    /// The URL that was requested.
    public var url: URL
    /// The URL of the final answer after redirects.
    public var effectiveURL: URL
    /// HTTP status code of the final answer.
    public var status: Int
    /// Header fields of the final answer.
    public var headers: HTTPHeaders
    /// The body, decoded from any `Content-Encoding`.
    public var body: Data
    /// Negotiated HTTP version, e.g. `1.1`, `2`.
    public var httpVersion: String
    /// Time spent.
    public var timings: HTTPTimings
    /// Every redirect followed before this answer, in order (status and `Location` of each); empty
    /// when the requested URL answered directly.
    public var redirects: [HTTPRedirect]
    /// The IP address the final answer came from (libcurl's `CURLINFO_PRIMARY_IP`): the proxy's
    /// address when a proxy was used; `nil` when unknown (scripted answers).
    public var remoteAddress: String?

    public init(
        url: URL,
        effectiveURL: URL? = nil,
        status: Int,
        headers: HTTPHeaders = HTTPHeaders(),
        body: Data = Data(),
        httpVersion: String = "1.1",
        timings: HTTPTimings = HTTPTimings(),
        redirects: [HTTPRedirect] = [],
        remoteAddress: String? = nil
    ) {
        self.url = url
        self.effectiveURL = effectiveURL ?? url
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
        self.timings = timings
        self.redirects = redirects
        self.remoteAddress = remoteAddress
    }

    /// True for `304 Not Modified`: the resource is unchanged since the validators sent, never empty.
    public var isNotModified: Bool { self.status == 304 }

    /// True for 2xx.
    public var isSuccess: Bool { (200..<300).contains(self.status) }

    /// The `Content-Type` media type without parameters, lowercased (`application/json`).
    public var mediaType: String? {
        self.headers["Content-Type"].map {
            $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        }
    }
}

/// A transfer that produced no HTTP answer. Carries the URL and a message an operator can act on.
public struct HTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of transport failure.
    public enum Kind: String, Sendable, Hashable {
        case dns, connect, tls, timeout
        case bodyTooLarge = "body_too_large"
        case truncated, redirect, proxy
        case
            invalidRequest = "invalid_request"
        case transport
        /// A redirect led to another host whose connected address is not public (loopback,
        /// private, link-local, CGNAT, multicast, unspecified): refused before any request went there.
        case privateAddress = "private_address"
    }

    public var kind: Kind
    /// The URL requested.
    public var url: String
    /// libcurl's error text or our own explanation.
    public var message: String

    public init(kind: Kind, url: String, message: String) {
        self.kind = kind
        self.url = url
        self.message = message
    }

    public var description: String { "\(self.kind.rawValue) error for \(self.url): \(self.message)" }

    /// The same failure as a poll failure (rule of evidence 1: never evidence).
    public var pollFailure: PollFailure {
        let kind: PollFailure.Kind
        switch self.kind {
        case .dns: kind = .dns
        case .connect, .proxy: kind = .connect
        case .tls: kind = .tls
        case .timeout: kind = .timeout
        case .bodyTooLarge: kind = .bodyTooLarge
        case .truncated: kind = .truncated
        case .redirect: kind = .redirect
        case .privateAddress: kind = .privateAddress
        case .invalidRequest, .transport: kind = .transport
        }
        return PollFailure(kind: kind, message: self.message, url: self.url)
    }
}

/// Anything that performs HTTP requests: the libcurl client in production, a scripted stand-in
/// in unit tests.
public protocol HTTPFetching: Sendable {
    /// Performs `request` and returns the final answer, whatever its HTTP status.
    /// - Throws: ``HTTPClientError`` when no answer arrived (DNS, connect, TLS, timeout, body too
    ///   large, truncated body, bad redirect, a redirect into a non-public network), and
    ///   `CancellationError` when the task is cancelled.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
