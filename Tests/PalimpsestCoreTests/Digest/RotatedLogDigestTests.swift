import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// A week that spans logrotate's rotation: the digest reads the rotated files (gzipped ones too)
/// with the log, counts every event of the week once, and checks the chain across the files.
@Suite struct RotatedLogDigestTests {
    static let account = AccountKey(rawValue: "feed:https://news.example.org/feed.xml")
    static let week = ISOWeek("2026-W45")!  // Monday 2026-11-02 to Monday 2026-11-09, UTC

    /// An event of `kind` detected on 2026-11-0`day` at noon UTC.
    static func event(_ id: String, _ kind: EventKind, day: Int) -> Event {
        var event = Event(
            id: id, detectedAt: RFC3339.date(from: "2026-11-0\(day)T12:00:00Z")!, event: kind, platform: .feed,
            account: Self.account, accountName: "News")
        event.postID = "post-\(id)"
        event.text = "text of \(id)"
        switch kind {
        case .deleted:
            event.reason = .removed
            event.confirmedBy = .probe
        case .restored:
            event.confirmedBy = .probe
            event.goneFor = SecondsInterval(minSeconds: 600, maxSeconds: 1200)
        default:
            break
        }
        return event
    }

    /// The week's 9 deletions, 4 alterations and 2 restores, written by the daemon while logrotate
    /// rotated the log twice (`dateext`, `compress`, the newest copy not yet compressed:
    /// `delaycompress`): most of the week sits in the rotated files.
    static func writeRotatedLog(in folder: URL) async throws -> URL {
        let url = folder.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: url)
        _ = try log.append([Self.event("old", .deleted, day: 1)])  // Sunday: the week before
        _ = try log.append((1...5).map { Self.event("d\($0)", .deleted, day: 2) })
        _ = try log.append((1...2).map { Self.event("a\($0)", .altered, day: 3) })
        try await DeletionLogSetTests.rotate(log, to: "deletions.jsonl-20261104", gzip: true)
        _ = try log.append((6...8).map { Self.event("d\($0)", .deleted, day: 4) })
        _ = try log.append((3...4).map { Self.event("a\($0)", .altered, day: 5) })
        _ = try log.append([Self.event("r1", .restored, day: 5)])
        try await DeletionLogSetTests.rotate(log, to: "deletions.jsonl-20261106", gzip: false)
        _ = try log.append([Self.event("d9", .deleted, day: 6), Self.event("r2", .restored, day: 7)])
        return url
    }

    static func config(in folder: URL, extra: String = "") throws -> PalimpsestConfig {
        try ConfigLoader.parse(
            """
            [daemon]
            state_dir = "state"
            deletion_log = "deletions.jsonl"
            \(extra)

            [[account]]
            platform = "feed"
            name = "News"
            url = "https://news.example.org/feed.xml"
            """, file: folder.appendingPathComponent("palimpsest.toml"))
    }

    @Test func aWeekThatSpansARotationCountsEveryEventAndChecksTheChainAcrossFiles() async throws {
        let folder = try DigestTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try await Self.writeRotatedLog(in: folder)
        let config = try Self.config(in: folder)

        let digest = try DigestLoader.makeDigest(
            config: config, week: Self.week, timeZone: TimeZone(identifier: "UTC")!,
            now: RFC3339.date(from: "2026-11-10T00:00:00Z")!, reproducible: true)
        #expect(digest.totals.count(.deleted) == 9)
        #expect(digest.totals.count(.altered) == 4)
        #expect(digest.totals.count(.restored) == 2)
        let source = try #require(digest.sources.first)
        #expect(digest.sources.count == 1)
        #expect(source.log == "deletions.jsonl")
        #expect(source.files == ["deletions.jsonl-20261104.gz", "deletions.jsonl-20261106", "deletions.jsonl"])
        #expect(source.eventsRead == 16)
        #expect(source.eventsInWeek == 15)
        #expect(source.firstSeq == 1)
        #expect(source.lastSeq == 16)
        #expect(source.startsFromGenesis)
        #expect(source.chainProblems == 0)

        let markdown = MarkdownDigestRenderer(digest: digest).render()
        #expect(
            markdown.contains(
                "- deletions.jsonl: 16 events read, 15 in this week (3 files, oldest first: "
                    + "deletions.jsonl-20261104.gz, deletions.jsonl-20261106, deletions.jsonl); last seq 16"))
        #expect(markdown.contains("; hash chain intact\n"))
    }

    @Test func aBrokenChainAcrossRotatedFilesIsReported() async throws {
        let folder = try DigestTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try await Self.writeRotatedLog(in: folder)
        // The middle file loses its first line: each file alone still chains, the set does not.
        let middle = folder.appendingPathComponent("deletions.jsonl-20261106")
        let lines = try StoreTestSupport.lines(of: middle)
        try Data((lines.dropFirst().joined(separator: "\n") + "\n").utf8).write(to: middle)

        let digest = try DigestLoader.makeDigest(
            config: try Self.config(in: folder), week: Self.week, timeZone: TimeZone(identifier: "UTC")!,
            now: RFC3339.date(from: "2026-11-10T00:00:00Z")!, reproducible: true)
        let source = try #require(digest.sources.first)
        #expect(source.chainProblems == 2)  // prev and seq of the middle file's new first line
        let markdown = MarkdownDigestRenderer(digest: digest).render()
        #expect(markdown.contains("**hash chain: 2 problems**"))
        let input = try DigestLoader.readLog(at: folder.appendingPathComponent("deletions.jsonl"), label: "x")
        #expect(input.problems.map(\.file) == ["deletions.jsonl-20261106", "deletions.jsonl-20261106"])
        #expect(input.problems.map(\.kind) == [.brokenChain, .sequenceGap])
    }

    /// Only the newest rotated files are left (logrotate's `rotate` count removed the oldest):
    /// the digest says from which seq on the chain was checked.
    @Test func aLogWhoseOldestFilesAreGoneSaysWhereTheCheckedChainStarts() async throws {
        let folder = try DigestTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try await Self.writeRotatedLog(in: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("deletions.jsonl-20261104.gz"))
        let digest = try DigestLoader.makeDigest(
            config: try Self.config(in: folder), week: Self.week, timeZone: TimeZone(identifier: "UTC")!,
            now: RFC3339.date(from: "2026-11-10T00:00:00Z")!, reproducible: true)
        let source = try #require(digest.sources.first)
        #expect(source.firstSeq == 9)
        #expect(!source.startsFromGenesis)
        #expect(source.chainProblems == 0)
        let markdown = MarkdownDigestRenderer(digest: digest).render()
        #expect(markdown.contains("; hash chain intact from seq 9 on (the lines before it are not in these files)"))
    }

    @Test func digestLogsAcceptGlobsAndReadEachLogOnceWithItsRotatedFiles() async throws {
        let folder = try DigestTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try await Self.writeRotatedLog(in: folder)
        // Copies of two other hosts' logs, one of them rotated.
        let hosts = folder.appendingPathComponent("hosts")
        for host in ["a", "b"] {
            let log = try DeletionLog(url: hosts.appendingPathComponent("\(host)/deletions.jsonl"))
            _ = try log.append([Self.event("\(host)-1", .deleted, day: 3)])
            if host == "b" {
                try await DeletionLogSetTests.rotate(log, to: "deletions.jsonl.1", gzip: true)
                _ = try log.append([Self.event("\(host)-2", .deleted, day: 4)])
            }
        }
        // The pattern matches the rotated file too; it stands for its log, read once.
        let config = try Self.config(in: folder, extra: "\n[digest]\nlogs = [\"hosts/*/deletions.jsonl*\"]")
        #expect(
            try DigestLoader.logs(of: config).map { $0.path.replacingOccurrences(of: folder.path, with: "") } == [
                "/deletions.jsonl", "/hosts/a/deletions.jsonl", "/hosts/b/deletions.jsonl",
            ])
        let digest = try DigestLoader.makeDigest(
            config: config, week: Self.week, timeZone: TimeZone(identifier: "UTC")!,
            now: RFC3339.date(from: "2026-11-10T00:00:00Z")!, reproducible: true)
        #expect(digest.totals.count(.deleted) == 12)
        // Three logs named deletions.jsonl: each labelled with its folder.
        #expect(digest.sources.map(\.log).dropFirst() == ["a/deletions.jsonl", "b/deletions.jsonl"])
        #expect(digest.sources.last?.files == ["deletions.jsonl.1.gz", "deletions.jsonl"])

        let nothing = try Self.config(in: folder, extra: "\n[digest]\nlogs = [\"elsewhere/*.jsonl\"]")
        let error = #expect(throws: DigestError.self) { try DigestLoader.logs(of: nothing) }
        #expect(error.map { "\($0)" }?.contains("matches no file") == true)
    }
}
