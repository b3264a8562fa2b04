/// Told about events right after the deletion log took them (appended and fsynced): the alert
/// outbox, the alarms' count of deletions, the feed of events. The log stays the record: an
/// observer that fails, or a process killed before it was told, loses nothing, since the outbox
/// reads the log lines it missed when the next process starts (``AlertOutbox/catchUp(log:at:)``).
public protocol LoggedEventsObserver: Sendable {
    /// `events` were appended to the log, with their `seq` and `prev`, in log order.
    func logged(_ events: [Event]) async
    /// What the probe hosts answered to one poll's probes (nothing is logged for it).
    func probed(_ answers: [ProbeHostAnswer]) async
}

extension LoggedEventsObserver {
    /// A poll's probes were answered (``PollReport/probeHosts``): called once per poll that sent
    /// probes, after the poll is committed. The default does nothing; the ``AlertPipeline`` keeps
    /// each host's record for the `probe_host` alarm.
    public func probed(_ answers: [ProbeHostAnswer]) async {}
}
