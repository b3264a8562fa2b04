import Foundation

/// Builds the events the confirmer logs, with their deterministic IDs (rule of evidence 7).
enum DetectionEvents {
    /// An event about one post, with every field rule 9 of the detection brief lists:
    /// platform, account, post ID and kind, URL, created time, first and last seen, last known
    /// text and version, the snapshot and its evidence, detected at the poll time.
    static func postEvent(
        _ kind: EventKind,
        tracked: TrackedPost,
        post: Post,
        account: Account,
        snapshotID: String,
        detectedAt: Date,
        evidence: [EvidenceReference]
    ) -> Event {
        var event = Event(
            id: Event.makeID(account: account.key, post: post.id, kind: kind, proof: snapshotID),
            detectedAt: detectedAt,
            event: kind,
            platform: account.platform,
            account: account.key,
            accountName: account.name,
            evidence: evidence)
        event.postID = post.id
        event.postKind = post.kind
        event.url = post.url
        event.postedAt = post.postedAt
        event.firstSeen = tracked.firstSeen
        event.lastSeen = tracked.lastSeen
        event.text = post.text
        event.version = post.versionHash
        event.snapshot = snapshotID
        return event
    }

    /// A `deleted` event: lifetime from the created time to somewhere in [last seen, first
    /// missing]; none for a post without a created time.
    static func deleted(
        tracked: TrackedPost,
        reason: Reason,
        confirmedBy: Confirmation,
        detail: String,
        firstMissing: Date,
        account: Account,
        snapshotID: String,
        detectedAt: Date,
        evidence: [EvidenceReference]
    ) -> Event {
        var event = self.postEvent(
            .deleted, tracked: tracked, post: tracked.post, account: account, snapshotID: snapshotID,
            detectedAt: detectedAt, evidence: evidence)
        event.reason = reason
        event.confirmedBy = confirmedBy
        event.detail = detail
        event.firstMissing = firstMissing
        // A post without a date has no known start: its time since first seen is not a lifetime
        // (docs/deletion-log.md: `lifetime` only when `posted_at` is known). A date later than the
        // first poll that listed the post is wrong (a feed's time zone): the post existed by then,
        // so the lifetime starts there at the latest (it had read 0 s for a post watched 30 min).
        event.lifetime = tracked.post.postedAt.map {
            SecondsInterval(from: min($0, tracked.firstSeen), earliestEnd: tracked.lastSeen, latestEnd: firstMissing)
        }
        return event
    }

    /// An `altered` event: both texts, an inline diff of the normalized texts, both version
    /// hashes, the platform's edit marker, and which parts of the version changed.
    static func altered(
        previous: TrackedPost,
        current: Post,
        account: Account,
        snapshotID: String,
        detectedAt: Date,
        evidence: [EvidenceReference],
        diffLimit: Int = DetectionSettings.defaultEventTextLimit
    ) -> Event {
        var seen = previous
        seen.lastSeen = detectedAt
        var event = self.postEvent(
            .altered, tracked: seen, post: current, account: account, snapshotID: snapshotID,
            detectedAt: detectedAt, evidence: evidence)
        let before = PostVersion(
            text: previous.post.text, title: previous.post.title, media: previous.post.media,
            links: previous.post.links, reference: previous.post.reference, revision: previous.post.revision)
        let after = PostVersion(
            text: current.text, title: current.title, media: current.media, links: current.links,
            reference: current.reference, revision: current.revision)
        var changed: [String] = []
        if before.title != after.title { changed.append("title") }
        if before.text != after.text { changed.append("text") }
        if before.media != after.media { changed.append("media") }
        if before.links != after.links { changed.append("links") }
        if before.reference != after.reference { changed.append("reference") }
        if before.revision != after.revision { changed.append("revision") }
        event.previousText = previous.post.text
        if before.text != after.text {
            // A long post with a few changed words: the diff keeps every change, with some context.
            let diff = TextDiff.inline(from: before.text, to: after.text, maximumBytes: diffLimit)
            event.diff = diff.diff
            if diff.isShortened { event.textTruncated = true }
        }
        event.editedAt = current.editedAt
        event.previousVersion = previous.post.versionHash
        event.detail = "changed: " + (changed.isEmpty ? "version" : changed.joined(separator: ", "))
        return event
    }

    /// A `restored` event, proved by `confirmedBy` (`probe` or `listing`). Gone for at least
    /// [last known gone − first missing] and at most [first listed again − last seen]: the post
    /// vanished between the last poll that saw it and the first that missed it, and came back
    /// between the last poll that still missed it and the first that listed it again.
    static func restored(
        tracked: TrackedPost,
        record: DeletionRecord,
        restore: RestoreRecord,
        confirmedBy: Confirmation,
        current: Post,
        account: Account,
        snapshotID: String,
        detectedAt: Date,
        evidence: [EvidenceReference]
    ) -> Event {
        var event = self.postEvent(
            .restored, tracked: tracked, post: current, account: account, snapshotID: snapshotID,
            detectedAt: detectedAt, evidence: evidence)
        event.firstMissing = record.firstMissing
        event.confirmedBy = confirmedBy
        let least = max(0, Int(record.knownGoneAt.timeIntervalSince(record.firstMissing).rounded(.down)))
        let most = max(least, Int(restore.firstListed.timeIntervalSince(tracked.lastSeen).rounded(.up)))
        event.goneFor = SecondsInterval(minSeconds: least, maxSeconds: most)
        var detail =
            "deleted event \(record.eventID) (\(record.reason.rawValue), confirmed by "
            + "\(record.confirmedBy.rawValue) at \(RFC3339.string(from: record.confirmedAt))); listed again since "
            + "\(RFC3339.string(from: restore.firstListed))"
        switch confirmedBy {
        case .probe: detail += "; its probe answered that it exists"
        case .listing, .absence:
            detail += " in \(Plural.count(restore.listedPolls, "consecutive fresh snapshot"))"
            if restore.inconclusiveProbes > 0 {
                detail += " (its probe answered nothing conclusive \(Plural.times(restore.inconclusiveProbes)))"
            }
        }
        event.detail = detail
        return event
    }

    /// A `blind` event for a span that opened (`span.to == nil`, proof `blind:<start>`) or
    /// closed (proof `blind-end:<start>`).
    static func blind(span: BlindSpan, account: Account, detectedAt: Date) -> Event {
        let start = RFC3339.string(from: span.from)
        let proof = span.to == nil ? "blind:\(start)" : "blind-end:\(start)"
        var event = Event(
            id: Event.makeID(account: account.key, post: nil, kind: .blind, proof: proof),
            detectedAt: detectedAt,
            event: .blind,
            platform: account.platform,
            account: account.key,
            accountName: account.name)
        event.blind = span
        event.detail = span.failure.description
        return event
    }

    /// An account event (`account_unavailable`, `account_restored`) proved by `proof`
    /// (`account:<snapshot ID>` or `account:<RFC 3339 time>`).
    static func accountEvent(
        _ kind: EventKind,
        reason: Reason?,
        detail: String,
        proof: String,
        account: Account,
        detectedAt: Date,
        snapshotID: String?,
        evidence: [EvidenceReference]
    ) -> Event {
        var event = Event(
            id: Event.makeID(account: account.key, post: nil, kind: kind, proof: "account:\(proof)"),
            detectedAt: detectedAt,
            event: kind,
            platform: account.platform,
            account: account.key,
            accountName: account.name,
            evidence: evidence)
        event.reason = reason
        event.detail = detail
        event.snapshot = snapshotID
        // The account's own answer proved it (its lookup, profile or page: rule of evidence 4).
        if kind == .accountUnavailable { event.confirmedBy = .probe }
        return event
    }
}
