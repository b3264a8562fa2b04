import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `[daemon] metrics_listen`: where the Prometheus endpoint listens, an IP literal and a port
/// (`"127.0.0.1:9464"`, `"[::1]:9464"`). Off unless set. The endpoint has no authentication: keep it
/// on loopback, or behind a firewall or an authenticating proxy.
public struct MetricsAddress: Sendable, Hashable, CustomStringConvertible {
    /// The IP address, without brackets (`127.0.0.1`, `::1`).
    public let host: String
    /// The TCP port, 1...65535.
    public let port: UInt16
    /// True for an IPv6 address.
    public let isIPv6: Bool

    /// Parses `"ip4:port"` or `"[ip6]:port"`; `nil` when malformed (host names are not accepted:
    /// an address must not depend on DNS).
    public init?(parsing text: String) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return nil
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = UInt16(portText), port > 0 else { return nil }
        let isIPv6 = text.hasPrefix("[")
        var buffer = [UInt8](repeating: 0, count: 16)
        guard inet_pton(isIPv6 ? AF_INET6 : AF_INET, String(host), &buffer) == 1 else { return nil }
        self.host = String(host)
        self.port = port
        self.isIPv6 = isIPv6
    }

    /// True for `127.0.0.0/8` and `::1`: reachable from this machine only.
    public var isLoopback: Bool {
        self.isIPv6 ? self.host == "::1" || self.host == "0:0:0:0:0:0:0:1" : self.host.hasPrefix("127.")
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var description: String { self.isIPv6 ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }
}
