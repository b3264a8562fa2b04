/// The kind of source an account is watched on: `feed`, `mastodon`, `weibo`, `bluesky`,
/// `telegram`, `url`.
///
/// The raw value is the `platform` key of an `[[account]]` table in the config and the prefix of
/// every ``AccountKey``; state, the deletion log and the running config store it as this string.
/// Each platform declares its value beside its adapter (`Platforms/<Name>/<Name>Source.swift`);
/// the platforms that exist are those of the registry (`PlatformSources.all`, ``allCases``).
public struct Platform: RawRepresentable, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The platform's name (`platform = "…"` in the config).
    public let rawValue: String

    /// The registered platform named `rawValue`, or `nil` when no platform has that name.
    public init?(rawValue: String) {
        guard let known = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = known
    }

    /// Declares the platform named `name`: a platform's own `static let`, known once its source
    /// is in the registry (`PlatformSources.all`).
    init(declaring name: String) {
        self.rawValue = name
    }

    /// Every registered platform, in the registry's order (that of `docs/configuration.md`).
    public static let allCases: [Platform] = PlatformSources.all.map { $0.platform }

    /// The name, as in the config (`"\(platform)"` reads `weibo`).
    public var description: String { self.rawValue }

    /// Reads the name.
    /// - Throws: `DecodingError.dataCorrupted` when no registered platform has that name.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let platform = Self(rawValue: name) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "Cannot initialize Platform from invalid String value \(name)")
        }
        self = platform
    }

    /// Writes the name, a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.rawValue)
    }
}
