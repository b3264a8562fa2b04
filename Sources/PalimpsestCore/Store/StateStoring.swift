public import Foundation

/// Everything one poll of one account changes in the state store, written as one unit (one
/// savepoint inside a group-commit transaction): all of it is on disk after
/// ``StateStoring/commit(_:)`` returns, or none of it.
public struct StateCommit: Sendable {
    /// The account.
    public var account: AccountKey
    /// The state as this poll loaded it (`nil` when unknown): the store writes only the tracked
    /// posts that differ between it and ``state``.
    public var before: AccountState?
    /// The account's new state; `nil` leaves the stored state as it is (a snapshot alone).
    public var state: AccountState?
    /// The complete or incomplete observation of this poll, stored as a snapshot (`nil` when the
    /// poll observed nothing, or nothing new).
    public var snapshot: Observation?
    /// The id of ``snapshot`` when the caller has computed it already
    /// (``StateStore/snapshotID(of:account:path:)`` of the same observation); `nil`: the store
    /// computes it (it encodes the whole observation, so a poll computes it once).
    public var snapshotID: String?
    /// For re-keyed posts of ``snapshot``, by new post ID: the IDs the post had before.
    public var formerIDs: [String: [String]]
    /// Snapshots to keep besides the newest ``keepSnapshots`` (events cite them); `nil` prunes
    /// nothing.
    public var citedSnapshots: Set<String>?
    /// How many of the newest snapshots to keep.
    public var keepSnapshots: Int
    /// An unchanged poll (a `304`, or a body equal to the last one): extends the account's current
    /// run of unchanged polls (one small row of `unchanged_runs`, updated in place). With
    /// ``state`` `nil` nothing else of the account is written: ``StateStoring/loadState(of:)``
    /// reads its `last_poll` and validators from the run.
    public var unchanged: UnchangedObservation?
    /// The posts of ``snapshot`` as ``StateStore/encodedSnapshot(of:account:path:)`` encoded them
    /// for ``snapshotID``, in order: a post equal to the one at its place is not encoded again.
    var encodedPosts: [StateStore.EncodedPost] = []

    /// Creates a commit.
    public init(
        account: AccountKey, before: AccountState?, state: AccountState?, snapshot: Observation? = nil,
        snapshotID: String? = nil, formerIDs: [String: [String]] = [:], citedSnapshots: Set<String>? = nil,
        keepSnapshots: Int = 10, unchanged: UnchangedObservation? = nil
    ) {
        self.account = account
        self.before = before
        self.state = state
        self.snapshot = snapshot
        self.snapshotID = snapshotID
        self.formerIDs = formerIDs
        self.citedSnapshots = citedSnapshots
        self.keepSnapshots = keepSnapshots
        self.unchanged = unchanged
    }
}

/// "Observed at T, unchanged": a poll whose timeline answers were a `304 Not Modified` or a body
/// whose SHA-256 equals the last one seen for that URL, ended before parsing (docs/state-format.md,
/// `unchanged_runs`). It counts for coverage and for `last_poll`.
public struct UnchangedObservation: Sendable, Hashable, Codable {
    /// When the poll ran, UTC.
    public var at: Date
    /// The timeline URL of the first answer.
    public var url: String
    /// The HTTP status received (`304` or `200`).
    public var status: Int
    /// SHA-256 of the body the answer confirmed, lowercase hex.
    public var bodySHA256: String
    /// The `ETag` for the next conditional request: the one the answer sent, or, for a `304`
    /// that sent none, the one it confirmed; `nil` when there is none.
    public var etag: String?
    /// The `Last-Modified` time for the next conditional request, UTC, chosen like ``etag``.
    public var lastModified: Date?

    /// Creates the record of an unchanged poll.
    public init(
        at: Date, url: String, status: Int, bodySHA256: String, etag: String? = nil, lastModified: Date? = nil
    ) {
        self.at = at
        self.url = url
        self.status = status
        self.bodySHA256 = bodySHA256
        self.etag = etag
        self.lastModified = lastModified
    }

    /// The validators of ``url`` after this answer.
    public var validators: ConditionalValidators {
        ConditionalValidators(etag: self.etag, lastModified: self.lastModified, bodySHA256: self.bodySHA256)
    }
}

/// Consecutive unchanged polls of one account after its last written state (one row of
/// `unchanged_runs`, docs/state-format.md): the first and the last poll, how many, and what the
/// last answer said. A later unchanged poll updates the row in place, so a cycle in which nothing
/// changed makes the database no bigger.
public struct UnchangedRun: Sendable, Hashable {
    /// The first unchanged poll of the run, UTC.
    public var since: Date
    /// The last one, UTC.
    public var until: Date
    /// Unchanged polls in the run.
    public var polls: Int
    /// The timeline URL of the last one.
    public var url: String
    /// The HTTP status of the last answer (`304` or `200`).
    public var status: Int
    /// SHA-256 of the body the answers confirmed, lowercase hex.
    public var bodySHA256: String
    /// The validators the last answer left (``UnchangedObservation/etag``).
    public var etag: String?
    /// Likewise, UTC.
    public var lastModified: Date?

    /// Creates a run.
    public init(
        since: Date, until: Date, polls: Int, url: String, status: Int, bodySHA256: String, etag: String? = nil,
        lastModified: Date? = nil
    ) {
        self.since = since
        self.until = until
        self.polls = polls
        self.url = url
        self.status = status
        self.bodySHA256 = bodySHA256
        self.etag = etag
        self.lastModified = lastModified
    }

    /// `state` as it stands after the run: when the run is newer than the state's last poll, the
    /// last poll becomes the run's last one and the URL's validators the run's.
    public func applied(to state: AccountState) -> AccountState {
        guard self.until > (state.lastPoll?.at ?? .distantPast) else { return state }
        var state = state
        state.lastPoll = PollRecord.unchanged(at: self.until, status: self.status, after: state.lastPoll)
        state.validators[self.url] = ConditionalValidators(
            etag: self.etag, lastModified: self.lastModified, bodySHA256: self.bodySHA256)
        // The run's polls are watched time: a run only ever follows the last watched span within
        // its gap limit (the poller writes the state after a longer gap), so the span grows to it.
        if var spans = state.pollSpans, let last = spans.last, last.to < self.until {
            spans[spans.count - 1].to = self.until
            state.pollSpans = spans
        }
        return state
    }
}

extension PollRecord {
    /// Separates an unchanged poll's own words from the detail of the last parsed poll.
    static let unchangedMarker = "; as then: "
    private static let unchangedMarkerUTF8 = Array(unchangedMarker.utf8)

    /// `detail` after its first ``unchangedMarker``; all of it when it holds none. A detail of
    /// ASCII bytes (nearly every one) is searched byte by byte: the same match as Foundation's
    /// `range(of:)`, which every unchanged poll called (a hundredth of such a cycle); any other
    /// detail goes through `range(of:)`.
    static func detailAfterUnchangedMarker(_ detail: String) -> String {
        var text = detail
        let ascii: String?? = text.withUTF8 { bytes in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            let marker = Self.unchangedMarkerUTF8
            guard bytes.count >= marker.count else { return .some(nil) }
            for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
                var length = 1
                while length < marker.count, bytes[start + length] == marker[length] { length += 1 }
                if length == marker.count {
                    let rest = UnsafeBufferPointer(rebasing: bytes[(start + length)...])
                    return .some(String(decoding: rest, as: UTF8.self))
                }
            }
            return .some(nil)
        }
        switch ascii {
        case .some(.some(let rest)): return rest
        case .some(.none): return detail
        case .none:
            guard let range = detail.range(of: Self.unchangedMarker) else { return detail }
            return String(detail[range.upperBound...])
        }
    }

    /// The record of an unchanged poll at `at` whose answer had HTTP `status`, after the record
    /// `previous`: outcome `complete`, the previous post count, and the detail `unchanged since the
    /// last poll (HTTP …, not parsed); as then: <the detail of the last parsed poll>` (what that
    /// poll said, a stale answer's reason say, still holds for the same answer).
    public static func unchanged(at: Date, status: Int, after previous: PollRecord?) -> PollRecord {
        let then = Self.detailAfterUnchangedMarker(previous?.detail ?? "")
        return PollRecord(
            at: at, outcome: "complete",
            detail: "unchanged since the last poll (HTTP \(status), not parsed)\(Self.unchangedMarker)\(then)",
            posts: previous?.posts)
    }
}

/// Where a daemon keeps what it knows: account states, tracked posts, snapshots, the post archive,
/// the evidence index and the raw evidence. One implementation today, ``StateStore`` (SQLite in
/// WAL mode plus WARC files, docs/state-format.md); docs/operating.md plans a PostgreSQL one for a
/// fleet of daemons.
///
/// Reads never wait for writes. Writes of many polls are grouped into one transaction with one
/// fsync (``commit(_:)``); an error of a commit (a full disk) leaves nothing half-written and
/// keeps the account's new state in memory, where ``loadState(of:)`` finds it, until a later
/// commit or ``saveUnsavedStates()`` writes it.
///
/// Synchronous calls block on the disk: call them through ``BlockingIO`` from async code.
public protocol StateStoring: Sendable {
    /// `state_dir`, absolute.
    var root: URL { get }

    /// The account's state: the one a failed commit keeps in memory, else the stored one, `nil`
    /// when the account has none yet.
    /// - Throws: ``StoreError`` when the store cannot be read or the state does not decode.
    func loadState(of account: AccountKey) throws -> AccountState?

    /// The quiet fields of the account's state when the state last written was quiet
    /// (``AccountState/isQuiet``: nothing in progress), with the newest run of unchanged polls
    /// since applied: what a poll that ends with an unchanged answer reads and writes (the format
    /// version, the resolved ID, the validators, the last poll, the events logged, the last watched
    /// span). Everything else is empty: the tracked posts, the detector's memory, the cited
    /// records, the watched spans before the last (``AccountState/withQuietFields(of:)`` puts the
    /// quiet fields back into the whole state). `nil` when the state was not quiet, when one of
    /// those fields is not of its type, or when a failed commit keeps the state in memory: then
    /// ``loadState(of:)`` is the one to call.
    /// - Throws: ``StoreError`` when the store cannot be read.
    func loadQuietState(of account: AccountKey) throws -> AccountState?

    /// Reads the quiet fields of `accounts` in one statement, for their next
    /// ``loadQuietState(of:)`` each, which takes them (with the unchanged polls deferred since
    /// applied) instead of reading alone: a read per account cost a database connection's
    /// checkout and a lock of the WAL each. Only for accounts whose state nothing else writes
    /// before that read (``PollCycle``: each account once, the batch read just before its polls;
    /// `MonitorService`: a round's polls, each account's previous poll ended and written);
    /// an account with an unchanged poll not yet written, or a state a failed commit keeps in
    /// memory, is not read ahead. ``discardPrefetchedQuietStates()`` drops what no poll took.
    /// - Throws: ``StoreError`` when the store cannot be read (then each poll reads alone).
    func prefetchQuietStates(of accounts: [AccountKey]) throws

    /// Drops the quiet fields ``prefetchQuietStates(of:)`` read and no poll took.
    func discardPrefetchedQuietStates()

    /// Drops the quiet fields ``prefetchQuietStates(of:)`` read for `account` if its poll did not
    /// take them (it ended before reading its state), so that no later poll takes them.
    func discardPrefetchedQuietState(of account: AccountKey)

    /// What ``loadQuietState(of:)`` returns when ``prefetchQuietStates(of:)`` read the account
    /// ahead (and takes it, as that call does), without reading the database: a poll on the
    /// cooperative pool calls it there and skips the hop to a blocking-I/O queue.
    /// - Returns: `nil` when nothing was read ahead for the account (or a failed commit keeps its
    ///   state in memory): call ``loadQuietState(of:)``; `.some(nil)` when it was read ahead and
    ///   its state was not quiet: call ``loadState(of:)``.
    func takePrefetchedQuietState(of account: AccountKey) -> AccountState??

    /// Writes `commit` durably: returns once the transaction holding it is committed and synced,
    /// together with the evidence its poll stored.
    /// - Throws: ``StoreError`` when the transaction fails (`ENOSPC` for a full disk, with the
    ///   account's state kept in memory).
    func commit(_ commit: StateCommit) async throws

    /// ``commit(_:)`` from a thread that may block (tests, tools, `saveUnsavedStates`).
    /// - Throws: as ``commit(_:)``.
    func commitAndWait(_ commit: StateCommit) throws

    /// True while the last commit of `account` failed and its state is only in memory.
    func hasUnsavedState(_ account: AccountKey) -> Bool

    /// Stores one HTTP exchange as evidence (WARC `request` + `response`, or `revisit` when the
    /// same body is stored already); its index row is written with the next commit.
    /// - Returns: the reference events and snapshots cite.
    /// - Throws: ``StoreError`` when the WARC file cannot be written (nothing is then indexed).
    func storeEvidence(_ capture: EvidenceCapture) throws -> EvidenceReference

    /// `events` with their evidence references moved to the permanent WARC files (records still
    /// in the spool are copied there first), so that the log never cites a record a collection
    /// of the spool may remove (docs/state-format.md, "Raw evidence").
    /// - Throws: ``StoreError`` when a record cannot be read or copied (then nothing may cite it).
    func promoteEvidence(of events: [Event]) throws -> [Event]

    /// Where a body came from and where its record lies, by SHA-256; `nil` when none is stored.
    /// - Throws: ``StoreError`` when the index cannot be read.
    func evidenceRecord(sha256: String) throws -> EvidenceRecord?

    /// The stored body with this SHA-256, `nil` when none is stored.
    /// - Throws: ``StoreError`` when the index or the WARC file cannot be read.
    func evidenceBody(sha256: String) throws -> Data?

    /// The observation stored as snapshot `id` of `account`, `nil` when there is none.
    /// - Throws: ``StoreError`` when the store cannot be read.
    func snapshot(of account: AccountKey, id: String) throws -> Observation?

    /// The ids of the account's stored snapshots, oldest first.
    /// - Throws: ``StoreError`` when the store cannot be read.
    func snapshotIDs(of account: AccountKey) throws -> [String]

    /// Every archived version of every post of `account`, oldest first.
    /// - Throws: ``StoreError`` when the store cannot be read.
    func archivedVersions(of account: AccountKey) throws -> [ArchivedPostVersion]

    /// The key of every account that has a state, sorted.
    /// - Throws: ``StoreError`` when the store cannot be read.
    func accountKeys() throws -> [AccountKey]

    /// Writes every state a failed commit left in memory.
    /// - Returns: one result per such account, sorted by key.
    func saveUnsavedStates() -> [(account: AccountKey, result: Result<Void, any Error>)]
}

extension StateStoring {
    /// Reads nothing ahead: each ``loadQuietState(of:)`` reads alone.
    public func prefetchQuietStates(of accounts: [AccountKey]) throws {}

    /// Nothing to drop.
    public func discardPrefetchedQuietStates() {}

    /// Nothing to drop.
    public func discardPrefetchedQuietState(of account: AccountKey) {}

    /// Nothing read ahead.
    public func takePrefetchedQuietState(of account: AccountKey) -> AccountState?? { nil }

    /// The store of one account (a handle over this store).
    public func accountStore(for key: AccountKey) -> AccountStore {
        AccountStore(key: key, store: self)
    }
}
