public import Foundation

@testable public import PalimpsestCore

/// The digest fixture (`Tests/Fixtures/digest/deletions.jsonl`, described in the README beside it),
/// its accounts and store history, and temporary folders for the Digest tests.
public enum DigestTestSupport {
    public static let reporter = AccountKey(rawValue: "mastodon:@reporter@example.social")
    public static let news = AccountKey(rawValue: "feed:https://news.example.org/feed.xml")
    public static let channel = AccountKey(rawValue: "telegram:examplechannel")

    public static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    public static let utc = TimeZone(identifier: "UTC")!

    /// `Tests/Fixtures/digest`.
    public static var fixtures: URL {
        TestFixtures.root.appendingPathComponent("digest", isDirectory: true)
    }

    /// The fixture log.
    public static var logURL: URL { self.fixtures.appendingPathComponent("deletions.jsonl") }

    /// The fixture log, read and checked.
    public static func log() throws -> DigestLogInput {
        try DigestLoader.readLog(at: self.logURL, label: "deletions.jsonl")
    }

    /// A UTC date from RFC 3339 text.
    public static func date(_ text: String) -> Date {
        RFC3339.date(from: text)!
    }

    /// The configured accounts of the fixture.
    public static var accounts: [Account] {
        [
            Account(
                key: self.reporter,
                name: "Reporter (记者)",
                source: .mastodon(instance: URL(string: "https://example.social")!, acct: "reporter")
            ),
            Account(
                key: self.news,
                name: "Example News",
                source: .feed(url: URL(string: "https://news.example.org/feed.xml")!)
            ),
            Account(
                key: self.channel,
                name: "Example channel",
                source: .telegram(channel: "examplechannel", baseURL: URL(string: "https://t.me")!, pages: 1)
            ),
        ]
    }

    /// What a state folder would add: polls since early November, still polling on 2026-11-30, an
    /// archived photo for post 1002 and the evidence of the deletion of 1002 verified.
    public static var histories: [AccountKey: DigestAccountHistory] {
        let photoPost = Post(
            id: "1002",
            url: "https://example.social/@reporter/1002",
            postedAt: self.date("2026-11-22T15:52:00Z"),
            text: "市政府门前，约两百人。\n视频稍后上传。",
            media: ["https://files.example.social/media/1002/original.jpg"]
        )
        let archived = ArchivedPostVersion(
            v: 1,
            postID: "1002",
            version: photoPost.versionHash,
            firstSeen: self.date("2026-11-22T15:55:00Z"),
            snapshot: "20261122T155500.000Z-00000000",
            post: photoPost
        )
        let older = Post(id: "900", text: "an older post")
        let first = ArchivedPostVersion(
            v: 1,
            postID: "900",
            version: older.versionHash,
            firstSeen: self.date("2026-11-01T00:00:00Z"),
            snapshot: "20261101T000000.000Z-00000000",
            post: older
        )
        let verified = ContentHash.sha256Hex("b4")
        return [
            self.reporter: DigestAccountHistory(
                versions: [first, archived],
                lastPollAt: self.date("2026-11-30T00:00:00Z"),
                evidence: [verified: .verified]
            ),
            self.news: DigestAccountHistory(
                versions: [
                    ArchivedPostVersion(
                        v: 1,
                        postID: "https://news.example.org/a/0",
                        version: older.versionHash,
                        firstSeen: self.date("2026-11-10T00:00:00Z"),
                        snapshot: "s",
                        post: older
                    )
                ],
                lastPollAt: self.date("2026-11-30T00:00:00Z")
            ),
            self.channel: DigestAccountHistory(
                versions: [
                    ArchivedPostVersion(
                        v: 1,
                        postID: "1",
                        version: older.versionHash,
                        firstSeen: self.date("2026-11-02T00:00:00Z"),
                        snapshot: "s",
                        post: older
                    )
                ],
                lastPollAt: self.date("2026-11-29T23:50:00Z")
            ),
        ]
    }

    /// The digest of `week` in `zone` from the fixture log and histories, made at `now` (by default
    /// 2026-12-01, after weeks 47 and 48), reproducible.
    public static func digest(
        _ week: String,
        in zone: TimeZone,
        histories: [AccountKey: DigestAccountHistory]? = nil,
        now: String = "2026-12-01T00:00:00Z"
    ) throws -> Digest {
        let builder = DigestBuilder(
            week: ISOWeek(week)!,
            timeZone: zone,
            accounts: self.accounts,
            now: self.date(now),
            generatedAt: nil
        )
        return builder.build(logs: [try self.log()], histories: histories ?? self.histories)
    }

    /// A config of `count` feeds, "Account 0" (`https://example.org/0.xml`) onwards, whose
    /// `state_dir` (created) and deletion log are in `root`: a digest of many accounts.
    public static func manyFeedsConfig(_ count: Int, in root: URL) throws -> PalimpsestConfig {
        var toml = "[daemon]\nstate_dir = \"state\"\ndeletion_log = \"deletions.jsonl\"\n"
        for number in 0..<count {
            toml += "\n[[account]]\nplatform = \"feed\"\nname = \"Account \(number)\"\n"
            toml += "url = \"https://example.org/\(number).xml\"\n"
        }
        let config = try ConfigLoader.parse(toml, file: root.appendingPathComponent("p.toml"))
        try FileManager.default.createDirectory(at: config.daemon.stateDirectory, withIntermediateDirectories: true)
        return config
    }

    /// Commits for `account` a state polled through the six days before `StoreTestSupport.date(0)`
    /// and a snapshot of the day before holding `post`.
    public static func commitPolledState(of account: AccountKey, post: Post, to store: StateStore) async throws {
        var state = AccountState(account: account)
        state.lastPoll = PollRecord(at: StoreTestSupport.date(0), outcome: "complete", detail: "", posts: 1)
        state.pollSpans = [PollSpan(from: StoreTestSupport.date(-6 * 86_400), to: StoreTestSupport.date(0))]
        try await store.commit(
            StateCommit(
                account: account, before: nil, state: state,
                snapshot: Observation(
                    account: account, polledAt: StoreTestSupport.date(-86_400), posts: [post], evidence: [])))
    }

    /// A new empty folder under the system's temporary folder; the caller removes it.
    public static func makeTemporaryDirectory() throws -> URL {
        try TestFolder.make("digest-tests")
    }
}
