public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A poll ran, but what it found could not all be written: a write to the state folder or to the
/// deletion log failed (the disk is full, read-only, or reports I/O errors).
///
/// Nothing already stored is changed by such a failure, and nothing found is dropped: what could
/// not be written waits where ``stage`` says, and the account's next poll writes it first. The
/// message names the account, the file, the system's reason, and what is not on disk yet; the
/// caller adds what it does next (the daemon retries at the next poll, `palimpsest poll` exits 1).
public struct PollWriteError: Error, Sendable, CustomStringConvertible {
    /// Where the part not written waits.
    public enum Stage: String, Sendable, Hashable {
        /// This poll's answer (snapshot, post archive or evidence) could not be stored, so nothing
        /// was derived from it: the account's state is as before the poll, and the next poll
        /// observes the account again.
        case observation
        /// `state.json` could not be written: the new state (blind span, events not yet logged)
        /// is kept in this process's memory, and nothing of it went to the deletion log.
        case state
        /// The state is saved with its events pending, but the deletion log could not be written:
        /// the events wait in `state.json` and are appended by the next poll (never twice).
        case log
    }

    /// The account.
    public var account: AccountKey
    /// The account's display name, if the config gives one.
    public var accountName: String?
    /// When the poll ran, UTC.
    public var polledAt: Date
    /// Where the part not written waits.
    public var stage: Stage
    /// The failed write (a ``StoreError`` naming the file, `ENOSPC` when the disk is full).
    public var cause: StoreError
    /// Events found but not yet in the deletion log.
    public var pendingEvents: Int
    /// The account's open blind span, when it has one: it is part of what waits.
    public var blindSpan: BlindSpan?

    /// Creates the error.
    public init(
        account: AccountKey, accountName: String?, polledAt: Date, stage: Stage, cause: StoreError,
        pendingEvents: Int, blindSpan: BlindSpan?
    ) {
        self.account = account
        self.accountName = accountName
        self.polledAt = polledAt
        self.stage = stage
        self.cause = cause
        self.pendingEvents = pendingEvents
        self.blindSpan = blindSpan
    }

    /// True when the failed write was refused for lack of space (`ENOSPC`, `EDQUOT`, or `EFBIG`
    /// past a file size limit).
    public var isDiskFull: Bool {
        guard let code = self.cause.errno else { return false }
        return code == ENOSPC || code == EDQUOT || code == EFBIG
    }

    /// `account <key> ("<name>"): the poll of <time> could not be written: <cause>. Not on disk
    /// yet: <what>.`
    public var description: String {
        let name = self.accountName.map { " (\"\($0)\")" } ?? ""
        var text = "account \(self.account)\(name): the poll of \(RFC3339.string(from: self.polledAt)) could not be "
        text += "written: \(self.cause). "
        switch self.stage {
        case .observation:
            text += "Not on disk: this poll's answer, so nothing was derived from it"
            if let span = self.blindSpan { text += " (the account stays " + Self.blind(span) + ")" }
            if self.pendingEvents > 0 { text += "; \(Self.events(self.pendingEvents)) not yet in the deletion log" }
        case .state:
            var parts = ["the account's new state"]
            if let span = self.blindSpan { parts.append(Self.blind(span)) }
            if self.pendingEvents > 0 { parts.append("\(Self.events(self.pendingEvents)) not yet in the deletion log") }
            text += "Not on disk: " + parts.joined(separator: "; ")
        case .log:
            text += "Not in the deletion log yet: \(Self.events(self.pendingEvents)), saved in state.json"
        }
        return text + "."
    }

    private static func blind(_ span: BlindSpan) -> String {
        let polls = span.failedPolls == 1 ? "1 failed poll" : "\(span.failedPolls) failed polls"
        return "blind since \(RFC3339.string(from: span.from)) (\(polls))"
    }

    private static func events(_ count: Int) -> String {
        count == 1 ? "1 event" : "\(count) events"
    }
}
