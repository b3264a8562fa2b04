/// What the documents for readers (`digest.md`, `digest.html`) show in full: the accounts in the
/// digest's order (most deletions first), each with its entries, until `[digest] entries_in_full`
/// entries are shown. The accounts after that get no section of their own: the account table, the
/// chart and the per-day table count them together as "other accounts", and a notice under the
/// title says so. `events.csv` and `digest.json` always hold every event.
///
/// A week of 100,000 events rendered in full is ~230 MB of HTML and ~90 MB of Markdown: no one
/// reads it, no mail server takes it (`--send` puts both into one message), and rendering it was
/// most of the digest's time.
///
/// An entry is what an account's section lists: each deleted, altered or restored post, each
/// deleted original it reposted, each account event; an account with nothing found counts as one
/// (its section still says so and shows its coverage). The account whose entries cross the limit
/// spends what is left group after group (``DigestEntryGroup``: the same entries in both
/// documents) and says under each group how many are not shown. The accounts without a section
/// that became unavailable, came back or could not be seen for a while are still named, in a list
/// under the account table.
public struct DigestDetailPlan: Sendable, Hashable {
    /// `[digest] entries_in_full`'s default: a few megabytes of HTML at most.
    public static let defaultEntryLimit = 1_000

    /// The most entries shown in full; `nil`: every entry.
    public let entryLimit: Int?
    /// How many of ``Digest/accounts``, from the first, have a section.
    public let detailedAccounts: Int
    /// The entries shown in full of each account with a section, in account order.
    private let allowances: [Int]
    /// The accounts without a section.
    public let omittedAccounts: Int
    /// The entries shown in full.
    public let shownEntries: Int
    /// The entries not shown in full: of the accounts without a section and of the last account
    /// with one.
    public let omittedEntries: Int
    /// The accounts without a section counted together; `nil` when every account has one.
    public let others: OtherAccounts?
    /// The positions in ``Digest/accounts`` of the accounts without a section that became
    /// unavailable or came back (account events) or could not be seen for a while (blind spans in
    /// the week), in account order: the documents still name them.
    public let othersToName: [Int]
    /// The entries not shown whose log line a chain break casts doubt on (``DigestEntry/chainProblem``).
    public let omittedSuspects: Int

    /// The accounts without a section, counted together for the tables and the chart.
    public struct OtherAccounts: Sendable, Hashable {
        /// How many accounts.
        public var accounts = 0
        /// How many of them deleted a post.
        public var accountsWithDeletions = 0
        /// Their own posts deleted, altered and restored (``DigestAccount/count(_:)``).
        public var deleted = 0
        public var altered = 0
        public var restored = 0
        /// Their account events.
        public var accountEvents = 0
        /// Seconds of the week they were expected to be observed, and were (``DigestCoverage``).
        public var expectedSeconds = 0
        public var observedSeconds = 0
        /// Their deleted posts on each day of ``Digest/days``, in order.
        public var deletedPerDay: [Int] = []

        /// The share of the week observed over these accounts, 0 to 1.
        public var coverage: Double {
            self.expectedSeconds > 0 ? Double(self.observedSeconds) / Double(self.expectedSeconds) : 0
        }
    }

    /// The plan for `digest`.
    /// - Parameters:
    ///   - digest: The digest.
    ///   - entryLimit: The most entries to show in full, at least 1; `nil` (or 0) shows every entry.
    public init(digest: Digest, entryLimit: Int?) {
        let limit = entryLimit.flatMap { $0 > 0 ? $0 : nil }
        self.entryLimit = limit
        var allowances: [Int] = []
        var remaining = limit ?? Int.max
        var shownEntries = 0
        var omittedEntries = 0
        var others = OtherAccounts()
        var othersToName: [Int] = []
        var omittedSuspects = 0
        for (position, account) in digest.accounts.enumerated() {
            let entries = Self.entryCount(of: account)
            let hasSection = remaining > 0
            let shown = hasSection ? min(entries, remaining) : 0
            omittedEntries += entries - shown
            if hasSection {
                allowances.append(shown)
                shownEntries += shown
                remaining -= max(1, shown)
            } else {
                others.add(account)
                if !account.accountEntries.isEmpty || !account.coverage.blindSpans.isEmpty {
                    othersToName.append(position)
                }
            }
            if shown < entries, account.entries.contains(where: { $0.chainProblem != nil }) {
                let split = DigestEntryAllowance(account, allowance: shown)
                for group in DigestEntryGroup.allCases {
                    omittedSuspects += group.entries(of: account).dropFirst(split.shown(group)).count {
                        $0.chainProblem != nil
                    }
                }
            }
        }
        self.othersToName = othersToName
        self.omittedSuspects = omittedSuspects
        self.allowances = allowances
        self.detailedAccounts = allowances.count
        self.omittedAccounts = digest.accounts.count - allowances.count
        self.shownEntries = shownEntries
        self.omittedEntries = omittedEntries
        if others.accounts > 0 {
            // Each day's deletions less those of the accounts with a section.
            let detailed = digest.accounts.prefix(allowances.count)
            others.deletedPerDay = digest.days.map { day in
                detailed.reduce(day.deleted) { $0 - (day.deletedByAccount[$1.account.rawValue] ?? 0) }
            }
            self.others = others
        } else {
            self.others = nil
        }
    }

    /// True when a document leaves out an account or an entry.
    public var isPartial: Bool { self.omittedAccounts > 0 || self.omittedEntries > 0 }

    /// The entries shown in full of the account at `position` of ``Digest/accounts``: 0 for an
    /// account without a section.
    public func allowance(ofAccountAt position: Int) -> Int {
        position < self.allowances.count ? self.allowances[position] : 0
    }

    /// The entries of each group shown in full of `account`, at `position` of ``Digest/accounts``.
    func entryAllowance(of account: DigestAccount, at position: Int) -> DigestEntryAllowance {
        DigestEntryAllowance(account, allowance: self.allowance(ofAccountAt: position))
    }

    /// The entries of `account` that its section lists (see the type's description).
    static func entryCount(of account: DigestAccount) -> Int {
        var count = 0
        for index in account.entries.indices {
            switch account.entries[index].event.event {
            case .deleted, .altered, .restored, .accountUnavailable, .accountRestored: count += 1
            case .blind, .alarm: break
            }
        }
        return count
    }
}

extension DigestDetailPlan.OtherAccounts {
    fileprivate mutating func add(_ account: DigestAccount) {
        self.accounts += 1
        let deleted = account.count(.deleted)
        if deleted > 0 { self.accountsWithDeletions += 1 }
        self.deleted += deleted
        self.altered += account.count(.altered)
        self.restored += account.count(.restored)
        self.accountEvents += account.accountEntries.count
        self.expectedSeconds += account.coverage.expectedSeconds
        self.observedSeconds += account.coverage.observedSeconds
    }
}

/// The groups of entries in an account's section, in the order an allowance is spent on them
/// (``DigestEntryAllowance``), whatever order a document shows them in.
enum DigestEntryGroup: CaseIterable {
    case deleted, repostedOriginals, altered, restored, accountEvents

    /// The group's entries of `account`, oldest first.
    func entries(of account: DigestAccount) -> [DigestEntry] {
        switch self {
        case .deleted: account.entries(.deleted)
        case .repostedOriginals: account.repostedOriginalEntries
        case .altered: account.entries(.altered)
        case .restored: account.entries(.restored)
        case .accountEvents: account.accountEntries
        }
    }
}

/// How many entries of each group of one account's section are shown in full: its allowance
/// (``DigestDetailPlan/allowance(ofAccountAt:)``) spent group after group in ``DigestEntryGroup``
/// order, so that `digest.md` and `digest.html` show the same entries.
struct DigestEntryAllowance {
    private var counts: [Int]

    init(_ account: DigestAccount, allowance: Int) {
        var remaining = allowance
        self.counts = DigestEntryGroup.allCases.map { group in
            let shown = min(group.entries(of: account).count, remaining)
            remaining -= shown
            return shown
        }
    }

    /// How many entries of `group` are shown.
    func shown(_ group: DigestEntryGroup) -> Int {
        self.counts[DigestEntryGroup.allCases.firstIndex(of: group)!]
    }

    /// The first entries of `entries`, the account's `group`, that are shown in full.
    func take(_ entries: [DigestEntry], as group: DigestEntryGroup) -> ArraySlice<DigestEntry> {
        entries.prefix(self.shown(group))
    }
}
