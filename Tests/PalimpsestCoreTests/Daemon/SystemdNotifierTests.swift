import Foundation
import PalimpsestCore
import Testing

@Suite struct SystemdNotifierTests {
    private static func temporarySocketPath() -> String {
        // sun_path holds 108 bytes: keep the path short.
        "/tmp/pn-\(UInt32.random(in: 0...UInt32.max)).sock"
    }

    @Test func sendsOneDatagramToAFilesystemSocket() async throws {
        let listener = try NotifySocketListener(path: Self.temporarySocketPath())
        defer { listener.shutdown() }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.path])
        #expect(notifier.isEnabled)
        #expect(notifier.notify("READY=1\nSTATUS=watching 2 accounts"))
        let index = await listener.waitFor { $0.hasPrefix("READY=1") }
        let message = try #require(index.map { listener.messages[$0] })
        #expect(message == "READY=1\nSTATUS=watching 2 accounts")
        #expect(message.notifyFields == ["READY": "1", "STATUS": "watching 2 accounts"])
    }

    @Test func sendsToAnAbstractSocketNamedWithAnAt() async throws {
        let name = "@palimpsest-test-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try NotifySocketListener(path: name)
        defer { listener.shutdown() }
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": name]).notify("WATCHDOG=1"))
        #expect(await listener.waitFor { $0 == "WATCHDOG=1" } != nil)
    }

    @Test func doesNothingWithoutANotifySocket() {
        #expect(!SystemdNotifier(environment: [:]).isEnabled)
        #expect(!SystemdNotifier(environment: [:]).notify("READY=1"))
        #expect(!SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/path"]).isEnabled)
        #expect(!SystemdNotifier(environment: ["NOTIFY_SOCKET": "@"]).isEnabled)
    }

    @Test func reportsAFailedSendWhenNobodyListens() {
        #expect(
            !SystemdNotifier(socketPath: "/tmp/pn-nobody-\(UInt32.random(in: 0...UInt32.max)).sock").notify("READY=1"))
    }

    @Test func pingsTheWatchdogAtHalfItsTimeoutForThisProcessOnly() {
        #expect(
            SystemdNotifier.watchdogPingInterval(environment: ["WATCHDOG_USEC": "3000000"], pid: 42) == .seconds(1.5))
        #expect(
            SystemdNotifier.watchdogPingInterval(
                environment: ["WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "42"], pid: 42)
                == .milliseconds(1500))
        #expect(
            SystemdNotifier.watchdogPingInterval(
                environment: ["WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "7"], pid: 42)
                == nil)
        #expect(SystemdNotifier.watchdogPingInterval(environment: [:], pid: 42) == nil)
        #expect(SystemdNotifier.watchdogPingInterval(environment: ["WATCHDOG_USEC": "0"], pid: 42) == nil)
        #expect(SystemdNotifier.watchdogPingInterval(environment: ["WATCHDOG_USEC": "soon"], pid: 42) == nil)
    }

    @Test func statusLinesStayOnOneLine() {
        #expect(SystemdNotifier.statusLine("a\nb") == "STATUS=a b")
    }

    @Test func monotonicTimeMovesForward() {
        let first = SystemdNotifier.monotonicMicroseconds()
        let second = SystemdNotifier.monotonicMicroseconds()
        #expect(first > 0)
        #expect(second >= first)
    }
}
