import Foundation
import GRDB
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The store's writer connection: when it checkpoints the WAL.
@Suite struct StoreWriterTests {
    @Test func theWALIsCheckpointedOnlyOnceItHolds64MiB() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try StateStore(root: root)
        let (pages, pageSize) = try store.pool.writeWithoutTransaction { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? 0,
                try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            )
        }
        #expect(pages == StateStore.walCheckpointPages)
        #expect(pages * pageSize == 64 * 1024 * 1024)
    }
}
