import Foundation
import PalimpsestTestSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A datagram socket standing in for systemd's notify socket: binds `path` (or an abstract name
/// when it starts with `@`), and records every datagram received, on its own thread.
final class NotifySocketListener: Sendable {
    let path: String
    private let fd: Int32
    private let received = Mutex<[String]>([])
    private let closed = Mutex(false)

    init(path: String) throws {
        self.path = path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let offset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path) ?? 2
        let length = socklen_t(offset + bytes.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        // Wake up every 100 ms to notice shutdown().
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
        let thread = Thread { [self] in self.receiveLoop() }
        thread.start()
    }

    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !self.closed.withLock({ $0 }) {
            let count = buffer.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                let message = String(decoding: buffer[0..<count], as: UTF8.self)
                self.received.withLock { $0.append(message) }
            }
        }
        close(self.fd)
        if !self.path.hasPrefix("@") { unlink(self.path) }
    }

    /// Every datagram received so far, in order.
    var messages: [String] { self.received.withLock { $0 } }

    /// Waits until a datagram after the first `skip` ones satisfies `predicate`; returns its index.
    func waitFor(
        after skip: Int = 0, timeout: Duration = .seconds(20), _ predicate: (String) -> Bool
    ) async -> Int? {
        var found: Int?
        await waitUntil(timeout: timeout) {
            let messages = self.messages
            found = skip < messages.count ? messages[skip...].firstIndex(where: predicate) : nil
            return found != nil
        }
        return found
    }

    /// Stops the receiving thread and removes the socket file.
    func shutdown() {
        self.closed.withLock { $0 = true }
    }
}

extension String {
    /// The `KEY=value` assignments of a notify datagram.
    var notifyFields: [String: String] {
        var fields: [String: String] = [:]
        for line in self.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return fields
    }
}
