public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One account's folder under `state_dir/accounts/`: its detector state, its latest snapshots, the
/// raw response bodies that prove findings, and the archive of every version of every post ever
/// seen. Formats and layout: `docs/state-format.md`.
///
/// Obtain one from ``StateStore/accountStore(for:)``. Calls block on the disk: call them through
/// ``BlockingIO/run(_:)`` from async code.
public final class AccountStore: Sendable {
    /// The account this folder belongs to.
    public let key: AccountKey
    /// The account folder, absolute.
    public let directory: URL
    /// The state root (`state_dir`), absolute.
    public let root: URL

    /// Format version of `state.json`, `snapshots/*.json`, `evidence/*.json` and archive lines.
    public static let formatVersion = 1

    // What has been read of posts.jsonl: loaded on the first archive call, then extended from
    // `offset`. The Mutex serializes archive calls within the process; an flock on the file
    // serializes them with other processes (`palimpsest poll` next to the daemon).
    private let archiveIndex = Mutex<ArchiveIndex?>(nil)

    // The encoded state.json that the last saveState could not write (disk full), kept until a
    // save succeeds: loadState returns it, so a daemon that goes on polling loses nothing of it.
    private let unsavedState = Mutex<Data?>(nil)

    private struct ArchiveIndex {
        var device: UInt64
        var inode: UInt64
        /// Bytes of posts.jsonl read so far, up to the end of the last complete line.
        var offset: Int
        /// `post_id` + NUL + `version` of every archived line.
        var versions: Set<String>
    }

    init(key: AccountKey, directory: URL, root: URL) {
        self.key = key
        self.directory = directory
        self.root = root
    }

    // MARK: Paths

    /// `state.json`.
    public var stateURL: URL { self.directory.appendingPathComponent("state.json") }
    /// `snapshots/`.
    public var snapshotsDirectory: URL { self.directory.appendingPathComponent("snapshots", isDirectory: true) }
    /// `evidence/`.
    public var evidenceDirectory: URL { self.directory.appendingPathComponent("evidence", isDirectory: true) }
    /// `posts.jsonl`, the post archive.
    public var archiveURL: URL { self.directory.appendingPathComponent("posts.jsonl") }

    /// The path of `url` relative to the state root (for ``EvidenceReference/path``), e.g.
    /// `accounts/<dir>/evidence/<sha256>.body`; the absolute path when `url` lies outside the root.
    public func relativePath(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let prefix = self.root.path.hasSuffix("/") ? self.root.path : self.root.path + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    // MARK: State

    /// The detector's state: the one a failed ``saveState(_:)`` keeps in memory (it is newer than
    /// the file), else `state.json`'s, or `nil` when the account has none yet.
    /// - Throws: ``StoreError`` when the file cannot be read, has an unknown format version, or
    ///   does not decode as `State` (the message names the file; move it aside to start afresh).
    public func loadState<State: Codable>(_ type: State.Type) throws -> State? {
        let path = self.stateURL.path
        let kept = self.unsavedState.withLock { $0 }
        guard let data = try kept ?? POSIXFile.contents(of: path) else { return nil }
        let envelope: StateEnvelope<State>
        do {
            let version = try JSONCoding.decoder().decode(FormatVersion.self, from: data).v
            try Self.checkVersion(version, path: path)
            envelope = try JSONCoding.decoder().decode(StateEnvelope<State>.self, from: data)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.corrupt(
                path,
                detail: "not a valid state file for account \(self.key): \(error)",
                advice: "move the file aside; the account then starts afresh (its archive and snapshots are kept)"
            )
        }
        return envelope.state
    }

    /// Replaces `state.json` atomically with `state`, wrapped as `{"v": 1, "state": …}`.
    ///
    /// When the write fails (`ENOSPC`: the disk is full), `state.json` keeps its old contents and
    /// this store keeps `state` in memory instead: ``loadState(_:)`` returns it and
    /// ``hasUnsavedState`` is true until a save succeeds (``saveUnsavedState()`` retries it alone).
    /// The memory lasts as long as the process.
    /// - Throws: ``StoreError`` when encoding or the atomic write fails (the old state then stays
    ///   on disk).
    public func saveState<State: Codable>(_ state: State) throws {
        let data = try self.encode(
            StateEnvelope(v: Self.formatVersion, state: state),
            document: true,
            path: self.stateURL.path
        )
        do {
            try DurableFile.writeAtomically(data, to: self.stateURL)
        } catch {
            self.unsavedState.withLock { $0 = data }
            throw error
        }
        self.unsavedState.withLock { $0 = nil }
    }

    /// True while the state of the last ``saveState(_:)`` is only in memory (its write failed).
    public var hasUnsavedState: Bool { self.unsavedState.withLock { $0 != nil } }

    /// Writes the state a failed ``saveState(_:)`` kept in memory, if any.
    /// - Returns: `true` when there was one and it is now in `state.json`, `false` when there was none.
    /// - Throws: ``StoreError`` when the write fails again (the state stays in memory).
    @discardableResult
    public func saveUnsavedState() throws -> Bool {
        guard let data = self.unsavedState.withLock({ $0 }) else { return false }
        try DurableFile.writeAtomically(data, to: self.stateURL)
        // Cleared only if no newer save came in meanwhile.
        self.unsavedState.withLock { if $0 == data { $0 = nil } }
        return true
    }

    // MARK: Evidence

    /// Stores one raw response body content-addressed: `evidence/<sha256>.body` (the bytes exactly
    /// as given) and `evidence/<sha256>.json` (``EvidenceRecord``: v, url, status, headers,
    /// fetched_at, sha256, size, and the route: effective_url, remote_ip, redirects). Idempotent: a
    /// body already stored is not written again and its record keeps the first fetch that
    /// produced it, route included.
    /// - Parameters:
    ///   - body: The response body after content decoding.
    ///   - url: The URL requested.
    ///   - status: The HTTP status.
    ///   - headers: The response headers.
    ///   - fetchedAt: When the answer was received, UTC.
    ///   - effectiveURL: The URL of the final answer after redirects; `nil` means `url`.
    ///   - remoteAddress: The IP address the answer came from, if known.
    ///   - redirects: The redirects followed before the answer, in order.
    /// - Returns: A reference with the body's path relative to the state root and its SHA-256.
    /// - Throws: ``StoreError`` when a file cannot be written.
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
        let sha256 = ContentHash.sha256Hex(body)
        let bodyURL = self.evidenceDirectory.appendingPathComponent("\(sha256).body")
        let recordURL = self.evidenceDirectory.appendingPathComponent("\(sha256).json")
        if Self.fileSize(bodyURL.path) != body.count {
            try DurableFile.writeAtomically(body, to: bodyURL)
        }
        if !FileSystem.exists(recordURL.path) {
            let record = EvidenceRecord(
                v: Self.formatVersion,
                url: url,
                status: status,
                headers: headers.fields,
                fetchedAt: fetchedAt,
                sha256: sha256,
                size: body.count,
                effectiveURL: effectiveURL ?? url,
                remoteAddress: remoteAddress,
                redirects: redirects
            )
            try DurableFile.writeAtomically(
                try self.encode(record, document: true, path: recordURL.path),
                to: recordURL
            )
        }
        return EvidenceReference(
            path: self.relativePath(bodyURL),
            sha256: sha256,
            url: url,
            status: status,
            fetchedAt: fetchedAt
        )
    }

    /// The record of a stored body (`evidence/<sha256>.json`), or `nil` when absent.
    /// - Throws: ``StoreError`` when the record cannot be read or decoded.
    public func evidenceRecord(sha256: String) throws -> EvidenceRecord? {
        guard Self.isSafeName(sha256) else { return nil }
        let path = self.evidenceDirectory.appendingPathComponent("\(sha256).json").path
        guard let data = try POSIXFile.contents(of: path) else { return nil }
        return try self.decode(EvidenceRecord.self, from: data, path: path)
    }

    /// The stored body with this SHA-256, or `nil` when absent.
    /// - Throws: ``StoreError`` when the file cannot be read.
    public func evidenceBody(sha256: String) throws -> Data? {
        guard Self.isSafeName(sha256) else { return nil }
        return try POSIXFile.contents(of: self.evidenceDirectory.appendingPathComponent("\(sha256).body").path)
    }

    // MARK: Snapshots

    /// Writes `observation` to `snapshots/<id>.json` as ``SnapshotFile`` (`{v, id, account,
    /// polled_at, observation}`) atomically, unless a file with that id exists already.
    ///
    /// The id is the compact UTC time of `polledAt` (`yyyyMMdd'T'HHmmss.SSS'Z'`), `-`, and the
    /// first 8 hex digits of the SHA-256 of the observation encoded with
    /// ``JSONCoding/lineEncoder()``: the same observation always gets the same id, and ids sort by
    /// poll time.
    /// - Returns: The snapshot id.
    /// - Throws: ``StoreError`` when encoding or the write fails.
    public func writeSnapshot(_ observation: Observation) throws -> String {
        let encoded = try self.encode(observation, document: false, path: self.snapshotsDirectory.path)
        let id = "\(Self.compactUTC(observation.polledAt))-\(ContentHash.sha256Hex(encoded).prefix(8))"
        let url = self.snapshotURL(id)
        if FileSystem.exists(url.path) { return id }
        let file = SnapshotFile(
            v: Self.formatVersion,
            id: id,
            account: observation.account,
            polledAt: observation.polledAt,
            observation: observation
        )
        try DurableFile.writeAtomically(try self.encode(file, document: true, path: url.path), to: url)
        return id
    }

    /// The observation stored as snapshot `id`, or `nil` when there is none (or `id` is not a
    /// snapshot id).
    /// - Throws: ``StoreError`` when the file cannot be read, has an unknown version or is corrupt.
    public func readSnapshot(id: String) throws -> Observation? {
        guard Self.isSafeName(id) else { return nil }
        let path = self.snapshotURL(id).path
        guard let data = try POSIXFile.contents(of: path) else { return nil }
        return try self.decode(SnapshotFile.self, from: data, path: path).observation
    }

    /// The ids of the stored snapshots, oldest first.
    /// - Throws: ``StoreError`` when `snapshots/` cannot be listed.
    public func snapshotIDs() throws -> [String] {
        try FileSystem.listDirectory(self.snapshotsDirectory.path)
            .filter { !$0.hasPrefix(".") && $0.hasSuffix(".json") }
            .map { String($0.dropLast(".json".count)) }
            .sorted()
    }

    /// Keeps the newest `keep` snapshots plus every snapshot in `cited` and removes the others;
    /// then removes every evidence body (and its record) that neither a kept snapshot's
    /// ``Observation/evidence`` nor `citedEvidence` names.
    ///
    /// Evidence stored for work still in flight (a probe whose event is not yet logged) must be in
    /// `citedEvidence`, or it is removed.
    /// - Parameters:
    ///   - keep: How many of the newest snapshots to keep (`snapshot_retention`); negative counts as 0.
    ///   - cited: Snapshot ids that events cite: kept whatever their age.
    ///   - citedEvidence: SHA-256 values of bodies to keep whatever snapshots remain.
    /// - Throws: ``StoreError`` when a kept snapshot cannot be read (nothing of the evidence is
    ///   removed then) or a file cannot be removed.
    public func pruneSnapshots(keep: Int, cited: Set<String>, citedEvidence: Set<String>) throws {
        let ids = try self.snapshotIDs()
        let kept = Set(ids.suffix(max(0, keep))).union(cited.intersection(ids))
        var keptEvidence = citedEvidence
        for id in kept {
            if let observation = try self.readSnapshot(id: id) {
                keptEvidence.formUnion(observation.evidence.map(\.sha256))
            }
        }
        var removedSnapshot = false
        for id in ids where !kept.contains(id) {
            try FileSystem.removeFile(self.snapshotURL(id).path)
            removedSnapshot = true
        }
        if removedSnapshot { try FileSystem.syncDirectory(self.snapshotsDirectory.path) }

        var removedEvidence = false
        for name in try FileSystem.listDirectory(self.evidenceDirectory.path) where !name.hasPrefix(".") {
            guard name.hasSuffix(".body") || name.hasSuffix(".json") else { continue }
            let sha256 = String(name.dropLast(5))
            if !keptEvidence.contains(sha256) {
                try FileSystem.removeFile(self.evidenceDirectory.appendingPathComponent(name).path)
                removedEvidence = true
            }
        }
        if removedEvidence { try FileSystem.syncDirectory(self.evidenceDirectory.path) }
    }

    // MARK: Post archive

    /// Appends to `posts.jsonl` one ``ArchivedPostVersion`` line for each post version not yet
    /// archived (same `post_id` and `version` hash), in the order given, with one write and one
    /// fsync. Lines are never rewritten or removed: deleted posts stay in the archive forever.
    ///
    /// The index of archived versions is read from the file on the first call and extended from
    /// there; an exclusive `flock` on the file makes appends from another process safe. A last line
    /// torn by a crash is left as it is and the batch starts on a new line after it.
    /// - Parameters:
    ///   - posts: The posts of one observation.
    ///   - seenAt: The poll time that saw them, UTC (`first_seen` of the new versions).
    ///   - snapshotID: The snapshot that saw them.
    ///   - formerIDs: For re-keyed posts, by new post ID: the IDs the post had before
    ///     (`former_ids` of its new line).
    /// - Returns: How many lines were appended.
    /// - Throws: ``StoreError`` when the archive cannot be read, locked, written or synced.
    public func archive(
        _ posts: [Post], seenAt: Date, snapshotID: String, formerIDs: [String: [String]] = [:]
    ) throws -> Int {
        try self.archiveIndex.withLock { cached in
            let path = self.archiveURL.path
            let file = try DurableFile.openForAppend(path, readable: true)
            defer { file.closeFile() }
            try file.lock(exclusive: true)
            let status = try file.status()
            var index = cached ?? ArchiveIndex(device: status.device, inode: status.inode, offset: 0, versions: [])
            if index.device != status.device || index.inode != status.inode || status.size < index.offset {
                // Replaced or truncated by someone else: read it again from the start.
                index = ArchiveIndex(device: status.device, inode: status.inode, offset: 0, versions: [])
            }
            let unread = try file.readToEnd(from: index.offset)
            let (lines, consumed) = JSONLines.split(unread)
            let decoder = JSONCoding.decoder()
            for line in lines {
                if let version = try? decoder.decode(ArchiveKey.self, from: line.bytes) {
                    index.versions.insert(Self.archiveKey(version.postID, version.version))
                }
            }
            index.offset += consumed
            let hasTornTail = consumed < unread.count

            var payload = Data()
            var newKeys: [String] = []
            let encoder = JSONCoding.lineEncoder()
            for post in posts {
                let key = Self.archiveKey(post.id, post.versionHash)
                if index.versions.contains(key) || newKeys.contains(key) { continue }
                let line = ArchivedPostVersion(
                    v: Self.formatVersion,
                    postID: post.id,
                    version: post.versionHash,
                    firstSeen: seenAt,
                    snapshot: snapshotID,
                    post: post,
                    formerIDs: formerIDs[post.id]
                )
                do {
                    payload.append(try encoder.encode(line))
                } catch {
                    throw StoreError(
                        operation: "encode",
                        path: path,
                        detail: "post \(post.id) of \(self.key): \(error)",
                        advice: "report this as a bug"
                    )
                }
                payload.append(UInt8(ascii: "\n"))
                newKeys.append(key)
            }
            guard !newKeys.isEmpty else {
                cached = index
                return 0
            }
            if hasTornTail { payload.insert(UInt8(ascii: "\n"), at: 0) }
            // Until the write and fsync succeed, the cache keeps the old offset: a failed append
            // is re-read from the file next time, never assumed.
            cached = index
            // A write cut short by a full disk leaves no torn line (see POSIXFile.appendLines).
            try file.appendLines(payload, toFileOfSize: status.size)
            index.offset = status.size + payload.count
            index.versions.formUnion(newKeys)
            cached = index
            return newKeys.count
        }
    }

    /// Every archived version of the post `postID`, oldest first.
    /// - Throws: ``StoreError`` when the archive cannot be read.
    public func archivedVersions(of postID: String) throws -> [ArchivedPostVersion] {
        try self.archivedVersions().filter { $0.postID == postID }
    }

    /// Every archived version of every post, in archive order (oldest first). Lines that do not
    /// decode (a line torn by a crash) are skipped.
    /// - Throws: ``StoreError`` when the archive cannot be read.
    public func archivedVersions() throws -> [ArchivedPostVersion] {
        guard let data = try POSIXFile.contents(of: self.archiveURL.path) else { return [] }
        let decoder = JSONCoding.decoder()
        return JSONLines.split(data).lines.compactMap { try? decoder.decode(ArchivedPostVersion.self, from: $0.bytes) }
    }

    // MARK: Helpers

    private func snapshotURL(_ id: String) -> URL {
        self.snapshotsDirectory.appendingPathComponent("\(id).json")
    }

    private static func archiveKey(_ postID: String, _ version: String) -> String {
        "\(postID)\u{0}\(version)"
    }

    /// True for names made only of ASCII letters, digits, `.`, `-`, `_`, not starting with a dot.
    private static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "."
                    || $0 == "-" || $0 == "_"
            }
    }

    private static func fileSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    private static func checkVersion(_ version: Int, path: String) throws {
        guard version == Self.formatVersion else {
            throw StoreError.corrupt(
                path,
                detail: "format version \(version); this palimpsest reads version \(Self.formatVersion)",
                advice: "run a palimpsest release that reads this version, or move the file aside"
            )
        }
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

    private func encode<Value: Encodable>(_ value: Value, document: Bool, path: String) throws -> Data {
        do {
            return try (document ? JSONCoding.documentEncoder() : JSONCoding.lineEncoder()).encode(value)
        } catch {
            throw StoreError(
                operation: "encode",
                path: path,
                detail: "account \(self.key): \(error)",
                advice: "report this as a bug"
            )
        }
    }

    private func decode<Value: Decodable>(_ type: Value.Type, from data: Data, path: String) throws -> Value {
        do {
            let version = try JSONCoding.decoder().decode(FormatVersion.self, from: data).v
            try Self.checkVersion(version, path: path)
            return try JSONCoding.decoder().decode(type, from: data)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.corrupt(
                path,
                detail: "not a valid file for account \(self.key): \(error)",
                advice: "move the file aside and report it; palimpsest wrote it atomically, "
                    + "so it was changed by hand or by disk damage"
            )
        }
    }
}

/// The `v` field alone, read before the rest of a file to refuse unknown versions clearly.
private struct FormatVersion: Decodable {
    var v: Int
}

/// The `post_id` and `version` of an archive line, all the index needs.
private struct ArchiveKey: Decodable {
    var postID: String
    var version: String

    enum CodingKeys: String, CodingKey {
        case postID = "post_id"
        case version
    }
}

/// `state.json`: the detector's state behind a format version.
private struct StateEnvelope<State: Codable>: Codable {
    var v: Int
    var state: State
}
