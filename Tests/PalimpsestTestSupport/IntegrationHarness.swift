public import Foundation
import Logging
public import PalimpsestCore
public import PalimpsestReplay

/// A loopback replay server, the real libcurl client, a fresh state folder and deletion log:
/// the whole poll path with nothing faked but the platform.
public final class IntegrationHarness: Sendable {
    public let server: ReplayServer
    public let client: CurlHTTPClient
    public let root: URL
    public let logURL: URL
    public let rateLimits = HostRateLimits()

    public init(timeout: TimeInterval = 5, maxBodyBytes: Int = 8 * 1024 * 1024) async throws {
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
    public func poller(
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

    public func loggedEvents() throws -> [Event] {
        guard FileManager.default.fileExists(atPath: self.logURL.path) else { return [] }
        return try DeletionLog.readEvents(at: self.logURL)
    }

    public func feedAccount(path: String, name: String = "Test feed") -> Account {
        let url = self.server.baseURL.appendingPathComponent(String(path.dropFirst()))
        let source = AccountSource.feed(url: url)
        return Account(key: Account.key(for: source), name: name, source: source, interval: 600)
    }

    public func mastodonAccount(acct: String = "mastodonpy_test") -> Account {
        let source = AccountSource.mastodon(instance: self.server.baseURL, acct: acct)
        return Account(key: Account.key(for: source), name: "Mastodon test", source: source, interval: 600)
    }

    public func close() async {
        self.client.shutdown()
        await self.server.stop()
        try? FileManager.default.removeItem(at: self.root)
    }

    /// Runs `body` with a new harness and closes it after (server stopped, client shut down,
    /// folder removed), awaited, whether `body` returns or throws.
    /// - Throws: when the server or client cannot start, or what `body` throws.
    public static func with<T>(
        timeout: TimeInterval = 5, _ body: (IntegrationHarness) async throws -> T
    ) async throws -> T {
        let harness = try await IntegrationHarness(timeout: timeout)
        do {
            let value = try await body(harness)
            await harness.close()
            return value
        } catch {
            await harness.close()
            throw error
        }
    }

    public static var fixtures: URL { TestFixtures.real }

    public static func fixture(_ path: String) throws -> Data {
        try TestFixtures.real(path)
    }

    public static let rss: HTTPHeaders = [("Content-Type", "application/rss+xml; charset=utf-8")]
    public static let json: HTTPHeaders = [("Content-Type", "application/json; charset=utf-8")]

    /// A 200 answer whose body is a recorded fixture under `Tests/Fixtures/real`.
    /// - Parameters:
    ///   - path: the fixture (`feeds/…`, `mastodon/…`).
    ///   - headers: the answer's header fields (RSS by default).
    /// - Throws: when the fixture cannot be read.
    public static func answer(fixture path: String, headers: HTTPHeaders = rss) throws -> ReplayResponse {
        ReplayResponse(status: 200, headers: headers, body: try Self.fixture(path))
    }

    /// The lookup of the recorded Mastodon account of ``mastodonAccount(acct:)``.
    public static let mastodonLookupPath = "/api/v1/accounts/lookup?acct=mastodonpy_test"
    /// The first timeline page of the recorded Mastodon account.
    public static let mastodonTimelinePath = "/api/v1/accounts/\(DemoScenario.mastodonAccountID)/statuses?limit=40"
    /// The pinned posts of the recorded Mastodon account.
    public static let mastodonPinnedPath = "/api/v1/accounts/\(DemoScenario.mastodonAccountID)/statuses?pinned=true"

    /// Scripts the recorded Mastodon account of ``mastodonAccount(acct:)``: its lookup, and its
    /// first timeline page and pinned posts as recorded (`Tests/Fixtures/real/mastodon/`) unless
    /// other answers are given.
    /// - Throws: when a fixture cannot be read.
    public func scriptMastodon(timeline: ReplayResponse? = nil, pinned: ReplayResponse? = nil) throws {
        self.server.script(
            Self.mastodonLookupPath, [try Self.answer(fixture: "mastodon/account_lookup.json", headers: Self.json)])
        self.server.script(
            Self.mastodonTimelinePath,
            [try timeline ?? Self.answer(fixture: "mastodon/account_statuses_page1.json", headers: Self.json)])
        self.server.script(
            Self.mastodonPinnedPath,
            [try pinned ?? Self.answer(fixture: "mastodon/account_statuses_pinned.json", headers: Self.json)])
    }

    /// 2026-08-01T14:00:00Z plus `minutes`.
    public static func time(_ minutes: Int) -> Date {
        Date(timeIntervalSince1970: 1_785_592_800 + TimeInterval(minutes * 60))
    }
}
