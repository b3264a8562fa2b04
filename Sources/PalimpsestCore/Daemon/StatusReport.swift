public import Foundation
import Synchronization

/// What `palimpsest status` shows: per watched account its last poll, next poll, blind span,
/// posts tracked, events of the last 7 days (deletions of originals it reposted counted apart) and
/// worst-case detection delay, and whether the daemon runs.
///
/// Read-only and lock-free, so it works while the daemon runs: it reads the daemon's
/// `status.json` (written atomically), the accounts' states from the state store (every account
/// at once, ``StateStore/accountOverviews(pendingFindings:of:)``), and the deletion log (append-only).
public struct StatusReport: Sendable, Codable, Hashable {
    /// The daemon as its lock and `status.json` show it.
    public struct Daemon: Sendable, Codable, Hashable {
        /// True when a process holds `state_dir/palimpsest.lock` (a daemon, or a `poll` run).
        public var running: Bool
        /// The lock holder's PID, or the PID in `status.json`.
        public var pid: Int32?
        /// `status.json`'s phase (`running`, `stopped`, …), if the file exists.
        public var phase: DaemonStatus.Phase?
        /// When the daemon started (UTC).
        public var startedAt: Date?
        /// When `status.json` was written (UTC).
        public var updatedAt: Date?
        /// `STATUS=` text of the daemon.
        public var summary: String?
        /// Why the daemon's last reload was rejected, if it was.
        public var reloadError: String?
        /// The command that holds the lock as its lock file says (`palimpsest run`, `palimpsest
        /// poll`), when one does and the file says.
        public var lockHolder: String?

        enum CodingKeys: String, CodingKey {
            case running, pid, phase, summary
            case startedAt = "started_at"
            case updatedAt = "updated_at"
            case reloadError = "reload_error"
            case lockHolder = "lock_holder"
        }
    }

    /// One watched account: the record the daemon keeps of it (``DaemonStatus/AccountEntry``, the
    /// same one `status.json` holds; read from the account's state on disk when no daemon reports
    /// it), and what the report adds from the last 7 days. The entry's members read through the
    /// row (`row.lastPoll`, `row.postsTracked`, …); in JSON the row is one flat object: the
    /// entry's keys and the report's.
    @dynamicMemberLookup
    public struct Row: Sendable, Codable, Hashable {
        /// The account as the daemon reports it (or its state on disk says).
        public var entry: DaemonStatus.AccountEntry
        /// Events of this account detected in the last 7 days, its own posts only: the deletions
        /// of originals it reposted are counted apart, in ``repostedOriginalsDeleted``.
        public var eventsThisWeek: Int
        /// Originals of other accounts that this account reposted, seen deleted in the last 7 days
        /// (`deleted` events with `about: reposted_original`).
        public var repostedOriginalsDeleted: Int = 0
        /// Worst-case seconds from a deletion to its log entry when no probe answers (absence), see
        /// ``StatusReport/worstCaseDelay(interval:jitter:confirmPolls:confirmMinAge:)``; a blind
        /// account adds the rest of its blind span.
        public var worstCaseDelay: TimeInterval
        /// Findings still being proved (deletion and restore candidates), oldest first, each with
        /// why it waits.
        public var pending: [PendingFinding] = []
        /// Seconds of the last 7 days in which the account was watched and not blind (polls no
        /// further apart than ``PollSpan/gapLimit(interval:jitter:)``, minus blind spans); `nil`
        /// when no poll of it is known.
        public var observedSeconds7d: Int?
        /// The stretches of the last 7 days in which the account was not polled at all, oldest first.
        public var unobserved7d: [UnobservedGap] = []
        /// Why the account's stored state (or one of its tracked posts) does not read, and what to
        /// do; `nil` when it reads or there is none. Such an account's other figures are those of
        /// an account never polled: this says they are not.
        public var stateProblem: String?
        /// Events of the account saved in its state that the deletion log has not taken yet (the
        /// log refuses appends: its chain head does not match, the disk is full, …); `nil` for none.
        public var eventsWaiting: Int?

        /// A row from the account's entry and the report's figures.
        public init(
            entry: DaemonStatus.AccountEntry, eventsThisWeek: Int, repostedOriginalsDeleted: Int = 0,
            worstCaseDelay: TimeInterval, pending: [PendingFinding] = [], observedSeconds7d: Int? = nil,
            unobserved7d: [UnobservedGap] = []
        ) {
            self.entry = entry
            self.eventsThisWeek = eventsThisWeek
            self.repostedOriginalsDeleted = repostedOriginalsDeleted
            self.worstCaseDelay = worstCaseDelay
            self.pending = pending
            self.observedSeconds7d = observedSeconds7d
            self.unobserved7d = unobserved7d
        }

        /// A row from its parts (the entry's fields, then the report's).
        public init(
            account: AccountKey, name: String?, interval: TimeInterval, lastPoll: PollRecord?, nextPoll: Date?,
            polling: Bool, blind: BlindSpan?, postsTracked: Int, eventsThisWeek: Int, moved: TimelineMove? = nil,
            repostedOriginalsDeleted: Int = 0, worstCaseDelay: TimeInterval, pending: [PendingFinding] = [],
            observedSeconds7d: Int? = nil, unobserved7d: [UnobservedGap] = []
        ) {
            self.init(
                entry: DaemonStatus.AccountEntry(
                    account: account, name: name, interval: interval, lastPoll: lastPoll, nextPoll: nextPoll,
                    polling: polling, blind: blind, postsTracked: postsTracked, moved: moved),
                eventsThisWeek: eventsThisWeek, repostedOriginalsDeleted: repostedOriginalsDeleted,
                worstCaseDelay: worstCaseDelay, pending: pending, observedSeconds7d: observedSeconds7d,
                unobserved7d: unobserved7d)
        }

        /// The entry's members, read and written through the row.
        public subscript<Value>(dynamicMember keyPath: WritableKeyPath<DaemonStatus.AccountEntry, Value>) -> Value {
            get { self.entry[keyPath: keyPath] }
            set { self.entry[keyPath: keyPath] = newValue }
        }

        enum CodingKeys: String, CodingKey {
            case pending
            case observedSeconds7d = "observed_s_7d"
            case unobserved7d = "unobserved_7d"
            case eventsThisWeek = "events_7d"
            case repostedOriginalsDeleted = "reposted_originals_deleted_7d"
            case worstCaseDelay = "worst_case_delay"
            case stateProblem = "state_problem"
            case eventsWaiting = "events_waiting"
        }

        /// Decodes the entry's keys and the report's from one object.
        /// - Throws: `DecodingError` when a key is missing or of the wrong type.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.entry = try DaemonStatus.AccountEntry(from: decoder)
            self.eventsThisWeek = try container.decode(Int.self, forKey: .eventsThisWeek)
            self.repostedOriginalsDeleted = try container.decode(Int.self, forKey: .repostedOriginalsDeleted)
            self.worstCaseDelay = try container.decode(TimeInterval.self, forKey: .worstCaseDelay)
            self.pending = try container.decode([PendingFinding].self, forKey: .pending)
            self.observedSeconds7d = try container.decodeIfPresent(Int.self, forKey: .observedSeconds7d)
            self.unobserved7d = try container.decode([UnobservedGap].self, forKey: .unobserved7d)
            self.stateProblem = try container.decodeIfPresent(String.self, forKey: .stateProblem)
            self.eventsWaiting = try container.decodeIfPresent(Int.self, forKey: .eventsWaiting)
        }

        /// Encodes the entry's keys and the report's into one object.
        /// - Throws: `EncodingError` from the encoder.
        public func encode(to encoder: any Encoder) throws {
            try self.entry.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.eventsThisWeek, forKey: .eventsThisWeek)
            try container.encode(self.repostedOriginalsDeleted, forKey: .repostedOriginalsDeleted)
            try container.encode(self.worstCaseDelay, forKey: .worstCaseDelay)
            try container.encode(self.pending, forKey: .pending)
            try container.encodeIfPresent(self.observedSeconds7d, forKey: .observedSeconds7d)
            try container.encode(self.unobserved7d, forKey: .unobserved7d)
            try container.encodeIfPresent(self.stateProblem, forKey: .stateProblem)
            try container.encodeIfPresent(self.eventsWaiting, forKey: .eventsWaiting)
        }
    }

    /// A stretch in which an account was not polled at all: a gap between two polls longer than
    /// twice its interval with the most jitter (the daemon was stopped, the machine was down).
    public struct UnobservedGap: Sendable, Codable, Hashable {
        /// The last poll before the gap (UTC).
        public var from: Date
        /// The first poll after it (UTC); `nil` while no poll came yet.
        public var to: Date?
    }

    /// When the report was made (UTC).
    public var generatedAt: Date
    /// The config file.
    public var config: String
    /// The state folder.
    public var stateDir: String
    /// This instance's shard, if set.
    public var shard: String?
    /// The daemon.
    public var daemon: Daemon
    /// The watched accounts, in config order.
    public var accounts: [Row]
    /// Why the config file on disk was refused, when the report shows the daemon's running config
    /// instead (``RunningConfig``); `nil` when the file loaded.
    public var configProblem: String?
    /// When the daemon accepted the running config shown, when ``configProblem`` is set (UTC).
    public var runningConfigAcceptedAt: Date?
    /// Why the state store (`state_dir/state.sqlite`) does not open or read, and what to do;
    /// `nil` when it reads or there is none yet. Every account then shows as never polled: this
    /// says they are not.
    public var storeProblem: String?

    enum CodingKeys: String, CodingKey {
        case config, shard, daemon, accounts
        case generatedAt = "generated_at"
        case stateDir = "state_dir"
        case configProblem = "config_problem"
        case runningConfigAcceptedAt = "running_config_accepted_at"
        case storeProblem = "store_problem"
    }

    /// Worst-case seconds between a deletion and its log entry when it is confirmed by absence: the
    /// post vanishes just after a poll; the next poll, up to one interval later (with the most
    /// jitter), first misses it; confirmation needs `confirmPolls` consecutive misses spanning at
    /// least `confirmMinAge`, counted in polls no longer than the interval with the least jitter.
    /// A probe that answers (404, tombstone) confirms at the first miss instead.
    public static func worstCaseDelay(
        interval: TimeInterval, jitter: Double, confirmPolls: Int, confirmMinAge: TimeInterval
    ) -> TimeInterval {
        let jitter = min(max(jitter, 0), 0.5)
        let longest = interval * (1 + jitter)
        let shortest = max(interval * (1 - jitter), 1)
        let extraPolls = max(confirmPolls - 1, Int((confirmMinAge / shortest).rounded(.up)))
        return longest * Double(1 + extraPolls)
    }

    /// Builds the report for the accounts `config` watches on this host.
    /// - Parameters:
    ///   - config: the loaded config.
    ///   - now: the time of the report (UTC).
    ///   - accounts: only these of the watched accounts (``selectAccounts(_:in:)``), in config
    ///     order; `nil` for all of them.
    /// - Throws: ``StoreError`` when the deletion log exists but cannot be read (its rotated files
    ///   are read too). An unreadable
    ///   `status.json` or account state is left out, not thrown.
    public static func gather(config: PalimpsestConfig, now: Date = Date(), accounts: Set<AccountKey>? = nil) throws
        -> StatusReport
    {
        let stateDirectory = config.daemon.stateDirectory
        let holder = StateDirectoryLock.holder(of: stateDirectory)
        let weekAgo = now.addingTimeInterval(-7 * 86_400)
        // The week's events from the log, every account's state from the store and the daemon's
        // `status.json` do not depend on each other: read side by side on the cores (each part into
        // its own slot, joined before use; at 100,000 accounts the store's read is about twice the
        // log index's, and `status.json`'s 100,000 entries take longer than both). Beside a running
        // daemon, an event appended between the two reads may show both as waiting in its state
        // and in the week's events (read one after the other, it could be missed for a moment):
        // the next `status` shows it once.
        let parts = Mutex<(log: Result<RecentLogEvents, any Error>?, store: StoreRead?, written: DaemonStatus?)>(
            (nil, nil, nil))
        // The accounts of status.json only while a process holds the lock (without one, the
        // file's head: its 100,000 entries took 1.5 s to decode for nothing).
        DispatchQueue.concurrentPerform(iterations: holder == nil ? 2 : 3) { part in
            switch part {
            case 0:
                let log = Result { try Self.recentLogEvents(config: config, since: weekAgo, accounts: accounts) }
                parts.withLock { $0.log = log }
            case 1:
                // Read-only: nothing is created when the store is missing.
                // Every account's state in one pass (an account whose state does not decode shows
                // none). A store that does not open or read (a damaged file) is said, not shown as
                // a store of accounts never polled (found by a tester).
                var read = StoreRead()
                do {
                    let overviews = try StateStore.openReadOnly(root: stateDirectory)?.accountOverviews(
                        pendingFindings: true, of: accounts)
                    read.overviews = overviews?.overviews ?? [:]
                    read.failures = overviews?.failures ?? [:]
                } catch {
                    read.problem = "\(error)"
                }
                parts.withLock { $0.store = read }
            default:
                let written = try? DaemonStatus.read(stateDirectory: stateDirectory)
                parts.withLock { $0.written = written }
            }
        }
        let written = parts.withLock { $0.written }
        let head = holder == nil ? try? DaemonStatus.Head.read(stateDirectory: stateDirectory) : written?.head
        // Trust the daemon's live view only while a process holds the lock and wrote it.
        let live =
            holder != nil
            && written.map { $0.phase != .stopped && (holder?.pid == nil || holder?.pid == $0.pid) }
                == true
        var daemon = Daemon(
            running: holder != nil, pid: holder?.pid ?? head?.pid, phase: head?.phase,
            startedAt: head?.startedAt, updatedAt: head?.updatedAt, summary: written?.summary,
            reloadError: written?.reloadError, lockHolder: holder?.purpose)
        if !live {
            // A stopped daemon's STATUS and reload outcome no longer hold.
            daemon.summary = nil
            daemon.reloadError = nil
        }
        let entries = Dictionary(
            (written?.accounts ?? []).map { ($0.account, $0) }, uniquingKeysWith: { first, _ in first })

        let (logRead, storeRead) = parts.withLock { ($0.log, $0.store) }
        guard let logRead, let storeRead else { preconditionFailure("concurrentPerform runs every iteration") }
        let recent = try logRead.get()
        let (weekly, repostedOriginals, recentEvents, indexedCounts) = (
            recent.weekly, recent.repostedOriginals, recent.events, recent.indexedCounts
        )
        let storeProblem = storeRead.problem

        let detection = config.daemon.detection
        let overviews = storeRead.overviews
        // An account whose state does not read is named, not shown as one never polled.
        let failures = storeRead.failures
        let watched = config.watchedAccounts.filter { accounts?.contains($0.key) ?? true }
        // Each account's row apart from the others': made in parts on the cores, in order.
        let rows = ParallelParts.map(watched, minimumPerPart: 2_000) {
            $0.map { account -> Row in
                let overview = overviews[account.key]
                let state = overview?.state
                var entry: DaemonStatus.AccountEntry
                if live, let reported = entries[account.key] {
                    entry = reported
                } else {
                    // No live daemon reports it: its state on disk (no next poll is scheduled).
                    entry = DaemonStatus.AccountEntry(account: state, for: account)
                    entry.postsTracked = overview?.postsTracked ?? 0
                }
                // The config's view of the account, and no poll in flight without a live daemon.
                entry.account = account.key
                entry.name = account.name
                entry.interval = account.interval
                entry.polling = live && entry.polling
                let base = StatusReport.worstCaseDelay(
                    interval: account.interval, jitter: config.daemon.jitter, confirmPolls: config.daemon.confirmPolls,
                    confirmMinAge: config.daemon.confirmMinAge)
                let blindFor = entry.blind.map { now.timeIntervalSince($0.from) } ?? 0
                let counts = indexedCounts?[account.key]
                let (observed, gaps) = Self.observation(
                    of: account, state: state, events: recentEvents[account.key] ?? [], jitter: config.daemon.jitter,
                    since: weekAgo, now: now,
                    otherTimes: counts.map { [$0.firstTime, $0.lastTime].compactMap { $0 } } ?? [])
                var row = Row(
                    entry: entry, eventsThisWeek: counts?.own ?? weekly[account.key] ?? 0,
                    repostedOriginalsDeleted: counts?.repostedOriginals ?? repostedOriginals[account.key] ?? 0,
                    worstCaseDelay: base + max(0, blindFor),
                    pending: state?.detection.pendingFindings(settings: detection, now: now) ?? [],
                    observedSeconds7d: observed, unobserved7d: gaps)
                row.stateProblem = failures[account.key].map { "\($0)" }
                if let waiting = overview?.eventsWaiting, waiting > 0 { row.eventsWaiting = waiting }
                return row
            }
        }.flatMap { $0 }
        var report = StatusReport(
            generatedAt: now, config: config.file.path, stateDir: stateDirectory.path,
            shard: config.daemon.shard?.description, daemon: daemon, accounts: rows)
        report.storeProblem = storeProblem
        return report
    }

    /// The keys of the watched accounts that `requested` names, each by its key or its configured
    /// `name` (a name several accounts share names them all): what `status --account` shows.
    /// - Throws: ``AccountSelectionError`` naming the first request that matches no watched
    ///   account, and saying so when it matches an account of another shard.
    public static func selectAccounts(_ requested: [String], in config: PalimpsestConfig) throws(AccountSelectionError)
        -> Set<AccountKey>
    {
        var selected: Set<AccountKey> = []
        let watched = config.watchedAccounts
        for request in requested {
            let matches = watched.filter { $0.key.rawValue == request || $0.name == request }
            guard !matches.isEmpty else {
                let elsewhere = config.accounts.contains { $0.key.rawValue == request || $0.name == request }
                throw AccountSelectionError(
                    request: request, shard: elsewhere ? config.daemon.shard?.description : nil)
            }
            selected.formUnion(matches.map(\.key))
        }
        return selected
    }

    /// An account asked for by `status --account` that this host does not watch.
    public struct AccountSelectionError: Error, CustomStringConvertible {
        /// The key or name asked for.
        public var request: String
        /// This host's shard (`k/n`) when the account is configured but another shard watches it.
        public var shard: String?

        /// The error for `request`; `shard` as ``shard`` says.
        public init(request: String, shard: String?) {
            self.request = request
            self.shard = shard
        }

        public var description: String {
            if let shard {
                return "--account \(request) is configured but not watched by shard \(shard); run status with "
                    + "--shard set to the shard that watches it (`palimpsest check-config --shard k/n` lists a shard's "
                    + "accounts)"
            }
            return "--account \(request) matches no configured account (by key or name); "
                + "`palimpsest check-config` lists the accounts the config watches"
        }
    }

    /// What ``gather(config:now:accounts:)`` reads of the store: every account's overview, the
    /// accounts whose state does not read, or why the store could not be read at all.
    private struct StoreRead: Sendable {
        var overviews: [AccountKey: StateStore.AccountOverview] = [:]
        var failures: [AccountKey: StoreError] = [:]
        var problem: String?
    }

    /// The last 7 days of the deletion log, per account: counted by the log index (only the blind
    /// events read from the log) or, without a usable index, read from the log and its rotated
    /// files.
    private struct RecentLogEvents: Sendable {
        /// Events per account other than deleted originals an account reposted (without the index).
        var weekly: [AccountKey: Int] = [:]
        /// Deleted originals an account reposted, per account (without the index).
        var repostedOriginals: [AccountKey: Int] = [:]
        /// The events whose spans the observed share needs (all of them without the index).
        var events: [AccountKey: [Event]] = [:]
        /// The index's counts, looked up once per account (not copied into three more
        /// dictionaries of every account first); `nil` without the index.
        var indexedCounts: [AccountKey: LogIndex.AccountCounts]?
    }

    /// The events of `config`'s deletion log since `since` (``RecentLogEvents``).
    /// - Throws: ``StoreError`` when the log exists but cannot be read (its rotated files are
    ///   read too: the last 7 days may span a rotation).
    private static func recentLogEvents(config: PalimpsestConfig, since: Date, accounts: Set<AccountKey>?) throws
        -> RecentLogEvents
    {
        var recent = RecentLogEvents()
        let logURL = config.daemon.deletionLog
        if let indexed = Self.recentThroughIndex(
            logURL: logURL, stateDirectory: config.daemon.stateDirectory, since: since, accounts: accounts)
        {
            // Counted by the index; only the blind events (their spans) are read from the log.
            recent.indexedCounts = indexed.counts
            for event in indexed.blind { recent.events[event.account, default: []].append(event) }
        } else if try FileSystem.exists(logURL.path) || !DeletionLogSet.rotatedFiles(of: logURL).isEmpty {
            for event in try DeletionLogSet.recentEvents(url: logURL, since: since) {
                recent.events[event.account, default: []].append(event)
                if event.isRepostedOriginalDeletion {
                    recent.repostedOriginals[event.account, default: 0] += 1
                } else {
                    recent.weekly[event.account, default: 0] += 1
                }
            }
        }
        return recent
    }

    /// How much of `since…now` the account was watched and not blind, the same way the digest
    /// counts coverage (``DigestCoverage``), and the gaps in which it was not polled at all,
    /// including a gap still open at `now` (no poll for longer than the gap limit).
    /// The per-account counts of the last 7 days from the ``LogIndex`` (caught up first), with
    /// the blind events among them read from the log; `nil` when the index cannot be used (the
    /// caller reads the log instead): `state_dir` not writable, or a line not as indexed.
    /// `accounts` limits the reads to the accounts shown (`nil`: every account).
    static func recentThroughIndex(
        logURL: URL, stateDirectory: URL, since cutoff: Date, accounts: Set<AccountKey>? = nil
    ) -> (counts: [AccountKey: LogIndex.AccountCounts], blind: [Event])? {
        do {
            let index = try LogIndex(stateDirectory: stateDirectory)
            try index.catchUp(logURL: logURL, progress: LogIndex.stderrProgress)
            let counts = try index.counts(since: cutoff, of: accounts)
            let blind = try LogIndex.events(
                of: try index.eventLines(kinds: [.blind], since: cutoff, of: accounts), logURL: logURL)
            return (counts, blind)
        } catch {
            return nil
        }
    }

    static func observation(
        of account: Account, state: AccountState?, events: [Event], jitter: Double, since: Date, now: Date,
        otherTimes: [Date] = []
    ) -> (Int?, [UnobservedGap]) {
        guard let state, let last = state.lastPoll?.at else { return (nil, []) }
        var events = events
        if let open = state.detection.blindSpan {
            // The open span's first event may be older than the window.
            var blind = Event(
                id: "", detectedAt: open.from, event: .blind, platform: account.platform, account: account.key)
            blind.blind = open
            events.append(blind)
        }
        let coverage = DigestBuilder.coverage(
            events: events, history: DigestAccountHistory(lastPollAt: last, pollSpans: state.pollSpans),
            week: DateInterval(start: since, end: now), expectedEnd: now, otherTimes: otherTimes)
        var gaps = coverage.unobserved.map { UnobservedGap(from: $0.from, to: $0.to) }
        let limit = PollSpan.gapLimit(interval: account.interval, jitter: jitter)
        let lastPoll = max(last, state.pollSpans?.last?.to ?? last)
        if now.timeIntervalSince(lastPoll) > limit { gaps.append(UnobservedGap(from: lastPoll, to: nil)) }
        return (coverage.observedSeconds, gaps)
    }

    /// The findings still being proved for the account that `store` holds, as
    /// ``Row/pending`` lists them.
    /// - Throws: ``StoreError`` when the account's state cannot be read.
    public static func pending(in store: AccountStore, settings: DetectionSettings, now: Date) throws
        -> [PendingFinding]
    {
        try store.loadState(AccountState.self)?.detection.pendingFindings(settings: settings, now: now) ?? []
    }

    /// The readable form: a header about the daemon, then a block per account.
    public func render() -> String {
        // One string, sized once, the lines appended with their separators (100,000 accounts make
        // over a million lines: an array of them joined at the end cost a string each).
        var text = ""
        text.reserveCapacity(1_024 + 400 * self.accounts.count)
        var first = true
        func append(_ line: String) {
            if first { first = false } else { text += "\n" }
            text += line
        }
        let d = self.daemon
        if d.running, let holder = d.lockHolder, holder == "palimpsest poll" {
            // A one-shot poll holds the lock: no daemon runs (a tester read "daemon: running").
            append(
                "daemon: not running; `\(TerminalText.singleLine(holder))`"
                    + (d.pid.map { " (PID \($0))" } ?? "") + " is using this state_dir now")
        } else if d.running {
            var head = "daemon: running"
            if let pid = d.pid { head += " (PID \(pid))" }
            if let phase = d.phase, phase != .running { head += ", \(phase.rawValue)" }
            if let started = d.startedAt { head += ", since \(RFC3339.string(from: started))" }
            append(head)
            if let summary = d.summary { append("        \(TerminalText.singleLine(summary))") }
            if let updated = d.updatedAt {
                append("        status written \(Self.ago(updated, from: self.generatedAt))")
            }
        } else {
            var head = "daemon: not running (no process holds \(self.stateDir)/\(StateDirectoryLock.fileName))"
            if let updated = d.updatedAt { head += "; last status written \(RFC3339.string(from: updated))" }
            append(head)
        }
        if let error = d.reloadError {
            append("        last reload rejected: \(TerminalText.singleLine(error))")
        }
        append("config: \(self.config)" + (self.shard.map { " (shard \($0))" } ?? ""))
        if let problem = self.configProblem {
            let accepted = self.runningConfigAcceptedAt.map { ", accepted \(RFC3339.string(from: $0))" } ?? ""
            append("        invalid on disk (\(problem))")
            append(
                "        shown: the config the daemon runs\(accepted) (\(self.stateDir)/\(RunningConfig.fileName))")
        }
        append("state:  \(self.stateDir)")
        if let problem = self.storeProblem {
            append(
                "        does not read: \(TerminalText.singleLine(problem)); every account below shows as never polled")
        }
        let waiting = self.accounts.compactMap(\.eventsWaiting)
        if !waiting.isEmpty {
            append(
                "log:    \(Plural.count(waiting.reduce(0, +), "event")) of "
                    + "\(Plural.count(waiting.count, "account")) not yet in the deletion log: it refuses appends "
                    + "(the daemon's messages say why: journalctl -u palimpsest -p warning); they are kept in the state "
                    + "and appended once it takes them")
        }
        // Each account's section rendered apart, in parts on the cores (at 100,000 accounts the
        // text is tens of MB), then joined in order: the same text as one pass.
        let sections = ParallelParts.map(self.accounts, minimumPerPart: 2_000) { rows in
            var part = ""
            part.reserveCapacity(400 * rows.count)
            for row in rows { self.appendSection(of: row, to: &part) }
            return part
        }
        for part in sections { text += part }
        return text
    }

    /// Appends `row`'s section of ``render()`` to `text`: a blank line, its key and name, then one
    /// line per field, the values one line each without control or bidirectional characters.
    private func appendSection(of row: Row, to text: inout String) {
        // A blank line, then the account's key and name (the header's lines come before).
        text += "\n\n"
        text += TerminalText.singleLine(row.account.rawValue)
        text += row.name.map { "  \"\(TerminalText.singleLine($0))\"" } ?? ""
        var rows: [(String, String)] = []
        if let problem = row.stateProblem {
            rows.append(("state", "does not read: \(problem)"))
        }
        if let waiting = row.eventsWaiting {
            rows.append(
                ("waiting", "\(Plural.count(waiting, "event")) not yet in the deletion log (kept in the state)"))
        }
        if let last = row.lastPoll {
            var text =
                "\(RFC3339.string(from: last.at)) (\(Self.ago(last.at, from: self.generatedAt))): \(last.outcome)"
            if !last.detail.isEmpty { text += ", \(last.detail)" }
            rows.append(("last poll", text))
        } else {
            rows.append(("last poll", "never"))
        }
        if row.polling {
            rows.append(("next poll", "polling now"))
        } else if let next = row.nextPoll {
            let wait = next.timeIntervalSince(self.generatedAt)
            rows.append(
                ("next poll", wait > 0 ? "in \(Self.duration(wait)) (\(RFC3339.string(from: next)))" : "due now"))
        } else {
            rows.append(("next poll", self.daemon.running ? "not scheduled yet" : "when the daemon runs"))
        }
        if let blind = row.blind {
            rows.append(
                (
                    "blind",
                    "since \(RFC3339.string(from: blind.from)) "
                        + "(\(Plural.count(blind.failedPolls, "failed poll")); last: "
                        + "\(blind.failure.kind.rawValue): \(blind.failure.message))"
                ))
        } else {
            rows.append(("blind", "no"))
        }
        if let moved = row.moved {
            rows.append(("moved", moved.summary))
        }
        rows.append(("posts", "\(row.postsTracked) tracked"))
        if row.pending.isEmpty {
            rows.append(("pending", "none"))
        } else {
            for (index, finding) in row.pending.enumerated() {
                rows.append(
                    (
                        index == 0 ? "pending" : "",
                        "\(finding.kind.rawValue) of post \(finding.postID) since "
                            + "\(RFC3339.string(from: finding.since)): \(finding.why)"
                    ))
            }
        }
        if let observed = row.observedSeconds7d {
            let share = DigestFormat.percent(Double(observed) / (7 * 86_400))
            rows.append(("observed", "\(share) of the last 7 days (\(Self.duration(Double(observed))))"))
        } else {
            rows.append(("observed", "no poll known yet"))
        }
        for (index, gap) in row.unobserved7d.enumerated() {
            let text =
                gap.to.map {
                    "no poll from \(RFC3339.string(from: gap.from)) to \(RFC3339.string(from: $0)) "
                        + "(\(Self.duration($0.timeIntervalSince(gap.from)))): not observed"
                }
                ?? "no poll since \(RFC3339.string(from: gap.from)) "
                + "(\(Self.ago(gap.from, from: self.generatedAt))): "
                + "not observed"
            rows.append((index == 0 ? "unwatched" : "", text))
        }
        rows.append(("events", "\(row.eventsThisWeek) in the last 7 days"))
        if row.repostedOriginalsDeleted > 0 {
            let count = row.repostedOriginalsDeleted
            rows.append(
                (
                    "reposts",
                    count == 1
                        ? "1 original this account reposted was deleted in the last 7 days (not its own post)"
                        : "\(count) originals this account reposted were deleted in the last 7 days (not its own posts)"
                ))
        }
        rows.append(
            ("worst case", "\(Self.duration(row.worstCaseDelay)) from a deletion to its log entry (by absence)"))
        let width = rows.map(\.0.count).max() ?? 0
        for (key, value) in rows {
            // Details quote platforms and names: one line, no control or bidirectional characters.
            text += "\n  "
            text += key
            for _ in 0..<(width - key.count + 2) { text += " " }
            text += TerminalText.singleLine(value)
        }
    }

    /// `3 min ago`, `2 h 5 min ago`.
    static func ago(_ date: Date, from now: Date) -> String {
        let seconds = now.timeIntervalSince(date)
        return seconds >= 0 ? "\(Self.duration(seconds)) ago" : "in \(Self.duration(-seconds))"
    }

    /// A rounded readable duration: `45 s`, `12 min`, `3 h 20 min`, `2 d 4 h`.
    static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total) s" }
        let minutes = total / 60
        if minutes < 60 { return "\(minutes) min" }
        let hours = minutes / 60
        if hours < 48 { return minutes % 60 == 0 ? "\(hours) h" : "\(hours) h \(minutes % 60) min" }
        return hours % 24 == 0 ? "\(hours / 24) d" : "\(hours / 24) d \(hours % 24) h"
    }
}
