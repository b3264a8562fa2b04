import Foundation
public import Logging

/// The pieces every command that polls needs, built from a loaded config: the libcurl client,
/// the state store, the deletion log and the poller.
public struct MonitorRuntime: Sendable {
    public let config: PalimpsestConfig
    public let client: CurlHTTPClient
    /// The client alerts are posted through (webhooks), apart from the polls'.
    public let alertClient: CurlHTTPClient?
    public let stateStore: StateStore
    public let log: DeletionLog
    public let poller: AccountPoller
    /// Alerts, alarms and the feed of events (`[[alert]]`, `[alarms]`, `[feed_out]`); `nil` when
    /// the config asks for none.
    public let alerts: AlertPipeline?

    /// Opens the state folder and the deletion log and starts the HTTP client.
    /// - Throws: a store or log error naming the path when a folder or file cannot be created or
    ///   read, or an HTTP client error when libcurl cannot start.
    public init(config: PalimpsestConfig, logger: Logger) throws {
        self.config = config
        let daemon = config.daemon
        try CurlHTTPClient.globalInit()
        var http = HTTPClientConfiguration()
        http.userAgent = daemon.userAgent
        http.proxy = daemon.proxy
        http.timeout = daemon.timeout
        http.connectTimeout = daemon.connectTimeout
        http.maxBodyBytes = daemon.maxBodyBytes
        http.concurrency = daemon.concurrency
        http.perHostConcurrency = daemon.perHostConcurrency
        self.client = try CurlHTTPClient(configuration: http)
        self.stateStore = try StateStore(root: daemon.stateDirectory)
        if let version = self.stateStore.upgradedFromVersion, version > 0 {
            logger.notice(
                "upgraded the state store; releases before this one no longer open it for writing",
                metadata: [
                    "path": "\(self.stateStore.databaseURL.path)", "schema.from": "\(version)",
                    "schema.to": "\(StateStore.schemaVersion)",
                ])
        }
        self.log = try DeletionLog(
            url: daemon.deletionLog, headURL: daemon.stateDirectory.appendingPathComponent(ChainHead.fileName))
        if AlertPipeline.isWanted(by: config) {
            // Alerts go through a client of their own: a slow sink never takes a poll's place.
            var alertHTTP = HTTPClientConfiguration()
            alertHTTP.userAgent = daemon.userAgent
            alertHTTP.timeout = 60
            alertHTTP.connectTimeout = 10
            self.alertClient = try CurlHTTPClient(configuration: alertHTTP)
            self.alerts = AlertPipeline(
                config: config, store: self.stateStore, log: self.log, client: self.alertClient!, logger: logger)
        } else {
            self.alertClient = nil
            self.alerts = nil
        }
        self.poller = AccountPoller(
            client: self.client,
            stateStore: self.stateStore,
            log: self.log,
            detection: daemon.detection,
            snapshotRetention: daemon.snapshotRetention,
            rateLimits: HostRateLimits(file: daemon.stateDirectory.appendingPathComponent("rate-limits.json")),
            jitter: daemon.jitter,
            logger: logger,
            afterAppend: self.alerts)
    }

    /// Stops the HTTP client's loop thread (call before the process exits).
    public func shutdown() {
        self.client.shutdown()
        self.alertClient?.shutdown()
    }
}
