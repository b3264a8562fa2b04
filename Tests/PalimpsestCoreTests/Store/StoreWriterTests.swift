import Foundation
import GRDB
import PalimpsestTestSupport
import Synchronization
import Testing

@testable import PalimpsestCore

/// The store's writer: group commit under load (a batch waits for more commits, within a bound)
/// and when its SQLite connection checkpoints the WAL.
@Suite struct StoreWriterTests {
    typealias GroupCommit = StoreWriter.GroupCommit
    let rule = GroupCommit(busyBatch: 16, quietGap: .milliseconds(25), maximumHold: .milliseconds(500))
    let now = ContinuousClock.now

    private func hold(
        waiting: Int = 10, oldestAgo: Duration = .milliseconds(10), newestAgo: Duration = .milliseconds(1),
        lastBatch: Int = 16, mustNotWait: Bool = false
    ) -> Duration? {
        self.rule.hold(
            waiting: waiting, oldest: self.now - oldestAgo, newest: self.now - newestAgo, lastBatch: lastBatch,
            mustNotWait: mustNotWait, now: self.now)
    }

    @Test func underLoadABatchWaitsForMoreCommitsUntilNoneCameForTheQuietGap() {
        // The newest came 1 ms ago: wait the 24 ms left of the quiet gap (woken by each new one).
        #expect(self.hold() == .milliseconds(24))
        // None came for the quiet gap: every poll in flight waits for this batch, write it.
        #expect(self.hold(newestAgo: .milliseconds(25)) == nil)
    }

    @Test func underLightLoadNothingWaits() {
        #expect(self.hold(lastBatch: 15) == nil)
        #expect(self.hold(lastBatch: 0) == nil)
    }

    @Test func aBatchIsWrittenOnceTheMostOneTransactionTakesWait() {
        #expect(self.hold(waiting: StoreWriter.maximumBatch - 1) != nil)
        #expect(self.hold(waiting: StoreWriter.maximumBatch) == nil)
    }

    @Test func noCommitWaitsLongerThanTheMaximumHold() {
        // However the commits keep coming, the oldest is never held past the bound.
        for oldestMilliseconds in stride(from: 0, through: 600, by: 7) {
            for newestMilliseconds in [0, 1, 5, 24] where newestMilliseconds <= oldestMilliseconds {
                let held = Duration.milliseconds(oldestMilliseconds)
                guard
                    let wait = self.hold(
                        oldestAgo: held, newestAgo: .milliseconds(newestMilliseconds))
                else { continue }
                #expect(held + wait <= self.rule.maximumHold)
                #expect(wait > .zero)
            }
        }
        #expect(self.hold(oldestAgo: .milliseconds(500), newestAgo: .zero) == nil)
        #expect(self.hold(oldestAgo: .milliseconds(499), newestAgo: .zero) == .milliseconds(1))
    }

    @Test func aJobThatMustNotWaitEndsTheWait() {
        // A job that runs alone, a flush of unchanged polls (the end of `poll`, a stop), a stop.
        #expect(self.hold(mustNotWait: true) == nil)
    }

    @Test func nothingQueuedIsNothingToWaitFor() {
        let hold = self.rule.hold(
            waiting: 0, oldest: nil, newest: nil, lastBatch: 100, mustNotWait: false, now: self.now)
        #expect(hold == nil)
    }

    @Test func theDefaultRuleWaitsAtMostHalfASecond() {
        let rule = GroupCommit()
        #expect(rule.busyBatch == 16)
        #expect(rule.quietGap == .milliseconds(25))
        #expect(rule.maximumHold == .milliseconds(500))
    }

    /// Commits queued while a batch waits (the writer under load) go into one transaction once
    /// the most one transaction takes wait, before any timer: here the quiet gap and the hold
    /// are a minute, so only the count can end the wait.
    @Test func commitsQueuedUnderLoadGoIntoOneTransactionWhenEnoughWait() async throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try StateStore(root: root)
        let batches = Mutex<[Int]>([])
        store.writer.batchCommittedHook.withLock { hook in
            hook = { count in batches.withLock { $0.append(count) } }
        }
        defer { store.writer.batchCommittedHook.withLock { $0 = nil } }
        store.writer.setGroupCommit(GroupCommit(busyBatch: 1, quietGap: .seconds(60), maximumHold: .seconds(60)))
        func commit(_ index: Int) async throws {
            let key = AccountKey(rawValue: "feed:https://example.org/\(index).xml")
            var state = AccountState(account: key)
            state.lastPoll = PollRecord(at: StoreTestSupport.date(0), outcome: "complete", detail: "", posts: 0)
            try await store.commit(StateCommit(account: key, before: nil, state: state))
        }
        // A first transaction of one commit: the writer is now "under load" (busyBatch 1).
        try await commit(0)
        let count = StoreWriter.maximumBatch
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 1...count { group.addTask { try await commit(index) } }
            try await group.waitForAll()
        }
        #expect(batches.withLock { $0 } == [1, count])
        let stored = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM accounts") }
        #expect(stored == count + 1)
    }

    @Test func theWALIsCheckpointedOnlyOnceItHolds64MiB() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try StateStore(root: root)
        let (pages, pageSize) = try store.pool.writeWithoutTransaction { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? 0,
                try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            )
        }
        #expect(pages == StateStore.walCheckpointPages)
        #expect(pages * pageSize == 64 * 1024 * 1024)
    }
}
