/// One event of the digest's week, as logged, with what the store adds to it: the post's media
/// links, links and title from the post archive, how many versions of the post were archived,
/// and whether the evidence files the event cites are present and intact.
public struct DigestEntry: Sendable, Hashable, Codable {
    /// Whether a cited evidence body is in the state folder with the SHA-256 the event names.
    public enum EvidenceStatus: String, Sendable, Hashable, Codable {
        /// The file is present and its SHA-256 matches.
        case verified
        /// No such file under `state_dir` (pruned, another host's log, or no state folder given).
        case missing
        /// The file is present but its SHA-256 differs: it was changed after it was written.
        case mismatch
    }

    /// The result of checking one evidence reference of the event.
    public struct EvidenceCheck: Sendable, Hashable, Codable {
        /// The SHA-256 (64 hex) the event names.
        public var sha256: String
        /// What the check found.
        public var status: EvidenceStatus

        /// Creates a check result.
        public init(sha256: String, status: EvidenceStatus) {
            self.sha256 = sha256
            self.status = status
        }
    }

    /// The event exactly as read from the log (every field of `docs/deletion-log.md`).
    public var event: Event
    /// The label of the log it came from (its file name; see ``DigestSource/log``).
    public var log: String
    /// The post's title, from the archived version the event names (feeds), if any.
    public var title: String?
    /// Media URLs of that archived version, in the platform's order.
    public var media: [String]
    /// Links of that archived version, in order.
    public var links: [String]
    /// The text of that archived version, only when the event itself carries no `text`.
    public var archivedText: String?
    /// How many distinct versions of the post the archive holds; `nil` without a state folder or
    /// for account events.
    public var archivedVersions: Int?
    /// One check per evidence reference of the event, in the event's order; empty without a
    /// state folder.
    public var evidenceChecks: [EvidenceCheck]
    /// Set when the log's hash chain breaks at or right after this event's line: the event may
    /// not be what was logged (``DigestChainBreak``); `nil` for an intact chain.
    public var chainProblem: ChainProblem?

    /// Why an entry's log line is in doubt.
    public struct ChainProblem: Sendable, Hashable, Codable {
        /// The entry's line in its log file, from 1.
        public var line: Int
        /// What the chain check found about it, for a reader.
        public var note: String

        /// Creates a mark.
        public init(line: Int, note: String) {
            self.line = line
            self.note = note
        }
    }

    /// Creates an entry; the store-derived fields default to empty.
    public init(
        event: Event,
        log: String,
        title: String? = nil,
        media: [String] = [],
        links: [String] = [],
        archivedText: String? = nil,
        archivedVersions: Int? = nil,
        evidenceChecks: [EvidenceCheck] = []
    ) {
        self.event = event
        self.log = log
        self.title = title
        self.media = media
        self.links = links
        self.archivedText = archivedText
        self.archivedVersions = archivedVersions
        self.evidenceChecks = evidenceChecks
    }

    /// The last known text: the event's, else the archived version's.
    public var text: String? { self.event.text ?? self.archivedText }

    enum CodingKeys: String, CodingKey {
        case event, log, title, media, links
        case archivedText = "archived_text"
        case archivedVersions = "archived_versions"
        case evidenceChecks = "evidence_checks"
        case chainProblem = "chain_problem"
    }
}

extension DigestEntry {
    /// Detection time, then account key, then event id.
    static func chronological(_ a: DigestEntry, _ b: DigestEntry) -> Bool {
        if a.event.detectedAt != b.event.detectedAt { return a.event.detectedAt < b.event.detectedAt }
        if a.event.account != b.event.account { return a.event.account < b.event.account }
        return a.event.id < b.event.id
    }
}
