import Foundation
import PalimpsestCore
import PalimpsestTestSupport
import Testing

/// Admission order and cancellation of the client's own queue.
@Suite struct RequestLimiterTests {
    /// Records the order in which tasks were admitted.
    private actor Admissions {
        var order: [String] = []
        func append(_ name: String) { self.order.append(name) }
    }

    /// Waits until `condition` holds; a timeout fails the test.
    private func eventually(_ condition: () -> Bool) async throws {
        try #require(await waitUntil(condition), "condition not reached within 10 s")
    }

    @Test func waitersForOneHostAreAdmittedInArrivalOrder() async throws {
        let limiter = RequestLimiter(globalLimit: 10, perHostLimit: 1)
        let admissions = Admissions()
        try await limiter.acquire(host: "example.org")
        var tasks: [Task<Void, any Error>] = []
        for name in ["b", "c", "d"] {
            tasks.append(
                Task {
                    try await limiter.acquire(host: "EXAMPLE.org")
                    await admissions.append(name)
                    limiter.release(host: "example.org")
                }
            )
            // Queue them one after the other so arrival order is known.
            try await self.eventually { limiter.waitingCount == tasks.count }
        }
        #expect(limiter.runningCount == 1)
        limiter.release(host: "example.org")
        for task in tasks { try await task.value }
        #expect(await admissions.order == ["b", "c", "d"])
        #expect(limiter.runningCount == 0)
    }

    @Test func aFullHostDoesNotHoldUpOtherHosts() async throws {
        let limiter = RequestLimiter(globalLimit: 10, perHostLimit: 1)
        try await limiter.acquire(host: "busy.example")
        let blocked = Task { try await limiter.acquire(host: "busy.example") }
        try await self.eventually { limiter.waitingCount == 1 }
        // Returns at once although an earlier waiter for another host is queued.
        try await limiter.acquire(host: "idle.example")
        #expect(limiter.runningCount == 2)
        limiter.release(host: "busy.example")
        try await blocked.value
        #expect(limiter.runningCount == 2)
    }

    @Test func theGlobalLimitQueuesAcrossHosts() async throws {
        let limiter = RequestLimiter(globalLimit: 2, perHostLimit: 5)
        try await limiter.acquire(host: "a.example")
        try await limiter.acquire(host: "b.example")
        let third = Task { try await limiter.acquire(host: "c.example") }
        try await self.eventually { limiter.waitingCount == 1 }
        #expect(limiter.runningCount == 2)
        limiter.release(host: "a.example")
        try await third.value
        #expect(limiter.runningCount == 2)
        #expect(limiter.waitingCount == 0)
    }

    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        let limiter = RequestLimiter(globalLimit: 1, perHostLimit: 1)
        try await limiter.acquire(host: "example.org")
        let waiter = Task { try await limiter.acquire(host: "example.org") }
        try await self.eventually { limiter.waitingCount == 1 }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(limiter.waitingCount == 0)
        limiter.release(host: "example.org")
        // The cancelled waiter took no slot: the next caller is admitted at once.
        #expect(limiter.runningCount == 0)
        try await limiter.withPermit(host: "example.org") { #expect(limiter.runningCount == 1) }
        #expect(limiter.runningCount == 0)
    }

    @Test func closingRefusesWaitersAndLaterCallers() async throws {
        let limiter = RequestLimiter(globalLimit: 1, perHostLimit: 1)
        try await limiter.acquire(host: "example.org")
        let waiter = Task { try await limiter.acquire(host: "example.org") }
        try await self.eventually { limiter.waitingCount == 1 }
        limiter.close()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        await #expect(throws: CancellationError.self) { try await limiter.acquire(host: "other.example") }
    }
}
