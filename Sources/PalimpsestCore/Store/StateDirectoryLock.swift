public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One writer per state folder: an exclusive `flock(2)` on `state_dir/palimpsest.lock`, held for
/// the life of the process that polls (`run`, `poll`). The file holds the holder's PID (for the
/// message a second instance prints); the lock, not the file, is what counts: the kernel drops it
/// when the process exits, however it exits, so a stale file never blocks a start.
///
/// Readers (`status`, `tail`, `digest`) never take it: every file they read is written atomically
/// (rename) or appended under the deletion log's own lock.
public final class StateDirectoryLock: Sendable {
    /// The lock file's name inside `state_dir`.
    public static let fileName = "palimpsest.lock"

    /// The lock file.
    public let url: URL
    private let fd: Int32

    /// What a lock attempt that failed found.
    public struct Held: Error, Sendable, CustomStringConvertible {
        /// The lock file.
        public var path: String
        /// The PID written by the holder, when readable.
        public var holderPID: Int32?
        /// The operation that wanted the lock, e.g. `palimpsest run`.
        public var purpose: String
        /// The option that makes the operation wait for the lock instead, if it has one (`--wait`).
        public var waitOption: String?

        /// A sentence naming the holder and what to do.
        public var description: String {
            let holder = self.holderPID.map { "another palimpsest process (PID \($0))" } ?? "another palimpsest process"
            let wait = self.waitOption.map { ", wait for it (\($0))," } ?? ""
            return "\(self.path): \(holder) is already using this state_dir; \(self.purpose) refuses to run "
                + "beside it, because two writers would race on the same account state. Stop it first "
                + "(systemctl stop palimpsest)\(wait) or give this instance its own state_dir."
        }
    }

    private init(url: URL, fd: Int32) {
        self.url = url
        self.fd = fd
    }

    deinit {
        // Closing the descriptor releases the flock.
        close(self.fd)
    }

    /// Takes the lock of `stateDirectory`, creating the folder (0700) and the lock file (0600) when
    /// missing, and writes this process's PID into it.
    /// - Parameters:
    ///   - stateDirectory: The `state_dir`.
    ///   - wait: Wait for the holder to release it instead of failing at once.
    ///   - purpose: Names the command for the message of ``Held``, e.g. `palimpsest run`.
    ///   - waitOption: The command's option to wait instead, for the message (`--wait`), if any.
    /// - Returns: The held lock; it is released when the value is deinitialised or the process exits.
    /// - Throws: ``Held`` when another process holds the lock and `wait` is false; ``StoreError`` when
    ///   the folder or the file cannot be created or locked.
    public static func acquire(stateDirectory: URL, wait: Bool = false, purpose: String, waitOption: String? = nil)
        throws
        -> StateDirectoryLock
    {
        try FileSystem.makeDirectories(stateDirectory.path)
        let url = stateDirectory.appendingPathComponent(Self.fileName)
        let file = try POSIXFile(path: url.path, flags: O_RDWR | O_CREAT, mode: 0o600)
        while flock(file.fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            let code = errno
            if code == EINTR { continue }
            if code == EWOULDBLOCK {
                let pid = Self.pid(in: (try? file.readToEnd(from: 0, limit: 256)) ?? Data())
                file.closeFile()
                throw Held(path: url.path, holderPID: pid, purpose: purpose, waitOption: waitOption)
            }
            file.closeFile()
            throw StoreError.posix("flock", path: url.path, code: code)
        }
        // Best effort: the PID and the command are only for messages (`status` tells a one-shot
        // poll from the daemon by the second line).
        _ = ftruncate(file.fd, 0)
        let text = Array("\(getpid())\n\(purpose)\n".utf8)
        _ = text.withUnsafeBytes { pwrite(file.fd, $0.baseAddress, $0.count, 0) }
        return StateDirectoryLock(url: url, fd: file.fd)
    }

    /// The process that holds a lock.
    public struct Holder: Sendable, Hashable {
        /// Its PID as written in the lock file; `nil` when unreadable.
        public var pid: Int32?
        /// The command that holds it as written in the lock file (`palimpsest run`, `palimpsest
        /// poll`); `nil` when the file does not say (written by an earlier release).
        public var purpose: String?

        /// A holder with the given PID and command.
        public init(pid: Int32?, purpose: String? = nil) {
            self.pid = pid
            self.purpose = purpose
        }
    }

    /// Whether a process holds the lock of `stateDirectory`: `nil` when none does (nothing polls
    /// there). Takes and releases a shared lock to find out; never blocks.
    public static func holder(of stateDirectory: URL) -> Holder? {
        let path = stateDirectory.appendingPathComponent(Self.fileName).path
        guard let file = try? POSIXFile.openIfPresent(path, flags: O_RDONLY) else { return nil }
        defer { file.closeFile() }
        if flock(file.fd, LOCK_SH | LOCK_NB) == 0 {
            _ = flock(file.fd, LOCK_UN)
            return nil
        }
        let data = (try? file.readToEnd(from: 0, limit: 256)) ?? Data()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let purpose = lines.count > 1 ? lines[1].trimmingCharacters(in: .whitespaces) : ""
        return Holder(pid: Self.pid(in: data), purpose: purpose.isEmpty ? nil : purpose)
    }

    /// The PID on the first line of the lock file's contents.
    private static func pid(in data: Data) -> Int32? {
        let first = String(decoding: data, as: UTF8.self).split(separator: "\n").first ?? ""
        return Int32(first.trimmingCharacters(in: .whitespaces))
    }
}
