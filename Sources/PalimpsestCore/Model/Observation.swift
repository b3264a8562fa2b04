public import Foundation

/// What one poll can see of an account's timeline: the bounds of the window.
///
/// The floor is the created time of the post at the OLD END of the list the poll received
/// (rule of evidence 2): a missing post older than the floor has aged out, it is not deleted.
/// Platforms list newest first (or, like Telegram's preview, oldest first: the direction is taken
/// from the majority of neighbouring pairs), so the old end is the last (or first) non-pinned post.
/// A post out of date order — a sticky or bumped old item at the top of a fixed-size feed —
/// therefore never lowers the floor: with the plain minimum date, every post that scrolled off
/// the bottom would look "missing inside the window" (a false deletion). Old sticky items far from
/// the run of the others, at either end, are left out of the floor too, and a list of two dates
/// takes the newer one (``oldEnd(of:)``).
public struct TimelineWindow: Sendable, Codable, Hashable {
    /// Created time (UTC) of the newest non-pinned post received, if any has a date.
    public var newest: Date?
    /// Created time (UTC) of the post at the old end of the list: the window floor.
    public var floor: Date?
    /// Number of non-pinned posts received.
    public var postCount: Int
    /// Number of pinned posts received.
    public var pinnedCount: Int

    public init(newest: Date?, floor: Date?, postCount: Int, pinnedCount: Int) {
        self.newest = newest
        self.floor = floor
        self.postCount = postCount
        self.pinnedCount = pinnedCount
    }

    /// Computes the window of a list of posts in the platform's order: pinned posts never set the
    /// bounds; the floor is the date at the old end of the list (see the type's documentation).
    public init(posts: [Post]) {
        let timeline = posts.filter { !$0.isPinned }
        let dates = timeline.compactMap(\.postedAt)
        self.newest = dates.max()
        self.floor = Self.oldEnd(of: dates)
        self.postCount = timeline.count
        self.pinnedCount = posts.count - timeline.count
    }

    /// The posts a poll keeps of a list longer than `limit` (an account's `max_items`), in list
    /// order: pinned posts first (they sit outside the time order; at most `limit` of them), then
    /// as many non-pinned posts as remain from the NEWEST end of the list: its start when the list
    /// runs newest first, its end when it runs oldest first (the direction read from the dates as
    /// for the floor; newest first when undecided). The window of the kept posts then has its
    /// floor at the oldest post kept, so no post beyond the cut can become a deletion candidate.
    /// - Parameters:
    ///   - posts: the posts in the platform's order.
    ///   - limit: the most posts to keep (at least 1).
    /// - Returns: `posts` unchanged when it holds at most `limit` posts, else the kept posts.
    public static func keepingNewest(_ posts: [Post], limit: Int) -> [Post] {
        let limit = max(1, limit)
        guard posts.count > limit else { return posts }
        let pinned = posts.indices.filter { posts[$0].isPinned }.prefix(limit)
        let timeline = posts.indices.filter { !posts[$0].isPinned }
        let room = limit - pinned.count
        var descending = 0
        var ascending = 0
        let dated = timeline.compactMap { posts[$0].postedAt }
        for (earlier, later) in zip(dated, dated.dropFirst()) {
            if earlier > later { descending += 1 } else if earlier < later { ascending += 1 }
        }
        let kept = descending >= ascending ? timeline.prefix(room) : timeline.suffix(room)
        return Set(pinned).union(kept).sorted().map { posts[$0] }
    }

    /// A gap between neighbouring dates larger than this many times the median gap (and than
    /// ``outlierGapMinimum``) separates two runs of the list (see ``oldEnd(of:)``).
    static let outlierGapFactor: Double = 10
    /// Seconds: a gap of a day or less never separates runs.
    static let outlierGapMinimum: TimeInterval = 86_400

    /// The date at the old end of dates in list order, robust to old sticky items at either end.
    ///
    /// 1. Two dates: newest first, the floor is the second (the older). Oldest first, the
    ///    direction cannot be told (an oldest-first pair, or a newest-first one under a sticky
    ///    item), so the floor is the NEWER of the two (fewer candidates). Both ways, the date listed
    ///    last.
    /// 2. Otherwise the list is cut into runs where the gap between neighbours exceeds
    ///    ``outlierGapFactor`` times the median gap and ``outlierGapMinimum``. The run holding the
    ///    newest date is the timeline; its direction is that of most of its neighbouring pairs
    ///    (newest first when undecided), and its old end is the floor. A run before it on its newer
    ///    side is a block of stickies (old items where the newest belong): left out. A run after it on
    ///    its old side continues the floor only when it is a run of older posts in the same
    ///    direction with at least two of them (an account that was silent for a while); a lone
    ///    old item there (a sticky at the bottom) is left out.
    static func oldEnd(of dates: [Date]) -> Date? {
        guard let first = dates.first, let last = dates.last else { return nil }
        guard dates.count > 2 else { return last }
        let gaps = zip(dates, dates.dropFirst()).map { abs($0.timeIntervalSince($1)) }
        let median = gaps.sorted()[(gaps.count - 1) / 2]
        let limit = max(Self.outlierGapFactor * median, Self.outlierGapMinimum)
        var runs: [Range<Int>] = []
        var start = 0
        for (index, gap) in gaps.enumerated() where gap > limit {
            runs.append(start..<(index + 1))
            start = index + 1
        }
        runs.append(start..<dates.count)
        let newest = dates.indices.max { dates[$0] < dates[$1] } ?? 0
        let main = runs.firstIndex { $0.contains(newest) } ?? 0

        func direction(_ run: Range<Int>) -> (descending: Int, ascending: Int) {
            var descending = 0
            var ascending = 0
            for index in run.dropLast() {
                if dates[index] > dates[index + 1] {
                    descending += 1
                } else if dates[index] < dates[index + 1] {
                    ascending += 1
                }
            }
            return (descending, ascending)
        }
        let (descending, ascending) = direction(runs[main])
        let newestFirst = descending >= ascending
        var floor = newestFirst ? dates[runs[main].last!] : dates[runs[main].first!]
        // Runs of older posts on the old side, in the same direction, continue the timeline.
        let older = newestFirst ? Array(runs[(main + 1)...]) : Array(runs[..<main].reversed())
        for run in older {
            let pairs = direction(run)
            let sameWay = newestFirst ? pairs.ascending == 0 : pairs.descending == 0
            guard run.count >= 2, sameWay, run.allSatisfy({ dates[$0] < floor }) else { break }
            floor = newestFirst ? dates[run.last!] : dates[run.first!]
        }
        return floor
    }

    enum CodingKeys: String, CodingKey {
        case newest, floor
        case postCount = "post_count"
        case pinnedCount = "pinned_count"
    }
}

/// What a timeline answer says about its own age besides its posts (rule of evidence 3): a
/// listing carrying an older date than one seen before is a stale replica or cache.
public struct ListingSignals: Sendable, Codable, Hashable {
    /// The feed's own date of its last change: RSS `channel/lastBuildDate`, Atom `feed/updated`
    /// (UTC); `nil` when the source has none.
    public var updatedAt: Date?
    /// The HTTP `Last-Modified` of the first timeline answer (UTC).
    public var lastModified: Date?
    /// The HTTP `ETag` of the first timeline answer, as sent.
    public var etag: String?

    /// Creates signals; every field may be absent.
    public init(updatedAt: Date? = nil, lastModified: Date? = nil, etag: String? = nil) {
        self.updatedAt = updatedAt
        self.lastModified = lastModified
        self.etag = etag
    }

    /// True when no signal is present.
    public var isEmpty: Bool { self.updatedAt == nil && self.lastModified == nil && self.etag == nil }

    enum CodingKeys: String, CodingKey {
        case etag
        case updatedAt = "updated_at"
        case lastModified = "last_modified"
    }
}

/// A pointer to a stored raw response body that proves something: its path under `state_dir`
/// and its SHA-256.
public struct EvidenceReference: Sendable, Codable, Hashable {
    /// Path relative to `state_dir` of the file holding the body: `warc/<name>.warc.gz` (the WARC
    /// file whose record at ``offset`` holds it), or, in events and snapshots written before the
    /// store kept WARC files, `accounts/<dir>/evidence/<sha256>.body` (the body alone).
    public var path: String
    /// SHA-256 of the body bytes exactly as received (after content decoding), lowercase hex.
    public var sha256: String
    /// The URL that was requested.
    public var url: String
    /// The HTTP status of the answer.
    public var status: Int
    /// When the answer was received, UTC.
    public var fetchedAt: Date
    /// Byte offset in ``path`` of the gzip member holding the WARC `response` record with the body;
    /// `nil` when ``path`` is a plain body file.
    public var offset: Int?
    /// Length in bytes of that gzip member; `nil` when ``path`` is a plain body file.
    public var length: Int?
    /// The WARC-Record-ID of this capture's own record (the `response` at ``offset``, or a
    /// `revisit` record naming it when the same body was stored before); `nil` for plain files.
    public var record: String?

    public init(
        path: String, sha256: String, url: String, status: Int, fetchedAt: Date, offset: Int? = nil,
        length: Int? = nil, record: String? = nil
    ) {
        self.path = path
        self.sha256 = sha256
        self.url = url
        self.status = status
        self.fetchedAt = fetchedAt
        self.offset = offset
        self.length = length
        self.record = record
    }

    /// Where the WARC record with the body lies, when this reference names one.
    public var warcLocation: WARCLocation? {
        guard let offset = self.offset, let length = self.length else { return nil }
        return WARCLocation(path: self.path, offset: offset, length: length)
    }

    enum CodingKeys: String, CodingKey {
        case path, sha256, url, status, offset, length, record
        case fetchedAt = "fetched_at"
    }
}

/// The result of one complete poll of one account: a snapshot of its timeline window.
public struct Observation: Sendable, Codable, Hashable {
    /// The account polled.
    public var account: AccountKey
    /// When the poll was made (UTC); `poll --now` can set it for replays.
    public var polledAt: Date
    /// The posts visible in the window, in the order the platform listed them (pinned included).
    public var posts: [Post]
    /// The window's bounds.
    public var window: TimelineWindow
    /// True when every request of the poll succeeded and parsed: only complete observations are
    /// diffed (rule of evidence 2).
    public var isComplete: Bool
    /// The raw responses this observation was built from.
    public var evidence: [EvidenceReference]
    /// The listing's own dates (feed `lastBuildDate`/`updated`, HTTP `Last-Modified`, `ETag`),
    /// `nil` when none was given.
    public var signals: ListingSignals?

    public init(
        account: AccountKey, polledAt: Date, posts: [Post], isComplete: Bool = true,
        evidence: [EvidenceReference] = [], signals: ListingSignals? = nil
    ) {
        self.account = account
        self.polledAt = polledAt
        self.posts = posts
        self.window = TimelineWindow(posts: posts)
        self.isComplete = isComplete
        self.evidence = evidence
        self.signals = signals.flatMap { $0.isEmpty ? nil : $0 }
    }

    enum CodingKeys: String, CodingKey {
        case account, posts, window, evidence, signals
        case polledAt = "polled_at"
        case isComplete = "is_complete"
    }
}
