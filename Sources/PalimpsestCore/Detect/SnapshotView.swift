import Foundation

/// An observation's posts indexed for diffing: one entry per post ID (a post listed twice,
/// e.g. pinned and in the timeline, is merged: first listing's content, pinned if any listing
/// is), the listing order, and the order of the non-pinned timeline.
struct SnapshotView: Sendable, Hashable {
    /// Posts by ID, merged.
    let posts: [String: Post]
    /// Unique post IDs in listing order.
    let order: [String]
    /// Unique IDs of the posts listed in the timeline (not as pinned), in listing order.
    let timeline: [String]
    /// ``timeline`` as a set.
    let timelineSet: Set<String>

    init(_ observation: Observation) {
        var posts: [String: Post] = [:]
        var order: [String] = []
        var timeline: [String] = []
        var timelineSet: Set<String> = []
        for post in observation.posts {
            if var known = posts[post.id] {
                known.isPinned = known.isPinned || post.isPinned
                posts[post.id] = known
            } else {
                posts[post.id] = post
                order.append(post.id)
            }
            if !post.isPinned, !timelineSet.contains(post.id) {
                timeline.append(post.id)
                timelineSet.insert(post.id)
            }
        }
        self.posts = posts
        self.order = order
        self.timeline = timeline
        self.timelineSet = timelineSet
    }

    /// The IDs listed after `id` in the timeline, nearest first, at most
    /// ``TrackedPost/olderNeighbourLimit``; empty when `id` is not in the timeline.
    func olderNeighbours(of id: String) -> [String] {
        guard let index = self.timeline.firstIndex(of: id) else { return [] }
        return Array(self.timeline[(index + 1)...].prefix(TrackedPost.olderNeighbourLimit))
    }

    /// Whether a tracked post that is not listed lies inside this snapshot's window: created
    /// after the floor (the oldest non-pinned post received), or, for a post without a created
    /// time, with one of its remembered older neighbours still in the timeline.
    func contains(inWindow tracked: TrackedPost, floor: Date?) -> Bool {
        if let postedAt = tracked.post.postedAt {
            guard let floor else { return false }
            return postedAt > floor
        }
        return tracked.olderNeighbours.contains { self.timelineSet.contains($0) }
    }
}
