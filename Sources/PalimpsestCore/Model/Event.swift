public import Foundation

/// The kind of finding written to the deletion log.
public enum EventKind: String, Sendable, Codable, CaseIterable, Hashable {
    /// A post confirmed gone (by probe or by absence).
    case deleted
    /// A post's normalized version hash changed.
    case altered
    /// A post with a `deleted` event is visible again.
    case restored
    /// The whole account is gone or hidden (suspended, deleted, private, gated).
    case accountUnavailable = "account_unavailable"
    /// An account with an `account_unavailable` event is visible again.
    case accountRestored = "account_restored"
    /// A span in which the monitor could not see the account (failed polls).
    case blind
    /// The monitor itself raised or cleared an alarm (an account blind too long, no complete
    /// poll at all, a probe host answering nothing, a mass deletion): ``Event/alarm`` says which.
    case alarm
}

/// Whose post a post event concerns when it is not one of the watched account's own posts
/// (`about` in the log; absent for the account's own posts).
public enum EventSubject: String, Sendable, Codable, CaseIterable, Hashable {
    /// An original post of another account that the watched account reposted: its deletion was
    /// seen as the platform's tombstone inside the repost (Weibo). It is not a deletion by the
    /// watched account, and is counted apart from the account's own.
    case repostedOriginal = "reposted_original"
}

/// An interval in seconds, reported as bounds because deletion times are only known to lie
/// between two polls: `{"min_s": …, "max_s": …}`.
public struct SecondsInterval: Sendable, Codable, Hashable {
    /// Lower bound, whole seconds.
    public var minSeconds: Int
    /// Upper bound, whole seconds.
    public var maxSeconds: Int

    public init(minSeconds: Int, maxSeconds: Int) {
        self.minSeconds = minSeconds
        self.maxSeconds = maxSeconds
    }

    /// The interval between `start` and a moment known to lie in `[earliestEnd, latestEnd]`;
    /// negative bounds are clamped to 0.
    public init(from start: Date, earliestEnd: Date, latestEnd: Date) {
        self.minSeconds = max(0, Int(earliestEnd.timeIntervalSince(start).rounded(.down)))
        self.maxSeconds = max(self.minSeconds, Int(latestEnd.timeIntervalSince(start).rounded(.up)))
    }

    enum CodingKeys: String, CodingKey {
        case minSeconds = "min_s"
        case maxSeconds = "max_s"
    }
}

/// A blind span: from the first failed poll to the first successful one after it (`to` is `nil`
/// while the span is open).
public struct BlindSpan: Sendable, Codable, Hashable {
    /// Time of the first failed poll, UTC.
    public var from: Date
    /// Time of the first successful poll after it, UTC; `nil` while still blind.
    public var to: Date?
    /// Number of failed polls in the span so far.
    public var failedPolls: Int
    /// The last failure, for operators.
    public var failure: PollFailure

    public init(from: Date, to: Date? = nil, failedPolls: Int, failure: PollFailure) {
        self.from = from
        self.to = to
        self.failedPolls = failedPolls
        self.failure = failure
    }

    enum CodingKeys: String, CodingKey {
        case from, to, failure
        case failedPolls = "failed_polls"
    }
}

/// One finding: one line of the deletion log (format version ``Event/formatVersion``).
///
/// The detector fills every field except ``seq`` and ``prev``, which the log sets when it appends.
/// Field names on disk are the snake_case names in `docs/deletion-log.md`.
public struct Event: Sendable, Codable, Hashable, Identifiable {
    /// Format version of a log line.
    public static let formatVersion = 1

    /// Format version of this line (`v`).
    public var v: Int = Event.formatVersion
    /// Position in the log, from 1, set by the log.
    public var seq: Int?
    /// Deterministic ID: see ``Event/makeID(account:post:kind:proof:)``.
    public var id: String
    /// When the finding was made (the poll time), UTC.
    public var detectedAt: Date
    /// What was found.
    public var event: EventKind
    /// Why the post or account is gone (deleted, account_unavailable); `nil` otherwise.
    public var reason: Reason?
    /// How a deletion was proved.
    public var confirmedBy: Confirmation?
    /// The account's platform; `nil` only for alarms about the whole monitor (account ``AccountKey/monitor``).
    public var platform: Platform?
    /// The account key; ``AccountKey/monitor`` for alarms about the whole monitor.
    public var account: AccountKey
    public var accountName: String?
    public var postID: String?
    public var postKind: PostKind?
    /// Whose post this is when it is not the account's own: `reposted_original` for an original
    /// of another account that the account reposted; `nil` for the account's own posts (and in
    /// lines written before the field existed).
    public var about: EventSubject?
    /// The post's permalink.
    public var url: String?
    public var postedAt: Date?
    /// First poll that saw the post, UTC.
    public var firstSeen: Date?
    /// Last poll that saw the post, UTC.
    public var lastSeen: Date?
    /// First complete poll from which the post was missing, UTC.
    public var firstMissing: Date?
    /// How long the post lived: created time to somewhere in [last seen, first missing].
    public var lifetime: SecondsInterval?
    /// For `restored`: how long the post was gone: somewhere in [deletion confirmed − first
    /// missing, restore seen − last seen].
    public var goneFor: SecondsInterval?
    /// Last known text (for `altered`: the new text).
    public var text: String?
    /// For `altered`: the text before the change.
    public var previousText: String?
    /// For `altered`: a readable diff, `[-removed-]{+added+}` inline notation.
    public var diff: String?
    /// `true` when ``text``, ``previousText``, ``diff`` or ``detail`` was cut to the daemon's
    /// `event_text_limit` (``cappingText(toBytes:)``); the post archive keeps the full text.
    /// `nil` (absent) otherwise.
    public var textTruncated: Bool?
    /// For `altered`: the platform's own edit marker time, if any.
    public var editedAt: Date?
    /// Version hashes: for `altered` the previous one, for the rest the last known one.
    public var previousVersion: String?
    public var version: String?
    /// For `blind`: the span.
    public var blind: BlindSpan?
    /// For `alarm`: what was raised or cleared.
    public var alarm: AlarmRecord?
    /// The platform's answer that proved it, quoted (tombstone text, status line).
    public var detail: String?
    /// The snapshot that proved the finding (its ID in the account's store).
    public var snapshot: String?
    /// Raw responses that prove the finding.
    public var evidence: [EvidenceReference]
    /// SHA-256 (hex) of the previous log line's bytes, or the genesis value; set by the log.
    public var prev: String?

    public init(
        id: String,
        detectedAt: Date,
        event: EventKind,
        platform: Platform?,
        account: AccountKey,
        accountName: String? = nil,
        evidence: [EvidenceReference] = []
    ) {
        self.id = id
        self.detectedAt = detectedAt
        self.event = event
        self.platform = platform
        self.account = account
        self.accountName = accountName
        self.evidence = evidence
    }

    /// True for a `deleted` event about an original of another account that this account
    /// reposted (``about`` is ``EventSubject/repostedOriginal``), not one of the account's own posts.
    public var isRepostedOriginalDeletion: Bool {
        self.event == .deleted && self.about == .repostedOriginal
    }

    /// The deterministic event ID: the first 32 hex digits of the SHA-256 of
    /// `account \n post \n kind \n proof`, where `proof` names the snapshot (or blind span start)
    /// that proved the finding. The same finding always gets the same ID, so a restart after a
    /// crash can tell whether it was already logged (rule of evidence 7).
    public static func makeID(account: AccountKey, post: String?, kind: EventKind, proof: String) -> String {
        let material = [account.rawValue, post ?? "", kind.rawValue, proof].joined(separator: "\n")
        return String(ContentHash.sha256Hex(material).prefix(32))
    }

    /// This event with each of ``text``, ``previousText``, ``diff`` and ``detail`` cut to at most
    /// `limit` bytes of UTF-8, on a character boundary (a grapheme is never split), and
    /// ``textTruncated`` set when any was cut. A 7 MiB post edited once would otherwise put three
    /// copies of itself in one log line; the full versions stay in the post archive
    /// (`posts.jsonl`).
    /// - Parameter limit: bytes of UTF-8 per field (`event_text_limit`, default 64 KiB); at least 1.
    /// - Returns: the event, unchanged when every field fits.
    public func cappingText(toBytes limit: Int) -> Event {
        var event = self
        var cut = false
        func capped(_ text: String?) -> String? {
            guard let text, text.utf8.count > limit else { return text }
            cut = true
            var kept = 0
            var end = text.startIndex
            for index in text.indices {
                let next = text.index(after: index)
                let size = text.utf8.distance(from: index, to: next)
                guard kept + size <= limit else { break }
                kept += size
                end = next
            }
            return String(text[..<end])
        }
        event.text = capped(self.text)
        event.previousText = capped(self.previousText)
        event.diff = capped(self.diff)
        event.detail = capped(self.detail)
        if cut { event.textTruncated = true }
        return event
    }

    enum CodingKeys: String, CodingKey {
        case v, seq, id, event, reason, platform, account, url, lifetime, text, diff, version, blind, detail,
            snapshot, evidence, prev, about, alarm
        case textTruncated = "text_truncated"
        case detectedAt = "detected_at"
        case confirmedBy = "confirmed_by"
        case accountName = "account_name"
        case postID = "post_id"
        case postKind = "post_kind"
        case postedAt = "posted_at"
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case firstMissing = "first_missing"
        case goneFor = "gone_for"
        case previousText = "previous_text"
        case editedAt = "edited_at"
        case previousVersion = "previous_version"
    }
}
