public import Foundation

/// A classified answer to one post's probe, with the stored raw answer that proves it.
public struct ProbeResult: Sendable, Hashable {
    /// Exists, tombstone (with reason) or inconclusive.
    public var verdict: ProbeVerdict
    /// The stored raw answer, cited by a `deleted` event.
    public var evidence: EvidenceReference?
    /// True when the probe was the same request as one of the poll's timeline requests (a watched
    /// page is its own probe): its answer is then no second witness. A tombstone counts like a miss
    /// and confirms only once seen in ``DetectionSettings/confirmPolls`` polls spanning
    /// ``DetectionSettings/confirmMinAge``; "exists" counts like a listing for a restore (rules of
    /// evidence 3 and 6).
    public var repeatsTimeline: Bool

    /// Creates a probe result.
    public init(verdict: ProbeVerdict, evidence: EvidenceReference? = nil, repeatsTimeline: Bool = false) {
        self.verdict = verdict
        self.evidence = evidence
        self.repeatsTimeline = repeatsTimeline
    }

    /// True for a tombstone answered by the timeline's own request.
    var isTimelineTombstone: Bool {
        guard self.repeatsTimeline, case .tombstone = self.verdict else { return false }
        return true
    }
}

/// A classified answer to an account probe, with the stored raw answer that proves it.
public struct AccountProbeResult: Sendable, Hashable {
    /// Available, unavailable (with reason) or inconclusive.
    public var verdict: AccountVerdict
    /// The stored raw answer, cited by an `account_unavailable` event.
    public var evidence: EvidenceReference?

    /// Creates an account probe result.
    public init(verdict: AccountVerdict, evidence: EvidenceReference? = nil) {
        self.verdict = verdict
        self.evidence = evidence
    }
}

/// The detector's new memory and the events to append to the deletion log, in order.
public struct DetectionOutcome: Sendable, Hashable {
    /// The state to save (after the events are logged, or with them: the event IDs are
    /// deterministic, so a restart can tell which were written).
    public var state: DetectionState
    /// Events in the order they should be logged.
    public var events: [Event]
    /// Re-keyed posts now tracked under their new IDs (no event: the archive and the operator
    /// log record them).
    public var migrations: [PostMigration]
    /// Set when the observation was judged a failed poll after all (a mass disappearance the
    /// account probe could not explain): the poll is blind, and this says why.
    public var failure: PollFailure?

    /// Creates an outcome.
    public init(
        state: DetectionState, events: [Event], migrations: [PostMigration] = [], failure: PollFailure? = nil
    ) {
        self.state = state
        self.events = events
        self.migrations = migrations
        self.failure = failure
    }
}

/// Turns diffs, probe answers and failures into events (rules of evidence 1–7). Pure: time comes
/// from the observation or the `at` parameters.
public enum Confirmer {
    /// Applies one complete observation: updates tracked posts, confirms candidates with probe
    /// answers, and returns the `altered`, `restored`, `deleted`, `account_unavailable`,
    /// `account_restored` and closing `blind` events it proves.
    ///
    /// - An incomplete observation, or a snapshot ID already applied (``DetectionState/lastComplete``),
    ///   changes nothing and yields no event.
    /// - Any complete observation closes an open blind span (one `blind` event with `to` set).
    /// - A mass disappearance yields no post event: an account probe answering unavailable gives
    ///   one `account_unavailable` (not again while it stays so); available, or `nil` (the
    ///   platform has no account probe), marks the vanished posts missing without counting this
    ///   snapshot, so the next poll treats them as ordinary candidates; inconclusive changes
    ///   nothing, and the next poll asks again.
    /// - A stale snapshot (``WindowDiff/isFresh`` false) derives no alteration, new post,
    ///   migration or absence or listing progress; only a probe's answer about a candidate is used.
    /// - A tombstone confirms `deleted` (confirmed by `probe`), at once unless the probe repeats the
    ///   timeline's own request (``ProbeResult/repeatsTimeline``, a watched page): then only once
    ///   answered in ``DetectionSettings/confirmPolls`` polls spanning
    ///   ``DetectionSettings/confirmMinAge``, as is its "exists" for a restore; `exists` clears the candidate
    ///   (a "ghostly post" dropped from the list; aged out when outside the window); inconclusive
    ///   or no probe made keeps it a candidate. Absence confirms posts in `unprobeable`, and posts
    ///   whose probe stayed inconclusive ``DetectionSettings/probeAttempts`` times over
    ///   ``DetectionSettings/confirmMinAge`` seconds, after ``DetectionSettings/confirmPolls``
    ///   consecutive complete fresh snapshots missing inside the window spanning
    ///   ``DetectionSettings/confirmMinAge`` seconds (reason `unknown`).
    /// - A deleted post listed again is a restore candidate: `restored` needs its probe to answer
    ///   that it exists, or (no probe, or probes exhausted as above) ``DetectionSettings/confirmPolls``
    ///   consecutive fresh listings spanning ``DetectionSettings/confirmMinAge``. A tombstone or a
    ///   fresh snapshot that misses it again ends the candidacy; the deletion is never logged twice.
    /// - A vanished post whose content and publication time reappear under a new ID (a fresh
    ///   snapshot's ``WindowDiff/migrations``) is tracked under the new ID: no event.
    ///
    /// - Parameters:
    ///   - state: the account's detector memory before this snapshot.
    ///   - diff: `WindowDiffer.diff(state:observation:settings:)` of the same state and observation.
    ///   - observation: the snapshot (its `polledAt` is the detection time).
    ///   - snapshotID: the snapshot's ID in the store: the proof in event IDs.
    ///   - probes: probe answers by post ID for the diff's candidates and reappeared posts. A
    ///     missing key means no answer this time (not made, budget, rate limit): the post waits.
    ///   - unprobeable: IDs of candidates and reappeared posts for which the platform offers no
    ///     probe (`PlatformAdapter.probeRequest` returned `nil`): absence (or repeated listing)
    ///     confirms these.
    ///   - accountProbe: the account probe's answer when the diff is a mass disappearance; `nil`
    ///     only when the platform has no account probe. A probe that failed or was not made must
    ///     be passed as `.inconclusive`.
    ///   - account: the account (key, name, platform for the events).
    ///   - settings: confirmation thresholds.
    /// - Returns: the new state and the events to log, in order.
    public static func apply(
        state: DetectionState,
        diff: WindowDiff,
        observation: Observation,
        snapshotID: String,
        probes: [String: ProbeResult],
        unprobeable: Set<String>,
        accountProbe: AccountProbeResult?,
        account: Account,
        settings: DetectionSettings
    ) -> DetectionOutcome {
        guard observation.isComplete, state.lastComplete?.id != snapshotID else {
            return DetectionOutcome(state: state, events: [])
        }
        if diff.isMassDisappearance, case .inconclusive(let detail)? = accountProbe?.verdict {
            // Rule of evidence 4 with no answer: most of the window vanished and the account probe
            // proved nothing. Not the account's state, not evidence of anything: a blind poll, so the
            // operator sees it (an empty feed for an hour leaves a blind span, not silence).
            // An empty listing has no window: count the posts it had (it read "0 posts of the
            // window vanished", found by a tester).
            let vanished =
                observation.window.postCount == 0
                ? state.posts.values.filter {
                    !$0.post.isPinned && ($0.status == .visible || $0.status.missingRecord != nil)
                }.count
                : diff.candidates.filter { diff.insideWindow.contains($0.post.id) }.count
            let failure = PollFailure(
                kind: .vanished,
                message: (observation.window.postCount == 0
                    ? "all \(Plural.count(vanished, "post")) of the window vanished at once (an empty listing)"
                    : "\(Plural.count(vanished, "post")) of the window vanished at once")
                    + " and the account probe proved nothing (\(detail)); not taken as the account's state",
                url: observation.evidence.first?.url)
            var outcome = Self.recordFailure(state: state, failure: failure, at: observation.polledAt, account: account)
            outcome.failure = failure
            return outcome
        }
        var run = Run(
            state: state, diff: diff, observation: observation, snapshotID: snapshotID, account: account,
            settings: settings)
        run.closeBlindSpan()
        run.state.lastComplete = SnapshotSummary(
            id: snapshotID, polledAt: observation.polledAt, window: observation.window)
        if diff.isMassDisappearance {
            run.applyMassDisappearance(accountProbe: accountProbe)
        } else {
            if diff.isFresh {
                run.restoreAccount(evidence: observation.evidence)
                run.applyMigrations()
                run.updateListedPosts()
            }
            run.confirmCandidates(probes: probes, unprobeable: unprobeable)
            run.confirmRestores(probes: probes, unprobeable: unprobeable)
            if !diff.isFresh {
                run.restartAbsenceOfListedCandidates()
            } else {
                run.noteDeletedPostsStillGone()
                run.ageOutUnlistedPosts()
            }
            run.reportReferenceTombstones()
        }
        run.noteListing()
        return DetectionOutcome(state: run.state, events: run.events, migrations: run.migrated)
    }

    /// A failed poll (rule of evidence 1): opens the blind span, or extends the open one. Emits
    /// one `blind` event (with `blind.to == nil`, proof `blind:<start>`) when the span opens,
    /// nothing while it stays open. Never touches posts.
    /// - Parameters:
    ///   - state: the account's detector memory.
    ///   - failure: why the poll saw nothing usable.
    ///   - at: when the poll was made, UTC.
    ///   - account: the account.
    /// - Returns: the new state and at most one event.
    public static func recordFailure(state: DetectionState, failure: PollFailure, at: Date, account: Account)
        -> DetectionOutcome
    {
        var state = state
        if var span = state.blindSpan {
            span.failedPolls += 1
            span.failure = failure
            state.blindSpan = span
            return DetectionOutcome(state: state, events: [])
        }
        let span = BlindSpan(from: at, to: nil, failedPolls: 1, failure: failure)
        state.blindSpan = span
        return DetectionOutcome(
            state: state, events: [DetectionEvents.blind(span: span, account: account, detectedAt: at)])
    }

    /// The account itself answered as gone (resolution 404/410, `suspended: true`, a timeline
    /// answer saying so): one `account_unavailable` event (proof `account:<RFC 3339 at>`) when
    /// the account becomes unavailable, none while it stays so. Touches nothing else (posts, blind
    /// span).
    /// - Parameters:
    ///   - state: the account's detector memory.
    ///   - reason: why the account is gone (from the adapter).
    ///   - detail: the platform's answer, quoted.
    ///   - at: when the answer was received, UTC.
    ///   - evidence: the stored raw answers.
    ///   - account: the account.
    /// - Returns: the new state and at most one event.
    public static func recordAccountUnavailable(
        state: DetectionState,
        reason: Reason,
        detail: String,
        at: Date,
        evidence: [EvidenceReference],
        account: Account
    ) -> DetectionOutcome {
        guard state.account.isAvailable else { return DetectionOutcome(state: state, events: []) }
        var state = state
        let event = DetectionEvents.accountEvent(
            .accountUnavailable, reason: reason, detail: detail, proof: RFC3339.string(from: at), account: account,
            detectedAt: at, snapshotID: nil, evidence: evidence)
        state.account = .unavailable(reason: reason, since: at, eventID: event.id)
        return DetectionOutcome(state: state, events: [event])
    }
}

extension Confirmer {
    /// The working set of one `apply` call.
    struct Run {
        var state: DetectionState
        var events: [Event] = []
        var migrated: [PostMigration] = []
        let diff: WindowDiff
        let observation: Observation
        let view: SnapshotView
        let snapshotID: String
        let account: Account
        let settings: DetectionSettings
        var now: Date { self.observation.polledAt }

        init(
            state: DetectionState, diff: WindowDiff, observation: Observation, snapshotID: String, account: Account,
            settings: DetectionSettings
        ) {
            self.state = state
            self.diff = diff
            self.observation = observation
            self.view = diff.view ?? SnapshotView(observation)
            self.snapshotID = snapshotID
            self.account = account
            self.settings = settings
        }

        /// A complete answer ends the blind span.
        /// A repost whose original now shows the platform's tombstone text is positive evidence about
        /// the original (Weibo: `抱歉，此微博已被作者删除` → author_deleted). One `deleted` event per
        /// original, confirmed by that answer (`probe`), unless the original is this account's own
        /// tracked post: its own candidate path and probe decide then.
        mutating func reportReferenceTombstones() {
            for post in self.observation.posts {
                guard let tombstone = post.referenceTombstone, let original = post.reference,
                    self.state.posts[original] == nil,
                    !(self.state.reportedReferenceTombstones ?? []).contains(original)
                else { continue }
                var event = Event(
                    id: Event.makeID(
                        account: self.account.key, post: original, kind: .deleted, proof: "repost-tombstone:\(original)"
                    ),
                    detectedAt: self.now, event: .deleted, platform: self.account.platform, account: self.account.key,
                    accountName: self.account.name, evidence: self.observation.evidence)
                event.reason = tombstone.reason
                event.confirmedBy = .probe
                event.postID = original
                event.about = .repostedOriginal
                event.detail = tombstone.detail
                event.snapshot = self.snapshotID
                self.events.append(event)
                self.state.reportedReferenceTombstones = (self.state.reportedReferenceTombstones ?? []).union([original]
                )
            }
        }

        mutating func closeBlindSpan() {
            guard var span = self.state.blindSpan else { return }
            span.to = self.now
            self.events.append(DetectionEvents.blind(span: span, account: self.account, detectedAt: self.now))
            self.state.blindSpan = nil
        }

        /// `account_restored` when an unavailable account is seen again.
        mutating func restoreAccount(evidence: [EvidenceReference]) {
            guard case .unavailable(let reason, let since, let eventID) = self.state.account else { return }
            self.events.append(
                DetectionEvents.accountEvent(
                    .accountRestored, reason: nil,
                    detail: "unavailable since \(RFC3339.string(from: since)) (\(reason.rawValue), event \(eventID))",
                    proof: self.snapshotID, account: self.account, detectedAt: self.now, snapshotID: self.snapshotID,
                    evidence: evidence))
            self.state.account = .available
        }

        /// Rule of evidence 4: everything vanishing at once is an account matter.
        mutating func applyMassDisappearance(accountProbe: AccountProbeResult?) {
            let evidence = (accountProbe?.evidence.map { [$0] } ?? []) + self.observation.evidence
            switch accountProbe?.verdict {
            case .unavailable(let reason, let detail):
                guard self.state.account.isAvailable else { return }
                let event = DetectionEvents.accountEvent(
                    .accountUnavailable, reason: reason, detail: detail, proof: self.snapshotID, account: self.account,
                    detectedAt: self.now, snapshotID: self.snapshotID, evidence: evidence)
                self.events.append(event)
                self.state.account = .unavailable(reason: reason, since: self.now, eventID: event.id)
            case .inconclusive:
                return  // handled before the run: a blind poll
            case .available, nil:
                if accountProbe != nil { self.restoreAccount(evidence: evidence) }
                // The account is there: the vanished posts become candidates from the next poll
                // on. Their records are provisional (no miss counted, first missing not yet set):
                // this snapshot counts for nothing, and may be stale when the newest posts vanished.
                guard self.observation.window.postCount > 0 else { return }
                for candidate in self.diff.candidates where self.diff.insideWindow.contains(candidate.post.id) {
                    let id = candidate.post.id
                    guard var tracked = self.state.posts[id], tracked.status == .visible else { continue }
                    tracked.status = .missing(
                        MissingRecord(
                            firstMissing: self.now, firstMissingSnapshot: self.snapshotID, missingPolls: 0,
                            lastMissingSnapshot: self.snapshotID))
                    self.state.posts[id] = tracked
                }
            }
        }

        /// Re-keyed posts: the tracked post moves to its new ID, keeping its history; the old ID is
        /// remembered in ``TrackedPost/formerIDs``. Its content stays the last known one, so that
        /// ``updateListedPosts()`` logs an edit when the new ID came with one (an item of a feed
        /// that repeats a GUID, paired by base ID).
        mutating func applyMigrations() {
            for migration in self.diff.migrations {
                let formerID = migration.previous.post.id
                guard var tracked = self.state.posts[formerID], self.state.posts[migration.current.id] == nil
                else { continue }
                self.state.posts[formerID] = nil
                tracked.formerIDs.append(formerID)
                tracked.post.id = migration.current.id
                tracked.post.baseID = migration.current.baseID
                tracked.status = .visible
                self.state.posts[migration.current.id] = tracked
                self.migrated.append(migration)
            }
        }

        /// Tracks the diff's new posts, logs alterations, and marks the other listed posts visible
        /// (fresh snapshots only). The diff's reappeared posts (deleted, listed again) are left to
        /// ``confirmRestores(probes:unprobeable:)``.
        mutating func updateListedPosts() {
            for post in self.diff.newPosts where self.state.posts[post.id] == nil {
                let neighbours = post.postedAt == nil ? self.view.olderNeighbours(of: post.id) : []
                self.state.posts[post.id] = TrackedPost(
                    post: post, firstSeen: self.now, lastSeen: self.now, lastSeenSnapshot: self.snapshotID,
                    status: .visible, olderNeighbours: neighbours)
            }
            let new = Set(self.diff.newPosts.map(\.id))
            for id in self.view.order where !new.contains(id) {
                // A deleted post listed again is one of the diff's reappeared posts: never marked
                // seen here, whatever diff is passed.
                guard let post = self.view.posts[id], var tracked = self.state.posts[id], !tracked.status.isDeleted
                else { continue }
                let neighbours = post.postedAt == nil ? self.view.olderNeighbours(of: id) : []
                self.markSeen(&tracked, listing: post, neighbours: neighbours)
                self.state.posts[id] = tracked
            }
        }

        /// Marks a tracked post seen in this fresh snapshot as `listing`: logs an alteration when
        /// the version changed (never for a truncated answer), and keeps the listed version.
        mutating func markSeen(_ tracked: inout TrackedPost, listing post: Post, neighbours: [String]) {
            if PostAlteration.isAlteration(from: tracked.post, to: post) {
                self.events.append(
                    DetectionEvents.altered(
                        previous: tracked, current: post, account: self.account, snapshotID: self.snapshotID,
                        detectedAt: self.now, evidence: self.observation.evidence,
                        diffLimit: self.settings.eventTextLimit))
            }
            // A truncated answer never replaces a complete version (a failed long-text expansion
            // is not an edit); a complete one replaces a truncated one silently.
            if !post.isTruncated || tracked.post.isTruncated { tracked.post = post }
            tracked.lastSeen = self.now
            tracked.lastSeenSnapshot = self.snapshotID
            tracked.status = .visible
            tracked.olderNeighbours = neighbours
        }

        /// Rule of evidence 3: confirm before you log.
        mutating func confirmCandidates(probes: [String: ProbeResult], unprobeable: Set<String>) {
            let fresh = self.diff.isFresh
            for candidate in self.diff.candidates {
                let id = candidate.post.id
                guard var tracked = self.state.posts[id], self.view.posts[id] == nil else { continue }
                let previous = tracked.status.missingRecord
                guard tracked.status == .visible || previous != nil else { continue }
                let inside = self.diff.insideWindow.contains(id)

                // This snapshot's record of the absence. Only a fresh snapshot that should list
                // the post (inside its window) counts, and the first such one sets first missing:
                // a stale or out-of-window miss does not prove the post was gone then. A tombstone
                // answered by the timeline's own request (a watched page) counts whatever the listing:
                // it is the post's own address saying it is gone, once more.
                let counts = fresh && inside || probes[id]?.isTimelineTombstone == true
                var record: MissingRecord
                if var existing = previous {
                    if counts, existing.lastMissingSnapshot != self.snapshotID {
                        if existing.missingPolls == 0 {
                            existing.firstMissing = self.now
                            existing.firstMissingSnapshot = self.snapshotID
                        }
                        existing.missingPolls += 1
                        existing.lastMissingSnapshot = self.snapshotID
                    }
                    record = existing
                } else {
                    record = MissingRecord(
                        firstMissing: self.now, firstMissingSnapshot: self.snapshotID, missingPolls: counts ? 1 : 0,
                        lastMissingSnapshot: self.snapshotID)
                }

                if let probe = probes[id] {
                    switch probe.verdict {
                    case .tombstone(let reason, let detail) where probe.repeatsTimeline:
                        // The probe is the timeline's own request (a watched page): one answer, not
                        // two witnesses. A passing 404 must not become a deletion: the tombstone has
                        // to persist like an absence (confirm_polls answers over confirm_min_age).
                        if let evidence = probe.evidence { record.keepProbeEvidence(evidence) }
                        guard self.isProvedByAbsence(record) else {
                            tracked.status = .missing(record)
                            break
                        }
                        let span = Int(self.now.timeIntervalSince(record.firstMissing).rounded(.down))
                        self.confirmDeletion(
                            of: &tracked, reason: reason, confirmedBy: .probe,
                            detail:
                                "\(detail); its own address answered so in \(record.missingPolls) consecutive polls "
                                + "over \(span) s since \(RFC3339.string(from: record.firstMissing))",
                            firstMissing: record.firstMissing,
                            evidence: record.probeEvidence + self.observation.evidence)
                    case .tombstone(let reason, let detail):
                        // Positive evidence, whatever the snapshot's freshness. Gone by now at the
                        // latest; earlier only if a counted miss says so.
                        let firstMissing = record.missingPolls > 0 ? record.firstMissing : self.now
                        self.confirmDeletion(
                            of: &tracked, reason: reason, confirmedBy: .probe, detail: detail,
                            firstMissing: firstMissing,
                            evidence: (probe.evidence.map { [$0] } ?? []) + self.observation.evidence)
                    case .exists:
                        // A list dropped a post that still exists (a "ghostly post"), or a pinned
                        // post was unpinned: not deleted. A watched page answering live again stays
                        // watched (it is its own window).
                        tracked.status =
                            fresh && !inside && !probe.repeatsTimeline ? .agedOut(since: self.now) : .visible
                    case .inconclusive(let detail):
                        if fresh {
                            record.noteInconclusiveProbe(detail: detail, evidence: probe.evidence, at: self.now)
                            // No candidate waits forever on a probe that never answers.
                            if inside, record.probesExhausted(at: self.now, settings: self.settings),
                                self.isProvedByAbsence(record)
                            {
                                self.confirmByAbsence(&tracked, record: record, afterProbes: true)
                            } else {
                                tracked.status = .missing(record)
                            }
                        } else if var kept = previous ?? (inside ? record : nil) {
                            // A stale listing counts no miss, but the probe was tried: that counts.
                            kept.noteInconclusiveProbe(detail: detail, evidence: probe.evidence, at: self.now)
                            tracked.status = .missing(kept)
                        }
                    }
                } else if !fresh {
                    // A stale listing counts no miss; a post it should list but does not is shown as
                    // pending (a provisional record) until a fresh listing decides.
                    if previous == nil, inside { tracked.status = .missing(record) }
                } else if unprobeable.contains(id) {
                    if !inside {
                        // Outside the window (an unpinned or aged-out post): absence proves nothing.
                        tracked.status = .agedOut(since: self.now)
                    } else if self.isProvedByAbsence(record) {
                        self.confirmByAbsence(&tracked, record: record, afterProbes: false)
                    } else {
                        tracked.status = .missing(record)
                    }
                } else {
                    // A probe is possible but none answered this time: wait for one.
                    tracked.status = .missing(record)
                }
                self.state.posts[id] = tracked
            }
        }

        /// Absence proves a deletion after ``DetectionSettings/confirmPolls`` counted misses
        /// spanning ``DetectionSettings/confirmMinAge`` seconds.
        func isProvedByAbsence(_ record: MissingRecord) -> Bool {
            record.missingPolls >= self.settings.confirmPolls
                && self.now.timeIntervalSince(record.firstMissing) >= self.settings.confirmMinAge
        }

        /// Logs a deletion proved by absence (reason `unknown`); after exhausted probes, their
        /// inconclusive answers are cited as evidence too.
        mutating func confirmByAbsence(_ tracked: inout TrackedPost, record: MissingRecord, afterProbes: Bool) {
            let span = Int(self.now.timeIntervalSince(record.firstMissing).rounded(.down))
            var detail =
                "missing from \(record.missingPolls) consecutive complete snapshots over \(span) s "
                + "since \(RFC3339.string(from: record.firstMissing)) (snapshot \(record.firstMissingSnapshot))"
            var evidence = self.observation.evidence
            if afterProbes {
                let since = record.firstInconclusiveProbe.map { RFC3339.string(from: $0) } ?? "?"
                detail +=
                    "; its probe answered nothing conclusive \(Plural.times(record.inconclusiveProbes)) since \(since)"
                    + (record.lastProbeDetail.map { " (last: \($0))" } ?? "")
                evidence = record.probeEvidence + evidence
            }
            self.confirmDeletion(
                of: &tracked, reason: .unknown, confirmedBy: .absence, detail: detail,
                firstMissing: record.firstMissing, evidence: evidence)
        }

        /// Rule of evidence 6: a deleted post listed again is restored only when proved: its probe
        /// answers that it exists, or (no probe, or probes exhausted) it stays listed in
        /// ``DetectionSettings/confirmPolls`` consecutive fresh snapshots spanning
        /// ``DetectionSettings/confirmMinAge``. Until then the deletion stands.
        mutating func confirmRestores(probes: [String: ProbeResult], unprobeable: Set<String>) {
            let fresh = self.diff.isFresh
            for reappeared in self.diff.reappeared {
                let id = reappeared.post.id
                guard var tracked = self.state.posts[id], case .deleted(var deletion) = tracked.status,
                    let listed = self.view.posts[id]
                else { continue }
                var restore =
                    deletion.restore
                    ?? RestoreRecord(
                        firstListed: self.now, firstListedSnapshot: self.snapshotID, listedPolls: 0,
                        lastListedSnapshot: self.snapshotID)
                // The timeline's own request answering "exists" (a watched page) counts like a fresh
                // listing, whatever the listing's age: it is the page's own address, and it must
                // answer so across polls, as its tombstone had to.
                let ownAnswer = probes[id].map { $0.repeatsTimeline && $0.verdict == .exists } ?? false
                if fresh || ownAnswer, restore.listedPolls == 0 || restore.lastListedSnapshot != self.snapshotID {
                    if restore.listedPolls == 0 {
                        restore.firstListed = self.now
                        restore.firstListedSnapshot = self.snapshotID
                    }
                    restore.listedPolls += 1
                    restore.lastListedSnapshot = self.snapshotID
                }
                var proof: (Confirmation, [EvidenceReference])?
                if let probe = probes[id] {
                    switch probe.verdict {
                    case .exists where probe.repeatsTimeline:
                        if restore.isProvedByListings(at: self.now, settings: self.settings) {
                            proof = (.probe, (probe.evidence.map { [$0] } ?? []) + self.observation.evidence)
                        }
                    case .exists:
                        proof = (.probe, (probe.evidence.map { [$0] } ?? []) + self.observation.evidence)
                    case .tombstone:
                        // The post's own address still says it is gone: the listing is a ghost.
                        deletion.restore = nil
                        tracked.status = .deleted(deletion)
                        self.state.posts[id] = tracked
                        continue
                    case .inconclusive(let detail):
                        restore.inconclusiveProbes += 1
                        if restore.firstInconclusiveProbe == nil { restore.firstInconclusiveProbe = self.now }
                        restore.lastProbeDetail = detail
                        if fresh, restore.probesExhausted(at: self.now, settings: self.settings),
                            restore.isProvedByListings(at: self.now, settings: self.settings)
                        {
                            proof = (.listing, self.observation.evidence)
                        }
                    }
                } else if unprobeable.contains(id), fresh,
                    restore.isProvedByListings(at: self.now, settings: self.settings)
                {
                    proof = (.listing, self.observation.evidence)
                }
                guard let (confirmedBy, evidence) = proof else {
                    deletion.restore = restore
                    tracked.status = .deleted(deletion)
                    self.state.posts[id] = tracked
                    continue
                }
                var event = DetectionEvents.restored(
                    tracked: tracked, record: deletion, restore: restore, confirmedBy: confirmedBy, current: listed,
                    account: self.account, snapshotID: self.snapshotID, detectedAt: self.now, evidence: evidence)
                if probes[id]?.repeatsTimeline == true, confirmedBy == .probe {
                    event.detail =
                        (event.detail ?? "")
                        + " in \(Plural.count(restore.listedPolls, "consecutive poll")) (its own address, also its listing)"
                }
                self.events.append(event)
                if fresh {
                    let neighbours = listed.postedAt == nil ? self.view.olderNeighbours(of: id) : []
                    self.markSeen(&tracked, listing: listed, neighbours: neighbours)
                } else {
                    // Proved by its probe while the listing is stale: the listed version may be an
                    // old one, so the last known version stays until a fresh snapshot shows it.
                    tracked.status = .visible
                }
                self.state.posts[id] = tracked
            }
        }

        /// A fresh snapshot that should list a deleted post (inside its window) and does not:
        /// the post was still gone then, and a restore candidacy ends (the listing that showed
        /// it was not the account's lasting state).
        mutating func noteDeletedPostsStillGone() {
            let floor = self.observation.window.floor
            for (id, tracked) in self.state.posts {
                guard case .deleted(var deletion) = tracked.status, self.view.posts[id] == nil,
                    self.view.contains(inWindow: tracked, floor: floor)
                else { continue }
                deletion.lastMissing = self.now
                deletion.restore = nil
                var updated = tracked
                updated.status = .deleted(deletion)
                self.state.posts[id] = updated
            }
        }

        /// A stale listing that is a repeat of an earlier one still lists a candidate: either it is
        /// a lagging replica, or the listing that missed the post dropped one that exists (a
        /// "ghostly post"). The two cannot be told apart, so absence starts over: the miss count
        /// goes back to 0 (provisional) and only consecutive fresh misses count again. A listing
        /// stale by its own older dates is proved old and changes nothing.
        mutating func restartAbsenceOfListedCandidates() {
            guard self.diff.age == .repeated else { return }
            for id in self.view.order {
                guard var tracked = self.state.posts[id], var record = tracked.status.missingRecord,
                    record.missingPolls > 0
                else { continue }
                record.missingPolls = 0
                tracked.status = .missing(record)
                self.state.posts[id] = tracked
            }
        }

        /// Remembers this listing when it is fresh (its hash, its newest dates and ETag); counts how
        /// long listings have carried older dates, or repeated an old listing, when it is not. A mass
        /// disappearance is not taken as the account's state: the listing before it stays the latest.
        mutating func noteListing() {
            guard !self.diff.isMassDisappearance else { return }
            switch self.diff.age {
            case .olderDates:
                if self.state.signalsRegressedSince == nil { self.state.signalsRegressedSince = self.now }
                self.state.repeatedListing = nil
                return
            case .repeated:
                let hash = self.diff.listingHash
                var repeated =
                    self.state.repeatedListing.flatMap { $0.hash == hash ? $0 : nil }
                    ?? RepeatedListing(hash: hash, since: self.now, polls: 0)
                repeated.polls += 1
                self.state.repeatedListing = repeated
                return
            case .new, .acceptedOlderDates, .acceptedRepeat:
                break
            }
            var recent = self.state.recentListings.filter { $0 != self.diff.listingHash }
            recent.append(self.diff.listingHash)
            self.state.recentListings = Array(recent.suffix(DetectionState.recentListingLimit))
            if let observed = self.observation.signals {
                let signals = WindowDiffer.trusted(observed, at: self.now, settings: self.settings)
                let newest = self.state.newestSignals ?? ListingSignals()
                // An accepted regression (the source's clock went back) becomes the new baseline.
                let reset = self.diff.age == .acceptedOlderDates
                func later(_ seen: Date?, _ current: Date?) -> Date? {
                    guard let current else { return seen }
                    guard let seen, !reset else { return current }
                    return max(seen, current)
                }
                self.state.newestSignals = ListingSignals(
                    updatedAt: later(newest.updatedAt, signals.updatedAt),
                    lastModified: later(newest.lastModified, signals.lastModified), etag: signals.etag ?? newest.etag)
                if let etag = signals.etag {
                    var etags = self.state.recentETags.filter { $0 != etag }
                    etags.append(etag)
                    self.state.recentETags = Array(etags.suffix(DetectionState.recentETagLimit))
                }
            }
            self.state.signalsRegressedSince = nil
            self.state.repeatedListing = nil
        }

        mutating func confirmDeletion(
            of tracked: inout TrackedPost, reason: Reason, confirmedBy: Confirmation, detail: String,
            firstMissing: Date, evidence: [EvidenceReference]
        ) {
            let event = DetectionEvents.deleted(
                tracked: tracked, reason: reason, confirmedBy: confirmedBy, detail: detail, firstMissing: firstMissing,
                account: self.account, snapshotID: self.snapshotID, detectedAt: self.now, evidence: evidence)
            self.events.append(event)
            tracked.status = .deleted(
                DeletionRecord(
                    eventID: event.id, reason: reason, confirmedBy: confirmedBy, confirmedAt: self.now,
                    snapshot: self.snapshotID, firstMissing: firstMissing))
        }

        /// Rule of evidence 2: visible posts that left the window are aged out, not deleted;
        /// aged-out posts are forgotten after the retention.
        mutating func ageOutUnlistedPosts() {
            let candidates = Set(self.diff.candidates.map(\.post.id))
            for (id, tracked) in self.state.posts {
                switch tracked.status {
                case .visible where self.view.posts[id] == nil && !candidates.contains(id):
                    var aged = tracked
                    aged.status = .agedOut(since: self.now)
                    self.state.posts[id] = aged
                case .agedOut(let since) where self.now.timeIntervalSince(since) > self.settings.agedOutRetention:
                    self.state.posts[id] = nil
                default:
                    break
                }
            }
        }
    }
}
