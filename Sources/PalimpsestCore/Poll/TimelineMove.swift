public import Foundation

/// A timeline (or account lookup) address that now redirects permanently (301, 308) to another
/// host: the platform moved it, and the configuration should name the new address. Until then
/// every poll of the account is blind (`other_host`): the new host's answers are never evidence
/// about the posts seen on the old one (rule of evidence 8). Kept in the account's state so the
/// operator is told once (stderr) and `palimpsest status` shows it while it lasts.
public struct TimelineMove: Sendable, Codable, Hashable {
    /// The URL requested (from the configuration).
    public var from: String
    /// Where the permanent redirect points (its `Location`, resolved).
    public var to: String
    /// The redirect's HTTP status, 301 or 308.
    public var status: Int
    /// When the move was first noticed, UTC.
    public var noticedAt: Date

    /// Creates the record of a move.
    public init(from: String, to: String, status: Int, noticedAt: Date) {
        self.from = from
        self.to = to
        self.status = status
        self.noticedAt = noticedAt
    }

    /// One line for operators: what moved, where, and what to do.
    public var summary: String {
        "\(self.from) redirects permanently (HTTP \(self.status)) to \(self.to), another host, since "
            + "\(RFC3339.string(from: self.noticedAt)): polls stay blind until the configuration names the new "
            + "address"
    }

    enum CodingKeys: String, CodingKey {
        case from, to, status
        case noticedAt = "noticed_at"
    }
}
