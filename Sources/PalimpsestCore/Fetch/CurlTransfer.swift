import CCurl
import Foundation

/// One request in flight: its libcurl easy handle, the header list and error buffer the handle
/// points at, and the answer collected by the callbacks.
///
/// Threading: the caller creates it and hands it to ``CurlMultiLoop``; from then on the easy handle
/// and every `private` field are touched only on the loop thread (libcurl calls the callbacks there
/// too). `continuation` and `isCancelRequested` belong to the loop's lock.
final class CurlTransfer: @unchecked Sendable {
    // @unchecked Sendable is safe: see the threading note above. The object crosses threads only
    // through CurlMultiLoop's lock, which orders the hand-over.

    /// The request, resolved and checked.
    let plan: CurlTransferPlan

    /// Resumed exactly once, by whoever takes it out under the loop's lock.
    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    /// The awaiting task was cancelled (guarded by the loop's lock).
    var isCancelRequested = false

    /// The easy handle while the transfer is in the multi handle (loop thread only).
    private(set) var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var body = Data()
    private var headerFields: [(name: String, value: String)] = []
    private var exceededBodyLimit = false
    /// The requested URL's host as ``HostName`` compares it.
    private let requestedHost: String?
    /// One entry per request sent (each hop of a redirect chain), from the pre-request callback,
    /// completed by the header callback.
    private var answers: [Answer] = []
    /// Why the pre-request callback stopped the transfer, if it did.
    private var refusal: Refusal?

    /// One request of the chain as it went: where, to which address, and what came back.
    private struct Answer {
        var url: String
        var remoteAddress: String?
        var status = 0
        var location: String?
    }

    /// A hop refused because it led another host into a non-public network (rule of evidence 8).
    private struct Refusal {
        var url: String
        var host: String
        var address: String?
        var addressClass: NetworkAddressClass
    }

    init(plan: CurlTransferPlan) {
        self.plan = plan
        self.requestedHost = HostName.of(plan.requestURL)
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        self.releaseHandle()
        self.errorBuffer.deallocate()
    }

    // MARK: Loop thread

    /// Configures an easy handle for this transfer (`curl_easy_setopt` of every option it uses):
    /// `idle`, one a finished transfer gave back (``takeHandle()``: reset to libcurl's defaults),
    /// or a new one (`curl_easy_init`).
    /// - Returns: the handle, to add to the multi handle.
    /// - Throws: ``HTTPClientError`` when libcurl refuses an option this client relies on (the
    ///   handle is then cleaned up).
    func makeHandle(reusing idle: UnsafeMutableRawPointer? = nil) throws(HTTPClientError) -> UnsafeMutableRawPointer {
        guard let easy = idle ?? curl_easy_init() else {
            throw HTTPClientError(
                kind: .transport,
                url: self.plan.url,
                message: "libcurl could not create a handle (out of memory?)"
            )
        }
        self.easy = easy
        do {
            try self.configure(easy)
        } catch {
            self.releaseHandle()
            throw error
        }
        return easy
    }

    private func configure(_ easy: UnsafeMutableRawPointer) throws(HTTPClientError) {
        let plan = self.plan
        func require(_ code: CURLcode, _ what: String) throws(HTTPClientError) {
            guard code == CURLE_OK else {
                let reason = String(cString: curl_easy_strerror(code))
                throw HTTPClientError(
                    kind: .invalidRequest,
                    url: plan.url,
                    message: "libcurl refused \(what): \(reason)"
                )
            }
        }
        func setLong(_ option: CURLoption, _ value: Int) -> CURLcode {
            palimpsest_easy_setopt_long(easy, option, value)
        }
        func setString(_ option: CURLoption, _ value: String) -> CURLcode {
            palimpsest_easy_setopt_string(easy, option, value)  // libcurl copies strings.
        }

        try require(setString(CURLOPT_URL, plan.url), "the URL")
        // Only http and https, for the request and for every redirect (no file://, gopher://, …).
        try require(setString(CURLOPT_PROTOCOLS_STR, "http,https"), "CURLOPT_PROTOCOLS_STR")
        try require(setString(CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "CURLOPT_REDIR_PROTOCOLS_STR")
        // "" disables proxies, including the http_proxy/ALL_PROXY environment variables.
        try require(setString(CURLOPT_PROXY, plan.proxy), "the proxy \(plan.proxy)")
        try require(setLong(CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        try require(setString(CURLOPT_USERAGENT, plan.userAgent), "the user agent")
        try require(setLong(CURLOPT_FOLLOWLOCATION, 1), "CURLOPT_FOLLOWLOCATION")
        try require(setLong(CURLOPT_MAXREDIRS, plan.maxRedirects), "CURLOPT_MAXREDIRS")
        // A proxy's CONNECT answer is not an answer of the chain: keep it out of the header callback.
        try require(setLong(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1), "CURLOPT_SUPPRESS_CONNECT_HEADERS")
        try require(setLong(CURLOPT_TIMEOUT_MS, plan.timeoutMilliseconds), "the timeout")
        try require(setLong(CURLOPT_CONNECTTIMEOUT_MS, plan.connectTimeoutMilliseconds), "the connect timeout")
        try require(
            palimpsest_easy_setopt_off_t(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(plan.maxBodyBytes)),
            "CURLOPT_MAXFILESIZE_LARGE"
        )
        // "" offers every decoding libcurl was built with (gzip, deflate, br, zstd on Debian 12).
        try require(setString(CURLOPT_ACCEPT_ENCODING, ""), "CURLOPT_ACCEPT_ENCODING")
        // Best effort: HTTP/2 and connection tuning are optimisations, not requirements.
        _ = setLong(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        _ = setLong(CURLOPT_PIPEWAIT, plan.waitsForMultiplexing ? 1 : 0)
        _ = setLong(CURLOPT_TCP_KEEPALIVE, 1)
        // Removing a handle mid-resolve would otherwise join the resolver thread (libcurl 7.87+).
        _ = setLong(CURLOPT_QUICK_EXIT, 1)

        try require(palimpsest_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, self.errorBuffer), "CURLOPT_ERRORBUFFER")
        let context = Unmanaged.passUnretained(self).toOpaque()
        try require(
            palimpsest_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteBody),
            "the body callback"
        )
        try require(palimpsest_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context), "CURLOPT_WRITEDATA")
        try require(
            palimpsest_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader),
            "the header callback"
        )
        try require(palimpsest_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context), "CURLOPT_HEADERDATA")
        // Required, never best effort: it records each hop's address and refuses redirects into
        // non-public networks, checked on the address actually connected (no DNS rebinding).
        try require(palimpsest_easy_setopt_prereq_callback(easy, curlBeforeRequest), "CURLOPT_PREREQFUNCTION")
        try require(palimpsest_easy_setopt_pointer(easy, CURLOPT_PREREQDATA, context), "CURLOPT_PREREQDATA")

        if let body = plan.body {
            try require(
                palimpsest_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)),
                "the body size"
            )
            // COPYPOSTFIELDS copies the bytes, so `body` need not outlive this call.
            let code = body.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress, !bytes.isEmpty {
                    return palimpsest_easy_setopt_pointer(
                        easy,
                        CURLOPT_COPYPOSTFIELDS,
                        UnsafeMutableRawPointer(mutating: base)
                    )
                }
                return setString(CURLOPT_COPYPOSTFIELDS, "")
            }
            try require(code, "the request body")
        }
        switch (plan.method, plan.body != nil) {
        case ("GET", false), ("POST", true):
            break
        case ("HEAD", false):
            try require(setLong(CURLOPT_NOBODY, 1), "HEAD")
        default:
            try require(setString(CURLOPT_CUSTOMREQUEST, plan.method), "the method \(plan.method)")
        }

        for line in plan.headerLines {
            guard let list = curl_slist_append(self.headerList, line) else {
                throw HTTPClientError(
                    kind: .transport,
                    url: plan.url,
                    message: "libcurl could not add a header (out of memory?)"
                )
            }
            self.headerList = list
        }
        if let list = self.headerList {
            try require(palimpsest_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list), "the request headers")
        }
    }

    /// Builds the outcome after libcurl reported the transfer done (`CURLMSG_DONE`). Call before
    /// ``releaseHandle()``: it reads `curl_easy_getinfo`.
    func outcome(_ code: CURLcode) -> Result<HTTPResponse, HTTPClientError> {
        guard let easy = self.easy else {
            return .failure(
                HTTPClientError(kind: .transport, url: self.plan.url, message: "the transfer lost its handle")
            )
        }
        let status = Self.long(easy, CURLINFO_RESPONSE_CODE)
        if code != CURLE_OK, let refusal = self.refusal {
            return .failure(self.error(for: refusal))
        }
        guard code == CURLE_OK else {
            let context = CurlErrorClassifier.Context(
                url: self.plan.url,
                errorText: String(cString: self.errorBuffer),
                receivedStatus: status > 0,
                redirectCount: Self.long(easy, CURLINFO_REDIRECT_COUNT),
                exceededBodyLimit: self.exceededBodyLimit,
                maxBodyBytes: self.plan.maxBodyBytes,
                maxRedirects: self.plan.maxRedirects,
                timeoutMilliseconds: self.plan.timeoutMilliseconds,
                unfollowedRedirect: Self.string(easy, CURLINFO_REDIRECT_URL)
            )
            return .failure(CurlErrorClassifier.error(for: code, context))
        }
        guard status > 0 else {
            return .failure(
                HTTPClientError(kind: .transport, url: self.plan.url, message: "the server sent no HTTP status line")
            )
        }
        // The URL objects of the plan when libcurl reports the requested URL (no redirect): one
        // URL parse less per transfer.
        let requested = self.plan.requestURL
        let effective =
            Self.string(easy, CURLINFO_EFFECTIVE_URL).flatMap { $0 == self.plan.url ? requested : URL(string: $0) }
            ?? requested
        let version: String
        switch Self.long(easy, CURLINFO_HTTP_VERSION) {
        case CURL_HTTP_VERSION_1_0: version = "1.0"
        case CURL_HTTP_VERSION_2_0: version = "2"
        case CURL_HTTP_VERSION_3: version = "3"
        default: version = "1.1"
        }
        let timings = HTTPTimings(
            nameLookup: Self.seconds(easy, CURLINFO_NAMELOOKUP_TIME_T),
            connect: Self.seconds(easy, CURLINFO_CONNECT_TIME_T),
            tlsHandshake: Self.seconds(easy, CURLINFO_APPCONNECT_TIME_T),
            firstByte: Self.seconds(easy, CURLINFO_STARTTRANSFER_TIME_T),
            total: Self.seconds(easy, CURLINFO_TOTAL_TIME_T)
        )
        // Every request but the last one was a followed redirect (a retried request on a fresh
        // connection leaves an entry without a status, which is dropped).
        let redirects = self.answers.dropLast().compactMap { answer -> HTTPRedirect? in
            guard (300..<400).contains(answer.status), let location = answer.location,
                let url = URL(string: answer.url)
            else { return nil }
            return HTTPRedirect(
                url: url, status: answer.status, location: location, remoteAddress: answer.remoteAddress)
        }
        let primary = Self.string(easy, CURLINFO_PRIMARY_IP).flatMap { $0.isEmpty ? nil : $0 }
        return .success(
            HTTPResponse(
                url: requested,
                effectiveURL: effective,
                status: status,
                headers: HTTPHeaders(self.headerFields.map { ($0.name, $0.value) }),
                body: self.body,
                httpVersion: version,
                timings: timings,
                redirects: redirects,
                remoteAddress: primary ?? self.answers.last?.remoteAddress
            )
        )
    }

    private func error(for refusal: Refusal) -> HTTPClientError {
        let from = self.requestedHost ?? self.plan.url
        let whereabouts =
            refusal.address.map { "\(refusal.host) is at \($0), \(refusal.addressClass.description)" }
            ?? "\(refusal.host) is \(refusal.addressClass.description) (checked by name: the proxy resolves it)"
        return HTTPClientError(
            kind: .privateAddress,
            url: self.plan.url,
            message: "refused to follow a redirect from \(from) to \(refusal.url): \(whereabouts); a redirect is never "
                + "followed into a non-public network (a request sent there could read internal services); an "
                + "address configured directly is allowed"
        )
    }

    /// Gives the easy handle back for another transfer, reset to libcurl's defaults
    /// (`curl_easy_reset`: no option of this transfer stays, nor a pointer to this object; the
    /// connections stay in the multi handle's pool), and frees the header list. The handle must
    /// already be out of the multi handle.
    /// - Returns: the handle, or `nil` when the transfer holds none.
    func takeHandle() -> UnsafeMutableRawPointer? {
        let easy = self.easy
        if let easy { curl_easy_reset(easy) }
        self.easy = nil
        if let list = self.headerList {
            curl_slist_free_all(list)
            self.headerList = nil
        }
        return easy
    }

    /// Frees the easy handle and the header list (`curl_easy_cleanup`, `curl_slist_free_all`). The
    /// handle must already be out of the multi handle. Safe to call twice.
    func releaseHandle() {
        if let easy = self.easy {
            curl_easy_cleanup(easy)
            self.easy = nil
        }
        if let list = self.headerList {
            curl_slist_free_all(list)
            self.headerList = nil
        }
    }

    // MARK: Callbacks (loop thread, inside curl_multi_perform)

    /// Appends body bytes; refuses them once the body would pass the limit, which makes libcurl
    /// stop with `CURLE_WRITE_ERROR` (CURLOPT_MAXFILESIZE only checks a declared Content-Length).
    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if self.body.count + bytes.count > self.plan.maxBodyBytes {
            self.exceededBodyLimit = true
            return 0
        }
        self.body.append(contentsOf: bytes)
        return bytes.count
    }

    /// Checks one request of the chain just before libcurl sends it, on the connection it will use
    /// (new or reused): records the URL and the connected address, and refuses a hop to another
    /// host than the requested one whose address is not public (rule of evidence 8). The requested
    /// host itself stays allowed whatever its address: the operator configured it. Behind a proxy
    /// the connected address is the proxy's, so the hop's host name is checked instead (an
    /// address literal or `localhost`).
    /// - Returns: `CURL_PREREQFUNC_OK`, or `CURL_PREREQFUNC_ABORT` to stop the transfer.
    fileprivate func beforeRequest(primaryAddress: String?) -> Int32 {
        let url = self.easy.flatMap { Self.string($0, CURLINFO_EFFECTIVE_URL) } ?? self.plan.url
        self.answers.append(Answer(url: url, remoteAddress: primaryAddress))
        let host = url == self.plan.url ? self.requestedHost : URL(string: url).flatMap(HostName.of)
        guard host != self.requestedHost else { return Int32(CURL_PREREQFUNC_OK) }
        let addressClass: NetworkAddressClass?
        if self.plan.proxy.isEmpty {
            if let primaryAddress {
                addressClass = NetworkAddressClass.of(primaryAddress)
            } else {
                addressClass = .unspecified  // No address at all is no proof of a public one.
            }
        } else {
            addressClass = host.flatMap { NetworkAddressClass.ofLiteralHost($0) }
        }
        guard let addressClass else { return Int32(CURL_PREREQFUNC_OK) }
        self.refusal = Refusal(
            url: url, host: host ?? url, address: self.plan.proxy.isEmpty ? primaryAddress : nil,
            addressClass: addressClass)
        return Int32(CURL_PREREQFUNC_ABORT)
    }

    /// Collects one header line. Each status line (`HTTP/…`) starts a new answer in a redirect
    /// chain or after `100 Continue`, so the fields collected so far are dropped; the status and a
    /// `Location` are recorded for the request in flight (the redirect hops).
    fileprivate func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        // "HTTP/" then an ASCII byte (or nothing): what `String.hasPrefix("HTTP/")` says, without
        // making a `String` of every header line first.
        let isStatusLine = bytes.starts(with: "HTTP/".utf8) && (bytes.count == 5 || bytes[5] < 0x80)
        if !isStatusLine, self.receiveASCIIHeader(bytes) { return bytes.count }
        let line = String(decoding: bytes, as: UTF8.self)
        if isStatusLine {
            self.headerFields.removeAll()
            self.body.removeAll(keepingCapacity: true)
            if !self.answers.isEmpty {
                let parts = line.split(separator: " ", maxSplits: 2)
                self.answers[self.answers.count - 1].status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
                self.answers[self.answers.count - 1].location = nil
            }
            return bytes.count
        }
        let trimmed = line.trimmingCharacters(in: .newlines)
        if trimmed.isEmpty { return bytes.count }
        if let first = trimmed.first, first == " " || first == "\t" {
            // An obsolete folded continuation line (RFC 9112 section 5.2): extend the last value.
            if !self.headerFields.isEmpty {
                self.headerFields[self.headerFields.count - 1].value +=
                    " " + trimmed.trimmingCharacters(in: .whitespaces)
            }
            return bytes.count
        }
        if let colon = trimmed.firstIndex(of: ":") {
            let name = String(trimmed[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(trimmed[trimmed.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            self.headerFields.append((name: name, value: value))
            if !self.answers.isEmpty, name.caseInsensitiveCompare("Location") == .orderedSame {
                self.answers[self.answers.count - 1].location = value
            }
        }
        return bytes.count
    }

    /// ``receiveHeader(_:)`` for a header line of ASCII bytes (every line but the status line of
    /// nearly every answer),
    /// read byte by byte with the same result as the general path below it: the line without its
    /// line breaks (CR, LF, VT, FF at either end), the name and value without spaces and tabs
    /// around them. Every answer of every poll passes its headers through here, and Foundation's
    /// `trimmingCharacters` cost a fifteenth of an unchanged poll cycle's CPU.
    /// - Returns: `false` when the line holds a byte outside ASCII (the general path reads it).
    private func receiveASCIIHeader(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.contains(where: { $0 >= 0x80 }) else { return false }
        func isLineBreak(_ byte: UInt8) -> Bool { byte >= 0x0A && byte <= 0x0D }
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        var start = 0
        var end = bytes.count
        while start < end, isLineBreak(bytes[start]) { start += 1 }
        while end > start, isLineBreak(bytes[end - 1]) { end -= 1 }
        // The empty line that ends the headers.
        guard start < end else { return true }
        // An obsolete folded continuation line: the general path.
        guard !isBlank(bytes[start]) else { return false }
        guard let colon = bytes[start..<end].firstIndex(of: 0x3A) else { return true }
        var nameEnd = colon
        while nameEnd > start, isBlank(bytes[nameEnd - 1]) { nameEnd -= 1 }
        var valueStart = colon + 1
        while valueStart < end, isBlank(bytes[valueStart]) { valueStart += 1 }
        var valueEnd = end
        while valueEnd > valueStart, isBlank(bytes[valueEnd - 1]) { valueEnd -= 1 }
        let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[start..<nameEnd])
        let name = String(decoding: nameBytes, as: UTF8.self)
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self)
        self.headerFields.append((name: name, value: value))
        if !self.answers.isEmpty, nameBytes.count == 8,
            zip(nameBytes, "location".utf8).allSatisfy({ $0 | 0x20 == $1 })
        {
            self.answers[self.answers.count - 1].location = value
        }
        return true
    }

    // MARK: getinfo helpers

    private static func long(_ easy: UnsafeMutableRawPointer, _ info: CURLINFO) -> Int {
        var value = 0
        return palimpsest_easy_getinfo_long(easy, info, &value) == CURLE_OK ? value : 0
    }

    private static func string(_ easy: UnsafeMutableRawPointer, _ info: CURLINFO) -> String? {
        var pointer: UnsafeMutablePointer<CChar>?
        guard palimpsest_easy_getinfo_string(easy, info, &pointer) == CURLE_OK, let pointer else { return nil }
        return String(cString: pointer)
    }

    /// A `CURLINFO_*_TIME_T` value (microseconds) in seconds.
    private static func seconds(_ easy: UnsafeMutableRawPointer, _ info: CURLINFO) -> TimeInterval {
        var value: curl_off_t = 0
        guard palimpsest_easy_getinfo_off_t(easy, info, &value) == CURLE_OK else { return 0 }
        return TimeInterval(value) / 1_000_000
    }
}

// C function pointers cannot capture context: the transfer comes back through the user-data
// pointer, unretained; CurlMultiLoop keeps the transfer alive while its handle is in the multi handle.

private let curlWriteBody: palimpsest_data_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: size * count))
}

private let curlWriteHeader: palimpsest_data_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.receiveHeader(UnsafeRawBufferPointer(start: buffer, count: size * count))
}

private let curlBeforeRequest: palimpsest_prereq_callback = { context, primaryIP, _, _, _ in
    guard let context else { return Int32(CURL_PREREQFUNC_ABORT) }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let address = primaryIP.map { String(cString: $0) }
    return transfer.beforeRequest(primaryAddress: address?.isEmpty == false ? address : nil)
}
