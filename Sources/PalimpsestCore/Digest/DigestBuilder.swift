public import Foundation

/// Builds the ``Digest`` of one ISO week from deletion logs and what the state folder knows: a pure
/// function of its inputs (``DigestLoader`` does the reading), so the same log always gives the
/// same digest.
///
/// - An event belongs to the week when its `detected_at` lies in the week (Monday 00:00 to the next
///   Monday 00:00 in ``timeZone``). Events read from several logs are merged; an event id seen in
///   two logs counts once (the first log wins).
/// - A blind span counts for every week it overlaps, whenever its `blind` events were logged.
/// - The accounts are the configured ones plus any other account with an event in the week.
/// - An entry whose log line a chain break casts doubt on carries ``DigestEntry/chainProblem``.
public struct DigestBuilder: Sendable {
    /// The week.
    public var week: ISOWeek
    /// The time zone of the week and of the times shown.
    public var timeZone: TimeZone
    /// The configured accounts (names, platforms; each appears even without events).
    public var accounts: [Account]
    /// The current time: a week not over yet is covered only up to it.
    public var now: Date
    /// The generation time written into the digest; `nil` for a reproducible digest.
    public var generatedAt: Date?

    /// Creates a builder.
    /// - Parameters:
    ///   - week: The ISO week.
    ///   - timeZone: Its time zone.
    ///   - accounts: The configured accounts.
    ///   - now: The current time, UTC.
    ///   - generatedAt: The time to record as the generation time, or `nil` (reproducible).
    public init(week: ISOWeek, timeZone: TimeZone, accounts: [Account], now: Date, generatedAt: Date?) {
        self.week = week
        self.timeZone = timeZone
        self.accounts = accounts
        self.now = now
        self.generatedAt = generatedAt
    }

    /// The digest of ``week`` from `logs` and the per-account `histories`.
    /// - Parameters:
    ///   - logs: The logs, in order (the first is the daemon's own).
    ///   - histories: What the state folder knows per account; accounts without one get coverage
    ///     and entries from the log alone.
    public func build(logs: [DigestLogInput], histories: [AccountKey: DigestAccountHistory] = [:]) -> Digest {
        let interval = self.week.interval(in: self.timeZone)
        let expectedEnd = min(interval.end, max(interval.start, self.now))

        // Merge the logs: each event id once, with the label of the first log that has it. Kept as
        // positions (log, event) in file order: the events are copied once, into their entries.
        var seen: Set<String> = []
        var byAccount: [AccountKey: [(log: Int, event: Int)]] = [:]
        // The accounts with events in the week, in the order of their first such event.
        var inWeekAccounts: [AccountKey] = []
        for log in logs.indices {
            let events = logs[log].events
            for index in events.indices where seen.insert(events[index].id).inserted {
                let account = events[index].account
                byAccount[account, default: []].append((log, index))
                let detectedAt = events[index].detectedAt
                if interval.start <= detectedAt && detectedAt < interval.end { inWeekAccounts.append(account) }
            }
        }
        // Lines in doubt, by log label and the event id they hold now.
        var suspects: [String: DigestEntry.ChainProblem] = [:]
        for log in logs {
            for chainBreak in log.chainBreaks {
                for suspect in chainBreak.suspects {
                    guard let id = suspect.id else { continue }
                    let key = log.label + "\n" + id
                    if suspects[key] == nil { suspects[key] = .init(line: suspect.line, note: suspect.note) }
                }
            }
        }

        // The accounts: configured ones, then others with events or blind spans in the week.
        var keys = self.accounts.map(\.key)
        var known = Set(keys)
        for account in inWeekAccounts where known.insert(account).inserted {
            keys.append(account)
        }
        let configured = Dictionary(self.accounts.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })

        // Each account's section depends only on its own events and history: made side by side
        // on the machine's cores (100,000 accounts took ~1.5 s on one), in the order of `keys`.
        let byAccountPositions = byAccount
        let suspectLines = suspects
        @Sendable func section(_ key: AccountKey) -> DigestAccount {
            let positions = byAccountPositions[key] ?? []
            let events = positions.map { logs[$0.log].events[$0.event] }
            let history = histories[key]
            // Grouped once per account: a filter per entry was entries × archived versions.
            let versionsByPost = Dictionary(grouping: history?.versions ?? [], by: \.postID)
            var entries: [DigestEntry] = []
            for (position, event) in zip(positions, events)
            where interval.start <= event.detectedAt && event.detectedAt < interval.end {
                let label = logs[position.log].label
                var entry = self.entry(event, log: label, history: history, versionsByPost: versionsByPost)
                entry.chainProblem = suspectLines[label + "\n" + event.id]
                entries.append(entry)
            }
            entries.sort(by: DigestEntry.chronological)
            let coverage = Self.coverage(
                events: events,
                history: history,
                week: interval,
                expectedEnd: expectedEnd,
                otherTimes: logs.compactMap { $0.eventTimes[key] }.flatMap { [$0.first, $0.last] }
            )
            // The name logged with the latest event that has one (of events detected at the same
            // time, the last in file order: a stable sort by time, then the last with a name).
            var loggedName: String?
            var loggedAt: Date?
            for event in events where event.accountName != nil {
                if let latest = loggedAt, event.detectedAt < latest { continue }
                loggedName = event.accountName
                loggedAt = event.detectedAt
            }
            let account = configured[key]
            return DigestAccount(
                account: key,
                name: account?.name ?? loggedName,
                platform: account?.platform ?? events.first?.platform ?? Self.platform(of: key),
                isConfigured: account != nil,
                entries: entries,
                coverage: coverage
            )
        }
        // Each section made with what orders it (counted on the section's core, not once per
        // comparison). The comparison ends with the key, unique per account: any sort gives this
        // one order.
        let made = Array(
            ParallelParts.map(keys, minimumPerPart: 2_000) { part in
                part.map { key in
                    let section = section(key)
                    return (section: section, order: AccountOrderKey(section))
                }
            }.joined())
        // The keys sorted with each section's place: comparing the sections themselves (or
        // reading a key out of a section's pair) copied the sections (every string and array
        // retained) per comparison.
        var order = made.indices.map { (key: made[$0].order, index: $0) }
        order.sort { $0.key < $1.key }
        let sections = order.map { made[$0.index].section }

        return Digest(
            week: self.week,
            timeZone: DigestFormat.zoneName(self.timeZone),
            from: interval.start,
            to: interval.end,
            isInProgress: self.now < interval.end,
            generatedAt: self.generatedAt,
            sources: logs.map { log in
                DigestSource(
                    log: log.label,
                    eventsRead: log.totalEvents ?? log.events.count,
                    eventsInWeek: log.events.indices.count {
                        interval.start <= log.events[$0].detectedAt && log.events[$0].detectedAt < interval.end
                    },
                    lastSeq: log.lastSeq,
                    lastHash: log.lastHash,
                    skippedLines: log.skippedLines,
                    chainProblems: log.chainProblems,
                    chainBreaks: log.chainBreaks,
                    files: log.files,
                    firstSeq: log.firstSeq,
                    startsFromGenesis: log.startsFromGenesis
                )
            },
            totals: Self.totals(sections),
            days: self.days(sections),
            lifetimes: Self.lifetimes(sections),
            accounts: sections
        )
    }

    // MARK: Entries

    private func entry(
        _ event: Event, log: String, history: DigestAccountHistory?, versionsByPost: [String: [ArchivedPostVersion]]
    ) -> DigestEntry {
        var entry = DigestEntry(event: event, log: log)
        guard let history else { return entry }
        entry.evidenceChecks = event.evidence.map {
            DigestEntry.EvidenceCheck(sha256: $0.sha256, status: history.evidence[$0.sha256] ?? .missing)
        }
        guard let postID = event.postID else { return entry }
        let versions = versionsByPost[postID] ?? []
        entry.archivedVersions = Set(versions.map(\.version)).count
        let match = versions.last { $0.version == event.version } ?? versions.last
        if let post = match?.post {
            entry.title = post.title
            entry.media = post.media
            entry.links = post.links
            if event.text == nil { entry.archivedText = post.text }
        }
        return entry
    }

    // MARK: Coverage

    /// Coverage of one account in the week: watched inside its poll spans (and, before the state
    /// kept them or without a state, from the first to the last known poll), minus blind spans.
    static func coverage(
        events: [Event],
        history: DigestAccountHistory?,
        week: DateInterval,
        expectedEnd: Date,
        otherTimes: [Date] = []
    ) -> DigestCoverage {
        // `otherTimes`: what the events read through the index but left out mention.
        var times: [Date] = otherTimes
        for event in events {
            times.append(event.detectedAt)
            times += [event.firstSeen, event.lastSeen, event.firstMissing].compactMap { $0 }
            if let span = event.blind {
                times.append(span.from)
                if let end = span.to { times.append(end) }
            }
        }
        if let history {
            times += history.versions.map(\.firstSeen)
            if let range = history.archivedFirstSeen { times += [range.lowerBound, range.upperBound] }
            if let last = history.lastPollAt { times.append(last) }
        }
        // What counts as watched: the poll spans; before the first of them (a state written before
        // they were kept) or without them, from the first to the last poll known.
        let pollSpans = (history?.pollSpans ?? []).sorted { $0.from < $1.from }
        var watched: [(Date, Date)] = pollSpans.map { ($0.from, $0.to) }
        var watchedFrom = times.min()
        var watchedTo = times.max()
        if let first = pollSpans.first, let last = pollSpans.last {
            if let known = watchedFrom, known < first.from { watched.append((known, first.from)) }
            watchedFrom = min(watchedFrom ?? first.from, first.from)
            watchedTo = max(watchedTo ?? last.to, last.to)
        } else if let from = watchedFrom, let to = watchedTo {
            watched = [(from, to)]
        }

        // One span per start: the closing event (with `to`) wins over the opening one.
        var spans: [Date: BlindSpan] = [:]
        for event in events where event.event == .blind {
            guard let span = event.blind else { continue }
            if let existing = spans[span.from], existing.to != nil, span.to == nil { continue }
            spans[span.from] = span
        }
        let overlapping = spans.values
            .filter { $0.from < week.end && ($0.to ?? .distantFuture) > week.start }
            .sorted { $0.from < $1.from }

        let expected = max(0, Int(expectedEnd.timeIntervalSince(week.start).rounded()))
        var observed = 0
        if week.start < expectedEnd {
            // Watched and not blind: |W| − |W ∩ B| = |W ∪ B| − |B|, all inside the week so far.
            let bounds = (week.start, expectedEnd)
            let blind = overlapping.map { ($0.from, $0.to ?? .distantFuture) }
            let either = Self.unionLength(watched + blind, within: bounds)
            observed = max(0, Int((either - Self.unionLength(blind, within: bounds)).rounded()))
        }
        // The gaps between poll spans: time nobody looked.
        let gaps = zip(pollSpans, pollSpans.dropFirst()).compactMap { before, after -> DigestCoverage.Gap? in
            guard before.to < after.from, before.to < expectedEnd, after.from > week.start else { return nil }
            let seconds = Self.unionLength([(before.to, after.from)], within: (week.start, expectedEnd))
            return DigestCoverage.Gap(from: before.to, to: after.from, secondsInWeek: Int(seconds.rounded()))
        }
        let listed = overlapping.map { span in
            DigestCoverage.BlindSpan(
                from: span.from,
                to: span.to,
                failedPolls: span.failedPolls,
                failureKind: span.failure.kind.rawValue,
                failureMessage: span.failure.message,
                secondsInWeek: Int(
                    Self.unionLength([(span.from, span.to ?? .distantFuture)], within: (week.start, expectedEnd))
                        .rounded()
                )
            )
        }
        return DigestCoverage(
            expectedSeconds: expected,
            observedSeconds: min(observed, expected),
            watchedFrom: watchedFrom,
            watchedTo: watchedTo,
            blindSpans: listed,
            unobserved: gaps
        )
    }

    /// Seconds of the union of `intervals` inside `bounds`.
    static func unionLength(_ intervals: [(Date, Date)], within bounds: (Date, Date)) -> TimeInterval {
        let clipped =
            intervals
            .map { (max($0.0, bounds.0), min($0.1, bounds.1)) }
            .filter { $0.0 < $0.1 }
            .sorted { $0.0 < $1.0 }
        var total: TimeInterval = 0
        var current: (Date, Date)?
        for interval in clipped {
            if let open = current, interval.0 <= open.1 {
                current = (open.0, max(open.1, interval.1))
            } else {
                if let open = current { total += open.1.timeIntervalSince(open.0) }
                current = interval
            }
        }
        if let open = current { total += open.1.timeIntervalSince(open.0) }
        return total
    }

    // MARK: Totals and charts

    static func totals(_ accounts: [DigestAccount]) -> DigestTotals {
        // `alarm` is counted only in weeks that have one, so the digests of other weeks stay as they were.
        var byKind = Dictionary(
            uniqueKeysWithValues: EventKind.allCases.filter { $0 != .alarm }.map { ($0.rawValue, 0) })
        var reasons: [String: Int] = [:]
        var confirmations: [String: Int] = [:]
        var events = 0
        var repostedOriginals = 0
        // Each entry read in place (a flattened array copied every entry, retaining its strings).
        for account in accounts.indices {
            let entries = accounts[account].entries
            for position in entries.indices {
                events += 1
                // Another account's post: counted apart, never among the watched accounts' deletions.
                if entries[position].event.isRepostedOriginalDeletion {
                    repostedOriginals += 1
                    continue
                }
                let kind = entries[position].event.event
                byKind[kind.rawValue, default: 0] += 1
                if kind == .deleted {
                    reasons[(entries[position].event.reason ?? .unknown).rawValue, default: 0] += 1
                    if let confirmation = entries[position].event.confirmedBy {
                        confirmations[confirmation.rawValue, default: 0] += 1
                    }
                }
            }
        }
        return DigestTotals(
            events: events,
            byKind: byKind,
            deletedByReason: reasons,
            deletedByConfirmation: confirmations,
            repostedOriginalsDeleted: repostedOriginals,
            accountsWatched: accounts.count,
            accountsWithFindings: accounts.indices.count { accounts[$0].hasFindings },
            expectedSeconds: accounts.indices.reduce(0) { $0 + accounts[$1].coverage.expectedSeconds },
            observedSeconds: accounts.indices.reduce(0) { $0 + accounts[$1].coverage.observedSeconds }
        )
    }

    private func days(_ accounts: [DigestAccount]) -> [DigestDay] {
        let intervals = self.week.days(in: self.timeZone)
        let dates = self.week.dates
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        // Each account's deletions read once for the seven days (not filtered again per day), by
        // index: the entries are not copied.
        var counts = [[String: Int]](repeating: [:], count: 7)
        for account in accounts.indices {
            let entries = accounts[account].entries
            var perDay = [Int](repeating: 0, count: 7)
            for position in entries.indices
            where entries[position].event.event == .deleted && !entries[position].event.isRepostedOriginalDeletion {
                let detectedAt = entries[position].event.detectedAt
                for index in 0..<7 where intervals[index].start <= detectedAt && detectedAt < intervals[index].end {
                    perDay[index] += 1
                }
            }
            for index in 0..<7 where perDay[index] > 0 {
                counts[index][accounts[account].account.rawValue] = perDay[index]
            }
        }
        return (0..<7).map { index in
            let date = dates[index]
            return DigestDay(
                date: DigestFormat.date(year: date.year, month: date.month, day: date.day),
                weekday: names[index],
                deletedByAccount: counts[index]
            )
        }
    }

    static func lifetimes(_ accounts: [DigestAccount]) -> [Digest.LifetimeCount] {
        var counts: [LifetimeBucket: Int] = [:]
        for account in accounts.indices {
            let entries = accounts[account].entries
            for position in entries.indices
            where entries[position].event.event == .deleted && !entries[position].event.isRepostedOriginalDeletion {
                counts[LifetimeBucket(lifetime: entries[position].event.lifetime), default: 0] += 1
            }
        }
        return LifetimeBucket.allCases.map { Digest.LifetimeCount(bucket: $0, deleted: counts[$0] ?? 0) }
    }

    /// Most deletions first, then most findings, then by name, then by key.
    static func accountOrder(_ a: DigestAccount, _ b: DigestAccount) -> Bool {
        AccountOrderKey(a) < AccountOrderKey(b)
    }

    /// What orders an account in the digest, counted once: deleted posts of its own (most
    /// first), findings with blind spans apart (most first), the name shown, the key.
    struct AccountOrderKey: Sendable, Comparable {
        var deleted: Int
        var findings: Int
        var displayName: String
        var account: AccountKey

        init(_ account: DigestAccount) {
            self.deleted = account.count(.deleted)
            var findings = 0
            for index in account.entries.indices where account.entries[index].event.event != .blind { findings += 1 }
            self.findings = findings
            self.displayName = account.displayName
            self.account = account.account
        }

        static func < (a: Self, b: Self) -> Bool {
            if a.deleted != b.deleted { return a.deleted > b.deleted }
            if a.findings != b.findings { return a.findings > b.findings }
            if a.displayName != b.displayName { return a.displayName < b.displayName }
            return a.account < b.account
        }
    }

    /// The platform named by a key's prefix (`feed` when unknown).
    static func platform(of key: AccountKey) -> Platform {
        let prefix = key.rawValue.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        return Platform(rawValue: prefix) ?? .feed
    }
}
