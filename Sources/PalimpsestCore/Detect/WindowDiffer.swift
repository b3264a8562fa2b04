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
}

/// What one complete snapshot changes against the detector's memory. The differ only reads;
/// ``Confirmer/apply(state:diff:observation:snapshotID:probes:unprobeable:accountProbe:account:settings:)``
/// turns a diff plus probe answers into events.
public struct WindowDiff: Sendable, Hashable {
    /// Posts never seen before, in listing order.
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
    /// Posts with a `deleted` status listed again (a restore, if the snapshot is fresh).
    public var reappeared: [TrackedPost]
    /// Too much vanished at once (or an empty window after a non-empty one): probe the account;
    /// no per-post event is derived from this snapshot.
    public var isMassDisappearance: Bool
    /// The snapshot is at least as fresh as the last one seen: its newest non-pinned post is not
    /// older than ``DetectionState/freshestPostedAt`` (for dateless snapshots: it still lists
    /// ``DetectionState/freshestPostID``, or lists an unknown post first). Only fresh snapshots
    /// count for absence, alterations and restores.
    public var isFresh: Bool

    /// Creates a diff.
    public init(
        newPosts: [Post] = [],
        alterations: [PostAlteration] = [],
        candidates: [TrackedPost] = [],
        insideWindow: Set<String> = [],
        reappeared: [TrackedPost] = [],
        isMassDisappearance: Bool = false,
        isFresh: Bool = false
    ) {
        self.newPosts = newPosts
        self.alterations = alterations
        self.candidates = candidates
        self.insideWindow = insideWindow
        self.reappeared = reappeared
        self.isMassDisappearance = isMassDisappearance
        self.isFresh = isFresh
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
    ///   - settings: mass-disappearance thresholds.
    /// - Returns: the new, altered, missing and reappeared posts, and the snapshot's freshness.
    public static func diff(state: DetectionState, observation: Observation, settings: DetectionSettings)
        -> WindowDiff
    {
        guard observation.isComplete else { return WindowDiff() }
        let view = SnapshotView(observation)
        let floor = observation.window.floor
        var diff = WindowDiff(isFresh: self.isFresh(state: state, observation: observation, view: view))

        for id in view.order {
            guard let post = view.posts[id] else { continue }
            guard let tracked = state.posts[id] else {
                diff.newPosts.append(post)
                continue
            }
            if tracked.status.isDeleted {
                diff.reappeared.append(tracked)
            }
            if tracked.post.versionHash != post.versionHash, !tracked.post.isTruncated, !post.isTruncated {
                diff.alterations.append(PostAlteration(previous: tracked, current: post))
            }
        }

        var expected = 0
        var vanished = 0
        for tracked in self.sorted(state.posts.values) {
            let id = tracked.post.id
            let listed = view.posts[id] != nil
            let record = tracked.status.missingRecord
            let isVisible = tracked.status == .visible
            guard isVisible || record != nil else { continue }
            let inside = !listed && view.contains(inWindow: tracked, floor: floor)
            if isVisible, !tracked.post.isPinned, listed || inside {
                expected += 1
                if !listed { vanished += 1 }
            }
            guard !listed, inside || tracked.post.isPinned || record != nil else { continue }
            diff.candidates.append(tracked)
            if inside { diff.insideWindow.insert(id) }
        }

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

    /// Rule of evidence 3: a snapshot is fresh when it is at least as new as the newest state
    /// seen, so a lagging replica (newest posts missing, deleted ones back) proves nothing.
    static func isFresh(state: DetectionState, observation: Observation, view: SnapshotView) -> Bool {
        if let newest = observation.window.newest {
            guard let mark = state.freshestPostedAt else { return true }
            // Dates on disk have millisecond precision: allow that much, or a post read back from
            // state.json one ulp later than the same post parsed now would make every poll stale.
            return newest.timeIntervalSince(mark) >= -0.001
        }
        // No dated post in the timeline: judge by the newest post ID seen instead.
        guard let markID = state.freshestPostID else { return state.freshestPostedAt == nil }
        if view.timelineSet.contains(markID) { return true }
        switch state.posts[markID]?.status {
        case .none, .deleted, .agedOut: return true
        case .visible, .missing: break
        }
        if let first = view.timeline.first, state.posts[first] == nil { return true }
        return false
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
