/// One local day of the digest's week and the deletions detected on it, per account.
public struct DigestDay: Sendable, Hashable, Encodable {
    /// The local date, `2026-11-23`.
    public var date: String
    /// The English weekday abbreviation, `Mon` … `Sun`.
    public var weekday: String
    /// Deletions detected that day (local time) per account key; accounts without any are left out.
    public var deletedByAccount: [String: Int]

    /// Creates a day.
    public init(date: String, weekday: String, deletedByAccount: [String: Int]) {
        self.date = date
        self.weekday = weekday
        self.deletedByAccount = deletedByAccount
    }

    /// All deletions detected that day.
    public var deleted: Int { self.deletedByAccount.values.reduce(0, +) }

    enum CodingKeys: String, CodingKey {
        case date, weekday
        case deletedByAccount = "deleted_by_account"
    }
}
