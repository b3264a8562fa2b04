import Foundation
import GRDB
import PalimpsestReplay
import PalimpsestTestSupport
import Synchronization
import Testing

@testable import PalimpsestCore

/// The quiet fields (``StateStore/loadQuietState(of:)``): what SQLite picks out of a quiet
/// account's stored state for a poll that ends with an unchanged answer, and how a poll that needs
/// more puts them back into the whole state.
@Suite struct QuietFieldsTests {
    /// Polls a feed once (the account is then quiet) and stores its state again with what the quiet
    /// read must leave out: an older watched span, cited records, a second validated URL; and what
    /// it must keep: a resolved ID, events logged, validators with both an ETag and a date.
    static func quietAccount(_ harness: IntegrationHarness) async throws -> (Account, AccountState) {
        let account = harness.feedAccount(path: "/feed")
        var first = DiskFullTests.feed(harness, ids: [3, 2, 1])
        first.headers.add(name: "ETag", value: "\"v1\"")
        harness.server.script("/feed", [first])
        let poller = try harness.poller()
        _ = try await poller.poll(account, at: IntegrationHarness.time(0))
        _ = poller.stateStore.saveUnsavedStates()
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        var state = try #require(try store.loadState(of: account.key))
        state.pollSpans = [
            PollSpan(from: IntegrationHarness.time(-3_000), to: IntegrationHarness.time(-2_000)),
            PollSpan(from: IntegrationHarness.time(-20), to: IntegrationHarness.time(0)),
        ]
        state.resolvedID = "1234"
        state.eventsLogged = 7
        state.citedEvidence = [String(repeating: "a", count: 64)]
        state.citedSnapshots = ["20260801T115000Z-0123abcd"]
        state.validators["https://feed.example/other"] = ConditionalValidators(
            etag: nil, lastModified: IntegrationHarness.time(-60), bodySHA256: String(repeating: "b", count: 64))
        try store.commitAndWait(StateCommit(account: account.key, before: nil, state: state))
        #expect(state.isQuiet)
        return (account, state)
    }

    @Test func theQuietReadHoldsTheFieldsOfAnUnchangedPollAndNothingElse() async throws {
        let harness = try await IntegrationHarness()
        let (account, whole) = try await Self.quietAccount(harness)
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        let quiet = try #require(try store.loadQuietState(of: account.key))

        var expected = AccountState(account: account.key)
        expected.resolvedID = "1234"
        expected.eventsLogged = 7
        expected.validators = whole.validators
        expected.lastPoll = whole.lastPoll
        expected.pollSpans = [PollSpan(from: IntegrationHarness.time(-20), to: IntegrationHarness.time(0))]
        #expect(quiet == expected)
        #expect(whole.validators.count == 2)
        // Put back into the whole state, they change nothing.
        #expect(whole.withQuietFields(of: quiet) == whole)
        await harness.close()
    }

    /// A batch that commits an unchanged poll while a state is read, between the read of the
    /// database and its return, must leave the poll in the state read: it was in the database too
    /// late for the read and out of the writer's queue too early for the reader. (Missed, the
    /// state's watched span ended early and the next unchanged poll wrote the whole state.)
    @Test func anUnchangedPollCommittedDuringAStateReadIsInTheStateRead() async throws {
        let harness = try await IntegrationHarness()
        let (account, _) = try await Self.quietAccount(harness)
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        // The polls wait for the hook's flush, however slow the machine (not the default 1 s).
        store.holdUnchangedPolls(for: .seconds(3600), upTo: 10_000)
        let reads: [(String, @Sendable () throws -> AccountState?)] = [
            ("loadState", { try store.loadState(of: account.key) }),
            ("loadQuietState", { try store.loadQuietState(of: account.key) }),
        ]
        for (index, (name, read)) in reads.enumerated() {
            let at = IntegrationHarness.time(10 * (index + 1))
            try await store.commit(
                StateCommit(
                    account: account.key, before: nil, state: nil,
                    unchanged: UnchangedObservation(
                        at: at, url: "https://feed.example/other", status: 304,
                        bodySHA256: String(repeating: "b", count: 64))))
            #expect(store.writer.hasUnwrittenUnchanged(of: account.key), "\(name): the poll waits for a batch")
            store.stateReadHook.withLock { hook in
                hook = { [weak store] in
                    guard let store else { return }
                    _ = store.saveUnsavedStates()
                    // The writer forgets the poll just after it tells the flush the batch is
                    // committed: only then is the poll in neither place for a reader that asks late.
                    while store.writer.hasUnwrittenUnchanged(of: account.key) { usleep(1_000) }
                }
            }
            let state = try read()
            store.stateReadHook.withLock { $0 = nil }
            #expect(try store.unchangedRuns(of: account.key).last?.until == at, "\(name): the batch committed it")
            #expect(state?.lastPoll?.at == at, "\(name): the unchanged poll was in neither")
            #expect(state?.pollSpans?.last?.to == at, "\(name): its watched span reaches the poll")
        }
        await harness.close()
    }

    @Test func aQuietStateWhoseQuietFieldsAreNotOfTheirTypesIsReadWholeAndNamed() async throws {
        let harness = try await IntegrationHarness()
        let (account, whole) = try await Self.quietAccount(harness)
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        let url = try #require(whole.validators.keys.first { $0.hasSuffix("/feed") })
        for edit in ["json_set(state, '$.v', '1')", "json_set(state, '$.validators.\"\(url)\".etag', 5)"] {
            try await store.pool.writeWithoutTransaction { db in
                try db.execute(
                    sql: "UPDATE accounts SET state = \(edit) WHERE key = ?", arguments: [account.key.rawValue])
            }
            // No stop of the process on a value GRDB cannot convert: the whole read says what is wrong.
            #expect(try store.loadQuietState(of: account.key) == nil)
            let error = try #require(throws: StoreError.self) { try store.loadState(of: account.key) }
            #expect("\(error)".contains(account.key.rawValue), "\(error)")
            try store.commitAndWait(StateCommit(account: account.key, before: nil, state: whole))
        }
        // Likewise the newest run of unchanged polls read with them.
        harness.server.script("/feed", [ReplayResponse(status: 304, headers: [("ETag", "\"v1\"")], body: Data())])
        let poller = try harness.poller()
        _ = try await poller.poll(account, at: IntegrationHarness.time(10))
        _ = poller.stateStore.saveUnsavedStates()
        #expect(try store.loadQuietState(of: account.key)?.lastPoll?.at == IntegrationHarness.time(10))
        try await store.pool.writeWithoutTransaction { db in
            try db.execute(
                sql: "UPDATE unchanged_runs SET until = 'ten past' WHERE account = ?", arguments: [account.key.rawValue]
            )
        }
        #expect(try store.loadQuietState(of: account.key) == nil)
        await harness.close()
    }

    @Test func aChangedAnswerAfterTheQuietReadKeepsEveryFieldOfTheWholeState() async throws {
        let harness = try await IntegrationHarness()
        let (account, whole) = try await Self.quietAccount(harness)
        harness.server.script("/feed", [DiskFullTests.feed(harness, ids: [4, 3, 2, 1])])
        let report = try await harness.poller().poll(account, at: IntegrationHarness.time(10))
        #expect(report.record.outcome == "complete")
        #expect(report.postsTracked == 4)

        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        let state = try #require(try store.loadState(of: account.key))
        #expect(
            state.pollSpans == [
                PollSpan(from: IntegrationHarness.time(-3_000), to: IntegrationHarness.time(-2_000)),
                PollSpan(from: IntegrationHarness.time(-20), to: IntegrationHarness.time(10)),
            ])
        #expect(state.resolvedID == "1234")
        #expect(state.eventsLogged == 7)
        #expect(state.citedEvidence == whole.citedEvidence)
        #expect(state.citedSnapshots == whole.citedSnapshots)
        #expect(state.validators["https://feed.example/other"] == whole.validators["https://feed.example/other"])
        #expect(state.detection.lastComplete?.polledAt == IntegrationHarness.time(10))
        #expect(state.detection.posts.count == 4)
        #expect(state.lastPoll?.at == IntegrationHarness.time(10))
        await harness.close()
    }

    @Test func anUnchangedAnswerAfterAGapWritesTheWholeStateWithEveryEarlierSpan() async throws {
        // Interval 10 min, default jitter 10 %: a poll 60 min after the last one follows a gap.
        let harness = try await IntegrationHarness()
        let (account, whole) = try await Self.quietAccount(harness)
        harness.server.script("/feed", [ReplayResponse(status: 304, headers: [("ETag", "\"v1\"")], body: Data())])
        let poller = try harness.poller()
        let report = try await poller.poll(account, at: IntegrationHarness.time(60))
        #expect(report.record.detail.hasPrefix("unchanged since the last poll (HTTP 304"), "\(report.record.detail)")
        _ = poller.stateStore.saveUnsavedStates()

        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        let state = try #require(try store.loadState(of: account.key))
        #expect(
            state.pollSpans == [
                PollSpan(from: IntegrationHarness.time(-3_000), to: IntegrationHarness.time(-2_000)),
                PollSpan(from: IntegrationHarness.time(-20), to: IntegrationHarness.time(0)),
                PollSpan(from: IntegrationHarness.time(60), to: IntegrationHarness.time(60)),
            ])
        #expect(state.citedEvidence == whole.citedEvidence)
        #expect(state.detection == whole.detection)
        #expect(state.eventsLogged == 7)
        #expect(state.lastPoll?.at == IntegrationHarness.time(60))
        await harness.close()
    }

    /// A second feed account, `/other`, polled once at time 0.
    static func polledFeedAccount(_ harness: IntegrationHarness) async throws -> Account {
        let account = harness.feedAccount(path: "/other", name: "Other feed")
        harness.server.script("/other", [DiskFullTests.feed(harness, ids: [2, 1])])
        _ = try await harness.poller().poll(account, at: IntegrationHarness.time(0))
        return account
    }

    @Test func quietFieldsReadAheadForABatchAreTakenOnceByEachAccountsRead() async throws {
        let harness = try await IntegrationHarness()
        let (first, _) = try await Self.quietAccount(harness)
        let second = try await Self.polledFeedAccount(harness)
        let unknown = harness.feedAccount(path: "/never", name: "Never polled")
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        let expected = try #require(try store.loadQuietState(of: first.key))
        let expectedSecond = try #require(try store.loadQuietState(of: second.key))

        try store.prefetchQuietStates(of: [first.key, second.key, unknown.key])
        try await store.pool.writeWithoutTransaction { db in
            try db.execute(
                sql: "UPDATE accounts SET state = json_set(state, '$.events_logged', 8) WHERE key = ?",
                arguments: [first.key.rawValue])
        }
        #expect(try store.loadQuietState(of: first.key) == expected, "the state as read ahead")
        #expect(try store.loadQuietState(of: first.key)?.eventsLogged == 8, "taken once: then read alone")
        #expect(try store.loadQuietState(of: unknown.key) == nil)
        store.discardPrefetchedQuietStates()
        #expect(try store.loadQuietState(of: second.key) == expectedSecond)
        await harness.close()
    }

    /// The daemon reads a round's quiet fields ahead and each poll drops its own at its end: an
    /// account whose poll ended before its read must not hand what was read to its next poll.
    @Test func quietFieldsReadAheadAndDroppedForOneAccountAreReadAgainByItsNextRead() async throws {
        let harness = try await IntegrationHarness()
        let (first, _) = try await Self.quietAccount(harness)
        let second = try await Self.polledFeedAccount(harness)
        let store = try StateStore(root: harness.root.appendingPathComponent("state"))
        let expectedSecond = try #require(try store.loadQuietState(of: second.key))

        try store.prefetchQuietStates(of: [first.key, second.key])
        store.discardPrefetchedQuietState(of: first.key)
        try await store.pool.writeWithoutTransaction { db in
            try db.execute(
                sql: "UPDATE accounts SET state = json_set(state, '$.events_logged', 8) WHERE key IN (?, ?)",
                arguments: [first.key.rawValue, second.key.rawValue])
        }
        #expect(store.takePrefetchedQuietState(of: first.key) == nil, "dropped: nothing read ahead is left")
        #expect(try store.loadQuietState(of: first.key)?.eventsLogged == 8, "read again, as it is now")
        #expect(try store.loadQuietState(of: second.key) == expectedSecond, "the other account's read ahead stays")
        await harness.close()
    }

    @Test func anAccountWithAnUnchangedPollNotYetWrittenIsNotReadAhead() async throws {
        // A process that polls an account again (`palimpsest demo` runs several cycles): its
        // first unchanged poll waits for the writer's next batch, which may come between the read
        // ahead and the account's next read; read alone, the poll is in the database or the queue.
        let harness = try await IntegrationHarness()
        let (account, _) = try await Self.quietAccount(harness)
        harness.server.script("/feed", [ReplayResponse(status: 304, headers: [("ETag", "\"v1\"")], body: Data())])
        let poller = try harness.poller()
        let report = try await poller.poll(account, at: IntegrationHarness.time(10))
        #expect(report.record.detail.hasPrefix("unchanged since the last poll (HTTP 304"), "\(report.record.detail)")
        let store = try #require(poller.stateStore as? StateStore)
        try store.prefetchQuietStates(of: [account.key])
        _ = store.saveUnsavedStates()  // the writer's batch: the unchanged poll leaves its queue
        #expect(try store.loadQuietState(of: account.key)?.lastPoll?.at == IntegrationHarness.time(10))
        await harness.close()
    }
}
