public import Foundation

/// Whether a watched account can be seen, as far as the detector has logged.
///
/// On disk: `{"state": "available"}` or
/// `{"state": "unavailable", "reason": "account_suspended", "since": "…", "event_id": "…"}`.
public enum AccountStatus: Sendable, Codable, Hashable {
    /// The account answers (its last complete snapshot or account probe was fine).
    case available
    /// An `account_unavailable` event was logged (`eventID`) at `since` (UTC) for `reason`; no
    /// further one is logged until the account is seen again (`account_restored`).
    case unavailable(reason: Reason, since: Date, eventID: String)

    /// True for ``available``.
    public var isAvailable: Bool {
        if case .available = self { return true }
        return false
    }

    enum CodingKeys: String, CodingKey {
        case state, reason, since
        case eventID = "event_id"
    }

    /// Decodes the `state`-tagged form.
    /// - Throws: `DecodingError` when `state` is neither `available` nor `unavailable`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let state = try container.decode(String.self, forKey: .state)
        switch state {
        case "available":
            self = .available
        case "unavailable":
            self = .unavailable(
                reason: try container.decode(Reason.self, forKey: .reason),
                since: try container.decode(Date.self, forKey: .since),
                eventID: try container.decode(String.self, forKey: .eventID))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .state, in: container,
                debugDescription: "account state must be \"available\" or \"unavailable\", found \"\(state)\"")
        }
    }

    /// Encodes the `state`-tagged form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .available:
            try container.encode("available", forKey: .state)
        case .unavailable(let reason, let since, let eventID):
            try container.encode("unavailable", forKey: .state)
            try container.encode(reason, forKey: .reason)
            try container.encode(since, forKey: .since)
            try container.encode(eventID, forKey: .eventID)
        }
    }
}
