import ArgumentParser
import Foundation
import Logging
import PalimpsestCore
import ServiceLifecycle
import UnixSignals

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the monitor daemon: poll every account on its interval until stopped.",
        discussion: """
            Each account is polled every `interval` (per account or from [daemon]), moved by up \
            to `jitter` of the interval. Findings are appended to the deletion log. SIGTERM or \
            SIGINT stops scheduling new polls, lets in-flight polls finish their writes, and \
            exits 0. Operator messages go to stderr.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("Seconds to wait for in-flight polls on shutdown.", valueName: "seconds"))
    var drainTimeout: Int = 60

    func run() async throws {
        let logger = self.options.bootstrapLogging()
        let config = try self.options.loadConfig()
        guard !config.accounts.isEmpty else {
            printError("\(config.file.path): no [[account]] is configured; nothing to watch.")
            throw ExitCode(78)
        }
        let runtime = try MonitorRuntime(config: config, logger: logger)
        defer { runtime.shutdown() }
        logger.info(
            "starting: \(config.accounts.count) accounts, state in \(config.daemon.stateDirectory.path), log \(config.daemon.deletionLog.path)"
        )
        let monitor = MonitorService(
            accounts: config.accounts, poller: runtime.poller, jitter: config.daemon.jitter, logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [.init(service: monitor)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(self.drainTimeout)
        let group = ServiceGroup(configuration: groupConfiguration)
        try await group.run()
        logger.info("stopped")
    }
}
