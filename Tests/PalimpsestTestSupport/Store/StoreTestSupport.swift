public import Foundation

@testable public import PalimpsestCore

/// Temporary folders, sample posts and events for the Store and Log tests.
public enum StoreTestSupport {
    /// A new empty folder under the system's temporary folder; the caller removes it.
    public static func makeTemporaryDirectory() throws -> URL {
        try TestFolder.make("store-tests")
    }

    /// Removes a folder made by ``makeTemporaryDirectory()``.
    public static func remove(_ url: URL) {
        TestFolder.remove(url)
    }

    /// The real fixture folder `Tests/Fixtures/real`.
    public static var fixturesDirectory: URL {
        TestFixtures.real
    }

    /// A fixed UTC date: 2026-11-29T22:18:40Z plus `offset` seconds.
    public static func date(_ offset: TimeInterval = 0) -> Date {
        Date(timeIntervalSince1970: 1_795_990_720 + offset)
    }

    /// Sorted names in `url`.
    public static func names(in url: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    /// A `deleted` event for account `feed:https://example.org/feed.xml`.
    public static func event(_ id: String, text: String = "text", at offset: TimeInterval = 0) -> Event {
        var event = Event(
            id: id,
            detectedAt: Self.date(offset),
            event: .deleted,
            platform: .feed,
            account: AccountKey(rawValue: "feed:https://example.org/feed.xml"),
            accountName: "Example"
        )
        event.reason = .removed
        event.confirmedBy = .probe
        event.postID = "post-\(id)"
        event.text = text
        return event
    }

    /// The lines of a file without their newlines (a torn last line included).
    public static func lines(of url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
