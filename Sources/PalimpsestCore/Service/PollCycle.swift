public import Foundation

/// One pass over a list of accounts (`palimpsest poll`): every account polled once, at most
/// `concurrency` at a time, all recorded as of the same time.
public struct PollCycle: Sendable {
    public let poller: AccountPoller
    /// Maximum number of accounts polled at the same time.
    public let concurrency: Int

    public init(poller: AccountPoller, concurrency: Int) {
        self.poller = poller
        self.concurrency = max(1, concurrency)
    }

    /// The result of one account's poll in a cycle.
    public enum Result: Sendable {
        case polled(PollReport)
        /// The poll could not run: the state or the log could not be read or written.
        case fault(Account, any Error)
    }

    /// Polls every account once as of `now` (UTC) and returns the results in account order.
    public func run(_ accounts: [Account], at now: Date) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            var results = [Result?](repeating: nil, count: accounts.count)
            var next = 0
            func start(_ index: Int) {
                let account = accounts[index]
                group.addTask {
                    do {
                        return (index, .polled(try await self.poller.poll(account, at: now)))
                    } catch {
                        return (index, .fault(account, error))
                    }
                }
            }
            while next < accounts.count && next < self.concurrency {
                start(next)
                next += 1
            }
            while let (index, result) = await group.next() {
                results[index] = result
                if next < accounts.count {
                    start(next)
                    next += 1
                }
            }
            return results.compactMap { $0 }
        }
    }
}
