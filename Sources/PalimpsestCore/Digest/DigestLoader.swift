public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads what a digest is made from: the deletion logs and, from the state folder, the post
/// archive, the last poll and the evidence files of each account. Nothing is written and nothing
/// is locked, so it runs safely beside the daemon: a log line or archive line being appended is
/// not yet complete and is skipped (it belongs to the next digest).
///
/// Calls block on the disk: call them through ``BlockingIO/run(_:)`` from async code.
public enum DigestLoader {
    /// Builds the digest of `week` for `config`: reads `[daemon] deletion_log` and `[digest] logs`
    /// (globs expanded), each with its rotated files (``DeletionLogSet``), and the state folder for
    /// every account of the digest.
    /// - Parameters:
    ///   - config: The loaded config.
    ///   - week: The ISO week.
    ///   - timeZone: The zone of the week (`--time-zone`, else `[digest] time_zone`).
    ///   - now: The current time.
    ///   - reproducible: Leave the generation time out.
    /// - Returns: The digest.
    /// - Throws: ``DigestError`` when a log is missing or unreadable, or a `[digest] logs` pattern
    ///   matches no file.
    public static func makeDigest(
        config: PalimpsestConfig,
        week: ISOWeek,
        timeZone: TimeZone,
        now: Date = Date(),
        reproducible: Bool = false
    ) throws -> Digest {
        let urls = try self.logs(of: config)
        let labels = self.labels(for: urls)
        var logs: [DigestLogInput] = []
        for (url, label) in zip(urls, labels) {
            logs.append(try self.readLog(at: url, label: label))
        }
        let builder = DigestBuilder(
            week: week,
            timeZone: timeZone,
            accounts: config.accounts,
            now: now,
            generatedAt: reproducible ? nil : now
        )
        // The accounts the digest will show, to load their history.
        let interval = week.interval(in: timeZone)
        var keys = Set(config.accounts.map(\.key))
        for log in logs {
            for event in log.events where interval.contains(event.detectedAt) { keys.insert(event.account) }
        }
        let weekEvents = logs.flatMap(\.events).filter {
            interval.start <= $0.detectedAt && $0.detectedAt < interval.end
        }
        var histories: [AccountKey: DigestAccountHistory] = [:]
        for key in keys {
            let evidence = weekEvents.filter { $0.account == key }.flatMap(\.evidence)
            if let history = self.readHistory(
                of: key,
                stateDirectory: config.daemon.stateDirectory,
                evidence: evidence
            ) {
                histories[key] = history
            }
        }
        return builder.build(logs: logs, histories: histories)
    }

    /// The logs a digest of `config` reads: `[daemon] deletion_log`, then every file `[digest] logs`
    /// names, its glob patterns (`*`, `?`, `[…]`, as the shell expands them) expanded in name order.
    /// A rotated file named or matched (`deletions.jsonl.1`) stands for its log (`deletions.jsonl`),
    /// which is read with all its rotated files; each log is listed once.
    /// - Throws: ``DigestError`` when a pattern matches no file.
    public static func logs(of config: PalimpsestConfig) throws -> [URL] {
        var urls = [config.daemon.deletionLog.standardizedFileURL]
        for entry in config.digest.extraLogs {
            let matches = try LogPathPattern.expand(entry)
            guard !matches.isEmpty else {
                throw DigestError(
                    "`logs` in [digest] names \(entry.path), which matches no file",
                    advice: "check the path or pattern in \(config.file.path), or remove it")
            }
            for match in matches {
                let log = LogPathPattern.logFile(of: match)
                if !urls.contains(log) { urls.append(log) }
            }
        }
        return urls
    }

    /// Reads one deletion log with its rotated files and checks the hash chain across them.
    /// - Parameters:
    ///   - url: The log file (its rotated files are found beside it).
    ///   - label: Its label in the digest.
    /// - Throws: ``DigestError`` naming the file when neither it nor a rotated file of it exists,
    ///   or when it is unreadable.
    public static func readLog(at url: URL, label: String) throws -> DigestLogInput {
        let set: DeletionLogSet
        do {
            set = try DeletionLogSet.read(url: url)
        } catch let error as StoreError where error.errno == ENOENT {
            throw DigestError(
                "no deletion log at \(url.path)",
                advice: "check `deletion_log` in [daemon] and `logs` in [digest]; the daemon creates the log when "
                    + "it starts"
            )
        } catch {
            throw DigestError("cannot read the deletion log \(url.path): \(error)", advice: "check its permissions")
        }
        return DigestLogInput(
            label: label,
            events: set.events,
            skippedLines: set.skippedLines.count,
            lastSeq: set.lastSeq,
            lastHash: set.lastHash,
            chainProblems: set.chainProblems.count,
            files: set.files.map(\.name),
            firstSeq: set.firstSeq,
            startsFromGenesis: set.startsFromGenesis,
            problems: set.chainProblems
        )
    }

    /// What the state folder knows about account `key`, read without creating or locking anything;
    /// `nil` when the state folder has no folder for it (or a folder owned by another key).
    /// - Parameters:
    ///   - key: The account.
    ///   - stateDirectory: `state_dir`.
    ///   - evidence: Evidence references to check (present, and the SHA-256 of the body matches).
    public static func readHistory(
        of key: AccountKey,
        stateDirectory: URL,
        evidence: [EvidenceReference]
    ) -> DigestAccountHistory? {
        let root = stateDirectory.standardizedFileURL
        let directory = root.appendingPathComponent("accounts", isDirectory: true)
            .appendingPathComponent(key.directoryName, isDirectory: true)
        let keyFile = directory.appendingPathComponent("account.key")
        guard var owner = try? POSIXFile.contents(of: keyFile.path) else { return nil }
        if owner.last == UInt8(ascii: "\n") { owner.removeLast() }
        guard String(decoding: owner, as: UTF8.self) == key.rawValue else { return nil }

        let store = AccountStore(key: key, directory: directory, root: root)
        var history = DigestAccountHistory()
        history.versions = (try? store.archivedVersions()) ?? []
        // A state file that does not decode only costs the last-poll time and the poll spans.
        let state = (try? store.loadState(AccountState.self)) ?? nil
        history.lastPollAt = state?.lastPoll?.at
        history.pollSpans = state?.pollSpans
        for reference in evidence where history.evidence[reference.sha256] == nil {
            history.evidence[reference.sha256] = self.check(reference, root: root)
        }
        return history
    }

    /// Whether the evidence body `reference` names is under `root` with the SHA-256 it names.
    static func check(_ reference: EvidenceReference, root: URL) -> DigestEntry.EvidenceStatus {
        // The path comes from the log: never follow it out of the state folder.
        let parts = reference.path.split(separator: "/", omittingEmptySubsequences: false)
        guard !reference.path.hasPrefix("/"), !parts.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }),
            !reference.path.contains("\0")
        else { return .missing }
        let url = root.appendingPathComponent(reference.path)
        guard let data = try? POSIXFile.contents(of: url.path) else { return .missing }
        return ContentHash.sha256Hex(data) == reference.sha256.lowercased() ? .verified : .mismatch
    }

    /// Labels for logs: each file's name, or `folder/name` for logs that share a name (the full
    /// path when even that repeats).
    static func labels(for urls: [URL]) -> [String] {
        let names = urls.map(\.lastPathComponent)
        let parents = urls.map { $0.deletingLastPathComponent().lastPathComponent + "/" + $0.lastPathComponent }
        return urls.indices.map { index in
            if names.filter({ $0 == names[index] }).count == 1 { return names[index] }
            if parents.filter({ $0 == parents[index] }).count == 1 { return parents[index] }
            return urls[index].path
        }
    }
}
