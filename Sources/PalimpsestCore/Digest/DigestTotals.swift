/// The digest's headline numbers.
public struct DigestTotals: Sendable, Hashable, Encodable {
    /// Events detected in the week (every kind, `blind` included).
    public var events: Int
    /// Events per kind (`deleted`, `altered`, …) about the watched accounts' own posts; every kind
    /// is present, maybe 0. Deletions of originals they reposted are in ``repostedOriginalsDeleted``.
    public var byKind: [String: Int]
    /// Deletions per reason (`censored`, `removed`, …); only reasons that occurred.
    public var deletedByReason: [String: Int]
    /// Deletions per confirmation (`probe`, `absence`); only those that occurred.
    public var deletedByConfirmation: [String: Int]
    /// Originals of other accounts that watched accounts reposted, seen deleted (`deleted` events with
    /// `about: reposted_original`): counted apart from the accounts' own deletions.
    public var repostedOriginalsDeleted: Int
    /// Accounts in the digest: the configured ones and any other account with events in the week.
    public var accountsWatched: Int
    /// Accounts with a deletion, alteration, restore or account event in the week.
    public var accountsWithFindings: Int
    /// Sum over accounts of ``DigestCoverage/expectedSeconds``.
    public var expectedSeconds: Int
    /// Sum over accounts of ``DigestCoverage/observedSeconds``.
    public var observedSeconds: Int

    /// Creates the totals.
    public init(
        events: Int,
        byKind: [String: Int],
        deletedByReason: [String: Int],
        deletedByConfirmation: [String: Int],
        repostedOriginalsDeleted: Int = 0,
        accountsWatched: Int,
        accountsWithFindings: Int,
        expectedSeconds: Int,
        observedSeconds: Int
    ) {
        self.events = events
        self.byKind = byKind
        self.deletedByReason = deletedByReason
        self.deletedByConfirmation = deletedByConfirmation
        self.repostedOriginalsDeleted = repostedOriginalsDeleted
        self.accountsWatched = accountsWatched
        self.accountsWithFindings = accountsWithFindings
        self.expectedSeconds = expectedSeconds
        self.observedSeconds = observedSeconds
    }

    /// Number of events of `kind`.
    public func count(_ kind: EventKind) -> Int { self.byKind[kind.rawValue] ?? 0 }

    /// The observed share over all accounts, 0 to 1.
    public var coverage: Double {
        self.expectedSeconds > 0 ? Double(self.observedSeconds) / Double(self.expectedSeconds) : 0
    }

    /// True when nothing but blind spans happened: no post or account finding.
    public var isEmpty: Bool {
        self.repostedOriginalsDeleted == 0 && EventKind.allCases.allSatisfy { $0 == .blind || self.count($0) == 0 }
    }

    /// Encodes the fields and ``coverage`` rounded to four decimals.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.events, forKey: .events)
        try container.encode(self.byKind, forKey: .byKind)
        try container.encode(self.deletedByReason, forKey: .deletedByReason)
        try container.encode(self.deletedByConfirmation, forKey: .deletedByConfirmation)
        try container.encode(self.repostedOriginalsDeleted, forKey: .repostedOriginalsDeleted)
        try container.encode(self.accountsWatched, forKey: .accountsWatched)
        try container.encode(self.accountsWithFindings, forKey: .accountsWithFindings)
        try container.encode(self.expectedSeconds, forKey: .expectedSeconds)
        try container.encode(self.observedSeconds, forKey: .observedSeconds)
        try container.encode((self.coverage * 10_000).rounded() / 10_000, forKey: .coverage)
    }

    enum CodingKeys: String, CodingKey {
        case events, coverage
        case byKind = "by_kind"
        case deletedByReason = "deleted_by_reason"
        case deletedByConfirmation = "deleted_by_confirmation"
        case repostedOriginalsDeleted = "reposted_originals_deleted"
        case accountsWatched = "accounts_watched"
        case accountsWithFindings = "accounts_with_findings"
        case expectedSeconds = "expected_s"
        case observedSeconds = "observed_s"
    }
}
