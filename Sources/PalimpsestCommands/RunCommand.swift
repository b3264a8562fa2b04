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
            exits 0. SIGHUP re-reads the config (an invalid one is rejected and the old one keeps \
            running) and reopens the deletion log (logrotate). Under systemd (Type=notify) it \
            reports READY, STATUS, RELOADING, STOPPING and watchdog pings on $NOTIFY_SOCKET. \
            Only one daemon runs per state_dir (a lock file, state_dir/palimpsest.lock); the \
            daemon writes state_dir/status.json for `palimpsest status`. Operator messages go \
            to stderr. Exit status 78 for a config error, 75 when another daemon holds the state_dir.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("Seconds to wait for in-flight polls on shutdown.", valueName: "seconds"))
    var drainTimeout: Int = 60

    func validate() throws {
        guard self.drainTimeout >= 1 else { throw ValidationError("--drain-timeout: expected at least 1 second") }
    }

    func run() async throws {
        let logger = self.options.bootstrapLogging()
        let config = try self.options.loadConfig()
        try refuseWatchingNothing(config)
        let lock: StateDirectoryLock
        do {
            lock = try StateDirectoryLock.acquire(
                stateDirectory: config.daemon.stateDirectory, purpose: "palimpsest run")
        } catch let held as StateDirectoryLock.Held {
            printError("\(held)")
            throw ExitCode(75)
        }
        // An upgrade of the store's schema copies its largest tables before READY=1 (schema 5: every
        // tracked post and archived version, about 25 s a million rows here): more than systemd's
        // start timeout allows for a large store. Say so, and ask for an hour.
        if let stored = StateStore.storedSchemaVersion(root: config.daemon.stateDirectory),
            stored > 0, stored < StateStore.schemaVersion
        {
            logger.notice(
                "upgrading the state store before starting; a large store takes minutes",
                metadata: ["schema.from": "\(stored)", "schema.to": "\(StateStore.schemaVersion)"])
            _ = SystemdNotifier().notify(
                "EXTEND_TIMEOUT_USEC=3600000000\n"
                    + SystemdNotifier.statusLine(
                        "upgrading the state store (schema \(stored) to \(StateStore.schemaVersion)); a large store "
                            + "takes minutes"))
        }
        let runtime = try MonitorRuntime(config: config, logger: logger)
        defer { runtime.shutdown() }
        logger.info(
            "starting",
            metadata: [
                "accounts": "\(config.watchedAccounts.count)", "state_dir": "\(config.daemon.stateDirectory.path)",
                "deletion_log": "\(config.daemon.deletionLog.path)",
            ])
        let metrics = config.daemon.metricsListen.map { _ in DaemonMetrics() }
        let daemon = await MonitorDaemon.prepare(
            config: config, runtime: runtime, notifier: SystemdNotifier(),
            watchdogInterval: SystemdNotifier.watchdogPingInterval(), logger: logger, metrics: metrics,
            shardOverride: self.options.shardOverride)
        // Trap SIGHUP before READY=1 goes out.
        let reloads = await HangupReloadService(daemon: daemon)
        // Shut down in reverse order: reloads stop first, then the poll loop drains, then metrics.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let address = config.daemon.metricsListen, let metrics {
            services.append(.init(service: MetricsEndpoint(address: address, metrics: metrics, logger: logger)))
        }
        services += [.init(service: daemon), .init(service: reloads)]
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(self.drainTimeout)
        let group = ServiceGroup(configuration: groupConfiguration)
        try await group.run()
        withExtendedLifetime(lock) {}
    }
}

/// Stops `run` and `poll` with exit status 78 (a config error) when `config` leaves this instance
/// no account to watch: a daemon or a cycle that watches nothing would look healthy while nothing
/// is watched (docs/configuration.md).
/// - Throws: `ExitCode(78)` after saying why on stderr.
func refuseWatchingNothing(_ config: PalimpsestConfig) throws {
    guard !config.accounts.isEmpty else {
        printError(
            "\(config.file.path): no [[account]] is configured; nothing to watch. Add one (every platform's keys: "
                + "configuration.md in /usr/local/share/doc/palimpsest), check it with `palimpsest check-config`, "
                + "then start again.")
        throw ExitCode(78)
    }
    guard !config.watchedAccounts.isEmpty else {
        printError(
            "\(config.file.path): shard \(config.daemon.shard?.description ?? "") leaves this instance none of the "
                + "accounts (the config has \(config.accounts.count)); nothing to watch.")
        throw ExitCode(78)
    }
}
