import CCurl
import Foundation
import Synchronization

/// Sends e-mail with libcurl's SMTP support (`smtp://` with STARTTLS, or `smtps://`), one message
/// per `curl_easy_perform`.
///
/// `curl_easy_perform` blocks for the whole conversation with the server, so every send runs on a
/// thread of its own, never on Swift's cooperative pool; the awaiting task is resumed when it ends.
/// Cancelling the task aborts the transfer at libcurl's next progress callback (within a second).
///
/// libcurl escapes lines that start with `.` and ends the data with `CRLF . CRLF` itself
/// (https://curl.se/libcurl/c/smtp-mail.html); the message must use CRLF line ends.
public struct CurlSMTPSender: SMTPSending {
    /// The server and addresses.
    public var settings: SMTPSettings
    /// The SMTP AUTH password (from `password_file`), used with ``SMTPSettings/username``.
    public var password: String?
    /// Longest time for the connection phase (DNS, TCP, TLS), seconds.
    public var connectTimeout: Double
    /// Longest time for the whole conversation, seconds.
    public var timeout: Double

    /// Creates a sender.
    /// - Parameters:
    ///   - settings: `[digest.smtp]`.
    ///   - password: The password read from `password_file`, or `nil` without AUTH.
    ///   - connectTimeout: Seconds for DNS, TCP and TLS; default 30.
    ///   - timeout: Seconds for the whole send; default 300.
    public init(settings: SMTPSettings, password: String?, connectTimeout: Double = 30, timeout: Double = 300) {
        self.settings = settings
        self.password = password
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    /// Sends `message` on a dedicated thread.
    /// - Throws: ``SMTPError`` (transient or permanent) naming the server; `CancellationError`.
    public func send(_ message: [UInt8], from: String, to recipients: [String]) async throws {
        try CurlHTTPClient.globalInit()
        let transfer = SMTPTransfer(
            settings: self.settings,
            password: self.password,
            connectTimeout: self.connectTimeout,
            timeout: self.timeout,
            message: message,
            from: from,
            recipients: recipients
        )
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let thread = Thread {
                    continuation.resume(with: Result { try transfer.perform() })
                }
                thread.name = "palimpsest.smtp"
                thread.start()
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    /// The server URL as shown in messages: scheme, host and port only.
    static func displayURL(_ url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? "smtp"
        let port = url.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(url.host ?? "?")\(port)"
    }
}

/// One SMTP conversation: its easy handle lives and dies inside ``perform()`` on the calling
/// (dedicated) thread. Only ``cancel()`` is called from elsewhere, and it touches nothing but an
/// atomic flag, which is why sharing the object across threads is safe.
private final class SMTPTransfer: Sendable {
    let settings: SMTPSettings
    let password: String?
    let connectTimeout: Double
    let timeout: Double
    let message: [UInt8]
    let from: String
    let recipients: [String]
    let isCancelled = Atomic<Bool>(false)

    init(
        settings: SMTPSettings,
        password: String?,
        connectTimeout: Double,
        timeout: Double,
        message: [UInt8],
        from: String,
        recipients: [String]
    ) {
        self.settings = settings
        self.password = password
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.message = message
        self.from = from
        self.recipients = recipients
    }

    func cancel() {
        self.isCancelled.store(true, ordering: .relaxed)
    }

    var server: String { CurlSMTPSender.displayURL(self.settings.url) }

    /// Runs the whole conversation (`curl_easy_perform`); blocks.
    func perform() throws {
        guard let easy = curl_easy_init() else {
            throw SMTPError(
                kind: .transient,
                server: self.server,
                message: "libcurl could not create a handle (out of memory?)"
            )
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        var recipientList: UnsafeMutablePointer<curl_slist>?
        let reader = MessageReader(bytes: self.message, transfer: self)
        let context = Unmanaged.passRetained(reader)
        defer {
            curl_easy_cleanup(easy)
            if let recipientList { curl_slist_free_all(recipientList) }
            errorBuffer.deallocate()
            context.release()
        }

        func require(_ code: CURLcode, _ what: String) throws {
            guard code == CURLE_OK else {
                throw SMTPError(
                    kind: .permanent,
                    server: self.server,
                    message: "libcurl refused \(what): \(String(cString: curl_easy_strerror(code)))"
                )
            }
        }
        func setLong(_ option: CURLoption, _ value: Int) -> CURLcode {
            palimpsest_easy_setopt_long(easy, option, value)
        }
        func setString(_ option: CURLoption, _ value: String) -> CURLcode {
            palimpsest_easy_setopt_string(easy, option, value)  // libcurl copies strings.
        }

        try require(setString(CURLOPT_URL, self.settings.url.absoluteString), "the SMTP URL")
        try require(setString(CURLOPT_PROTOCOLS_STR, "smtp,smtps"), "CURLOPT_PROTOCOLS_STR")
        try require(setLong(CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        // Never through the HTTP proxy of the environment.
        try require(setString(CURLOPT_PROXY, ""), "CURLOPT_PROXY")
        try require(setLong(CURLOPT_CONNECTTIMEOUT_MS, Int(self.connectTimeout * 1000)), "the connect timeout")
        try require(setLong(CURLOPT_TIMEOUT_MS, Int(self.timeout * 1000)), "the timeout")
        if !self.settings.isImplicitTLS, self.settings.requiresSTARTTLS {
            try require(setLong(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)), "STARTTLS")
        }
        if let username = self.settings.username {
            try require(setString(CURLOPT_USERNAME, username), "the user name")
            try require(setString(CURLOPT_PASSWORD, self.password ?? ""), "the password")
        }
        try require(setString(CURLOPT_MAIL_FROM, "<\(self.from)>"), "the sender")
        for recipient in self.recipients {
            guard let list = curl_slist_append(recipientList, "<\(recipient)>") else {
                throw SMTPError(
                    kind: .transient,
                    server: self.server,
                    message: "libcurl could not add a recipient (out of memory?)"
                )
            }
            recipientList = list
        }
        try require(palimpsest_easy_setopt_slist(easy, CURLOPT_MAIL_RCPT, recipientList), "the recipients")
        try require(setLong(CURLOPT_UPLOAD, 1), "CURLOPT_UPLOAD")
        try require(
            palimpsest_easy_setopt_off_t(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(self.message.count)),
            "the message size"
        )
        try require(palimpsest_easy_setopt_data_callback(easy, CURLOPT_READFUNCTION, smtpReadMessage), "the reader")
        try require(palimpsest_easy_setopt_pointer(easy, CURLOPT_READDATA, context.toOpaque()), "CURLOPT_READDATA")
        try require(
            palimpsest_easy_setopt_progress_callback(easy, CURLOPT_XFERINFOFUNCTION, smtpProgress),
            "the progress callback"
        )
        try require(
            palimpsest_easy_setopt_pointer(easy, CURLOPT_XFERINFODATA, context.toOpaque()),
            "CURLOPT_XFERINFODATA"
        )
        try require(setLong(CURLOPT_NOPROGRESS, 0), "CURLOPT_NOPROGRESS")
        try require(palimpsest_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")

        let code = curl_easy_perform(easy)
        guard code != CURLE_OK else { return }
        if self.isCancelled.load(ordering: .relaxed) { throw CancellationError() }
        var reply: Int = 0
        _ = palimpsest_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &reply)
        let detail = String(cString: errorBuffer)
        throw Self.error(
            code: code,
            reply: reply,
            detail: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail,
            server: self.server
        )
    }

    /// Classifies a failed conversation.
    static func error(code: CURLcode, reply: Int, detail: String, server: String) -> SMTPError {
        let replyCode = reply > 0 ? reply : nil
        switch code {
        case CURLE_LOGIN_DENIED:
            return SMTPError(
                kind: .permanent,
                server: server,
                replyCode: replyCode,
                message:
                    "the server refused the login (\(detail)); check `username` and the password in `password_file`"
            )
        case CURLE_USE_SSL_FAILED:
            return SMTPError(
                kind: .permanent,
                server: server,
                replyCode: replyCode,
                message: "the server does not offer STARTTLS (\(detail)); use an smtps:// URL or a server that "
                    + "encrypts, or set `starttls = false` only for a relay on loopback"
            )
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            return SMTPError(
                kind: .permanent,
                server: server,
                replyCode: replyCode,
                message: "TLS with the server failed (\(detail)); check the host name and its certificate"
            )
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return SMTPError(
                kind: .permanent,
                server: server,
                replyCode: replyCode,
                message: "libcurl cannot use this URL (\(detail)); check `url` in [digest.smtp]"
            )
        case CURLE_COULDNT_RESOLVE_HOST:
            return SMTPError(
                kind: .transient,
                server: server,
                replyCode: replyCode,
                message: "the host name does not resolve (\(detail)); check `url` and DNS"
            )
        case CURLE_COULDNT_CONNECT:
            return SMTPError(
                kind: .transient,
                server: server,
                replyCode: replyCode,
                message: "could not connect (\(detail)); is the server up and the port right?"
            )
        case CURLE_OPERATION_TIMEDOUT:
            return SMTPError(kind: .transient, server: server, replyCode: replyCode, message: "timed out (\(detail))")
        default:
            return SMTPError.afterReply(replyCode, detail: detail, server: server)
        }
    }
}

/// The message bytes handed to libcurl piece by piece. Touched only on the transfer's thread
/// (libcurl calls the callbacks there); the transfer's cancel flag is atomic. That is why the
/// class may be passed as an opaque pointer without further locking.
private final class MessageReader {
    let bytes: [UInt8]
    var offset = 0
    let transfer: SMTPTransfer

    init(bytes: [UInt8], transfer: SMTPTransfer) {
        self.bytes = bytes
        self.transfer = transfer
    }
}

/// `CURLOPT_READFUNCTION`: copies the next part of the message into libcurl's buffer.
private let smtpReadMessage: palimpsest_data_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let reader = Unmanaged<MessageReader>.fromOpaque(context).takeUnretainedValue()
    let room = size * count
    let length = min(room, reader.bytes.count - reader.offset)
    guard length > 0 else { return 0 }
    reader.bytes.withUnsafeBufferPointer { source in
        UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + reader.offset, byteCount: length)
    }
    reader.offset += length
    return length
}

/// `CURLOPT_XFERINFOFUNCTION`: a non-zero return aborts the transfer (on cancellation).
private let smtpProgress: palimpsest_progress_callback = { context, _, _, _, _ in
    guard let context else { return 0 }
    let reader = Unmanaged<MessageReader>.fromOpaque(context).takeUnretainedValue()
    return reader.transfer.isCancelled.load(ordering: .relaxed) ? 1 : 0
}

extension SMTPError {
    /// Classifies a conversation that failed on the server's reply `reply` (`nil` when there was
    /// none) rather than on the connection, the login or TLS.
    static func afterReply(_ reply: Int?, detail: String, server: String) -> SMTPError {
        // 552 and 452: the message is larger than the server takes (RFC 5321, 4.5.3.1.10) or
        // than it can store now.
        if reply == 552 || reply == 452 {
            return SMTPError(
                kind: reply == 552 ? .permanent : .transient,
                server: server,
                replyCode: reply,
                message: "the server refused the message as too large (\(detail)); make it smaller: a lower "
                    + "[digest] entries_in_full (fewer entries in digest.md and digest.html) or [digest.smtp] "
                    + "max_attachment_size (events.csv left out); the files are written either way"
            )
        }
        if let reply, reply >= 500 {
            return SMTPError(
                kind: .permanent,
                server: server,
                replyCode: reply,
                message: "the server refused the message (\(detail)); check `from` and `to` in [digest.smtp]"
            )
        }
        return SMTPError(kind: .transient, server: server, replyCode: reply, message: "sending failed (\(detail))")
    }
}
