public import Foundation

/// How ``CurlHTTPClient`` talks to the network: identity, proxy, time and size limits, and how many
/// requests may run at once. Per-request values in ``HTTPRequest`` (timeout, proxy, body limit)
/// override the matching defaults here.
public struct HTTPClientConfiguration: Sendable, Hashable {
    /// The `User-Agent` sent with every request unless the request sets its own.
    public var userAgent: String
    /// Proxy for every request: `http://`, `https://` or `socks5h://` (the proxy resolves names, so
    /// no DNS query leaks). `nil` means no proxy at all: the `http_proxy`/`ALL_PROXY` environment
    /// variables are ignored (libcurl's `CURLOPT_PROXY ""`).
    public var proxy: String?
    /// Time allowed to establish the connection (TCP and TLS), in seconds (`CURLOPT_CONNECTTIMEOUT_MS`).
    public var connectTimeout: TimeInterval
    /// Total time allowed for one transfer once it starts, redirects included, in seconds
    /// (`CURLOPT_TIMEOUT_MS`). Time spent waiting in our own queue does not count.
    public var timeout: TimeInterval
    /// Largest response body accepted, in bytes, after decoding any `Content-Encoding`.
    public var maxBodyBytes: Int
    /// Most redirects followed for one request (`CURLOPT_MAXREDIRS`); only to `http`/`https`.
    public var maxRedirects: Int
    /// Most transfers running at once over the whole client.
    public var concurrency: Int
    /// Most transfers running at once to one host name (compared without port, case-insensitively).
    public var perHostConcurrency: Int

    /// The default `User-Agent`.
    public static let defaultUserAgent = DaemonSettings.defaultUserAgent

    /// Creates a configuration; every parameter has the documented default.
    /// - Parameters:
    ///   - userAgent: `User-Agent` header value.
    ///   - proxy: proxy URL (`http://`, `https://`, `socks5h://`), or `nil` for none.
    ///   - connectTimeout: connect timeout in seconds (default 10).
    ///   - timeout: total transfer timeout in seconds (default 30).
    ///   - maxBodyBytes: body limit in bytes (default 8 MiB).
    ///   - maxRedirects: redirect limit (default 5).
    ///   - concurrency: global limit on running transfers (default 64).
    ///   - perHostConcurrency: per-host limit on running transfers (default 4).
    public init(
        userAgent: String = HTTPClientConfiguration.defaultUserAgent,
        proxy: String? = nil,
        connectTimeout: TimeInterval = 10,
        timeout: TimeInterval = 30,
        maxBodyBytes: Int = 8 * 1024 * 1024,
        maxRedirects: Int = 5,
        concurrency: Int = 64,
        perHostConcurrency: Int = 4
    ) {
        self.userAgent = userAgent
        self.proxy = proxy
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
        self.maxRedirects = maxRedirects
        self.concurrency = concurrency
        self.perHostConcurrency = perHostConcurrency
    }

    /// Checks that every value is usable.
    /// - Throws: ``HTTPClientSetupError`` naming the first bad value and what is expected.
    public func validate() throws {
        if CurlTransferPlan.containsLineBreak(self.userAgent) {
            throw HTTPClientSetupError("user agent must be one line without CR or LF")
        }
        if let proxy = self.proxy, let problem = Self.problem(withProxy: proxy) {
            throw HTTPClientSetupError(problem)
        }
        guard self.connectTimeout > 0, self.connectTimeout.isFinite else {
            throw HTTPClientSetupError(
                "connect timeout must be a positive number of seconds, got \(self.connectTimeout)"
            )
        }
        guard self.timeout > 0, self.timeout.isFinite else {
            throw HTTPClientSetupError("timeout must be a positive number of seconds, got \(self.timeout)")
        }
        guard self.maxBodyBytes > 0 else {
            throw HTTPClientSetupError("maximum body size must be a positive number of bytes, got \(self.maxBodyBytes)")
        }
        guard self.maxRedirects >= 0 else {
            throw HTTPClientSetupError("maximum redirects must be 0 or more, got \(self.maxRedirects)")
        }
        guard self.concurrency >= 1 else {
            throw HTTPClientSetupError("concurrency must be at least 1, got \(self.concurrency)")
        }
        guard self.perHostConcurrency >= 1 else {
            throw HTTPClientSetupError("per-host concurrency must be at least 1, got \(self.perHostConcurrency)")
        }
    }

    /// Why `proxy` is unusable, or `nil` when it is fine. `""` (no proxy) is fine.
    static func problem(withProxy proxy: String) -> String? {
        if proxy.isEmpty { return nil }
        let lowered = proxy.lowercased()
        if lowered.hasPrefix("socks5://") {
            return "proxy \(proxy) would resolve host names locally and leak DNS queries: write socks5h:// instead"
        }
        guard ["http://", "https://", "socks5h://"].contains(where: { lowered.hasPrefix($0) }),
            URL(string: proxy)?.host?.isEmpty == false
        else {
            return "proxy \(proxy) is not a http://, https:// or socks5h:// URL with a host"
        }
        if CurlTransferPlan.containsLineBreak(proxy) {
            return "proxy URL must be one line without CR or LF"
        }
        return nil
    }
}
