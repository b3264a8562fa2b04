public import Foundation
import Synchronization

#if canImport(Glibc)
    public import Glibc
#elseif canImport(Darwin)
    public import Darwin
#endif

/// A child process started with `posix_spawnp`, with an empty signal mask and default dispositions
/// for SIGTERM, SIGINT and SIGPIPE (Foundation's `Process` lets children inherit the test runner's
/// blocked signals, so SIGTERM could not stop them). Output goes to a file.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    private let exit = ExitWatch()

    /// Starts `arguments[0]` (searched in PATH) with the rest as its arguments.
    /// - Parameter output: The file that receives stdout and stderr.
    public init(_ arguments: [String], output: URL) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL)
        }
        self.pid = pid
        // One thread per child, blocked in waitpid until the child exits: waits are then a wait on
        // a semaphore with a timeout, not a polling loop.
        let exit = self.exit
        let reaper = Thread { [pid] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1, errno == EINTR {}
            // WIFEXITED / WEXITSTATUS are macros Swift does not import.
            exit.record((status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F))
        }
        reaper.name = "palimpsest.child-reaper"
        reaper.start()
    }

    /// Waits up to `timeout` seconds for the process to exit; its exit status, or `nil`.
    public func wait(timeout: TimeInterval) -> Int32? {
        self.exit.wait(timeout: timeout)
    }

    /// Sends SIGTERM, then SIGKILL if the process has not exited within two seconds, and reaps it.
    public func stop() {
        guard self.exit.code == nil else { return }
        kill(self.pid, SIGTERM)
        if self.wait(timeout: 2) == nil {
            kill(self.pid, SIGKILL)
            _ = self.wait(timeout: 2)
        }
    }

    deinit {
        self.stop()
    }
}

/// A child's exit status, set once by the thread that reaps it.
// @unchecked Sendable is safe: the status is behind a Mutex and DispatchSemaphore is thread-safe
// (it is not marked Sendable on every platform).
private final class ExitWatch: @unchecked Sendable {
    private let status = Mutex<Int32?>(nil)
    private let exited = DispatchSemaphore(value: 0)

    var code: Int32? { self.status.withLock { $0 } }

    func record(_ code: Int32) {
        self.status.withLock { $0 = code }
        self.exited.signal()
    }

    /// The exit status once the child has exited, waiting up to `timeout` seconds; `nil` if not yet.
    func wait(timeout: TimeInterval) -> Int32? {
        if let code = self.code { return code }
        guard self.exited.wait(timeout: .now() + max(0, timeout)) == .success else { return nil }
        self.exited.signal()  // for the next waiter
        return self.code
    }
}
