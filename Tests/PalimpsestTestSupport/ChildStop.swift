import Foundation
public import Subprocess

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Ends a child process a test started with `Subprocess.run(…) { execution in … }`, so that a test
/// that gives up fails instead of hanging: `Subprocess.run` returns only once the child has exited,
/// and a daemon left running when the test's body returns early would be waited for forever.
///
/// Call it as the body's last step: `return await stopChild(execution) { … the test's steps … }`.
/// - `steps` returns `nil` when the child was asked to stop (the steps sent it SIGTERM) and should
///   now exit by itself: the child gets `exitWithin` to do so, then SIGKILL; a kill is reported.
/// - `steps` returns a failure text, or throws, when the test gave up: the child gets SIGTERM and
///   5 s, then SIGKILL, and the failure is returned.
/// - Parameters:
///   - execution: the running child.
///   - exitWithin: how long a child asked to stop may take to exit (30 s by default: generous on
///     a loaded machine, and only spent when the child does not exit).
///   - steps: the test's dealings with the child.
/// - Returns: `nil` when the steps succeeded and the child exited by itself; otherwise what failed.
public func stopChild<Input: InputProtocol, Output: OutputProtocol, Error: OutputProtocol>(
    _ execution: Execution<Input, Output, Error>, exitWithin: Duration = .seconds(30),
    _ steps: () async throws -> String?
) async -> String? {
    let failure: String?
    do {
        failure = try await steps()
    } catch let thrown {
        failure = "\(thrown)"
    }
    if let failure {
        await execution.teardown(using: [.gracefulShutDown(allowedDurationToNextStep: .seconds(5))])
        return failure
    }
    // Signal 0 sends nothing: the child has `exitWithin` to exit by itself, then SIGKILL.
    let clock = ContinuousClock()
    let started = clock.now
    await execution.teardown(using: [.send(signal: Signal(rawValue: 0), allowedDurationToNextStep: exitWithin)])
    if started.duration(to: clock.now) >= exitWithin {
        return "the child (PID \(execution.processIdentifier.value)) did not exit within \(exitWithin) of being "
            + "asked to stop: killed with SIGKILL"
    }
    return nil
}

extension Execution {
    /// Whether the child has exited (its pidfd is readable once it has; the exit status is left for
    /// `Subprocess.run` to collect). Where no pidfd exists, whether `kill(pid, 0)` finds no process.
    public var hasExited: Bool {
        let descriptor = self.processIdentifier.processDescriptor
        guard descriptor >= 0 else { return kill(self.processIdentifier.value, 0) != 0 && errno == ESRCH }
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 1
    }
}
