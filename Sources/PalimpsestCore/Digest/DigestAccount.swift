/// One account's part of the digest: its events of the week and how much of the week it was seen.
public struct DigestAccount: Sendable, Hashable, Encodable {
    /// The account key.
    public var account: AccountKey
    /// The configured display name (else the latest `account_name` in its events), if any.
    public var name: String?
    /// The account's platform.
    public var platform: Platform
    /// True when the account is in the config (false: it only appears in a log).
    public var isConfigured: Bool
    /// Every event of the account detected in the week (`blind` included), oldest first.
    public var entries: [DigestEntry]
    /// How much of the week the account was observed.
    public var coverage: DigestCoverage

    /// Creates an account section.
    public init(
        account: AccountKey,
        name: String?,
        platform: Platform,
        isConfigured: Bool,
        entries: [DigestEntry],
        coverage: DigestCoverage
    ) {
        self.account = account
        self.name = name
        self.platform = platform
        self.isConfigured = isConfigured
        self.entries = entries
        self.coverage = coverage
    }

    /// The name to show: the display name, else the key.
    public var displayName: String { self.name ?? self.account.rawValue }

    /// The entries of one kind about the account's own posts, oldest first: the deletions of
    /// originals it reposted are in ``repostedOriginalEntries``, not here.
    public func entries(_ kind: EventKind) -> [DigestEntry] {
        self.entries.filter { $0.event.event == kind && !$0.event.isRepostedOriginalDeletion }
    }

    /// Deletions of originals of other accounts that this account reposted (`about:
    /// reposted_original`), oldest first: findings about the account, not deletions by it.
    public var repostedOriginalEntries: [DigestEntry] {
        self.entries.filter { $0.event.isRepostedOriginalDeletion }
    }

    /// `account_unavailable` and `account_restored` entries, oldest first.
    public var accountEntries: [DigestEntry] {
        self.entries.filter { $0.event.event == .accountUnavailable || $0.event.event == .accountRestored }
    }

    /// Number of entries of one kind about the account's own posts (see ``entries(_:)``).
    public func count(_ kind: EventKind) -> Int {
        // By index: the fields read in place, not each entry copied (its strings and arrays
        // retained and released) as a closure over the elements did.
        var count = 0
        for index in self.entries.indices
        where self.entries[index].event.event == kind && !self.entries[index].event.isRepostedOriginalDeletion {
            count += 1
        }
        return count
    }

    /// True when the account has a post or account finding in the week (blind spans do not count).
    public var hasFindings: Bool {
        for index in self.entries.indices where self.entries[index].event.event != .blind { return true }
        return false
    }

    enum CodingKeys: String, CodingKey {
        case account, name, platform, entries, coverage
        case isConfigured = "configured"
    }
}
