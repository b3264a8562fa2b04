import Foundation
import Testing

@testable import PalimpsestCore

/// A reload (SIGHUP) keeps the alert tables the daemon started with; it names those that changed.
@Suite struct AlertReloadTests {
    static func config() -> PalimpsestConfig {
        var config = PalimpsestConfig(file: URL(fileURLWithPath: "/etc/palimpsest/palimpsest.toml"))
        config.alerts = [AlertSink(name: "hook", kind: .webhook, url: URL(string: "https://example.org/hook"))]
        config.alarms = AlarmSettings(enabled: true)
        return config
    }

    @Test func aReloadWithTheSameAlertTablesNamesNothing() {
        #expect(MonitorDaemon.restartOnlyAlertChanges(running: Self.config(), to: Self.config()).isEmpty)
        #expect(
            MonitorDaemon.restartOnlyAlertChanges(
                running: nil, to: PalimpsestConfig(file: URL(fileURLWithPath: "/tmp/p.toml"))
            ).isEmpty)
    }

    @Test func aReloadNamesEachChangedAlertTableAsTakingEffectAtRestart() {
        var new = Self.config()
        new.alerts[0].batch = 300
        new.alarms.probeHost = 600
        new.feedOut = FeedOutSettings(path: URL(fileURLWithPath: "/var/lib/palimpsest/public/deletions.atom"))
        #expect(
            MonitorDaemon.restartOnlyAlertChanges(running: Self.config(), to: new)
                == ["[[alert]]", "[alarms]", "[feed_out]"])
        #expect(MonitorDaemon.restartOnlyAlertChanges(running: nil, to: Self.config()) == ["[[alert]]", "[alarms]"])
    }
}
