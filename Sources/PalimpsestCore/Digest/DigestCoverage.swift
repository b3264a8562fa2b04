public import Foundation

/// How much of the week the monitor could see one account.
///
/// The account counts as observed while it was polled: inside the poll spans of its state
/// (``PollSpan``: polls no further apart than twice its interval with the most jitter), minus the
/// blind spans its `blind` events record. A gap between two polls longer than that (the daemon was
/// stopped, the machine was down) is unobserved and listed in ``unobserved``. For the time before
/// the state kept poll spans (and without a state folder), the account counts as observed from the
/// first to the last poll known for it (the earliest and latest times in the post archive,
/// `state.json`'s last poll and the account's events), as before (see `docs/digest.md`).
public struct DigestCoverage: Sendable, Hashable, Encodable {
    /// A stretch of the week in which the account was not polled at all: a gap between two polls
    /// longer than twice its interval with the most jitter.
    public struct Gap: Sendable, Hashable, Encodable {
        /// The last poll before the gap, UTC (may lie before the week).
        public var from: Date
        /// The first poll after it, UTC (may lie after the week).
        public var to: Date
        /// Seconds of the gap inside the week (up to the digest's time).
        public var secondsInWeek: Int

        /// Creates a gap.
        public init(from: Date, to: Date, secondsInWeek: Int) {
            self.from = from
            self.to = to
            self.secondsInWeek = secondsInWeek
        }

        enum CodingKeys: String, CodingKey {
            case from, to
            case secondsInWeek = "seconds_in_week"
        }
    }

    /// A blind span that overlaps the week.
    public struct BlindSpan: Sendable, Hashable, Encodable {
        /// The first failed poll, UTC (may lie before the week).
        public var from: Date
        /// The first successful poll after it, UTC; `nil` when the span is still open in the log.
        public var to: Date?
        /// Failed polls in the span, as last logged.
        public var failedPolls: Int
        /// The last failure's kind (`timeout`, `http_status`, …).
        public var failureKind: String
        /// The last failure's message.
        public var failureMessage: String
        /// Seconds of the span inside the week (and inside the observed part of it).
        public var secondsInWeek: Int

        /// Creates a span.
        public init(
            from: Date,
            to: Date?,
            failedPolls: Int,
            failureKind: String,
            failureMessage: String,
            secondsInWeek: Int
        ) {
            self.from = from
            self.to = to
            self.failedPolls = failedPolls
            self.failureKind = failureKind
            self.failureMessage = failureMessage
            self.secondsInWeek = secondsInWeek
        }

        enum CodingKeys: String, CodingKey {
            case from, to
            case failedPolls = "failed_polls"
            case failureKind = "failure_kind"
            case failureMessage = "failure_message"
            case secondsInWeek = "seconds_in_week"
        }
    }

    /// Seconds of the week the digest covers: the whole week, or the part of it that had passed
    /// when the digest was made.
    public var expectedSeconds: Int
    /// Seconds of those in which the account was watched and not blind.
    public var observedSeconds: Int
    /// The first poll known for the account, UTC; `nil` when nothing is known.
    public var watchedFrom: Date?
    /// The last poll known for the account, UTC.
    public var watchedTo: Date?
    /// The blind spans that overlap the week, oldest first.
    public var blindSpans: [BlindSpan]
    /// The gaps between polls that overlap the week, oldest first (empty without poll spans).
    public var unobserved: [Gap]

    /// Creates a coverage record.
    public init(
        expectedSeconds: Int,
        observedSeconds: Int,
        watchedFrom: Date?,
        watchedTo: Date?,
        blindSpans: [BlindSpan],
        unobserved: [Gap] = []
    ) {
        self.expectedSeconds = expectedSeconds
        self.observedSeconds = observedSeconds
        self.watchedFrom = watchedFrom
        self.watchedTo = watchedTo
        self.blindSpans = blindSpans
        self.unobserved = unobserved
    }

    /// The observed share of the week, 0 to 1 (0 for an empty week).
    public var share: Double {
        self.expectedSeconds > 0 ? Double(self.observedSeconds) / Double(self.expectedSeconds) : 0
    }

    /// Encodes the fields and ``share`` rounded to four decimals.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.expectedSeconds, forKey: .expectedSeconds)
        try container.encode(self.observedSeconds, forKey: .observedSeconds)
        try container.encodeIfPresent(self.watchedFrom, forKey: .watchedFrom)
        try container.encodeIfPresent(self.watchedTo, forKey: .watchedTo)
        try container.encode(self.blindSpans, forKey: .blindSpans)
        try container.encode(self.unobserved, forKey: .unobserved)
        // Four decimals, so the number reads the same on every machine.
        try container.encode((self.share * 10_000).rounded() / 10_000, forKey: .share)
    }

    enum CodingKeys: String, CodingKey {
        case share
        case expectedSeconds = "expected_s"
        case observedSeconds = "observed_s"
        case watchedFrom = "watched_from"
        case watchedTo = "watched_to"
        case blindSpans = "blind_spans"
        case unobserved = "unobserved_gaps"
    }
}
