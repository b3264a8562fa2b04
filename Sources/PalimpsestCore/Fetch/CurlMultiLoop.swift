import CCurl
import DequeModule
import Dispatch
import Foundation
import Synchronization

/// One libcurl multi handle driven by one dedicated thread, bridged to async/await.
///
/// Callers hand transfers over through a lock-protected inbox and wake the thread with
/// `curl_multi_wakeup` (once per batch: a caller that finds the inbox already holding transfers
/// leaves the wake-up to the first); the thread queues them in arrival order and admits them under
/// the global and per-host limits, adds each admitted one (`curl_multi_add_handle`: only then does
/// its timeout start, so time spent queued never counts), drives them (`curl_multi_perform`,
/// `curl_multi_poll`), and resumes each caller's continuation after `curl_multi_remove_handle`,
/// admitting the next queued transfers in the same turn. Nothing here blocks Swift's cooperative
/// pool: callers only take a lock for a few instructions, and a queued transfer waits here
/// rather than as a suspended task behind a limiter (a finished transfer starts the next one on
/// this thread, no hop through the pool). The connection pool and DNS cache live on the multi
/// handle, so connections are reused across transfers; easy handles are reused too
/// (``idleHandles``), reset to libcurl's defaults between transfers and configured whole for each.
final class CurlMultiLoop: @unchecked Sendable {
    // @unchecked Sendable is safe: `multi` and `active` are used only on the loop thread, except
    // `curl_multi_wakeup` (documented thread-safe), which callers make under `lock` while
    // `isMultiAlive` is true; every other `var` is guarded by `lock`.

    private let lock = NSLock()
    private var inbox: [CurlTransfer] = []
    private var cancellations: [CurlTransfer] = []
    private var isShuttingDown = false
    private var isMultiAlive = true

    private let multi: UnsafeMutableRawPointer
    /// Most transfers in the multi handle at once, over all hosts.
    let globalLimit: Int
    /// Most transfers in the multi handle at once for one host (``CurlTransferPlan/hostKey``).
    let perHostLimit: Int
    /// Transfers handed over and not yet admitted, in arrival order (loop thread only).
    private var queued: Deque<CurlTransfer> = []
    /// Transfers in the multi handle per host (loop thread only).
    private var activePerHost: [String: Int] = [:]
    /// Transfers whose easy handle is in the multi handle, by handle (loop thread only). Holding the
    /// transfer here keeps it alive for the unretained callback context.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    /// Easy handles of finished transfers, reset (`curl_easy_reset`), for the next ones (loop
    /// thread only): a handle made and cleaned up per transfer was a visible share of a poll cycle
    /// in which nothing changed. At most ``maximumIdleHandles``.
    private var idleHandles: [UnsafeMutableRawPointer] = []
    /// Most idle easy handles kept: the daemon's default concurrency.
    static let maximumIdleHandles = 64
    /// Easy handles made (`curl_easy_init`) so far (tests).
    private let madeHandles = Mutex(0)
    /// Entered before the thread starts, left when it has cleaned up; ``shutdown()`` waits on it.
    private let running = DispatchGroup()

    /// Creates the multi handle (`curl_multi_init`) and starts the loop thread.
    /// - Parameters:
    ///   - globalLimit: most transfers running at once (at least 1; smaller values count as 1).
    ///   - perHostLimit: most transfers running at once per host (at least 1).
    /// - Throws: ``HTTPClientSetupError`` when libcurl cannot create the multi handle.
    init(globalLimit: Int = 64, perHostLimit: Int = 4) throws(HTTPClientSetupError) {
        guard let multi = curl_multi_init() else {
            throw HTTPClientSetupError("libcurl could not create a multi handle (out of memory?)")
        }
        self.multi = multi
        self.globalLimit = max(1, globalLimit)
        self.perHostLimit = max(1, perHostLimit)
        // HTTP/2 multiplexing: many transfers to one host share one TLS connection.
        _ = palimpsest_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        self.running.enter()
        let thread = Thread { [self] in
            self.run()
        }
        thread.name = "palimpsest.curl-multi"
        thread.start()
    }

    /// Runs `transfer` to completion on the loop thread, once the limits admit it (first come,
    /// first served per host; a transfer held by its host's limit does not hold up other hosts').
    /// - Returns: the final HTTP answer, whatever its status.
    /// - Throws: ``HTTPClientError`` when no answer arrived; `CancellationError` when the task is
    ///   cancelled (a queued transfer leaves the queue, a running one is removed from the multi
    ///   handle) or the loop shuts down.
    func perform(_ transfer: CurlTransfer) async throws -> HTTPResponse {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                self.submit(transfer, continuation)
            }
        } onCancel: {
            self.cancel(transfer)
        }
    }

    /// Stops the loop: fails every queued and running transfer with `CancellationError`, removes
    /// all handles, calls `curl_multi_cleanup`, and returns once the thread has finished. Blocks the
    /// caller for as long as that takes (normally well under a millisecond). Idempotent.
    func shutdown() {
        self.lock.withLock {
            self.isShuttingDown = true
            if self.isMultiAlive { curl_multi_wakeup(self.multi) }
        }
        self.running.wait()
    }

    /// Easy handles this loop has made (`curl_easy_init`) so far; transfers that reused one made none.
    var handlesMade: Int { self.madeHandles.withLock { $0 } }

    // MARK: Callers' side

    private func submit(_ transfer: CurlTransfer, _ continuation: CheckedContinuation<HTTPResponse, any Error>) {
        let accepted: Bool = self.lock.withLock {
            // A cancellation that landed before this point set isCancelRequested (or Task.isCancelled);
            // one that lands after finds the transfer in the inbox or in `cancellations`.
            guard !self.isShuttingDown, !transfer.isCancelRequested, !Task.isCancelled else { return false }
            transfer.continuation = continuation
            // The loop takes the whole inbox at each turn: a wake-up is owed only by the transfer
            // that finds it empty (one `send` on libcurl's socket pair, and one turn of the loop,
            // per batch of arrivals rather than per transfer).
            if self.inbox.isEmpty { curl_multi_wakeup(self.multi) }
            self.inbox.append(transfer)
            return true
        }
        if !accepted { continuation.resume(throwing: CancellationError()) }
    }

    private func cancel(_ transfer: CurlTransfer) {
        let queued: CheckedContinuation<HTTPResponse, any Error>? = self.lock.withLock {
            transfer.isCancelRequested = true
            if let index = self.inbox.firstIndex(where: { $0 === transfer }) {
                self.inbox.remove(at: index)
                defer { transfer.continuation = nil }
                return transfer.continuation
            }
            if transfer.continuation != nil, self.isMultiAlive {
                self.cancellations.append(transfer)
                curl_multi_wakeup(self.multi)
            }
            return nil
        }
        queued?.resume(throwing: CancellationError())
    }

    // MARK: Loop thread

    private func run() {
        while true {
            let (arrivals, cancelled, stop) = self.lock.withLock {
                defer {
                    self.inbox.removeAll()
                    self.cancellations.removeAll()
                }
                return (self.inbox, self.cancellations, self.isShuttingDown)
            }
            if stop {
                for transfer in arrivals { self.finish(transfer, .failure(CancellationError())) }
                break
            }
            self.queued.append(contentsOf: arrivals)
            for transfer in cancelled {
                if let easy = transfer.easy, self.active[easy] === transfer {
                    self.remove(easy)
                } else if let index = self.queued.firstIndex(where: { $0 === transfer }) {
                    self.queued.remove(at: index)
                } else {
                    continue
                }
                self.finish(transfer, .failure(CancellationError()))
            }
            self.admitQueued()

            var stillRunning: Int32 = 0
            _ = curl_multi_perform(self.multi, &stillRunning)
            self.collectFinishedTransfers()
            // Slots freed by finished transfers go to queued ones now; libcurl's timer for a newly
            // added handle is due at once, so the poll below returns without waiting.
            self.admitQueued()
            // Returns on socket activity, on libcurl's own next timeout, on curl_multi_wakeup, or
            // after a second at most.
            _ = curl_multi_poll(self.multi, nil, 0, 1000, nil)
        }
        self.stop()
    }

    /// Starts queued transfers, in arrival order, while the global limit allows: each whose host
    /// is below its limit; one whose host is full stays queued without holding up the others.
    private func admitQueued() {
        var index = self.queued.startIndex
        while index < self.queued.endIndex, self.active.count < self.globalLimit {
            let host = self.queued[index].plan.hostKey
            guard self.activePerHost[host, default: 0] < self.perHostLimit else {
                index += 1
                continue
            }
            self.start(self.queued.remove(at: index))
        }
    }

    private func start(_ transfer: CurlTransfer) {
        do {
            let idle = self.idleHandles.popLast()
            if idle == nil { self.madeHandles.withLock { $0 += 1 } }
            let easy = try transfer.makeHandle(reusing: idle)
            let code = curl_multi_add_handle(self.multi, easy)
            guard code == CURLM_OK else {
                transfer.releaseHandle()
                let reason = String(cString: curl_multi_strerror(code))
                throw HTTPClientError(
                    kind: .transport,
                    url: transfer.plan.url,
                    message: "libcurl could not start the transfer: \(reason)"
                )
            }
            self.active[easy] = transfer
            self.activePerHost[transfer.plan.hostKey, default: 0] += 1
        } catch {
            self.finish(transfer, .failure(error))
        }
    }

    private func collectFinishedTransfers() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(self.multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                let transfer = self.active[easy]
            else { continue }
            // Read everything from the handle before removing it: `message` dies with the removal.
            let outcome = transfer.outcome(message.pointee.data.result)
            self.remove(easy)
            self.finish(transfer, outcome.mapError { $0 as any Error })
        }
    }

    /// `curl_multi_remove_handle`, then the handle, reset, kept for the next transfer
    /// (``idleHandles``) or, past ``maximumIdleHandles``, cleaned up.
    private func remove(_ easy: UnsafeMutableRawPointer) {
        guard let transfer = self.active.removeValue(forKey: easy) else { return }
        let host = transfer.plan.hostKey
        if let count = self.activePerHost[host], count > 1 {
            self.activePerHost[host] = count - 1
        } else {
            self.activePerHost[host] = nil
        }
        _ = curl_multi_remove_handle(self.multi, easy)
        guard let idle = transfer.takeHandle() else { return }
        if self.idleHandles.count < Self.maximumIdleHandles {
            self.idleHandles.append(idle)
        } else {
            curl_easy_cleanup(idle)
        }
    }

    private func finish(_ transfer: CurlTransfer, _ outcome: Result<HTTPResponse, any Error>) {
        let continuation = self.lock.withLock {
            defer { transfer.continuation = nil }
            return transfer.continuation
        }
        continuation?.resume(with: outcome)
    }

    private func stop() {
        for (easy, transfer) in self.active {
            self.remove(easy)
            self.finish(transfer, .failure(CancellationError()))
        }
        for transfer in self.queued { self.finish(transfer, .failure(CancellationError())) }
        self.queued.removeAll()
        let late = self.lock.withLock {
            self.isMultiAlive = false
            defer { self.inbox.removeAll() }
            return self.inbox
        }
        for transfer in late { self.finish(transfer, .failure(CancellationError())) }
        for idle in self.idleHandles { curl_easy_cleanup(idle) }
        self.idleHandles.removeAll()
        curl_multi_cleanup(self.multi)
        self.running.leave()
    }
}
