import Foundation
public import Logging
public import ServiceLifecycle

/// The daemon's poll loop (`palimpsest run`): polls every account on its interval with jitter
/// until graceful shutdown, then lets in-flight polls finish their writes and returns.
///
/// Each account has its own loop, so a slow or blind account never delays another; the HTTP
/// client's global and per-host limits bound the load on the network and on each platform.
public final class MonitorService: Service, Sendable {
    private let accounts: [Account]
    private let poller: AccountPoller
    private let jitter: Double
    private let logger: Logger
    private let stop = ShutdownSignal()

    /// - Parameters:
    ///   - accounts: the accounts to watch.
    ///   - poller: polls one account.
    ///   - jitter: fraction of each interval (0...0.5) by which a poll time is moved at random,
    ///     so accounts on one host are not polled in lockstep.
    public init(accounts: [Account], poller: AccountPoller, jitter: Double, logger: Logger) {
        self.accounts = accounts
        self.poller = poller
        self.jitter = min(max(jitter, 0), 0.5)
        self.logger = logger
    }

    public func run() async throws {
        self.logger.info("watching \(self.accounts.count) accounts")
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for (index, account) in self.accounts.enumerated() {
                    // Spread first polls over the first interval (at most 60 s) instead of
                    // sending every request at start.
                    let spread = min(account.interval, 60)
                    let offset = self.accounts.count > 1 ? spread * Double(index) / Double(self.accounts.count) : 0
                    group.addTask { await self.watch(account, firstPollAfter: offset) }
                }
            }
        } onGracefulShutdown: {
            self.logger.info("shutting down: finishing in-flight polls")
            self.stop.stop()
        }
        self.logger.info("all polls finished; deletion log and state are written")
    }

    private func watch(_ account: Account, firstPollAfter offset: TimeInterval) async {
        if await self.stop.sleep(seconds: offset) { return }
        while !self.stop.isStopped {
            do {
                let report = try await self.poller.poll(account, at: Date())
                self.logger.debug(
                    "polled: \(report.record.outcome) \(report.record.detail)",
                    metadata: ["account.key": "\(account.key)"])
            } catch {
                self.logger.error(
                    "poll could not run: \(error)",
                    metadata: ["account.key": "\(account.key)", "account.name": "\(account.displayName)"])
            }
            let spread = account.interval * self.jitter
            let delay = account.interval + Double.random(in: -spread...spread)
            if await self.stop.sleep(seconds: delay) { return }
        }
    }
}
