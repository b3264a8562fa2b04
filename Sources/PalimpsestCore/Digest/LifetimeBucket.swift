/// A class of deleted posts by how soon they were gone after posting, read from the upper bound
/// of the lifetime interval: a post in ``within30Minutes`` is proved gone at most 30 minutes after
/// it was posted (and not within 10). Buckets follow what is known of censorship speed: about 5%
/// of censored Weibo posts go within 8 minutes, 30% within 30 minutes, 90% within a day (Zhu et al.,
/// USENIX Security 2013).
public enum LifetimeBucket: String, Sendable, Hashable, Codable, CaseIterable {
    /// Gone at most 10 minutes after posting.
    case within10Minutes = "within_10m"
    /// Gone within 10 to 30 minutes.
    case within30Minutes = "within_30m"
    /// Gone within 30 to 60 minutes.
    case within1Hour = "within_1h"
    /// Gone within 1 to 6 hours.
    case within6Hours = "within_6h"
    /// Gone within 6 to 24 hours.
    case within1Day = "within_1d"
    /// Gone within 1 to 7 days.
    case within7Days = "within_7d"
    /// Gone more than 7 days after posting.
    case longer = "longer"
    /// The post had no posted time, so its lifetime is unknown.
    case unknown = "unknown"

    /// The bucket of a lifetime interval (`nil`: unknown).
    public init(lifetime: SecondsInterval?) {
        guard let upper = lifetime?.maxSeconds else {
            self = .unknown
            return
        }
        switch upper {
        case ...600: self = .within10Minutes
        case ...1_800: self = .within30Minutes
        case ...3_600: self = .within1Hour
        case ...21_600: self = .within6Hours
        case ...86_400: self = .within1Day
        case ...604_800: self = .within7Days
        default: self = .longer
        }
    }

    /// A short English label: `≤ 10 min`, `10–30 min`, …, `> 7 days`, `unknown`.
    public var label: String {
        switch self {
        case .within10Minutes: return "≤ 10 min"
        case .within30Minutes: return "10–30 min"
        case .within1Hour: return "30–60 min"
        case .within6Hours: return "1–6 h"
        case .within1Day: return "6–24 h"
        case .within7Days: return "1–7 days"
        case .longer: return "> 7 days"
        case .unknown: return "unknown"
        }
    }
}
