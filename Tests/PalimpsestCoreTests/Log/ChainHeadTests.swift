import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The guarded chain head (issue 10, item 2): an edited, cut, torn, forged, emptied or replaced
/// log tail is refused before any append, and `log continue` records the break.
@Suite struct ChainHeadTests {
    private struct Fixture {
        var folder: URL
        var url: URL
        var headURL: URL
        var log: DeletionLog

        init() throws {
            self.folder = try StoreTestSupport.makeTemporaryDirectory()
            self.url = self.folder.appendingPathComponent("deletions.jsonl")
            self.headURL = self.folder.appendingPathComponent("state/\(ChainHead.fileName)")
            self.log = try DeletionLog(url: self.url, headURL: self.headURL)
            _ = try self.log.append([
                StoreTestSupport.event("e1"), StoreTestSupport.event("e2"), StoreTestSupport.event("e3"),
            ])
        }

        /// A new process (the daemon after a restart) opening the same log and head.
        func reopened() throws -> DeletionLog { try DeletionLog(url: self.url, headURL: self.headURL) }

        var text: String { String(decoding: (try? Data(contentsOf: self.url)) ?? Data(), as: UTF8.self) }

        func write(_ text: String) throws { try Data(text.utf8).write(to: self.url) }

        /// Rewrites the file in place (same inode), as `sed -i` would not but an editor that
        /// truncates and writes does.
        func overwriteInPlace(_ text: String) throws {
            let handle = try FileHandle(forWritingTo: self.url)
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
        }
    }

    private func refusal(_ log: DeletionLog, _ id: String = "new") -> StoreError? {
        do {
            _ = try log.append([StoreTestSupport.event(id)])
            return nil
        } catch let error as StoreError {
            return error
        } catch {
            return nil
        }
    }

    @Test func eachAppendWritesTheHeadOfTheLastLine() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let head = try #require(try ChainHead.load(from: fixture.headURL))
        #expect(head.seq == 3)
        #expect(head.sha256 == fixture.log.lastHash)
        #expect(head.offset == fixture.text.utf8.count)
        #expect(try fixture.reopened().checkChainHead() == nil)
        _ = try fixture.reopened().append([StoreTestSupport.event("e4")])
        #expect(try ChainHead.load(from: fixture.headURL)?.seq == 4)
    }

    @Test func anEditedLastLineIsRefusedAndNeverAdopted() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let edited = fixture.text.replacingOccurrences(of: "\"id\":\"e3\"", with: "\"id\":\"e9\"")
        try fixture.overwriteInPlace(edited)

        let restarted = try fixture.reopened()
        let error = try #require(self.refusal(restarted))
        #expect(error.detail.contains("changed_last_line"))
        #expect(error.detail.contains("seq 3"))
        #expect(error.advice.contains("palimpsest log continue"))
        // Nothing was appended; the running instance refuses too.
        #expect(fixture.text == edited)
        #expect(self.refusal(fixture.log) != nil)
        #expect(try restarted.checkChainHead()?.kind == .changedLastLine)
    }

    /// The check before an append reads a window before the head's offset, widening it when no
    /// whole line ends there within it: a last line longer than each window still chains, and an
    /// edit of its first bytes (outside the first window) is still found.
    @Test func aLastLineLongerThanTheCheckedWindowsStillChainsAndAnEditOfItIsFound() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let long = String(repeating: "x", count: DeletionLog.chainCheckWindows[0] + 1_000)
        _ = try fixture.log.append([StoreTestSupport.event("long", text: "start " + long)])
        _ = try fixture.reopened().append([StoreTestSupport.event("after-long")])
        _ = try fixture.reopened().append([StoreTestSupport.event("last", text: "start " + long)])
        #expect(try fixture.reopened().checkChainHead() == nil)

        let edited = fixture.text.replacingOccurrences(
            of: "\"text\":\"start x", with: "\"text\":\"Start x", options: .backwards)
        #expect(edited != fixture.text && edited.utf8.count == fixture.text.utf8.count)
        try fixture.overwriteInPlace(edited)
        let error = try #require(self.refusal(try fixture.reopened()))
        #expect(error.detail.contains("changed_last_line"))
        #expect(fixture.text == edited, "nothing appended")
    }

    @Test func aCommittedLineCutInHalfIsRefused() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let text = fixture.text
        try fixture.overwriteInPlace(String(text.prefix(text.count - 40)))
        let error = try #require(self.refusal(try fixture.reopened()))
        #expect(error.detail.contains("truncated"))
    }

    @Test func aTornLineAfterTheHeadIsRefused() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let handle = try FileHandle(forWritingTo: fixture.url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"v\":1,\"seq\":4,\"id\":\"torn".utf8))
        try handle.close()
        let error = try #require(self.refusal(try fixture.reopened()))
        #expect(error.detail.contains("torn_line"))
    }

    @Test func aForgedLineThatResetsSeqIsRefused() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        // A line appended by hand that chains from the last one but starts seq over.
        var forged = StoreTestSupport.event("forged")
        forged.seq = 1
        forged.prev = fixture.log.lastHash
        let line = try JSONCoding.lineEncoder().encode(forged)
        let handle = try FileHandle(forWritingTo: fixture.url)
        try handle.seekToEnd()
        try handle.write(contentsOf: line + Data("\n".utf8))
        try handle.close()
        let error = try #require(self.refusal(try fixture.reopened()))
        #expect(error.detail.contains("unchained_lines"))
    }

    @Test func anEmptiedLogDoesNotRestartTheChainFromGenesis() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        try fixture.write("")
        let error = try #require(self.refusal(try fixture.reopened()))
        #expect(error.detail.contains("emptied"))
        #expect(fixture.text.isEmpty)
    }

    @Test func aReplacedFileIsRefused() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let other = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(other) }
        let otherURL = other.appendingPathComponent("deletions.jsonl")
        _ = try DeletionLog(url: otherURL).append([StoreTestSupport.event("x1")])
        // The old file is kept elsewhere (so its inode stays in use), a copy of another log takes its place.
        try FileManager.default.moveItem(at: fixture.url, to: other.appendingPathComponent("kept-copy"))
        try FileManager.default.copyItem(at: otherURL, to: fixture.url)
        let error = try #require(self.refusal(try fixture.reopened()))
        #expect(error.detail.contains("replaced"))
    }

    @Test func logrotateRenamingTheFileIsNotABreak() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        try FileManager.default.moveItem(
            at: fixture.url, to: fixture.folder.appendingPathComponent("deletions.jsonl.1"))
        // The running daemon (SIGHUP) and a restarted one both go on.
        try fixture.log.reopen()
        let written = try fixture.log.append([StoreTestSupport.event("e4")])
        #expect(written.first?.seq == 4)
        let restarted = try fixture.reopened()
        #expect(try restarted.append([StoreTestSupport.event("e5")]).first?.seq == 5)
        #expect(try DeletionLogSet.read(url: fixture.url).isChainIntact)
    }

    @Test func aPollerWithARefusedLogKeepsItsEventsPendingInTheState() throws {
        // The refusal is a StoreError like a full disk: PollWriteError(stage: .log) names the
        // account and keeps the events in the state (AccountPoller.appendPending).
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        try fixture.write("")
        let cause = try #require(self.refusal(fixture.log))
        let error = PollWriteError(
            account: AccountKey(rawValue: "feed:https://example.org/feed.xml"), accountName: "Example",
            polledAt: Date(timeIntervalSince1970: 0), stage: .log, cause: cause, pendingEvents: 2, blindSpan: nil)
        #expect(error.description.contains("feed:https://example.org/feed.xml"))
        #expect(error.description.contains("2 events"))
        #expect(error.description.contains("palimpsest log continue"))
    }

    // MARK: log continue

    @Test func logContinueRecordsAnEditedLastLineAndAppendsResume() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let original = fixture.log.lastHash
        let edited = fixture.text.replacingOccurrences(of: "\"id\":\"e3\"", with: "\"id\":\"e9\"")
        try fixture.overwriteInPlace(edited)

        let record = try fixture.reopened().continueAfterBreak(
            reason: "line 3 edited by hand on the server; copy kept", at: Date(timeIntervalSince1970: 1_800_000_000))
        let logBreak = try #require(record.logBreak)
        #expect(record.seq == 4)
        #expect(logBreak.problem == "changed_last_line")
        #expect(logBreak.expected?.sha256 == original)
        #expect(logBreak.expected?.seq == 3)
        #expect(logBreak.found?.seq == 3)
        #expect(logBreak.found?.sha256 != original)
        #expect(logBreak.resumesAfter.seq == 3)
        // History is not rewritten: the edited line stays, the break follows it.
        #expect(fixture.text.hasPrefix(edited))
        #expect(try fixture.reopened().append([StoreTestSupport.event("e4")]).first?.seq == 5)
        // Readers do not count the break as a finding.
        let contents = try DeletionLog.read(at: fixture.url)
        #expect(contents.events.map(\.id) == ["e1", "e2", "e9", "e4"])
        #expect(contents.records.map(\.event) == [.logBreak])
        #expect(contents.problems.isEmpty)
        let report = try DeletionLog.verify(at: fixture.url)
        #expect(report.isIntact)
        #expect(report.acknowledged.map(\.kind) == [.logBreak])
    }

    @Test func logContinueSetsAsideAForgedLineAndVerifyAcknowledgesIt() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        var forged = StoreTestSupport.event("forged")
        forged.seq = 1
        forged.prev = fixture.log.lastHash
        let handle = try FileHandle(forWritingTo: fixture.url)
        try handle.seekToEnd()
        try handle.write(contentsOf: try JSONCoding.lineEncoder().encode(forged) + Data("\n".utf8))
        try handle.close()
        #expect(try !DeletionLog.verify(at: fixture.url).isChainIntact)

        let record = try fixture.reopened().continueAfterBreak(reason: "forged line found", at: Date())
        #expect(record.seq == 4)
        #expect(record.logBreak?.setAside?.map(\.line) == [4])
        let report = try DeletionLog.verify(at: fixture.url)
        #expect(report.isChainIntact)
        #expect(report.acknowledged.contains { $0.kind == .sequenceGap && $0.line == 4 })
        #expect(try fixture.reopened().append([StoreTestSupport.event("e4")]).first?.seq == 5)
    }

    @Test func logContinueAfterATruncationKeepsTheTornBytesAndChainsFromTheLastWholeLine() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let lines = try StoreTestSupport.lines(of: fixture.url)
        let cut = lines[0] + "\n" + lines[1] + "\n" + String(lines[2].prefix(30))
        try fixture.overwriteInPlace(cut)
        let record = try fixture.reopened().continueAfterBreak(reason: "power loss", at: Date())
        #expect(record.logBreak?.problem == "truncated")
        #expect(record.logBreak?.resumesAfter.seq == 2)
        #expect(record.logBreak?.setAside?.map(\.line) == [3])
        #expect(record.seq == 3)
        #expect(fixture.text.hasPrefix(cut + "\n"))
        #expect(try DeletionLog.verify(at: fixture.url).isChainIntact)
        #expect(try fixture.reopened().checkChainHead() == nil)
    }

    @Test func logContinueAfterEmptyingChainsFromTheLostHead() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let head = fixture.log.lastHash
        try fixture.write("")
        let record = try fixture.reopened().continueAfterBreak(reason: "file emptied", at: Date())
        #expect(record.logBreak?.problem == "emptied")
        #expect(record.prev == head)
        #expect(record.seq == 4)
        #expect(try fixture.reopened().append([StoreTestSupport.event("e4")]).first?.seq == 5)
    }

    @Test func logContinueRefusesWhenThereIsNothingToContinue() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        #expect(throws: StoreError.self) { try fixture.reopened().continueAfterBreak(reason: "why not", at: Date()) }
        #expect(try StoreTestSupport.lines(of: fixture.url).count == 3)
    }
}

/// Checkpoint and log_break lines are not findings for any reader (tail, status, the digest, the
/// daemon's count of today's events).
@Suite struct LogRecordReaderTests {
    @Test func readersSkipCheckpointAndBreakLinesWithoutCountingThemOrReportingThem() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let headURL = folder.appendingPathComponent(ChainHead.fileName)
        let log = try DeletionLog(url: url, headURL: headURL)
        _ = try log.append([StoreTestSupport.event("e1"), StoreTestSupport.event("e2")])
        _ = try log.appendCheckpoint(key: CheckpointKey(), at: StoreTestSupport.date(10))
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"torn".utf8))
        try handle.close()
        _ = try DeletionLog(url: url, headURL: headURL).continueAfterBreak(
            reason: "test", at: StoreTestSupport.date(20))
        _ = try DeletionLog(url: url, headURL: headURL).append([StoreTestSupport.event("e3", at: 30)])

        let set = try DeletionLogSet.read(url: url)
        #expect(set.events.map(\.id) == ["e1", "e2", "e3"])
        #expect(set.isChainIntact, "\(set.problems)")
        #expect(set.problems.allSatisfy { $0.kind == .undecodable }, "only the torn bytes the break set aside")
        #expect(try DeletionLogSet.recentEvents(url: url, since: StoreTestSupport.date(0)).count == 3)
        #expect(try DeletionLog.read(at: url).records.map(\.event) == [.checkpoint, .logBreak])
        #expect(try DeletionLog.verify(at: url).isChainIntact)
    }
}
