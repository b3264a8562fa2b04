import Foundation
import GRDB

/// Moves a `state_dir` of the earlier file layout (`accounts/<folder>/account.key`, `state.json`,
/// `snapshots/*.json`, `evidence/<sha256>.body|.json`, `posts.jsonl`) into the store when it opens:
/// each account folder in one transaction, recorded in `migrated_folders`, so a migration cut short
/// (a crash, a full disk) resumes at the next start with the folders not yet recorded, and a
/// folder is never migrated twice. Evidence bodies are written to WARC files first (synced with
/// the transaction); a crash before the commit leaves WARC records nobody cites, never a row
/// without its record.
///
/// The old files are left where they are, read-only to Palimpsest from then on: deletion-log lines
/// written before the migration name `accounts/<dir>/evidence/<sha256>.body` and keep resolving
/// (docs/state-format.md, "Migration").
enum LegacyMigration {
    /// A crash to simulate in the middle of a migration (tests only): after the evidence of the
    /// `folderIndex`-th folder still to migrate (from 0) is appended to the WARC files and before
    /// its transaction commits, the migration throws.
    struct Fault: Sendable, Error {
        var folderIndex: Int
    }

    /// Migrates every account folder not migrated yet.
    /// - Throws: ``StoreError`` when a folder cannot be read or its transaction fails; folders
    ///   migrated before the failure stay migrated. ``Fault`` when `fault` says so.
    static func run(store: StateStore, fault: Fault? = nil) throws {
        let accounts = store.root.appendingPathComponent("accounts", isDirectory: true)
        guard FileSystem.isDirectory(accounts.path) else { return }
        let folders = try FileSystem.listDirectory(accounts.path).filter { !$0.hasPrefix(".") }.sorted()
        guard !folders.isEmpty else { return }
        let done = Set(try store.read { db in try String.fetchAll(db, sql: "SELECT folder FROM migrated_folders") })
        for (index, folder) in folders.filter({ !done.contains($0) }).enumerated() {
            try self.migrate(
                folder: accounts.appendingPathComponent(folder, isDirectory: true), name: folder, store: store,
                crash: fault?.folderIndex == index ? fault : nil)
        }
    }

    private static func migrate(folder: URL, name: String, store: StateStore, crash: Fault?) throws {
        let keyFile = folder.appendingPathComponent("account.key")
        guard var keyData = try POSIXFile.contents(of: keyFile.path) else { return }
        if keyData.last == UInt8(ascii: "\n") { keyData.removeLast() }
        let key = AccountKey(rawValue: String(decoding: keyData, as: UTF8.self))
        let decoder = JSONCoding.decoder()

        // Evidence first: WARC records, indexed with the transaction below.
        let evidence = folder.appendingPathComponent("evidence", isDirectory: true)
        if FileSystem.isDirectory(evidence.path) {
            for file in try FileSystem.listDirectory(evidence.path).sorted() where file.hasSuffix(".body") {
                let sha = String(file.dropLast(".body".count))
                let bodyPath = evidence.appendingPathComponent(file).path
                guard let body = try POSIXFile.contents(of: bodyPath) else { continue }
                let recordPath = evidence.appendingPathComponent("\(sha).json").path
                let record = try POSIXFile.contents(of: recordPath).flatMap {
                    try? decoder.decode(EvidenceRecord.self, from: $0)
                }
                let relative = "accounts/\(name)/evidence/\(file)"
                _ = try store.storeEvidence(
                    EvidenceCapture(
                        account: key, url: record?.url ?? "urn:palimpsest:unknown-url",
                        effectiveURL: record?.effectiveURL,
                        status: record?.status ?? 0, headers: record?.headers ?? [], body: body,
                        fetchedAt: record?.fetchedAt ?? Date(timeIntervalSince1970: 0),
                        remoteAddress: record?.remoteAddress, redirects: record?.redirects ?? []),
                    legacyPath: relative, permanent: true)
            }
        }

        // Snapshots, archive and state: one transaction.
        var snapshots: [SnapshotFile] = []
        let snapshotFolder = folder.appendingPathComponent("snapshots", isDirectory: true)
        if FileSystem.isDirectory(snapshotFolder.path) {
            for file in try FileSystem.listDirectory(snapshotFolder.path).sorted()
            where file.hasSuffix(".json") && !file.hasPrefix(".") {
                let path = snapshotFolder.appendingPathComponent(file).path
                guard let data = try POSIXFile.contents(of: path) else { continue }
                do {
                    snapshots.append(try decoder.decode(SnapshotFile.self, from: data))
                } catch {
                    throw StoreError.corrupt(
                        path, detail: "snapshot of \(key) does not decode: \(error)",
                        advice: "move the file aside and start again; the migration resumes with this account")
                }
            }
        }
        var archive: [ArchivedPostVersion] = []
        if let data = try POSIXFile.contents(of: folder.appendingPathComponent("posts.jsonl").path) {
            archive = JSONLines.split(data).lines.compactMap {
                try? decoder.decode(ArchivedPostVersion.self, from: $0.bytes)
            }
        }
        var state: AccountState?
        let statePath = folder.appendingPathComponent("state.json").path
        if let data = try POSIXFile.contents(of: statePath) {
            do {
                state = try decoder.decode(LegacyStateFile.self, from: data).state
            } catch {
                throw StoreError.corrupt(
                    statePath, detail: "the state of \(key) does not decode: \(error)",
                    advice: "move the file aside and start again; the account then starts afresh (its archive is kept)")
            }
        }

        let encoder = JSONCoding.lineEncoder()
        func json<Value: Encodable>(_ value: Value) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        let snapshotRows:
            [(
                id: String, polledAt: String, complete: Bool, head: String, listing: String,
                versions: [(String, String)]
            )] =
                try snapshots.map { file in
                    let observation = file.observation
                    var head = observation
                    head.posts = []
                    var listing: [[String]] = []
                    var versions: [(String, String)] = []
                    for post in observation.posts {
                        let text = try json(post)
                        let sha = ContentHash.sha256Hex(text)
                        listing.append([post.id, sha])
                        versions.append((sha, text))
                    }
                    return (
                        file.id,
                        RFC3339.string(from: observation.polledAt), observation.isComplete, try json(head),
                        try json(listing),
                        versions
                    )
                }
        let archiveRows: [(ArchivedPostVersion, String, String, String?)] = try archive.map { line in
            let text = try json(line.post)
            return (line, ContentHash.sha256Hex(text), text, try line.formerIDs.map { try json($0) })
        }
        let keyText = key.rawValue
        let migrated = RFC3339.string(from: Date())
        let stateJob = try state.map { try store.prepare(StateCommit(account: key, before: nil, state: $0)) }
        let job = StoreWriter.Job(account: key, estimatedBytes: 0, fullRewrite: true) { db, _ in
            for row in snapshotRows {
                try db.execute(
                    sql:
                        "INSERT OR IGNORE INTO snapshots (account, id, polled_at, is_complete, head, listing) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [keyText, row.id, row.polledAt, row.complete, row.head, row.listing])
                for (sha, text) in row.versions {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO post_versions (content_sha256, post) VALUES (?, ?)",
                        arguments: [sha, text])
                }
            }
            for (line, sha, text, former) in archiveRows {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO post_versions (content_sha256, post) VALUES (?, ?)",
                    arguments: [sha, text])
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO archive (account, post_id, version, first_seen, snapshot, content_sha256, former_ids)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        keyText, line.postID, line.version, RFC3339.string(from: line.firstSeen), line.snapshot, sha,
                        former,
                    ])
            }
            // The state as an ordinary commit writes it, unless the account has one already.
            if let stateJob,
                try Bool.fetchOne(db, sql: "SELECT 1 FROM accounts WHERE key = ?", arguments: [keyText]) != true
            {
                try stateJob.work(db, true)
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO migrated_folders (folder, account, migrated_at) VALUES (?, ?, ?)",
                arguments: [name, keyText, migrated])
        }
        if let crash {
            // As a crash would: the WARC records are on disk, no row names them.
            try store.warc.syncWritten()
            throw crash
        }
        try store.writer.submitAndWait(job)
    }
}

/// `state.json` of the earlier layout: `{"v": 1, "state": …}`.
private struct LegacyStateFile: Decodable {
    var v: Int
    var state: AccountState
}
