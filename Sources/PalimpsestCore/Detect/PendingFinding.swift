public import Foundation

/// A finding the detector is still proving, for `palimpsest status`: a deletion candidate (a post
/// missing from the window) or a restore candidate (a deleted post listed again), with why it is
/// not confirmed yet.
public struct PendingFinding: Sendable, Codable, Hashable {
    /// What is being proved.
    public enum Kind: String, Sendable, Codable, Hashable {
        /// A post missing from the window, not yet confirmed deleted.
        case deletion
        /// A deleted post listed again, not yet confirmed restored.
        case restore
    }

    /// The post's ID.
    public var postID: String
    /// Deletion or restore.
    public var kind: Kind
    /// Since when (UTC): the first counted miss, or the first listing again.
    public var since: Date
    /// Consecutive fresh snapshots counted so far (misses, or listings again).
    public var polls: Int
    /// Probes of the post that answered nothing conclusive so far.
    public var inconclusiveProbes: Int
    /// Why it is pending, in one line for operators.
    public var why: String

    /// Creates a pending finding.
    public init(postID: String, kind: Kind, since: Date, polls: Int, inconclusiveProbes: Int, why: String) {
        self.postID = postID
        self.kind = kind
        self.since = since
        self.polls = polls
        self.inconclusiveProbes = inconclusiveProbes
        self.why = why
    }

    enum CodingKeys: String, CodingKey {
        case kind, since, polls, why
        case postID = "post_id"
        case inconclusiveProbes = "inconclusive_probes"
    }
}

extension DetectionState {
    /// The candidates still being proved, oldest first, each with why it waits under `settings`.
    /// Spans are counted up to the last complete poll (`now`, UTC, when there was none): what the
    /// next poll will weigh.
    public func pendingFindings(settings: DetectionSettings, now: Date) -> [PendingFinding] {
        let now = self.lastComplete.map { min($0.polledAt, now) } ?? now
        var pending: [PendingFinding] = []
        for tracked in self.posts.values {
            let id = tracked.post.id
            switch tracked.status {
            case .missing(let record):
                pending.append(
                    PendingFinding(
                        postID: id, kind: .deletion, since: record.firstMissing, polls: record.missingPolls,
                        inconclusiveProbes: record.inconclusiveProbes,
                        why: Self.why(missing: record, settings: settings, now: now)))
            case .deleted(let deletion):
                guard let restore = deletion.restore else { continue }
                var why =
                    "listed again in \(restore.listedPolls) of \(settings.confirmPolls) consecutive fresh snapshots "
                    + "over \(Self.span(now.timeIntervalSince(restore.firstListed))) of "
                    + "\(Self.span(settings.confirmMinAge)) (a lagging replica can show a deleted post)"
                if restore.inconclusiveProbes > 0 {
                    why +=
                        "; its probe answered nothing conclusive "
                        + Self.attempts(restore.inconclusiveProbes, settings: settings)
                        + (restore.lastProbeDetail.map { " (last: \($0))" } ?? "")
                }
                pending.append(
                    PendingFinding(
                        postID: id, kind: .restore, since: restore.firstListed, polls: restore.listedPolls,
                        inconclusiveProbes: restore.inconclusiveProbes, why: why))
            case .visible, .agedOut:
                continue
            }
        }
        return pending.sorted { $0.since != $1.since ? $0.since < $1.since : $0.postID < $1.postID }
    }

    private static func why(missing record: MissingRecord, settings: DetectionSettings, now: Date) -> String {
        guard record.missingPolls > 0 else {
            return "not yet missing from a fresh snapshot that should list it (a stale or partial answer, "
                + "a mass disappearance, or a pinned post outside the window)"
        }
        let absence =
            "missing from \(record.missingPolls) of \(settings.confirmPolls) consecutive fresh snapshots over "
            + "\(Self.span(now.timeIntervalSince(record.firstMissing))) of \(Self.span(settings.confirmMinAge))"
        guard record.inconclusiveProbes > 0 || record.lastProbeDetail != nil else {
            return absence + " (no probe answer yet, or no probe possible)"
        }
        return "its probe answered nothing conclusive " + Self.attempts(record.inconclusiveProbes, settings: settings)
            + (record.lastProbeDetail.map { " (last: \($0))" } ?? "")
            + "; then absence decides: \(absence)"
    }

    /// `3 times (6 needed)`, `25 times (6 needed: done)`, `once (6 needed)`.
    private static func attempts(_ count: Int, settings: DetectionSettings) -> String {
        Plural.times(count) + " (\(settings.probeAttempts) needed"
            + (count >= settings.probeAttempts ? ": done)" : ")")
    }

    /// `5m`, `1h20m` (``DurationParser`` form).
    private static func span(_ seconds: TimeInterval) -> String {
        DurationParser.string(from: max(0, seconds.rounded(.down)))
    }
}
