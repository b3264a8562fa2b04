import ArgumentParser
import Foundation
import Logging
import PalimpsestCore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
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
    var logLevel: Logger.Level = .info

    /// The config file this invocation uses.
    var configURL: URL { ConfigLoader.resolvePath(explicit: self.config) }

    /// Loads the config, or prints every problem to stderr and exits with status 78 (EX_CONFIG).
    func loadConfig() throws -> PalimpsestConfig {
        do {
            return try ConfigLoader.load(from: self.configURL)
        } catch {
            printError("\(error)")
            throw ExitCode(78)
        }
    }

    /// Sets up swift-log once for this process: plain lines on stderr.
    func bootstrapLogging() -> Logger {
        OperatorLogging.bootstrap(level: self.logLevel)
        return Logger(label: "palimpsest")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Writes one line to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
