public import Foundation
import TOMLKit

/// The `[daemon]` table of the config: settings for the whole daemon. Every field has a default
/// (see `docs/configuration.md`).
public struct DaemonSettings: Sendable, Hashable {
    /// The default `state_dir`.
    public static let defaultStateDirectory = URL(fileURLWithPath: "/var/lib/palimpsest", isDirectory: true)
    /// The file name of the default `deletion_log` inside `state_dir`.
    public static let defaultDeletionLogName = "deletions.jsonl"
    /// The default `user_agent`.
    public static let defaultUserAgent = "Palimpsest/\(PalimpsestVersion.current) (deletion monitor)"
    /// The smallest `interval` (and per-account `interval`) accepted, in seconds.
    public static let minimumInterval: TimeInterval = 30
    /// The largest `interval` (and per-account `interval`) accepted, in seconds: 7 days. An account
    /// polled less often than weekly would miss most deletions (about 90 % of censored Weibo posts
    /// go within a day, Zhu et al., USENIX Security 2013) and leave every week's digest unobserved.
    public static let maximumInterval: TimeInterval = 7 * 86_400
    /// The default `jitter`: 0.1 (±10 %).
    public static let defaultJitter = 0.1
    /// The accepted range of `jitter`, as a fraction of the interval.
    public static let jitterRange: ClosedRange<Double> = 0...0.5

    /// `state_dir`: the folder holding snapshots, the post archive and evidence.
    /// Default `/var/lib/palimpsest`; a relative path resolves against the config file's folder.
    public var stateDirectory: URL
    /// `deletion_log`: the JSON Lines deletion log. Default `<state_dir>/deletions.jsonl`; a relative
    /// path resolves against the config file's folder.
    public var deletionLog: URL
    /// `interval`: seconds between two polls of an account, before jitter. Default 600 (10 min),
    /// from ``minimumInterval`` to ``maximumInterval``. Accounts may override it.
    public var interval: TimeInterval
    /// `jitter`: each wait is the interval times a random factor in `1 ± jitter`, so polls of many
    /// accounts spread out. A fraction in `0...0.5`; default 0.1.
    public var jitter: Double
    /// `concurrency`: the most HTTP requests in flight at once, over all hosts. Default 64.
    public var concurrency: Int
    /// `per_host_concurrency`: the most HTTP requests in flight to one host. Default 4.
    public var perHostConcurrency: Int
    /// `timeout`: the longest a whole HTTP request may take, in seconds. Default 30.
    public var timeout: TimeInterval
    /// `connect_timeout`: the longest the connection phase (DNS, TCP, TLS) may take, in seconds.
    /// Default 10.
    public var connectTimeout: TimeInterval
    /// `user_agent`: the `User-Agent` header of every request. Default ``defaultUserAgent``.
    public var userAgent: String
    /// `proxy`: the proxy for every request (`http://`, `https://` or `socks5h://` URL), `nil` for
    /// none. Accounts may override it.
    public var proxy: String?
    /// `max_body_size`: the largest response body accepted, in bytes (larger bodies fail the
    /// request). Default 8 MiB.
    public var maxBodyBytes: Int
    /// `confirm_polls`: how many consecutive complete snapshots a post must be missing from before
    /// its deletion is confirmed by absence. Default 2, at least 1.
    public var confirmPolls: Int
    /// `confirm_min_age`: the least time, in seconds, those snapshots must span before a deletion
    /// is confirmed by absence. Default 1200 (20 min).
    public var confirmMinAge: TimeInterval
    /// `probe_attempts`: how many inconclusive answers (one per poll) a candidate's probe may give,
    /// over at least `confirm_min_age`, before absence may confirm the deletion instead. Default 6.
    public var probeAttempts: Int
    /// `stale_tolerance`: how long (seconds, at least over `confirm_polls` polls) a listing that
    /// repeats an earlier, superseded one is taken for a lagging replica or cache before it is taken
    /// as the account's state (a post published and deleted again, an edit reverted). Default 7200.
    public var staleTolerance: TimeInterval
    /// `snapshot_retention`: how many of an account's latest snapshots to keep (snapshots cited
    /// by events are always kept). Default 10, at least 1.
    public var snapshotRetention: Int
    /// `shard`: when set (`"2/8"`), this instance watches only the accounts whose key hashes to
    /// that shard (``AccountShard``), so several hosts can split one config. Default `nil`: all.
    public var shard: AccountShard?
    /// The detection settings these keys make (`confirm_polls`, `confirm_min_age`,
    /// `probe_attempts`, `stale_tolerance`, `event_text_limit`; the rest at their defaults).
    public var detection: DetectionSettings {
        DetectionSettings(
            confirmPolls: self.confirmPolls, confirmMinAge: self.confirmMinAge, probeAttempts: self.probeAttempts,
            staleTolerance: self.staleTolerance, eventTextLimit: self.eventTextLimit)
    }
    /// `metrics_listen`: where the Prometheus endpoint (`GET /metrics`) listens, e.g.
    /// `127.0.0.1:9464`. Default `nil` (also for `""`): no endpoint.
    public var metricsListen: MetricsAddress?
    /// `max_items`: the most posts one poll of an account keeps, the newest end of the list
    /// (``Account/maxItems``). Default 1,000, from 1 to ``maximumMaxItems``. Accounts may
    /// override it.
    public var maxItems: Int
    /// `event_text_limit`: the most bytes of UTF-8 an event stores in each of `text`,
    /// `previous_text`, `diff` and `detail` (``DetectionSettings/eventTextLimit``). Default 64 KiB,
    /// from 1 KiB to 64 MiB.
    public var eventTextLimit: Int

    /// The largest `max_items` accepted.
    public static let maximumMaxItems = 100_000

    /// Settings with every default, as if the config had no `[daemon]` table.
    public init() {
        self.stateDirectory = Self.defaultStateDirectory
        self.deletionLog = Self.defaultStateDirectory.appendingPathComponent(Self.defaultDeletionLogName)
        self.interval = 600
        self.jitter = Self.defaultJitter
        self.concurrency = 64
        self.perHostConcurrency = 4
        self.timeout = 30
        self.connectTimeout = 10
        self.userAgent = Self.defaultUserAgent
        self.proxy = nil
        self.maxBodyBytes = 8 << 20
        self.confirmPolls = 2
        self.confirmMinAge = 1_200
        self.probeAttempts = 6
        self.staleTolerance = 7_200
        self.snapshotRetention = 10
        self.shard = nil
        self.metricsListen = nil
        self.maxItems = Account.defaultMaxItems
        self.eventTextLimit = DetectionSettings.defaultEventTextLimit
    }
}

// MARK: - Reading `[daemon]`

extension DaemonSettings {
    /// Reads `[daemon]` (keys: ``ConfigSections/daemon``). A missing key keeps its default; a
    /// wrong one is reported in `reader`, naming the key and what was expected, and keeps it too.
    init(reading table: TOMLTable, with reader: inout ConfigReader) {
        self = Self.read(table, with: &reader)
    }

    private static func read(_ table: TOMLTable, with reader: inout ConfigReader) -> DaemonSettings {
        let scope = ConfigReader.Scope.daemon
        let keys = ConfigSections.daemon
        reader.reportUnknownKeys(of: table, in: keys, scope: scope)
        var settings = DaemonSettings()
        settings.stateDirectory = reader.path(keys["state_dir"], in: table, scope: scope) ?? settings.stateDirectory
        settings.deletionLog =
            reader.path(keys["deletion_log"], in: table, scope: scope)
            ?? settings.stateDirectory.appendingPathComponent(DaemonSettings.defaultDeletionLogName)
        if settings.deletionLog.standardizedFileURL.path == settings.stateDirectory.standardizedFileURL.path {
            reader.report(
                "the deletion log cannot be the state folder itself (\(settings.stateDirectory.path)): name a file, "
                    + "e.g. \"\(settings.stateDirectory.appendingPathComponent(Self.defaultDeletionLogName).path)\", "
                    + "or leave `deletion_log` out for that default",
                key: "deletion_log", in: scope)
        }
        settings.interval = reader.duration(keys["interval"], in: table, scope: scope) ?? settings.interval
        settings.jitter = reader.fraction(keys["jitter"], in: table, scope: scope) ?? settings.jitter
        settings.concurrency = reader.integer(keys["concurrency"], in: table, scope: scope) ?? settings.concurrency
        settings.perHostConcurrency =
            reader.integer(keys["per_host_concurrency"], in: table, scope: scope) ?? settings.perHostConcurrency
        settings.timeout = reader.duration(keys["timeout"], in: table, scope: scope) ?? settings.timeout
        settings.connectTimeout =
            reader.duration(keys["connect_timeout"], in: table, scope: scope) ?? settings.connectTimeout
        settings.userAgent = reader.userAgent(keys["user_agent"], in: table, scope: scope) ?? settings.userAgent
        if let value = reader.proxy(keys["proxy"], in: table, scope: scope) {
            settings.proxy = value.isEmpty ? nil : value
        }
        settings.maxBodyBytes = reader.byteSize(keys["max_body_size"], in: table, scope: scope) ?? settings.maxBodyBytes
        settings.confirmPolls = reader.integer(keys["confirm_polls"], in: table, scope: scope) ?? settings.confirmPolls
        settings.confirmMinAge =
            reader.duration(keys["confirm_min_age"], in: table, scope: scope) ?? settings.confirmMinAge
        settings.probeAttempts =
            reader.integer(keys["probe_attempts"], in: table, scope: scope) ?? settings.probeAttempts
        settings.staleTolerance =
            reader.duration(keys["stale_tolerance"], in: table, scope: scope) ?? settings.staleTolerance
        settings.snapshotRetention =
            reader.integer(keys["snapshot_retention"], in: table, scope: scope) ?? settings.snapshotRetention
        settings.maxItems = reader.integer(keys["max_items"], in: table, scope: scope) ?? settings.maxItems
        settings.eventTextLimit =
            reader.byteSize(keys["event_text_limit"], in: table, scope: scope) ?? settings.eventTextLimit
        if let text = reader.string(keys["shard"], in: table, scope: scope) {
            if let shard = AccountShard(parsing: text) {
                settings.shard = shard
            } else {
                reader.report(
                    "expected \"k/n\": this instance's shard k of n shards, 1 <= k <= n <= \(AccountShard.maximumCount) "
                        + "(e.g. \"2/8\"), found \(ConfigReader.quote(text))",
                    key: "shard", in: scope)
            }
        }
        if let text = reader.string(keys["metrics_listen"], in: table, scope: scope), !text.isEmpty {
            if let address = MetricsAddress(parsing: text) {
                settings.metricsListen = address
            } else {
                reader.report(
                    "expected an IP address and port such as \"127.0.0.1:9464\" or \"[::1]:9464\" (no host names), "
                        + "found \(ConfigReader.quote(text))",
                    key: "metrics_listen", in: scope)
            }
        }
        return settings
    }
}
