import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin wrappers over the POSIX socket calls ``ReplayServer`` needs. Every wait also watches the
/// server's stop pipe, so ``ReplayServer/stop()`` interrupts accepts, reads and scripted delays.
enum ReplaySocket {
    /// What a wait ended with.
    enum Wakeup {
        case ready, stopped, timedOut
    }

    /// Waits until `fd` is readable, the stop pipe fires, or `timeout` seconds pass (`poll(2)`).
    /// Pass `fd` -1 to wait for the stop pipe or the timeout only.
    static func wait(for fd: Int32, stopPipe: Int32, timeout: TimeInterval) -> Wakeup {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            var fds = [
                pollfd(fd: stopPipe, events: Int16(POLLIN), revents: 0),
                pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
            ]
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return .timedOut }
            let milliseconds = Int32(min(remaining * 1000, Double(Int32.max)).rounded(.up))
            let count = poll(&fds, fd >= 0 ? 2 : 1, milliseconds)
            if count < 0 {
                if errno == EINTR { continue }
                return .stopped
            }
            if fds[0].revents != 0 { return .stopped }
            if fd >= 0, fds[1].revents != 0 { return .ready }
        }
    }

    /// Sends every byte of `bytes` (`send(2)` without SIGPIPE). Returns false when the peer is gone.
    static func sendAll(_ fd: Int32, _ bytes: some Collection<UInt8>) -> Bool {
        let data = Array(bytes)
        var offset = 0
        while offset < data.count {
            let sent = data.withUnsafeBytes { buffer in
                send(fd, buffer.baseAddress! + offset, data.count - offset, Self.noSignal)
            }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// Reads what is available into `buffer` (`recv(2)`). Returns the byte count, 0 at end of stream,
    /// -1 on error.
    static func receive(_ fd: Int32, into buffer: inout [UInt8]) -> Int {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            if count > 0 { buffer.append(contentsOf: chunk[0..<count]) }
            return count
        }
    }

    /// The system's text for the current `errno`.
    static var lastError: String { String(cString: strerror(errno)) }

    #if os(Linux)
        static let noSignal = Int32(MSG_NOSIGNAL)
        static let streamType = Int32(SOCK_STREAM.rawValue)
    #else
        static let noSignal: Int32 = 0
        static let streamType = SOCK_STREAM
    #endif
}
