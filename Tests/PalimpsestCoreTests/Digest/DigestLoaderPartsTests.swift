import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// A digest of many accounts reads their histories (archive, poll spans, evidence verdicts) in
/// parts side by side, and builds their sections in parts: every account's part must reach the
/// digest whole, whichever part read it (issue 9, target 3).
@Suite struct DigestLoaderPartsTests {
    static let week = ISOWeek("2026-W48")!  // StoreTestSupport.date(0) is Sunday 2026-11-29

    /// More accounts than one part holds (2,000 a part), each with one archived post, one poll
    /// span, and one deletion in the week citing one evidence file (present for even accounts,
    /// missing for odd ones).
    @Test func everyAccountOfAManyPartDigestHasItsOwnHistory() async throws {
        let count = 4_100
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let config = try DigestTestSupport.manyFeedsConfig(count, in: root)
        let state = config.daemon.stateDirectory
        let body = Data("HTTP 404 body".utf8)
        let evidencePath = "evidence/\(ContentHash.sha256Hex(body)).body"
        try FileManager.default.createDirectory(
            at: state.appendingPathComponent("evidence"), withIntermediateDirectories: true)
        try body.write(to: state.appendingPathComponent(evidencePath))

        let store = try StateStore(root: state)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (number, account) in config.accounts.enumerated() {
                group.addTask {
                    let post = Post(
                        id: "p", url: "https://example.org/\(number)/p", postedAt: StoreTestSupport.date(-86_400),
                        text: "text \(number)", title: "Title \(number)")
                    try await DigestTestSupport.commitPolledState(of: account.key, post: post, to: store)
                }
            }
            try await group.waitForAll()
        }
        let events = config.accounts.enumerated().map { number, account in
            var event = StoreTestSupport.event("e\(number)", at: 60)
            event.account = account.key
            event.accountName = nil
            event.postID = "p"
            event.text = nil
            event.evidence = [
                EvidenceReference(
                    path: number.isMultiple(of: 2) ? evidencePath : "evidence/missing-\(number).body",
                    sha256: ContentHash.sha256Hex(body), url: "https://example.org/\(number)/p", status: 404,
                    fetchedAt: StoreTestSupport.date(60))
            ]
            return event
        }
        let log = try DeletionLog(
            url: config.daemon.deletionLog, headURL: state.appendingPathComponent(ChainHead.fileName))
        _ = try log.append(events)

        let digest = try DigestLoader.makeDigest(
            config: config, week: Self.week, timeZone: TimeZone(identifier: "UTC")!,
            now: StoreTestSupport.date(3_600), reproducible: true)

        #expect(digest.accounts.count == count)
        #expect(digest.stateProblems == nil)
        let byName = Dictionary(uniqueKeysWithValues: digest.accounts.map { ($0.name ?? "", $0) })
        var wrong: [String] = []
        for number in 0..<count {
            guard let account = byName["Account \(number)"], account.entries.count == 1 else {
                wrong.append("Account \(number): missing or not one entry")
                continue
            }
            let entry = account.entries[0]
            let expected: DigestEntry.EvidenceStatus = number.isMultiple(of: 2) ? .verified : .missing
            if entry.title != "Title \(number)" || entry.archivedText != "text \(number)" || entry.archivedVersions != 1
                || entry.evidenceChecks.map(\.status) != [expected] || account.coverage.observedSeconds == 0
            {
                wrong.append(
                    "Account \(number): \(entry.title ?? "no title"), \(entry.archivedVersions ?? 0) versions, "
                        + "\(entry.evidenceChecks.map(\.status)), observed \(account.coverage.observedSeconds) s")
            }
        }
        #expect(wrong.count == 0, "\(wrong.prefix(5))")
        // The order of a digest's accounts (one deletion each, so by name, then key), the same
        // as the documented comparison gives.
        #expect(digest.accounts.map(\.account) == digest.accounts.sorted(by: DigestBuilder.accountOrder).map(\.account))
        #expect(digest.accounts.first?.name == "Account 0")
    }
}
