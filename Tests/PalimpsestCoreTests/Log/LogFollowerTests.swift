import Foundation
import PalimpsestTestSupport
import Synchronization
import Testing

@testable import PalimpsestCore

@Suite struct LogFollowerTests {
    /// What a follower yielded, shared between the consuming task and the test.
    final class Received: Sendable {
        let ids = Mutex<[String]>([])
        let failure = Mutex<String?>(nil)
    }

    /// Collects what a follower yields, in a task the test cancels at the end.
    final class Collector: Sendable {
        let received: Received
        let task: Task<Void, Never>

        init(_ stream: AsyncThrowingStream<Event, any Error>) {
            let received = Received()
            self.received = received
            self.task = Task {
                do {
                    for try await event in stream {
                        received.ids.withLock { $0.append(event.id) }
                    }
                } catch {
                    received.failure.withLock { $0 = "\(error)" }
                }
            }
        }

        /// Waits until `count` events arrived, at most `seconds`.
        func wait(for count: Int, seconds: Double = 3) async throws -> [String] {
            await waitUntil(timeout: .milliseconds(Int64(seconds * 1000))) {
                self.received.ids.withLock { $0.count >= count }
            }
            return self.received.ids.withLock { $0 }
        }
    }

    @Test func seesLinesAppendedAfterTheStartButNotBefore() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: url)
        _ = try log.append([StoreTestSupport.event("before")])

        let collector = Collector(LogFollower(url: url, pollInterval: 0.05).events(fromStart: false))
        defer { collector.task.cancel() }
        _ = try log.append([StoreTestSupport.event("after1")])
        _ = try log.append([StoreTestSupport.event("after2"), StoreTestSupport.event("after3")])

        #expect(try await collector.wait(for: 3) == ["after1", "after2", "after3"])
        collector.task.cancel()
        await collector.task.value
        #expect(collector.received.failure.withLock { $0 } == nil)
    }

    @Test func fromStartYieldsTheWholeFileFirst() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: url)
        _ = try log.append([StoreTestSupport.event("e1"), StoreTestSupport.event("e2")])

        let collector = Collector(LogFollower(url: url, pollInterval: 0.05).events(fromStart: true))
        defer { collector.task.cancel() }
        _ = try log.append([StoreTestSupport.event("e3")])

        #expect(try await collector.wait(for: 3) == ["e1", "e2", "e3"])
    }

    @Test func followsTheFileAcrossRotation() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let rotated = folder.appendingPathComponent("deletions.jsonl.1")
        let log = try DeletionLog(url: url)
        _ = try log.append([StoreTestSupport.event("old")])

        let collector = Collector(LogFollower(url: url, pollInterval: 0.05).events(fromStart: false))
        defer { collector.task.cancel() }
        _ = try log.append([StoreTestSupport.event("e1")])
        #expect(try await collector.wait(for: 1) == ["e1"])

        try FileManager.default.moveItem(at: url, to: rotated)  // logrotate
        // A late line in the old file, written before the writer moved to the new one.
        var late = StoreTestSupport.event("late")
        late.seq = 99
        try DurableFile.append(try JSONCoding.lineEncoder().encode(late) + Data("\n".utf8), to: rotated)
        try log.reopen()
        _ = try log.append([StoreTestSupport.event("e2")])
        _ = try log.append([StoreTestSupport.event("e3")])

        #expect(try await collector.wait(for: 4) == ["e1", "late", "e2", "e3"])
    }

    /// `tail --follow` after logrotate: the rotated files (a gzipped one too) come first, oldest
    /// first, then the log file, then what is appended, across a further rotation.
    @Test func fromStartWithRotatedFilesYieldsTheWholeLogThenFollows() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: url)
        _ = try log.append([StoreTestSupport.event("e1")])
        try await DeletionLogSetTests.rotate(log, to: "deletions.jsonl.2", gzip: true)
        _ = try log.append([StoreTestSupport.event("e2")])
        try await DeletionLogSetTests.rotate(log, to: "deletions.jsonl.1", gzip: false)
        _ = try log.append([StoreTestSupport.event("e3")])

        let follower = LogFollower(url: url, pollInterval: 0.05)
        let collector = Collector(follower.events(fromStart: true, includingRotated: true))
        defer { collector.task.cancel() }
        #expect(try await collector.wait(for: 3) == ["e1", "e2", "e3"])

        try FileManager.default.moveItem(at: url, to: folder.appendingPathComponent("deletions.jsonl.0"))
        try log.reopen()
        _ = try log.append([StoreTestSupport.event("e4")])
        #expect(try await collector.wait(for: 4) == ["e1", "e2", "e3", "e4"])
        #expect(collector.received.failure.withLock { $0 } == nil)
    }

    @Test func waitsForAFileThatDoesNotExistYet() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("later/deletions.jsonl")
        let clock = ManualClock()

        let collector = Collector(LogFollower(url: url, pollInterval: 0.05, clock: clock).events(fromStart: false))
        defer { collector.task.cancel() }
        await eventually("the follower finds no file and waits") { clock.sleeperCount == 1 }
        _ = try DeletionLog(url: url).append([StoreTestSupport.event("first")])
        clock.advance(by: .milliseconds(50))

        #expect(try await collector.wait(for: 1) == ["first"])
    }

    @Test func skipsATornLineAndWaitsForCompleteOnes() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: url)
        let clock = ManualClock()

        let collector = Collector(LogFollower(url: url, pollInterval: 0.05, clock: clock).events(fromStart: true))
        defer { collector.task.cancel() }
        await eventually("the follower reads the empty log and waits") { clock.sleeperCount == 1 }
        try DurableFile.append(Data(#"{"torn":"#.utf8), to: url)
        clock.advance(by: .milliseconds(50))
        await eventually("the follower reads the torn line and waits again") { clock.sleeperCount == 1 }
        #expect(collector.received.ids.withLock { $0 }.isEmpty, "a torn line is no event")
        _ = try log.append([StoreTestSupport.event("e1")])
        clock.advance(by: .milliseconds(50))

        #expect(try await collector.wait(for: 1) == ["e1"])
    }
}
