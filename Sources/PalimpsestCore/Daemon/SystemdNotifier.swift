public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Something that tells the service manager how the daemon is doing: systemd's notify protocol in
/// production, a recorder in tests.
public protocol ServiceManagerNotifying: Sendable {
    /// Sends one notification: newline-separated `KEY=value` assignments such as `READY=1` or
    /// `STATUS=…`, as one message. Returns false when it could not be delivered (never throws: a
    /// daemon keeps working when its service manager does not listen).
    @discardableResult
    func notify(_ assignments: String) -> Bool
}

/// systemd's notify protocol (sd_notify(3)) without libsystemd: one AF_UNIX datagram per message
/// to the socket named by `$NOTIFY_SOCKET` (a leading `@` names the abstract namespace, Linux).
///
/// The protocol is stable and documented in sd_notify(3)
/// (https://www.freedesktop.org/software/systemd/man/latest/sd_notify.html): `READY=1`,
/// `RELOADING=1` with `MONOTONIC_USEC=`, `STOPPING=1`, `STATUS=…`, `WATCHDOG=1`. Without
/// `$NOTIFY_SOCKET` (not started by systemd with `Type=notify`) every call does nothing.
public struct SystemdNotifier: ServiceManagerNotifying {
    /// The environment variable naming the socket.
    public static let socketVariable = "NOTIFY_SOCKET"
    /// The environment variable holding the watchdog timeout, in microseconds.
    public static let watchdogVariable = "WATCHDOG_USEC"
    /// The environment variable naming the process the watchdog applies to.
    public static let watchdogPIDVariable = "WATCHDOG_PID"

    /// The socket path as given in `$NOTIFY_SOCKET` (`@name` for the abstract namespace), or `nil`
    /// when not running under a notify-type systemd service.
    public let socketPath: String?

    /// Reads `$NOTIFY_SOCKET` from `environment`. An empty value, or one that is neither an
    /// absolute path nor an `@` abstract name, counts as absent.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = environment[Self.socketVariable] ?? ""
        self.socketPath = (path.hasPrefix("/") || (path.hasPrefix("@") && path.count > 1)) ? path : nil
    }

    /// A notifier that sends to `socketPath` (an absolute path or `@abstract-name`).
    public init(socketPath: String?) {
        self.socketPath = socketPath
    }

    /// True when a socket is configured, so notifications are sent.
    public var isEnabled: Bool { self.socketPath != nil }

    /// Sends `assignments` as one datagram. Returns false when no socket is configured or the
    /// send failed (a full socket buffer, a service manager that went away).
    @discardableResult
    public func notify(_ assignments: String) -> Bool {
        guard let path = self.socketPath else { return false }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(path.utf8)
        let abstract = pathBytes.first == UInt8(ascii: "@")
        if abstract { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        // A filesystem path needs room for its terminating NUL; an abstract name is counted exactly.
        guard pathBytes.count + (abstract ? 0 : 1) <= capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path) ?? 2
        let length = socklen_t(pathOffset + pathBytes.count + (abstract ? 0 : 1))

        #if canImport(Glibc) || canImport(Musl)
            let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
            let type = SOCK_DGRAM
        #endif
        let fd = socket(AF_UNIX, type, 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let payload = Array(assignments.utf8)
        let sent = payload.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    var result: Int
                    repeat {
                        result = sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                    } while result < 0 && errno == EINTR
                    return result
                }
            }
        }
        return sent == payload.count
    }

    /// How often to send `WATCHDOG=1`: half of `$WATCHDOG_USEC`, when it is set and
    /// `$WATCHDOG_PID` is unset or names this process (sd_watchdog_enabled(3)); `nil` otherwise.
    /// - Parameters:
    ///   - environment: The process environment.
    ///   - pid: This process's ID (`nil`: `getpid()`).
    /// - Returns: The ping interval, or `nil` when systemd expects no pings from this process.
    public static func watchdogPingInterval(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        pid: Int32? = nil
    ) -> Duration? {
        let pid = pid ?? getpid()
        guard let text = environment[Self.watchdogVariable], let usec = UInt64(text), usec > 0 else { return nil }
        if let owner = environment[Self.watchdogPIDVariable], !owner.isEmpty, Int32(owner) != pid { return nil }
        return .microseconds(Int64(min(usec / 2, UInt64(Int64.max))))
    }

    /// `CLOCK_MONOTONIC` now, in microseconds: the value `MONOTONIC_USEC=` carries with `RELOADING=1`.
    public static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    /// `STATUS=` text made safe for one line (newlines would start a new assignment).
    public static func statusLine(_ text: String) -> String {
        "STATUS=" + text.replacingOccurrences(of: "\n", with: " ")
    }
}
