import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// Every versioned JSON file of the state folder goes through ``VersionedFile``: the bytes written
/// stay those of before, and a file written by a newer palimpsest is refused, naming the file and
/// what to do, instead of being read in part.
@Suite struct VersionedFileTests {
    static let at = Date(timeIntervalSince1970: 1_796_000_000)

    static func status() -> DaemonStatus {
        DaemonStatus(
            pid: 42, phase: .running, startedAt: Self.at, updatedAt: Self.at, configLoadedAt: Self.at,
            config: "/etc/palimpsest.toml", shard: nil, recentPolls: 3, recentWindow: 600, eventsToday: 1,
            accounts: [
                DaemonStatus.AccountEntry(
                    account: AccountKey(rawValue: "feed:https://a.example/f"), name: "A", interval: 600)
            ])
    }

    static func head() -> ChainHead {
        ChainHead(
            file: "/var/lib/palimpsest/deletions.jsonl", device: 1, inode: 2, offset: 80, seq: 4,
            sha256: String(repeating: "a", count: 64), writtenAt: Self.at)
    }

    /// The file with its `"v": 1` made `"v": 2`.
    static func bumpVersion(of url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        let bumped = text.replacingOccurrences(of: "\"v\" : 1", with: "\"v\" : 2")
            .replacingOccurrences(of: "\"v\":1", with: "\"v\":2")
        #expect(bumped != text)
        try Data(bumped.utf8).write(to: url)
    }

    static func expectRefusedAsNewer(_ url: URL, _ read: () throws -> Void) {
        #expect {
            try read()
        } throws: { error in
            let text = "\(error)"
            return text.contains(url.path) && text.contains("format version 2, written by a newer palimpsest")
                && text.contains("run the palimpsest version that wrote it")
        }
    }

    @Test func filesWrittenByANewerPalimpsestAreRefusedNamingTheFile() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }

        try Self.status().write(stateDirectory: folder)
        try Self.bumpVersion(of: folder.appendingPathComponent(DaemonStatus.fileName))
        Self.expectRefusedAsNewer(folder.appendingPathComponent(DaemonStatus.fileName)) {
            _ = try DaemonStatus.read(stateDirectory: folder)
        }
        // A newer file that this version cannot decode at all is still named as newer.
        let statusURL = folder.appendingPathComponent(DaemonStatus.fileName)
        let changed = try String(contentsOf: statusURL, encoding: .utf8)
            .replacingOccurrences(of: "\"phase\" : \"running\"", with: "\"phase\" : {\"name\" : \"running\"}")
        #expect(changed.contains("\"name\" : \"running\""))
        try Data(changed.utf8).write(to: statusURL)
        Self.expectRefusedAsNewer(statusURL) { _ = try DaemonStatus.read(stateDirectory: folder) }

        let headURL = folder.appendingPathComponent(ChainHead.fileName)
        try Self.head().save(to: headURL)
        try Self.bumpVersion(of: headURL)
        Self.expectRefusedAsNewer(headURL) { _ = try ChainHead.load(from: headURL) }
        // Refused, not replaced: the file is as it was.
        #expect(try String(contentsOf: headURL, encoding: .utf8).contains("\"v\" : 2"))
    }

    @Test func theFilesKeepTheirBytes() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let status = Self.status()
        try status.write(stateDirectory: folder)
        let statusBytes = try Data(contentsOf: folder.appendingPathComponent(DaemonStatus.fileName))
        #expect(statusBytes == (try JSONCoding.documentEncoder().encode(status)))
        #expect(try DaemonStatus.read(stateDirectory: folder) == status)

        let headURL = folder.appendingPathComponent(ChainHead.fileName)
        try Self.head().save(to: headURL)
        let headBytes = try Data(contentsOf: headURL)
        #expect(headBytes == (try JSONCoding.documentEncoder().encode(Self.head())) + Data("\n".utf8))
        #expect(try ChainHead.load(from: headURL) == Self.head())

        // The running config holds every account of the config, URLs, names and headers included.
        let config = try ConfigLoader.parse(
            """
            [daemon]
            state_dir = "\(folder.path)"
            [[account]]
            platform = "feed"
            name = "Ministère \\"quoted\\" 新闻 \\t tab"
            url = "https://example.org/feed.xml?a=1&b=%20"
            headers = { "X-Token" = "a/b\\\\c" }
            [[account]]
            platform = "mastodon"
            instance = "https://mastodon.social"
            acct = "user"
            """, file: folder.appendingPathComponent("palimpsest.toml"))
        let running = RunningConfig(config: config, shardOverride: nil, acceptedAt: StoreTestSupport.date(0))
        try running.write(stateDirectory: folder)
        let runningBytes = try Data(contentsOf: folder.appendingPathComponent(RunningConfig.fileName))
        #expect(runningBytes == (try JSONCoding.documentEncoder().encode(running)))
        #expect(try RunningConfig.read(stateDirectory: folder) == running)
    }

    @Test func aStatusFileWithoutLaterOptionalFieldsStillLoads() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let old = """
            {"v": 1, "pid": 7, "phase": "stopped", "started_at": "2026-12-01T00:00:00Z",
             "updated_at": "2026-12-01T00:10:00Z", "config_loaded_at": "2026-12-01T00:00:00Z",
             "config": "/etc/palimpsest.toml", "recent_polls": 0, "recent_window": 600, "events_today": 0,
             "accounts": [{"account": "feed:https://a.example/f", "interval": 600, "polling": false,
                           "posts_tracked": 0, "events_logged": 0}]}
            """
        try Data(old.utf8).write(to: folder.appendingPathComponent(DaemonStatus.fileName))
        let status = try #require(try DaemonStatus.read(stateDirectory: folder))
        #expect(status.accounts.first?.moved == nil)
        #expect(status.shard == nil)
    }
}
