import Foundation
import PalimpsestTestSupport
import Synchronization
import Testing

@testable import PalimpsestCore

/// Signed checkpoints (issue 10, item 3) and `verify` (item 1) on a log file.
@Suite struct CheckpointTests {
    private struct Fixture {
        var folder: URL
        var url: URL
        var headURL: URL
        var log: DeletionLog
        var key = CheckpointKey()

        init(events: Int = 5) throws {
            self.folder = try StoreTestSupport.makeTemporaryDirectory()
            self.url = self.folder.appendingPathComponent("deletions.jsonl")
            self.headURL = self.folder.appendingPathComponent(ChainHead.fileName)
            self.log = try DeletionLog(url: self.url, headURL: self.headURL)
            _ = try self.log.append((1...events).map { StoreTestSupport.event("e\($0)") })
        }

        func verify(trusting keys: Set<String>? = nil) throws -> LogVerifier.Report {
            try LogVerifier(
                logURL: self.url, stateDirectory: self.folder, headURL: self.headURL,
                trustedKeys: keys ?? [self.key.publicKeyHex]
            ).verify()
        }
    }

    @Test func aCheckpointSignsTheTreeHeadOfEveryLineBeforeIt() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let before = try StoreTestSupport.lines(of: fixture.url)
        let record = try #require(try fixture.log.appendCheckpoint(key: fixture.key, at: StoreTestSupport.date(60)))
        let checkpoint = try #require(record.checkpoint)
        #expect(record.seq == 6)
        #expect(checkpoint.treeSize == 5)
        #expect(checkpoint.firstSeq == 1)
        #expect(checkpoint.lastSeq == 5)
        let leaves = before.map { MerkleTree.leafHash(Data($0.utf8)) }
        #expect(checkpoint.root == ContentHash.hex(MerkleTree.root(leaves)))
        #expect(
            CheckpointKey.isValidSignature(
                checkpoint.signature, of: checkpoint.signedMessage(at: record.detectedAt),
                publicKey: fixture.key.publicKeyHex))
        // Not a finding: readers keep it apart; the chain goes on through it.
        let contents = try DeletionLog.read(at: fixture.url)
        #expect(contents.events.count == 5)
        #expect(contents.records.map(\.event) == [.checkpoint])
        #expect(contents.problems.isEmpty)
        #expect(try fixture.log.append([StoreTestSupport.event("e6")]).first?.seq == 7)
        // Nothing new since the last checkpoint: none is added.
        _ = try fixture.log.appendCheckpoint(key: fixture.key, at: StoreTestSupport.date(120))
        #expect(try fixture.log.appendCheckpoint(key: fixture.key, at: StoreTestSupport.date(180)) == nil)

        let report = try fixture.verify()
        #expect(report.isValid, "\(report.problems)")
        #expect(report.checkpoints.map(\.isValid) == [true, true])
        #expect(report.checkpoints.last?.checkpoint.treeSize == 7)
    }

    @Test func verifyCatchesAnEditRechainedByHandThatACheckpointCovers() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        _ = try fixture.log.appendCheckpoint(key: fixture.key, at: StoreTestSupport.date(60))
        #expect(try fixture.verify().isValid)
        // Someone edits line 2 and recomputes every prev after it (they have no signing key).
        var lines = try StoreTestSupport.lines(of: fixture.url)
        lines[1] = lines[1].replacingOccurrences(of: "\"text\":\"text\"", with: "\"text\":\"changed\"")
        for index in 2..<lines.count {
            let previous = ContentHash.sha256Hex(Data(lines[index - 1].utf8))
            var object = try #require(try JSONSerialization.jsonObject(with: Data(lines[index].utf8)) as? [String: Any])
            object["prev"] = previous
            lines[index] = String(
                decoding: try JSONSerialization.data(
                    withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]),
                as: UTF8.self)
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: fixture.url)
        #expect(try DeletionLog.verify(at: fixture.url).isChainIntact, "the chain alone no longer shows it")
        let report = try fixture.verify()
        #expect(!report.isValid)
        let problem = try #require(report.problems.first { $0.kind == "checkpoint" })
        #expect(problem.file == "deletions.jsonl")
        #expect(problem.line == 6)
        #expect(problem.seq == 6)
        #expect(problem.message.contains("tree head does not match"))
    }

    /// A line changed before the last one leaves the chain head as it was: the next checkpoint
    /// (the daemon's, an export's, the digest's) would have signed the changed line, and an export
    /// of it verified "OK" (found by a tester). No checkpoint is signed until the line is back.
    @Test func noCheckpointIsSignedOverALineChangedBeforeTheLastOne() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let original = try Data(contentsOf: fixture.url)
        var lines = try StoreTestSupport.lines(of: fixture.url)
        lines[2] = lines[2].replacingOccurrences(of: "\"text\":\"text\"", with: "\"text\":\"VOTE\"")
        #expect(lines[2].contains("VOTE"), "the same length: the chain head still matches")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: fixture.url)

        do {
            _ = try fixture.log.appendCheckpoint(key: fixture.key, at: StoreTestSupport.date(60))
            Issue.record("a checkpoint was signed over the changed line")
        } catch let error as StoreError {
            #expect(error.detail.contains("broken"), "\(error)")
            #expect(error.detail.contains("line 4: broken_chain"), "the line after the changed one: \(error)")
        }
        #expect(
            try Data(contentsOf: fixture.url) == Data((lines.joined(separator: "\n") + "\n").utf8), "nothing appended")
        // The original line back: signed.
        try original.write(to: fixture.url)
        #expect(try fixture.log.appendCheckpoint(key: fixture.key, at: StoreTestSupport.date(120)) != nil)
        #expect(try fixture.verify().isValid)
    }

    /// The daemon signs every hour: its next check of the chain reads only the lines after the
    /// ones it checked (issue 9: ~4 s a checkpoint at 150,000 lines), and still refuses to sign
    /// when one of those earlier lines was changed in place since.
    @Test func theNextCheckpointReadsOnlyNewLinesAndStillSeesAnEarlierLineChanged() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        _ = try #require(try fixture.log.appendCheckpoint(key: fixture.key, at: StoreTestSupport.date(60)))
        #expect(fixture.log.chainCheck.withLock { $0?.linesRead } == 5, "the first check reads every line")
        _ = try fixture.log.append([StoreTestSupport.event("e6"), StoreTestSupport.event("e7")])
        _ = try #require(try fixture.log.appendCheckpoint(key: fixture.key, at: StoreTestSupport.date(120)))
        #expect(
            fixture.log.chainCheck.withLock { $0?.linesRead } == 3,
            "the checkpoint line and the two events after the 5 lines checked before")
        #expect(fixture.log.chainCheck.withLock { $0?.lineCount } == 8)
        #expect(try fixture.verify().isValid)

        // Line 3 changed in place (same length: the chain head does not see it), then a new event.
        let original = try Data(contentsOf: fixture.url)
        var lines = try StoreTestSupport.lines(of: fixture.url)
        lines[2] = lines[2].replacingOccurrences(of: "\"text\":\"text\"", with: "\"text\":\"VOTE\"")
        #expect(lines[2].contains("VOTE"))
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: fixture.url)
        _ = try fixture.log.append([StoreTestSupport.event("e8")])
        do {
            _ = try fixture.log.appendCheckpoint(key: fixture.key, at: StoreTestSupport.date(180))
            Issue.record("a checkpoint was signed over the changed line")
        } catch let error as StoreError {
            #expect(error.detail.contains("line 4: broken_chain"), "counted from the first line: \(error)")
        }
        #expect(fixture.log.chainCheck.withLock { $0 } == nil, "no check to go on from after a break")

        // The original line back: checked from the first line again, then signed.
        var restored = original
        restored.append(try Data(contentsOf: fixture.url).dropFirst(original.count))
        try restored.write(to: fixture.url)
        _ = try #require(try fixture.log.appendCheckpoint(key: fixture.key, at: StoreTestSupport.date(240)))
        #expect(fixture.log.chainCheck.withLock { $0?.linesRead } == 10)
        #expect(try fixture.verify().isValid)
    }

    @Test func verifyRejectsACheckpointSignedByAnUntrustedKeyOrWithABadSignature() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let stranger = CheckpointKey()
        _ = try fixture.log.appendCheckpoint(key: stranger, at: StoreTestSupport.date(60))
        #expect(try fixture.verify().problems.contains { $0.message.contains("not a trusted key") })
        #expect(try fixture.verify(trusting: [stranger.publicKeyHex]).isValid)

        // The signature's bytes changed.
        let text = try String(contentsOf: fixture.url, encoding: .utf8)
        let record = try #require(try DeletionLog.read(at: fixture.url).records.first?.checkpoint)
        var signature = Array(record.signature)
        signature[0] = signature[0] == "0" ? "1" : "0"
        try Data(text.replacingOccurrences(of: record.signature, with: String(signature)).utf8).write(to: fixture.url)
        let report = try LogVerifier(logURL: fixture.url, stateDirectory: nil, trustedKeys: [stranger.publicKeyHex])
            .verify()
        #expect(
            report.problems.contains { $0.kind == "checkpoint" && $0.message.contains("signature does not verify") })
    }

    @Test func verifyReportsFileLineSeqAndWhatIsWrong() throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        // A line removed in the middle: the next line's prev and seq no longer follow.
        var lines = try StoreTestSupport.lines(of: fixture.url)
        lines.remove(at: 2)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: fixture.url)
        let report = try LogVerifier(logURL: fixture.url, stateDirectory: fixture.folder).verify()
        #expect(!report.isValid)
        let descriptions = report.problems.map(\.description)
        #expect(descriptions.contains { $0.hasPrefix("deletions.jsonl: line 3: seq 4: broken_chain:") })
        #expect(descriptions.contains { $0.hasPrefix("deletions.jsonl: line 3: seq 4: sequence_gap:") })
        // With the guarded head, verify also sees that the file is shorter than the daemon left it.
        #expect(try fixture.verify().problems.contains { $0.kind == "chain_head" && $0.message.contains("truncated") })
    }

    @Test func verifyChecksEveryCitedEvidenceFile() throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let url = folder.appendingPathComponent("deletions.jsonl")
        let body = Data("HTTP 404 body".utf8)
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("accounts/a/evidence"), withIntermediateDirectories: true)
        let path = "accounts/a/evidence/\(ContentHash.sha256Hex(body)).body"
        try body.write(to: folder.appendingPathComponent(path))
        var event = StoreTestSupport.event("e1")
        event.evidence = [
            EvidenceReference(
                path: path, sha256: ContentHash.sha256Hex(body), url: "https://example.org/1", status: 404,
                fetchedAt: StoreTestSupport.date(0)),
            EvidenceReference(
                path: "accounts/a/evidence/missing.body", sha256: String(repeating: "0", count: 64),
                url: "https://example.org/2", status: 404, fetchedAt: StoreTestSupport.date(0)),
        ]
        _ = try DeletionLog(url: url).append([event])
        var report = try LogVerifier(logURL: url, stateDirectory: folder).verify()
        #expect(report.evidenceChecked == 2)
        #expect(
            report.problems.map(\.description) == [
                "deletions.jsonl: line 1: seq 1: evidence: the evidence file accounts/a/evidence/missing.body is missing"
            ])
        try Data("HTTP 404 bodY".utf8).write(to: folder.appendingPathComponent(path))
        report = try LogVerifier(logURL: url, stateDirectory: folder).verify()
        #expect(report.problems.count == 2)
        #expect(report.problems.contains { $0.message.contains("\(path) has SHA-256") })
    }

    @Test func theKeyFilesAreTheFormsOpenSSLReadsAndWrites() async throws {
        let folder = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(folder) }
        let key = CheckpointKey()
        let keyURL = folder.appendingPathComponent("key.pem")
        try Data(key.privateKeyPEM.utf8).write(to: keyURL)
        #expect(try CheckpointKey(contentsOf: keyURL).publicKeyHex == key.publicKeyHex)
        #expect(throws: StoreError.self) { try CheckpointKey(contentsOf: folder.appendingPathComponent("none.pem")) }
        guard EvidenceTestSupport.hasOpenSSL else { return }
        // openssl derives the same public key from the private key file…
        let derived = try await EvidenceTestSupport.run(["openssl", "pkey", "-in", keyURL.path, "-pubout"])
        #expect(derived.succeeded, "\(derived.standardError)")
        #expect(derived.standardOutput == key.publicKeyPEM)
        // …and checks a checkpoint's signature with the public key alone.
        let message = Checkpoint.signedMessage(
            treeSize: 3, firstSeq: 1, lastSeq: 3, firstLine: String(repeating: "a", count: 64),
            root: String(repeating: "b", count: 64), at: StoreTestSupport.date(0))
        let messageURL = folder.appendingPathComponent("message")
        let signatureURL = folder.appendingPathComponent("signature")
        let publicURL = folder.appendingPathComponent("key.pub")
        try message.write(to: messageURL)
        try CheckpointKey.bytes(hex: try key.sign(message))!.write(to: signatureURL)
        try Data(key.publicKeyPEM.utf8).write(to: publicURL)
        let check = try await EvidenceTestSupport.run([
            "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", publicURL.path, "-rawin", "-in", messageURL.path,
            "-sigfile", signatureURL.path,
        ])
        #expect(check.succeeded, "\(check.standardOutput) \(check.standardError)")
    }
}
