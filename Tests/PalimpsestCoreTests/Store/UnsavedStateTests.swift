import Foundation
import Testing

@testable import PalimpsestCore

/// A state that cannot be saved (disk full) is kept in memory, never half-written, and written
/// when there is room again.
@Suite struct UnsavedStateTests {
    @Test func aStateTheDiskRefusesIsKeptInMemoryUntilItCanBeWritten() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer {
            SimulatedDiskSpace.setFreeBytes(nil, under: root.path)
            StoreTestSupport.remove(root)
        }
        let stateStore = try StateStore(root: root)
        let key = AccountKey(rawValue: "feed:https://example.org/feed.xml")
        let store = try stateStore.accountStore(for: key)
        var state = AccountState(account: key)
        try store.saveState(state)
        let onDisk = try Data(contentsOf: store.stateURL)

        SimulatedDiskSpace.setFreeBytes(0, under: root.path)
        state.eventsLogged = 7
        let saved = state
        #expect(throws: StoreError.self) { try store.saveState(saved) }
        #expect(store.hasUnsavedState)
        #expect(try Data(contentsOf: store.stateURL) == onDisk, "the old state.json is untouched")
        #expect(try store.loadState(AccountState.self)?.eventsLogged == 7, "the newer state is read from memory")
        #expect(stateStore.saveUnsavedStates().map { (try? $0.result.get()) != nil } == [false])

        SimulatedDiskSpace.setFreeBytes(nil, under: root.path)
        let results = stateStore.saveUnsavedStates()
        #expect(results.map(\.account) == [key])
        #expect(results.allSatisfy { (try? $0.result.get()) != nil })
        #expect(!store.hasUnsavedState)
        let reread = try StateStore(root: root).accountStore(for: key)
        #expect(try AccountStore(key: key, directory: reread.directory, root: root).loadState(AccountState.self)?.eventsLogged == 7)
    }
}
