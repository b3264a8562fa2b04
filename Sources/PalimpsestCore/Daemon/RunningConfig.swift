public import Foundation

/// The config the daemon runs: `state_dir/running-config.json`, written atomically by the daemon
/// each time it accepts a config (at start, and at each reload it applies). A reload it rejects
/// leaves the file as it was, so when the file on disk is invalid, `palimpsest status` and
/// `palimpsest tail` still work from what the daemon runs (and say so) instead of stopping at the
/// config error.
///
/// JSON with sorted keys, mode 0600 in the 0700 state folder (the config may hold header values
/// such as cookies): `v` (1), `config_file` (the path the daemon reads), `accepted_at` (UTC),
/// `shard` (the `--shard` override, when given), `text` (the TOML exactly as accepted). Relative
/// paths in the text resolve against the folder of `config_file`, as they did when it was read.
public struct RunningConfig: Sendable, Codable, Hashable, VersionedDocument {
    /// Format version of the file.
    public static let formatVersion = 1
    /// The file's name inside `state_dir`.
    public static let fileName = "running-config.json"
    public static let documentName = "running config record"
    public static let unreadableAdvice = "the daemon writes it again when it starts or reloads"
    public static let endsWithLineFeed = false

    /// Format version.
    public var v: Int
    /// The config file the daemon reads (absolute path).
    public var configFile: String
    /// When the daemon accepted this config, UTC.
    public var acceptedAt: Date
    /// The `--shard` the daemon was started with, if any (it overrides `[daemon] shard`).
    public var shard: String?
    /// The TOML text, exactly as accepted.
    public var text: String

    /// The record of `config` accepted at `acceptedAt`.
    /// - Parameters:
    ///   - config: A config loaded by ``ConfigLoader`` (its ``PalimpsestConfig/sourceText`` is kept).
    ///   - shardOverride: The `--shard` override, if any.
    ///   - acceptedAt: When it was accepted, UTC.
    public init(config: PalimpsestConfig, shardOverride: AccountShard?, acceptedAt: Date) {
        self.v = Self.formatVersion
        self.configFile = config.file.path
        self.acceptedAt = acceptedAt
        self.shard = shardOverride?.description
        self.text = config.sourceText ?? ""
    }

    enum CodingKeys: String, CodingKey {
        case v, shard, text
        case configFile = "config_file"
        case acceptedAt = "accepted_at"
    }

    /// The config this record holds, loaded again as if read from ``configFile``.
    /// - Throws: ``ConfigValidationError`` when the text no longer validates (a newer version of
    ///   palimpsest with other rules).
    public func config() throws(ConfigValidationError) -> PalimpsestConfig {
        var config = try ConfigLoader.parse(self.text, file: URL(fileURLWithPath: self.configFile))
        if let shard = self.shard.flatMap(AccountShard.init(parsing:)) { config.daemon.shard = shard }
        return config
    }

    /// Writes this record to `stateDirectory/running-config.json` atomically (temporary file, fsync,
    /// rename, folder fsync).
    /// - Throws: ``StoreError`` when it cannot be encoded or written.
    public func write(stateDirectory: URL) throws {
        try VersionedFile<RunningConfig>(stateDirectory.appendingPathComponent(Self.fileName)).write(self)
    }

    /// Reads `stateDirectory/running-config.json`.
    /// - Returns: The record, or `nil` when there is no such file (no daemon has run there since
    ///   the file was introduced).
    /// - Throws: ``StoreError`` when the file cannot be read, is of a newer format version (the
    ///   daemon runs a newer palimpsest) or is not such a record (``VersionedFile/read()``).
    public static func read(stateDirectory: URL) throws -> RunningConfig? {
        try VersionedFile<RunningConfig>(stateDirectory.appendingPathComponent(Self.fileName)).read()
    }

    /// The daemon's running config for the config file at `configURL`, for when that file does not
    /// load: looked up in the state folder the file most likely names
    /// (``ConfigLoader/stateDirectoryHint(for:)``), and used only when it was accepted from the
    /// same file.
    /// - Returns: The record and its config, or `nil` when there is none that fits.
    public static func fallback(for configURL: URL) -> (record: RunningConfig, config: PalimpsestConfig)? {
        let file = configURL.absoluteURL.standardizedFileURL
        let stateDirectory = ConfigLoader.stateDirectoryHint(for: file)
        guard let record = try? Self.read(stateDirectory: stateDirectory),
            URL(fileURLWithPath: record.configFile).standardizedFileURL.path == file.path,
            let config = try? record.config()
        else { return nil }
        return (record, config)
    }
}
