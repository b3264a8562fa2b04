import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The deletion log on a disk that fills up in the middle of a batch: whole lines stay, the torn
/// rest is cut off, and the retry writes each event once, the chain unbroken.
@Suite struct DeletionLogDiskFullTests {
    /// Runs `body` with the URL of a new log in a folder of its own; afterwards, whatever `body`
    /// did, the simulated disk under it is given back its space and the folder removed.
    static func withScratchLog(_ body: (URL) throws -> Void) throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        let url = folder.appendingPathComponent("deletions.jsonl")
        defer {
            SimulatedDiskSpace.setFreeBytes(nil, under: url.path)
            StoreTestSupport.remove(folder)
        }
        try body(url)
    }

    /// Fills the simulated disk of the new, empty log at `url` so that a write holds the whole first
    /// line (`event` as the log's first: seq 1, chained to the genesis) and 40 bytes of the next.
    static func leaveRoomForFirstLine(of event: Event, at url: URL) throws {
        var first = event
        first.seq = 1
        first.prev = DeletionLog.genesis
        SimulatedDiskSpace.setFreeBytes(try JSONCoding.lineEncoder().encode(first).count + 1 + 40, under: url.path)
    }

    @Test func aBatchCutShortKeepsItsWholeLinesAndTheRetryWritesOnlyTheRest() throws {
        try Self.withScratchLog { url in
            let log = try DeletionLog(url: url)
            let batch = [StoreTestSupport.event("a"), StoreTestSupport.event("b"), StoreTestSupport.event("c")]
            try Self.leaveRoomForFirstLine(of: batch[0], at: url)
            #expect(throws: StoreError.self) { try log.append(batch) }
            #expect(try StoreTestSupport.lines(of: url).count == 1, "the whole first line stays, the torn second goes")
            #expect(try Data(contentsOf: url).last == UInt8(ascii: "\n"))

            SimulatedDiskSpace.setFreeBytes(nil, under: url.path)
            let written = try log.append(batch)
            // "a", whose whole line the failed write left, is written once and given back now, once:
            // the caller (alerts) hears of every logged event exactly once.
            #expect(written.map(\.id) == ["a", "b", "c"])
            #expect(written.map(\.seq) == [1, 2, 3])
            #expect(try log.append(batch).isEmpty, "given back once")
            let verification = try DeletionLog.verify(at: url)
            #expect(verification.problems.isEmpty, "\(verification.problems)")
            #expect(try DeletionLog.readEvents(at: url).map(\.id) == ["a", "b", "c"])
        }
    }
}
