import Foundation

/// One post of a ``SyntheticTimeline``.
struct SyntheticPost: Sendable {
    /// Sequence number within its account: a higher number is a newer post.
    let number: Int
    /// When it was published (UTC, whole seconds, as RSS `pubDate` carries them).
    let postedAt: Date
    /// How many times it was edited; every edit changes its text.
    var revision: Int
}
