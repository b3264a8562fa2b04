public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Follows a deletion log like `tail -F`: yields each event as its line is completed, keeps going
/// when logrotate renames the file (a new file at the path is read from its start, after what was
/// left in the old one), when the file is truncated (read again from the start), and waits for the
/// file when it does not exist yet.
///
/// The file is checked every ``pollInterval`` seconds (slept on ``clock``); every read runs on
/// ``BlockingIO``'s queue, so no blocking read ever runs on Swift's cooperative pool.
public struct LogFollower: Sendable {
    /// The log file followed.
    public let url: URL
    /// Seconds between checks of the file when nothing new arrived.
    public let pollInterval: TimeInterval
    /// What the follower sleeps on between checks.
    public let clock: any TimerClock

    /// Creates a follower.
    /// - Parameters:
    ///   - url: The deletion log file.
    ///   - pollInterval: Seconds between checks when idle (0.5 by default, at least 0.01).
    ///   - clock: What it sleeps on between checks (`ContinuousClock` by default; a manual clock in
    ///     tests).
    public init(url: URL, pollInterval: TimeInterval = 0.5, clock: any TimerClock = ContinuousClock()) {
        self.url = url
        self.pollInterval = max(0.01, pollInterval)
        self.clock = clock
    }

    /// The events of the log, forever.
    ///
    /// With `fromStart`, every event already in the file comes first; without, only events whose
    /// lines are completed after the call (a file that appears later is read from its start).
    /// With `includingRotated` as well, the events of the files logrotate made of the log
    /// (``DeletionLogSet``: `deletions.jsonl.1`, `….2.gz`, `deletions.jsonl-20261101`, …) come
    /// before those, oldest first: the log file is opened first, so a rotation while the older
    /// files are read loses nothing and repeats nothing. Lines that do not decode as events (a torn
    /// line) are skipped, as are rotated files that cannot be read. The stream ends when the
    /// consuming task is cancelled or stops iterating; it fails with ``StoreError`` when the file
    /// exists but cannot be read.
    public func events(fromStart: Bool, includingRotated: Bool = false) -> AsyncThrowingStream<Event, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Event.self, throwing: (any Error).self)
        let path = self.url.path
        let interval = self.pollInterval
        let clock = self.clock
        // Decided now, not when the task starts: "after the call" must mean after the call.
        let startOffset = fromStart ? 0 : FileSystem.status(path)?.size
        let url = self.url
        let history = fromStart && includingRotated
        let task = Task {
            let reader = FollowedFileReader(FollowedFile(path: path, startOffset: startOffset))
            defer { reader.close() }
            do {
                if history {
                    // Hold the log file open first: what a rotation now renames is still read
                    // through this descriptor, and left out of the rotated files read below.
                    let older = try await BlockingIO.runConcurrently {
                        try reader.file.withLock { file in
                            _ = try file.openIfNeeded()
                            return try DeletionLogSet.readRotated(of: url, skipping: file.identity).events
                        }
                    }
                    for event in older {
                        if case .terminated = continuation.yield(event) { return }
                    }
                }
                while !Task.isCancelled {
                    let events = try await BlockingIO.runConcurrently { try reader.file.withLock { try $0.poll() } }
                    for event in events {
                        if case .terminated = continuation.yield(event) { return }
                    }
                    if events.isEmpty { try await clock.sleep(seconds: interval) }
                }
                continuation.finish()
            } catch is CancellationError {
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        // The consumer went away (cancelled, or stopped iterating): the follower stops.
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}

/// The follower's view of the file, shared between its task and the blocking-I/O queue that
/// reads; one read at a time.
private final class FollowedFileReader: Sendable {
    let file: Mutex<FollowedFile>

    init(_ file: sending FollowedFile) {
        self.file = Mutex(file)
    }

    func close() {
        self.file.withLock { $0.close() }
    }
}

/// What the follower knows of the file: where it read up to, and which file it is.
private struct FollowedFile {
    let path: String
    /// Where to start in the file open at the first check (`nil`: from its start).
    var startOffset: Int?
    var file: POSIXFile?
    var identity: POSIXFile.Status?
    /// End of the last complete line read.
    var offset = 0
    let decoder = JSONCoding.decoder()

    init(path: String, startOffset: Int?) {
        self.path = path
        self.startOffset = startOffset
    }

    /// The events of lines completed since the last call; handles rotation and truncation.
    mutating func poll() throws -> [Event] {
        guard let file = try self.openIfNeeded() else { return [] }
        let events = try self.readNewLines(file)
        if !events.isEmpty { return events }

        // Nothing new: has the path moved on to another file, or was this one truncated?
        guard let current = FileSystem.status(self.path) else {
            return []  // renamed away, no new file yet: keep the old one for late appends
        }
        if let identity = self.identity, current.device != identity.device || current.inode != identity.inode {
            let drained = try self.readNewLines(file)  // lines completed in the old file since
            self.close()
            self.startOffset = 0
            return drained
        }
        if current.size < self.offset {
            self.offset = 0
        }
        return []
    }

    mutating func close() {
        self.file?.closeFile()
        self.file = nil
        self.identity = nil
    }

    mutating func openIfNeeded() throws -> POSIXFile? {
        if let file = self.file { return file }
        guard let file = try POSIXFile.openIfPresent(self.path, flags: O_RDONLY) else {
            // A file that appears later is new: read it from its start.
            self.startOffset = 0
            return nil
        }
        let status = try file.status()
        self.file = file
        self.identity = status
        self.offset = min(self.startOffset ?? 0, status.size)
        return file
    }

    private mutating func readNewLines(_ file: POSIXFile) throws -> [Event] {
        let (lines, end) = try LogTail.lines(of: file, from: self.offset)
        self.offset = end
        return LogTail.events(of: lines, decoder: self.decoder, strict: false) ?? []
    }
}
