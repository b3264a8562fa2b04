import Foundation
import Testing

@testable import PalimpsestCore

@Suite struct AccountStoreTests {
    let key = AccountKey(rawValue: "mastodon:@user@mastodon.social")

    struct SampleState: Codable, Equatable {
        var lastPoll: Date
        var seen: [String]
    }

    private func makeStore(_ root: URL) throws -> AccountStore {
        try StateStore(root: root).accountStore(for: self.key)
    }

    private func post(_ id: String, _ text: String, minutesAgo: Double = 0) -> Post {
        Post(
            id: id,
            url: "https://mastodon.social/@user/\(id)",
            postedAt: StoreTestSupport.date(-minutesAgo * 60),
            text: text
        )
    }

    // MARK: State

    @Test func stateIsAbsentThenRoundTripsWithAVersion() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try self.makeStore(root)
        let state = SampleState(lastPoll: StoreTestSupport.date(), seen: ["1", "2"])

        #expect(try store.loadState(SampleState.self) == nil)
        try store.saveState(state)

        #expect(try self.makeStore(root).loadState(SampleState.self) == state)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: store.stateURL)) as? [String: Any]
        #expect(json?["v"] as? Int == 1)
        #expect(try StoreTestSupport.names(in: store.directory) == ["account.key", "state.json"])
    }

    @Test func aStateFileOfAnotherVersionIsRefusedWithItsPath() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try self.makeStore(root)
        try DurableFile.writeAtomically(Data(#"{"v": 2, "state": {}}"#.utf8), to: store.stateURL)

        let error = #expect(throws: StoreError.self) { try store.loadState(SampleState.self) }

        #expect(error?.path == store.stateURL.path)
        #expect(error?.detail.contains("version 2") == true)
    }

    // MARK: Evidence

    @Test func evidenceRecordKeepsTheRouteOfTheFirstFetch() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try self.makeStore(root)
        let body = Data(#"{"error":"Record not found"}"#.utf8)
        let hop = EvidenceRecord.Redirect(
            url: "http://example.social/api/v1/statuses/1", status: 301,
            location: "https://example.social/api/v1/statuses/1", remoteAddress: "203.0.113.7")
        let first = try store.storeEvidence(
            body: body, url: "http://example.social/api/v1/statuses/1", status: 404, headers: [:],
            fetchedAt: StoreTestSupport.date(), effectiveURL: "https://example.social/api/v1/statuses/1",
            remoteAddress: "203.0.113.7", redirects: [hop])
        _ = try store.storeEvidence(
            body: body, url: "https://example.social/api/v1/statuses/2", status: 404, headers: [:],
            fetchedAt: StoreTestSupport.date(60), remoteAddress: "203.0.113.8")

        let record = try #require(try store.evidenceRecord(sha256: first.sha256))
        #expect(record.effectiveURL == "https://example.social/api/v1/statuses/1")
        #expect(record.remoteAddress == "203.0.113.7")
        #expect(record.redirects == [hop])
        let json = try String(
            decoding: Data(contentsOf: store.evidenceDirectory.appendingPathComponent("\(first.sha256).json")), as: UTF8.self)
        #expect(json.contains(#""effective_url" : "https://example.social/api/v1/statuses/1""#))
        #expect(json.contains(#""remote_ip" : "203.0.113.7""#))
        #expect(json.contains(#""location" : "https://example.social/api/v1/statuses/1""#))
    }

    @Test func evidenceRecordWrittenBeforeRoutesWereKeptStillDecodes() throws {
        let old = """
            {"fetched_at":"2026-11-29T22:18:42Z","headers":[],"sha256":"e28bf7d9fcc22cdfde0c7c8f31e3648a4847e7bda9cb69f309f24257eee3dd41","size":21,"status":404,"url":"https://mastodon.social/api/v1/statuses/1","v":1}
            """
        let record = try JSONCoding.decoder().decode(EvidenceRecord.self, from: Data(old.utf8))
        #expect(record.url == "https://mastodon.social/api/v1/statuses/1")
        #expect(record.effectiveURL == nil)
        #expect(record.remoteAddress == nil)
        #expect(record.redirects == nil)
    }

    @Test func evidenceIsContentAddressedAndIdempotent() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try self.makeStore(root)
        // The recorded answer of a Mastodon status probe for a removed post: {"error":"Not Found"}.
        let body = try Data(
            contentsOf: StoreTestSupport.fixturesDirectory.appendingPathComponent("mastodon/status_404_not_found.json")
        )
        let sha256 = "e28bf7d9fcc22cdfde0c7c8f31e3648a4847e7bda9cb69f309f24257eee3dd41"  // sha256sum of the file
        let headers: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8"]

        let first = try store.storeEvidence(
            body: body,
            url: "https://mastodon.social/api/v1/statuses/1",
            status: 404,
            headers: headers,
            fetchedAt: StoreTestSupport.date()
        )
        let second = try store.storeEvidence(
            body: body,
            url: "https://mastodon.social/api/v1/statuses/2",
            status: 404,
            headers: headers,
            fetchedAt: StoreTestSupport.date(60)
        )

        #expect(first.sha256 == sha256)
        #expect(first.path == "accounts/\(self.key.directoryName)/evidence/\(sha256).body")
        #expect(second.path == first.path)
        #expect(second.url == "https://mastodon.social/api/v1/statuses/2")
        #expect(try StoreTestSupport.names(in: store.evidenceDirectory) == ["\(sha256).body", "\(sha256).json"])
        #expect(try Data(contentsOf: root.appendingPathComponent(first.path)) == body)
        let record = try #require(try store.evidenceRecord(sha256: sha256))
        #expect(record.v == 1)
        #expect(record.url == "https://mastodon.social/api/v1/statuses/1")
        #expect(record.status == 404)
        #expect(record.size == body.count)
        #expect(record.fetchedAt == StoreTestSupport.date())
        #expect(record.headers == [HTTPHeaders.Field(name: "Content-Type", value: "application/json; charset=utf-8")])
    }

    @Test func evidenceOfDifferentBodiesGetsDifferentFiles() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try self.makeStore(root)

        let hello = try store.storeEvidence(
            body: Data("hello".utf8),
            url: "u",
            status: 200,
            headers: [:],
            fetchedAt: StoreTestSupport.date()
        )
        let other = try store.storeEvidence(
            body: Data("hellp".utf8),
            url: "u",
            status: 200,
            headers: [:],
            fetchedAt: StoreTestSupport.date()
        )

        #expect(hello.sha256 == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(other.sha256 != hello.sha256)
        #expect(try store.evidenceBody(sha256: hello.sha256) == Data("hello".utf8))
        #expect(try store.evidenceBody(sha256: "../account.key") == nil)
    }

    // MARK: Snapshots

    @Test func snapshotIDsAreDeterministicAndSortByPollTime() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try self.makeStore(root)
        let posts = [self.post("1", "hello"), self.post("2", "world")]
        let observation = Observation(account: self.key, polledAt: StoreTestSupport.date(0.25), posts: posts)
        let changed = Observation(account: self.key, polledAt: StoreTestSupport.date(0.25), posts: [posts[0]])
        let earlier = Observation(account: self.key, polledAt: StoreTestSupport.date(-600), posts: posts)

        let id = try store.writeSnapshot(observation)
        let again = try store.writeSnapshot(observation)
        let other = try store.writeSnapshot(changed)
        let first = try store.writeSnapshot(earlier)

        #expect(id == again)
        #expect(id.hasPrefix("20261129T221840.250Z-"))
        #expect(id.count == "20261129T221840.250Z-".count + 8)
        #expect(other != id)
        #expect(first.hasPrefix("20261129T220840.000Z-"))
        #expect(try store.snapshotIDs() == [first, id, other].sorted())
        #expect(try store.snapshotIDs().first == first)
        let read = try #require(try store.readSnapshot(id: id))
        #expect(read.posts == observation.posts)
        #expect(abs(read.polledAt.timeIntervalSince(observation.polledAt)) < 0.000_5)
        #expect(try store.readSnapshot(id: first) == earlier)
        #expect(try store.readSnapshot(id: "20000101T000000.000Z-00000000") == nil)
        #expect(try store.readSnapshot(id: "../state") == nil)

        let json =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: store.snapshotsDirectory.appendingPathComponent("\(id).json"))
            ) as? [String: Any]
        #expect(json?["v"] as? Int == 1)
        #expect(json?["id"] as? String == id)
        #expect(json?["account"] as? String == self.key.rawValue)
        #expect(json?["polled_at"] as? String == "2026-11-29T22:18:40.250Z")
    }

    @Test func compactSnapshotTimesRoundToTheMillisecond() {
        #expect(AccountStore.compactUTC(Date(timeIntervalSince1970: 1_795_990_720.123)) == "20261129T221840.123Z")
        #expect(AccountStore.compactUTC(Date(timeIntervalSince1970: 1_795_990_720.9996)) == "20261129T221841.000Z")
        #expect(AccountStore.compactUTC(Date(timeIntervalSince1970: 0)) == "19700101T000000.000Z")
    }

    @Test func pruneKeepsTheNewestAndTheCitedSnapshotsAndTheirEvidence() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try self.makeStore(root)
        var ids: [String] = []
        var shas: [String] = []
        for index in 0..<5 {
            let evidence = try store.storeEvidence(
                body: Data("timeline \(index)".utf8),
                url: "https://mastodon.social/api/v1/accounts/1/statuses",
                status: 200,
                headers: [:],
                fetchedAt: StoreTestSupport.date(Double(index) * 600)
            )
            let observation = Observation(
                account: self.key,
                polledAt: StoreTestSupport.date(Double(index) * 600),
                posts: [self.post("\(index)", "post \(index)")],
                evidence: [evidence]
            )
            ids.append(try store.writeSnapshot(observation))
            shas.append(evidence.sha256)
        }
        let probe = try store.storeEvidence(
            body: Data(#"{"error":"Not Found"}"#.utf8),
            url: "https://mastodon.social/api/v1/statuses/1",
            status: 404,
            headers: [:],
            fetchedAt: StoreTestSupport.date(3000)
        )
        let stray = try store.storeEvidence(
            body: Data("stray".utf8),
            url: "u",
            status: 200,
            headers: [:],
            fetchedAt: StoreTestSupport.date()
        )

        try store.pruneSnapshots(
            keep: 2,
            cited: [ids[1], "20000101T000000.000Z-00000000"],
            citedEvidence: [probe.sha256]
        )

        #expect(try store.snapshotIDs() == [ids[1], ids[3], ids[4]])
        let kept = [shas[1], shas[3], shas[4], probe.sha256]
        #expect(
            try StoreTestSupport.names(in: store.evidenceDirectory)
                == kept.flatMap { ["\($0).body", "\($0).json"] }.sorted()
        )
        #expect(try store.evidenceBody(sha256: stray.sha256) == nil)
        #expect(try store.evidenceBody(sha256: shas[0]) == nil)
    }

    @Test func pruneWithNothingCitedKeepsOnlyTheNewest() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try self.makeStore(root)
        var ids: [String] = []
        for index in 0..<3 {
            ids.append(
                try store.writeSnapshot(
                    Observation(account: self.key, polledAt: StoreTestSupport.date(Double(index)), posts: [])
                )
            )
        }

        try store.pruneSnapshots(keep: 1, cited: [], citedEvidence: [])

        #expect(try store.snapshotIDs() == [ids[2]])
    }

    // MARK: Archive

    @Test func archiveAppendsOnlyNewVersionsAndKeepsDeletedPosts() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try self.makeStore(root)
        let a1 = self.post("a", "first text")
        let b1 = self.post("b", "other post")
        let a2 = self.post("a", "first text, edited")

        #expect(try store.archive([a1, b1, a1], seenAt: StoreTestSupport.date(), snapshotID: "s1") == 2)
        #expect(try store.archive([a1, b1], seenAt: StoreTestSupport.date(600), snapshotID: "s2") == 0)
        #expect(try store.archive([a2, b1], seenAt: StoreTestSupport.date(1200), snapshotID: "s3") == 1)
        // "a" and "b" are gone from the timeline: their versions stay.
        #expect(try store.archive([self.post("c", "new")], seenAt: StoreTestSupport.date(1800), snapshotID: "s4") == 1)

        let versions = try store.archivedVersions(of: "a")
        #expect(versions.map(\.version) == [a1.versionHash, a2.versionHash])
        #expect(versions.map(\.snapshot) == ["s1", "s3"])
        #expect(versions.map(\.firstSeen) == [StoreTestSupport.date(), StoreTestSupport.date(1200)])
        #expect(versions.map(\.post) == [a1, a2])
        #expect(try store.archivedVersions(of: "b").count == 1)
        let lines = try StoreTestSupport.lines(of: store.archiveURL)
        #expect(lines.count == 4)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["v"] as? Int == 1)
        #expect(first?["post_id"] as? String == "a")
        #expect(first?["version"] as? String == a1.versionHash)
        #expect(first?["first_seen"] as? String == "2026-11-29T22:18:40Z")
        #expect(first?["snapshot"] as? String == "s1")
    }

    @Test func archiveIndexIsRebuiltFromTheFileAfterReopening() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let a1 = self.post("a", "first text")
        let b1 = self.post("b", "other post")
        #expect(try self.makeStore(root).archive([a1, b1], seenAt: StoreTestSupport.date(), snapshotID: "s1") == 2)

        // A new StateStore stands for a restarted process.
        let reopened = try self.makeStore(root)

        #expect(try reopened.archive([a1, b1], seenAt: StoreTestSupport.date(600), snapshotID: "s2") == 0)
        #expect(
            try reopened.archive([self.post("b", "changed")], seenAt: StoreTestSupport.date(900), snapshotID: "s3") == 1
        )
        #expect(try StoreTestSupport.lines(of: reopened.archiveURL).count == 3)
    }

    @Test func archiveSeesWhatAnotherProcessAppended() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let daemon = try self.makeStore(root)
        let poller = try self.makeStore(root)  // another StateStore: another process's view
        let a1 = self.post("a", "first text")
        #expect(try daemon.archive([self.post("z", "zzz")], seenAt: StoreTestSupport.date(), snapshotID: "s0") == 1)

        #expect(try poller.archive([a1], seenAt: StoreTestSupport.date(), snapshotID: "s1") == 1)

        #expect(try daemon.archive([a1], seenAt: StoreTestSupport.date(60), snapshotID: "s2") == 0)
        #expect(try StoreTestSupport.lines(of: daemon.archiveURL).count == 2)
    }

    @Test func archiveLeavesATornLastLineAndStartsOnANewLine() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let a1 = self.post("a", "first text")
        let store = try self.makeStore(root)
        #expect(try store.archive([a1], seenAt: StoreTestSupport.date(), snapshotID: "s1") == 1)
        let torn = #"{"v":1,"post_id":"b","vers"#
        try DurableFile.append(Data(torn.utf8), to: store.archiveURL)

        let reopened = try self.makeStore(root)
        #expect(
            try reopened.archive([a1, self.post("b", "b text")], seenAt: StoreTestSupport.date(60), snapshotID: "s2")
                == 1
        )

        let lines = try StoreTestSupport.lines(of: reopened.archiveURL)
        #expect(lines.count == 3)
        #expect(lines[1] == torn)
        #expect(try reopened.archivedVersions().map(\.postID) == ["a", "b"])
    }
}
