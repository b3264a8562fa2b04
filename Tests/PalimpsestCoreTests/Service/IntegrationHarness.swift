import Foundation
import Logging
import PalimpsestCore
import PalimpsestReplay

/// A loopback replay server, the real libcurl client, a fresh state folder and deletion log:
/// the whole poll path with nothing faked but the platform.
final class IntegrationHarness: Sendable {
    let server: ReplayServer
    let client: CurlHTTPClient
    let root: URL
    let logURL: URL
    let rateLimits = HostRateLimits()

    init(timeout: TimeInterval = 5, maxBodyBytes: Int = 8 * 1024 * 1024) async throws {
        try CurlHTTPClient.globalInit()
        self.server = ReplayServer()
        try await self.server.start()
        var configuration = HTTPClientConfiguration()
        configuration.timeout = timeout
        configuration.connectTimeout = 2
        configuration.maxBodyBytes = maxBodyBytes
        self.client = try CurlHTTPClient(configuration: configuration)
        self.root = FileManager.default.temporaryDirectory.appendingPathComponent("palimpsest-it-\(UUID().uuidString)")
        self.logURL = self.root.appendingPathComponent("deletions.jsonl")
    }

    /// A poller as a fresh process would build it (new store and log objects over the same files).
    func poller(
        detection: DetectionSettings = DetectionSettings(), faults: (any FaultInjecting)? = nil
    ) throws -> AccountPoller {
        AccountPoller(
            client: self.client,
            stateStore: try StateStore(root: self.root.appendingPathComponent("state")),
            log: try DeletionLog(url: self.logURL),
            detection: detection,
            snapshotRetention: 3,
            rateLimits: self.rateLimits,
            logger: Logger(label: "test"),
            faults: faults)
    }

    func loggedEvents() throws -> [Event] {
        guard FileManager.default.fileExists(atPath: self.logURL.path) else { return [] }
        return try DeletionLog.readEvents(at: self.logURL)
    }

    func feedAccount(path: String, name: String = "Test feed") -> Account {
        let url = self.server.baseURL.appendingPathComponent(String(path.dropFirst()))
        let source = AccountSource.feed(url: url)
        return Account(key: Account.key(for: source), name: name, source: source, interval: 600)
    }

    func mastodonAccount(acct: String = "mastodonpy_test") -> Account {
        let source = AccountSource.mastodon(instance: self.server.baseURL, acct: acct)
        return Account(key: Account.key(for: source), name: "Mastodon test", source: source, interval: 600)
    }

    func close() async {
        self.client.shutdown()
        await self.server.stop()
        try? FileManager.default.removeItem(at: self.root)
    }

    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/real")
    }

    static func fixture(_ path: String) throws -> Data {
        try Data(contentsOf: Self.fixtures.appendingPathComponent(path))
    }

    static let rss: HTTPHeaders = [("Content-Type", "application/rss+xml; charset=utf-8")]
    static let json: HTTPHeaders = [("Content-Type", "application/json; charset=utf-8")]

    /// 2026-08-01T14:00:00Z plus `minutes`.
    static func time(_ minutes: Int) -> Date {
        Date(timeIntervalSince1970: 1_785_592_800 + TimeInterval(minutes * 60))
    }
}
