import Foundation
import GRDB
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// An account whose archived posts do not read (a damaged page of `state.sqlite`) is named among
/// the states that do not read, and no other account loses its archive, whichever accounts share
/// its part of the digest's reads: the same digest in every run (found by a fresh reviewer: one
/// such account took the archive of a changing set of others with it).
@Suite struct DigestArchiveFailureTests {
    static let week = ISOWeek("2026-W48")!  // StoreTestSupport.date(0) is Sunday 2026-11-29

    @Test func oneUnreadableArchiveNamesItsAccountAndNoOther() async throws {
        let configured = 4_000  // two parts of 2,000 accounts on a machine of 2 cores or more
        let withEvents = 40
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let config = try DigestTestSupport.manyFeedsConfig(configured, in: root)
        let state = config.daemon.stateDirectory
        let shown = Array(config.accounts.prefix(withEvents))
        let page: Int
        let pageSize: Int
        do {
            let store = try StateStore(root: state)
            for (number, account) in shown.enumerated() {
                // Account 0's post is long: stored over overflow pages of its own.
                let text = number == 0 ? String(repeating: "long text ", count: 3_000) : "text \(number)"
                let post = Post(
                    id: "p", url: "https://example.org/\(number)/p", postedAt: StoreTestSupport.date(-86_400),
                    text: text, title: "Title \(number)")
                try await DigestTestSupport.commitPolledState(of: account.key, post: post, to: store)
            }
            try await store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
            (page, pageSize) = try await store.pool.read { db in
                let page = try Int.fetchOne(
                    db,
                    sql: """
                        SELECT pageno FROM dbstat WHERE name = 'post_versions' AND pagetype = 'overflow'
                        AND path LIKE '%+000000' ORDER BY pageno LIMIT 1
                        """)
                return (
                    try #require(page, "account 0's post has an overflow page"),
                    try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4_096
                )
            }
        }
        // The first overflow page's pointer to the next one names a page past the end of the file:
        // reading account 0's post fails (SQLITE_CORRUPT), the other rows read.
        let handle = try FileHandle(forUpdating: state.appendingPathComponent("state.sqlite"))
        try handle.seek(toOffset: UInt64((page - 1) * pageSize))
        try handle.write(contentsOf: Data([0x7F, 0xFF, 0xFF, 0xF0]))
        try handle.close()

        let events = shown.enumerated().map { number, account in
            var event = StoreTestSupport.event("e\(number)", at: 60)
            event.account = account.key
            event.accountName = nil
            event.postID = "p"
            event.text = nil
            return event
        }
        let log = try DeletionLog(
            url: config.daemon.deletionLog, headURL: state.appendingPathComponent(ChainHead.fileName))
        _ = try log.append(events)

        var runs: [[String]] = []
        var last: Digest?
        for _ in 0..<3 {
            let digest = try DigestLoader.makeDigest(
                config: config, week: Self.week, timeZone: TimeZone(identifier: "UTC")!,
                now: StoreTestSupport.date(3_600), reproducible: true)
            runs.append(
                digest.accounts.filter { !$0.entries.isEmpty && $0.entries[0].title == nil }.map { $0.name ?? "" })
            let problems = digest.stateProblems ?? []
            #expect(problems.map(\.account) == [shown[0].key], "\(problems)")
            #expect(problems.first?.problem.contains("its archived posts do not read") == true, "\(problems)")
            last = digest
        }
        // The digest's warning names it and says what is left out.
        let files = try DigestFiles(digest: try #require(last))
        let markdown = String(decoding: files.markdown, as: UTF8.self)
        #expect(markdown.contains("> - `\(shown[0].key.rawValue)`: its archived posts do not read"), "\(markdown)")
        #expect(markdown.contains("one whose archived posts do not read, without their titles"))
        #expect(runs == [["Account 0"], ["Account 0"], ["Account 0"]], "\(runs.map { $0.prefix(5) })")
    }
}
