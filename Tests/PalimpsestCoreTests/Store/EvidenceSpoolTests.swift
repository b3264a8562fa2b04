import Foundation
import GRDB
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The evidence spool: captures land in `warc/spool/`; what an event cites is copied to the
/// permanent WARC files; a collection removes what nothing cites any more (pruned snapshots'
/// answers, a probe that found the post, a failed poll's body) and keeps every cited record.
@Suite(.serialized) struct EvidenceSpoolTests {
    static func spoolFiles(_ root: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("warc/spool").path)) ?? [])
            .sorted()
    }

    @Test func aCollectionDropsWhatNothingCitesAndKeepsEveryCitedRecord() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed")
        let poller = try harness.poller()  // keeps 3 snapshots
        let root = harness.root.appendingPathComponent("state")
        let feeds = [[3, 2, 1], [4, 3, 2, 1], [4, 2, 1], [5, 4, 3, 2, 1], [5, 3, 2, 1], [6, 5, 3, 2, 1]].map {
            DiskFullTests.feed(harness, ids: $0)
        }
        let busy = ReplayResponse(status: 503, body: Data("busy, try later".utf8))
        let stillThere = ReplayResponse(status: 200, body: Data("post 3 is still here".utf8))
        let gone = ReplayResponse(status: 404, body: Data("no such post".utf8))
        // 0, 10: first look and a new post; 20: post 3 missing, its probe finds it (nothing to log);
        // 30: it is back; 40: post 4 missing, its probe answers 404 (deleted); 50: 503 (blind);
        // 60: a new post, the blind span closes.
        let script: [(minutes: Int, answer: ReplayResponse)] = [
            (0, feeds[0]), (10, feeds[1]), (20, feeds[2]), (30, feeds[3]), (40, feeds[4]), (50, busy), (60, feeds[5]),
        ]
        harness.server.script("/posts/3", [stillThere])
        harness.server.script("/posts/4", [gone])
        var events: [Event] = []
        for (minutes, answer) in script {
            harness.server.script("/feed", [answer])
            events += try await poller.poll(account, at: IntegrationHarness.time(minutes)).events
        }
        _ = poller.stateStore.saveUnsavedStates()
        #expect(events.map(\.event).contains(.deleted))
        #expect(Self.spoolFiles(root).count == 1, "every capture went to the spool: \(Self.spoolFiles(root))")

        // A later process (nothing in use) collects the spool.
        let store = try StateStore(root: root)
        let uncited = [feeds[0].body, feeds[1].body, feeds[2].body, stillThere.body, busy.body]
        for body in uncited {
            #expect(try store.evidenceBody(sha256: ContentHash.sha256Hex(body)) == body, "stored before")
        }
        let report = try store.collectSpool(minimumAge: 0)
        #expect(report.filesExamined == 1)
        #expect(report.filesRemoved == 1, "less than half of it is still cited: copied on, then removed")
        #expect(report.recordsCopied > 0)
        #expect(Self.spoolFiles(root).count == 1, "the copies' file: \(Self.spoolFiles(root))")

        // Dropped: the answers of pruned snapshots, the probe that found the post, the 503 page.
        for dropped in uncited {
            #expect(try store.evidenceBody(sha256: ContentHash.sha256Hex(dropped)) == nil)
        }
        // Kept: every event's evidence, in the permanent files at the place the log names.
        let logged = try harness.loggedEvents()
        #expect(logged.count == events.count)
        for event in logged {
            for reference in event.evidence {
                #expect(reference.path.hasPrefix("warc/palimpsest-"), "\(event.event): \(reference.path)")
                let record = try WARCFiles.read(try #require(reference.warcLocation), root: root)
                #expect(ContentHash.sha256Hex(record.payload) == reference.sha256)
                #expect(try store.evidenceBody(sha256: reference.sha256) != nil)
            }
        }
        let deleted = try #require(logged.first { $0.event == .deleted })
        #expect(deleted.evidence.contains { $0.sha256 == ContentHash.sha256Hex(gone.body) }, "the 404 is cited")
        // Kept: the answers of the kept snapshots, found where the store says they are now.
        let snapshots = try store.snapshotIDs(of: account.key)
        #expect(snapshots.count >= 3)
        for id in snapshots {
            for reference in try #require(try store.snapshot(of: account.key, id: id)).evidence {
                let record = try WARCFiles.read(try #require(reference.warcLocation), root: root)
                #expect(ContentHash.sha256Hex(record.payload) == reference.sha256, "snapshot \(id)")
            }
        }
        // Kept: the body the validators describe (a 304 replays it).
        let validators = try #require(try store.loadState(of: account.key)?.validators.values.first)
        #expect(try store.evidenceBody(sha256: validators.bodySHA256) == feeds[5].body)

        // Collecting again finds nothing more to drop: the copies are all cited.
        let again = try StateStore(root: root).collectSpool(minimumAge: 0)
        #expect(again.filesRemoved == 0)
        // And polling goes on.
        harness.server.script("/feed", [feeds[5]])
        let next = try await harness.poller().poll(account, at: IntegrationHarness.time(70))
        #expect(next.record.outcome == "complete", "\(next.record.detail)")
        await harness.close()
    }

    /// An evidence row of the spool edited into a value of another type stops the collection and
    /// removes no file: a cited body must never be taken for unused (GRDB's conversion stopped the
    /// process before).
    @Test func aSpoolRowThatDoesNotReadStopsTheCollectionAndRemovesNothing() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try StateStore(root: root)
        let account = AccountKey(rawValue: "feed:https://example.org/feed.xml")
        _ = try store.storeEvidence(
            EvidenceCapture(
                account: account, url: "https://example.org/feed.xml", effectiveURL: "https://example.org/feed.xml",
                status: 200, headers: [], body: Data("<rss/>".utf8), fetchedAt: StoreTestSupport.date(0),
                remoteAddress: "203.0.113.7"))
        try store.commitAndWait(StateCommit(account: account, before: nil, state: AccountState(account: account)))
        let files = Self.spoolFiles(root)
        #expect(files.count == 1)
        try store.pool.write { db in try db.execute(sql: "UPDATE evidence SET body_offset = 'start'") }

        #expect(throws: StoreError.self) { _ = try StateStore(root: root).collectSpool(minimumAge: 0) }
        #expect(Self.spoolFiles(root) == files, "nothing removed")
    }
}
