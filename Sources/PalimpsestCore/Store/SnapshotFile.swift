public import Foundation

/// One file `snapshots/<id>.json` of an account folder: an observation behind a format version.
public struct SnapshotFile: Sendable, Codable, Hashable {
    /// Format version (`v`), 1.
    public var v: Int
    /// The snapshot id, also the file name: see ``AccountStore/writeSnapshot(_:)``.
    public var id: String
    /// The account polled.
    public var account: AccountKey
    /// When the poll was made, UTC (the same as `observation.polledAt`).
    public var polledAt: Date
    /// The observation.
    public var observation: Observation

    /// Creates a snapshot file value.
    public init(v: Int, id: String, account: AccountKey, polledAt: Date, observation: Observation) {
        self.v = v
        self.id = id
        self.account = account
        self.polledAt = polledAt
        self.observation = observation
    }

    enum CodingKeys: String, CodingKey {
        case v, id, account, observation
        case polledAt = "polled_at"
    }
}
