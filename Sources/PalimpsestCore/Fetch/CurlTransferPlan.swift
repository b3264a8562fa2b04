import Foundation

/// One request resolved against the client configuration and checked, ready to become a libcurl
/// easy handle on the loop thread. Built on the caller's side so that a bad request fails before
/// it takes a slot in the queue.
struct CurlTransferPlan: Sendable {
    /// The absolute URL as libcurl receives it.
    var url: String
    /// ``url`` as a `URL` (the request's own when it has no base URL: no second parse per transfer).
    var requestURL: URL
    /// The host name that the per-host limit counts (lowercased, without port).
    var hostKey: String
    var method: String
    /// `Name: value` lines for `CURLOPT_HTTPHEADER` (a `Name;` line sends an empty value).
    var headerLines: [String]
    var body: Data?
    var userAgent: String
    /// `""` disables every proxy, environment variables included.
    var proxy: String
    var connectTimeoutMilliseconds: Int
    var timeoutMilliseconds: Int
    var maxBodyBytes: Int
    var maxRedirects: Int
    /// Set `CURLOPT_PIPEWAIT`: wait for a pending connection to the host to learn whether it can
    /// multiplex. Only for https: HTTP/2 is negotiated over TLS only (`CURL_HTTP_VERSION_2TLS`),
    /// and over plain http the wait would serialise transfers behind a slow first answer.
    var waitsForMultiplexing: Bool

    /// Resolves `request` against `configuration`.
    /// - Throws: ``HTTPClientError`` of kind `.invalidRequest` for a URL that is not absolute
    ///   `http`/`https`, a header with CR or LF, a bad method, timeout, body limit or proxy.
    init(request: HTTPRequest, configuration: HTTPClientConfiguration) throws(HTTPClientError) {
        let urlString = request.url.absoluteString
        func invalid(_ message: String) -> HTTPClientError {
            HTTPClientError(kind: .invalidRequest, url: urlString, message: message)
        }
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw invalid("only http:// and https:// URLs can be fetched; fix the URL in the configuration")
        }
        guard let host = request.url.host, !host.isEmpty else {
            throw invalid("the URL has no host name; fix the URL in the configuration")
        }
        guard !Self.containsLineBreak(urlString), !urlString.contains(" ") else {
            throw invalid("the URL contains a space or a line break; percent-encode it")
        }
        let method = request.method.uppercased()
        guard !method.isEmpty, method.allSatisfy({ $0.isLetter && $0.isASCII }) else {
            throw invalid("HTTP method \"\(request.method)\" is not a token of ASCII letters")
        }

        var headers = request.headers
        if let entityTag = request.ifNoneMatch {
            headers.replaceOrAdd(name: "If-None-Match", value: entityTag)
        }
        if let date = request.ifModifiedSince {
            headers.replaceOrAdd(name: "If-Modified-Since", value: Self.httpDate(date))
        }
        var userAgent = configuration.userAgent
        var lines: [String] = []
        for field in headers {
            let name = field.name
            guard !name.isEmpty,
                name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0 != ":" && $0.value != 127 })
            else {
                throw invalid("header name \"\(name)\" is not a valid HTTP token")
            }
            guard !Self.containsLineBreak(field.value) else {
                throw invalid("header \(name) contains a line break; header values must be one line")
            }
            // The name is ASCII (checked above): compared byte by byte, case folded.
            if name.utf8.count == 10, zip(name.utf8, "user-agent".utf8).allSatisfy({ $0 | 0x20 == $1 }) {
                userAgent = field.value
                continue
            }
            // libcurl reads "Name:" with nothing after it as "remove this header"; "Name;" sends it empty.
            let value = Self.trimmingWhitespace(field.value)
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if request.body != nil {
            // Without this libcurl waits up to a second for "100 Continue" before sending a body.
            lines.append("Expect:")
        }

        let proxy = request.proxy ?? configuration.proxy ?? ""
        if let problem = HTTPClientConfiguration.problem(withProxy: proxy) {
            throw invalid(problem)
        }
        let timeout = request.timeout ?? configuration.timeout
        guard timeout > 0, timeout.isFinite else {
            throw invalid("timeout must be a positive number of seconds, got \(timeout)")
        }
        let maxBodyBytes = request.maxBodyBytes ?? configuration.maxBodyBytes
        guard maxBodyBytes > 0 else {
            throw invalid("maximum body size must be a positive number of bytes, got \(maxBodyBytes)")
        }

        self.url = urlString
        self.requestURL = request.url.baseURL == nil ? request.url : URL(string: urlString) ?? request.url
        self.hostKey = host.lowercased()
        self.method = method
        self.headerLines = lines
        self.body = request.body
        self.userAgent = userAgent
        self.proxy = proxy
        self.timeoutMilliseconds = Self.milliseconds(timeout)
        // The connect phase lies inside the total time; a longer connect timeout would never fire.
        self.connectTimeoutMilliseconds = min(Self.milliseconds(configuration.connectTimeout), self.timeoutMilliseconds)
        self.maxBodyBytes = maxBodyBytes
        self.maxRedirects = configuration.maxRedirects
        self.waitsForMultiplexing = scheme == "https"
    }

    /// `text` without the white space (`CharacterSet.whitespaces`) at either end; a value that
    /// starts and ends with an ASCII byte other than space and tab (nearly all) is returned as it is,
    /// without Foundation's trimming (every request of every poll passes its headers through here).
    static func trimmingWhitespace(_ text: String) -> String {
        guard let first = text.utf8.first, let last = text.utf8.last else { return text }
        func isPlainEnd(_ byte: UInt8) -> Bool { byte < 0x80 && byte != 0x20 && byte != 0x09 }
        if isPlainEnd(first) && isPlainEnd(last) { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// True when `text` holds CR, LF or NUL, which would end a header line early (header injection).
    /// Checked per Unicode scalar: "\r\n" is one `Character`, equal to neither "\r" nor "\n".
    static func containsLineBreak(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }
    }

    /// Seconds as whole milliseconds, at least 1 (libcurl reads 0 as "no timeout").
    private static func milliseconds(_ seconds: TimeInterval) -> Int {
        Int(min(max((seconds * 1000).rounded(.up), 1), Double(Int32.max)))
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// 1583-01-01T00:00:00Z: the first date ``HTTPDate/string(from:)`` writes as Foundation's
    /// calendar does.
    private static let firstProlepticDate = Date(timeIntervalSince1970: -12_212_553_600)

    /// `date` in the IMF-fixdate form of RFC 9110 section 5.6.7, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate(_ date: Date) -> String {
        // Every conditional GET sends one: read by arithmetic (``HTTPDate``) from 1583 on, where
        // Foundation's Gregorian calendar and the proleptic one agree; a `Calendar` per call cost
        // a fortieth of an unchanged poll cycle's CPU.
        if date >= Self.firstProlepticDate { return HTTPDate.string(from: date) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let parts = calendar.dateComponents([.weekday, .day, .month, .year, .hour, .minute, .second], from: date)
        func twoDigits(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        let weekday = Self.weekdays[((parts.weekday ?? 1) - 1) % 7]
        let month = Self.months[((parts.month ?? 1) - 1) % 12]
        var year = String(parts.year ?? 1970)
        while year.count < 4 { year = "0" + year }
        return "\(weekday), \(twoDigits(parts.day)) \(month) \(year) "
            + "\(twoDigits(parts.hour)):\(twoDigits(parts.minute)):\(twoDigits(parts.second)) GMT"
    }
}
