import Synchronization

/// A one-shot signal that wakes every waiter when the daemon starts its graceful shutdown.
final class ShutdownSignal: Sendable {
    private struct State {
        var isStopped = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    var isStopped: Bool { self.state.withLock { $0.isStopped } }

    /// Wakes every waiter, now and later.
    func stop() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isStopped = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when ``stop()`` is called or the task is cancelled.
    func wait() async {
        let id = self.state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state -> Bool in
                    if state.isStopped || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Sleeps for `seconds` on `clock` unless the signal stops first. Returns true when stopped.
    func sleep(seconds: Double, on clock: any TimerClock = ContinuousClock()) async -> Bool {
        if self.isStopped { return true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(seconds: seconds) }
            group.addTask { await self.wait() }
            await group.next()
            group.cancelAll()
        }
        return self.isStopped
    }
}
