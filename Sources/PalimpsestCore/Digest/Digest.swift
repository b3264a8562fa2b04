public import Foundation

/// The weekly digest of one ISO week in one time zone: what every watched account deleted, altered
/// or restored, its account events, and how much of the week each account was observed.
///
/// Built by ``DigestBuilder`` from deletion logs and the state folder; rendered by
/// ``DigestFiles`` (``MarkdownDigestRenderer``, ``HTMLDigestRenderer``, ``EventsCSV``) to `digest.md`, `digest.html`, `events.csv` and `digest.json` (this value
/// encoded with ``JSONCoding/documentEncoder()``; schema in `docs/digest.md`). The same inputs give
/// the same value, so the same files byte for byte; only ``generatedAt`` records when it was made.
public struct Digest: Sendable, Hashable, Encodable {
    /// Format version of `digest.json`.
    public static let formatVersion = 1

    /// Format version (`v`).
    public var v: Int = Digest.formatVersion
    /// The ISO week.
    public var week: ISOWeek
    /// The IANA time zone whose week this is and in which times are shown.
    public var timeZone: String
    /// Monday 00:00 local time, UTC.
    public var from: Date
    /// The next Monday 00:00 local time (exclusive), UTC.
    public var to: Date
    /// True when the digest was made before the week ended (its numbers can still grow).
    public var isInProgress: Bool
    /// When the digest was made, UTC; `nil` for a reproducible digest.
    public var generatedAt: Date?
    /// The logs read, in the order given.
    public var sources: [DigestSource]
    /// The headline numbers.
    public var totals: DigestTotals
    /// The seven days, Monday first, with deletions per account.
    public var days: [DigestDay]
    /// Deletions per lifetime bucket, in ``LifetimeBucket/allCases`` order, every bucket present.
    public var lifetimes: [LifetimeCount]
    /// The accounts, most deletions first (then most findings, then by name and key).
    public var accounts: [DigestAccount]
    /// The log's checkpoints of the week and the signing key: every recipient holds a copy of what
    /// the log said (`palimpsest verify --against digest.json`). `nil` when the log has no
    /// checkpoint and no signing key is configured.
    public var witness: DigestWitness?
    /// What `palimpsest verify` finds wrong beyond the hash chain (which the chain warning shows):
    /// evidence, checkpoints, timestamps, the guarded head. `nil` when nothing.
    public var verdict: DigestVerdict?
    /// The accounts of the digest whose stored state does not read (a hand-edited or damaged
    /// `state.sqlite`), in key order: the digest cannot tell when they were polled, so it shows
    /// them as never observed. `nil` when every state reads.
    public var stateProblems: [DigestStateProblem]?

    /// The number of deleted posts in one lifetime bucket.
    public struct LifetimeCount: Sendable, Hashable, Encodable {
        /// The bucket.
        public var bucket: LifetimeBucket
        /// Its label, e.g. `≤ 10 min`.
        public var label: String
        /// Deleted posts in it.
        public var deleted: Int

        /// A count for `bucket`; the label is the bucket's.
        public init(bucket: LifetimeBucket, deleted: Int) {
            self.bucket = bucket
            self.label = bucket.label
            self.deleted = deleted
        }
    }

    /// Creates a digest from its parts (``DigestBuilder`` makes them).
    public init(
        week: ISOWeek,
        timeZone: String,
        from: Date,
        to: Date,
        isInProgress: Bool,
        generatedAt: Date?,
        sources: [DigestSource],
        totals: DigestTotals,
        days: [DigestDay],
        lifetimes: [LifetimeCount],
        accounts: [DigestAccount]
    ) {
        self.week = week
        self.timeZone = timeZone
        self.from = from
        self.to = to
        self.isInProgress = isInProgress
        self.generatedAt = generatedAt
        self.sources = sources
        self.totals = totals
        self.days = days
        self.lifetimes = lifetimes
        self.accounts = accounts
    }

    /// Every entry of every account, ordered by detection time, then account, then event id: the
    /// rows of `events.csv`.
    public var allEntries: [DigestEntry] {
        self.chronologicalEntryIndices.map { self.accounts[$0.account].entries[$0.entry] }
    }

    /// Where each entry of ``allEntries`` is, in its order: the account's index in ``accounts``
    /// and the entry's in its ``DigestAccount/entries``. Sorting these positions reads the compared
    /// fields in place, where sorting the entries themselves copied whole entries (their strings and
    /// arrays retained and released) at every comparison and move.
    var chronologicalEntryIndices: [(account: Int, entry: Int)] {
        let accounts = self.accounts
        var positions: [(detectedAt: Date, account: Int, entry: Int)] = []
        positions.reserveCapacity(accounts.reduce(0) { $0 + $1.entries.count })
        for account in accounts.indices {
            for entry in accounts[account].entries.indices {
                positions.append((accounts[account].entries[entry].event.detectedAt, account, entry))
            }
        }
        // ``DigestEntry/chronological(_:_:)``, field by field: the order of `flatMap` then a stable
        // sort by that comparison.
        positions.sort { a, b in
            if a.detectedAt != b.detectedAt { return a.detectedAt < b.detectedAt }
            let accountA = accounts[a.account].entries[a.entry].event.account
            let accountB = accounts[b.account].entries[b.entry].event.account
            if accountA != accountB { return accountA < accountB }
            return accounts[a.account].entries[a.entry].event.id < accounts[b.account].entries[b.entry].event.id
        }
        return positions.map { ($0.account, $0.entry) }
    }

    enum CodingKeys: String, CodingKey {
        case v, week, from, to, sources, totals, days, lifetimes, accounts, witness, verdict
        case stateProblems = "state_problems"
        case timeZone = "time_zone"
        case isInProgress = "in_progress"
        case generatedAt = "generated_at"
    }
}

/// The part of `palimpsest verify`'s verdict a digest states at its top: the problems the hash
/// chain warning does not already show.
public struct DigestVerdict: Sendable, Hashable, Codable {
    /// Every such problem, as `verify` prints it.
    public var problems: [String]

    /// Creates a verdict.
    public init(problems: [String]) {
        self.problems = problems
    }
}

/// An account of a digest whose stored state does not read, with what is wrong and what to do, as
/// `palimpsest status` says it (its `state` line).
public struct DigestStateProblem: Sendable, Hashable, Codable {
    /// The account.
    public var account: AccountKey
    /// What is wrong and what to do.
    public var problem: String

    /// Creates a state problem.
    public init(account: AccountKey, problem: String) {
        self.account = account
        self.problem = problem
    }
}
