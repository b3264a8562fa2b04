public import Foundation
import Synchronization

/// Hosts that asked us to stop sending requests until a time (HTTP 429 with `Retry-After`,
/// Mastodon's `X-RateLimit-Remaining: 0` + `X-RateLimit-Reset`). Shared by every account on the
/// same host: no request goes to a host before its reset time.
public final class HostRateLimits: Sendable {
    private let resets = Mutex<[String: Date]>([:])

    public init() {}

    /// Records that `host` may not be asked again before `until` (UTC); keeps the later time.
    public func limit(host: String, until: Date) {
        self.resets.withLock { resets in
            let key = host.lowercased()
            if let existing = resets[key], existing >= until { return }
            resets[key] = until
        }
    }

    /// The time (UTC) before which `host` must not be asked, if it is still in the future at `now`.
    public func blockedUntil(host: String, now: Date) -> Date? {
        self.resets.withLock { resets in
            guard let until = resets[host.lowercased()], until > now else { return nil }
            return until
        }
    }
}
