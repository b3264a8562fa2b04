import Synchronization

/// Testing only: a disk that fills up, for deterministic tests of what a full disk does to the
/// store and the deletion log (a real small tmpfs needs `CAP_SYS_ADMIN`, which CI may lack).
///
/// A test gives a path prefix (a folder or one file) a number of free bytes; ``POSIXFile/writeAll(_:)``
/// then writes at most that many bytes under the prefix, in total, and fails the next `write(2)`
/// with `ENOSPC` as the kernel does: a short write first, then the error. Removing files does not
/// give bytes back; ``setFreeBytes(_:under:)`` does. No prefix is registered outside tests, and
/// the registry is keyed by path, so tests that run in parallel in their own folders do not meet.
enum SimulatedDiskSpace {
    private static let budgets = Mutex<[String: Int]>([:])

    /// Leaves `bytes` free for writes to paths starting with `prefix`; `nil` removes the limit.
    static func setFreeBytes(_ bytes: Int?, under prefix: String) {
        self.budgets.withLock { $0[prefix] = bytes.map { max(0, $0) } }
    }

    /// How many of `wanted` bytes a write to `path` may write now (taken from the budget), or `nil`
    /// when no limit applies to `path`.
    static func allowance(for path: String, wanted: Int) -> Int? {
        self.budgets.withLock { budgets in
            guard !budgets.isEmpty,
                let prefix = budgets.keys.filter({ path.hasPrefix($0) }).max(by: { $0.count < $1.count }),
                let free = budgets[prefix]
            else { return nil }
            let granted = min(free, wanted)
            budgets[prefix] = free - granted
            return granted
        }
    }
}
