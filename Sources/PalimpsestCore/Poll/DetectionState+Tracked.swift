extension DetectionState {
    /// Posts the detector watches now: visible or missing (a deletion candidate); deleted and
    /// aged-out posts are remembered but no longer watched. For `palimpsest status`.
    var trackedPostCount: Int {
        self.posts.values.reduce(0) { count, tracked in
            switch tracked.status {
            case .visible, .missing: return count + 1
            case .deleted, .agedOut: return count
            }
        }
    }
}
