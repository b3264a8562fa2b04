public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A TCP socket on 127.0.0.1 holding a port, so that no other test's server can take it while a
/// test uses it: listening (a port in use), or only bound (a port where every connection is
/// refused, deterministically: a port merely freed could meanwhile be another test's server).
public struct TakenPort: Sendable {
    public let fd: Int32

    /// - Parameters:
    ///   - port: the port, or 0 for one the kernel chooses that no other socket holds.
    ///   - listening: listen on it (connections are accepted by the kernel, then wait), or leave
    ///     it bound only (connections are refused: `ECONNREFUSED`).
    /// - Throws: `POSIXError(.EADDRINUSE)` when the port cannot be bound.
    public init(port: UInt16, listening: Bool = true) throws {
        self.fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(self.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, !listening || listen(self.fd, 1) == 0 else {
            close(self.fd)
            throw POSIXError(.EADDRINUSE)
        }
    }

    /// Closes the socket: the port is free again.
    public func release() { close(self.fd) }

    /// The port the socket holds.
    public var port: UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(self.fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// A loopback port free now: bound by the kernel's choice, then released. (A random port could
    /// be one another test's server holds.)
    public static func free() throws -> UInt16 {
        let socket = try TakenPort(port: 0)
        defer { socket.release() }
        return socket.port
    }
}
