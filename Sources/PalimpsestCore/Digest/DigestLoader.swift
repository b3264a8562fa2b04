public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads what a digest is made from: the deletion logs and, from the state folder, the post
/// archive, the last poll and the evidence files of each account. Nothing of the log or the state
/// is written or locked, so it runs safely beside the daemon: a log line or archive line being
/// appended is not yet complete and is skipped (it belongs to the next digest). It writes only its
/// caches in `state_dir`: the ``LogIndex`` (the week's lines are read through it when the log's
/// check finds the chain whole) and the ``VerifyMemo`` (the check goes on from the last one).
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
        let root = config.daemon.stateDirectory.standardizedFileURL
        let interval = week.interval(in: timeZone)
        // One verdict per evidence record for the whole run: the log check and the entries share it.
        let checks = EvidenceChecks()
        // A state folder that cannot be opened is said, as a state that does not read; one without
        // a store (no poll yet) is not.
        let store: StateStore?
        let storeError: String?
        do {
            store = try StateStore.openReadOnly(root: root)
            storeError = nil
        } catch {
            store = nil
            storeError = "\(error)"
        }
        // The store's whole-table reads do not depend on the logs: made on the second core while
        // the log is checked and read (each part into its own slot, joined before use).
        let parts = Mutex<(reads: StoreReads?, logs: Result<LogsRead, any Error>?)>((nil, nil))
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 0 {
                guard let store else { return }
                // Every account's polls in one pass, and of the archive only what coverage needs of
                // the accounts without events in the week (their first sightings).
                var reads = StoreReads(
                    overviews: [:], failures: [:], readError: nil,
                    firstSeen: (try? store.archivedFirstSeenRanges()) ?? [:])
                do {
                    let read = try store.accountOverviews(pendingFindings: false)
                    reads.overviews = read.overviews
                    reads.failures = read.failures.mapValues { "\($0)" }
                } catch {
                    reads.readError = "\(error)"
                }
                parts.withLock { $0.reads = reads }
                return
            }
            let read = Result<LogsRead, any Error> {
                let verification = Self.verifyOwnLog(config: config, checks: checks, now: now)
                var logs: [DigestLogInput] = []
                for (index, (url, label)) in zip(urls, labels).enumerated() {
                    if index == 0, let report = verification?.report,
                        let indexed = Self.readThroughIndex(
                            at: url, label: label, stateDirectory: root, week: interval, report: report)
                    {
                        logs.append(indexed)
                    } else {
                        logs.append(try self.readLog(at: url, label: label))
                    }
                }
                return LogsRead(verification: verification, logs: logs)
            }
            parts.withLock { $0.logs = read }
        }
        let (storeReads, logsRead) = parts.withLock { ($0.reads, $0.logs) }
        guard let logsRead else { preconditionFailure("concurrentPerform ran every part") }
        let (verification, logs) = try logsRead.map { ($0.verification, $0.logs) }.get()
        let builder = DigestBuilder(
            week: week,
            timeZone: timeZone,
            accounts: config.accounts,
            now: now,
            generatedAt: reproducible ? nil : now
        )
        // The accounts the digest will show, to load their history; and of the week's events what
        // the histories need: which accounts have any, and the evidence they cite (the events
        // themselves are not copied: 100,000 of them were a tenth of this).
        var keys = Set(config.accounts.map(\.key))
        // The same accounts in an order that is the same in every run: configured, then by first
        // event (a set's order changes from one process to the next).
        var orderedKeys = config.accounts.map(\.key)
        var evidenceByAccount: [AccountKey: [EvidenceReference]] = [:]
        for log in logs {
            for event in log.events where interval.contains(event.detectedAt) {
                if keys.insert(event.account).inserted { orderedKeys.append(event.account) }
                if event.detectedAt < interval.end {
                    evidenceByAccount[event.account, default: []].append(contentsOf: event.evidence)
                }
            }
        }
        var histories: [AccountKey: DigestAccountHistory] = [:]
        // The accounts shown whose state does not read: named, not shown as never observed without
        // a word.
        var stateProblems: [DigestStateProblem] = []
        // Sorted after the lookup: sorting 100,000 keys to name none took a tenth of a second.
        for key in keys.filter({ storeReads?.overviews[$0] == nil }).sorted() {
            if let problem = storeReads?.failures[key] ?? storeReads?.readError ?? storeError {
                stateProblems.append(DigestStateProblem(account: key, problem: problem))
            }
        }
        if let store, let storeReads {
            // Each account's history depends only on its own rows and evidence: made side by side
            // on the machine's cores (the archive's reads and the evidence's hashes of 100,000
            // accounts took ~1.5 s on one), each part in its own read of the store.
            let overviews = storeReads.overviews
            let firstSeen = storeReads.firstSeen
            let shownEvidence = evidenceByAccount
            // In the same order in every run: which accounts share a part (and a read of the
            // store) does not change.
            let parts = ParallelParts.map(orderedKeys, minimumPerPart: 2_000) { part in
                // The archived versions themselves only for the accounts with events in the week.
                // An account whose archive does not read is named (as a state that does not read);
                // the others of its part keep theirs.
                var archived: [AccountKey: [ArchivedPostVersion]] = [:]
                var unreadable: [AccountKey: String] = [:]
                // (Accounts whose state does not read are named already.)
                let shown = part.filter { shownEvidence[$0] != nil && overviews[$0] != nil }
                do {
                    let read = try store.archivedVersions(of: shown)
                    archived = read.versions
                    unreadable = read.failures.mapValues { "its archived posts do not read: \($0)" }
                } catch {
                    // A damaged page fails the whole read (SQLite reports the database malformed
                    // at its end): each account again in a read of its own.
                    for key in shown {
                        do {
                            let versions = try store.archivedVersions(of: key)
                            if !versions.isEmpty { archived[key] = versions }
                        } catch {
                            unreadable[key] = "its archived posts do not read: \(error)"
                        }
                    }
                }
                var made: [(AccountKey, DigestAccountHistory)] = []
                for key in part {
                    // A state that does not decode only costs the last-poll time and the poll spans.
                    guard let state = overviews[key]?.state else { continue }
                    let evidence = shownEvidence[key]
                    var history = DigestAccountHistory(lastPollAt: state.lastPoll?.at, pollSpans: state.pollSpans)
                    if evidence == nil {
                        history.archivedFirstSeen = firstSeen[key]
                    } else {
                        history.versions = archived[key] ?? []
                    }
                    for reference in evidence ?? [] where history.evidence[reference.sha256] == nil {
                        history.evidence[reference.sha256] = checks.verdict(reference, stateDirectory: root).status
                    }
                    made.append((key, history))
                }
                return (histories: made, unreadable: unreadable)
            }
            histories.reserveCapacity(keys.count)
            for part in parts {
                for (key, history) in part.histories { histories[key] = history }
                for (key, problem) in part.unreadable.sorted(by: { $0.key < $1.key }) {
                    stateProblems.append(DigestStateProblem(account: key, problem: problem))
                }
            }
        }
        var digest = builder.build(logs: logs, histories: histories)
        if !stateProblems.isEmpty { digest.stateProblems = stateProblems.sorted { $0.account < $1.account } }
        Self.addWitness(to: &digest, verification: verification, config: config, now: now)
        return digest
    }

    /// What the digest reads of the state store before it knows the week's events.
    private struct StoreReads: Sendable {
        var overviews: [AccountKey: StateStore.AccountOverview]
        /// What is wrong with each account whose state does not read (``StoreError`` text).
        var failures: [AccountKey: String]
        /// Why the whole read failed, if it did: then no account's state reads.
        var readError: String?
        var firstSeen: [AccountKey: ClosedRange<Date>]
    }

    /// The log check and the logs as read.
    private struct LogsRead: Sendable {
        var verification: LogVerifier.MemoVerification?
        var logs: [DigestLogInput]
    }

    /// Checks the daemon's log as `palimpsest verify` does, going on from the verification memo in
    /// `state_dir` (``LogVerifier/verify(memo:now:)``); `nil` when the log cannot be read.
    static func verifyOwnLog(config: PalimpsestConfig, checks: EvidenceChecks, now: Date) -> LogVerifier
        .MemoVerification?
    {
        let root = config.daemon.stateDirectory.standardizedFileURL
        let key = try? CheckpointKey(contentsOf: config.evidence.signingKeyFile)
        var verifier = LogVerifier(
            logURL: config.daemon.deletionLog, stateDirectory: root,
            headURL: root.appendingPathComponent(ChainHead.fileName),
            trustedKeys: key.map { [$0.publicKeyHex] } ?? [], tsaCAFile: config.evidence.tsaCAFile)
        verifier.evidenceChecks = checks
        return try? verifier.verify(memo: root.appendingPathComponent(VerifyMemo.fileName), now: now)
    }

    /// The log at `url` read through the ``LogIndex`` in `stateDirectory`: the events of `week` and
    /// every `blind` event, each line checked against the SHA-256 the index recorded, with the
    /// chain facts of `report` (the check just made of the same log). `nil` (read the whole log
    /// instead) when the check found the chain broken or lines skipped, when the index cannot be
    /// opened or does not end with the line the check ended with, or when a line is not as indexed.
    static func readThroughIndex(
        at url: URL, label: String, stateDirectory: URL, week: DateInterval, report: LogVerifier.Report
    ) -> DigestLogInput? {
        let doubtful = LogProblem.Kind.chainKinds.map(\.rawValue) + ["torn_line", "undecodable", "invalid_event"]
        guard !report.problems.contains(where: { doubtful.contains($0.kind) }), report.acknowledged.isEmpty else {
            return nil
        }
        do {
            let index = try LogIndex(stateDirectory: stateDirectory)
            try index.catchUp(logURL: url, progress: LogIndex.stderrProgress)
            guard try index.lastLineHash() == report.lastHash else { return nil }
            let events = try LogIndex.events(of: try index.eventLines(from: week.start, to: week.end), logURL: url)
            var input = DigestLogInput(
                label: label, events: events, lastSeq: report.lastSeq, lastHash: report.lastHash, files: report.files,
                firstSeq: report.firstSeq, startsFromGenesis: report.startsFromGenesis)
            input.totalEvents = try index.eventCount()
            input.eventTimes = try index.eventTimes()
            return input
        } catch {
            return nil
        }
    }

    /// Adds to `digest` what the check of the daemon's log found: the week's checkpoints (with the
    /// digest's own, the latest made up to `now`), what the check covered, and the problems the
    /// chain warning does not show.
    static func addWitness(
        to digest: inout Digest, verification: LogVerifier.MemoVerification?, config: PalimpsestConfig, now: Date
    ) {
        let key = try? CheckpointKey(contentsOf: config.evidence.signingKeyFile)
        guard let verification else { return }
        let report = verification.report
        let shownByChainWarning = Set(LogProblem.Kind.chainKinds.map(\.rawValue)).union(["torn_line", "undecodable"])
        let problems = report.problems.filter { !shownByChainWarning.contains($0.kind) }.map(\.description)
        if !problems.isEmpty { digest.verdict = DigestVerdict(problems: problems) }
        var chosen = report.checkpoints.filter { digest.from <= $0.detectedAt && $0.detectedAt < digest.to }
        if let own = report.checkpoints.last(where: { $0.detectedAt >= digest.to && $0.detectedAt <= now }) {
            chosen.append(own)
        }
        guard key != nil || !chosen.isEmpty else { return }
        digest.witness = DigestWitness(
            publicKey: key?.publicKeyHex ?? chosen.last?.checkpoint.publicKey,
            checkpoints: chosen.map { checked in
                var witness = WitnessCheckpoint(
                    seq: checked.seq, detectedAt: checked.detectedAt, treeSize: checked.checkpoint.treeSize,
                    lastSeq: checked.checkpoint.lastSeq, root: checked.checkpoint.root,
                    signature: checked.checkpoint.signature, publicKey: checked.checkpoint.publicKey)
                witness.timestamps = checked.timestamps.map {
                    WitnessTimestamp(authority: $0.authority, time: $0.time, isValid: $0.isValid)
                }
                return witness
            })
        digest.witness?.verified = verification.summary
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
            chainBreaks: try Self.chainBreaks(of: set),
            files: set.files.map(\.name),
            firstSeq: set.firstSeq,
            startsFromGenesis: set.startsFromGenesis,
            problems: set.chainProblems
        )
    }

    /// The chain problems of a log read with its rotated files, each with the lines in doubt, file
    /// by file (a problem's line numbers are those of its file).
    /// - Throws: ``StoreError`` when a file with a problem can no longer be read.
    static func chainBreaks(of set: DeletionLogSet) throws -> [DigestChainBreak] {
        let problems = set.chainProblems
        guard !problems.isEmpty else { return [] }
        var breaks: [DigestChainBreak] = []
        for file in set.files {
            let own = problems.filter { ($0.file ?? file.name) == file.name }
            guard !own.isEmpty else { continue }
            let raw = try POSIXFile.contents(of: file.url.path) ?? Data()
            let data = GzipReader.isGzip(raw) ? try GzipReader.decompress(raw, path: file.url.path) : raw
            breaks += Self.chainBreaks(own, lines: JSONLines.split(data).lines)
        }
        return breaks
    }

    /// The chain problems of a log with the lines they cast doubt on: for a broken `prev` the log
    /// line before (it may have been changed) and this one (it may have been inserted, or lines
    /// before it removed); for a `seq` gap or a repeated id, this line.
    /// - Parameters:
    ///   - problems: The `broken_chain`, `sequence_gap` and `duplicate_id` problems of the file.
    ///   - lines: The file's complete lines, in order.
    static func chainBreaks(_ problems: [LogProblem], lines: [(offset: Int, bytes: Data)]) -> [DigestChainBreak] {
        struct Fields: Decodable {
            var id: String?
            var seq: Int?
            var prev: String?
        }
        let decoder = JSONCoding.decoder()
        func fields(_ number: Int) -> Fields? {
            guard number >= 1, number <= lines.count else { return nil }
            return try? decoder.decode(Fields.self, from: lines[number - 1].bytes)
        }
        return problems.map { problem in
            let number = problem.line
            var suspects: [DigestChainBreak.Suspect] = []
            switch problem.kind {
            case .brokenChain:
                // The log line before: the nearest earlier line that takes part in the chain.
                if let before = (1..<max(1, number)).reversed().first(where: {
                    fields($0).map { $0.id != nil && $0.seq != nil && $0.prev != nil } ?? false
                }) {
                    suspects.append(
                        .init(
                            line: before,
                            id: fields(before)?.id,
                            note: "the hash chain breaks right after this line (at line \(number)): this line may "
                                + "have been changed after it was written"
                        )
                    )
                    suspects.append(
                        .init(
                            line: number,
                            id: fields(number)?.id,
                            note: "the hash chain breaks at this line: its prev does not match line \(before), so "
                                + "line \(before) was changed, or lines between them were removed or inserted"
                        )
                    )
                } else {
                    suspects.append(
                        .init(
                            line: number,
                            id: fields(number)?.id,
                            note: "the hash chain breaks at this line: it does not chain from the start of the log, "
                                + "so lines before it were removed or it was changed"
                        )
                    )
                }
            case .sequenceGap:
                suspects.append(
                    .init(
                        line: number,
                        id: fields(number)?.id,
                        note: "the sequence number jumps at this line: lines before it may have been removed, or "
                            + "its seq was changed"
                    )
                )
            default:
                suspects.append(
                    .init(
                        line: number,
                        id: fields(number)?.id,
                        note: "this event id already appears on an earlier line: the line may have been copied"
                    )
                )
            }
            return DigestChainBreak(
                line: number, kind: problem.kind.rawValue, message: problem.message, suspects: suspects)
        }
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
        guard let store = (try? StateStore.openReadOnly(root: root)) ?? nil else { return nil }
        return self.readHistory(of: key, store: store, root: root, evidence: evidence, checks: EvidenceChecks())
    }

    /// ``readHistory(of:stateDirectory:evidence:)`` from a store already open (a digest opens it
    /// once for all its accounts).
    static func readHistory(
        of key: AccountKey, store: StateStore, root: URL, evidence: [EvidenceReference], checks: EvidenceChecks
    ) -> DigestAccountHistory? {
        // A state that does not decode only costs the last-poll time and the poll spans.
        guard let state = (try? store.loadStateWithoutPosts(of: key)) ?? nil else { return nil }
        let accountStore = store.accountStore(for: key)
        var history = DigestAccountHistory()
        history.versions = (try? accountStore.archivedVersions()) ?? []
        history.lastPollAt = state.lastPoll?.at
        history.pollSpans = state.pollSpans
        for reference in evidence where history.evidence[reference.sha256] == nil {
            history.evidence[reference.sha256] = checks.verdict(reference, stateDirectory: root).status
        }
        return history
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
