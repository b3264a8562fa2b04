import Foundation
import GRDB
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

@Suite struct StatusReportTests {
    /// A config over `root` watching `count` feed accounts (`https://example.org/<i>.xml`), each
    /// named by `name(i)` when it gives one; `daemon` adds lines to `[daemon]`.
    private func feedConfig(
        in root: URL, count: Int, daemon: String = "", name: (Int) -> String? = { _ in nil }
    ) throws -> PalimpsestConfig {
        let accounts = (0..<count).map { index in
            "[[account]]\nplatform = \"feed\"\n" + (name(index).map { "name = \"\($0)\"\n" } ?? "")
                + "url = \"https://example.org/\(index).xml\"\n"
        }
        return try ConfigLoader.parse(
            "[daemon]\nstate_dir = \"state\"\n\(daemon)\n" + accounts.joined(separator: "\n"),
            file: root.appendingPathComponent("p.toml"))
    }

    /// The store of `config` with a state of each account polled (complete) at
    /// `StoreTestSupport.date(0)`, each changed by `change` (with the account's index) first.
    private func storeOfPolledStates(
        _ config: PalimpsestConfig, _ change: (Int, inout AccountState) -> Void = { _, _ in }
    ) throws -> StateStore {
        let store = try StateStore(root: config.daemon.stateDirectory)
        for (index, account) in config.accounts.enumerated() {
            var state = AccountState(account: account.key)
            state.lastPoll = PollRecord(at: StoreTestSupport.date(0), outcome: "complete", detail: "", posts: 0)
            change(index, &state)
            try store.commitAndWait(StateCommit(account: account.key, before: nil, state: state))
        }
        return store
    }

    /// Deleted just after a poll; first missed one interval later; confirmed by absence once missed
    /// `confirm_polls` times over at least `confirm_min_age`.
    @Test func worstCaseDelayCountsTheIntervalAndTheConfirmation() {
        // 600 s, no jitter: missed at 600 s, 1200 s later (2 more polls) confirmed: 1800 s.
        #expect(StatusReport.worstCaseDelay(interval: 600, jitter: 0, confirmPolls: 2, confirmMinAge: 1200) == 1800)
        // Defaults (10 min ± 10 %): polls up to 660 s apart, as short as 540 s, so 3 more polls
        // to span 1200 s: 4 × 660 s.
        #expect(StatusReport.worstCaseDelay(interval: 600, jitter: 0.1, confirmPolls: 2, confirmMinAge: 1200) == 2640)
        // confirm_polls dominates: 5 misses = 4 more polls after the first.
        #expect(StatusReport.worstCaseDelay(interval: 600, jitter: 0, confirmPolls: 5, confirmMinAge: 1200) == 3000)
        // confirm_min_age 0 and one poll: the first miss confirms.
        #expect(StatusReport.worstCaseDelay(interval: 300, jitter: 0, confirmPolls: 1, confirmMinAge: 0) == 300)
    }

    /// With more accounts than one part of the cores' work (2,000 a part), the rows and the text
    /// are made in parts: every account still shows once, in config order, with its own state.
    @Test func aReportOfManyAccountsShowsEachOnceInConfigOrder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "palimpsest-status-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let config = try self.feedConfig(in: root, count: 4_500, name: { "Account \($0)" })
        let polled = [0, 1_999, 2_000, 2_250, 4_499]
        let store = try StateStore(root: config.daemon.stateDirectory)
        for index in polled {
            let key = config.accounts[index].key
            var state = AccountState(account: key)
            state.lastPoll = PollRecord(
                at: StoreTestSupport.date(Double(index)), outcome: "complete", detail: "\(index) posts", posts: index)
            try store.commitAndWait(StateCommit(account: key, before: nil, state: state))
        }
        let report = try StatusReport.gather(config: config, now: StoreTestSupport.date(86_400))
        #expect(report.accounts.map(\.account) == config.accounts.map(\.key))
        for index in polled {
            #expect(report.accounts[index].lastPoll?.detail == "\(index) posts", "account \(index)")
        }
        #expect(report.accounts.filter { $0.lastPoll != nil }.count == polled.count)
        let text = report.render()
        let headers = text.split(separator: "\n").filter { $0.hasPrefix("feed:") }.map(String.init)
        #expect(headers == config.accounts.map { "\($0.key.rawValue)  \"\($0.name ?? "")\"" })
        #expect(text.components(separatedBy: "\n  last poll   never").count - 1 == 4_500 - polled.count)
        #expect(text.contains("\n  last poll   \(RFC3339.string(from: StoreTestSupport.date(2_250))) ("))
    }

    @Test func readsAccountStatesAndTheLogWhenNoDaemonRuns() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "palimpsest-status-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let now = Date(timeIntervalSince1970: 1_785_592_800)  // 2026-08-01T14:00:00Z
        let configText = """
            [daemon]
            state_dir = "state"
            interval = "10m"
            jitter = 0

            [[account]]
            platform = "feed"
            name = "Blind one"
            url = "https://example.org/a.xml"

            [[account]]
            platform = "feed"
            url = "https://example.org/b.xml"
            interval = "5m"
            """
        let config = try ConfigLoader.parse(configText, file: root.appendingPathComponent("p.toml"))
        let a = config.accounts[0].key
        let b = config.accounts[1].key

        // Account a: last poll failed, blind for 30 minutes.
        let store = try StateStore(root: config.daemon.stateDirectory)
        var state = AccountState(account: a)
        state.lastPoll = PollRecord(at: now.addingTimeInterval(-120), outcome: "blind", detail: "HTTP 503")
        state.detection.blindSpan = BlindSpan(
            from: now.addingTimeInterval(-1_800), failedPolls: 3,
            failure: PollFailure(kind: .httpStatus, message: "HTTP 503 Service Unavailable", httpStatus: 503))
        try store.accountStore(for: a).saveState(state)

        // The log: one event of a 3 days ago, one 10 days ago.
        let log = try DeletionLog(url: config.daemon.deletionLog)
        _ = try log.append([
            Event(
                id: "e-old", detectedAt: now.addingTimeInterval(-10 * 86_400), event: .deleted, platform: .feed,
                account: a),
            Event(
                id: "e-new", detectedAt: now.addingTimeInterval(-3 * 86_400), event: .deleted, platform: .feed,
                account: a),
        ])

        let report = try StatusReport.gather(config: config, now: now)
        #expect(!report.daemon.running)
        #expect(report.accounts.map(\.account) == [a, b])
        let first = report.accounts[0]
        #expect(first.name == "Blind one")
        #expect(first.lastPoll?.outcome == "blind")
        #expect(first.nextPoll == nil)
        #expect(first.blind?.failedPolls == 3)
        #expect(first.eventsThisWeek == 1)
        // 1800 s to confirm, plus the 1800 s it has been blind.
        #expect(first.worstCaseDelay == 3_600)
        let second = report.accounts[1]
        #expect(second.lastPoll == nil)
        #expect(second.eventsThisWeek == 0)
        // 300 s interval: 300 + 4 more polls to span 1200 s.
        #expect(second.worstCaseDelay == 1_500)
        // Read-only: no folder was made for the account that never ran.
        #expect(try store.accountKeys() == [a])

        let text = report.render()
        #expect(text.hasPrefix("daemon: not running (no process holds "))
        #expect(text.contains("feed:https://example.org/a.xml  \"Blind one\""))
        #expect(text.contains("  last poll   2026-08-01T13:58:00Z (2 min ago): blind, HTTP 503"))
        #expect(
            text.contains(
                "  blind       since 2026-08-01T13:30:00Z (3 failed polls; last: http_status: HTTP 503 Service Unavailable)"
            ))
        #expect(text.contains("  events      1 in the last 7 days"))
        #expect(text.contains("  worst case  1 h from a deletion to its log entry (by absence)"))
        #expect(text.contains("  next poll   when the daemon runs"))
    }

    /// `status --account`: only the accounts named by key or configured name, in config order;
    /// the others' states are not read (a broken one is not reported).
    @Test func onlyTheAccountsAskedForAreShownByKeyOrName() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let config = try self.feedConfig(in: root, count: 4) { $0 < 2 ? "Ministry" : "Feed \($0)" }
        let store = try self.storeOfPolledStates(config)
        let keys = config.accounts.map(\.key)
        try store.pool.write { db in
            try db.execute(sql: "UPDATE accounts SET state = '{' WHERE key = ?", arguments: [keys[2].rawValue])
        }

        let selected = try StatusReport.selectAccounts([keys[3].rawValue, "Ministry"], in: config)
        #expect(selected == [keys[0], keys[1], keys[3]], "the shared name names both accounts")
        let report = try StatusReport.gather(config: config, now: StoreTestSupport.date(60), accounts: selected)
        #expect(report.accounts.map(\.account) == [keys[0], keys[1], keys[3]], "in config order")
        #expect(report.accounts.allSatisfy { $0.lastPoll?.outcome == "complete" && $0.stateProblem == nil })
        let (overviews, failures) = try store.accountOverviews(pendingFindings: true, of: [keys[1], keys[2]])
        #expect(Set(overviews.keys) == [keys[1]])
        #expect(Set(failures.keys) == [keys[2]], "a broken state asked for is named")

        #expect(throws: StatusReport.AccountSelectionError.self) {
            try StatusReport.selectAccounts(["feed:https://example.org/9.xml"], in: config)
        }
    }

    /// An account of another shard is configured, not unknown: the error says which shard runs here.
    @Test func anAccountOfAnotherShardIsNamedAsSuch() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let config = try self.feedConfig(in: root, count: 8, daemon: "shard = \"1/2\"")
        let elsewhere = try #require(config.accounts.first { !config.watchedAccounts.contains($0) })
        do {
            _ = try StatusReport.selectAccounts([elsewhere.key.rawValue], in: config)
            Issue.record("an account of shard 2/2 was selected on shard 1/2")
        } catch {
            #expect(error.shard == "1/2")
            #expect(error.description.contains("not watched by shard 1/2"), "\(error)")
        }
    }

    /// Events saved in an account's state that the deletion log refuses (its head does not match,
    /// the disk is full) are shown as waiting, where status looked healthy (found by a tester).
    @Test func eventsTheLogHasNotTakenAreShownAsWaiting() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let config = try self.feedConfig(in: root, count: 2)
        _ = try self.storeOfPolledStates(config) { index, state in
            if index == 0 { state.pendingEvents = [StoreTestSupport.event("e1"), StoreTestSupport.event("e2")] }
        }

        let report = try StatusReport.gather(config: config, now: StoreTestSupport.date(60))
        #expect(report.accounts.map(\.eventsWaiting) == [2, nil])
        let text = report.render()
        #expect(text.contains("log:    2 events of 1 account not yet in the deletion log"), "\(text)")
        #expect(text.contains("  waiting     2 events not yet in the deletion log (kept in the state)"))
        let json = try String(decoding: JSONCoding.documentEncoder().encode(report), as: UTF8.self)
        #expect(json.components(separatedBy: "\"events_waiting\" : 2").count == 2, "only the account waiting")
    }

    /// A damaged `state.sqlite` is said, where every account showed as never polled with exit 0
    /// (found by a tester).
    @Test func aStateStoreThatDoesNotReadIsSaidNotShownAsAccountsNeverPolled() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let config = try self.feedConfig(in: root, count: 1)
        try self.storeOfPolledStates(config).pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let database = config.daemon.stateDirectory.appendingPathComponent("state.sqlite")
        var bytes = try Data(contentsOf: database)
        for index in 4_096..<bytes.count { bytes[index] = 0x5A }
        try bytes.write(to: database)

        let report = try StatusReport.gather(config: config, now: StoreTestSupport.date(60))
        let problem = try #require(report.storeProblem)
        #expect(problem.contains("state.sqlite"), "\(problem)")
        #expect(report.render().contains("        does not read: "))
        let json = try String(decoding: JSONCoding.documentEncoder().encode(report), as: UTF8.self)
        #expect(json.contains("\"store_problem\""))
    }

    /// A one-shot `palimpsest poll` holding the lock is not the daemon (a tester read "daemon:
    /// running (PID …)" during a poll); a lock file of an earlier release (PID only) reads as before.
    @Test func aPollHoldingTheLockIsNotShownAsTheDaemon() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let config = try self.feedConfig(in: root, count: 1)
        let lock = try StateDirectoryLock.acquire(
            stateDirectory: config.daemon.stateDirectory, purpose: "palimpsest poll")
        let report = try StatusReport.gather(config: config, now: StoreTestSupport.date(60))
        #expect(report.daemon.lockHolder == "palimpsest poll")
        #expect(
            report.render().hasPrefix(
                "daemon: not running; `palimpsest poll` (PID \(getpid())) is using this state_dir now"),
            "\(report.render())")
        try Data("\(getpid())\n".utf8).write(to: lock.url)
        let earlier = try StatusReport.gather(config: config, now: StoreTestSupport.date(60))
        #expect(earlier.daemon.lockHolder == nil)
        #expect(earlier.render().hasPrefix("daemon: running (PID \(getpid()))"))
        withExtendedLifetime(lock) {}
    }

    /// An account whose stored state or tracked post does not read is named with what is wrong,
    /// where it showed as an account never polled (found by a tester's hand edits).
    @Test(arguments: [
        "UPDATE accounts SET state = '{\"account\":' WHERE key = ?",
        "UPDATE tracked_posts SET tracking = '{' WHERE account = ?",
        "UPDATE tracked_posts SET tracking = json_remove(tracking, '$.status') WHERE account = ?",
    ])
    func anAccountWhoseStateDoesNotReadIsNamedNotShownAsNeverPolled(_ edit: String) throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let config = try self.feedConfig(in: root, count: 2)
        let now = StoreTestSupport.date(600)
        let store = try self.storeOfPolledStates(config) { _, state in
            state.lastPoll?.posts = 1
            state.detection.posts["p"] = TrackedPost(
                post: Post(id: "p", url: "https://example.org/p", postedAt: nil, text: "p"),
                firstSeen: StoreTestSupport.date(0), lastSeen: StoreTestSupport.date(0), lastSeenSnapshot: "s")
        }
        let broken = config.accounts[0].key
        try store.pool.write { db in try db.execute(sql: edit, arguments: [broken.rawValue]) }

        let report = try StatusReport.gather(config: config, now: now)
        let problem = try #require(report.accounts[0].stateProblem)
        #expect(problem.contains(broken.rawValue), "\(problem)")
        #expect(report.accounts[1].stateProblem == nil)
        #expect(report.accounts[1].lastPoll?.outcome == "complete")
        #expect(report.render().contains("  state       does not read: "))
        let json = try String(decoding: JSONCoding.documentEncoder().encode(report), as: UTF8.self)
        #expect(json.components(separatedBy: "\"state_problem\"").count == 2, "only the broken account")
    }

    @Test func trustsTheDaemonsStatusWhileItHoldsTheLock() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "palimpsest-status-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let now = Date(timeIntervalSince1970: 1_785_592_800)
        let config = try ConfigLoader.parse(
            "[daemon]\nstate_dir = \"state\"\n[[account]]\nplatform = \"feed\"\nurl = \"https://example.org/a.xml\"\n",
            file: root.appendingPathComponent("p.toml"))
        let key = config.accounts[0].key
        let lock = try StateDirectoryLock.acquire(stateDirectory: config.daemon.stateDirectory, purpose: "test")
        let status = DaemonStatus(
            pid: getpid(), phase: .running, startedAt: now.addingTimeInterval(-3_600),
            updatedAt: now.addingTimeInterval(-2),
            configLoadedAt: now.addingTimeInterval(-3_600), config: config.file.path, shard: nil, recentPolls: 1,
            recentWindow: 600, eventsToday: 0,
            accounts: [
                DaemonStatus.AccountEntry(
                    account: key, name: nil, interval: 600,
                    lastPoll: PollRecord(
                        at: now.addingTimeInterval(-60), outcome: "complete", detail: "5 posts in window"),
                    nextPoll: now.addingTimeInterval(540), postsTracked: 5)
            ])
        try status.write(stateDirectory: config.daemon.stateDirectory)

        let report = try StatusReport.gather(config: config, now: now)
        #expect(report.daemon.running)
        #expect(report.daemon.pid == getpid())
        #expect(report.daemon.summary == "watching 1 account; 1 poll in the last 10m; 0 events today; 0 blind")
        #expect(report.accounts.first?.nextPoll == now.addingTimeInterval(540))
        #expect(report.accounts.first?.postsTracked == 5)
        #expect(report.render().contains("  next poll   in 9 min (2026-08-01T14:09:00Z)"))

        // The JSON form round-trips with snake_case keys.
        let data = try JSONCoding.documentEncoder().encode(report)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"worst_case_delay\" : 2640"))
        #expect(json.contains("\"events_7d\" : 0"))
        #expect(try JSONCoding.decoder().decode(StatusReport.self, from: data) == report)
        withExtendedLifetime(lock) {}
    }
}
