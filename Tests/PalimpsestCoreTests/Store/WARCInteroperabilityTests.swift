import Foundation
import PalimpsestCore
import PalimpsestReplay
import PalimpsestTestSupport
import Subprocess
import Testing

/// The WARC evidence files read by a tool outside Palimpsest: Python's `warcio` indexes the
/// `warc/` folder of a state_dir after the demo scenario's five polls (an edit, a blind span and
/// two deletions proved by probe answers) and must find every record the deletion log cites.
@Suite(.serialized) struct WARCInteroperabilityTests {
    /// One record as `Tests/Fixtures/warc/warc_index.py` reports it.
    struct IndexedRecord: Decodable {
        var path: String
        var offset: Int
        var length: Int
        var type: String
        var id: String
        var concurrentTo: String?
        var refersTo: String?
        var targetURI: String?
        var date: String?
        var payloadDigest: String?
        var digestPassed: Bool?
        var digestProblems: [String]
        var httpStatus: Int?
        var payloadSHA256: String?

        enum CodingKeys: String, CodingKey {
            case path, offset, length, type, id, date
            case concurrentTo = "concurrent_to"
            case refersTo = "refers_to"
            case targetURI = "target_uri"
            case payloadDigest = "payload_digest"
            case digestPassed = "digest_passed"
            case digestProblems = "digest_problems"
            case httpStatus = "http_status"
            case payloadSHA256 = "payload_sha256"
        }
    }

    struct Index: Decodable {
        var records: [IndexedRecord]
    }

    static var script: URL {
        IntegrationHarness.fixtures.deletingLastPathComponent().appendingPathComponent("warc/warc_index.py")
    }

    /// Whether python3 with warcio can run here (`make test` installs warcio when missing).
    static let warcioIsAvailable: Bool = {
        guard let folder = try? StoreTestSupport.makeTemporaryDirectory() else { return false }
        defer { StoreTestSupport.remove(folder) }
        guard
            let probe = try? ChildProcess(
                ["python3", "-c", "import warcio"], output: folder.appendingPathComponent("probe.log"))
        else { return false }
        return probe.wait(timeout: 30) == 0
    }()

    /// The records of every WARC file under `stateDirectory`, read by warcio.
    static func index(_ stateDirectory: URL) async throws -> [IndexedRecord] {
        let result = try await Subprocess.run(
            .name("python3"), arguments: [Self.script.path, stateDirectory.path],
            output: .bytes(limit: 64 << 20), error: .string(limit: 1 << 20))
        guard result.terminationStatus.isSuccess else {
            throw DaemonProcessTests.DaemonTestError(
                "warc_index.py failed (\(result.terminationStatus)): \(result.standardError)")
        }
        return try JSONDecoder().decode(Index.self, from: Data(result.standardOutput)).records
    }

    @Test(
        .enabled(
            if: Self.warcioIsAvailable,
            "SKIPPED: needs python3 with warcio (`make test` installs it; or `python3 -m pip install warcio`)"))
    func warcioFindsEveryRecordTheLogCitesWithItsDigestAndItsRequest() async throws {
        let harness = try await EvidenceTestSupport.pollDemoScenario()
        let events = try harness.loggedEvents()
        let records = try await Self.index(harness.root.appendingPathComponent("state"))
        await harness.close()

        let probed = events.filter { $0.event == .deleted && $0.confirmedBy == .probe }
        #expect(probed.count == 2, "the scenario's two deletions proved by probe: \(events.map(\.event))")
        #expect(!records.isEmpty)
        for record in records {
            #expect(record.digestPassed != false, "warcio's digest check of \(record.id): \(record.digestProblems)")
        }
        let byID = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byID.count == records.count, "record ids are unique")
        let byLocation = Dictionary(
            records.map { ("\($0.path)@\($0.offset)", $0) }, uniquingKeysWith: { first, _ in first })

        var cited = 0
        for event in events {
            for reference in event.evidence {
                cited += 1
                let what = "\(event.event.rawValue) \(event.postID ?? event.account.rawValue): \(reference.url)"
                // The body's record, at the offset and length the event names.
                let offset = try #require(reference.offset, "\(what) names no offset")
                let body = try #require(
                    byLocation["\(reference.path)@\(offset)"],
                    "\(what): no record at \(reference.path) \(offset) (record \(reference.record ?? "-"))")
                #expect(body.type == "response", "\(what)")
                #expect(body.length == reference.length, "\(what)")
                #expect(body.payloadSHA256 == reference.sha256, "\(what): the payload warcio reads")
                #expect(body.payloadDigest == "sha256:\(reference.sha256)", "\(what)")
                #expect(body.httpStatus == reference.status, "\(what)")

                // The capture's own record: that response, or a revisit naming it.
                let recordID = try #require(reference.record, "\(what) names no record")
                let own = try #require(byID[recordID], "\(what): record \(recordID) not found by warcio")
                if own.id != body.id {
                    #expect(own.type == "revisit", "\(what)")
                    #expect(own.refersTo == body.id, "\(what): the revisit refers to the body's record")
                    #expect(own.payloadDigest == "sha256:\(reference.sha256)", "\(what)")
                    #expect(own.httpStatus == reference.status, "\(what)")
                }
                #expect(own.date == RFC3339.string(from: reference.fetchedAt), "\(what)")

                // Its request: WARC-Concurrent-To both ways, same target and date, same file.
                for record in Set([own.id, body.id]).compactMap({ byID[$0] }) {
                    let requestID = try #require(record.concurrentTo, "\(what): \(record.id) has no request")
                    let request = try #require(byID[requestID], "\(what): request \(requestID) not found")
                    #expect(request.type == "request", "\(what)")
                    #expect(request.concurrentTo == record.id, "\(what): the request names its response")
                    #expect(request.targetURI == record.targetURI, "\(what)")
                    #expect(request.date == record.date, "\(what)")
                    #expect(request.path == record.path, "\(what)")
                }
            }
        }
        #expect(cited >= 4, "the deletions cite their probe answers and timeline answers")
        // Every request record belongs to exactly one response or revisit.
        let answers = records.filter { $0.type == "response" || $0.type == "revisit" }
        let requests = records.filter { $0.type == "request" }
        #expect(Set(answers.compactMap(\.concurrentTo)) == Set(requests.map(\.id)))
        #expect(answers.count == requests.count)
    }
}
