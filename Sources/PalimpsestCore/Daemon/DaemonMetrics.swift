import CoreMetrics
import Foundation
import Prometheus

/// The daemon's Prometheus metrics, recorded through swift-metrics into a registry of its own
/// (no process-wide `MetricsSystem.bootstrap`), served by ``MetricsEndpoint``.
///
/// | metric | type | labels |
/// | --- | --- | --- |
/// | `palimpsest_polls_total` | counter | `platform`, `outcome` (`complete`, `incomplete`, `blind`, `rate_limited`, `account_unavailable`, `fault`) |
/// | `palimpsest_poll_duration_seconds` | histogram | `platform` |
/// | `palimpsest_probes_total` | counter | `platform` (probes sent) |
/// | `palimpsest_events_total` | counter | `event`, `reason`, `confirmed_by` (`probe`, `absence`, `none`) |
/// | `palimpsest_fetched_bytes_total` | counter | (response bodies received, bytes) |
/// | `palimpsest_http_requests_total` | counter | `result` (`answered`, `failed`) |
/// | `palimpsest_accounts_watched` | gauge | |
/// | `palimpsest_accounts_blind` | gauge | |
public final class DaemonMetrics: Sendable {
    /// Poll duration buckets, seconds.
    static let pollDurationBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300),
    ]

    private let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let watched: CoreMetrics.Gauge
    private let blind: CoreMetrics.Gauge
    private let fetchedBytes: CoreMetrics.Counter
    private let answered: CoreMetrics.Counter
    private let failed: CoreMetrics.Counter

    /// An empty registry.
    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = ["palimpsest_poll_duration_seconds": Self.pollDurationBuckets]
        self.registry = registry
        self.factory = factory
        self.watched = CoreMetrics.Gauge(label: "palimpsest_accounts_watched", factory: factory)
        self.blind = CoreMetrics.Gauge(label: "palimpsest_accounts_blind", factory: factory)
        self.fetchedBytes = CoreMetrics.Counter(label: "palimpsest_fetched_bytes_total", factory: factory)
        self.answered = CoreMetrics.Counter(
            label: "palimpsest_http_requests_total", dimensions: [("result", "answered")], factory: factory)
        self.failed = CoreMetrics.Counter(
            label: "palimpsest_http_requests_total", dimensions: [("result", "failed")], factory: factory)
        self.watched.record(0)
        self.blind.record(0)
    }

    /// Records a finished poll of `account` that took `duration`.
    public func recordPoll(_ result: PollCycle.Result, of account: Account, duration: Duration) {
        let platform = account.platform.rawValue
        CoreMetrics.Timer(
            label: "palimpsest_poll_duration_seconds", dimensions: [("platform", platform)], factory: self.factory
        )
        .recordNanoseconds(Self.nanoseconds(duration))
        switch result {
        case .polled(let report):
            CoreMetrics.Counter(
                label: "palimpsest_polls_total",
                dimensions: [("platform", platform), ("outcome", report.record.outcome)],
                factory: self.factory
            ).increment()
            if report.probes > 0 {
                CoreMetrics.Counter(
                    label: "palimpsest_probes_total", dimensions: [("platform", platform)], factory: self.factory
                ).increment(by: report.probes)
            }
            for event in report.events {
                CoreMetrics.Counter(
                    label: "palimpsest_events_total",
                    dimensions: [
                        ("event", event.event.rawValue), ("reason", event.reason?.rawValue ?? "none"),
                        ("confirmed_by", event.confirmedBy?.rawValue ?? "none"),
                    ],
                    factory: self.factory
                ).increment()
            }
        case .fault:
            CoreMetrics.Counter(
                label: "palimpsest_polls_total", dimensions: [("platform", platform), ("outcome", "fault")],
                factory: self.factory
            ).increment()
        }
    }

    /// Records one HTTP request: its body size when answered (any status), or a failure.
    public func recordRequest(bodyBytes: Int?) {
        if let bodyBytes {
            self.answered.increment()
            self.fetchedBytes.increment(by: bodyBytes)
        } else {
            self.failed.increment()
        }
    }

    /// Sets the account gauges.
    public func setAccounts(watched: Int, blind: Int) {
        self.watched.record(watched)
        self.blind.record(blind)
    }

    /// The Prometheus text exposition format (version 0.0.4) of every metric.
    public func exposition() -> String {
        self.registry.emitToString()
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
