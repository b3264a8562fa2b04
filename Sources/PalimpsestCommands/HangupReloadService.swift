import PalimpsestCore
import ServiceLifecycle
import UnixSignals

/// Turns each SIGHUP into a ``MonitorDaemon/reload()`` until graceful shutdown. The signal is
/// trapped when this is created (before `READY=1`), so an early SIGHUP never kills the process.
struct HangupReloadService: Service {
    let daemon: MonitorDaemon
    let signals: UnixSignalsSequence

    init(daemon: MonitorDaemon) async {
        self.daemon = daemon
        self.signals = await UnixSignalsSequence(trapping: .sighup)
    }

    func run() async throws {
        for await _ in self.signals.cancelOnGracefulShutdown() {
            await self.daemon.reload()
        }
    }
}
