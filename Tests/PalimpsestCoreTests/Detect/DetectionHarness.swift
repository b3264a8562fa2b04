import Foundation

@testable import PalimpsestCore

/// Hand-built posts, observations and a driver that runs differ + confirmer poll after poll,
/// the way the daemon does, keeping the account's detection state.
enum Fixture {
    static let account = Account(
        key: AccountKey(platform: .mastodon, identifier: "@alice@example.social"),
        name: "Alice",
        source: .mastodon(instance: URL(string: "https://example.social")!, acct: "alice"))

    /// 2026-06-01T00:00:00Z
    static let t0 = Date(timeIntervalSince1970: 1_780_272_000)

    static func at(minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }

    /// A dated post created `minutes` after t0 (negative: before).
    static func post(
        _ id: String, minutes: Double, text: String? = nil, pinned: Bool = false, media: [String] = [],
        editedAt: Date? = nil
    ) -> Post {
        Post(
            id: id, url: "https://example.social/@alice/\(id)", postedAt: at(minutes: minutes), editedAt: editedAt,
            text: text ?? "Post \(id) says hello", media: media, isPinned: pinned)
    }

    /// A feed item without any date.
    static func dateless(_ id: String) -> Post {
        Post(id: id, url: "https://blog.example/\(id)", text: "Item \(id)")
    }

    static func evidence(_ name: String, status: Int = 200, at date: Date = t0) -> EvidenceReference {
        EvidenceReference(
            path: "accounts/alice/evidence/\(name).body", sha256: String(repeating: "a", count: 64),
            url: "https://example.social/\(name)", status: status, fetchedAt: date)
    }

    static let tombstone404 = ProbeVerdict.tombstone(
        reason: .removed, detail: "HTTP 404 {\"error\":\"Record not found\"}")
    static let inconclusive500 = ProbeVerdict.inconclusive(detail: "HTTP 500")
}

/// One account polled again and again.
struct Harness {
    var state = DetectionState()
    var settings = DetectionSettings()
    var account = Fixture.account
    private(set) var lastDiff = WindowDiff()

    /// Runs one complete (or incomplete) poll: diff, then apply.
    @discardableResult
    mutating func poll(
        _ posts: [Post],
        at date: Date,
        snapshot: String? = nil,
        complete: Bool = true,
        probes: [String: ProbeResult] = [:],
        unprobeable: Set<String> = [],
        accountProbe: AccountProbeResult? = nil,
        evidence: [EvidenceReference]? = nil,
        signals: ListingSignals? = nil
    ) -> [Event] {
        let snapshotID = snapshot ?? "snap-\(Int(date.timeIntervalSince(Fixture.t0)))"
        let observation = Observation(
            account: self.account.key, polledAt: date, posts: posts, isComplete: complete,
            evidence: evidence ?? [Fixture.evidence("timeline-\(snapshotID)", at: date)], signals: signals)
        let diff = WindowDiffer.diff(state: self.state, observation: observation, settings: self.settings)
        self.lastDiff = diff
        let outcome = Confirmer.apply(
            state: self.state, diff: diff, observation: observation, snapshotID: snapshotID, probes: probes,
            unprobeable: unprobeable, accountProbe: accountProbe, account: self.account, settings: self.settings)
        self.state = outcome.state
        return outcome.events
    }

    /// The same probe verdict for several posts.
    static func probes(_ verdict: ProbeVerdict, _ ids: String..., evidence: EvidenceReference? = nil)
        -> [String: ProbeResult]
    {
        Dictionary(uniqueKeysWithValues: ids.map { ($0, ProbeResult(verdict: verdict, evidence: evidence)) })
    }

    func status(_ id: String) -> TrackedPostStatus? { self.state.posts[id]?.status }
}
