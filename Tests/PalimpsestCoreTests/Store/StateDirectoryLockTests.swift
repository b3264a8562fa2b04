import Foundation
import PalimpsestCore
import Testing

@Suite struct StateDirectoryLockTests {
    private func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("palimpsest-lock-\(UUID().uuidString)")
    }

    @Test func aSecondHolderIsRefusedWithTheFirstOnesPID() throws {
        let directory = self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try StateDirectoryLock.acquire(stateDirectory: directory, purpose: "palimpsest run")
        #expect(first.url.lastPathComponent == "palimpsest.lock")
        #expect(StateDirectoryLock.holder(of: directory) == .init(pid: getpid(), purpose: "palimpsest run"))
        do {
            _ = try StateDirectoryLock.acquire(stateDirectory: directory, purpose: "palimpsest run")
            Issue.record("a second lock on the same state_dir was granted")
        } catch let held as StateDirectoryLock.Held {
            #expect(held.holderPID == getpid())
            #expect(held.description.contains("PID \(getpid())"))
            #expect(held.description.contains("palimpsest run refuses to run"))
            #expect(held.description.contains(directory.appendingPathComponent("palimpsest.lock").path))
        }
        withExtendedLifetime(first) {}
    }

    @Test func theLockIsFreeAgainOnceReleased() throws {
        let directory = self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(StateDirectoryLock.holder(of: directory) == nil)
        var lock: StateDirectoryLock? = try StateDirectoryLock.acquire(
            stateDirectory: directory, purpose: "palimpsest poll")
        #expect(lock != nil)
        lock = nil
        // The PID stays in the file, but nobody holds the lock: a stale file never blocks a start.
        #expect(StateDirectoryLock.holder(of: directory) == nil)
        let again = try StateDirectoryLock.acquire(stateDirectory: directory, purpose: "palimpsest run")
        withExtendedLifetime(again) {}
    }
}
