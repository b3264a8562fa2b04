public import Foundation
public import Logging
import Synchronization

/// Polls one account once: fetch the timeline, snapshot it, diff it, probe candidates, confirm,
/// and write the events: state first, then the log (rule of evidence 7).
///
/// All platform knowledge lives in the adapter, all disk work in the store and the log (run on
/// ``BlockingIO``), all HTTP in the client. A failure of the network or of the platform is never an
/// error here: it becomes a blind span. Only a fault of this machine (state or log unwritable)
/// throws.
public struct AccountPoller: Sendable {
    public let client: any HTTPFetching
    public let adapters: AdapterRegistry
    public let stateStore: any StateStoring
    public let log: DeletionLog
    public let detection: DetectionSettings
    /// Snapshots kept per account besides the ones events cite.
    public let snapshotRetention: Int
    public let rateLimits: HostRateLimits
    /// The schedule's jitter fraction (`[daemon] jitter`): with an account's interval it sets the
    /// longest gap between two polls that still counts as watched (``PollSpan``).
    public let jitter: Double
    public let logger: Logger
    /// Testing only: what to do between the state write and the log append
    /// (``FaultPoint/beforeLogAppend``); `nil` in production.
    public let faults: (any FaultInjecting)?
    /// Told of the events each append wrote, right after the log took them (the alert outbox).
    public let afterAppend: (any LoggedEventsObserver)?

    public init(
        client: any HTTPFetching,
        adapters: AdapterRegistry = .standard,
        stateStore: any StateStoring,
        log: DeletionLog,
        detection: DetectionSettings,
        snapshotRetention: Int,
        rateLimits: HostRateLimits = HostRateLimits(),
        jitter: Double = DaemonSettings.defaultJitter,
        logger: Logger,
        faults: (any FaultInjecting)? = nil,
        afterAppend: (any LoggedEventsObserver)? = nil
    ) {
        self.afterAppend = afterAppend
        self.client = client
        self.adapters = adapters
        self.stateStore = stateStore
        self.log = log
        self.detection = detection
        self.snapshotRetention = snapshotRetention
        self.rateLimits = rateLimits
        self.jitter = jitter
        self.logger = logger
        // Without a plan of its own, the process's (none, but in the test-only fault harness).
        self.faults = faults ?? FaultInjection.current
    }

    /// Polls `account` once, as of `now` (UTC).
    ///
    /// A write that fails (the disk is full) loses nothing: the account's state that could not be
    /// saved stays in the ``StateStore``'s memory, events wait in the state until the log takes
    /// them, and every later poll of this process first writes what waits, then polls anyway, so a
    /// blind span that opened while the disk was full reaches the log with its true start once the
    /// disk has room again. Events go to the log only once the state that holds them is on disk
    /// (rule of evidence 7).
    /// - Returns: what the poll did and the events it logged.
    /// - Throws: ``PollWriteError`` when the poll ran but its results could not all be written
    ///   (it says what waits, and where); ``PollerError`` or ``StoreError`` when the account's state
    ///   cannot be read or its folder created. Nothing already stored is lost in either case.
    ///   `CancellationError` when the poll was cancelled (the daemon stops) while a request was in
    ///   flight: the poll then records nothing (no blind span, no inconclusive probe, no state
    ///   change); the answers already stored as evidence and the posts already archived stay.
    public func poll(_ account: Account, at now: Date) async throws -> PollReport {
        let report = try await self.pollAccount(account, at: now)
        if !report.probeHosts.isEmpty { await self.afterAppend?.probed(report.probeHosts) }
        return report
    }

    /// The poll driver: load → resolve → fetch → complete → detect → commit, with one exit.
    /// Each step either hands on to the next or ends the poll with a commit and its
    /// ``PollOutcome``.
    private func pollAccount(_ account: Account, at now: Date) async throws -> PollReport {
        let adapter = try self.adapters.adapter(for: account.platform)
        let loaded = try await self.load(account)
        var state = loaded.state
        let baseline = loaded.baseline
        // What an earlier poll could not write goes first. A disk still full does not stop this
        // poll: its own commit below tries the same writes again, with this poll's findings added.
        var logged: [Event] = []
        do {
            logged = try await self.appendPending(&state, baseline: baseline, account: account, at: now)
        } catch let error as PollWriteError {
            self.logger.warning(
                """
                an earlier poll's findings are not written yet; polling anyway, the write is tried again when \
                this poll is committed
                """,
                metadata: ["account.key": "\(account.key)", "error": "\(error)"])
        }
        // The cookie file is read at every poll, so renewed cookies need no reload. An account
        // without one (all but Weibo's) skips the hop to the blocking-I/O queue.
        let cookie =
            CookieFile.url(for: account) == nil ? nil : try await BlockingIO.run { try CookieFile.cookie(for: account) }
        var session = PollSession(
            poller: self, adapter: adapter, account: account, store: self.stateStore, baseline: baseline, now: now,
            cookie: cookie)
        let outcome = try await self.drive(adapter: adapter, state: &state, session: &session, logged: &logged)
        return session.report(state: state, events: logged, outcome: outcome)
    }

    /// Reads the account's state. A WAL read: never waits for the store's writer. Of an account
    /// that was quiet when its state was last written only the quiet fields are read
    /// (``StateStoring/loadQuietState(of:)``): an unchanged answer, the usual end of its poll, needs
    /// nothing else (the whole state is read when anything else happens, ``loadTrackedPosts``).
    private func load(_ account: Account) async throws -> (state: AccountState, baseline: CommitBaseline) {
        let store = self.stateStore
        let key = account.key
        var loaded: AccountState?
        var hasTrackedPosts = true
        var quiet: AccountState?
        if Self.oneAnswerPlatforms.contains(account.platform) {
            // Read ahead by the cycle (``prefetchQuietStates(of:)``): taken here, without a hop to
            // the blocking-I/O queue and back; `.some(nil)`: read ahead, not quiet.
            if let prefetched = store.takePrefetchedQuietState(of: key) {
                quiet = prefetched
            } else {
                quiet = try await BlockingIO.runConcurrently { try store.loadQuietState(of: key) }
            }
        }
        if let quiet {
            loaded = quiet
            hasTrackedPosts = false
        } else {
            loaded = try await BlockingIO.runConcurrently { try store.loadState(of: key) }
        }
        var state = loaded ?? AccountState(account: account.key)
        let baseline = CommitBaseline(loaded, hasTrackedPosts: hasTrackedPosts)
        if !state.pendingEvents.isEmpty { try await self.loadTrackedPosts(&state, key: key, baseline: baseline) }
        return (state, baseline)
    }

    /// Reads the quiet fields of those of `accounts` whose platform may end a poll with an unchanged
    /// answer in one statement, for their polls' ``load(_:)``
    /// (``StateStoring/prefetchQuietStates(of:)``: the caller makes sure nothing else writes
    /// their states before). A read that fails is left to each poll, which reads alone and reports
    /// its own error.
    public func prefetchQuietStates(of accounts: [Account]) async {
        let keys = accounts.filter { Self.oneAnswerPlatforms.contains($0.platform) }.map(\.key)
        guard !keys.isEmpty else { return }
        let store = self.stateStore
        _ = try? await BlockingIO.runConcurrently { try store.prefetchQuietStates(of: keys) }
    }

    /// The steps of one poll, in order; each `return` is a committed end.
    private func drive(
        adapter: any PlatformAdapter, state: inout AccountState, session: inout PollSession, logged: inout [Event]
    ) async throws -> PollOutcome {
        // 1. Resolve the account's internal ID once.
        switch try await self.resolve(adapter: adapter, state: &state, session: &session) {
        case .resolved: break
        case .failed(let failure):
            return try await self.commitFailure(failure, state: &state, session: session, logged: &logged)
        case .accountUnavailable(let reason, let detail):
            return try await self.commitAccountUnavailable(
                reason: reason, detail: detail, evidence: session.evidence, state: &state, session: session,
                logged: &logged)
        }
        // 2. Fetch the timeline window, page after page where the platform pages.
        let fetched: FetchedTimeline
        switch try await self.fetchTimeline(adapter: adapter, state: &state, session: &session) {
        case .failed(let failure):
            return try await self.commitFailure(failure, state: &state, session: session, logged: &logged)
        case .unchanged(let unchanged):
            return try await self.commitUnchanged(unchanged, state: &state, session: session)
        case .fetched(let timeline):
            fetched = timeline
        }
        // 3. Read it, and complete posts the timeline gave only in part.
        var reading = self.read(fetched, adapter: adapter, session: session)
        reading = try await self.complete(reading, adapter: adapter, state: &state, session: &session)
        // 4. Detect and commit.
        let context = AdapterContext(resolvedID: state.resolvedID)
        switch reading.outcome {
        case .failed(let failure):
            return try await self.commitFailure(failure, state: &state, session: session, logged: &logged)
        case .accountUnavailable(let reason, let detail):
            return try await self.confirmAccountUnavailable(
                reason: reason, detail: detail, responses: fetched.responses, adapter: adapter, context: context,
                state: &state, session: &session, logged: &logged)
        case .observed(let posts, let isComplete):
            let observation = Observation(
                account: session.account.key, polledAt: session.now, posts: posts, isComplete: isComplete,
                evidence: session.evidence,
                signals: Self.listingSignals(of: fetched.responses, updatedAt: reading.updatedAt))
            return try await self.commitObservation(
                observation, adapter: adapter, state: &state, session: &session, leftOut: reading.leftOut,
                logged: &logged)
        }
    }

    // MARK: - Steps

    /// What the account lookup gave.
    private enum Resolution {
        case resolved
        case failed(PollFailure)
        case accountUnavailable(Reason, detail: String)
    }

    /// Step 1: resolves the account's internal ID when the platform needs one and it is not known.
    private func resolve(adapter: any PlatformAdapter, state: inout AccountState, session: inout PollSession)
        async throws -> Resolution
    {
        let account = session.account
        let context = AdapterContext(resolvedID: state.resolvedID)
        guard let request = adapter.resolutionRequest(for: account, context: context) else { return .resolved }
        let response: HTTPResponse
        switch try await session.send(request, timeline: false, state: &state) {
        case .failure(let failure): return .failed(failure)
        case .success(let answer): response = answer
        }
        session.noteMove(of: response, state: &state)
        var resolution = adapter.interpretResolution(response, for: account)
        if !response.isAnsweredByRequestedHost {
            // Rule of evidence 8: another host's lookup neither names the account's ID nor
            // says it is gone.
            var reading: PollFailure?
            if case .failed(let failure) = resolution { reading = failure }
            resolution = .failed(
                Self.failure(
                    for: response, reading: reading,
                    otherHost: session.otherHostFailure(response, what: "account lookup")))
        }
        switch resolution {
        case .resolved(let id):
            state.resolvedID = id
            return .resolved
        case .failed(let failure):
            return .failed(failure)
        case .accountUnavailable(let reason, let detail):
            return .accountUnavailable(reason, detail: detail)
        }
    }

    /// The timeline answers of one poll.
    private struct FetchedTimeline {
        var responses: [HTTPResponse]
        /// The answer that came from another host, if one did: the fetch stopped there.
        var otherHostAnswer: HTTPResponse?
    }

    private enum Fetch {
        case fetched(FetchedTimeline)
        case unchanged(UnchangedObservation)
        case failed(PollFailure)
    }

    /// Step 2: fetches the timeline window, page after page where the platform pages. A quiet
    /// account's unchanged answer ends the poll here (item 5 of the throughput issue).
    private func fetchTimeline(adapter: any PlatformAdapter, state: inout AccountState, session: inout PollSession)
        async throws -> Fetch
    {
        let account = session.account
        let context = AdapterContext(resolvedID: state.resolvedID)
        var requests = adapter.timelineRequests(for: account, context: context)
        var fetched = FetchedTimeline(responses: [])
        var pageIndex = 0
        // A state read as its quiet fields was quiet when written (the store's `quiet` flag), and
        // nothing before this step changes what made it quiet but a pending event or a move.
        let quiet =
            session.baseline.hasTrackedPosts
            ? Self.isQuiet(state, platform: account.platform)
            : Self.oneAnswerPlatforms.contains(account.platform) && state.pendingEvents.isEmpty && state.moved == nil
        session.mayEndUnchanged = requests.count == 1 && quiet
        while !requests.isEmpty {
            let request = requests.removeFirst()
            let response: HTTPResponse
            switch try await session.send(request, timeline: true, state: &state) {
            case .failure(let failure): return .failed(failure)
            case .success(let answer): response = answer
            }
            fetched.responses.append(response)
            session.noteMove(of: response, state: &state)
            if !response.isAnsweredByRequestedHost {
                // No next page from another host's answer, and no observation (``read``).
                fetched.otherHostAnswer = response
                break
            }
            if let unchanged = session.unchanged { return .unchanged(unchanged) }
            if requests.isEmpty,
                let next = adapter.nextPageRequest(
                    after: response, pageIndex: pageIndex, for: account, context: context)
            {
                pageIndex += 1
                requests.append(next)
            }
        }
        return .fetched(fetched)
    }

    /// The adapter's reading of the timeline, as the poll takes it.
    private struct Reading {
        var outcome: TimelineOutcome
        /// The listing's own date of its last change (``TimelineReading/updatedAt``).
        var updatedAt: Date?
        /// Posts of the answer left out by `max_items`.
        var leftOut = 0
    }

    /// Step 3a: the adapter reads the answers; another host's answer is no observation, and only
    /// the newest `max_items` posts are kept.
    private func read(_ fetched: FetchedTimeline, adapter: any PlatformAdapter, session: PollSession) -> Reading {
        let account = session.account
        let reading = adapter.read(fetched.responses, for: account, polledAt: session.now)
        var outcome = reading.outcome
        if let answer = fetched.otherHostAnswer {
            // Rule of evidence 8: a timeline answered by another host is never evidence about the
            // posts of the host asked (no observation, no diff) nor an account event.
            var failure: PollFailure?
            if case .failed(let read) = outcome { failure = read }
            outcome = .failed(
                Self.failure(
                    for: answer, reading: failure, otherHost: session.otherHostFailure(answer, what: "timeline")))
        }
        // Keep at most `max_items` posts, from the newest end, before anything is done with them
        // (completions, the snapshot, the diff): the window is that of the posts kept.
        var leftOut = 0
        if case .observed(let posts, let isComplete) = outcome, posts.count > account.maxItems {
            let kept = TimelineWindow.keepingNewest(posts, limit: account.maxItems)
            leftOut = posts.count - kept.count
            outcome = .observed(posts: kept, isComplete: isComplete)
        }
        return Reading(outcome: outcome, updatedAt: reading.updatedAt, leftOut: leftOut)
    }

    /// Step 3b: completes posts the timeline gave only in part; a failed completion marks the post
    /// truncated (never an edit), it does not fail the poll.
    private func complete(
        _ reading: Reading, adapter: any PlatformAdapter, state: inout AccountState, session: inout PollSession
    ) async throws -> Reading {
        guard case .observed(let posts, let isComplete) = reading.outcome else { return reading }
        let completions = adapter.completionRequests(for: posts, of: session.account)
        guard !completions.isEmpty else { return reading }
        var answers: [String: HTTPResponse] = [:]
        for (postID, request) in completions.sorted(by: { $0.key < $1.key }) {
            if case .success(let response) = try await session.send(request, timeline: false, state: &state),
                response.isSuccess, response.isAnsweredByRequestedHost
            {
                answers[postID] = response
            }
        }
        var completed = reading
        completed.outcome = .observed(
            posts: adapter.complete(posts, with: answers, of: session.account), isComplete: isComplete)
        return completed
    }

    /// Step 4 when the timeline says the account is gone. Rule of evidence 4: where the platform
    /// asks after the account at another address than the timeline's (Mastodon's lookup beside
    /// its statuses), the timeline's word alone is not the account's answer (one 404 of the
    /// statuses is no deleted account): the account probe, made now, decides.
    private func confirmAccountUnavailable(
        reason: Reason, detail: String, responses: [HTTPResponse], adapter: any PlatformAdapter,
        context: AdapterContext, state: inout AccountState, session: inout PollSession, logged: inout [Event]
    ) async throws -> PollOutcome {
        let account = session.account
        guard let request = adapter.accountProbeRequest(for: account, context: context),
            !adapter.timelineRequests(for: account, context: context).contains(where: { $0.url == request.url })
        else {
            return try await self.commitAccountUnavailable(
                reason: reason, detail: detail, evidence: session.evidence, state: &state, session: session,
                logged: &logged)
        }
        let probe = try await session.probeAccount(request, adapter: adapter, state: &state)
        let evidence = session.evidence + (probe.evidence.map { [$0] } ?? [])
        switch probe.verdict {
        case .unavailable(let probedReason, let probedDetail):
            return try await self.commitAccountUnavailable(
                reason: probedReason, detail: "\(probedDetail); the timeline answered \(detail)",
                evidence: evidence.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }, state: &state,
                session: session, logged: &logged)
        case .available, .inconclusive:
            let lookup: String
            if case .inconclusive(let why) = probe.verdict {
                lookup = "its account probe proved nothing (\(why))"
            } else {
                lookup = "its account probe answers that the account is there"
            }
            let failure = PollFailure(
                kind: .httpStatus,
                message: "the timeline of \(account.key) answered \(detail) (\(reason.rawValue)), but "
                    + "\(lookup): not taken as the account's answer; the next poll looks again (if it lasts, "
                    + "check the account's address in the configuration)",
                url: responses.first?.url.absoluteString, httpStatus: responses.first?.status)
            return try await self.commitFailure(failure, state: &state, session: session, logged: &logged)
        }
    }

    /// The blind failure for an account answer that came from another host: the adapter's own
    /// reading when it is a login wall or a rate limit (those say what to do) and the address did
    /// not move permanently, else `otherHost`.
    private static func failure(for response: HTTPResponse, reading: PollFailure?, otherHost: PollFailure)
        -> PollFailure
    {
        if let reading, reading.kind == .gated || reading.kind == .rateLimited,
            response.permanentMoveToOtherHost == nil
        {
            return reading
        }
        return otherHost
    }

    private func commitObservation(
        _ observation: Observation,
        adapter: any PlatformAdapter,
        state: inout AccountState,
        session: inout PollSession,
        leftOut: Int = 0,
        logged: inout [Event]
    ) async throws -> PollOutcome {
        try await self.loadTrackedPosts(&state, key: session.account.key, baseline: session.baseline)
        // An answer that is not on disk is no evidence: nothing is derived from this poll, the state
        // stays as it was, and the next poll observes the account again.
        if let fault = session.evidenceFault {
            throw self.writeError(fault, stage: .observation, state: state, account: session.account, at: session.now)
        }
        // Versions stored under older normalisation rules are read again first (no phantom edit).
        let adopted = state.detection.adoptRenormalizedVersions(
            of: observation.posts, account: session.account, adapter: adapter)
        if !adopted.isEmpty {
            self.logger.info(
                "stored post versions read again with today's normalisation: same content, no edit",
                metadata: ["account.key": "\(session.account.key)", "posts": "\(adopted.count)"])
        }
        let diff = WindowDiffer.diff(state: state.detection, observation: observation, settings: self.detection)
        // Re-keyed posts keep their former IDs in the archive row of their new ID.
        let formerIDs = Dictionary(
            diff.migrations.map { ($0.current.id, $0.previous.formerIDs + [$0.previous.post.id]) },
            uniquingKeysWith: { first, _ in first })
        // The snapshot (and the archive rows of its new post versions) is written with this poll's
        // commit below, in the same transaction as the state that cites it.
        let snapshotID: String
        let encodedPosts: [StateStore.EncodedPost]
        do {
            (snapshotID, encodedPosts) = try StateStore.encodedSnapshot(of: observation, account: session.account.key)
        } catch {
            throw self.writeError(error, stage: .observation, state: state, account: session.account, at: session.now)
        }
        let stored = StoredObservation(
            observation: observation, id: snapshotID, formerIDs: formerIDs, encodedPosts: encodedPosts)
        guard observation.isComplete else {
            // Rule of evidence 2: only a complete snapshot is diffed.
            state.lastPoll = PollRecord(
                at: observation.polledAt, outcome: PollOutcome.incomplete.recordName,
                detail: "incomplete window: not diffed", posts: observation.posts.count)
            logged += try await self.commit(events: [], state: &state, session: session, observation: stored)
            return .incomplete
        }

        let context = AdapterContext(resolvedID: state.resolvedID)
        var probes: [String: ProbeResult] = [:]
        var unprobeable: Set<String> = []
        var accountProbe: AccountProbeResult?
        if diff.isMassDisappearance {
            if let request = adapter.accountProbeRequest(for: session.account, context: context) {
                accountProbe = try await session.probeAccount(request, adapter: adapter, state: &state)
            }
        } else {
            // Candidates to confirm as deleted, and deleted posts listed again to confirm as restored.
            // A probe that is one of the timeline's own requests (a watched page) is no second
            // witness: the detector counts its answers across polls instead.
            let timelineURLs = Set(adapter.timelineRequests(for: session.account, context: context).map(\.url))
            for tracked in diff.candidates + diff.reappeared {
                guard let request = adapter.probeRequest(for: tracked.post, of: session.account, context: context)
                else {
                    unprobeable.insert(tracked.post.id)
                    continue
                }
                var result = try await session.probe(request, post: tracked.post, adapter: adapter, state: &state)
                result.repeatsTimeline = timelineURLs.contains(request.url)
                probes[tracked.post.id] = result
            }
        }

        let outcome = Confirmer.apply(
            state: state.detection, diff: diff, observation: observation, snapshotID: snapshotID, probes: probes,
            unprobeable: unprobeable, accountProbe: accountProbe, account: session.account, settings: self.detection)
        state.detection = outcome.state
        let candidates = diff.candidates.count
        var detail = "\(Plural.count(observation.posts.count, "post")) in window"
        if leftOut > 0 {
            detail += " (max_items \(session.account.maxItems): older posts of the answer not kept)"
        }
        if candidates > 0 { detail += ", \(candidates) missing (\(session.probesSent) probed)" }
        if !diff.reappeared.isEmpty {
            detail += ", \(Plural.count(diff.reappeared.count, "deleted post")) listed again (restore unproved)"
        }
        if !outcome.migrations.isEmpty {
            detail += ", \(outcome.migrations.count) re-keyed (same content under a new ID)"
            self.logger.notice(
                "posts changed ID with unchanged content and date: tracked under the new IDs",
                metadata: [
                    "account.key": "\(session.account.key)", "posts": "\(outcome.migrations.count)",
                    "post.ids": "\(outcome.migrations.prefix(5).map { "\($0.previous.post.id) -> \($0.current.id)" })",
                ])
        }
        if diff.isMassDisappearance { detail += ", mass disappearance: account probed" }
        if let stale = diff.staleReason {
            detail += ", stale answer (\(stale)): only probe answers count, absence does not"
        }
        let pollOutcome: PollOutcome
        if let failure = outcome.failure {
            self.logger.warning(
                "account blind",
                metadata: [
                    "account.key": "\(session.account.key)", "account.name": "\(session.account.displayName)",
                    "failure": "\(failure)",
                ])
            pollOutcome = .blind(failure)
            state.lastPoll = PollRecord(
                at: observation.polledAt, outcome: pollOutcome.recordName, detail: failure.description)
        } else {
            pollOutcome = .complete
            state.lastPoll = PollRecord(
                at: observation.polledAt, outcome: pollOutcome.recordName, detail: detail,
                posts: observation.posts.count)
        }
        logged += try await self.commit(events: outcome.events, state: &state, session: session, observation: stored)
        return pollOutcome
    }

    /// Platforms whose timeline is one request and no further page: their first answer is the
    /// whole window, so an unchanged answer means an unchanged window.
    static let oneAnswerPlatforms: Set<Platform> = [.feed, .mastodon, .url]

    /// Whether an unchanged timeline answer may end the poll early: nothing is in progress that
    /// this poll must count (docs/evidence.md, rules 3 and 6): no open blind span to close, the
    /// account available, no deletion or restore candidate waiting for a fresh miss or listing, no
    /// event waiting for the log, a complete snapshot to compare with, no move to another host.
    static func isQuiet(_ state: AccountState, platform: Platform) -> Bool {
        Self.oneAnswerPlatforms.contains(platform) && state.isQuiet
    }

    /// Reads the whole state (tracked posts, the detector's memory, cited records) when the poll
    /// began with the store's quiet fields alone (``StateStoring/loadQuietState(of:)``): every step
    /// but the early end of an unchanged answer needs it, and every commit but that one writes it.
    /// What this poll changed so far, all of it in the quiet fields, stays
    /// (``AccountState/withQuietFields(of:)``).
    private func loadTrackedPosts(_ state: inout AccountState, key: AccountKey, baseline: CommitBaseline)
        async throws
    {
        guard !baseline.hasTrackedPosts else { return }
        let store = self.stateStore
        let stored = try await BlockingIO.runConcurrently { try store.loadState(of: key) }
        state = (stored ?? AccountState(account: key)).withQuietFields(of: state)
        baseline.setStored(stored)
    }

    /// Ends a poll whose timeline answer was a `304 Not Modified` or the body seen last: no parse,
    /// no diff, no snapshot, no state written; only the account's run of unchanged polls (one small
    /// row, updated in place) in the batch of the store's writer. The new `last_poll` and the
    /// validators the answer left are read back from that row (``UnchangedRun/applied(to:)``).
    private func commitUnchanged(
        _ unchanged: UnchangedObservation, state: inout AccountState, session: PollSession
    ) async throws -> PollOutcome {
        state.lastPoll = PollRecord.unchanged(at: session.now, status: unchanged.status, after: state.lastPoll)
        state.validators[unchanged.url] = unchanged.validators
        // A run of unchanged polls extends the watched span it follows (``UnchangedRun/applied(to:)``),
        // so it may only follow one within the gap limit. After a longer gap (the daemon was
        // stopped) the state is written: a new span starts, and the gap stays unobserved time.
        let gapLimit = PollSpan.gapLimit(interval: session.account.interval, jitter: self.jitter)
        guard let spanEnd = state.pollSpans?.last?.to, session.now.timeIntervalSince(spanEnd) <= gapLimit else {
            _ = try await self.commit(events: [], state: &state, session: session)
            return .unchanged
        }
        state.recordPoll(at: session.now, gapLimit: gapLimit)
        do {
            try await self.stateStore.commit(
                StateCommit(
                    account: session.account.key, before: session.baseline.state, state: nil, unchanged: unchanged))
        } catch {
            throw self.writeError(error, stage: .state, state: state, account: session.account, at: session.now)
        }
        return .unchanged
    }

    /// The listing's own dates: the format's own (`updatedAt`, e.g. a feed's `lastBuildDate`), and
    /// the HTTP `Last-Modified` and `ETag` of the first timeline answer.
    static func listingSignals(of responses: [HTTPResponse], updatedAt: Date?) -> ListingSignals? {
        guard let first = responses.first else { return nil }
        return ListingSignals(
            updatedAt: updatedAt, lastModified: first.headers["Last-Modified"].flatMap { HTTPDate.parse($0) },
            etag: first.headers["ETag"])
    }

    private func commitFailure(
        _ failure: PollFailure, state: inout AccountState, session: PollSession, logged: inout [Event]
    ) async throws -> PollOutcome {
        try await self.loadTrackedPosts(&state, key: session.account.key, baseline: session.baseline)
        let outcome = Confirmer.recordFailure(
            state: state.detection, failure: failure, at: session.now, account: session.account)
        state.detection = outcome.state
        let pollOutcome = PollOutcome(failure: failure)
        state.lastPoll = PollRecord(at: session.now, outcome: pollOutcome.recordName, detail: failure.description)
        if outcome.events.isEmpty {
            self.logger.debug(
                "account still blind", metadata: ["account.key": "\(session.account.key)", "failure": "\(failure)"])
        } else {
            self.logger.warning(
                "account blind",
                metadata: [
                    "account.key": "\(session.account.key)", "account.name": "\(session.account.displayName)",
                    "failure": "\(failure)",
                ])
        }
        logged += try await self.commit(events: outcome.events, state: &state, session: session)
        return pollOutcome
    }

    private func commitAccountUnavailable(
        reason: Reason, detail: String, evidence: [EvidenceReference], state: inout AccountState,
        session: PollSession, logged: inout [Event]
    ) async throws -> PollOutcome {
        try await self.loadTrackedPosts(&state, key: session.account.key, baseline: session.baseline)
        if let fault = session.evidenceFault {
            throw self.writeError(fault, stage: .observation, state: state, account: session.account, at: session.now)
        }
        let outcome = Confirmer.recordAccountUnavailable(
            state: state.detection, reason: reason, detail: detail, at: session.now, evidence: evidence,
            account: session.account)
        state.detection = outcome.state
        state.lastPoll = PollRecord(
            at: session.now, outcome: PollOutcome.accountUnavailable(reason).recordName,
            detail: "\(reason.rawValue): \(detail)")
        logged += try await self.commit(events: outcome.events, state: &state, session: session)
        return .accountUnavailable(reason)
    }

    /// Commits the poll (its snapshot, archive rows and state, with `events` as pending) and waits
    /// until the store has it on disk; then appends the events to the log (fsync) and commits the
    /// state again without them. A crash at any point leaves either no trace (the transaction did
    /// not commit: the next poll finds the events again, same deterministic IDs) or pending events
    /// the next poll appends exactly once (the log skips IDs it holds). A failed commit (disk full)
    /// leaves the state in the store's memory, or the events pending in the stored state: see
    /// ``PollWriteError``.
    private func commit(
        events: [Event], state: inout AccountState, session: PollSession, observation: StoredObservation? = nil
    ) async throws -> [Event] {
        // Never a state without its tracked posts (each path above but an unchanged answer after a
        // gap has read them already); read before the poll is recorded in the watched spans, of
        // which the quiet fields hold only the last.
        try await self.loadTrackedPosts(&state, key: session.account.key, baseline: session.baseline)
        // Every poll that ran, whatever its outcome, is watched time (a blind one is subtracted
        // as a blind span); a gap longer than the limit is not.
        state.recordPoll(
            at: session.now, gapLimit: PollSpan.gapLimit(interval: session.account.interval, jitter: self.jitter))
        // Texts longer than `event_text_limit` are cut in the event (the archive keeps them whole).
        let limit = self.detection.eventTextLimit
        var events = events.map { $0.cappingText(toBytes: limit) }
        if !events.isEmpty {
            // The log cites records no collection of the spool ever removes: copied to the
            // permanent WARC files first. Without that copy nothing is derived from this poll.
            let store = self.stateStore
            let cited = events
            do {
                events = try await BlockingIO.run { try store.promoteEvidence(of: cited) }
            } catch {
                throw self.writeError(
                    error, stage: .observation, state: state, account: session.account, at: session.now)
            }
        }
        state.pendingEvents += events
        for event in events {
            if let snapshot = event.snapshot { state.citedSnapshots.insert(snapshot) }
            for evidence in event.evidence { state.citedEvidence.insert(evidence.sha256) }
        }
        let saved = state
        var commit = StateCommit(
            account: session.account.key, before: session.baseline.state, state: saved,
            snapshot: observation?.observation, snapshotID: observation?.id, formerIDs: observation?.formerIDs ?? [:],
            citedSnapshots: observation == nil ? nil : saved.citedSnapshots, keepSnapshots: self.snapshotRetention)
        commit.encodedPosts = observation?.encodedPosts ?? []
        do {
            try await self.stateStore.commit(commit)
        } catch {
            throw self.writeError(error, stage: .state, state: saved, account: session.account, at: session.now)
        }
        session.baseline.state = saved
        if let faults = self.faults, !events.isEmpty {
            try faults.reached(.beforeLogAppend, account: saved.account)
        }
        return try await self.appendPending(
            &state, baseline: session.baseline, account: session.account, at: session.now)
    }

    /// Appends the state's pending events to the log (skipping those already there) and clears them.
    /// Events only go to the log from a state that is on disk: a state a failed commit left in the
    /// store's memory is written first (rule of evidence 7: a crash must never leave the log with
    /// events the state on disk does not know).
    private func appendPending(
        _ state: inout AccountState, baseline: CommitBaseline, account: Account, at now: Date
    ) async throws -> [Event] {
        guard !state.pendingEvents.isEmpty else { return [] }
        try await self.loadTrackedPosts(&state, key: account.key, baseline: baseline)
        if self.stateStore.hasUnsavedState(account.key) {
            let saved = state
            do {
                try await self.stateStore.commit(StateCommit(account: account.key, before: nil, state: saved))
            } catch {
                throw self.writeError(error, stage: .state, state: saved, account: account, at: now)
            }
            baseline.state = saved
        }
        let pending = state.pendingEvents
        let log = self.log
        let written: [Event]
        do {
            // Registered before the hop to the blocking-I/O queue, so that one write takes every
            // poll's events that wait by then (``DeletionLog/queueAppend(_:)``).
            let request = log.queueAppend(pending)
            written = try await BlockingIO.run { try log.appendQueued(request) }
        } catch {
            throw self.writeError(error, stage: .log, state: state, account: account, at: now)
        }
        for event in written {
            var metadata: Logger.Metadata = [
                "account.key": "\(event.account)", "event.id": "\(event.id)", "event.type": "\(event.event.rawValue)",
                "event.reason": "\(event.reason?.rawValue ?? "-")", "event.seq": "\(event.seq ?? 0)",
            ]
            if let post = event.postID { metadata["post.id"] = "\(post)" }
            self.logger.notice("logged an event", metadata: metadata)
        }
        if !written.isEmpty { await self.afterAppend?.logged(written) }
        state.pendingEvents = []
        // Every pending event is in the log now, whether this append wrote it or an earlier one
        // that failed half-way or was followed by a crash; each is counted once, as it leaves.
        state.countEventsLogged(Set(pending.map(\.id)).count)
        let saved = state
        do {
            try await self.stateStore.commit(
                StateCommit(account: account.key, before: baseline.state, state: saved))
        } catch {
            throw self.writeError(error, stage: .state, state: saved, account: account, at: now)
        }
        baseline.state = saved
        return written
    }

    /// `error` as a ``PollWriteError`` saying what waits where, when it is a failed write.
    private func writeError(
        _ error: any Error, stage: PollWriteError.Stage, state: AccountState, account: Account, at now: Date
    ) -> any Error {
        guard let cause = error as? StoreError else { return error }
        return PollWriteError(
            account: account.key, accountName: account.name, polledAt: now, stage: stage, cause: cause,
            pendingEvents: state.pendingEvents.count, blindSpan: state.detection.blindSpan)
    }

}

/// The state as last committed by a poll (or as loaded): what the store diffs the next commit
/// against, so that only changed tracked posts are written.
final class CommitBaseline: Sendable {
    private let value: Mutex<(state: AccountState?, hasTrackedPosts: Bool)>

    /// - Parameters:
    ///   - state: the state as loaded.
    ///   - hasTrackedPosts: `false` when only its quiet fields were loaded (a quiet account).
    init(_ state: AccountState?, hasTrackedPosts: Bool = true) {
        self.value = Mutex((state, hasTrackedPosts))
    }

    var state: AccountState? {
        get { self.value.withLock { $0.state } }
        set { self.value.withLock { $0.state = newValue } }
    }

    /// Whether ``state`` is the whole stored state, its tracked posts included; `false` while it is
    /// the quiet fields alone (``StateStoring/loadQuietState(of:)``).
    var hasTrackedPosts: Bool { self.value.withLock { $0.hasTrackedPosts } }

    /// The stored state read again with its tracked posts.
    func setStored(_ state: AccountState?) {
        self.value.withLock { $0 = (state, true) }
    }
}

/// An observation to store with the poll's commit.
struct StoredObservation: Sendable {
    var observation: Observation
    /// ``StateStore/snapshotID(of:account:path:)`` of ``observation``.
    var id: String
    var formerIDs: [String: [String]]
    /// The posts of ``observation`` as encoded for ``id`` (the commit stores their versions).
    var encodedPosts: [StateStore.EncodedPost]
}
