import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// `palimpsest evidence export` (issue 10, item 5): a BagIt bag of one finding, checked by tools
/// outside Palimpsest (Python's bagit and warcio, sh + sha256sum + openssl + python3).
@Suite(.serialized) struct EvidenceBundleTests {
    struct Exported {
        var harness: IntegrationHarness
        var config: PalimpsestConfig
        var event: Event
        var out: URL
    }

    /// The demo scenario's polls, a config over its state folder and log with a signing key, and
    /// the bag of its first deletion proved by probe.
    static func export(zip: Bool = false) async throws -> Exported {
        let harness = try await EvidenceTestSupport.pollDemoScenario()
        let config = try EvidenceTestSupport.signingConfig(in: harness.root)
        let event = try #require(
            try harness.loggedEvents().first {
                $0.event == .deleted && $0.confirmedBy == .probe && $0.platform == .mastodon
            })
        let out = harness.root.appendingPathComponent("bundle-\(event.id)")
        let summary = try EvidenceBundle(config: config).export(.event(event.id), to: out, zip: zip)
        #expect(summary.madeCheckpoint, "no checkpoint yet: the export signs one")
        #expect(summary.records >= 1)
        return Exported(harness: harness, config: config, event: event, out: out)
    }

    @Test(.enabled(if: EvidenceTestSupport.hasBagit, "SKIPPED: needs python3 with bagit (`make test` installs it)"))
    func theBundleIsAValidBagItBag() async throws {
        let exported = try await Self.export()
        let check = try await EvidenceTestSupport.run([
            "python3", "-c",
            "import bagit, sys; bag = bagit.Bag(sys.argv[1]); bag.validate(); print(sorted(bag.payload_files()))",
            exported.out.path,
        ])
        #expect(check.succeeded, "\(check.standardError)")
        for file in [
            "data/events.jsonl", "data/versions.jsonl", "data/warc/evidence.warc.gz", "data/warc/records.json",
            "data/proof/checkpoint.jsonl", "data/proof/inclusion.json", "data/proof/public-key.pem", "data/README.txt",
            "data/verify.sh",
        ] {
            #expect(check.standardOutput.contains(file), "\(file) in the payload")
        }
        let events = try String(contentsOf: exported.out.appendingPathComponent("data/events.jsonl"), encoding: .utf8)
        #expect(events.contains("\"id\":\"\(exported.event.id)\""))
        let logText = try String(contentsOf: exported.config.daemon.deletionLog, encoding: .utf8)
        #expect(logText.contains(events), "the event line byte for byte")
        let readme = try String(contentsOf: exported.out.appendingPathComponent("data/README.txt"), encoding: .utf8)
        #expect(readme.contains("What this does not prove"))
        #expect(readme.contains(exported.event.postID ?? "?"))
        await exported.harness.close()
    }

    @Test(
        .enabled(
            if: EvidenceTestSupport.hasOpenSSL && EvidenceTestSupport.hasPython, "SKIPPED: needs openssl and python3"))
    func verifyShPassesAndFailsNamingAWARCRecordWithOneByteChanged() async throws {
        let exported = try await Self.export()
        let script = exported.out.appendingPathComponent("data/verify.sh").path
        let passed = try await EvidenceTestSupport.run(["sh", script])
        #expect(passed.succeeded, "\(passed.standardOutput) \(passed.standardError)")
        #expect(passed.standardOutput.contains("OK:"))

        // One byte of the first WARC record changed.
        let warcURL = exported.out.appendingPathComponent("data/warc/evidence.warc.gz")
        var warc = try Data(contentsOf: warcURL)
        let records =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: exported.out.appendingPathComponent("data/warc/records.json")))
            as? [[String: Any]]
        let first = try #require(records?.first)
        let offset = try #require(first["offset"] as? Int)
        let length = try #require(first["length"] as? Int)
        let id = try #require(first["warc_record_id"] as? String)
        warc[offset + length / 2] ^= 0x5a
        try warc.write(to: warcURL)
        let failed = try await EvidenceTestSupport.run(["sh", script])
        #expect(!failed.succeeded)
        #expect(failed.standardOutput.contains("FAILED: WARC record \(id)"), "\(failed.standardOutput)")
        #expect(failed.standardOutput.contains("data/warc/evidence.warc.gz"), "sha256sum names the file too")
        await exported.harness.close()
    }

    @Test(.enabled(if: WARCInteroperabilityTests.warcioIsAvailable, "SKIPPED: needs python3 with warcio"))
    func warcioReadsTheRecordsWithTheirAddressesAndDigests() async throws {
        let exported = try await Self.export()
        let read = try await EvidenceTestSupport.run([
            "python3", "-c",
            """
            import hashlib, json, sys
            from warcio.archiveiterator import ArchiveIterator
            out = []
            with open(sys.argv[1], "rb") as f:
                for record in ArchiveIterator(f):
                    body = record.content_stream().read()
                    out.append({"type": record.rec_type, "ip": record.rec_headers.get_header("WARC-IP-Address"),
                                "digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                                "sha256": hashlib.sha256(body).hexdigest(), "status": record.http_headers.get_statuscode()})
            print(json.dumps(out))
            """,
            exported.out.appendingPathComponent("data/warc/evidence.warc.gz").path,
        ])
        #expect(read.succeeded, "\(read.standardError)")
        let records = try #require(
            try JSONSerialization.jsonObject(with: Data(read.standardOutput.utf8)) as? [[String: Any]])
        #expect(!records.isEmpty)
        for record in records {
            #expect(record["type"] as? String == "response")
            #expect(record["ip"] as? String == "127.0.0.1")
            #expect(record["digest"] as? String == "sha256:\(record["sha256"] as? String ?? "")")
        }
        let cited = Set(exported.event.evidence.map(\.sha256))
        #expect(cited.isSubset(of: Set(records.compactMap { $0["sha256"] as? String })))
        await exported.harness.close()
    }

    @Test(.enabled(if: EvidenceTestSupport.hasPython, "SKIPPED: needs python3"))
    func zipHoldsTheSameBagAndAPostIsSelectedByAccountAndID() async throws {
        let exported = try await Self.export(zip: true)
        let zipURL = exported.out.deletingLastPathComponent().appendingPathComponent(
            exported.out.lastPathComponent + ".zip")
        let listed = try await EvidenceTestSupport.run([
            "python3", "-c",
            "import zipfile, sys; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print('\\n'.join(z.namelist()))",
            zipURL.path,
        ])
        #expect(listed.succeeded, "\(listed.standardError)")
        #expect(listed.standardOutput.contains("\(exported.out.lastPathComponent)/data/verify.sh"))
        #expect(listed.standardOutput.contains("\(exported.out.lastPathComponent)/manifest-sha256.txt"))

        let byPost = exported.harness.root.appendingPathComponent("by-post")
        let summary = try EvidenceBundle(config: exported.config).export(
            .post(account: exported.event.account, postID: try #require(exported.event.postID)), to: byPost)
        #expect(summary.events.map(\.id).contains(exported.event.id))
        #expect(!summary.madeCheckpoint, "the checkpoint of the first export covers it")
        #expect(throws: EvidenceExportError.self) {
            try EvidenceBundle(config: exported.config).export(
                .event("0000"), to: exported.harness.root.appendingPathComponent("x"))
        }
        #expect(throws: EvidenceExportError.self, "an existing bag is never overwritten") {
            try EvidenceBundle(config: exported.config).export(.event(exported.event.id), to: byPost)
        }
        // An --out inside a file: said of --out, before anything is written (the store's advice
        // for a failed mkdir named state_dir and deletion_log, found by a tester).
        let file = exported.harness.root.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let logBefore = try Data(contentsOf: exported.config.daemon.deletionLog)
        do {
            _ = try EvidenceBundle(config: exported.config).export(
                .event(exported.event.id), to: file.appendingPathComponent("bundle"))
            Issue.record("a bundle was exported inside a file")
        } catch let error as EvidenceExportError {
            #expect(error.message.contains("\(file.path) is a file"), "\(error)")
            #expect(error.advice.contains("--out"), "\(error)")
            #expect(!error.advice.contains("state_dir"), "\(error)")
        }
        #expect(try Data(contentsOf: exported.config.daemon.deletionLog) == logBefore, "no checkpoint signed")
        await exported.harness.close()
    }

    /// A line changed before the event (the same length, so the chain head still matches): the
    /// export does not sign a checkpoint over it, and a checkpoint an older release signed over it
    /// does not make a bundle (found by a tester: the edited event was exported and verified "OK").
    @Test func noBundleIsWrittenOverALineChangedBeforeTheEvent() async throws {
        let harness = try await EvidenceTestSupport.pollDemoScenario()
        let key = CheckpointKey()
        let config = try EvidenceTestSupport.signingConfig(in: harness.root, key: key)
        let event = try #require(try harness.loggedEvents().last { $0.event == .deleted })
        let url = config.daemon.deletionLog
        var lines = try StoreTestSupport.lines(of: url)
        let target = try #require(lines.firstIndex { $0.contains(event.id) })
        try #require(target > 0)
        lines[target - 1] = lines[target - 1].replacingOccurrences(of: "2026-", with: "2025-")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)

        #expect(throws: StoreError.self, "no checkpoint signed over the changed line") {
            try EvidenceBundle(config: config).export(.event(event.id), to: harness.root.appendingPathComponent("a"))
        }
        // As a release that did not check the chain would have signed it.
        let log = try DeletionLog(
            url: url, headURL: config.daemon.stateDirectory.appendingPathComponent(ChainHead.fileName))
        _ = try log.appendRecord { after, live in
            let leaves = live.map(MerkleTree.leafHash)
            let root = ContentHash.hex(MerkleTree.root(leaves))
            let first = ContentHash.sha256Hex(live[0])
            let at = StoreTestSupport.date(0)
            let message = Checkpoint.signedMessage(
                treeSize: leaves.count, firstSeq: 1, lastSeq: after.seq, firstLine: first, root: root, at: at)
            return LogRecord(
                id: "forged", detectedAt: at, event: .checkpoint,
                checkpoint: Checkpoint(
                    treeSize: leaves.count, firstSeq: 1, lastSeq: after.seq, firstLine: first, root: root,
                    publicKey: key.publicKeyHex, signature: try key.sign(message)))
        }
        do {
            _ = try EvidenceBundle(config: config).export(
                .event(event.id), to: harness.root.appendingPathComponent("b"))
            Issue.record("a bundle was written over the changed line")
        } catch let error as EvidenceExportError {
            #expect(error.message.contains("chain of the log is broken"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: harness.root.appendingPathComponent("b/data").path))
        await harness.close()
    }
}
