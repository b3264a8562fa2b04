import Foundation
import Logging
import PalimpsestCore
import PalimpsestTestSupport
import ServiceLifecycle
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct MetricsEndpointTests {
    private func report(_ outcome: PollOutcome, events: [Event] = [], probes: Int = 0, account: Account) -> PollReport {
        PollReport(
            account: account, polledAt: Date(), outcome: outcome,
            record: PollRecord(at: Date(), outcome: outcome.recordName, detail: ""),
            events: events, probes: probes)
    }

    private let account = Account(
        key: AccountKey(rawValue: "feed:https://example.org/a.xml"),
        source: .feed(url: URL(string: "https://example.org/a.xml")!),
        interval: 600)

    @Test func countsPollsEventsProbesBytesAndAccounts() {
        let metrics = DaemonMetrics()
        var event = Event(id: "e1", detectedAt: Date(), event: .deleted, platform: .feed, account: self.account.key)
        event.reason = .unknown
        event.confirmedBy = .absence
        metrics.recordPoll(
            .polled(self.report(.complete, events: [event], probes: 2, account: self.account)), of: self.account,
            duration: .milliseconds(300))
        metrics.recordPoll(
            .polled(self.report(.blind(PollFailure(kind: .transport, message: "down")), account: self.account)),
            of: self.account, duration: .seconds(12))
        metrics.recordPoll(.fault(self.account, CancellationError()), of: self.account, duration: .milliseconds(1))
        metrics.recordRequest(bodyBytes: 1_000)
        metrics.recordRequest(bodyBytes: 24)
        metrics.recordRequest(bodyBytes: nil)
        metrics.setAccounts(watched: 3, blind: 1)

        let text = metrics.exposition()
        #expect(text.contains("palimpsest_polls_total{platform=\"feed\",outcome=\"complete\"} 1\n"))
        #expect(text.contains("palimpsest_polls_total{platform=\"feed\",outcome=\"blind\"} 1\n"))
        #expect(text.contains("palimpsest_polls_total{platform=\"feed\",outcome=\"fault\"} 1\n"))
        #expect(text.contains("palimpsest_probes_total{platform=\"feed\"} 2\n"))
        #expect(
            text.contains("palimpsest_events_total{event=\"deleted\",reason=\"unknown\",confirmed_by=\"absence\"} 1\n"))
        #expect(text.contains("palimpsest_poll_duration_seconds_bucket{platform=\"feed\",le=\"0.5\"} 2\n"))
        #expect(text.contains("palimpsest_poll_duration_seconds_bucket{platform=\"feed\",le=\"30.0\"} 3\n"))
        #expect(text.contains("palimpsest_poll_duration_seconds_count{platform=\"feed\"} 3\n"))
        #expect(text.contains("palimpsest_fetched_bytes_total 1024\n"))
        #expect(text.contains("palimpsest_http_requests_total{result=\"answered\"} 2\n"))
        #expect(text.contains("palimpsest_http_requests_total{result=\"failed\"} 1\n"))
        #expect(text.contains("palimpsest_accounts_watched 3.0\n"))
        #expect(text.contains("palimpsest_accounts_blind 1.0\n"))
    }

    @Test func servesMetricsOverHTTPUntilShutdown() async throws {
        let metrics = DaemonMetrics()
        metrics.setAccounts(watched: 7, blind: 0)
        let port = try TakenPort.free()
        let address = try #require(MetricsAddress(parsing: "127.0.0.1:\(port)"))
        let endpoint = MetricsEndpoint(address: address, metrics: metrics, logger: Logger(label: "test"))
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: endpoint)], logger: Logger(label: "test")))
        let running = Task { try await group.run() }

        try CurlHTTPClient.globalInit()
        let client = try CurlHTTPClient(configuration: HTTPClientConfiguration())
        defer { client.shutdown() }
        let url = URL(string: "http://127.0.0.1:\(port)/metrics")!
        var response: HTTPResponse?
        // Generous: a loaded machine may take seconds to start the group.
        await waitUntil(timeout: .seconds(30)) {
            response = try? await client.send(HTTPRequest(url: url))
            return response != nil
        }
        let answer = try #require(response)
        #expect(answer.status == 200)
        #expect(answer.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(String(decoding: answer.body, as: UTF8.self).contains("palimpsest_accounts_watched 7.0\n"))
        let other = try await client.send(HTTPRequest(url: URL(string: "http://127.0.0.1:\(port)/")!))
        #expect(other.status == 404)

        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// A port already taken is an error in the log, not the end of the daemon: the endpoint waits
    /// for shutdown like any service, and the others keep running.
    @Test func aPortInUseLeavesTheGroupRunning() async throws {
        let port = try TakenPort.free()
        let address = try #require(MetricsAddress(parsing: "127.0.0.1:\(port)"))
        let taken = try TakenPort(port: port)
        defer { taken.release() }
        let log = CapturedLog()
        let endpoint = Watched(MetricsEndpoint(address: address, metrics: DaemonMetrics(), logger: log.logger))
        let other = Watched(UntilShutdown())
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: endpoint), .init(service: other)], logger: Logger(label: "test")))
        let running = Task { try await group.run() }

        let failure = "metrics endpoint failed; the daemon goes on without metrics"
        await eventually("the endpoint logs that it cannot listen") {
            log.messages(.error).contains(failure)
        }
        #expect(log.entries(.error).first { $0.message == failure }?.metadata["address"] == "127.0.0.1:\(port)")
        #expect(other.isRunning, "the other service still runs")
        #expect(endpoint.isRunning, "the endpoint waits for shutdown instead of ending the group")
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(!other.isRunning && !endpoint.isRunning, "both end at the shutdown")
    }
}

/// A service that says whether its `run()` is under way.
final class Watched<Inner: Service>: Service {
    let inner: Inner
    private let running = Mutex(false)

    init(_ inner: Inner) { self.inner = inner }

    var isRunning: Bool { self.running.withLock { $0 } }

    func run() async throws {
        self.running.withLock { $0 = true }
        defer { self.running.withLock { $0 = false } }
        try await self.inner.run()
    }
}

/// A service that runs until graceful shutdown, as the daemon's other services do.
struct UntilShutdown: Service {
    func run() async throws {
        try? await gracefulShutdown()
    }
}
