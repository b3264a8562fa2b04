import ArgumentParser
import Foundation
import Logging
import PalimpsestCore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    func validate() throws {
        guard Logger.Level(rawValue: self.logLevel.lowercased()) != nil else {
            throw ValidationError("--log-level \(self.logLevel): expected one of trace, debug, info, notice, warning, error, critical")
        }
        if let shard = self.shard, AccountShard(parsing: shard) == nil {
            throw ValidationError(
                "--shard \(shard): expected k/n, this instance's shard k of n shards, 1 <= k <= n <= \(AccountShard.maximumCount) (e.g. 2/8)")
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

    /// Sets up swift-log once for this process: plain lines on stderr.
    func bootstrapLogging() -> Logger {
        OperatorLogging.bootstrap(level: Logger.Level(rawValue: self.logLevel.lowercased()) ?? .info)
        return Logger(label: "palimpsest")
    }
}

/// Writes one line to stdout at once (unbuffered: `tail --follow` output must not wait).
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Writes one line to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
