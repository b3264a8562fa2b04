public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `palimpsest evidence export`: one finding as a BagIt bag (RFC 8493) that an editor, a lawyer
/// or a court can check without Palimpsest and without trusting its operator's word:
///
/// - `data/events.jsonl`: the event line(s), byte for byte as in the log;
/// - `data/versions.jsonl`: the post's archived versions (every version ever seen);
/// - `data/warc/evidence.warc.gz` and `data/warc/records.json`: the WARC records of the captures
///   that prove it (each probe answer the events cite, the poll that first saw each version and
///   the last poll that saw the post), copied unchanged, each with its URL, remote address and
///   redirect hops;
/// - `data/proof/`: the signed checkpoint that covers the events (its line, the signed message,
///   the signature, the public key), the Merkle inclusion proof of each event line in its tree
///   head (RFC 9162 §2.1.3), the RFC 3161 timestamp answers for that head and the authorities' CA;
/// - `data/README.txt`, what each file proves and the rules of evidence applied;
/// - `data/verify.sh`, which checks all of it with `sha256sum`, `openssl` and `python3` only.
///
/// Reads block on the disk: call through ``BlockingIO/run(_:)`` from async code.
public struct EvidenceBundle: Sendable {
    /// Which finding to export.
    public enum Selection: Sendable, Hashable {
        /// One event, by its id.
        case event(String)
        /// Every event of one post of one account.
        case post(account: AccountKey, postID: String)
    }

    /// What was written.
    public struct Summary: Sendable {
        /// The bag's folder.
        public var folder: URL
        /// The zip file, with `--zip`.
        public var zip: URL?
        /// The events exported.
        public var events: [Event]
        /// The checkpoint that covers them (its `seq`).
        public var checkpointSeq: Int
        /// WARC records copied, and captures that could not be because their file is gone (the
        /// spool copy was collected): `url (path)` each.
        public var records: Int
        public var missingRecords: [String]
        /// Captures that could not be copied for another reason, each `url (path): why` (a
        /// location outside `state_dir`, a record that is not a WARC record, …).
        public var unreadableRecords: [String] = []
        /// What the state store holds for the bundle but does not read (archive rows, snapshots),
        /// left out of it; only with `allowIncomplete`, else the export is refused.
        public var leftOut: [String] = []
        /// True when the export appended a checkpoint itself (none covered the events yet).
        public var madeCheckpoint: Bool
        /// The configured time-stamp authorities (`[evidence] tsa_urls`) that gave no timestamp of
        /// the checkpoint's tree head: the bundle holds none of theirs. Empty when all did, or
        /// when none is configured.
        public var untimestamped: [URL] = []
    }

    public var config: PalimpsestConfig

    public init(config: PalimpsestConfig) {
        self.config = config
    }

    /// Writes the bag for `selection` into `folder` (which must not exist or be empty), and a zip
    /// of it beside it (`<folder>.zip`, which must not exist) when `zip` is true. When no signed checkpoint covers the
    /// events yet and the signing key is there, one is appended first (through the guarded path).
    /// - Parameters:
    ///   - allowIncomplete: Write the bag even when rows of the state store that belong in it do
    ///     not read (archived versions, snapshots): it then lists them in `data/README.txt` and
    ///     `bag-info.txt` (`Palimpsest-Left-Out`) and in ``Summary/leftOut``.
    /// - Throws: ``EvidenceExportError`` naming what is missing and what to do; without
    ///   `allowIncomplete`, naming the rows of the state store that do not read (nothing is
    ///   written, and no checkpoint appended).
    public func export(
        _ selection: Selection, to folder: URL, zip: Bool = false, allowIncomplete: Bool = false, now: Date = Date()
    ) throws -> Summary {
        let daemon = self.config.daemon
        var lines = try Self.logLines(daemon.deletionLog)
        let decoder = JSONCoding.decoder()
        let targets = lines.indices.filter { index in
            guard LogRecord.kind(ofLine: lines[index].bytes) == nil,
                let event = try? decoder.decode(Event.self, from: lines[index].bytes)
            else { return false }
            switch selection {
            case .event(let id): return event.id == id
            case .post(let account, let postID): return event.account == account && event.postID == postID
            }
        }
        guard let lastTarget = targets.last else {
            let what: String
            switch selection {
            case .event(let id): what = "no event with id \(id)"
            case .post(let account, let postID): what = "no event of post \(postID) of account \(account)"
            }
            throw EvidenceExportError(
                message: "\(what) in \(daemon.deletionLog.path) or its rotated files",
                advice: "copy the id from `palimpsest tail --json`, or give the account key and the post id")
        }
        let events = targets.compactMap { try? decoder.decode(Event.self, from: lines[$0].bytes) }
        // Where it goes, before anything is written (a checkpoint included): nothing is overwritten.
        try Self.checkDestination(folder: folder, zip: zip)
        // What the state store holds of the finding, read before anything is written: a bundle
        // that leaves out what does not read is made only when asked for.
        let stateDirectory = daemon.stateDirectory
        let state = Self.readState(of: events, stateDirectory: stateDirectory)
        if !state.leftOut.isEmpty && !allowIncomplete {
            throw EvidenceExportError(
                message: "\(state.leftOut.count) \(state.leftOut.count == 1 ? "row" : "rows") of "
                    + "\(stateDirectory.appendingPathComponent("state.sqlite").path) that belong in the "
                    + "bundle \(state.leftOut.count == 1 ? "does" : "do") not read, so the bundle would not be whole: "
                    + state.leftOut.joined(separator: "; "),
                advice: "restore state.sqlite from a backup (stop the daemon first) and export again; or pass "
                    + "--allow-incomplete to write the bundle without them (it lists them in data/README.txt and "
                    + "bag-info.txt)")
        }
        var madeCheckpoint = false
        var checkpointIndex = lines.indices.first {
            $0 > lastTarget && LogRecord.kind(ofLine: lines[$0].bytes) == .checkpoint
        }
        if checkpointIndex == nil {
            guard let key = try? CheckpointKey(contentsOf: self.config.evidence.signingKeyFile) else {
                throw EvidenceExportError(
                    message: "no signed checkpoint covers the event yet, and there is no signing key at "
                        + "\(self.config.evidence.signingKeyFile.path) to make one",
                    advice: "run `palimpsest keygen` (as the daemon's user), or wait for the daemon's next checkpoint "
                        + "([evidence] checkpoint_interval)")
            }
            let log = try DeletionLog(
                url: daemon.deletionLog, headURL: daemon.stateDirectory.appendingPathComponent(ChainHead.fileName))
            _ = try log.appendCheckpoint(key: key, at: now)
            madeCheckpoint = true
            lines = try Self.logLines(daemon.deletionLog)
            checkpointIndex = lines.indices.first {
                $0 > lastTarget && LogRecord.kind(ofLine: lines[$0].bytes) == .checkpoint
            }
        }
        guard let checkpointIndex,
            let record = try? decoder.decode(LogRecord.self, from: lines[checkpointIndex].bytes),
            let checkpoint = record.checkpoint
        else {
            throw EvidenceExportError(
                message: "no signed checkpoint covers the event", advice: "check the log with `palimpsest verify`")
        }
        let leaves = lines[..<checkpointIndex].map { MerkleTree.leafHash($0.bytes) }
        guard checkpoint.treeSize == leaves.count, checkpoint.root == ContentHash.hex(MerkleTree.root(leaves)) else {
            throw EvidenceExportError(
                message: "the checkpoint at seq \(record.seq ?? 0) does not match the lines before it",
                advice: "run `palimpsest verify`: the log changed after it was signed, or older files are missing")
        }
        // A checkpoint signed over a changed line (by a release that did not check the chain
        // first) would make a bundle certify it: the chain up to the checkpoint must hold (the one
        // just made was checked as it was signed).
        if !madeCheckpoint, let problem = DeletionLog.chainBreaks(of: lines[..<checkpointIndex].map(\.bytes)).first {
            throw EvidenceExportError(
                message: "the chain of the log is broken before the checkpoint that proves the event: \(problem)",
                advice: "see `palimpsest verify`: a line was changed, removed or inserted; put the original back "
                    + "from a backup of the log; no bundle is written over a broken chain")
        }

        // The folder (checked again: it may have been filled meanwhile).
        try Self.checkDestination(folder: folder, zip: zip)
        let data = folder.appendingPathComponent("data", isDirectory: true)
        var payload: [String: Data] = [:]

        payload["events.jsonl"] = targets.reduce(into: Data()) { $0 += lines[$1].bytes + Data("\n".utf8) }
        payload["proof/checkpoint.jsonl"] = lines[checkpointIndex].bytes + Data("\n".utf8)
        payload["proof/checkpoint-message.txt"] = checkpoint.signedMessage(at: record.detectedAt)
        payload["proof/checkpoint.sig"] = CheckpointKey.bytes(hex: checkpoint.signature) ?? Data()
        payload["proof/public-key.pem"] = Data((CheckpointKey.publicKeyPEM(hex: checkpoint.publicKey) ?? "").utf8)
        payload["proof/tree-head.txt"] = Data((checkpoint.root + "\n").utf8)
        let proofs = targets.enumerated().map { position, index in
            InclusionProof(
                line: position + 1, logFile: lines[index].file, logLine: lines[index].line, seq: lines[index].seq,
                leafIndex: index, treeSize: leaves.count,
                path: MerkleTree.inclusionProof(index: index, leaves: leaves).map { ContentHash.hex($0) },
                root: checkpoint.root)
        }
        payload["proof/inclusion.json"] = try JSONCoding.documentEncoder().encode(proofs)
        var stamps: [String] = []
        let stampFolder = TimestampToken.folder(root: checkpoint.root, stateDirectory: daemon.stateDirectory)
        for name in ((try? FileSystem.listDirectory(stampFolder.path)) ?? []).sorted() where name.hasSuffix(".tsr") {
            if let bytes = try? POSIXFile.contents(of: stampFolder.appendingPathComponent(name).path) {
                payload["proof/timestamps/\(name)"] = bytes
                stamps.append(name)
            }
        }
        let untimestamped = self.config.evidence.tsaURLs.filter {
            !stamps.contains(TimestampToken.fileName(authority: $0))
        }
        if let ca = self.config.evidence.tsaCAFile, let bytes = try? POSIXFile.contents(of: ca.path) {
            payload["proof/tsa-ca.pem"] = bytes
        }

        // The post's versions and the captures.
        let store = state.store
        var captures: [(role: String, reference: EvidenceReference)] = []
        for event in events {
            for reference in event.evidence {
                captures.append(
                    ("cited by the \(event.event.rawValue) event \(event.id) (seq \(event.seq ?? 0))", reference))
            }
        }
        if let versions = state.versions {
            let encoder = JSONCoding.lineEncoder()
            payload["versions.jsonl"] = versions.reduce(into: Data()) { data, version in
                if let line = try? encoder.encode(version) { data += line + Data("\n".utf8) }
            }
        }
        captures += state.captures
        var warc = Data()
        var records: [BundledRecord] = []
        var missing: [String] = []
        var unreadable: [String] = []
        var seen: Set<String> = []
        for capture in captures {
            let reference = capture.reference
            let key = "\(reference.path)@\(reference.offset ?? -1)"
            if let index = records.firstIndex(where: { $0.source == key }) {
                if !records[index].roles.contains(capture.role) { records[index].roles.append(capture.role) }
                continue
            }
            guard !seen.contains(key) else { continue }
            seen.insert(key)
            let member: Data
            let parsed: WARCRecord
            do {
                guard let location = reference.warcLocation else {
                    throw StoreError.corrupt(
                        reference.path, detail: "the reference gives no offset and length of the record",
                        advice: "look the record up by its SHA-256")
                }
                member = try WARCFiles.member(at: location, root: daemon.stateDirectory)
                parsed = try WARCFiles.parse(Gzip.decompressMember(member), path: reference.path)
            } catch let error as StoreError where error.errno == ENOENT {
                // Its file is gone: the spool copy was collected.
                missing.append("\(reference.url) (\(reference.path))")
                continue
            } catch {
                let why = (error as? StoreError).map { "\($0.detail) (\($0.advice))" } ?? "\(error)"
                unreadable.append("\(reference.url) (\(reference.path)): \(why)")
                continue
            }
            let index = store.flatMap { try? $0.evidenceRecord(sha256: reference.sha256) } ?? nil
            records.append(
                BundledRecord(
                    source: key, roles: [capture.role], offset: warc.count, length: member.count,
                    recordID: parsed.field("WARC-Record-ID") ?? "", citedRecord: reference.record,
                    url: reference.url, effectiveURL: parsed.field("WARC-Target-URI") ?? index?.effectiveURL,
                    remoteAddress: parsed.field("WARC-IP-Address") ?? index?.remoteAddress,
                    redirects: index?.redirects ?? [], status: reference.status, fetchedAt: reference.fetchedAt,
                    payloadSHA256: reference.sha256))
            warc += member
        }
        payload["warc/evidence.warc.gz"] = warc
        payload["warc/records.json"] = try JSONCoding.documentEncoder().encode(records)
        payload["README.txt"] = Data(
            EvidenceReadme.text(
                events: events, checkpoint: checkpoint, checkpointSeq: record.seq ?? 0, checkpointAt: record.detectedAt,
                records: records, missing: missing, unreadable: unreadable, leftOut: state.leftOut, timestamps: stamps,
                hasCA: payload["proof/tsa-ca.pem"] != nil,
                breaks: Self.breaks(in: lines[..<checkpointIndex].map(\.bytes)),
                untimestamped: untimestamped.map(\.absoluteString)
            ).utf8)
        payload["verify.sh"] = Data(EvidenceReadme.verifyScript(leftOut: state.leftOut).utf8)

        try BagIt.write(
            payload: payload, to: folder, now: now, description: "Palimpsest evidence: \(events.count) event(s)",
            extraInfo: state.leftOut.map { ("Palimpsest-Left-Out", $0) })
        _ = try? FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: data.appendingPathComponent("verify.sh").path)
        var zipURL: URL?
        if zip {
            let url = Self.zipURL(of: folder)
            try StoredZip.write(folder: folder, to: url)
            zipURL = url
        }
        return Summary(
            folder: folder, zip: zipURL, events: events, checkpointSeq: record.seq ?? 0, records: records.count,
            missingRecords: missing, unreadableRecords: unreadable, leftOut: state.leftOut,
            madeCheckpoint: madeCheckpoint, untimestamped: untimestamped)
    }

    /// `<folder>.zip`, beside the folder.
    static func zipURL(of folder: URL) -> URL {
        folder.deletingLastPathComponent().appendingPathComponent(folder.lastPathComponent + ".zip")
    }

    /// Throws unless `folder` is new or empty, can be made (the nearest part of its path that
    /// exists is a folder this user may write in) and, with `zip`, `<folder>.zip` does not exist.
    static func checkDestination(folder: URL, zip: Bool) throws {
        // Said of --out here: the store's own advice for a failed mkdir names the config's paths.
        var existing = folder.standardizedFileURL.path
        while !existing.isEmpty, existing != "/", !FileManager.default.fileExists(atPath: existing) {
            existing = (existing as NSString).deletingLastPathComponent
        }
        if !existing.isEmpty {
            if !FileSystem.isDirectory(existing) {
                throw EvidenceExportError(
                    message: "\(existing) is a file, so \(folder.path) cannot be made",
                    advice: "give --out a path whose folders exist or can be made")
            }
            if access(existing, W_OK | X_OK) != 0 {
                throw EvidenceExportError(
                    message: "\(folder.path) cannot be made: no permission to write in \(existing)",
                    advice: "give --out a folder this user may write in (e.g. under the home folder or /tmp)")
            }
        }
        if let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path), !names.isEmpty {
            throw EvidenceExportError(
                message: "\(folder.path) exists and is not empty",
                advice: "give a new folder to --out (nothing is overwritten)")
        }
        let zipURL = Self.zipURL(of: folder)
        if zip, (try? FileManager.default.attributesOfItem(atPath: zipURL.path)) != nil {
            throw EvidenceExportError(
                message: "\(zipURL.path) exists",
                advice: "give --out a folder whose .zip does not exist yet, or move that file away (nothing is "
                    + "overwritten)")
        }
    }

    /// The `log_break` lines among `lines` (their `seq` and what they record), oldest first.
    static func breaks(in lines: [Data]) -> [(seq: Int, logBreak: LogBreak)] {
        let decoder = JSONCoding.decoder()
        return lines.compactMap { line in
            guard LogRecord.kind(ofLine: line) == .logBreak,
                let record = try? decoder.decode(LogRecord.self, from: line), let logBreak = record.logBreak
            else { return nil }
            return (record.seq ?? 0, logBreak)
        }
    }

    /// What to tell the recipient to run: `sh <out>/data/verify.sh`, with `out` as the user gave it
    /// to `--out` (so it works from the folder the command ran in, relative or absolute), quoted
    /// for the shell when it holds anything but letters, digits and `/._-+,:@%`.
    public static func verifyCommand(out: String) -> String {
        var path = out
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        path += "/data/verify.sh"
        let plain = path.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil))
                || "/._-+,:@%".unicodeScalars.contains($0)
        }
        return "sh " + (plain ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'")
    }

    /// What the state store holds of a finding: the post's archived versions (`nil` without a
    /// store or a post), the captures of the polls that saw it, and what belongs in the bundle but
    /// does not read.
    struct StateReads {
        var store: StateStore?
        var versions: [ArchivedPostVersion]?
        var captures: [(role: String, reference: EvidenceReference)] = []
        var leftOut: [String] = []
    }

    /// Reads from the state store in `stateDirectory` what the bundle of `events` (of one post)
    /// holds beside the log: the post's archived versions, the poll that first saw each and the
    /// last poll that saw the post. A row that does not read is named in
    /// ``StateReads/leftOut``, never dropped without a word.
    static func readState(of events: [Event], stateDirectory: URL) -> StateReads {
        var reads = StateReads()
        do {
            reads.store = try StateStore.openReadOnly(root: stateDirectory)
        } catch {
            reads.leftOut.append("the state store does not open: \(error)")
            return reads
        }
        guard let store = reads.store, let first = events.first, let postID = first.postID else { return reads }
        let account = first.account
        do {
            let archived = try store.archivedVersions(of: account, postID: postID)
            reads.versions = archived.versions
            reads.leftOut += archived.unreadable
        } catch {
            reads.versions = []
            reads.leftOut.append("the archive of account \(account) does not read: \(error)")
        }
        for version in reads.versions ?? [] {
            do {
                // A snapshot no longer kept is no loss of this bundle's; one that does not read is.
                guard let observation = try store.snapshot(of: account, id: version.snapshot) else { continue }
                for reference in observation.evidence {
                    reads.captures.append(("the poll that first saw version \(version.version.prefix(12))…", reference))
                }
            } catch {
                reads.leftOut.append(
                    Self.why(error) + " (the poll that first saw version \(version.version.prefix(12))…)")
            }
        }
        guard let lastSeen = events.compactMap(\.lastSeen).max() else { return reads }
        let ids: [String]
        do {
            ids = try store.snapshotIDs(of: account)
        } catch {
            reads.leftOut.append("the snapshots of account \(account) do not read: \(error)")
            return reads
        }
        for id in ids {
            do {
                guard let observation = try store.snapshot(of: account, id: id), observation.polledAt == lastSeen
                else { continue }
                for reference in observation.evidence {
                    reads.captures.append(("the last poll that saw the post", reference))
                }
            } catch {
                reads.leftOut.append(Self.why(error) + " (it may be the last poll that saw the post)")
            }
        }
        return reads
    }

    /// What is wrong, without the path and advice of a ``StoreError`` (the message names them once).
    static func why(_ error: any Error) -> String {
        (error as? StoreError)?.detail ?? "\(error)"
    }

    /// Every complete line of the log and its rotated files, in the order `verify` reads them.
    static func logLines(_ url: URL) throws -> [(file: String, line: Int, seq: Int?, bytes: Data)] {
        let set: DeletionLogSet
        do {
            set = try DeletionLogSet.read(url: url)
        } catch {
            throw EvidenceExportError(message: "cannot read the deletion log: \(error)", advice: "check deletion_log")
        }
        let decoder = JSONCoding.decoder()
        var lines: [(file: String, line: Int, seq: Int?, bytes: Data)] = []
        for file in set.files {
            let data = (try? DeletionLog.contents(of: file.url)) ?? Data()
            for (index, line) in JSONLines.split(data).lines.enumerated() {
                lines.append(
                    (file.name, index + 1, try? decoder.decode(ChainLine.self, from: line.bytes).seq, line.bytes))
            }
        }
        return lines
    }
}

/// The inclusion proof of one exported event line (`data/proof/inclusion.json`).
struct InclusionProof: Codable {
    /// Line number in `data/events.jsonl`, from 1.
    var line: Int
    /// Where the line is in the log.
    var logFile: String
    var logLine: Int
    var seq: Int?
    /// Its index among the lines the checkpoint covers (from 0), and their number.
    var leafIndex: Int
    var treeSize: Int
    /// PATH(leaf_index, D[tree_size]), hex, leaf to root.
    var path: [String]
    /// The checkpoint's tree head.
    var root: String

    enum CodingKeys: String, CodingKey {
        case line, seq, path, root
        case logFile = "log_file"
        case logLine = "log_line"
        case leafIndex = "leaf_index"
        case treeSize = "tree_size"
    }
}

/// One WARC record copied into the bag (`data/warc/records.json`).
struct BundledRecord: Codable {
    var source: String
    var roles: [String]
    var offset: Int
    var length: Int
    var recordID: String
    var citedRecord: String?
    var url: String
    var effectiveURL: String?
    var remoteAddress: String?
    var redirects: [EvidenceRecord.Redirect]
    var status: Int
    var fetchedAt: Date
    var payloadSHA256: String

    enum CodingKeys: String, CodingKey {
        case source, roles, offset, length, url, redirects, status
        case recordID = "warc_record_id"
        case citedRecord = "cited_record"
        case effectiveURL = "effective_url"
        case remoteAddress = "remote_ip"
        case fetchedAt = "fetched_at"
        case payloadSHA256 = "payload_sha256"
    }
}

/// The export cannot be made: says why and what to do.
public struct EvidenceExportError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var advice: String

    public var description: String { "\(self.message); \(self.advice)" }
}
