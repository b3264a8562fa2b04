import Foundation
import PalimpsestCore
import Testing

/// `status.json` and `palimpsest status --json` show an account as one record: what the daemon
/// wrote about it reaches the report whole, with the report's 7-day figures added.
@Suite struct StatusRecordTests {
    static func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A config of one feed account "A" whose `state_dir` is `root/state`.
    static func oneAccountConfig(in root: URL) throws -> PalimpsestConfig {
        try ConfigLoader.parse(
            "[daemon]\nstate_dir = \"state\"\n[[account]]\nplatform = \"feed\"\nname = \"A\"\n"
                + "url = \"https://example.org/a.xml\"\n",
            file: root.appendingPathComponent("p.toml"))
    }

    @Test func aLargePanelsStatusFileIsRewrittenOncePerRefreshPerTenThousandAccounts() {
        #expect(DaemonStatus.writePeriod(refresh: 5, accounts: 0) == 5)
        #expect(DaemonStatus.writePeriod(refresh: 5, accounts: 10_000) == 5)
        #expect(DaemonStatus.writePeriod(refresh: 5, accounts: 10_001) == 10)
        #expect(DaemonStatus.writePeriod(refresh: 5, accounts: 100_000) == 50)
        #expect(DaemonStatus.writePeriod(refresh: 0.05, accounts: 350_000) == 0.05 * 35)
    }

    @Test func theReportShowsTheDaemonsRecordOfEachAccountWhole() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "palimpsest-status-record-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let now = Date(timeIntervalSince1970: 1_785_592_800)
        let config = try Self.oneAccountConfig(in: root)
        let key = config.accounts[0].key
        let lock = try StateDirectoryLock.acquire(stateDirectory: config.daemon.stateDirectory, purpose: "test")
        let entry = DaemonStatus.AccountEntry(
            account: key, name: "A", interval: 600,
            lastPoll: PollRecord(at: now.addingTimeInterval(-60), outcome: "complete", detail: "5 posts in window"),
            nextPoll: now.addingTimeInterval(540), polling: true, postsTracked: 5, eventsLogged: 12)
        let status = DaemonStatus(
            pid: getpid(), phase: .running, startedAt: now.addingTimeInterval(-3_600),
            updatedAt: now.addingTimeInterval(-2), configLoadedAt: now.addingTimeInterval(-3_600),
            config: config.file.path, shard: nil, recentPolls: 1, recentWindow: 600, eventsToday: 0,
            accounts: [entry])
        try status.write(stateDirectory: config.daemon.stateDirectory)

        let report = try StatusReport.gather(config: config, now: now)
        let written = try Self.object(
            try Data(contentsOf: config.daemon.stateDirectory.appendingPathComponent(DaemonStatus.fileName)))
        let shown = try Self.object(try JSONCoding.documentEncoder().encode(report))
        let writtenAccount = try #require((written["accounts"] as? [[String: Any]])?.first)
        let shownAccount = try #require((shown["accounts"] as? [[String: Any]])?.first)
        // Every key of the daemon's record, with its value, and the report's figures besides.
        for (name, value) in writtenAccount {
            let shownValue = try #require(shownAccount[name], "\(name) is missing from status --json")
            #expect(
                try JSONSerialization.data(withJSONObject: [value], options: .sortedKeys)
                    == JSONSerialization.data(withJSONObject: [shownValue], options: .sortedKeys), "\(name)")
        }
        #expect(shownAccount["events_logged"] as? Int == 12)
        #expect(
            Set(shownAccount.keys).subtracting(writtenAccount.keys) == [
                "events_7d", "reposted_originals_deleted_7d", "worst_case_delay", "pending", "unobserved_7d",
            ])
        withExtendedLifetime(lock) {}
    }

    /// Without a process holding the lock only the file's head is read: a stopped daemon's phase
    /// and PID show even when an account entry in the file no longer decodes (before, the whole
    /// file was decoded, and such an entry hid the daemon's phase as well).
    @Test func withoutALockHolderTheReportReadsTheHeadOfTheStatusFile() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "palimpsest-status-head-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let now = Date(timeIntervalSince1970: 1_785_592_800)
        let config = try Self.oneAccountConfig(in: root)
        let entry = DaemonStatus.AccountEntry(account: config.accounts[0].key, name: "A", interval: 600)
        let status = DaemonStatus(
            pid: 4_242, phase: .stopped, startedAt: now.addingTimeInterval(-3_600),
            updatedAt: now.addingTimeInterval(-60),
            configLoadedAt: now.addingTimeInterval(-3_600), config: config.file.path, shard: nil, recentPolls: 0,
            recentWindow: 600, eventsToday: 0, accounts: [entry])
        try status.write(stateDirectory: config.daemon.stateDirectory)
        let file = config.daemon.stateDirectory.appendingPathComponent(DaemonStatus.fileName)
        // An entry edited into another type: the accounts no longer decode, the head does.
        let text = try String(contentsOf: file, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "\"interval\" : 600", with: "\"interval\" : \"ten minutes\"").utf8)
            .write(to: file)
        #expect(throws: StoreError.self) { try DaemonStatus.read(stateDirectory: config.daemon.stateDirectory) }

        let report = try StatusReport.gather(config: config, now: now)
        #expect(report.daemon.running == false)
        #expect(report.daemon.phase == .stopped)
        #expect(report.daemon.pid == 4_242)
        #expect(report.daemon.updatedAt == now.addingTimeInterval(-60))
        #expect(report.daemon.summary == nil)
        #expect(report.accounts.map(\.entry.account) == [config.accounts[0].key])
    }
}
