import Foundation
import GRDB
import PalimpsestReplay
import PalimpsestTestSupport
import Synchronization
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

    /// The rows a store committed lately are looked up in memory (issue 9: index reads were 7% of
    /// a changed feed's poll): after polls that stored, promoted (moved) and revisited records,
    /// each row held is the row the table holds, and the index and the memory agree on where the
    /// cited records are. A collection forgets them all.
    @Test func theRowsHeldInMemoryAreTheRowsOfTheIndex() async throws {
        let harness = try await IntegrationHarness()
        let account = harness.feedAccount(path: "/feed")
        let poller = try harness.poller()
        let store = try #require(poller.stateStore as? StateStore)
        let feeds = [[3, 2, 1], [4, 3, 2, 1], [4, 2, 1], [4, 1], [5, 4, 1]].map { DiskFullTests.feed(harness, ids: $0) }
        let gone = ReplayResponse(status: 404, body: Data("no such post".utf8))
        // Posts 3 and 2 go; both probes answer the same 404 page (a revisit of the first).
        harness.server.script("/posts/3", [gone])
        harness.server.script("/posts/2", [gone])
        var events: [Event] = []
        for (index, feed) in feeds.enumerated() {
            harness.server.script("/feed", [feed])
            events += try await poller.poll(account, at: IntegrationHarness.time(10 * index)).events
        }
        _ = store.saveUnsavedStates()
        #expect(events.filter { $0.event == .deleted }.count == 2, "\(events.map(\.event))")

        let (held, unwritten) = store.pendingEvidence.withLock { ($0.recent.all, $0.unwrittenRelocations) }
        #expect(held.count >= 6, "the polls' captures were committed by this store: \(held.count)")
        #expect(held.contains { !StateStore.isSpool($0.location.path) }, "promoted records among them")
        #expect(held.contains { $0.type != "response" }, "a revisit among them")
        for row in held {
            let stored = try store.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM evidence WHERE record_id = ?", arguments: [row.recordID])
                    .map(StateStore.evidenceRow)
            }
            #expect(
                stored.map { StateStore.relocated($0, by: unwritten) } == StateStore.relocated(row, by: unwritten),
                "record \(row.recordID)")
        }
        // Every event's evidence is where both say it is.
        for event in try harness.loggedEvents() {
            for reference in event.evidence {
                let record = try WARCFiles.read(try #require(reference.warcLocation), root: store.root)
                #expect(ContentHash.sha256Hex(record.payload) == reference.sha256)
            }
        }

        _ = try store.collectSpool(minimumAge: 0)
        #expect(store.pendingEvidence.withLock { $0.recent.all.isEmpty }, "a collection forgets them")
        await harness.close()
    }

    /// A capture stored again after its row was committed is the same record, found in memory
    /// (fetched after the store opened); one fetched before is looked up in the index, as a
    /// capture another process stored.
    @Test func aCaptureStoredAgainIsOneRecordWhereverItsRowIsFound() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let key = AccountKey(rawValue: "feed:https://example.org/feed.xml")
        func capture(at date: Date) -> EvidenceCapture {
            EvidenceCapture(
                account: key, url: "https://example.org/feed.xml", effectiveURL: "https://example.org/feed.xml",
                status: 200, headers: [], body: Data("<rss/>".utf8), fetchedAt: date)
        }
        func rows(_ store: StateStore) throws -> Int {
            try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM evidence") ?? 0 }
        }
        let earlier = Date(timeIntervalSinceNow: -3600)
        do {
            let store = try StateStore(root: root)
            _ = try store.storeEvidence(capture(at: earlier))
            try store.commitAndWait(StateCommit(account: key, before: nil, state: AccountState(account: key)))
        }
        let store = try StateStore(root: root)
        // The collection that is due (the earlier store's spool file waits), run now rather than
        // when the writer next idles: it forgets the rows held, covering from then on.
        try store.collectSpool(minimumAge: 3600)
        let now = Date()
        let first = try store.storeEvidence(capture(at: now))
        try store.commitAndWait(StateCommit(account: key, before: nil, state: AccountState(account: key)))
        #expect(store.pendingEvidence.withLock { $0.rows.isEmpty }, "committed")
        #expect(store.pendingEvidence.withLock { $0.recent.row(id: first.record ?? "") } != nil, "held")
        #expect(store.pendingEvidence.withLock { $0.recent.all.map(\.recordID) } == [first.record ?? ""])
        #expect(try store.storeEvidence(capture(at: now)) == first, "found in memory")
        let before = try store.storeEvidence(capture(at: earlier))
        #expect(before.record != first.record)
        #expect(try store.storeEvidence(capture(at: earlier)) == before, "found in the index")
        try store.commitAndWait(StateCommit(account: key, before: nil, state: AccountState(account: key)))
        #expect(try rows(store) == 2, "one record per capture")
    }

    /// The rows held in memory follow the relocations the writer commits and age out: two
    /// generations of at most a minute each.
    @Test func rowsHeldInMemoryFollowRelocationsAndAgeOut() {
        func row(_ id: String, offset: Int, sha: String) -> StateStore.EvidenceRow {
            let location = WARCLocation(path: "warc/spool/s.warc.gz", offset: offset, length: 10)
            return StateStore.EvidenceRow(
                recordID: id, type: "response", sha256: sha, size: 1, location: location, request: nil,
                body: location, account: "feed:x", url: "http://x/", effectiveURL: "http://x/", status: 200,
                fetchedAt: "2026-12-07T00:00:00Z", remoteIP: nil, redirects: "[]", headers: "[]", legacyPath: nil)
        }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var recent = StateStore.RecentRows(now: start)
        let first = row("a", offset: 0, sha: "x")
        recent.committed([first], relocations: [], at: start)
        #expect(recent.row(id: "a") == first)
        #expect(recent.row(at: first.location) == first)
        #expect(recent.body(sha256: "x") == first)
        let key = StateStore.RecentRows.captureKey(
            account: "feed:x", url: "http://x/", status: 200, fetchedAt: "2026-12-07T00:00:00Z", sha256: "x")
        #expect(recent.row(capturedAs: key) == first)
        #expect(recent.coveredSince == start)

        let permanent = WARCLocation(path: "warc/palimpsest-20261207-00000.warc.gz", offset: 5, length: 10)
        recent.committed(
            [],
            relocations: [
                StateStore.Relocation(
                    recordID: "a", isResponse: true, from: first.location, to: permanent, request: nil)
            ], at: start + 1)
        #expect(recent.row(at: first.location) == nil, "no longer where it was")
        #expect(recent.row(at: permanent)?.recordID == "a")
        #expect(recent.body(sha256: "x")?.body == permanent)

        recent.committed([row("b", offset: 20, sha: "y")], relocations: [], at: start + 61)
        #expect(recent.row(id: "a") != nil, "a minute on: in the older generation")
        #expect(recent.coveredSince == start, "all of it still held")
        recent.committed([row("c", offset: 40, sha: "z")], relocations: [], at: start + 122)
        #expect(recent.row(id: "a") == nil, "two minutes on: forgotten")
        #expect(recent.body(sha256: "x") == nil)
        #expect(recent.row(capturedAs: key) == nil)
        #expect(recent.coveredSince == start + 61, "what was committed before b's generation is not held")
        #expect(recent.row(id: "b") != nil)
        #expect(recent.row(id: "c") != nil)
        recent.clear(now: start + 130)
        #expect(recent.all.isEmpty)
        #expect(recent.coveredSince == start + 130)
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
