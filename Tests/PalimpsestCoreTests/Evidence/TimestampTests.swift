import Foundation
import Logging
import PalimpsestReplay
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// Trusted timestamps of checkpoints (issue 10, item 4), from a real RFC 3161 authority on loopback
/// (`openssl ts -reply`) through the real libcurl client.
@Suite(.serialized) struct TimestampTests {
    struct Fixture {
        var folder: URL
        var log: DeletionLog
        var key = CheckpointKey()

        init() throws {
            self.folder = try StoreTestSupport.makeTemporaryDirectory()
            self.log = try DeletionLog(
                url: self.folder.appendingPathComponent("deletions.jsonl"),
                headURL: self.folder.appendingPathComponent(ChainHead.fileName))
            _ = try self.log.append([StoreTestSupport.event("e1"), StoreTestSupport.event("e2")])
            try Data(self.key.privateKeyPEM.utf8).write(to: self.folder.appendingPathComponent("key.pem"))
        }

        func settings(_ urls: [URL]) -> EvidenceSettings {
            var settings = EvidenceSettings(stateDirectory: self.folder)
            settings.signingKeyFile = self.folder.appendingPathComponent("key.pem")
            settings.tsaURLs = urls
            return settings
        }
    }

    @Test(.enabled(if: LoopbackTSA.isAvailable, "SKIPPED: needs the openssl CLI and python3"))
    func eachCheckpointIsTimestampedAndVerifyChecksTheToken() async throws {
        let authority = try LoopbackTSA(folder: try await LoopbackTSA.makeAuthority())
        defer { authority.stop() }
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        try CurlHTTPClient.globalInit()
        let client = try CurlHTTPClient(configuration: HTTPClientConfiguration())
        defer { client.shutdown() }
        let checkpointer = LogCheckpointer(
            log: fixture.log, settings: fixture.settings([authority.url]), stateDirectory: fixture.folder,
            client: client, logger: Logger(label: "test"))

        let record = try #require(await checkpointer.checkpoint())
        let root = try #require(record.checkpoint?.root)
        let token = TimestampToken.folder(root: root, stateDirectory: fixture.folder)
            .appendingPathComponent(TimestampToken.fileName(authority: authority.url))
        #expect(FileManager.default.fileExists(atPath: token.path))
        #expect(authority.requests().first?.contains("application/timestamp-query") == true)

        // Checked by verify through libcrypto: imprint = tree head, signature chains to the CA.
        let report = try LogVerifier(
            logURL: fixture.log.url, stateDirectory: fixture.folder, trustedKeys: [fixture.key.publicKeyHex],
            tsaCAFile: authority.caFile
        ).verify()
        #expect(report.isValid, "\(report.problems)")
        let stamp = try #require(report.checkpoints.first?.timestamps.first)
        #expect(stamp.isValid)
        #expect(stamp.authority == "127.0.0.1:\(authority.port)")
        let time = try #require(stamp.time)
        #expect(abs(time.timeIntervalSinceNow) < 300)

        // And by openssl itself, independently.
        let check = try await EvidenceTestSupport.run([
            "openssl", "ts", "-verify", "-digest", root, "-in", token.path, "-CAfile", authority.caFile.path,
        ])
        #expect(check.succeeded, "\(check.standardOutput) \(check.standardError)")
    }

    @Test(.enabled(if: LoopbackTSA.isAvailable, "SKIPPED: needs the openssl CLI and python3"))
    func aTokenOfAnotherTreeHeadOrFromAnUntrustedAuthorityDoesNotVerify() async throws {
        let authorityFolder = try await LoopbackTSA.makeAuthority()
        let authority = try LoopbackTSA(folder: authorityFolder)
        defer { authority.stop() }
        let stranger = try await LoopbackTSA.makeAuthority(name: "Other TSA")
        defer { StoreTestSupport.remove(stranger) }
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        try CurlHTTPClient.globalInit()
        let client = try CurlHTTPClient(configuration: HTTPClientConfiguration())
        defer { client.shutdown() }
        let checkpointer = LogCheckpointer(
            log: fixture.log, settings: fixture.settings([authority.url]), stateDirectory: fixture.folder,
            client: client, logger: Logger(label: "test"))
        let record = try #require(await checkpointer.checkpoint())
        let root = try #require(record.checkpoint?.root)
        let token = TimestampToken.folder(root: root, stateDirectory: fixture.folder)
            .appendingPathComponent(TimestampToken.fileName(authority: authority.url))
        let response = try Data(contentsOf: token)
        let digest = try #require(CheckpointKey.bytes(hex: root))

        #expect(TimestampToken.check(response: response, digest: digest, caFile: authority.caFile).problem == nil)
        var other = digest
        other[0] ^= 1
        #expect(TimestampToken.check(response: response, digest: other, caFile: authority.caFile).problem != nil)
        let untrusted = TimestampToken.check(
            response: response, digest: digest, caFile: stranger.appendingPathComponent("ca.crt"))
        #expect(untrusted.problem != nil)
        #expect(TimestampToken.check(response: Data("junk".utf8), digest: digest, caFile: nil).problem != nil)

        let report = try LogVerifier(
            logURL: fixture.log.url, stateDirectory: fixture.folder, trustedKeys: [fixture.key.publicKeyHex],
            tsaCAFile: stranger.appendingPathComponent("ca.crt")
        ).verify()
        #expect(report.problems.contains { $0.kind == "timestamp" && $0.line == 3 && $0.seq == 3 })
    }

    @Test(.enabled(if: LoopbackTSA.isAvailable, "SKIPPED: needs the openssl CLI and python3"))
    func aFailedAuthorityIsRetriedAtTheNextRoundAndNeverBlocks() async throws {
        let fixture = try Fixture()
        defer { StoreTestSupport.remove(fixture.folder) }
        let authority = try await LoopbackTSA.makeAuthority()
        defer { StoreTestSupport.remove(authority) }
        try CurlHTTPClient.globalInit()
        let client = try CurlHTTPClient(configuration: HTTPClientConfiguration())
        defer { client.shutdown() }
        let server = ReplayServer()
        try await server.start()
        let url = server.url("/tsa")
        // The authority first fails (503), then answers: the token `openssl ts -reply` makes for
        // the checkpoint's own request.
        server.script("/tsa", [ReplayResponse(status: 503, body: Data("busy".utf8))])
        let checkpointer = LogCheckpointer(
            log: fixture.log, settings: fixture.settings([url]), stateDirectory: fixture.folder, client: client,
            logger: Logger(label: "test"))
        let record = try #require(await checkpointer.checkpoint())
        let root = try #require(record.checkpoint?.root)
        let token = TimestampToken.folder(root: root, stateDirectory: fixture.folder)
            .appendingPathComponent(TimestampToken.fileName(authority: url))
        #expect(!FileManager.default.fileExists(atPath: token.path))
        _ = try fixture.log.append([StoreTestSupport.event("e3")])
        #expect(try DeletionLog.readEvents(at: fixture.log.url).count == 3, "appends go on")

        let query = authority.appendingPathComponent("q.tsq")
        try TimestampToken.request(digest: try #require(CheckpointKey.bytes(hex: root))).write(to: query)
        let reply = authority.appendingPathComponent("r.tsr")
        let made = try await EvidenceTestSupport.run([
            "openssl", "ts", "-reply", "-config", authority.appendingPathComponent("tsa.cnf").path, "-queryfile",
            query.path, "-out", reply.path,
        ])
        #expect(made.succeeded, "\(made.standardError)")
        server.script("/tsa", [ReplayResponse(status: 200, body: try Data(contentsOf: reply))])
        await checkpointer.timestampPending()
        #expect(FileManager.default.fileExists(atPath: token.path))
        #expect(server.requests().count == 2)
        await server.stop()
    }
}
