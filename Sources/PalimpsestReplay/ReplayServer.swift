public import Foundation
import PalimpsestCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A scripted HTTP/1.1 server on 127.0.0.1, for integration tests and `palimpsest demo`.
///
/// Each path answers with its scripted ``ReplayResponse``s in turn; the last one repeats.
/// Unscripted paths answer 404. Every connection is served on its own thread with POSIX sockets
/// (so answers can be delayed or cut short at the byte level) and closed after one answer
/// (`Connection: close`). The server binds 127.0.0.1 only, on a port the system picks.
///
/// Used as a client's HTTP proxy (`http://127.0.0.1:<port>`), it answers requests for any host
/// name itself (absolute-form targets such as `GET http://feed.example/feed.xml`, RFC 9112
/// §3.2.2): scripts can name the absolute URL, or just the path to answer for every host. Tests
/// use it to put several host names on loopback without DNS.
///
/// ```swift
/// let server = ReplayServer()
/// try await server.start()
/// server.script("/feed.xml", [try .file(fixture, contentType: "application/rss+xml")])
/// // … fetch server.baseURL.appending(path: "feed.xml") …
/// await server.stop()
/// ```
public final class ReplayServer: @unchecked Sendable {
    // @unchecked Sendable is safe: every stored `var` is read and written only while holding `lock`;
    // the file descriptors are set once in `start()` (under the lock) before any thread uses them.

    private let lock = NSLock()
    private var scripts: [String: Script] = [:]
    private var received: [ReplayedRequest] = []
    private var inFlight = 0
    private var peakInFlight = 0
    private var boundPort: UInt16 = 0
    private var listener: Int32 = -1
    private var stopPipe: (read: Int32, write: Int32) = (-1, -1)
    private var phase = Phase.idle
    /// Entered for the accept thread and for each connection thread; ``stop()`` waits for all.
    private let threads = DispatchGroup()

    private enum Phase { case idle, running, stopped }

    private struct Script {
        var responses: [ReplayResponse]
        var next = 0

        mutating func take() -> ReplayResponse {
            let response = self.responses[min(self.next, self.responses.count - 1)]
            self.next += 1
            return response
        }
    }

    /// Creates a server; it binds in ``start()``.
    public init() {}

    deinit {
        // Only reached after stop() (running threads retain the server) or if never started.
        self.closeDescriptors()
    }

    /// Binds 127.0.0.1 on a free port and starts accepting connections.
    /// - Throws: ``ReplayServerError`` naming the socket call that failed, or when called twice.
    public func start() async throws {
        try self.lock.withLock {
            guard self.phase == .idle else { throw ReplayServerError("start() was already called") }
            let (listener, port) = try Self.bindLoopback()
            var pipeEnds: [Int32] = [-1, -1]
            guard pipe(&pipeEnds) == 0 else {
                close(listener)
                throw ReplayServerError("pipe() failed: \(ReplaySocket.lastError)")
            }
            self.listener = listener
            self.boundPort = port
            self.stopPipe = (pipeEnds[0], pipeEnds[1])
            self.phase = .running
        }
        self.threads.enter()
        let thread = Thread { [self] in
            self.acceptConnections()
            self.threads.leave()
        }
        thread.name = "palimpsest.replay-accept"
        thread.start()
    }

    /// The bound TCP port; 0 before ``start()``.
    public var port: UInt16 { self.lock.withLock { self.boundPort } }

    /// `http://127.0.0.1:<port>`, valid after ``start()``.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(self.port)")! }

    /// The absolute URL of `path` on this server.
    /// - Parameter path: a path starting with `/`, with an optional query (`/a?b=c`).
    /// - Returns: `baseURL` followed by `path`.
    public func url(_ path: String) -> URL {
        URL(string: "http://127.0.0.1:\(self.port)\(path)")!
    }

    /// Scripts the answers for `path`; replaces any earlier script for it and restarts its sequence.
    /// Matching prefers an exact path-and-query entry, then the path without its query; a proxy
    /// request (absolute-form target) tries its absolute URL first the same way, then its path.
    /// - Parameters:
    ///   - path: the request target, e.g. `/api/v1/accounts/lookup?acct=x` or `/feed.xml`, or an
    ///     absolute URL (`http://feed.example/feed.xml`) for requests that come through the server
    ///     as a proxy.
    ///   - responses: answers in order; each request takes the next one, the last one repeats.
    ///     An empty list removes the script (the path answers 404 again).
    public func script(_ path: String, _ responses: [ReplayResponse]) {
        self.lock.withLock {
            self.scripts[path] = responses.isEmpty ? nil : Script(responses: responses)
        }
    }

    /// Every request received so far, in arrival order.
    public func requests() -> [ReplayedRequest] {
        self.lock.withLock { self.received }
    }

    /// The most requests that were being handled at once (read, not yet answered) since start.
    /// A request counts from when its head was read until its answer starts to be written.
    public func peakConcurrentRequests() -> Int {
        self.lock.withLock { self.peakInFlight }
    }

    /// Stops accepting, interrupts scripted delays, and returns once every connection thread has
    /// finished. Idempotent; a server cannot be restarted.
    public func stop() async {
        let wasRunning: Bool = self.lock.withLock {
            let running = self.phase == .running
            if running {
                var byte: UInt8 = 1
                _ = write(self.stopPipe.write, &byte, 1)
            }
            self.phase = .stopped
            return running
        }
        guard wasRunning else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            self.threads.notify(queue: .global()) { continuation.resume() }
        }
        self.closeDescriptors()
    }

    // MARK: Threads

    private func acceptConnections() {
        let (listener, stopPipe) = self.lock.withLock { (self.listener, self.stopPipe.read) }
        while ReplaySocket.wait(for: listener, stopPipe: stopPipe, timeout: .infinity) == .ready {
            let connection = accept(listener, nil, nil)
            if connection < 0 { continue }
            #if !os(Linux)
                var on: Int32 = 1
                setsockopt(connection, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
            #endif
            self.threads.enter()
            let thread = Thread { [self] in
                self.serve(connection, stopPipe: stopPipe)
                close(connection)
                self.threads.leave()
            }
            thread.name = "palimpsest.replay-connection"
            thread.start()
        }
    }

    private func serve(_ connection: Int32, stopPipe: Int32) {
        guard let request = Self.readRequest(connection, stopPipe: stopPipe) else { return }
        let response: ReplayResponse = self.lock.withLock {
            self.received.append(request)
            self.inFlight += 1
            self.peakInFlight = max(self.peakInFlight, self.inFlight)
            return self.takeResponse(for: request.path)
        }
        var interrupted = false
        if response.delay > 0 {
            interrupted = ReplaySocket.wait(for: -1, stopPipe: stopPipe, timeout: response.delay) == .stopped
        }
        // Counted down before writing: the client can only start its next request once this answer
        // has arrived, so the peak never includes a request that merely overlaps our bookkeeping.
        self.lock.withLock { self.inFlight -= 1 }
        if interrupted { return }
        Self.answer(response, to: request, on: connection)
    }

    // Must hold `lock`.
    private func takeResponse(for target: String) -> ReplayResponse {
        var candidates = [target, String(target.prefix { $0 != "?" })]
        if let origin = Self.originForm(of: target) {
            candidates += [origin, String(origin.prefix { $0 != "?" })]
        }
        for candidate in candidates where self.scripts[candidate] != nil {
            return self.scripts[candidate]!.take()
        }
        return ReplayResponse(
            status: 404,
            headers: ["Content-Type": "text/plain; charset=utf-8"],
            body: Data("replay server: nothing scripted for \(target)\n".utf8)
        )
    }

    /// The path and query of an absolute-form target (`http://host:port/path?q` → `/path?q`), or
    /// `nil` for an origin-form target.
    private static func originForm(of target: String) -> String? {
        guard target.lowercased().hasPrefix("http://") else { return nil }
        let afterScheme = target.dropFirst("http://".count)
        guard let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let rest = afterScheme[slash...]
        return rest.hasPrefix("?") ? "/" + rest : String(rest)
    }

    private func closeDescriptors() {
        self.lock.withLock {
            for fd in [self.listener, self.stopPipe.read, self.stopPipe.write] where fd >= 0 {
                close(fd)
            }
            self.listener = -1
            self.stopPipe = (-1, -1)
        }
    }

    // MARK: Sockets

    private static func bindLoopback() throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, ReplaySocket.streamType, 0)
        guard fd >= 0 else { throw ReplayServerError("socket() failed: \(ReplaySocket.lastError)") }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0  // The system picks a free port.
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let reason = ReplaySocket.lastError
            close(fd)
            throw ReplayServerError("bind(127.0.0.1:0) failed: \(reason)")
        }
        guard listen(fd, 256) == 0 else {
            let reason = ReplaySocket.lastError
            close(fd)
            throw ReplayServerError("listen() failed: \(reason)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            let reason = ReplaySocket.lastError
            close(fd)
            throw ReplayServerError("getsockname() failed: \(reason)")
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    /// Reads one request head and its `Content-Length` body. `nil` when the peer closed, sent
    /// garbage, went quiet for 10 seconds, or the server is stopping.
    private static func readRequest(_ connection: Int32, stopPipe: Int32) -> ReplayedRequest? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        var buffer: [UInt8] = []
        var headEnd: Int?
        while headEnd == nil {
            guard buffer.count < 256 * 1024,
                ReplaySocket.wait(for: connection, stopPipe: stopPipe, timeout: 10) == .ready,
                ReplaySocket.receive(connection, into: &buffer) > 0
            else { return nil }
            headEnd = Self.firstRange(of: terminator, in: buffer)
        }
        guard let headEnd else { return nil }
        let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(
                name: String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                value: String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            )
        }
        var body = Array(buffer[(headEnd + terminator.count)...])
        let expected = min(Int(headers["Content-Length"] ?? "") ?? 0, 16 * 1024 * 1024)
        while body.count < expected {
            guard ReplaySocket.wait(for: connection, stopPipe: stopPipe, timeout: 10) == .ready,
                ReplaySocket.receive(connection, into: &body) > 0
            else { return nil }
        }
        return ReplayedRequest(
            method: String(requestLine[0]),
            path: String(requestLine[1]),
            headers: headers,
            body: Data(body.prefix(expected))
        )
    }

    private static func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
        }
        return nil
    }

    private static func answer(_ scripted: ReplayResponse, to request: ReplayedRequest, on connection: Int32) {
        var status = scripted.status
        if Self.isSatisfiedConditional(request, by: scripted) { status = 304 }
        let sendsBody = request.method != "HEAD" && status != 204 && status != 304 && !(100..<200).contains(status)
        let hasBody = status != 204 && status != 304 && !(100..<200).contains(status)

        var head = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\n"
        for field in scripted.headers {
            if status == 304, field.name.caseInsensitiveCompare("Content-Length") == .orderedSame { continue }
            head += "\(field.name): \(field.value)\r\n"
        }
        if hasBody, scripted.headers["Content-Length"] == nil {
            head += "Content-Length: \(scripted.body.count)\r\n"
        }
        if scripted.headers["Connection"] == nil {
            head += "Connection: close\r\n"
        }
        head += "\r\n"
        guard ReplaySocket.sendAll(connection, Array(head.utf8)), sendsBody else { return }
        let body = scripted.truncateBodyAt.map { scripted.body.prefix(max(0, $0)) } ?? scripted.body
        _ = ReplaySocket.sendAll(connection, body)
        // Half-close so the client sees the end of the stream before the socket is closed.
        shutdown(connection, Int32(SHUT_WR))
    }

    /// A conditional request that the scripted answer satisfies: `If-None-Match` listing its `ETag`
    /// (or `*`), or `If-Modified-Since` equal to its `Last-Modified` (RFC 9110 section 13.1).
    private static func isSatisfiedConditional(_ request: ReplayedRequest, by response: ReplayResponse) -> Bool {
        guard (200..<300).contains(response.status) else { return false }
        if let condition = request.headers["If-None-Match"] {
            guard let entityTag = response.headers["ETag"] else { return false }
            let strip = { (tag: String) in tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag }
            return condition.split(separator: ",").contains {
                let tag = $0.trimmingCharacters(in: .whitespaces)
                return tag == "*" || strip(tag) == strip(entityTag)
            }
        }
        if let since = request.headers["If-Modified-Since"], let modified = response.headers["Last-Modified"] {
            return since == modified
        }
        return false
    }

    private static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 410: "Gone"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
