import FlyingFox
import FlyingSocks
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// The Prometheus endpoint: `GET /metrics` on ``MetricsAddress`` answers ``DaemonMetrics``'s
/// exposition; every other path answers 404. Runs until graceful shutdown, after the poll loop has
/// drained (put it before the daemon in the service group).
///
/// A port that cannot be bound is logged as an error and the daemon goes on without metrics:
/// watching matters more than being watched.
public final class MetricsEndpoint: Service, Sendable {
    /// Where it listens.
    public let address: MetricsAddress
    private let metrics: DaemonMetrics
    private let logger: Logger

    /// - Parameters:
    ///   - address: `[daemon] metrics_listen`.
    ///   - metrics: what to serve.
    ///   - logger: operator messages.
    public init(address: MetricsAddress, metrics: DaemonMetrics, logger: Logger) {
        self.address = address
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        let server: HTTPServer
        do {
            if self.address.isIPv6 {
                server = HTTPServer(
                    address: try .inet6(ip6: self.address.host, port: self.address.port), logger: .disabled)
            } else {
                server = HTTPServer(
                    address: try .inet(ip4: self.address.host, port: self.address.port), logger: .disabled)
            }
        } catch {
            self.logger.error(
                "metrics endpoint: bad address; metrics are off (fix [daemon] metrics_listen)",
                metadata: ["address": "\(self.address)", "error": "\(error)"])
            try? await gracefulShutdown()
            return
        }
        let metrics = self.metrics
        await server.appendRoute("GET /metrics") { _ in
            FlyingFox.HTTPResponse(
                statusCode: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: Data(metrics.exposition().utf8))
        }
        if !self.address.isLoopback {
            self.logger.warning(
                "metrics endpoint is not loopback: anyone who can reach it reads the metrics",
                metadata: ["address": "\(self.address)"])
        }
        let logger = self.logger
        let address = self.address
        let stopping = Mutex(false)
        await withGracefulShutdownHandler {
            do {
                logger.info("metrics endpoint listening", metadata: ["url": "http://\(address)/metrics"])
                try await server.run()
            } catch {
                // Stopping closes the listening socket, which ends run() with an error too.
                guard !stopping.withLock({ $0 }), !(error is CancellationError) else { return }
                logger.error(
                    "metrics endpoint failed; the daemon goes on without metrics",
                    metadata: ["address": "\(address)", "error": "\(error)"])
                try? await gracefulShutdown()
            }
        } onGracefulShutdown: {
            stopping.withLock { $0 = true }
            Task { await server.stop() }
        }
    }
}
