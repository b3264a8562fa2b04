public import Foundation

/// The recorded real feeds in `Tests/Fixtures/real/feeds/` (see `Tests/Fixtures/real/PROVENANCE.md`).
public enum FeedFixtures {
    /// `Tests/Fixtures/real/feeds`, located from this source file.
    public static let directory = TestFixtures.root.appendingPathComponent("real/feeds")

    /// Every fixture file name, sorted.
    public static var allNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: Self.directory.path)) ?? []).sorted()
    }

    /// The bytes of one fixture file.
    public static func data(_ name: String) throws -> Data {
        try Data(contentsOf: Self.directory.appendingPathComponent(name))
    }

    /// A UTC instant from an RFC 3339 string written in a test.
    public static func utc(_ text: String) -> Date {
        guard let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) else {
            fatalError("bad date literal in a test: \(text)")
        }
        return date
    }
}
