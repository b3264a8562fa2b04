import Foundation
import GRDB
import Logging
import PalimpsestReplay
import PalimpsestTestSupport
import Subprocess
import Testing

@testable import PalimpsestCore

/// A real `state_dir` written by the previous release (the file layout: `state.json`,
/// `snapshots/`, `evidence/`, `posts.jsonl`), migrated by today's store: nothing is lost, every
/// event's evidence resolves, the next poll over the same answers logs nothing, and a migration
/// cut short resumes to the same result. Fixture: `Tests/Fixtures/legacy/README.md`.
@Suite(.serialized) struct LegacyMigrationTests {
    static var fixtureArchive: URL {
        IntegrationHarness.fixtures.deletingLastPathComponent().appendingPathComponent(
            "legacy/legacy-27f408c.tar.gz")
    }

    /// A fresh copy of the fixture (`palimpsest.toml`, `deletions.jsonl`, `state/`) in a new
    /// temporary folder; the caller removes `parent`.
    static func unpack() async throws -> (parent: URL, folder: URL) {
        let parent = try StoreTestSupport.makeTemporaryDirectory()
        let result = try await Subprocess.run(
            .name("tar"), arguments: ["-xzf", Self.fixtureArchive.path, "-C", parent.path],
            output: .discarded, error: .string(limit: 1 << 16))
        guard result.terminationStatus.isSuccess else {
            throw DaemonProcessTests.DaemonTestError("tar -xzf failed: \(result.standardError)")
        }
        return (parent, parent.appendingPathComponent("legacy-27f408c"))
    }

    /// What one account folder of the file layout holds, read with the file formats' own rules.
    struct LegacyAccount {
        var folder: String
        var key: AccountKey
        var state: AccountState
        var snapshots: [SnapshotFile]
        var archive: [ArchivedPostVersion]
    }

    private struct StateFile: Decodable {
        var v: Int
        var state: AccountState
    }

    static func readLegacy(_ stateDirectory: URL) throws -> [LegacyAccount] {
        let accounts = stateDirectory.appendingPathComponent("accounts")
        let decoder = JSONCoding.decoder()
        return try StoreTestSupport.names(in: accounts).map { folder in
            let base = accounts.appendingPathComponent(folder)
            var key = try String(contentsOf: base.appendingPathComponent("account.key"), encoding: .utf8)
            if key.hasSuffix("\n") { key.removeLast() }
            let state = try decoder.decode(
                StateFile.self, from: Data(contentsOf: base.appendingPathComponent("state.json"))
            ).state
            let snapshots = try StoreTestSupport.names(in: base.appendingPathComponent("snapshots")).map {
                try decoder.decode(
                    SnapshotFile.self, from: Data(contentsOf: base.appendingPathComponent("snapshots/\($0)")))
            }
            let archive = try StoreTestSupport.lines(of: base.appendingPathComponent("posts.jsonl")).map {
                try decoder.decode(ArchivedPostVersion.self, from: Data($0.utf8))
            }
            return LegacyAccount(
                folder: folder, key: AccountKey(rawValue: key), state: state, snapshots: snapshots, archive: archive)
        }
    }

    /// Everything the store holds about the migrated accounts, comparable across two migrations
    /// (WARC offsets and record ids left out: a resumed migration writes its records again).
    struct StoreContents: Equatable {
        var states: [AccountKey: AccountState]
        var snapshots: [AccountKey: [String: Observation]]
        var archive: [AccountKey: [ArchivedPostVersion]]
        var evidence: [String]
        var migratedFolders: [String]
    }

    static func contents(of store: StateStore) throws -> StoreContents {
        var states: [AccountKey: AccountState] = [:]
        var snapshots: [AccountKey: [String: Observation]] = [:]
        var archive: [AccountKey: [ArchivedPostVersion]] = [:]
        for key in try store.accountKeys() {
            states[key] = try store.loadState(of: key)
            var byID: [String: Observation] = [:]
            for id in try store.snapshotIDs(of: key) { byID[id] = try store.snapshot(of: key, id: id) }
            snapshots[key] = byID
            archive[key] = try store.archivedVersions(of: key)
        }
        let evidence = try store.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT type, sha256, size, account, url, effective_url, status, fetched_at, legacy_path
                    FROM evidence ORDER BY legacy_path, fetched_at, type
                    """
            ).map { "\($0)" }
        }
        let folders = try store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT folder || ' ' || account FROM migrated_folders ORDER BY folder")
        }
        return StoreContents(
            states: states, snapshots: snapshots, archive: archive, evidence: evidence, migratedFolders: folders)
    }

    /// Checks `store` against the folders it was migrated from, and every event of `log`.
    static func expectEverythingKept(_ store: StateStore, legacy: [LegacyAccount], log: URL) throws {
        #expect(try store.accountKeys() == legacy.map(\.key).sorted())
        for account in legacy {
            let key = account.key
            // Tracked posts, candidates, deleted records, validators, last poll: the same state.
            let state = try #require(try store.loadState(of: key), "no state for \(key)")
            #expect(state == account.state, "the state of \(key)")
            #expect(state.detection.posts == account.state.detection.posts, "tracked posts of \(key)")
            // Every snapshot, same id, same observation (posts in order, evidence references).
            #expect(try store.snapshotIDs(of: key) == account.snapshots.map(\.id).sorted(), "snapshots of \(key)")
            for file in account.snapshots {
                #expect(try store.snapshot(of: key, id: file.id) == file.observation, "snapshot \(file.id) of \(key)")
            }
            // Every archived version, in order, with its first poll, snapshot and former IDs.
            #expect(try store.archivedVersions(of: key) == account.archive, "archive of \(key)")
        }
        // Every event's evidence resolves: the file it names, and the store's record by SHA-256.
        let events = try DeletionLog.readEvents(at: log)
        #expect(!events.isEmpty)
        for event in events {
            for reference in event.evidence {
                let file = store.root.appendingPathComponent(reference.path)
                #expect(
                    ContentHash.sha256Hex(try Data(contentsOf: file)) == reference.sha256,
                    "\(event.id): \(reference.path)")
                let body = try #require(try store.evidenceBody(sha256: reference.sha256), "\(event.id): no body")
                #expect(ContentHash.sha256Hex(body) == reference.sha256)
                let record = try #require(try store.evidenceRecord(sha256: reference.sha256))
                let location = try #require(record.location, "\(event.id): a WARC record holds the body")
                #expect(location.path.hasPrefix("warc/palimpsest-"), "\(event.id): in the permanent files")
            }
            if let snapshot = event.snapshot {
                #expect(try store.snapshot(of: event.account, id: snapshot) != nil, "\(event.id) cites \(snapshot)")
            }
        }
        #expect(try DeletionLog.verify(at: log).isIntact)
    }

    @Test func aRealOldStateDirMigratesWithEveryEventsEvidenceVersionAndTrackedPostAndTheNextPollLogsNothing()
        async throws
    {
        let (parent, folder) = try await Self.unpack()
        defer { StoreTestSupport.remove(parent) }
        let config = try ConfigLoader.load(from: folder.appendingPathComponent("palimpsest.toml"))
        let legacy = try Self.readLegacy(config.daemon.stateDirectory)
        #expect(legacy.count == 3)
        let logBefore = try Data(contentsOf: config.daemon.deletionLog)

        let store = try StateStore(root: config.daemon.stateDirectory)
        try Self.expectEverythingKept(store, legacy: legacy, log: config.daemon.deletionLog)
        #expect(try Data(contentsOf: config.daemon.deletionLog) == logBefore, "the migration leaves the log alone")
        // The old files stay in place.
        #expect(try Self.readLegacy(config.daemon.stateDirectory).map(\.state) == legacy.map(\.state))

        // The next poll, over the answers of the old release's last poll: nothing to log.
        // The accounts' URLs name the port the old demo's server had: the replay server stands in
        // as the HTTP proxy of every request.
        let server = ReplayServer()
        try await server.start()
        let scenario = DemoScenario(fixtures: IntegrationHarness.fixtures)
        try scenario.script(server, forPoll: DemoScenario.pollCount)
        try CurlHTTPClient.globalInit()
        var http = HTTPClientConfiguration()
        http.timeout = 5
        http.proxy = server.baseURL.absoluteString
        let client = try CurlHTTPClient(configuration: http)
        let poller = AccountPoller(
            client: client, stateStore: store, log: try DeletionLog(url: config.daemon.deletionLog),
            detection: config.daemon.detection, snapshotRetention: config.daemon.snapshotRetention,
            logger: Logger(label: "test"))
        let results = await PollCycle(poller: poller, concurrency: 2).run(
            config.accounts, at: scenario.time(ofPoll: DemoScenario.pollCount + 1))
        client.shutdown()
        await server.stop()

        for result in results {
            guard case .polled(let report) = result else {
                Issue.record("a poll could not run: \(result)")
                continue
            }
            #expect(report.record.outcome == "complete", "\(report.account.key): \(report.record.detail)")
            #expect(report.events.isEmpty, "\(report.account.key) logged \(report.events.map(\.event))")
        }
        #expect(results.count == 3)
        #expect(try Data(contentsOf: config.daemon.deletionLog) == logBefore, "nothing logged")
        #expect(try DeletionLog.verify(at: config.daemon.deletionLog).isIntact)
    }

    @Test func aMigrationCutShortResumesToTheSameResult() async throws {
        let (parentA, whole) = try await Self.unpack()
        defer { StoreTestSupport.remove(parentA) }
        let (parentB, interrupted) = try await Self.unpack()
        defer { StoreTestSupport.remove(parentB) }
        let expected = try Self.contents(of: try StateStore(root: whole.appendingPathComponent("state")))

        let root = interrupted.appendingPathComponent("state")
        // A crash after the first folder is committed and the second one's WARC records are written.
        #expect(throws: LegacyMigration.Fault.self) {
            _ = try StateStore(root: root, migrationFault: LegacyMigration.Fault(folderIndex: 1))
        }
        let partial = try #require(try StateStore.openReadOnly(root: root))
        let migrated = try partial.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM migrated_folders") }
        #expect(migrated == 1, "one folder migrated before the crash")
        // A crash again, in what is left (the third folder).
        #expect(throws: LegacyMigration.Fault.self) {
            _ = try StateStore(root: root, migrationFault: LegacyMigration.Fault(folderIndex: 1))
        }
        let resumed = try StateStore(root: root)
        #expect(try Self.contents(of: resumed) == expected)
        try Self.expectEverythingKept(
            resumed, legacy: try Self.readLegacy(root), log: interrupted.appendingPathComponent("deletions.jsonl"))
        // Opening again migrates nothing twice.
        #expect(try Self.contents(of: try StateStore(root: root)) == expected)
    }
}
