import Foundation

/// An account's timeline that changes between polls the way a watched account's does.
///
/// Before each poll after the first: `newPerPoll` posts appear on top, `changesPerPoll` posts
/// inside the window are deleted (never the newest ones just added, never the oldest listed, so
/// each deletion is a real candidate rather than a post ageing out), and `changesPerPoll` listed
/// posts are edited. A poll sees the newest `windowSize` posts, like a feed showing its latest N
/// items. The choice of posts is seeded by the account and poll number: every run is the same.
struct SyntheticTimeline: Sendable {
    /// Seconds between two polls (the daemon's default `interval`, 10 minutes).
    static let pollInterval: TimeInterval = 600
    /// Time of the first poll: 2026-01-01T00:00:00Z.
    static let firstPoll = Date(timeIntervalSince1970: 1_767_225_600)

    /// The account's index, part of every post ID.
    let account: Int
    /// Posts one poll sees.
    let windowSize: Int
    /// Posts published before each poll after the first: a tenth of the window, at least 1.
    let newPerPoll: Int
    /// Posts deleted, and posts edited, before each poll after the first: a twentieth of the
    /// window, at least 1.
    let changesPerPoll: Int
    /// Polls made so far (``advance()`` calls).
    private(set) var polls = 0
    /// The posts a poll sees now, newest first.
    private(set) var window: [SyntheticPost]
    /// Posts deleted so far.
    private(set) var deletions = 0
    /// Edits made so far.
    private(set) var edits = 0
    private var nextNumber: Int

    /// A timeline of `windowSize` posts published 5 minutes apart before the first poll.
    /// - Parameters:
    ///   - account: the account's index.
    ///   - windowSize: posts per window, at least 5.
    init(account: Int, windowSize: Int) {
        self.account = account
        self.windowSize = windowSize
        self.newPerPoll = max(1, windowSize / 10)
        self.changesPerPoll = max(1, windowSize / 20)
        self.window = (0..<windowSize).map { index in
            SyntheticPost(
                number: windowSize - index,
                postedAt: Self.firstPoll.addingTimeInterval(-300 * Double(index + 1)),
                revision: 0)
        }
        self.nextNumber = windowSize + 1
    }

    /// The time (UTC) of the current poll.
    var now: Date {
        Self.firstPoll.addingTimeInterval(Self.pollInterval * Double(max(0, self.polls - 1)))
    }

    /// Moves to the next poll. The first call leaves the initial posts as they are; later calls
    /// publish, delete and edit posts as the type describes.
    mutating func advance() {
        self.polls += 1
        guard self.polls > 1 else { return }
        let now = self.now
        for offset in 0..<self.newPerPoll {
            let post = SyntheticPost(
                number: self.nextNumber, postedAt: now.addingTimeInterval(-60 * Double(self.newPerPoll - offset)),
                revision: 0)
            self.window.insert(post, at: 0)
            self.nextNumber += 1
        }
        var random = SeededGenerator(seed: UInt64(self.account) &* 1_000_003 &+ UInt64(self.polls))
        // Positions that were listed at the last poll and are not its oldest post.
        let deletable = Array(self.newPerPoll...(self.windowSize - 2)).shuffled(using: &random)
        for position in deletable.prefix(self.changesPerPoll).sorted(by: >) {
            self.window.remove(at: position)
            self.deletions += 1
        }
        for position in Array(0..<self.windowSize).shuffled(using: &random).prefix(self.changesPerPoll) {
            self.window[position].revision += 1
            self.edits += 1
        }
        self.window.removeLast(self.window.count - self.windowSize)
    }
}
