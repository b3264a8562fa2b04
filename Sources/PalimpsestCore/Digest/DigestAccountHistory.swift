public import Foundation

/// What the state folder knows about one account that the log does not say: every archived post
/// version (for media, titles and post history), the last poll, and whether the evidence files the
/// week's events cite are intact.
public struct DigestAccountHistory: Sendable, Hashable {
    /// Every archived version of every post of the account, in archive order. The digest reads
    /// them for the accounts with events in the week; for the others ``archivedFirstSeen`` says
    /// what coverage needs.
    public var versions: [ArchivedPostVersion]
    /// The earliest and the latest `first_seen` (UTC) of the account's archived versions, when
    /// ``versions`` was not read; `nil` otherwise or when the archive holds none. Coverage counts
    /// them as times the account was seen, as it counts each version's.
    public var archivedFirstSeen: ClosedRange<Date>?
    /// The time of the last poll (`state.json` `last_poll.at`), UTC.
    public var lastPollAt: Date?
    /// The status of each evidence body checked, by SHA-256.
    public var evidence: [String: DigestEntry.EvidenceStatus]
    /// The stretches in which the account was polled without a gap (`state.json` `poll_spans`),
    /// oldest first; `nil` for a state written before they were kept.
    public var pollSpans: [PollSpan]?

    /// Creates a history; everything defaults to unknown.
    public init(
        versions: [ArchivedPostVersion] = [],
        lastPollAt: Date? = nil,
        evidence: [String: DigestEntry.EvidenceStatus] = [:],
        pollSpans: [PollSpan]? = nil
    ) {
        self.versions = versions
        self.lastPollAt = lastPollAt
        self.evidence = evidence
        self.pollSpans = pollSpans
    }
}
