public import Foundation

/// Reads what a digest is made from: the deletion logs and, from the state folder, the post
/// archive, the last poll and the evidence files of each account. Nothing is written and nothing
/// is locked, so it runs safely beside the daemon: a log line or archive line being appended is
/// not yet complete and is skipped (it belongs to the next digest).
///
/// Calls block on the disk: call them through ``BlockingIO/run(_:)`` from async code.
public enum DigestLoader {
    /// Builds the digest of `week` for `config`: reads `[daemon] deletion_log` and `[digest] logs`,
    /// and the state folder for every account of the digest.
    /// - Parameters:
    ///   - config: The loaded config.
    ///   - week: The ISO week.
    ///   - timeZone: The zone of the week (`--time-zone`, else `[digest] time_zone`).
    ///   - now: The current time.
    ///   - reproducible: Leave the generation time out.
    /// - Returns: The digest.
    /// - Throws: ``DigestError`` when a log is missing or unreadable.
    public static func makeDigest(
        config: PalimpsestConfig,
        week: ISOWeek,
        timeZone: TimeZone,
        now: Date = Date(),
        reproducible: Bool = false
    ) throws -> Digest {
        let urls = [config.daemon.deletionLog] + config.digest.extraLogs
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

    /// Reads one deletion log and checks its hash chain.
    /// - Parameters:
    ///   - url: The log file.
    ///   - label: Its label in the digest.
    /// - Throws: ``DigestError`` naming the file when it is missing or unreadable.
    public static func readLog(at url: URL, label: String) throws -> DigestLogInput {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DigestError(
                "no deletion log at \(url.path)",
                advice: "check `deletion_log` in [daemon] and `logs` in [digest]; the daemon creates the log when "
                    + "it starts"
            )
        }
        do {
            let contents = try DeletionLog.read(at: url)
            let verification = try DeletionLog.verify(at: url)
            // Lines that are not events are already counted as skipped lines.
            let chainProblems = verification.problems.filter {
                [.brokenChain, .sequenceGap, .duplicateID].contains($0.kind)
            }
            var breaks: [DigestChainBreak] = []
            if !chainProblems.isEmpty {
                let data = try POSIXFile.contents(of: url.path) ?? Data()
                breaks = Self.chainBreaks(chainProblems, lines: JSONLines.split(data).lines)
            }
            return DigestLogInput(
                label: label,
                events: contents.events,
                skippedLines: contents.problems.count,
                lastSeq: verification.lastSeq,
                lastHash: verification.lastHash,
                chainProblems: chainProblems.count,
                chainBreaks: breaks
            )
        } catch {
            throw DigestError("cannot read the deletion log \(url.path): \(error)", advice: "check its permissions")
        }
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
        let decoder = JSONDecoder()
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
        guard let store = (try? StateStore.openReadOnly(root: root)) ?? nil,
            (try? store.loadState(of: key)) != nil
        else { return nil }
        let accountStore = store.accountStore(for: key)
        var history = DigestAccountHistory()
        history.versions = (try? accountStore.archivedVersions()) ?? []
        // A state that does not decode only costs the last-poll time.
        history.lastPollAt = (try? accountStore.loadState())??.lastPoll?.at
        for reference in evidence where history.evidence[reference.sha256] == nil {
            history.evidence[reference.sha256] = self.check(reference, root: root)
        }
        return history
    }

    /// Whether the evidence body `reference` names is under `root` with the SHA-256 it names: the
    /// payload of the WARC record at its offset, or (references written before WARC files) the
    /// whole body file.
    static func check(_ reference: EvidenceReference, root: URL) -> DigestEntry.EvidenceStatus {
        if let location = reference.warcLocation {
            guard let record = try? WARCFiles.read(location, root: root) else { return .missing }
            return ContentHash.sha256Hex(record.payload) == reference.sha256.lowercased() ? .verified : .mismatch
        }
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
