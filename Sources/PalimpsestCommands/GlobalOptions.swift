import ArgumentParser
import Foundation
import Logging
import PalimpsestCore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    func validate() throws {
        if let config = self.config, config.isEmpty {
            throw ValidationError("--config: expected the path of a TOML config file, found an empty string")
        }
        guard Logger.Level(rawValue: self.logLevel.lowercased()) != nil else {
            throw ValidationError(
                "--log-level \(self.logLevel): expected one of trace, debug, info, notice, warning, error, critical")
        }
        if let shard = self.shard, AccountShard(parsing: shard) == nil {
            throw ValidationError(
                "--shard \(shard): expected k/n, this instance's shard k of n shards, 1 <= k <= n <= \(AccountShard.maximumCount) (e.g. 2/8)"
            )
        }
    }

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Path of the TOML config file.",
            discussion: "Default: $PALIMPSEST_CONFIG, else /etc/palimpsest/palimpsest.toml.",
            valueName: "path"))
    var config: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Operator log level on stderr: trace, debug, info, notice, warning, error, critical.",
            valueName: "level"))
    var logLevel: String = "info"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Watch only shard k of n of the accounts, overriding [daemon] shard.",
            discussion: "For one shared config on several hosts: palimpsest@2-8.service runs --shard 2/8.",
            valueName: "k/n"))
    var shard: String?

    /// The `--shard` override, if given.
    var shardOverride: AccountShard? { self.shard.flatMap(AccountShard.init(parsing:)) }

    /// The config file this invocation uses.
    var configURL: URL { ConfigLoader.resolvePath(explicit: self.config) }

    /// Loads the config (with the `--shard` override), or prints every problem to stderr and exits
    /// with status 78 (EX_CONFIG).
    func loadConfig() throws -> PalimpsestConfig {
        do {
            var config = try ConfigLoader.load(from: self.configURL)
            if let shard = self.shardOverride { config.daemon.shard = shard }
            return config
        } catch {
            printError("\(error)")
            throw ExitCode(78)
        }
    }

    /// What a read-only command (`status`, `tail`) uses when the config file on disk is invalid:
    /// the daemon's running config, and why the file was refused.
    struct RunningConfigFallback {
        /// The daemon's last accepted config, from `state_dir`.
        var record: RunningConfig
        /// The problems of the file on disk, one line each.
        var problems: [String]

        /// `2 problems, first: …`.
        var summary: String {
            "\(Plural.count(self.problems.count, "problem")), first: \(self.problems.first ?? "?")"
        }
    }

    /// Loads the config like ``loadConfig()``; when the file is invalid but a daemon keeps its
    /// running config for this file in `state_dir` (``RunningConfig``), returns that config instead,
    /// after saying so on stderr, so read-only commands still show what the daemon runs. Without
    /// one it prints every problem and exits 78 (EX_CONFIG).
    func loadConfigOrRunningConfig(command: String) throws -> (PalimpsestConfig, RunningConfigFallback?) {
        do {
            var config = try ConfigLoader.load(from: self.configURL)
            if let shard = self.shardOverride { config.daemon.shard = shard }
            return (config, nil)
        } catch {
            guard let (record, running) = RunningConfig.fallback(for: self.configURL) else {
                printError("\(error)")
                throw ExitCode(78)
            }
            var config = running
            if let shard = self.shardOverride { config.daemon.shard = shard }
            let fallback = RunningConfigFallback(record: record, problems: error.errors.map(\.description))
            printError(
                "palimpsest \(command): \(self.configURL.path) is invalid (\(fallback.summary)); using the config the "
                    + "daemon runs, accepted \(RFC3339.string(from: record.acceptedAt)) and kept in "
                    + "\(config.daemon.stateDirectory.path)/\(RunningConfig.fileName). Fix the file "
                    + "(palimpsest check-config lists every problem), then reload the daemon.")
            return (config, fallback)
        }
    }

    /// Sets up swift-log once for this process: plain lines on stderr.
    func bootstrapLogging() -> Logger {
        OperatorLogging.bootstrap(level: Logger.Level(rawValue: self.logLevel.lowercased()) ?? .info)
        return Logger(label: "palimpsest")
    }
}

/// Writes one line to stdout at once (unbuffered: `tail --follow` output must not wait), without
/// the control and bidirectional characters a terminal would obey (``TerminalText/safe(_:)``: one
/// sanitiser for every command's readable output; names and texts from accounts pass through it).
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((TerminalText.safe(line) + "\n").utf8))
}

/// Writes one JSON document or JSON line to stdout as it is (`--json`: JSON escapes control
/// characters itself, and `jq` users need the exact text).
func printJSON(_ json: String) {
    FileHandle.standardOutput.write(Data((json + "\n").utf8))
}

/// Writes one line to stderr, sanitised like ``printLine(_:)``.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((TerminalText.safe(message) + "\n").utf8))
}

/// Keeps `value` until the process exits, whose end returns its memory at once: a one-shot
/// command's large values (a digest of 100,000 events with its config, ~0.25 s of frees entry by
/// entry) are not freed piece by piece after the work is done. Only for values a command holds
/// to its end; never in the daemon.
func keepUntilExit<Value>(_ value: Value) {
    _ = Unmanaged.passRetained(KeptUntilExit(value))
}

/// The box ``keepUntilExit(_:)`` leaves retained.
private final class KeptUntilExit<Value> {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}
