public import Foundation

#if canImport(Glibc)
    public import Glibc
#elseif canImport(Darwin)
    public import Darwin
#endif

/// A child process started with `posix_spawnp`, with an empty signal mask and default dispositions
/// for SIGTERM, SIGINT and SIGPIPE (Foundation's `Process` lets children inherit the test runner's
/// blocked signals, so SIGTERM could not stop them). Output goes to a file.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable is safe: `pid` is immutable and `exitStatus` is only touched by the
    // single test that owns the process, from one task at a time.
    public let pid: pid_t
    private var exitStatus: Int32?

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
    }

    /// Waits up to `timeout` seconds for the process to exit; its exit status, or `nil`.
    public func wait(timeout: TimeInterval) -> Int32? {
        if let status = self.exitStatus { return status }
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            var status: Int32 = 0
            if waitpid(self.pid, &status, WNOHANG) == self.pid {
                // WIFEXITED / WEXITSTATUS are macros Swift does not import.
                let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                self.exitStatus = code
                return code
            }
            usleep(20_000)
        } while Date() < deadline
        return nil
    }

    /// Sends SIGTERM, then SIGKILL if the process has not exited within two seconds, and reaps it.
    public func stop() {
        guard self.exitStatus == nil else { return }
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
