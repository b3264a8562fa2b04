import Foundation

/// Parses AT Protocol datetimes (`createdAt`, `indexedAt`: RFC 3339, usually with milliseconds and
/// `Z`, e.g. `2025-02-24T20:30:07.343Z`; lexicon "datetime" format) onto the millisecond grid the
/// state files use.
///
/// The detector compares a poll's dates with dates it read back from `state.json` (written with
/// ``RFC3339/string(from:)`` at millisecond precision, read with ``RFC3339/date(from:)``). Parsing
/// exactly (``MastodonTimestamp``) gives a `Date` that can differ from the stored one in the last
/// bit, so the newest post could look older than itself and every later snapshot stale. Rounding
/// through the same functions the state uses makes every date survive the round trip unchanged.
enum BlueskyTimestamp {
    /// The instant (UTC) `text` names, rounded to whole milliseconds exactly as the state files
    /// store it; `nil` when `text` is not an RFC 3339 date-time.
    static func date(from text: String) -> Date? {
        guard let exact = MastodonTimestamp.date(from: text) else { return nil }
        return RFC3339.date(from: RFC3339.string(from: exact)) ?? exact
    }
}
