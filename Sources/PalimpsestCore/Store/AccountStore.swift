public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One account's part of the state store: a handle that forwards to ``StateStore`` with the
/// account's key (layout in docs/state-format.md).
///
/// Obtain one from ``StateStore/accountStore(for:)``. Calls block on the disk: call them through
/// ``BlockingIO`` from async code.
public struct AccountStore: Sendable {
    /// The account.
    public let key: AccountKey
    /// The store.
    public let store: any StateStoring

    /// The state root (`state_dir`), absolute.
    public var root: URL { self.store.root }

    /// Format version of the JSON the store keeps.
    public static let formatVersion = 1

    init(key: AccountKey, store: any StateStoring) {
        self.key = key
        self.store = store
    }

    // MARK: State

    /// The account's state: the one a failed commit keeps in memory, else the stored one, `nil`
    /// when the account has none yet.
    /// - Throws: ``StoreError`` when the store cannot be read or the state does not decode.
    public func loadState(_ type: AccountState.Type = AccountState.self) throws -> AccountState? {
        try self.store.loadState(of: self.key)
    }

    /// Writes `state` durably (one commit, waited for): what tests and tools use; the poller uses
    /// ``StateStore/commit(_:)``.
    /// - Throws: ``StoreError`` when the commit fails (the state then stays in memory, see
    ///   ``hasUnsavedState``).
    public func saveState(_ state: AccountState) throws {
        try self.store.commitAndWait(StateCommit(account: self.key, before: nil, state: state))
    }

    /// True while the last commit of this account failed and its state is only in memory.
    public var hasUnsavedState: Bool { self.store.hasUnsavedState(self.key) }

    /// Writes the state a failed commit kept in memory, if any.
    /// - Returns: `true` when there was one and it is now stored, `false` when there was none.
    /// - Throws: ``StoreError`` when the write fails again (the state stays in memory).
    @discardableResult
    public func saveUnsavedState() throws -> Bool {
        guard self.hasUnsavedState, let state = try self.loadState() else { return false }
        try self.saveState(state)
        return true
    }

    // MARK: Evidence

    /// Stores one raw answer as evidence (WARC records under `state_dir/warc/`, indexed by SHA-256
    /// with the next commit).
    /// - Parameters:
    ///   - body: The response body after content decoding.
    ///   - url: The URL requested.
    ///   - status: The HTTP status.
    ///   - headers: The response headers.
    ///   - fetchedAt: When the answer was received, UTC.
    ///   - effectiveURL: The URL of the final answer after redirects; `nil` means `url`.
    ///   - remoteAddress: The IP address the answer came from, if known.
    ///   - redirects: The redirects followed before the answer, in order.
    /// - Returns: A reference naming the WARC file, offset and length of the record with the body.
    /// - Throws: ``StoreError`` when the WARC file cannot be written.
    public func storeEvidence(
        body: Data,
        url: String,
        status: Int,
        headers: HTTPHeaders,
        fetchedAt: Date,
        effectiveURL: String? = nil,
        remoteAddress: String? = nil,
        redirects: [EvidenceRecord.Redirect] = []
    ) throws -> EvidenceReference {
        try self.store.storeEvidence(
            EvidenceCapture(
                account: self.key, url: url, effectiveURL: effectiveURL, status: status, headers: headers.fields,
                body: body, fetchedAt: fetchedAt, remoteAddress: remoteAddress, redirects: redirects))
    }

    /// Where a stored body came from, by SHA-256; `nil` when none is stored.
    /// - Throws: ``StoreError`` when the index cannot be read.
    public func evidenceRecord(sha256: String) throws -> EvidenceRecord? {
        try self.store.evidenceRecord(sha256: sha256)
    }

    /// The stored body with this SHA-256, or `nil` when absent.
    /// - Throws: ``StoreError`` when the index or the WARC file cannot be read.
    public func evidenceBody(sha256: String) throws -> Data? {
        try self.store.evidenceBody(sha256: sha256)
    }

    // MARK: Snapshots and archive

    /// Stores `observation` as a snapshot (and archives its new post versions) in one commit,
    /// waited for; the account's state is left as it is.
    /// - Returns: The snapshot id (``StateStore/snapshotID(of:account:path:)``).
    /// - Throws: ``StoreError`` when encoding or the commit fails.
    public func writeSnapshot(_ observation: Observation, formerIDs: [String: [String]] = [:]) throws -> String {
        let id = try StateStore.snapshotID(of: observation, account: self.key)
        try self.store.commitAndWait(
            StateCommit(
                account: self.key, before: nil, state: nil, snapshot: observation, snapshotID: id,
                formerIDs: formerIDs))
        return id
    }

    /// The observation stored as snapshot `id`, or `nil` when there is none.
    /// - Throws: ``StoreError`` when the store cannot be read.
    public func readSnapshot(id: String) throws -> Observation? {
        try self.store.snapshot(of: self.key, id: id)
    }

    /// The ids of the stored snapshots, oldest first.
    /// - Throws: ``StoreError`` when the store cannot be read.
    public func snapshotIDs() throws -> [String] {
        try self.store.snapshotIDs(of: self.key)
    }

    /// Every archived version of the post `postID`, oldest first.
    /// - Throws: ``StoreError`` when the store cannot be read.
    public func archivedVersions(of postID: String) throws -> [ArchivedPostVersion] {
        try self.archivedVersions().filter { $0.postID == postID }
    }

    /// Every archived version of every post, oldest first.
    /// - Throws: ``StoreError`` when the store cannot be read.
    public func archivedVersions() throws -> [ArchivedPostVersion] {
        try self.store.archivedVersions(of: self.key)
    }

    /// `yyyyMMdd'T'HHmmss.SSS'Z'` in UTC, milliseconds rounded as ``RFC3339`` rounds them.
    static func compactUTC(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let fraction = Int(milliseconds - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "." + pad(Int32(fraction), 3) + "Z"
    }

}
