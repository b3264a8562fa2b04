public import Foundation

/// A loaded and validated config file: the daemon settings and the accounts to watch.
///
/// Built by ``ConfigLoader``; every value in it has passed validation.
public struct PalimpsestConfig: Sendable, Hashable {
    /// The config file this was read from (relative paths in it resolve against its folder).
    public var file: URL
    /// The `[daemon]` table, with defaults for absent keys.
    public var daemon: DaemonSettings
    /// The `[[account]]` tables in file order; each has a distinct ``Account/key``, its
    /// `interval` resolved (the account's own or the daemon's), and `proxy` as written (`nil`
    /// means the daemon's, `""` means none).
    public var accounts: [Account]
    /// The `[digest]` table (with `[digest.smtp]`), with defaults for absent keys.
    public var digest: DigestSettings
    /// The `[[alert]]` tables in file order (each with a distinct ``AlertSink/name``).
    public var alerts: [AlertSink] = []
    /// The `[alarms]` table (defaults when absent; on when any `[[alert]]` is configured).
    public var alarms: AlarmSettings = AlarmSettings()
    /// The `[feed_out]` table, or `nil` when no feed of events is written.
    public var feedOut: FeedOutSettings?
    /// The `[evidence]` table (checkpoints, their key and timestamps), with defaults for absent keys.
    public var evidence: EvidenceSettings
    /// The TOML text this was read from (set by ``ConfigLoader``; `nil` for a config built in
    /// code). The daemon keeps it in `state_dir` as its running config (``RunningConfig``).
    public var sourceText: String?
    /// Every valid path value of ``sourceText`` with its table, in file order (set by
    /// ``ConfigLoader``): what ``ConfigWarnings`` checks, without parsing the text again.
    var pathReferences: [ConfigReader.PathReference]?

    /// Creates a config from already validated parts (tests and tools; the daemon uses
    /// ``ConfigLoader``).
    /// `digest` defaults to ``DigestSettings/init(stateDirectory:)`` for the daemon's `state_dir`.
    public init(
        file: URL,
        daemon: DaemonSettings = DaemonSettings(),
        accounts: [Account] = [],
        digest: DigestSettings? = nil
    ) {
        self.file = file
        self.daemon = daemon
        self.accounts = accounts
        self.digest = digest ?? DigestSettings(stateDirectory: daemon.stateDirectory)
        self.evidence = EvidenceSettings(stateDirectory: daemon.stateDirectory)
    }

    /// The accounts this instance watches: all of ``accounts``, or those of its `[daemon] shard`,
    /// in file order.
    public var watchedAccounts: [Account] {
        guard let shard = self.daemon.shard else { return self.accounts }
        return self.accounts.filter { shard.contains($0.key) }
    }

    /// The account with the given key, if configured.
    ///
    /// - Parameter key: An account key such as `mastodon:@user@mastodon.social`.
    /// - Returns: The account, or `nil` when no account has that key.
    public func account(withKey key: AccountKey) -> Account? {
        self.accounts.first { $0.key == key }
    }

    /// The proxy the account's requests go through: its own `proxy`, else the daemon's; `nil` when
    /// none (an account's `proxy = ""` turns the daemon's proxy off for it).
    ///
    /// - Parameter account: One of ``accounts``.
    /// - Returns: A proxy URL string (`http://`, `https://` or `socks5h://`), or `nil`.
    public func effectiveProxy(for account: Account) -> String? {
        guard let own = account.proxy else { return self.daemon.proxy }
        return own.isEmpty ? nil : own
    }
}
