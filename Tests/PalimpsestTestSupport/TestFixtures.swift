public import Foundation

/// The recorded fixtures in `Tests/Fixtures/` (see `Tests/Fixtures/real/PROVENANCE.md`), found
/// from this file's path (the tests run from the package's folder).
public enum TestFixtures {
    /// `Tests/Fixtures`.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // PalimpsestTestSupport
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures", isDirectory: true)

    /// The package's folder (the repository's root): README, docs/, Makefile.
    public static let repository = Self.root
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `Tests/Fixtures/real`: answers recorded from the platforms.
    public static var real: URL { Self.root.appendingPathComponent("real", isDirectory: true) }

    /// The bytes of a file under `Tests/Fixtures/real` (`feeds/github_releases_atom.xml`).
    /// - Throws: when the file cannot be read.
    public static func real(_ path: String) throws -> Data {
        try Data(contentsOf: Self.real.appendingPathComponent(path))
    }
}
