import Crypto
import Foundation
import PalimpsestTestSupport
import Synchronization
import Testing

@testable import PalimpsestCore

@Suite struct DeletionLogTests {
    private func sha256(_ line: String) -> String {
        SHA256.hash(data: Data(line.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private func field(_ name: String, of line: String) throws -> Any? {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return object?[name]
    }

    @Test func genesisIsTheSHA256OfTheDocumentedString() {
        // printf 'palimpsest deletion log v1' | sha256sum
        #expect(DeletionLog.genesis == "e91a94fb89aec1361f6f8b22e91f99d3a0318c9021c25b6b47e051cf8f70dc0e")
    }

    @Test func appendedLinesCarrySeqAndChainEachToThePreviousLine() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("log/deletions.jsonl")
        let log = try DeletionLog(url: url)

        let written = try log.append([StoreTestSupport.event("e1"), StoreTestSupport.event("e2")])
        _ = try log.append([StoreTestSupport.event("e3", text: "删除了")])

        let lines = try StoreTestSupport.lines(of: url)
        #expect(lines.count == 3)
        #expect(written.map(\.seq) == [1, 2])
        #expect(written.first?.prev == DeletionLog.genesis)
        #expect(try self.field("seq", of: lines[0]) as? Int == 1)
        #expect(try self.field("prev", of: lines[0]) as? String == DeletionLog.genesis)
        #expect(try self.field("prev", of: lines[1]) as? String == self.sha256(lines[0]))
        #expect(try self.field("seq", of: lines[2]) as? Int == 3)
        #expect(try self.field("prev", of: lines[2]) as? String == self.sha256(lines[1]))
        #expect(try self.field("v", of: lines[0]) as? Int == 1)
        #expect(try self.field("detected_at", of: lines[0]) as? String == "2026-11-29T22:18:40Z")
        #expect(lines[2].contains("删除了"))
        #expect(log.lastSeq == 3)
        #expect(log.lastHash == self.sha256(lines[2]))
        let report = try DeletionLog.verify(at: url)
        #expect(report.isIntact)
        #expect(report.startsFromGenesis)
        #expect(report.eventCount == 3)
        #expect(report.lastHash == self.sha256(lines[2]))
        #expect(try DeletionLog.readEvents(at: url).map(\.id) == ["e1", "e2", "e3"])
    }

    @Test func anEventIsWrittenExactlyOnce() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: url)
        _ = try log.append([StoreTestSupport.event("e1"), StoreTestSupport.event("e2")])

        let written = try log.append([
            StoreTestSupport.event("e2"), StoreTestSupport.event("e3"), StoreTestSupport.event("e3"),
        ])
        // After a restart, the ids come from the file.
        let restarted = try DeletionLog(url: url)
        let again = try restarted.append([StoreTestSupport.event("e1"), StoreTestSupport.event("e3")])

        #expect(written.map(\.id) == ["e3"])
        #expect(written.map(\.seq) == [3])
        #expect(again.isEmpty)
        #expect(restarted.contains(eventID: "e2"))
        #expect(!restarted.contains(eventID: "e4"))
        #expect(try DeletionLog.readEvents(at: url).map(\.id) == ["e1", "e2", "e3"])
        #expect(try DeletionLog.verify(at: url).isIntact)
    }

    @Test func twoWritersOnOneFileKeepTheChain() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        // Two instances stand for the daemon and a `palimpsest poll` beside it.
        let daemon = try DeletionLog(url: url)
        let poller = try DeletionLog(url: url)

        _ = try daemon.append([StoreTestSupport.event("d1")])
        _ = try poller.append([StoreTestSupport.event("p1"), StoreTestSupport.event("d1")])
        let fromDaemon = try daemon.append([StoreTestSupport.event("d2"), StoreTestSupport.event("p1")])

        #expect(fromDaemon.map(\.id) == ["d2"])
        #expect(fromDaemon.map(\.seq) == [3])
        #expect(daemon.contains(eventID: "p1"))
        let report = try DeletionLog.verify(at: url)
        #expect(report.isIntact)
        #expect(report.lastSeq == 3)
    }

    @Test func twoWritersAppendingConcurrentlyKeepTheChain() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let writers = [try DeletionLog(url: url), try DeletionLog(url: url)]
        let failures = Mutex<[String]>([])

        DispatchQueue.concurrentPerform(iterations: 60) { index in
            do {
                // Every id is offered by both writers: each must land exactly once.
                _ = try writers[index % 2].append([StoreTestSupport.event("e\(index / 2)")])
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }

        #expect(failures.withLock { $0 }.isEmpty)
        let report = try DeletionLog.verify(at: url)
        #expect(report.isIntact)
        #expect(report.eventCount == 30)
        #expect(report.lastSeq == 30)
        #expect(Set(try DeletionLog.readEvents(at: url).map(\.id)).count == 30)
    }

    @Test func aTornLastLineIsLeftAndTheNextAppendChainsFromTheLastWholeLine() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        _ = try DeletionLog(url: url).append([StoreTestSupport.event("e1"), StoreTestSupport.event("e2")])
        let torn = #"{"account":"feed:https://example.org/feed.xml","confirmed_by":"pro"#
        try DurableFile.append(Data(torn.utf8), to: url)

        let before = try DeletionLog.verify(at: url)
        let restarted = try DeletionLog(url: url)
        let written = try restarted.append([StoreTestSupport.event("e3")])

        #expect(before.problems.map(\.kind) == [.tornLine])
        #expect(before.problems.first?.line == 3)
        #expect(before.isChainIntact)
        #expect(restarted.lastSeq == 3)
        let lines = try StoreTestSupport.lines(of: url)
        #expect(lines.count == 4)
        #expect(lines[2] == torn)
        #expect(written.first?.seq == 3)
        #expect(written.first?.prev == self.sha256(lines[1]))
        let after = try DeletionLog.verify(at: url)
        #expect(after.isChainIntact)
        #expect(after.problems.map(\.kind) == [.undecodable])
        #expect(after.problems.first?.line == 3)
        #expect(try DeletionLog.readEvents(at: url).map(\.id) == ["e1", "e2", "e3"])
        #expect(try DeletionLog.read(at: url).problems.map(\.line) == [3])
    }

    @Test func aWholeEventMissingOnlyItsNewlineCountsAsLogged() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let scratch = folder.appendingPathComponent("scratch.jsonl")
        _ = try DeletionLog(url: url).append([StoreTestSupport.event("e1")])
        // Write e2 as the log would, then drop the newline: a crash between the JSON and "\n".
        try FileManager.default.copyItem(at: url, to: scratch)
        _ = try DeletionLog(url: scratch).append([StoreTestSupport.event("e2")])
        var bytes = try Data(contentsOf: scratch)
        bytes.removeLast()
        try DurableFile.writeAtomically(bytes, to: url)

        let restarted = try DeletionLog(url: url)
        let retried = try restarted.append([StoreTestSupport.event("e2"), StoreTestSupport.event("e3")])

        #expect(retried.map(\.id) == ["e3"])
        #expect(retried.map(\.seq) == [3])
        #expect(try StoreTestSupport.lines(of: url).count == 3)
        #expect(try DeletionLog.verify(at: url).isIntact)
    }

    @Test func verifyFindsAChangedLine() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        _ = try DeletionLog(url: url).append((1...4).map { StoreTestSupport.event("e\($0)", text: "text \($0)") })
        var lines = try StoreTestSupport.lines(of: url)
        lines[1] = lines[1].replacingOccurrences(of: "text 2", with: "text X")
        try DurableFile.writeAtomically(Data((lines.joined(separator: "\n") + "\n").utf8), to: url)

        let report = try DeletionLog.verify(at: url)

        #expect(!report.isIntact)
        #expect(!report.isChainIntact)
        #expect(report.firstProblem?.line == 3)
        #expect(report.firstProblem?.kind == .brokenChain)
        #expect(report.problems.count == 1)
    }

    @Test func verifyFindsARemovedLine() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        _ = try DeletionLog(url: url).append((1...4).map { StoreTestSupport.event("e\($0)") })
        var lines = try StoreTestSupport.lines(of: url)
        lines.remove(at: 1)
        try DurableFile.writeAtomically(Data((lines.joined(separator: "\n") + "\n").utf8), to: url)

        let report = try DeletionLog.verify(at: url)

        #expect(report.problems.map(\.kind) == [.brokenChain, .sequenceGap])
        #expect(report.problems.map(\.line) == [2, 2])
    }

    @Test func reopenAfterRotationChainsFromTheOldFilesLastLine() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let rotated = folder.appendingPathComponent("deletions.jsonl.1")
        let log = try DeletionLog(url: url)
        _ = try log.append([StoreTestSupport.event("e1"), StoreTestSupport.event("e2")])
        let oldLast = try StoreTestSupport.lines(of: url)[1]

        try FileManager.default.moveItem(at: url, to: rotated)  // what logrotate does
        try log.reopen()
        let written = try log.append([StoreTestSupport.event("e3")])

        #expect(FileManager.default.fileExists(atPath: url.path))
        #expect(written.first?.seq == 3)
        #expect(written.first?.prev == self.sha256(oldLast))
        let old = try DeletionLog.verify(at: rotated)
        let new = try DeletionLog.verify(at: url, continuing: old)
        #expect(new.isIntact)
        #expect(!new.startsFromGenesis)
        #expect(new.chainStart == old.lastHash)
        // Alone, the new file is a continuation, not an error.
        #expect(try DeletionLog.verify(at: url).isIntact)
        // Against the wrong predecessor it is broken.
        let unrelated = LogVerification(
            lineCount: 0,
            eventCount: 0,
            firstSeq: nil,
            lastSeq: nil,
            chainStart: nil,
            lastHash: DeletionLog.genesis,
            problems: []
        )
        #expect(try DeletionLog.verify(at: url, continuing: unrelated).firstProblem?.kind == .brokenChain)
    }

    @Test func appendNoticesARotatedFileWithoutReopen() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: url)
        _ = try log.append([StoreTestSupport.event("e1")])
        try FileManager.default.moveItem(at: url, to: folder.appendingPathComponent("deletions.jsonl.1"))

        let written = try log.append([StoreTestSupport.event("e2"), StoreTestSupport.event("e1")])

        #expect(written.map(\.id) == ["e2"])
        #expect(written.map(\.seq) == [2])
        #expect(try StoreTestSupport.lines(of: url).count == 1)
    }

    @Test func readingAMissingLogNamesTheFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent/palimpsest/deletions.jsonl")

        let error = #expect(throws: StoreError.self) { try DeletionLog.readEvents(at: url) }

        #expect(error?.description.contains(url.path) == true)
    }

    @Test func everyFieldOfAnEventSurvivesTheLog() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        var event = StoreTestSupport.event("full")
        event.event = .altered
        event.postKind = .post
        event.url = "https://mastodon.social/@user/1"
        event.postedAt = StoreTestSupport.date(-3600)
        event.firstSeen = StoreTestSupport.date(-3000)
        event.lastSeen = StoreTestSupport.date(-600)
        event.firstMissing = StoreTestSupport.date()
        event.lifetime = SecondsInterval(minSeconds: 3000, maxSeconds: 3600)
        event.goneFor = SecondsInterval(minSeconds: 60, maxSeconds: 120)
        event.previousText = "old"
        event.diff = "[-old-]{+text+}"
        event.editedAt = StoreTestSupport.date(-100)
        event.previousVersion = "aa"
        event.version = "bb"
        event.detail = "HTTP 404"
        event.snapshot = "20261129T221840.000Z-0123abcd"
        event.evidence = [
            EvidenceReference(
                path: "accounts/x/evidence/y.body",
                sha256: "y",
                url: "https://x",
                status: 404,
                fetchedAt: StoreTestSupport.date()
            )
        ]

        let written = try DeletionLog(url: url).append([event])

        #expect(try DeletionLog.readEvents(at: url) == written)
    }
}
