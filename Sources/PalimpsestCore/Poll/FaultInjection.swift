import Synchronization

/// A point of the write path where a crash-safety test stops the process, to prove that a crash
/// there loses nothing and logs nothing twice (docs/state-format.md, "Crash safety").
public enum FaultPoint: String, Sendable, CaseIterable {
    /// A poll's state, with its events pending, is committed; the deletion log has not taken them
    /// (``AccountPoller``). Reached only by a poll that has events to log.
    case beforeLogAppend = "before-log-append"
    /// The store's writer synced a batch's WARC records; the batch's SQLite transaction (their
    /// index rows and the states citing them) has not run. Reached only by a batch with evidence.
    case beforeStoreCommit = "before-store-commit"
    /// The deletion log took events; the alert outbox has not queued them (``AlertPipeline``).
    case beforeAlertQueue = "before-alert-queue"
}

/// What the core calls at each ``FaultPoint``. The production binary never sets one: without
/// one nothing happens there. Tests set one on an ``AccountPoller`` (in-process) or install one
/// for a whole process (``FaultInjection/install(_:)``: the test-only `palimpsest-fault-harness`
/// executable, which otherwise runs the same commands as `palimpsest`).
public protocol FaultInjecting: Sendable {
    /// Called when the process reaches `point`. Returns to go on; may end the process (a test's
    /// kill), or throw to fail the operation there as if the process had died (the poll at
    /// ``FaultPoint/beforeLogAppend`` and the store batch at ``FaultPoint/beforeStoreCommit``
    /// fail with the error; at ``FaultPoint/beforeAlertQueue`` a throw is ignored).
    /// - Parameter account: the account whose poll reached the point, where there is one.
    func reached(_ point: FaultPoint, account: AccountKey?) throws
}

/// The process's fault plan: none unless a test harness installed one.
public enum FaultInjection {
    private static let installed = Mutex<(any FaultInjecting)?>(nil)

    /// Makes `faults` the fault plan of this whole process (the store's writer, the alert
    /// pipeline, and every ``AccountPoller`` made without one of its own). For test harnesses
    /// only, before anything else runs: the `palimpsest` binary never calls it.
    public static func install(_ faults: any FaultInjecting) {
        self.installed.withLock { $0 = faults }
    }

    /// The installed fault plan, if any.
    static var current: (any FaultInjecting)? {
        self.installed.withLock { $0 }
    }

    /// Tells the installed fault plan, if any, that `point` is reached.
    /// - Throws: what the plan throws there.
    static func reach(_ point: FaultPoint, account: AccountKey? = nil) throws {
        try self.current?.reached(point, account: account)
    }
}
