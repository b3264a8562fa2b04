public import Testing

/// Waits until `condition` holds, checking it every 10 ms, for at most `timeout`.
///
/// Use it where a test waits for something another task, thread or process does (a request
/// reaching the replay server, a line reaching the log, a notification), instead of sleeping a
/// guessed time: it returns as soon as the condition holds, and a timeout fails the test with a
/// message saying what was awaited.
/// - Parameters:
///   - what: what is awaited, in words ("the slow feed is requested"); the failure message.
///   - timeout: the longest wait (10 seconds by default: generous for a loaded machine, and only
///     spent when the test fails), counted as ``waitUntil(timeout:_:)`` counts it.
///   - condition: checked on the calling task; must be quick.
/// - Returns: whether the condition held before the timeout (a timeout also records an issue).
@discardableResult
public func eventually(
    _ what: String, timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    if try await waitUntil(timeout: timeout, condition) { return true }
    Issue.record("timed out after \(timeout) waiting until \(what)", sourceLocation: sourceLocation)
    return false
}

/// Waits until `condition` holds, checking it every `interval` (10 ms by default), for at most
/// `timeout`; records no issue (for waits whose timeout is an expected outcome the test checks
/// itself).
///
/// The timeout counts the time this task was free to check, not the wall clock: a check that
/// comes late because the machine or Swift's cooperative pool was busy (other tests hold its few
/// threads with CPU-heavy work) counts as at most 100 ms, so a stall, which also holds up what is
/// awaited, does not use up the wait.
/// - Returns: whether the condition held before the timeout.
@discardableResult
public func waitUntil(
    timeout: Duration = .seconds(10), checkingEvery interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    var waited = Duration.zero
    while true {
        if try await condition() { return true }
        guard waited < timeout, !Task.isCancelled else { return false }
        let before = clock.now
        try? await Task.sleep(for: interval)
        waited += min(before.duration(to: clock.now), max(interval, .milliseconds(100)))
    }
}
