public import Foundation

/// Temporary folders of the tests, each removed by the test that made it.
///
/// The folders are named `palimpsest-<purpose>-<UUID>` under the system's temporary folder, so a
/// folder a crashed test left behind says where it came from. (The `TemporaryDirectory.*` folders
/// that pile up in `/tmp` are not the tests': the Swift driver makes one, holding an empty
/// `.keep-directory`, at every `swiftc` run, `swift build` and `swift test` included.)
public enum TestFolder {
    /// A new empty folder under the system's temporary folder; the caller removes it with
    /// ``remove(_:)`` (or use ``with(_:_:)``).
    /// - Parameter purpose: a word for the folder's name (`store-tests`, `daemon`, …).
    /// - Throws: when the folder cannot be made.
    public static func make(_ purpose: String = "tests") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("palimpsest-\(purpose)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Removes a folder and all it holds; a folder already gone is no error.
    public static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }

    /// Runs `body` with a new empty folder and removes the folder after, whether `body` returns or
    /// throws.
    /// - Throws: when the folder cannot be made, or what `body` throws.
    public static func with<T>(_ purpose: String = "tests", _ body: (URL) async throws -> T) async throws -> T {
        let url = try Self.make(purpose)
        defer { Self.remove(url) }
        return try await body(url)
    }
}
