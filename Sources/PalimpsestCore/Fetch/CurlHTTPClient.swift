import CCurl
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The production HTTP client: libcurl (7.88+) with one multi handle on one dedicated thread,
/// behind async/await.
///
/// - Connections are reused and HTTP/2 is negotiated over TLS where the server offers it
///   (`CURL_HTTP_VERSION_2TLS`, `CURLMOPT_PIPELINING` multiplex, `CURLOPT_PIPEWAIT`).
/// - Bodies are decoded from gzip, deflate, br and zstd (`CURLOPT_ACCEPT_ENCODING ""`) and capped
///   at ``HTTPClientConfiguration/maxBodyBytes`` after decoding.
/// - At most ``HTTPClientConfiguration/maxRedirects`` redirects are followed, to `http`/`https` only.
///   Every hop is recorded (``HTTPResponse/redirects``, with the address connected for it), and a
///   hop to another host than the requested one whose connected address is not public (loopback,
///   private, link-local, CGNAT, multicast, unspecified) is refused before its request is sent
///   (`CURLOPT_PREREQFUNCTION`; ``HTTPClientError/Kind/privateAddress``). The requested host itself
///   is allowed whatever its address.
/// - The loop thread enforces the global and per-host limits before a transfer starts (its own
///   queue, first come first served per host, rather than libcurl's `CURLMOPT_MAX_HOST_CONNECTIONS`,
///   which counts queued time toward `CURLOPT_TIMEOUT_MS`), so queued time never counts toward the
///   timeout.
/// - A `304 Not Modified` comes back as a response with status 304 (``HTTPResponse/isNotModified``).
///
/// Call ``shutdown()`` before the process exits (OpenSSL's exit handlers racing live handles have
/// crashed Swift programs on Linux); it also runs when the client is deinitialised.
public final class CurlHTTPClient: HTTPFetching {
    /// The configuration the client was created with.
    public let configuration: HTTPClientConfiguration
    private let loop: CurlMultiLoop

    /// Creates a client and starts its loop thread. Calls ``globalInit()`` first.
    /// - Parameter configuration: identity, proxy, limits and timeouts.
    /// - Throws: ``HTTPClientSetupError`` when a configuration value is unusable or libcurl cannot
    ///   initialise.
    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws {
        try configuration.validate()
        try Self.globalInit()
        self.configuration = configuration
        self.loop = try CurlMultiLoop(
            globalLimit: configuration.concurrency, perHostLimit: configuration.perHostConcurrency)
    }

    deinit {
        self.shutdown()
    }

    /// Performs `request` on the loop thread, which starts it once a slot under the global and
    /// per-host limits is free.
    /// - Parameter request: the request; its `timeout`, `proxy` and `maxBodyBytes` override the
    ///   configuration, `ifNoneMatch` / `ifModifiedSince` make it conditional.
    /// - Returns: the final answer after redirects, whatever its HTTP status (a 304 included).
    /// - Throws: ``HTTPClientError`` when no answer arrived (kinds `dns`, `connect`, `tls`, `timeout`,
    ///   `bodyTooLarge`, `truncated`, `redirect`, `proxy`, `invalidRequest`, `transport`,
    ///   `privateAddress`), always
    ///   naming the URL; `CancellationError` when the task is cancelled, while waiting for a slot or
    ///   mid-transfer, or when the client has been shut down.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let plan = try CurlTransferPlan(request: request, configuration: self.configuration)
        try Task.checkCancellation()
        return try await self.loop.perform(CurlTransfer(plan: plan))
    }

    /// libcurl easy handles made so far: transfers reuse the handles of finished ones (tests).
    var easyHandlesMade: Int { self.loop.handlesMade }

    /// Stops the client: refuses requests waiting for a slot and every later request with
    /// `CancellationError`, fails running transfers with `CancellationError`, removes their handles
    /// and calls `curl_multi_cleanup`. Returns once the loop thread has finished (it blocks the
    /// calling thread that long, normally well under a millisecond). Idempotent.
    public func shutdown() {
        self.loop.shutdown()
    }

    /// The result of the one `curl_global_init` call, made on first use (Swift runs a static
    /// initialiser exactly once, thread-safely).
    private static let globalInitResult: CURLcode = {
        // NOSIGNAL is set on every handle, so a peer closing a socket would raise SIGPIPE and kill
        // the process: ignore it process-wide (https://curl.se/libcurl/c/CURLOPT_NOSIGNAL.html).
        signal(SIGPIPE, SIG_IGN)
        return palimpsest_curl_global_init_default()
    }()

    /// Initialises libcurl for the process (`curl_global_init(CURL_GLOBAL_DEFAULT)`) and ignores
    /// `SIGPIPE`. Runs once however often it is called and from however many threads; call it early
    /// in `main`, before other threads use libcurl. ``init(configuration:)`` calls it too.
    /// - Throws: ``HTTPClientSetupError`` when `curl_global_init` failed.
    public static func globalInit() throws {
        let code = Self.globalInitResult
        guard code == CURLE_OK else {
            throw HTTPClientSetupError("curl_global_init failed: \(String(cString: curl_easy_strerror(code)))")
        }
    }

    /// The libcurl version in use at run time, e.g. `7.88.1` (`curl_version_info`).
    public static var libcurlVersion: String {
        guard let info = curl_version_info(CURLversion(palimpsest_curl_version_now())),
            let version = info.pointee.version
        else { return "unknown" }
        return String(cString: version)
    }
}
