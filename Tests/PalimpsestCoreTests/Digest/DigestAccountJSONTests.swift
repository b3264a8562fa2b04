import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// `digest.json`'s accounts are written field by field (``DigestAccountJSON``), not through the
/// generic encoder's tree: the bytes must be the generic encoder's, for every field a digest
/// account can hold, set or absent.
@Suite struct DigestAccountJSONTests {
    /// An account whose every optional field is set and every list holds two elements, with text
    /// that needs escapes (quotes, a backslash, control characters, a slash, non-ASCII).
    static var everyField: DigestAccount {
        let odd = "a \"quoted\" \\ back/slash\n\t\u{01} 删除 é"
        var event = StoreTestSupport.event("e1", text: odd, at: 60)
        event.accountName = odd
        event.evidence = [
            EvidenceReference(
                path: "evidence/a.body", sha256: String(repeating: "a", count: 64), url: "https://example.org/a",
                status: 404, fetchedAt: StoreTestSupport.date(61), offset: 12, length: 34, record: "<urn:uuid:1>")
        ]
        var entry = DigestEntry(
            event: event, log: "deletions.jsonl", title: odd, media: ["https://example.org/m.jpg", odd],
            links: [odd, "https://example.org/l"], archivedText: odd, archivedVersions: 3,
            evidenceChecks: [
                .init(sha256: String(repeating: "a", count: 64), status: .verified),
                .init(sha256: String(repeating: "b", count: 64), status: .mismatch),
            ])
        entry.chainProblem = .init(line: 7, note: odd)
        var second = entry
        second.event.id = "e2"
        second.event.event = .altered
        let coverage = DigestCoverage(
            expectedSeconds: 604_800, observedSeconds: 123_457, watchedFrom: StoreTestSupport.date(-86_400.5),
            watchedTo: StoreTestSupport.date(3_600),
            blindSpans: [
                .init(
                    from: StoreTestSupport.date(100), to: StoreTestSupport.date(200.25), failedPolls: 4,
                    failureKind: "http", failureMessage: odd, secondsInWeek: 100),
                .init(
                    from: StoreTestSupport.date(300), to: StoreTestSupport.date(400), failedPolls: 1,
                    failureKind: "timeout", failureMessage: "no answer", secondsInWeek: 100),
            ],
            unobserved: [
                .init(from: StoreTestSupport.date(500), to: StoreTestSupport.date(600), secondsInWeek: 100),
                .init(from: StoreTestSupport.date(700), to: StoreTestSupport.date(900.5), secondsInWeek: 200),
            ])
        return DigestAccount(
            account: AccountKey(rawValue: "feed:https://example.org/\"odd\"/feed.xml"), name: odd, platform: .feed,
            isConfigured: true, entries: [entry, second], coverage: coverage)
    }

    /// The same account with every optional field absent and every list empty.
    static var noOptionalField: DigestAccount {
        var account = Self.everyField
        account.name = nil
        account.isConfigured = false
        account.coverage = DigestCoverage(
            expectedSeconds: 0, observedSeconds: 0, watchedFrom: nil, watchedTo: nil, blindSpans: [])
        var entry = DigestEntry(event: StoreTestSupport.event("e3"), log: "other.jsonl")
        entry.event.text = nil
        account.entries = [entry]
        return account
    }

    static func generic(_ account: DigestAccount, depth: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        var orders = JSONKeyOrders()
        try JSONNode.write(try JSONNodeEncoder.root(account), depth: depth, into: &output, orders: &orders) { _ in }
        return output
    }

    static func direct(_ account: DigestAccount, depth: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        var orders = JSONKeyOrders()
        try DigestAccountJSON.write(account, depth: depth, into: &output, orders: &orders)
        return output
    }

    @Test func everyFieldIsWrittenAsTheGenericEncoderWritesIt() throws {
        var noEntries = Self.noOptionalField
        noEntries.entries = []
        let fixture = try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai)
        let accounts = [Self.everyField, Self.noOptionalField, noEntries] + fixture.accounts
        for (number, account) in accounts.enumerated() {
            for depth in [0, 2, 5] {
                let direct = String(decoding: try Self.direct(account, depth: depth), as: UTF8.self)
                let generic = String(decoding: try Self.generic(account, depth: depth), as: UTF8.self)
                #expect(direct == generic, "account \(number) at depth \(depth)")
            }
        }
    }

    /// The account above leaves no field of a digest account unset: a field added to one of these
    /// types must be added to it (and, when written, to ``DigestAccountJSON``, which the
    /// comparison above then checks).
    @Test func theFullAccountSetsEveryField() {
        var unset: [String] = []
        func check(_ value: Any, path: String) {
            let mirror = Mirror(reflecting: value)
            for child in mirror.children {
                let name = "\(path).\(child.label ?? "?")"
                let inner = Mirror(reflecting: child.value)
                if inner.displayStyle == .optional, inner.children.isEmpty { unset.append(name) }
                if inner.displayStyle == .collection, inner.children.isEmpty { unset.append(name) }
            }
        }
        let account = Self.everyField
        check(account, path: "account")
        check(account.coverage, path: "coverage")
        check(account.coverage.blindSpans[0], path: "blind_span")
        check(account.coverage.unobserved[0], path: "gap")
        check(account.entries[0], path: "entry")
        check(account.entries[0].evidenceChecks[0], path: "evidence_check")
        if let problem = account.entries[0].chainProblem { check(problem, path: "chain_problem") }
        #expect(unset.isEmpty, "\(unset)")
    }
}
