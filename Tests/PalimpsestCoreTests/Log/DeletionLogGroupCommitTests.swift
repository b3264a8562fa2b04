import Foundation
import PalimpsestTestSupport
import Synchronization
import Testing

@testable import PalimpsestCore

/// Group commit of the deletion log (``DeletionLog/queueAppend(_:)``): requests registered by
/// several polls go into one write, in the order they were registered, each event once, and each
/// caller gets back what its own request wrote, or the write's error.
@Suite struct DeletionLogGroupCommitTests {
    @Test func requestsRegisteredBeforeAWriteAreWrittenTogetherInOrderAndEachReturnsItsOwn() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: url)
        _ = try log.append([StoreTestSupport.event("logged")])

        let first = log.queueAppend([StoreTestSupport.event("a1"), StoreTestSupport.event("a2")])
        // "a2" again and an id already in the log: each is written once, for whoever came first.
        let second = log.queueAppend([
            StoreTestSupport.event("a2"), StoreTestSupport.event("b1"), StoreTestSupport.event("logged"),
        ])
        let third = log.queueAppend([StoreTestSupport.event("c1")])
        // The second caller's turn comes first: it writes all three requests.
        let secondWritten = try log.appendQueued(second)
        #expect(try StoreTestSupport.lines(of: url).count == 5, "one write of every request registered")
        let firstWritten = try log.appendQueued(first)
        let thirdWritten = try log.appendQueued(third)

        #expect(firstWritten.map(\.id) == ["a1", "a2"])
        #expect(firstWritten.map(\.seq) == [2, 3])
        #expect(secondWritten.map(\.id) == ["b1"])
        #expect(secondWritten.map(\.seq) == [4])
        #expect(thirdWritten.map(\.id) == ["c1"])
        #expect(thirdWritten.map(\.seq) == [5])
        #expect(try DeletionLog.readEvents(at: url).map(\.id) == ["logged", "a1", "a2", "b1", "c1"])
        // Each returned `prev` is the SHA-256 of the line before it in the file.
        let lines = try StoreTestSupport.lines(of: url)
        for written in firstWritten + secondWritten + thirdWritten {
            let seq = try #require(written.seq)
            #expect(written.prev == ContentHash.sha256Hex(Data(lines[seq - 2].utf8)), "seq \(seq)")
        }
        let verification = try DeletionLog.verify(at: url)
        #expect(verification.problems.isEmpty, "\(verification.problems)")
        #expect(verification.eventCount == 5)
        // A request registered after that write is written by its own call.
        let fourth = log.queueAppend([StoreTestSupport.event("d1")])
        #expect(try log.appendQueued(fourth).map(\.seq) == [6])
    }

    @Test func manyCallersAtOnceWriteEveryEventOnceOnAnUnbrokenChain() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let headURL = folder.appendingPathComponent("log-head.json")
        let log = try DeletionLog(url: url, headURL: headURL)
        let callers = 64
        let returned = Mutex<[Int: [Event]]>([:])
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            let request = log.queueAppend([
                StoreTestSupport.event("caller-\(caller)-1"), StoreTestSupport.event("caller-\(caller)-2"),
            ])
            let written = try? log.appendQueued(request)
            returned.withLock { $0[caller] = written }
        }
        let byCaller = returned.withLock { $0 }
        #expect(byCaller.count == callers)
        for caller in 0..<callers {
            #expect(byCaller[caller]?.map(\.id) == ["caller-\(caller)-1", "caller-\(caller)-2"], "caller \(caller)")
        }
        let events = try DeletionLog.readEvents(at: url)
        #expect(events.count == 2 * callers)
        #expect(events.map(\.seq) == Array(1...(2 * callers)))
        #expect(Set(events.map(\.id)).count == 2 * callers)
        // What each caller was given is what the log holds at that seq.
        let bySeq = Dictionary(uniqueKeysWithValues: events.map { ($0.seq ?? 0, $0.id) })
        for written in byCaller.values.joined() { #expect(bySeq[written.seq ?? 0] == written.id) }
        let verification = try DeletionLog.verify(at: url)
        #expect(verification.problems.isEmpty, "\(verification.problems)")
        // The guarded head names the last line: a new instance appends after it.
        #expect(
            try DeletionLog(url: url, headURL: headURL).append([StoreTestSupport.event("after")]).first?.seq
                == 2 * callers + 1)
    }

    @Test func aFailedWriteFailsEveryRequestInItAndTheirRetryWritesEachEventOnce() throws {
        try DeletionLogDiskFullTests.withScratchLog { url in
            let log = try DeletionLog(url: url)
            let firstEvents = [StoreTestSupport.event("a"), StoreTestSupport.event("b")]
            let secondEvents = [StoreTestSupport.event("c")]
            let first = log.queueAppend(firstEvents)
            let second = log.queueAppend(secondEvents)
            try DeletionLogDiskFullTests.leaveRoomForFirstLine(of: firstEvents[0], at: url)
            #expect(throws: StoreError.self) { try log.appendQueued(first) }
            #expect(throws: StoreError.self, "the second request was in the failed write") {
                try log.appendQueued(second)
            }
            #expect(try StoreTestSupport.lines(of: url).count == 1, "the whole first line stays")

            SimulatedDiskSpace.setFreeBytes(nil, under: url.path)
            // "a" is in the file by the failed write: given back to the retry that holds it, once.
            let retried = try log.append(firstEvents)
            #expect(retried.map(\.id) == ["a", "b"])
            #expect(retried.map(\.seq) == [1, 2])
            #expect(try log.append(secondEvents).map(\.seq) == [3])
            #expect(try log.append(firstEvents).isEmpty, "given back once")
            #expect(try DeletionLog.readEvents(at: url).map(\.id) == ["a", "b", "c"])
            #expect(try DeletionLog.verify(at: url).problems.isEmpty)
        }
    }

    @Test func requestsRefusedBeforeTheWriteAreOutOfTheQueueAndNeverWrittenLater() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let headURL = folder.appendingPathComponent("state/\(ChainHead.fileName)")
        let log = try DeletionLog(url: url, headURL: headURL)
        _ = try log.append([StoreTestSupport.event("e1")])
        // A torn line after the guarded head: every append is refused until `log continue`.
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"v\":1,\"seq\":2,\"id\":\"torn".utf8))
        try handle.close()
        let first = log.queueAppend([StoreTestSupport.event("refused-1")])
        let second = log.queueAppend([StoreTestSupport.event("refused-2")])
        let error = try #require(throws: StoreError.self) { try log.appendQueued(second) }
        #expect(error.detail.contains("torn_line"), "\(error.detail)")
        #expect(throws: StoreError.self, "the first request was in the refused write") { try log.appendQueued(first) }

        _ = try DeletionLog(url: url, headURL: headURL).continueAfterBreak(reason: "torn by a test", at: Date())
        let reopened = try DeletionLog(url: url, headURL: headURL)
        let later = try reopened.append([StoreTestSupport.event("later")])
        #expect(later.map(\.id) == ["later"])
        // The refused requests stay the callers' to retry (their events pending in the state).
        let ids = try DeletionLog.readEvents(at: url).map(\.id)
        #expect(!ids.contains("refused-1") && !ids.contains("refused-2"), "\(ids)")
        #expect(try DeletionLog.verify(at: url).isChainIntact)
    }

    @Test func aBatchAfterATornTailStartsOnALineOfItsOwn() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        _ = try DeletionLog(url: url).append([StoreTestSupport.event("e1")])
        // A crash mid-write left a torn line (no guarded head here, as in the tests of the log).
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"v\":1,\"seq\":2,\"id\":\"to".utf8))
        try handle.close()
        let log = try DeletionLog(url: url)
        let first = log.queueAppend([StoreTestSupport.event("a")])
        let second = log.queueAppend([StoreTestSupport.event("b")])
        #expect(try log.appendQueued(second).map(\.seq) == [3])
        #expect(try log.appendQueued(first).map(\.seq) == [2])
        let lines = try StoreTestSupport.lines(of: url)
        #expect(lines.count == 4)
        #expect(lines[1].hasPrefix("{\"v\":1,\"seq\":2,\"id\":\"to"), "the torn bytes stay, never rewritten")
        #expect(try DeletionLog.readEvents(at: url).map(\.id) == ["e1", "a", "b"])
    }

    @Test func linesOfAFailedWriteAreGivenBackOnceAfterAnotherWriterAppended() throws {
        try DeletionLogDiskFullTests.withScratchLog { url in
            let daemon = try DeletionLog(url: url)
            let batch = [StoreTestSupport.event("a"), StoreTestSupport.event("b")]
            try DeletionLogDiskFullTests.leaveRoomForFirstLine(of: batch[0], at: url)
            #expect(throws: StoreError.self) { try daemon.append(batch) }
            SimulatedDiskSpace.setFreeBytes(nil, under: url.path)
            // A `palimpsest poll` beside the daemon appends first; it never hears of "a".
            #expect(try DeletionLog(url: url).append([StoreTestSupport.event("other")]).map(\.seq) == [2])
            let retried = try daemon.append(batch)
            #expect(retried.map(\.id) == ["a", "b"])
            #expect(retried.map(\.seq) == [1, 3])
            #expect(try DeletionLog.readEvents(at: url).map(\.id) == ["a", "other", "b"])
            #expect(try DeletionLog.verify(at: url).problems.isEmpty)
        }
    }

    @Test func linesOfAFailedWriteWaitThroughOtherAppendsAndASecondFailureUntilTheirRetry() throws {
        try DeletionLogDiskFullTests.withScratchLog { url in
            let log = try DeletionLog(url: url)
            let mine = [StoreTestSupport.event("a"), StoreTestSupport.event("b")]
            try DeletionLogDiskFullTests.leaveRoomForFirstLine(of: mine[0], at: url)
            #expect(throws: StoreError.self) { try log.append(mine) }
            // The disk is still full: another account's append fails too, and writes nothing.
            SimulatedDiskSpace.setFreeBytes(10, under: url.path)
            #expect(throws: StoreError.self) { try log.append([StoreTestSupport.event("other")]) }
            SimulatedDiskSpace.setFreeBytes(nil, under: url.path)
            // Another account's retry runs first: "a" is not its event and is not given to it.
            #expect(try log.append([StoreTestSupport.event("other")]).map(\.id) == ["other"])
            let retried = try log.append(mine)
            #expect(retried.map(\.id) == ["a", "b"])
            #expect(retried.map(\.seq) == [1, 3])
            #expect(try log.append(mine).isEmpty, "given back once")
            #expect(try DeletionLog.readEvents(at: url).map(\.id) == ["a", "other", "b"])
            #expect(try DeletionLog.verify(at: url).problems.isEmpty)
        }
    }
}
