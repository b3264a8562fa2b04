import Foundation

/// The stable identity of a watched account: `platform:identifier`.
///
/// Examples: `feed:https://rsshub.app/twitter/user/x`, `mastodon:@user@mastodon.social`.
/// The key names the account in the deletion log, in the state folder and on the command line
/// (`--account KEY`); it never changes when the display `name` in the config changes.
public struct AccountKey: RawRepresentable, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The full key, `platform:identifier`.
    public let rawValue: String

    /// Wraps an existing key string as read from the log or the command line.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Builds the key of an account from its platform and platform identifier.
    public init(platform: Platform, identifier: String) {
        self.rawValue = "\(platform.rawValue):\(identifier)"
    }

    public var description: String { self.rawValue }

    /// The account of alarms about the whole monitor (no complete poll at all, a probe host, a
    /// mass deletion): `monitor`, which no configured account can have (theirs are
    /// `platform:identifier`).
    public static let monitor = AccountKey(rawValue: "monitor")

    public static func < (lhs: AccountKey, rhs: AccountKey) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A folder name for this account that cannot escape its parent folder and cannot collide
    /// with another key's: a readable slug (ASCII letters, digits, `-`, `_`, `.` only, at most 60
    /// characters, never starting with a dot) followed by `-` and the first 16 hex digits of the
    /// SHA-256 of the full key.
    public var directoryName: String {
        var slug = ""
        for scalar in self.rawValue.unicodeScalars {
            if slug.count >= 60 { break }
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_":
                slug.unicodeScalars.append(scalar)
            case ".":
                slug.append(slug.isEmpty ? "_" : ".")
            default:
                if !slug.hasSuffix("_") { slug.append("_") }
            }
        }
        let hex = ContentHash.sha256Hex(self.rawValue)
        return "\(slug)-\(hex.prefix(16))"
    }
}
