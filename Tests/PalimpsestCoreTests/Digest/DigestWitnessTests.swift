import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The digest carries the witness (issue 10, item 6) and states `verify`'s verdict (item 1).
@Suite struct DigestWitnessTests {
    static let week = ISOWeek("2026-W48")!  // StoreTestSupport.date(0) is Sunday 2026-11-29

    struct Fixture {
        var folder: URL
        var config: PalimpsestConfig
        var log: DeletionLog
        var key = CheckpointKey()

        init() throws {
            self.folder = try StoreTestSupport.makeTemporaryDirectory()
            self.config = try ConfigLoader.parse(
                """
                [daemon]
                state_dir = "state"
                deletion_log = "deletions.jsonl"

                [evidence]
                signing_key_file = "keys/checkpoint.pem"
                """, file: self.folder.appendingPathComponent("palimpsest.toml"))
            try FileManager.default.createDirectory(
                at: self.folder.appendingPathComponent("keys"), withIntermediateDirectories: true)
            try Data(self.key.privateKeyPEM.utf8).write(to: self.config.evidence.signingKeyFile)
            self.log = try DeletionLog(
                url: self.config.daemon.deletionLog,
                headURL: self.config.daemon.stateDirectory.appendingPathComponent(ChainHead.fileName))
            _ = try self.log.append((1...4).map { StoreTestSupport.event("e\($0)", at: TimeInterval($0 * 60)) })
        }

        func digest() throws -> Digest {
            try DigestLoader.makeDigest(
                config: self.config, week: DigestWitnessTests.week, timeZone: TimeZone(identifier: "UTC")!,
                now: StoreTestSupport.date(3600), reproducible: true)
        }
    }

    @Test func theDigestListsTheWeeksCheckpointsAndThePublicKey() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let record = try #require(try fixture.log.appendCheckpoint(key: fixture.key, at: StoreTestSupport.date(600)))
        let digest = try fixture.digest()
        let witness = try #require(digest.witness)
        #expect(witness.publicKey == fixture.key.publicKeyHex)
        #expect(witness.checkpoints.map(\.root) == [record.checkpoint?.root])
        #expect(witness.checkpoints.first?.treeSize == 4)
        #expect(digest.verdict == nil)
        let files = try DigestFiles(digest: digest)
        #expect(String(decoding: files.markdown, as: UTF8.self).contains("## Witness: signed checkpoints of the log"))
        #expect(String(decoding: files.markdown, as: UTF8.self).contains(record.checkpoint!.root))
        #expect(String(decoding: files.html, as: UTF8.self).contains("id=\"witness\""))
        #expect(String(decoding: files.json, as: UTF8.self).contains("\"witness\""))
    }

    @Test func verifyAgainstAnEarlierDigestCatchesALogRewrittenAndResignedWithTheKey() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        _ = try fixture.log.appendCheckpoint(key: fixture.key, at: StoreTestSupport.date(600))
        let files = try DigestFiles(digest: try fixture.digest())
        let sent = fixture.folder.appendingPathComponent("sent/digest.json")
        try FileManager.default.createDirectory(at: sent.deletingLastPathComponent(), withIntermediateDirectories: true)
        try files.json.write(to: sent)
        let witness = try DigestWitness.load(from: sent)
        let url = fixture.config.daemon.deletionLog
        var report = try LogVerifier(
            logURL: url, stateDirectory: nil, trustedKeys: [witness.publicKey!], witnesses: witness.checkpoints
        ).verify()
        #expect(report.isValid, "\(report.problems)")

        // Someone with the signing key rewrites line 2 and the whole log after it, checkpoint included.
        let events = try DeletionLog.readEvents(at: url)
        try FileManager.default.removeItem(at: url)
        let forged = try DeletionLog(url: url)
        _ = try forged.append(
            events.map { event in
                var event = event
                if event.id == "e2" { event.text = "something else" }
                return event
            })
        _ = try forged.appendCheckpoint(key: fixture.key, at: StoreTestSupport.date(600))
        report = try LogVerifier(logURL: url, stateDirectory: nil, trustedKeys: [witness.publicKey!]).verify()
        #expect(report.isValid, "alone, the rewritten log verifies: its own checkpoint is re-signed")
        report = try LogVerifier(
            logURL: url, stateDirectory: nil, trustedKeys: [witness.publicKey!], witnesses: witness.checkpoints
        ).verify()
        #expect(!report.isValid)
        #expect(report.problems.contains { $0.kind == "witness" && $0.message.contains("changed after that digest") })
    }

    @Test func theDigestStatesVerifysVerdictAtItsTop() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        var event = StoreTestSupport.event("cites-missing", at: 900)
        event.evidence = [
            EvidenceReference(
                path: "warc/palimpsest-20261129-00001.warc.gz", sha256: String(repeating: "a", count: 64),
                url: "https://example.org/post/1", status: 404, fetchedAt: StoreTestSupport.date(900), offset: 0,
                length: 100, record: "<urn:uuid:1>")
        ]
        _ = try fixture.log.append([event])
        let digest = try fixture.digest()
        let verdict = try #require(digest.verdict)
        #expect(verdict.problems.count == 1)
        #expect(verdict.problems[0].hasPrefix("deletions.jsonl: line 5: seq 5: evidence:"))
        let files = try DigestFiles(digest: digest)
        let top = String(decoding: files.markdown, as: UTF8.self).components(separatedBy: "## Summary")[0]
        #expect(top.contains("**Warning: the deletion log does not verify**"))
        #expect(
            String(decoding: files.html, as: UTF8.self).components(separatedBy: "id=\"summary\"")[0].contains(
                "id=\"verify-warning\""))
    }
}
