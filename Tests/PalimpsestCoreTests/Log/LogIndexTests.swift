import Foundation
import GRDB
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The event index (`state_dir/log-index.sqlite`) and the verification memo
/// (`state_dir/verify-memo.json`) that let `digest` and `status` read only what they need (issue 9,
/// target 3). The log stays the truth: both are checked against it and caught up from it.
@Suite struct LogIndexTests {
    static let week = ISOWeek("2026-W48")!  // StoreTestSupport.date(0) is Sunday 2026-11-29

    struct Fixture {
        var folder: URL
        var config: PalimpsestConfig
        var log: DeletionLog
        var state: URL { self.config.daemon.stateDirectory }
        var logURL: URL { self.config.daemon.deletionLog }
        var memoURL: URL { self.state.appendingPathComponent(VerifyMemo.fileName) }

        init(account: Bool = false) throws {
            self.folder = try StoreTestSupport.makeTemporaryDirectory()
            self.config = try ConfigLoader.parse(
                """
                [daemon]
                state_dir = "state"
                deletion_log = "deletions.jsonl"
                """ + (account ? "\n[[account]]\nplatform = \"feed\"\nurl = \"https://example.org/feed.xml\"\n" : ""),
                file: self.folder.appendingPathComponent("palimpsest.toml"))
            try FileManager.default.createDirectory(
                at: self.config.daemon.stateDirectory, withIntermediateDirectories: true)
            self.log = try DeletionLog(
                url: self.config.daemon.deletionLog,
                headURL: self.config.daemon.stateDirectory.appendingPathComponent(ChainHead.fileName))
            _ = try self.log.append((1...4).map { StoreTestSupport.event("e\($0)", at: TimeInterval($0 * 60)) })
        }

        func digest() throws -> Digest {
            try DigestLoader.makeDigest(
                config: self.config, week: LogIndexTests.week, timeZone: TimeZone(identifier: "UTC")!,
                now: StoreTestSupport.date(3600), reproducible: true)
        }

        func verifier() -> LogVerifier {
            LogVerifier(
                logURL: self.logURL, stateDirectory: self.state,
                headURL: self.state.appendingPathComponent(ChainHead.fileName))
        }

        /// Replaces `old` by `new` (same length) in the log file, in place.
        func edit(_ old: String, _ new: String) throws {
            precondition(old.utf8.count == new.utf8.count)
            let text = try String(contentsOf: self.logURL, encoding: .utf8)
            try Data(text.replacingOccurrences(of: old, with: new).utf8).write(to: self.logURL)
        }
    }

    @Test func theDigestKeepsAnEventAppendedWithoutTheIndexBeingWritten() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        _ = try fixture.digest()  // makes the index
        let index = try LogIndex(stateDirectory: fixture.state)
        #expect(try index.eventCount() == 4)
        // A crash between the log append and the index write: a writer that never indexes.
        let unindexed = try DeletionLog(url: fixture.logURL)
        _ = try unindexed.append([StoreTestSupport.event("e5", at: 300)])
        #expect(try index.eventCount() == 4)

        let digest = try fixture.digest()
        #expect(digest.accounts.flatMap(\.entries).map(\.event.id).sorted() == ["e1", "e2", "e3", "e4", "e5"])
        #expect(try index.eventCount() == 5)
        #expect(digest.sources.first?.lastSeq == 5)
    }

    @Test func theGuardedLogKeepsAnIndexCurrentAtAppendTime() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let index = try LogIndex(stateDirectory: fixture.state)
        try index.catchUp(logURL: fixture.logURL)
        _ = try fixture.log.append([StoreTestSupport.event("e5", at: 300)])
        // Read without catching up: the append itself indexed the line.
        let lines = try index.eventLines(from: StoreTestSupport.date(0), to: StoreTestSupport.date(3600))
        #expect(try LogIndex.events(of: lines, logURL: fixture.logURL).map(\.id) == ["e1", "e2", "e3", "e4", "e5"])
    }

    /// `status --account` counts and reads only the accounts it shows: the same figures for them
    /// as a count of every account, none for the others.
    @Test func countsAndLinesOfSelectedAccountsAreThoseOfTheWholeCount() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let other = AccountKey(rawValue: "feed:https://example.net/other.xml")
        var blind = StoreTestSupport.event("b1", at: 400)
        blind.event = .blind
        var elsewhere = StoreTestSupport.event("o1", at: 500)
        elsewhere.account = other
        var elsewhereBlind = StoreTestSupport.event("o2", at: 600)
        elsewhereBlind.account = other
        elsewhereBlind.event = .blind
        _ = try fixture.log.append([blind, elsewhere, elsewhereBlind])
        let index = try LogIndex(stateDirectory: fixture.state)
        try index.catchUp(logURL: fixture.logURL)
        let since = StoreTestSupport.date(0)
        let example = StoreTestSupport.event("x").account

        let all = try index.counts(since: since)
        #expect(Set(all.keys) == [example, other])
        #expect(try index.counts(since: since, of: [example]) == [example: try #require(all[example])])
        #expect(try index.counts(since: since, of: [other]) == [other: try #require(all[other])])
        #expect(try index.counts(since: since, of: []).isEmpty)

        func ids(_ accounts: Set<AccountKey>?) throws -> [String] {
            try LogIndex.events(
                of: try index.eventLines(kinds: [.blind], since: since, of: accounts), logURL: fixture.logURL
            )
            .map(\.id)
        }
        #expect(try ids(nil) == ["b1", "o2"])
        #expect(try ids([example]) == ["b1"])
        #expect(try ids([other]) == ["o2"])
        // A selection too large for one statement reads every account (the caller looks its own up).
        let many = Set((0...LogIndex.selectionLimit).map { AccountKey(rawValue: "feed:https://example.org/\($0)") })
        #expect(try index.counts(since: since, of: many.union([other])) == all)
    }

    @Test func anIndexedLineEditedInPlaceIsNotTrusted() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let index = try LogIndex(stateDirectory: fixture.state)
        try index.catchUp(logURL: fixture.logURL)
        let lines = try index.eventLines(from: StoreTestSupport.date(0), to: StoreTestSupport.date(3600))
        try fixture.edit("post-e2", "post-X2")
        #expect(throws: LogIndex.StaleLine.self) { try LogIndex.events(of: lines, logURL: fixture.logURL) }
    }

    /// An index edited into values of other types fails its reads with the advice to delete it
    /// (it is rebuilt from the log); GRDB's conversion stopped the process.
    @Test func anIndexRowOfAnotherTypeFailsTheReadWithTheAdviceToDeleteIt() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let index = try LogIndex(stateDirectory: fixture.state)
        try index.catchUp(logURL: fixture.logURL)
        #expect(try index.counts(since: StoreTestSupport.date(0)).values.map(\.own).reduce(0, +) == 4)
        let file = try DatabaseQueue(path: fixture.state.appendingPathComponent("log-index.sqlite").path)
        try file.write { db in
            try db.execute(
                sql:
                    "UPDATE log_lines SET sha256 = x'ff', account = x'fe' WHERE ordinal = (SELECT min(ordinal) FROM log_lines WHERE account IS NOT NULL)"
            )
        }
        try file.close()
        func advisesDeletion(_ error: any Error) -> Bool { "\(error)".contains("it is rebuilt from the deletion log") }
        #expect {
            _ = try index.eventLines(from: StoreTestSupport.date(0), to: StoreTestSupport.date(3600))
        } throws: { advisesDeletion($0) }
        #expect { _ = try index.counts(since: StoreTestSupport.date(0)) } throws: { advisesDeletion($0) }
        #expect { _ = try index.eventTimes() } throws: { advisesDeletion($0) }
    }

    /// 2,500 more lines: enough that their checks and decoding are split between the cores.
    static func manyLines(_ fixture: Fixture) throws -> [LogIndex.Line] {
        let ids = (1...2_500).map { String(format: "n%04d", $0) }
        for batch in stride(from: 0, to: ids.count, by: 500) {
            _ = try fixture.log.append(
                ids[batch..<(batch + 500)].enumerated().map {
                    StoreTestSupport.event($0.element, at: TimeInterval(300 + batch + $0.offset))
                })
        }
        let index = try LogIndex(stateDirectory: fixture.state)
        try index.catchUp(logURL: fixture.logURL)
        return try index.eventLines(from: StoreTestSupport.date(0), to: StoreTestSupport.date(86_400))
    }

    @Test func manyIndexedLinesComeBackInLogOrder() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let lines = try Self.manyLines(fixture)
        #expect(lines.count == 2_504)
        let events = try LogIndex.events(of: lines, logURL: fixture.logURL)
        #expect(events.map(\.id) == ["e1", "e2", "e3", "e4"] + (1...2_500).map { String(format: "n%04d", $0) })
    }

    @Test func ofSeveralChangedLinesTheFirstInLogOrderIsReported() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let lines = try Self.manyLines(fixture)
        // One in each half of the lines, the later one edited first.
        try fixture.edit("post-n2400", "post-X2400")
        try fixture.edit("post-n1100", "post-X1100")
        do {
            _ = try LogIndex.events(of: lines, logURL: fixture.logURL)
            Issue.record("a changed line was trusted")
        } catch let error as LogIndex.StaleLine {
            #expect(error.ordinal == lines[4 + 1_099].ordinal)
            #expect(error.detail.contains("SHA-256"))
        }
    }

    @Test func aDigestAfterAnEditInTheVerifiedPrefixStillReportsTheBreak() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        #expect(try fixture.digest().sources.first?.chainProblems == 0)
        let memo = try #require(try VerifyMemo.load(from: fixture.memoURL))
        #expect(memo.lastSeq == 4)
        _ = try fixture.log.append([StoreTestSupport.event("e5", at: 300)])
        // Line 2 edited in place, same length: the last line the memo covers is unchanged.
        try fixture.edit("post-e2", "post-X2")

        let checked = try fixture.verifier().verify(memo: fixture.memoURL)
        #expect(checked.isFull)
        #expect(checked.report.problems.contains { $0.kind == "broken_chain" && $0.line == 3 })
        let digest = try fixture.digest()
        #expect(digest.sources.first?.chainProblems == 1)
        #expect(digest.accounts.flatMap(\.entries).contains { $0.event.id == "e3" && $0.chainProblem != nil })
    }

    @Test func aMemoFromAnotherLogIsIgnored() throws {
        let first = try Fixture()
        let second = try Fixture()
        defer {
            StoreTestSupport.remove(first.folder)
            StoreTestSupport.remove(second.folder)
        }
        #expect(try first.verifier().verify(memo: first.memoURL).written != nil)
        try FileManager.default.copyItem(at: first.memoURL, to: second.memoURL)
        let checked = try second.verifier().verify(memo: second.memoURL)
        #expect(checked.isFull)
        #expect(checked.report.isValid)
    }

    @Test func theSecondDigestVerifiesOnlyTheNewLinesAndSaysSo() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        var verifier = fixture.verifier()
        #expect(try verifier.verify(memo: fixture.memoURL, now: StoreTestSupport.date(100)).isFull)
        _ = try fixture.log.append([StoreTestSupport.event("e5", at: 300)])
        let key = CheckpointKey()
        _ = try fixture.log.appendCheckpoint(key: key, at: StoreTestSupport.date(400))
        verifier.trustedKeys = [key.publicKeyHex]
        // Other trusted keys: the memo does not apply.
        #expect(try verifier.verify(memo: fixture.memoURL, now: StoreTestSupport.date(450)).isFull)
        _ = try fixture.log.append([StoreTestSupport.event("e6", at: 500)])

        let checked = try verifier.verify(memo: fixture.memoURL, now: StoreTestSupport.date(600))
        #expect(!checked.isFull)
        #expect(checked.report.isValid, "\(checked.report.problems)")
        #expect(checked.report.lines == 7)
        #expect(checked.report.lastSeq == 7)
        #expect(checked.report.checkpoints.map(\.isValid) == [true])
        let full = try verifier.verify()
        #expect(checked.report == full)
        #expect(checked.summary.contains("Lines up to seq 6 were verified in full on 2026-11-29T22:26:10"))
        #expect(checked.summary.contains("Verified now: the 1 line after them, up to seq 7"))
    }

    @Test func aCheckpointAfterTheMemoIsCheckedAgainstTheWholeTree() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        #expect(try fixture.verifier().verify(memo: fixture.memoURL).isFull)
        let key = CheckpointKey()
        _ = try fixture.log.append([StoreTestSupport.event("e5", at: 300)])
        _ = try fixture.log.appendCheckpoint(key: key, at: StoreTestSupport.date(400))
        let checked = try fixture.verifier().verify(memo: fixture.memoURL)
        #expect(!checked.isFull)
        #expect(checked.report.checkpoints.first?.isValid == true)
        #expect(checked.report.checkpoints.first?.checkpoint.treeSize == 5)
    }

    @Test func statusCountsTheWeeksEventsThroughTheIndexAndCatchesUp() throws {
        let fixture = try Fixture(account: true)
        defer { StoreTestSupport.remove(fixture.folder) }
        let now = StoreTestSupport.date(3600)
        #expect(try StatusReport.gather(config: fixture.config, now: now).accounts.first?.eventsThisWeek == 4)
        #expect(FileManager.default.fileExists(atPath: fixture.state.appendingPathComponent(LogIndex.fileName).path))
        // Appended by a writer that does not index (a crash between the append and the index write).
        var reposted = StoreTestSupport.event("r1", at: 200)
        reposted.about = .repostedOriginal
        _ = try DeletionLog(url: fixture.logURL).append([reposted, StoreTestSupport.event("e5", at: 300)])
        let row = try #require(try StatusReport.gather(config: fixture.config, now: now).accounts.first)
        #expect(row.eventsThisWeek == 5)
        #expect(row.repostedOriginalsDeleted == 1)
        // `status --account`: the same counts, read for that account alone.
        let selected = try #require(
            try StatusReport.gather(config: fixture.config, now: now, accounts: [row.account]).accounts.first)
        #expect(selected.eventsThisWeek == 5)
        #expect(selected.repostedOriginalsDeleted == 1)
        let counts = try #require(
            try LogIndex(stateDirectory: fixture.state).counts(since: now.addingTimeInterval(-7 * 86_400))[row.account])
        #expect(counts.lastDetectedAt == StoreTestSupport.date(300))
    }

    @Test func theDaemonCountsTodaysEventsThroughTheIndexAsReadingTheLogWould() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        // Events e1…e4 were detected 60…240 s after StoreTestSupport.date(0); a later event,
        // appended by a writer that does not index, must be caught up.
        _ = try DeletionLog(url: fixture.logURL).append([StoreTestSupport.event("e5", at: 300)])
        for cutoff in [0, 120, 121, 300, 301] {
            let since = StoreTestSupport.date(TimeInterval(cutoff))
            let counted = try MonitorDaemon.countEvents(
                logURL: fixture.logURL, stateDirectory: fixture.state, detectedSince: since)
            let read = try DeletionLogSet.recentEvents(url: fixture.logURL, since: since).count
            #expect(counted == read, "since \(cutoff) s")
        }
        #expect(FileManager.default.fileExists(atPath: fixture.state.appendingPathComponent(LogIndex.fileName).path))
        #expect(
            try MonitorDaemon.countEvents(
                logURL: fixture.logURL, stateDirectory: fixture.state, detectedSince: StoreTestSupport.date(121)) == 3)
    }

    @Test func aRotatedLogIsIndexedWithItsRotatedFiles() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let index = try LogIndex(stateDirectory: fixture.state)
        try index.catchUp(logURL: fixture.logURL)
        // logrotate: the file renamed, a new one continues the chain.
        try FileManager.default.moveItem(
            at: fixture.logURL, to: fixture.logURL.appendingPathExtension("1"))
        let rotated = try DeletionLog(
            url: fixture.logURL, headURL: fixture.state.appendingPathComponent(ChainHead.fileName))
        _ = try rotated.append([StoreTestSupport.event("e5", at: 300)])
        try index.catchUp(logURL: fixture.logURL)
        let lines = try index.eventLines(from: StoreTestSupport.date(0), to: StoreTestSupport.date(3600))
        #expect(try LogIndex.events(of: lines, logURL: fixture.logURL).map(\.id) == ["e1", "e2", "e3", "e4", "e5"])
        let digest = try fixture.digest()
        #expect(digest.accounts.flatMap(\.entries).count == 5)
        #expect(digest.sources.first?.files == ["deletions.jsonl.1", "deletions.jsonl"])
    }
}
