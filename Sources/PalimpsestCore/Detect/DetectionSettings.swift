public import Foundation

/// The knobs of deletion detection (rules of evidence 3 and 4), read from the `[daemon]` table of
/// the config (`confirm_polls`, `confirm_min_age`).
public struct DetectionSettings: Sendable, Hashable {
    /// How many consecutive complete, fresh snapshots a candidate without a probe must be missing
    /// from before absence confirms its deletion; the first snapshot it is missing from counts as 1.
    public var confirmPolls: Int
    /// Seconds that must pass between the first snapshot a candidate is missing from and the
    /// snapshot that confirms it by absence (`confirm_min_age`, default 20 minutes).
    public var confirmMinAge: TimeInterval
    /// Share (0…1) of the tracked posts expected in the window that must vanish in one snapshot
    /// for the vanishing to be an account-level event rather than per-post candidates.
    public var massDisappearanceFraction: Double
    /// The least number of posts that must vanish at once for a mass disappearance (an empty
    /// snapshot after a non-empty one is one regardless).
    public var massDisappearanceMinimum: Int
    /// Seconds an aged-out post (one that left the window without any sign of deletion) stays in
    /// the detector's memory before it is forgotten (default 8 days, longer than the latest
    /// late probe DESIGN.md plans). Deleted posts are never forgotten.
    public var agedOutRetention: TimeInterval
    /// How many inconclusive probe answers (one per poll) a candidate needs, over at least
    /// ``confirmMinAge`` seconds, before absence may confirm it as if the platform had no probe
    /// (`probe_attempts`, default 6): no candidate waits forever on a probe that never answers.
    public var probeAttempts: Int
    /// Seconds a timeline may keep answering with listing dates (`lastBuildDate`/`updated`,
    /// `Last-Modified`) older than the newest seen before those older dates are accepted as the
    /// source's new clock (default 24 hours). Until then such listings are stale.
    public var signalRegressionTolerance: TimeInterval
    /// Seconds (and at least ``confirmPolls`` consecutive polls) a listing identical to an earlier,
    /// superseded one must keep being served before it is taken as the account's current state
    /// (`stale_tolerance`, default 2 hours): until then it may be a lagging replica or cache; after,
    /// the account went back to it (a post published and deleted again, an edit reverted).
    public var staleTolerance: TimeInterval
    /// Seconds a listing date may lie after the poll time and still be believed (default 300);
    /// later dates count as the poll time plus this.
    public var futureDateAllowance: TimeInterval
    /// The most bytes of UTF-8 an event stores in each of `text`, `previous_text`, `diff` and
    /// `detail` (`event_text_limit`, default 64 KiB); longer texts are cut and the event says
    /// `text_truncated: true` (``Event/cappingText(toBytes:)``). The post archive keeps them whole.
    public var eventTextLimit: Int

    /// The default of ``eventTextLimit``: 64 KiB.
    public static let defaultEventTextLimit = 64 * 1024

    /// Creates settings; every parameter has the documented default.
    /// - Parameters:
    ///   - confirmPolls: consecutive complete fresh snapshots for absence (default 2).
    ///   - confirmMinAge: seconds from first missing to the confirming snapshot (default 1200).
    ///   - massDisappearanceFraction: share of expected posts vanishing at once (default 0.5).
    ///   - massDisappearanceMinimum: least number of posts vanishing at once (default 3).
    ///   - agedOutRetention: seconds an aged-out post is remembered (default 691 200, 8 days).
    ///   - probeAttempts: inconclusive probes before absence may confirm (default 6).
    ///   - signalRegressionTolerance: seconds older listing dates stay stale (default 86 400).
    ///   - staleTolerance: seconds a repeated old listing stays stale (default 7 200).
    ///   - futureDateAllowance: seconds a listing date may lie in the future (default 300).
    ///   - eventTextLimit: bytes of UTF-8 kept per text field of an event (default 65 536).
    public init(
        confirmPolls: Int = 2,
        confirmMinAge: TimeInterval = 1200,
        massDisappearanceFraction: Double = 0.5,
        massDisappearanceMinimum: Int = 3,
        agedOutRetention: TimeInterval = 8 * 86_400,
        probeAttempts: Int = 6,
        signalRegressionTolerance: TimeInterval = 86_400,
        staleTolerance: TimeInterval = 7_200,
        futureDateAllowance: TimeInterval = 300,
        eventTextLimit: Int = DetectionSettings.defaultEventTextLimit
    ) {
        self.probeAttempts = probeAttempts
        self.signalRegressionTolerance = signalRegressionTolerance
        self.staleTolerance = staleTolerance
        self.futureDateAllowance = futureDateAllowance
        self.confirmPolls = confirmPolls
        self.confirmMinAge = confirmMinAge
        self.massDisappearanceFraction = massDisappearanceFraction
        self.massDisappearanceMinimum = massDisappearanceMinimum
        self.agedOutRetention = agedOutRetention
        self.eventTextLimit = max(1, eventTextLimit)
    }
}
