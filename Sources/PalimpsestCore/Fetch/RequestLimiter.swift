import DequeModule
import Foundation

/// Admits requests under a global limit and a per-host limit, in arrival order.
///
/// For async work that must queue outside libcurl (`CURLMOPT_MAX_HOST_CONNECTIONS` counts the time a
/// transfer spends queued toward its `CURLOPT_TIMEOUT_MS`, see /work/shared/notes/libcurl.md).
/// ``CurlHTTPClient`` no longer queues here: its loop thread keeps the same limits and order itself,
/// so a finished transfer starts the next one without a hop through Swift's cooperative pool.
///
/// Waiters are served first come, first served, per host: a request waits only for earlier requests
/// to the same host or for a free global slot. A waiter whose task is cancelled leaves the queue at
/// once and throws `CancellationError`.
public final class RequestLimiter: @unchecked Sendable {
    // @unchecked Sendable is safe: every stored `var` is read and written only while holding `lock`,
    // and continuations are resumed after the lock is released.
    private let lock = NSLock()
    private var running = 0
    private var runningPerHost: [String: Int] = [:]
    private var waiters: Deque<Waiter> = []
    private var nextWaiterID: UInt64 = 0
    private var isClosed = false

    /// Most requests admitted at once over all hosts.
    public let globalLimit: Int
    /// Most requests admitted at once for one host.
    public let perHostLimit: Int

    private struct Waiter {
        let id: UInt64
        let host: String
        let continuation: CheckedContinuation<Void, any Error>
    }

    /// Creates a limiter.
    /// - Parameters:
    ///   - globalLimit: most requests admitted at once (at least 1; smaller values count as 1).
    ///   - perHostLimit: most requests admitted at once per host (at least 1).
    public init(globalLimit: Int, perHostLimit: Int) {
        self.globalLimit = max(1, globalLimit)
        self.perHostLimit = max(1, perHostLimit)
    }

    /// Requests admitted and not yet released.
    public var runningCount: Int { self.lock.withLock { self.running } }

    /// Requests waiting for a slot.
    public var waitingCount: Int { self.lock.withLock { self.waiters.count } }

    /// Waits until a slot for `host` is free and takes it. Every successful call must be paired with
    /// one ``release(host:)``; prefer ``withPermit(host:_:)``.
    /// - Parameter host: the host name; compared case-insensitively.
    /// - Throws: `CancellationError` when the task is cancelled while waiting (the waiter leaves the
    ///   queue) or the limiter is closed.
    public func acquire(host: String) async throws {
        let host = host.lowercased()
        let id: UInt64 = self.lock.withLock {
            self.nextWaiterID &+= 1
            return self.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let admitted: Bool? = self.lock.withLock {
                    // Checked under the lock: a cancellation that lands after this check finds the
                    // waiter in the queue and removes it in `cancelWaiter`.
                    if self.isClosed || Task.isCancelled { return false }
                    if self.hasCapacity(for: host) {
                        self.admit(host)
                        return true
                    }
                    self.waiters.append(Waiter(id: id, host: host, continuation: continuation))
                    return nil
                }
                switch admitted {
                case true?: continuation.resume()
                case false?: continuation.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            self.cancelWaiter(id)
        }
    }

    /// Gives back the slot taken by a successful ``acquire(host:)`` and admits the next waiters.
    /// - Parameter host: the same host name passed to ``acquire(host:)``.
    public func release(host: String) {
        let host = host.lowercased()
        let admitted: Waiter? = self.lock.withLock {
            let globalWasFull = self.running >= self.globalLimit
            self.running -= 1
            let count = (self.runningPerHost[host] ?? 1) - 1
            self.runningPerHost[host] = count > 0 ? count : nil
            return self.admitNextWaiter(released: host, globalWasFull: globalWasFull)
        }
        admitted?.continuation.resume()
    }

    /// Runs `body` while holding a slot for `host`.
    /// - Parameters:
    ///   - isolation: the caller's actor, inherited so `body` need not be `Sendable`.
    ///   - host: the host name; compared case-insensitively.
    ///   - body: the work to do with the slot.
    /// - Returns: what `body` returns.
    /// - Throws: `CancellationError` as ``acquire(host:)`` does, and whatever `body` throws.
    public func withPermit<Value: Sendable>(
        isolation: isolated (any Actor)? = #isolation,
        host: String,
        _ body: () async throws -> Value
    ) async throws -> Value {
        try await self.acquire(host: host)
        defer { self.release(host: host) }
        return try await body()
    }

    /// Refuses every current and future waiter with `CancellationError` (used at shutdown).
    /// Requests already admitted keep their slots until released.
    public func close() {
        let refused: [Waiter] = self.lock.withLock {
            self.isClosed = true
            let all = Array(self.waiters)
            self.waiters.removeAll()
            return all
        }
        for waiter in refused { waiter.continuation.resume(throwing: CancellationError()) }
    }

    private func cancelWaiter(_ id: UInt64) {
        let removed: Waiter? = self.lock.withLock {
            guard let index = self.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return self.waiters.remove(at: index)
        }
        removed?.continuation.resume(throwing: CancellationError())
    }

    // Must hold `lock`.
    private func hasCapacity(for host: String) -> Bool {
        self.running < self.globalLimit && (self.runningPerHost[host] ?? 0) < self.perHostLimit
    }

    // Must hold `lock`.
    private func admit(_ host: String) {
        self.running += 1
        self.runningPerHost[host, default: 0] += 1
    }

    // Must hold `lock`. Admits the first waiter, in arrival order, that the slot just released
    // lets in, so each host's waiters are served FIFO and a waiter blocked by its host's limit does
    // not hold up waiters for other hosts. No waiter is ever left admissible (each acquire queues
    // only when it cannot be admitted, and each release admits what it can), so one release admits
    // at most one waiter: one for `released` when the global limit was not reached (only that
    // host's limit changed), else the first whose host is below its limit. Scanning the waiters of
    // a full host at each release, a dictionary lookup each, was a fiftieth of a poll cycle.
    private func admitNextWaiter(released host: String, globalWasFull: Bool) -> Waiter? {
        guard self.running < self.globalLimit else { return nil }
        var index = self.waiters.startIndex
        while index < self.waiters.endIndex {
            let waiter = self.waiters[index]
            if globalWasFull ? self.hasCapacity(for: waiter.host) : waiter.host == host {
                guard self.hasCapacity(for: waiter.host) else { return nil }
                self.admit(waiter.host)
                return self.waiters.remove(at: index)
            }
            index += 1
        }
        return nil
    }
}
