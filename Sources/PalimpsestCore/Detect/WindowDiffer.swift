import Foundation

/// A tracked post whose version hash differs in the current snapshot.
public struct PostAlteration: Sendable, Hashable {
    /// The post as the detector remembered it (previous version).
    public var previous: TrackedPost
    /// The post as the current snapshot lists it.
    public var current: Post

    /// Creates an alteration.
    public init(previous: TrackedPost, current: Post) {
        self.previous = previous
        self.current = current
    }

    /// The one rule of what an alteration is: the version hash changed, and neither version is a
    /// truncated answer (a failed long-text expansion is not an edit). The differ applies it to
    /// listed posts (``WindowDiff/alterations``), the confirmer to re-keyed and restored posts.
    public static func isAlteration(from previous: Post, to current: Post) -> Bool {
        previous.versionHash != current.versionHash && !previous.isTruncated && !current.isTruncated
    }
}

/// A tracked post that vanished while a new post with the same content and publication time
/// appeared: the same post under a new ID (a feed whose item IDs changed scheme, host or
/// permalink structure; docs/feed-ids.md). Tracked under the new ID from then on.
public struct PostMigration: Sendable, Hashable {
    /// The post as tracked under its former ID.
    public var previous: TrackedPost
    /// The same post as the current snapshot lists it, under its new ID.
    public var current: Post

    /// Creates a migration.
    public init(previous: TrackedPost, current: Post) {
        self.previous = previous
        self.current = current
    }
}

/// How a listing's age was judged (rule of evidence 3).
public enum ListingAge: Sendable, Hashable {
    /// Fresh: it shows something new (a listing date newer than any seen, an ETag or an edit
    /// marker never seen), differs from every earlier listing, or is the latest fresh listing again.
    case new
    /// Stale: its own dates (`lastBuildDate`/`updated`, `Last-Modified`) are older than the newest
    /// seen: proved old.
    case olderDates
    /// Stale: identical to an earlier listing that a later fresh one replaced, no post edited since
    /// (a newer feed date or an unseen `ETag` proves nothing: feeds generated on request stamp
    /// every answer): a lagging replica or cache, or the account went back to it (told apart by
    /// time only).
    case repeated
    /// Fresh: older dates served for ``DetectionSettings/signalRegressionTolerance``: the source's
    /// clock went back, and its dates are the new baseline.
    case acceptedOlderDates
    /// Fresh: the same repeated listing served in ``DetectionSettings/confirmPolls`` consecutive
    /// polls over ``DetectionSettings/staleTolerance``: the account went back to that state.
    case acceptedRepeat

    /// True for the fresh cases.
    public var isFresh: Bool {
        switch self {
        case .new, .acceptedOlderDates, .acceptedRepeat: return true
        case .olderDates, .repeated: return false
        }
    }
}

/// What one complete snapshot changes against the detector's memory. The differ only reads;
/// ``Confirmer/apply(state:diff:observation:snapshotID:probes:unprobeable:accountProbe:account:settings:)``
/// turns a diff plus probe answers into events.
public struct WindowDiff: Sendable, Hashable {
    /// Posts never seen before, in listing order (re-keyed posts are in ``migrations`` instead).
    public var newPosts: [Post]
    /// Known posts whose version hash changed, in listing order.
    public var alterations: [PostAlteration]
    /// Posts missing from the snapshot that need a probe (or absence counting): visible posts
    /// inside the window, pinned posts wherever they were (maybe unpinned), and posts already
    /// missing before. Sorted by created time (first seen when undated), then ID.
    public var candidates: [TrackedPost]
    /// IDs of the candidates inside the window (created after the floor, or for a dateless post
    /// with a remembered older neighbour still listed): only their absence counts towards
    /// confirmation. A candidate not in this set can be confirmed only by a probe.
    public var insideWindow: Set<String>
    /// Posts with a `deleted` status listed again: restore candidates, to be probed.
    public var reappeared: [TrackedPost]
    /// Vanished posts listed again under a new ID with the same content and publication time.
    public var migrations: [PostMigration]
    /// Too much vanished at once (or an empty window after a non-empty one): probe the account;
    /// no per-post event is derived from this snapshot.
    public var isMassDisappearance: Bool
    /// The listing may be taken as the account's current state (rule of evidence 3): it is not
    /// identical to an earlier, since superseded listing, and its listing dates are not older than
    /// the newest seen. Only fresh snapshots count for absence, alterations and restores.
    public var isFresh: Bool
    /// Why the listing is stale, for operators; `nil` when fresh.
    public var staleReason: String?
    /// How the listing's age was judged (``isFresh`` follows from it).
    public var age: ListingAge
    /// A short hash of the listing: the posts in order, each with its version hash and pinned flag.
    public var listingHash: String
    /// The snapshot's posts indexed as the differ read them, for the confirmer to read the same
    /// (`nil` in a diff built by hand: the confirmer then indexes the observation itself).
    var view: SnapshotView?

    /// Creates a diff.
    public init(
        newPosts: [Post] = [],
        alterations: [PostAlteration] = [],
        candidates: [TrackedPost] = [],
        insideWindow: Set<String> = [],
        reappeared: [TrackedPost] = [],
        migrations: [PostMigration] = [],
        isMassDisappearance: Bool = false,
        isFresh: Bool = false,
        staleReason: String? = nil,
        age: ListingAge = .new,
        listingHash: String = ""
    ) {
        self.newPosts = newPosts
        self.alterations = alterations
        self.candidates = candidates
        self.insideWindow = insideWindow
        self.reappeared = reappeared
        self.migrations = migrations
        self.isMassDisappearance = isMassDisappearance
        self.isFresh = isFresh
        self.staleReason = staleReason
        self.age = age
        self.listingHash = listingHash
    }
}

/// Diffs one snapshot against the detector's memory (rules of evidence 2–6). Pure.
public enum WindowDiffer {
    /// Compares `observation` with `state`.
    ///
    /// An incomplete observation gives an empty, non-fresh diff (rule of evidence 2: only a
    /// complete snapshot is diffed).
    /// - Parameters:
    ///   - state: the account's detector memory before this snapshot.
    ///   - observation: the snapshot.
    ///   - settings: mass-disappearance thresholds and the listing-date tolerance.
    /// - Returns: the new, altered, missing, re-keyed and reappeared posts, and the snapshot's
    ///   freshness.
    public static func diff(state: DetectionState, observation: Observation, settings: DetectionSettings)
        -> WindowDiff
    {
        guard observation.isComplete else { return WindowDiff() }
        let view = SnapshotView(observation)
        let floor = observation.window.floor
        var diff = WindowDiff(listingHash: self.listingHash(view))
        diff.view = view
        let freshness = self.freshness(
            state: state, observation: observation, view: view, listingHash: diff.listingHash, settings: settings)
        diff.age = freshness.age
        diff.isFresh = freshness.age.isFresh
        diff.staleReason = freshness.staleReason

        for id in view.order {
            guard let post = view.posts[id] else { continue }
            guard let tracked = state.posts[id] else {
                diff.newPosts.append(post)
                continue
            }
            if tracked.status.isDeleted {
                diff.reappeared.append(tracked)
                continue
            }
            if PostAlteration.isAlteration(from: tracked.post, to: post) {
                diff.alterations.append(PostAlteration(previous: tracked, current: post))
            }
        }

        var vanishedPosts: [TrackedPost] = []
        var unlisted: [TrackedPost] = []
        var expected = 0
        for tracked in self.sorted(state.posts.values) {
            let id = tracked.post.id
            let listed = view.posts[id] != nil
            let record = tracked.status.missingRecord
            let isVisible = tracked.status == .visible
            guard isVisible || record != nil else { continue }
            let inside = !listed && view.contains(inWindow: tracked, floor: floor)
            if isVisible, !tracked.post.isPinned, listed || inside { expected += 1 }
            if !listed { unlisted.append(tracked) }
            guard !listed, inside || tracked.post.isPinned || record != nil else { continue }
            vanishedPosts.append(tracked)
            if inside { diff.insideWindow.insert(id) }
        }

        // Re-keyed posts: the same content and publication time under a new ID is no deletion.
        // Any unlisted post may pair, also one at the window's edge (its twin is listed, so it
        // would be inside).
        diff.migrations = self.migrations(vanished: unlisted, new: diff.newPosts)
        let migratedFrom = Set(diff.migrations.map(\.previous.post.id))
        let migratedTo = Set(diff.migrations.map(\.current.id))
        diff.newPosts.removeAll { migratedTo.contains($0.id) }
        diff.candidates = vanishedPosts.filter { !migratedFrom.contains($0.post.id) }
        diff.insideWindow.subtract(migratedFrom)
        let vanished = diff.candidates.filter {
            $0.status == .visible && !$0.post.isPinned && diff.insideWindow.contains($0.post.id)
        }.count

        let emptyAfterFull =
            observation.window.postCount == 0
            && state.posts.values.contains {
                !$0.post.isPinned && ($0.status == .visible || $0.status.missingRecord != nil)
            }
        let tooMany =
            vanished >= max(1, settings.massDisappearanceMinimum)
            && Double(vanished) >= settings.massDisappearanceFraction * Double(expected)
        diff.isMassDisappearance = emptyAfterFull || tooMany
        return diff
    }

    /// Rule of evidence 3: how old a listing is. In this order:
    ///
    /// 1. Its own dates (`lastBuildDate`/`updated`, `Last-Modified`; a date later than the poll
    ///    time counts as the poll time plus ``DetectionSettings/futureDateAllowance``) older than the
    ///    newest seen: stale, proved old — until such dates have been served for
    ///    ``DetectionSettings/signalRegressionTolerance``, when they are accepted.
    /// 2. A post's edit marker newer than the one known: fresh (something never seen, from the
    ///    posts themselves).
    /// 3. Identical to an earlier listing that a later fresh one replaced: stale (a lagging replica
    ///    or cache) — until the same listing has been served in ``DetectionSettings/confirmPolls``
    ///    consecutive polls spanning ``DetectionSettings/staleTolerance``: then the account went
    ///    back to that state (a post published and deleted again, an edit reverted). A listing
    ///    date newer than any seen or an `ETag` never seen does not make such a repeat fresh: a
    ///    feed generated on request (RSSHub and most bridges) stamps `lastBuildDate` with the time
    ///    of the answer, and so changes its `ETag`, on every answer, a lagging replica's included
    ///    (a replica one post behind then made a false `deleted`, found by a tester).
    /// 4. Anything else (a listing never seen, or the latest fresh one again): fresh.
    static func freshness(
        state: DetectionState, observation: Observation, view: SnapshotView, listingHash: String,
        settings: DetectionSettings
    ) -> (age: ListingAge, staleReason: String?) {
        let now = observation.polledAt
        let signals = observation.signals.map { Self.trusted($0, at: now, settings: settings) }
        let newest = state.newestSignals
        var older: [String] = []
        func compare(_ seen: Date?, _ date: Date?, _ what: String) {
            guard let seen, let date, date < seen else { return }
            older.append("its \(what) \(RFC3339.string(from: date)) is older than \(RFC3339.string(from: seen))")
        }
        compare(newest?.updatedAt, signals?.updatedAt, "feed date")
        compare(newest?.lastModified, signals?.lastModified, "Last-Modified")
        if !older.isEmpty {
            if let since = state.signalsRegressedSince,
                now.timeIntervalSince(since) >= settings.signalRegressionTolerance
            {
                return (.acceptedOlderDates, nil)
            }
            return (.olderDates, older.joined(separator: "; ") + " seen before (a lagging replica or cache)")
        }
        let newerEdit = view.posts.values.contains { post in
            guard let edited = post.editedAt, let known = state.posts[post.id], !known.status.isDeleted else {
                return false
            }
            return known.post.editedAt.map { edited > $0 } ?? true
        }
        if newerEdit { return (.new, nil) }
        guard let index = state.recentListings.lastIndex(of: listingHash), index < state.recentListings.count - 1
        else { return (.new, nil) }
        let repeated = state.repeatedListing.flatMap { $0.hash == listingHash ? $0 : nil }
        let since = repeated?.since ?? now
        let polls = (repeated?.polls ?? 0) + 1
        if polls >= settings.confirmPolls, now.timeIntervalSince(since) >= settings.staleTolerance {
            return (.acceptedRepeat, nil)
        }
        return (
            .repeated,
            "identical to an earlier listing that a newer one replaced, no post edited since: a lagging replica or "
                + "cache, or the account went back to it (taken as current once served over "
                + "\(DurationParser.string(from: settings.staleTolerance)))"
        )
    }

    /// `signals` with dates later than the poll time (plus ``DetectionSettings/futureDateAllowance``)
    /// brought back to that limit: a clock far ahead must not make every later listing look old.
    static func trusted(_ signals: ListingSignals, at time: Date, settings: DetectionSettings) -> ListingSignals {
        let limit = time.addingTimeInterval(settings.futureDateAllowance)
        var trusted = signals
        trusted.updatedAt = signals.updatedAt.map { min($0, limit) }
        trusted.lastModified = signals.lastModified.map { min($0, limit) }
        return trusted
    }

    /// A short hash (16 hex digits of SHA-256) of the listing: every post in listing order with
    /// its version hash and pinned flag.
    static func listingHash(_ view: SnapshotView) -> String {
        var canonical = ""
        for id in view.order {
            guard let post = view.posts[id] else { continue }
            canonical += "\(id)\u{1F}\(post.versionHash)\u{1F}\(post.isPinned ? "p" : "")\n"
        }
        return String(ContentHash.sha256Hex(Data(canonical.utf8)).prefix(16))
    }

    /// Pairs vanished tracked posts with new posts of the same version hash and publication time
    /// (both undated counts as the same time), where the pairing is one to one: a key shared by
    /// two vanished or two new posts pairs nothing. Posts with no text and no title never pair.
    /// Then the posts left pair by base ID (``Post/baseID``, else the ID) and publication time, one
    /// to one, when one of the two carries a base ID: an item of a feed that repeats a GUID, whose
    /// ID suffix changed with its content (an edit, which the confirmer then logs as `altered`).
    static func migrations(vanished: [TrackedPost], new: [Post]) -> [PostMigration] {
        let byContent = self.contentMigrations(vanished: vanished, new: new)
        let pairedFrom = Set(byContent.map(\.previous.post.id))
        let pairedTo = Set(byContent.map(\.current.id))
        let byBase = self.baseIDMigrations(
            vanished: vanished.filter { !pairedFrom.contains($0.post.id) },
            new: new.filter { !pairedTo.contains($0.id) })
        return byContent + byBase
    }

    /// Pairs, one to one, vanished and new posts with the same base ID and publication time where
    /// at least one of the two has a ``Post/baseID``.
    static func baseIDMigrations(vanished: [TrackedPost], new: [Post]) -> [PostMigration] {
        func key(_ post: Post) -> String {
            "\(post.baseID ?? post.id) \(post.postedAt.map { String($0.timeIntervalSince1970) } ?? "-")"
        }
        let vanishedByKey = Dictionary(grouping: vanished) { key($0.post) }
        let newByKey = Dictionary(grouping: new) { key($0) }
        var migrations: [PostMigration] = []
        for post in new {
            guard let previous = vanishedByKey[key(post)], previous.count == 1, newByKey[key(post)]?.count == 1,
                post.baseID != nil || previous[0].post.baseID != nil
            else { continue }
            migrations.append(PostMigration(previous: previous[0], current: post))
        }
        return migrations
    }

    /// The pairing by version hash and publication time (see ``migrations(vanished:new:)``).
    static func contentMigrations(vanished: [TrackedPost], new: [Post]) -> [PostMigration] {
        func key(_ post: Post) -> String? {
            guard !post.text.isEmpty || !(post.title ?? "").isEmpty else { return nil }
            let time = post.postedAt.map { String($0.timeIntervalSince1970) } ?? "-"
            return "\(post.versionHash) \(time)"
        }
        var vanishedByKey: [String: [TrackedPost]] = [:]
        for tracked in vanished {
            if let key = key(tracked.post) { vanishedByKey[key, default: []].append(tracked) }
        }
        guard !vanishedByKey.isEmpty else { return [] }
        var newByKey: [String: [Post]] = [:]
        for post in new {
            if let key = key(post) { newByKey[key, default: []].append(post) }
        }
        var migrations: [PostMigration] = []
        for post in new {
            guard let key = key(post), let previous = vanishedByKey[key], previous.count == 1,
                newByKey[key]?.count == 1
            else { continue }
            migrations.append(PostMigration(previous: previous[0], current: post))
        }
        return migrations
    }

    /// Tracked posts in a stable order: created time (first seen when undated), then ID.
    static func sorted(_ posts: some Sequence<TrackedPost>) -> [TrackedPost] {
        posts.sorted { a, b in
            let ta = a.post.postedAt ?? a.firstSeen
            let tb = b.post.postedAt ?? b.firstSeen
            return ta != tb ? ta < tb : a.post.id < b.post.id
        }
    }
}
