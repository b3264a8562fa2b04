public import Foundation
import Synchronization

/// Hosts that asked us to stop sending requests until a time (HTTP 429 with `Retry-After`,
/// Mastodon's `X-RateLimit-Remaining: 0` + `X-RateLimit-Reset`). Shared by every account on the
/// same host: no request goes to a host before its reset time.
///
/// With a file, the limits outlive the process (`state_dir/rate-limits.json`, format version 1:
/// `{"v": 1, "hosts": {"<host>": "<RFC 3339 UTC>"}}`), so `palimpsest poll` run from a timer
/// honours a limit a previous run was given.
public final class HostRateLimits: Sendable {
    private let resets: Mutex<[String: Date]>
    /// Where the limits are kept between processes, if anywhere.
    public let file: URL?

    /// `rate-limits.json`.
    struct FileContents: VersionedDocument {
        static let formatVersion = 1
        static let documentName = "host rate limits file"
        static let unreadableAdvice = "it is ignored: the hosts are asked again and answer 429 again if they must"
        static let endsWithLineFeed = false
        var v: Int
        var hosts: [String: Date]
    }

    /// Limits kept in memory only.
    public init() {
        self.resets = Mutex([:])
        self.file = nil
    }

    /// Limits kept in `file` too; reads the limits it holds. An unreadable file, or one of a newer
    /// format version, is ignored (it only makes us ask a host a little early: the host answers 429
    /// again).
    public init(file: URL) {
        self.file = file
        var loaded: [String: Date] = [:]
        if let contents = (try? VersionedFile<FileContents>(file).read()) ?? nil {
            loaded = contents.hosts
        }
        self.resets = Mutex(loaded)
    }

    /// Records that `host` may not be asked again before `until` (UTC); keeps the later time.
    /// - Returns: true when this changed the recorded limits (the caller then calls ``save(now:)``).
    @discardableResult
    public func limit(host: String, until: Date) -> Bool {
        self.resets.withLock { resets in
            let key = host.lowercased()
            if let existing = resets[key], existing >= until { return false }
            resets[key] = until
            return true
        }
    }

    /// The time (UTC) before which `host` must not be asked, if it is still in the future at `now`.
    public func blockedUntil(host: String, now: Date) -> Date? {
        self.resets.withLock { resets in
            guard let until = resets[host.lowercased()], until > now else { return nil }
            return until
        }
    }

    /// Writes the limits still in force at `now` to the file (atomically); does nothing without one.
    /// - Throws: a store error when the file cannot be written.
    public func save(now: Date) throws {
        guard let file = self.file else { return }
        let current = self.resets.withLock { $0.filter { $0.value > now } }
        try VersionedFile<FileContents>(file).write(FileContents(v: FileContents.formatVersion, hosts: current))
    }
}
