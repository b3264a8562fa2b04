/// Why a post or an account is gone, as far as the platform says.
///
/// Vocabulary from DESIGN.md: a reason is never guessed; where the platform's answer cannot tell
/// who removed a post, the reason is ``removed``; where nothing but absence proves it, ``unknown``.
public enum Reason: String, Sendable, Codable, CaseIterable, Hashable {
    /// The author deleted it (the platform says so).
    case authorDeleted = "author_deleted"
    /// The platform removed or hid it (a violation notice, "permission denied").
    case censored
    /// Gone, and the platform does not say by whom (a bare HTTP 404/410).
    case removed
    /// The account was suspended by the platform.
    case accountSuspended = "account_suspended"
    /// The account no longer exists.
    case accountDeleted = "account_deleted"
    /// The account is now private or followers-only.
    case accountPrivate = "account_private"
    /// A login wall, a captcha or a geo block hides it.
    case gated
    /// Confirmed only by absence from the timeline window.
    case unknown
}

/// How a deletion or a restore was proved.
public enum Confirmation: String, Sendable, Codable, Hashable {
    /// A probe of the post's own URL or API object answered: with a tombstone (`deleted`), or
    /// that the post exists (`restored`).
    case probe
    /// The post stayed missing from the window in `confirm_polls` consecutive complete, fresh
    /// snapshots spanning at least `confirm_min_age` (`deleted`).
    case absence
    /// The post was listed again in `confirm_polls` consecutive complete, fresh snapshots spanning
    /// at least `confirm_min_age` (`restored`, where no probe answers).
    case listing
}
