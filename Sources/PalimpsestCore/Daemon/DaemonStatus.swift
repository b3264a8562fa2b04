public import Foundation

/// What the running daemon reports about itself: `state_dir/status.json`, rewritten atomically
/// (write, fsync, rename) at most every few seconds while polls happen, so `palimpsest status`
/// can read it at any time without a lock. JSON with snake_case keys, RFC 3339 UTC times; format
/// in `docs/operating.md`.
public struct DaemonStatus: Sendable, Codable, Hashable, VersionedDocument {
    /// Format version of `status.json`.
    public static let formatVersion = 1
    /// The file's name inside `state_dir`.
    public static let fileName = "status.json"
    public static let documentName = "daemon status"
    public static let unreadableAdvice =
        "the daemon rewrites it within seconds while it runs; if it persists, delete the file"
    public static let endsWithLineFeed = false

    /// The daemon's life stage.
    public enum Phase: String, Sendable, Codable, Hashable {
        /// Restoring state before it is ready.
        case starting
        /// Polling.
        case running
        /// Re-reading its config (SIGHUP).
        case reloading
        /// Draining in-flight polls after SIGTERM/SIGINT.
        case stopping
        /// Stopped cleanly: every write is done.
        case stopped
    }

    /// One watched account as the daemon sees it: the one record of an account's status, written
    /// to `status.json` and shown by `palimpsest status` (``StatusReport/Row`` adds the report's
    /// figures of the last 7 days to it).
    public struct AccountEntry: Sendable, Codable, Hashable {
        /// The account key.
        public var account: AccountKey
        /// Its display name from the config, if any.
        public var name: String?
        /// Seconds between polls (before jitter).
        public var interval: TimeInterval
        /// The last poll's record (time, outcome, detail), `nil` before the first.
        public var lastPoll: PollRecord?
        /// When the next poll is due (UTC), `nil` while one runs.
        public var nextPoll: Date?
        /// True while a poll of the account is in flight.
        public var polling: Bool
        /// The current blind span (failed polls since the last good one), if any.
        public var blind: BlindSpan?
        /// Posts the detector tracks (visible or missing; not deleted or aged out).
        public var postsTracked: Int
        /// Events logged for the account since its state began.
        public var eventsLogged: Int
        /// The account's timeline address redirects permanently to another host, if it does.
        public var moved: TimelineMove?

        /// An entry from its parts.
        public init(
            account: AccountKey, name: String?, interval: TimeInterval, lastPoll: PollRecord? = nil,
            nextPoll: Date? = nil, polling: Bool = false, blind: BlindSpan? = nil, postsTracked: Int = 0,
            eventsLogged: Int = 0, moved: TimelineMove? = nil
        ) {
            self.account = account
            self.name = name
            self.interval = interval
            self.lastPoll = lastPoll
            self.nextPoll = nextPoll
            self.polling = polling
            self.blind = blind
            self.postsTracked = postsTracked
            self.eventsLogged = eventsLogged
            self.moved = moved
        }

        enum CodingKeys: String, CodingKey {
            case account, name, interval, polling, blind, moved
            case lastPoll = "last_poll"
            case nextPoll = "next_poll"
            case postsTracked = "posts_tracked"
            case eventsLogged = "events_logged"
        }
    }

    /// Format version.
    public var v: Int
    /// The daemon's process ID.
    public var pid: Int32
    /// The daemon's life stage when written.
    public var phase: Phase
    /// When the daemon started (UTC).
    public var startedAt: Date
    /// When this was written (UTC).
    public var updatedAt: Date
    /// When the config was last loaded (start or successful reload), UTC.
    public var configLoadedAt: Date
    /// The config file.
    public var config: String
    /// This instance's shard (`"2/8"`), if the config sets one.
    public var shard: String?
    /// Polls finished in the last ``recentWindow`` seconds.
    public var recentPolls: Int
    /// The window of ``recentPolls``: the daemon's `interval`, in seconds.
    public var recentWindow: TimeInterval
    /// Events appended to the deletion log since 00:00 UTC today.
    public var eventsToday: Int
    /// Why the last reload was rejected (the old config kept running); `nil` when the last
    /// reload, if any, was applied.
    public var reloadError: String?
    /// The watched accounts, in config order.
    public var accounts: [AccountEntry]

    /// A status from its parts.
    public init(
        pid: Int32, phase: Phase, startedAt: Date, updatedAt: Date, configLoadedAt: Date, config: String,
        shard: String?, recentPolls: Int, recentWindow: TimeInterval, eventsToday: Int, reloadError: String? = nil,
        accounts: [AccountEntry]
    ) {
        self.v = Self.formatVersion
        self.pid = pid
        self.phase = phase
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.configLoadedAt = configLoadedAt
        self.config = config
        self.shard = shard
        self.recentPolls = recentPolls
        self.recentWindow = recentWindow
        self.eventsToday = eventsToday
        self.reloadError = reloadError
        self.accounts = accounts
    }

    enum CodingKeys: String, CodingKey {
        case v, pid, phase, config, shard, accounts
        case startedAt = "started_at"
        case updatedAt = "updated_at"
        case configLoadedAt = "config_loaded_at"
        case recentPolls = "recent_polls"
        case recentWindow = "recent_window"
        case eventsToday = "events_today"
        case reloadError = "reload_error"
    }

    /// Accounts whose last poll failed (a blind span is open).
    public var blindAccounts: Int { self.accounts.filter { $0.blind != nil }.count }

    /// The one-line summary sent to systemd as `STATUS=` (shown by `systemctl status`).
    public var summary: String {
        let window = DurationParser.string(from: self.recentWindow)
        var text = "watching \(Plural.count(self.accounts.count, "account"))"
        if let shard = self.shard { text += " (shard \(shard))" }
        text += "; \(Plural.count(self.recentPolls, "poll")) in the last \(window); "
        text += "\(Plural.count(self.eventsToday, "event")) today; "
        text += "\(self.blindAccounts) blind"
        if self.reloadError != nil { text += "; last reload rejected (see the log)" }
        return text
    }

    /// Accounts whose `status.json` the daemon rewrites at every status refresh; a larger panel's
    /// file is rewritten once per refresh per this many accounts (``writePeriod(refresh:accounts:)``).
    public static let accountsPerRefresh = 10_000

    /// How often, in seconds, the daemon rewrites `status.json` while something changes: every
    /// `refresh` seconds up to ``accountsPerRefresh`` accounts, then `refresh` × ⌈accounts /
    /// 10,000⌉, so the file (about 480 bytes per account) costs the same share of a core at
    /// 100,000 accounts as at 10,000: 50 s there instead of rewriting ~48 MB every 5 s.
    public static func writePeriod(refresh: TimeInterval, accounts: Int) -> TimeInterval {
        let groups = max(1, (accounts + Self.accountsPerRefresh - 1) / Self.accountsPerRefresh)
        return refresh * Double(groups)
    }

    /// What `status.json` says of the daemon itself, without its accounts: what `palimpsest
    /// status` shows when no process holds the state folder's lock (the accounts of a stopped
    /// daemon are not shown; decoding the 100,000 entries of a 43 MB file took 1.5 s).
    public struct Head: Sendable, Codable, Hashable, VersionedDocument {
        public static var formatVersion: Int { DaemonStatus.formatVersion }
        public static var documentName: String { DaemonStatus.documentName }
        public static var unreadableAdvice: String { DaemonStatus.unreadableAdvice }
        public static var endsWithLineFeed: Bool { DaemonStatus.endsWithLineFeed }

        /// Format version.
        public var v: Int
        /// The daemon's process ID.
        public var pid: Int32
        /// The daemon's life stage when written.
        public var phase: Phase
        /// When the daemon started (UTC).
        public var startedAt: Date
        /// When the file was written (UTC).
        public var updatedAt: Date

        enum CodingKeys: String, CodingKey {
            case v, pid, phase
            case startedAt = "started_at"
            case updatedAt = "updated_at"
        }

        /// Reads the head of `status.json` from `stateDirectory`.
        /// - Returns: The head, or `nil` when there is no such file.
        /// - Throws: ``StoreError`` as ``DaemonStatus/read(stateDirectory:)``.
        public static func read(stateDirectory: URL) throws -> Head? {
            try VersionedFile<Head>(stateDirectory.appendingPathComponent(DaemonStatus.fileName)).read()
        }
    }

    /// This status's head (without its accounts).
    public var head: Head {
        Head(v: self.v, pid: self.pid, phase: self.phase, startedAt: self.startedAt, updatedAt: self.updatedAt)
    }

    /// Reads `status.json` from `stateDirectory`.
    /// - Returns: The status, or `nil` when there is no such file (the daemon never ran there).
    /// - Throws: ``StoreError`` when the file cannot be read, is of a newer format version or is
    ///   not a status (``VersionedFile/read()``).
    public static func read(stateDirectory: URL) throws -> DaemonStatus? {
        try VersionedFile<DaemonStatus>(stateDirectory.appendingPathComponent(Self.fileName)).read()
    }

    /// Writes this status to `stateDirectory/status.json` atomically.
    /// - Throws: ``StoreError`` when it cannot be encoded or written.
    public func write(stateDirectory: URL) throws {
        try VersionedFile<DaemonStatus>(stateDirectory.appendingPathComponent(Self.fileName)).write(self)
    }
}
