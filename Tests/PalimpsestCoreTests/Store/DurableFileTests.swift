import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

@Suite struct DurableFileTests {
    @Test func atomicWriteReplacesContentAndLeavesNoTemporaryFile() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deep/er/state.json")

        try DurableFile.writeAtomically(Data("first".utf8), to: url)
        try DurableFile.writeAtomically(Data("second, longer".utf8), to: url)

        #expect(try String(contentsOf: url, encoding: .utf8) == "second, longer")
        #expect(try StoreTestSupport.names(in: url.deletingLastPathComponent()) == ["state.json"])
    }

    @Test func atomicWriteCreatesPrivateFoldersAndFiles() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("a/b/file")

        try DurableFile.writeAtomically(Data("x".utf8), to: url)

        let attributes = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("a").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        let fileAttributes = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((fileAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func failedAtomicWriteKeepsWhatWasThereAndCleansUp() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        // A folder where the file should go: rename(2) fails with EISDIR.
        let url = folder.appendingPathComponent("target")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)

        let error = #expect(throws: StoreError.self) {
            try DurableFile.writeAtomically(Data("new".utf8), to: url)
        }

        #expect(error?.operation == "rename")
        #expect(error?.path == url.path)
        #expect(error?.description.contains(url.path) == true)
        #expect(try StoreTestSupport.names(in: folder) == ["target"])
    }

    @Test func appendKeepsEveryWriteInOrder() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("new/log.jsonl")

        for line in ["one\n", "two\n", "三\n"] {
            try DurableFile.append(Data(line.utf8), to: url)
        }

        #expect(try String(contentsOf: url, encoding: .utf8) == "one\ntwo\n三\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func appendFromManyThreadsLosesNothing() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("log")

        DispatchQueue.concurrentPerform(iterations: 50) { index in
            try? DurableFile.append(Data("line \(index)\n".utf8), to: url)
        }

        let lines = try StoreTestSupport.lines(of: url)
        #expect(Set(lines) == Set((0..<50).map { "line \($0)" }))
        #expect(lines.count == 50)
    }
}
