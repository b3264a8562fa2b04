import Foundation
import PalimpsestTestSupport
import Subprocess
import Testing

@testable import PalimpsestCore

/// A deletion log that logrotate rotated is still one log: every reader finds the rotated files,
/// reads `.gz` ones, orders them by content and checks the chain across them.
@Suite struct DeletionLogSetTests {
    /// What logrotate does with `compress` (and `delaycompress` for the newest copy): rename the
    /// log to `name`, gzip the copy (`gzip` replaces `name` with `name.gz`) when asked, and the
    /// daemon, told by SIGHUP, reopens and creates the new file.
    static func rotate(_ log: DeletionLog, to name: String, gzip: Bool) async throws {
        let rotated = log.url.deletingLastPathComponent().appendingPathComponent(name)
        try FileManager.default.moveItem(at: log.url, to: rotated)
        if gzip {
            let result = try await Subprocess.run(
                .name("gzip"), arguments: ["-n", rotated.path], output: .discarded, error: .string(limit: 4096))
            #expect(result.terminationStatus.isSuccess, "gzip: \(result.standardError)")
        }
        try log.reopen()
    }

    /// 9 events over three rotations, named the way the shipped logrotate snippet names them
    /// (dateext, compress): two gzipped dated files, then the live file.
    static func rotatedLog(in folder: URL) async throws -> URL {
        let url = folder.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: url)
        _ = try log.append((1...3).map { StoreTestSupport.event("a\($0)", at: Double($0)) })
        try await Self.rotate(log, to: "deletions.jsonl-20261101", gzip: true)
        _ = try log.append((4...6).map { StoreTestSupport.event("b\($0)", at: Double($0)) })
        try await Self.rotate(log, to: "deletions.jsonl-20261201", gzip: true)
        _ = try log.append((7...9).map { StoreTestSupport.event("c\($0)", at: Double($0)) })
        return url
    }

    @Test func rotatedAndGzippedFilesAreReadOldestFirstAsOneChain() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = try await Self.rotatedLog(in: folder)
        #expect(
            try StoreTestSupport.names(in: folder) == [
                "deletions.jsonl", "deletions.jsonl-20261101.gz", "deletions.jsonl-20261201.gz",
            ])

        let set = try DeletionLogSet.read(url: url)
        #expect(
            set.files.map(\.name) == ["deletions.jsonl-20261101.gz", "deletions.jsonl-20261201.gz", "deletions.jsonl"])
        #expect(set.files.map(\.isCompressed) == [true, true, false])
        #expect(set.events.map(\.id) == ["a1", "a2", "a3", "b4", "b5", "b6", "c7", "c8", "c9"])
        #expect(set.events.compactMap(\.seq) == Array(1...9))
        #expect(set.problems.isEmpty, "\(set.problems)")
        #expect(set.isChainIntact)
        #expect(set.startsFromGenesis)
        #expect(set.firstSeq == 1)
        #expect(set.lastSeq == 9)
        // The live file alone starts at seq 7: it is a continuation, not the whole log.
        let alone = try DeletionLogSet.read(url: url, includeRotated: false)
        #expect(alone.events.count == 3)
        #expect(!alone.startsFromGenesis)
    }

    @Test func filesAreOrderedByTheirSeqNotByTheirNames() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: url)
        _ = try log.append([StoreTestSupport.event("first")])
        // Numbered and dated names mixed (the logrotate config changed), and a number past 9 that
        // sorts before 2 as text: only the contents say which is older.
        try await Self.rotate(log, to: "deletions.jsonl.10", gzip: false)
        _ = try log.append([StoreTestSupport.event("second")])
        try await Self.rotate(log, to: "deletions.jsonl-20260101", gzip: true)
        _ = try log.append([StoreTestSupport.event("third")])
        try await Self.rotate(log, to: "deletions.jsonl.2", gzip: false)
        _ = try log.append([StoreTestSupport.event("fourth")])

        let set = try DeletionLogSet.read(url: url)
        #expect(set.events.map(\.id) == ["first", "second", "third", "fourth"])
        #expect(
            set.files.map(\.name) == [
                "deletions.jsonl.10", "deletions.jsonl-20260101.gz", "deletions.jsonl.2", "deletions.jsonl",
            ])
        #expect(set.isChainIntact, "\(set.problems)")
    }

    @Test func aLineChangedInARotatedFileBreaksTheChainAtTheNextFile() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: url)
        _ = try log.append([StoreTestSupport.event("e1"), StoreTestSupport.event("e2", text: "the original")])
        try await Self.rotate(log, to: "deletions.jsonl.1", gzip: false)
        _ = try log.append([StoreTestSupport.event("e3")])
        // Someone rewrites the last line of the rotated file: each file alone still looks whole.
        let rotated = folder.appendingPathComponent("deletions.jsonl.1")
        let tampered = try String(contentsOf: rotated, encoding: .utf8).replacingOccurrences(
            of: "the original", with: "a forgery")
        try Data(tampered.utf8).write(to: rotated)
        #expect(try DeletionLog.verify(at: rotated).isIntact)
        #expect(try DeletionLog.verify(at: url).isIntact)

        let set = try DeletionLogSet.read(url: url)
        #expect(!set.isChainIntact)
        let problem = try #require(set.chainProblems.first)
        #expect(problem.kind == .brokenChain)
        #expect(problem.file == "deletions.jsonl")
        #expect(problem.line == 1)
        #expect(problem.description.hasPrefix("deletions.jsonl: line 1: broken_chain: prev is "))
        #expect(problem.message.contains("the hash of the previous file's last line"))
    }

    @Test func aMissingMiddleFileIsAGapInTheChain() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: url)
        _ = try log.append([StoreTestSupport.event("e1")])
        try await Self.rotate(log, to: "deletions.jsonl.2", gzip: false)
        _ = try log.append([StoreTestSupport.event("e2")])
        try await Self.rotate(log, to: "deletions.jsonl.1", gzip: false)
        _ = try log.append([StoreTestSupport.event("e3")])
        try FileManager.default.removeItem(at: folder.appendingPathComponent("deletions.jsonl.1"))

        let set = try DeletionLogSet.read(url: url)
        #expect(set.events.map(\.id) == ["e1", "e3"])
        #expect(set.chainProblems.map(\.kind) == [.brokenChain, .sequenceGap])
        #expect(set.chainProblems.allSatisfy { $0.file == "deletions.jsonl" && $0.line == 1 })
    }

    /// A daemon that starts after logrotate renamed the log, before anything was appended to the
    /// new file, continues the chain of the newest rotated file instead of starting a new one.
    @Test func aWriterStartedAfterRotationContinuesTheRotatedChain() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        do {
            let log = try DeletionLog(url: url)
            _ = try log.append([StoreTestSupport.event("e1"), StoreTestSupport.event("e2")])
        }
        try FileManager.default.moveItem(at: url, to: folder.appendingPathComponent("deletions.jsonl.1"))
        let gzip = try await Subprocess.run(
            .name("gzip"), arguments: ["-n", folder.appendingPathComponent("deletions.jsonl.1").path],
            output: .discarded, error: .discarded)
        #expect(gzip.terminationStatus.isSuccess)

        let restarted = try DeletionLog(url: url)
        #expect(restarted.lastSeq == 2)
        // An event already in the rotated file is not written again.
        let written = try restarted.append([StoreTestSupport.event("e2"), StoreTestSupport.event("e3")])
        #expect(written.map(\.id) == ["e3"])
        #expect(written.first?.seq == 3)
        let set = try DeletionLogSet.read(url: url)
        #expect(set.events.map(\.id) == ["e1", "e2", "e3"])
        #expect(set.isChainIntact, "\(set.problems)")
        #expect(set.startsFromGenesis)
    }

    @Test func aChainThatStartsOverIsReportedAndOrderedByName() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        // Two independent chains (each from the genesis value): an old log kept as .1, and a new
        // log started from scratch. Both start at seq 1; the names say which is older.
        let old = try DeletionLog(url: folder.appendingPathComponent("old.jsonl"))
        _ = try old.append([StoreTestSupport.event("old1"), StoreTestSupport.event("old2")])
        let new = try DeletionLog(url: folder.appendingPathComponent("new.jsonl"))
        _ = try new.append([StoreTestSupport.event("new1")])
        let url = folder.appendingPathComponent("deletions.jsonl")
        try FileManager.default.moveItem(at: old.url, to: folder.appendingPathComponent("deletions.jsonl.1"))
        try FileManager.default.moveItem(at: new.url, to: url)

        let set = try DeletionLogSet.read(url: url)
        #expect(set.events.map(\.id) == ["old1", "old2", "new1"])
        #expect(set.chainProblems.map(\.kind) == [.chainRestart])
        #expect(set.chainProblems.first?.file == "deletions.jsonl")
    }

    @Test func aRotatedFileCompressedWithXzIsReportedNotSkippedInSilence() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let log = try DeletionLog(url: url)
        _ = try log.append([StoreTestSupport.event("e1")])
        try Data([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]).write(to: folder.appendingPathComponent("deletions.jsonl.1.xz"))
        try Data([0x1F, 0x8B, 0x08, 0x00]).write(to: folder.appendingPathComponent("deletions.jsonl.2.gz"))

        let set = try DeletionLogSet.read(url: url)
        #expect(set.events.map(\.id) == ["e1"])
        let unreadable = set.problems.filter { $0.kind == .unreadableFile }
        #expect(unreadable.map(\.file) == ["deletions.jsonl.2.gz", "deletions.jsonl.1.xz"])
        #expect(unreadable.contains { $0.message.contains("compressed with xz") })
        #expect(unreadable.contains { $0.message.contains("cut short") })
        #expect(!set.isChainIntact)
    }

    @Test func rotatedNamesAreRecognised() {
        let base = "deletions.jsonl"
        #expect(DeletionLogSet.RotatedName("deletions.jsonl.1", base: base)?.stamp == .number(1))
        #expect(DeletionLogSet.RotatedName("deletions.jsonl.12.gz", base: base)?.stamp == .number(12))
        #expect(DeletionLogSet.RotatedName("deletions.jsonl-20261101", base: base)?.stamp == .date("20261101"))
        #expect(DeletionLogSet.RotatedName("deletions.jsonl-2026-11-01.gz", base: base)?.compression == "gz")
        #expect(DeletionLogSet.RotatedName("deletions.jsonl.1.xz", base: base)?.compression == "xz")
        for other in [
            "deletions.jsonl", "deletions.jsonl.lock", "deletions.jsonl.tmp-1-2", "deletions.jsonl.gz",
            "deletions.jsonl-old", "deletions.jsonl.", "other.jsonl.1", "deletions.jsonl.1.gz.tmp",
        ] {
            #expect(DeletionLogSet.RotatedName(other, base: base) == nil, "\(other)")
        }
        let folder = URL(fileURLWithPath: "/var/lib/palimpsest")
        #expect(
            LogPathPattern.logFile(of: folder.appendingPathComponent("deletions.jsonl.2.gz")).lastPathComponent == base)
        #expect(
            LogPathPattern.logFile(of: folder.appendingPathComponent("deletions.jsonl-20261101")).lastPathComponent
                == base)
        #expect(LogPathPattern.logFile(of: folder.appendingPathComponent(base)).lastPathComponent == base)
    }
}
