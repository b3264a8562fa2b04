public import Foundation

/// What one probe host answered to the probes of one poll of one account, for the `probe_host`
/// alarm (`docs/alerts.md`): whether any answer was conclusive (a post that exists or a
/// tombstone; an account available or unavailable) or all proved nothing (5xx, timeouts, rate
/// limits, walls, another host's answer). An answer that could not be stored as evidence (the
/// state folder's disk refused it) is not the host's and is left out.
public struct ProbeHostAnswer: Sendable, Hashable {
    /// The host name of the probe's URL (before any redirect), e.g. `m.weibo.cn`.
    public var host: String
    /// The account whose poll sent the probes.
    public var account: AccountKey
    /// That account's platform.
    public var platform: Platform
    /// The poll's time, UTC.
    public var at: Date
    /// At least one answer of this poll was conclusive.
    public var conclusive: Bool
    /// How many answers of this poll proved nothing.
    public var inconclusiveAnswers: Int
    /// The last inconclusive answer's detail (empty when there was none).
    public var detail: String

    public init(
        host: String, account: AccountKey, platform: Platform, at: Date, conclusive: Bool, inconclusiveAnswers: Int,
        detail: String
    ) {
        self.host = host
        self.account = account
        self.platform = platform
        self.at = at
        self.conclusive = conclusive
        self.inconclusiveAnswers = inconclusiveAnswers
        self.detail = detail
    }
}
