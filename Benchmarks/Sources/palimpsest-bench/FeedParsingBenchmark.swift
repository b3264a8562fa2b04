import Foundation
import PalimpsestCore

/// Phase 1: how fast recorded real feeds are read, through ``FeedAdapter/observe(_:for:polledAt:)``
/// as the poller calls it (``FeedParser`` plus the posts and their version hashes).
struct FeedParsingBenchmark {
    /// A recorded feed under the fixtures folder, with the `Content-Type` it was served with.
    struct Fixture {
        /// Path relative to the fixtures folder.
        let path: String
        /// The response's `Content-Type`.
        let contentType: String
    }

    /// The figures for one fixture.
    struct Result {
        /// File name of the fixture.
        let name: String
        /// Body size in bytes.
        let bytes: Int
        /// Posts one read yields.
        let items: Int
        /// Measured reads.
        let runs: Int
        /// Their total time in seconds.
        let seconds: Double
    }

    /// The RSSHub (RSS 2.0) and YouTube (Atom) recordings of `Tests/Fixtures/real/feeds`
    /// (sources in `Tests/Fixtures/real/PROVENANCE.md`).
    static let fixtures = [
        Fixture(
            path: "feeds/rsshub_twitter_ArknightsStaff_snapshot0.xml", contentType: "application/rss+xml; charset=utf-8"
        ),
        Fixture(
            path: "feeds/rsshub_twitter_ArknightsStaff_snapshot1.xml", contentType: "application/rss+xml; charset=utf-8"
        ),
        Fixture(
            path: "feeds/youtube_channel_atom_digitalfoundry.xml", contentType: "application/atom+xml; charset=UTF-8"),
    ]

    /// The folder holding `feeds/`.
    let fixturesFolder: URL
    /// How long to repeat each fixture.
    let repetition: Repetition

    /// Reads every fixture repeatedly.
    /// - Throws: ``BenchmarkError`` when a fixture is missing or does not read as a feed with items.
    func run() throws -> [Result] {
        let adapter = FeedAdapter()
        // Only a base for relative links: nothing is fetched.
        let feedURL = URL(string: "http://127.0.0.1/bench/feed.xml")!
        let account = Account(key: Account.key(for: .feed(url: feedURL)), source: .feed(url: feedURL))
        return try Self.fixtures.map { fixture in
            let file = self.fixturesFolder.appendingPathComponent(fixture.path)
            guard let body = try? Data(contentsOf: file) else {
                throw BenchmarkError(
                    "cannot read the recorded fixture \(file.path); run from the repository root or pass --fixtures")
            }
            let response = HTTPResponse(
                url: feedURL, status: 200, headers: ["Content-Type": fixture.contentType], body: body)
            var items = 0
            var failure: String?
            let (runs, seconds) = self.repetition.measure {
                switch adapter.observe([response], for: account, polledAt: SyntheticTimeline.firstPoll) {
                case .observed(let posts, _): items = posts.count
                case .failed(let poll): failure = poll.description
                case .accountUnavailable(_, let detail): failure = detail
                }
            }
            guard failure == nil, items > 0 else {
                throw BenchmarkError(
                    "\(file.lastPathComponent) did not read as a feed with items: \(failure ?? "no items")")
            }
            return Result(name: file.lastPathComponent, bytes: body.count, items: items, runs: runs, seconds: seconds)
        }
    }
}
