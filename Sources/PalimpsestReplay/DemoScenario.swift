public import Foundation
import PalimpsestCore

/// The scripted replay behind `palimpsest demo` (and its integration test): three accounts served
/// from a loopback server with RECORDED REAL platform responses (Tests/Fixtures/real/, see
/// PROVENANCE.md there), over five polls ten minutes apart.
///
/// - `feed`: the RSSHub feed of @ArknightsStaff. Poll 1 serves `snapshot0.xml` (7 items); polls 2,
///   3 and 5 serve `snapshot1.xml` (a new item on top); poll 4 serves `snapshot0.xml` again, as a
///   lagging cache would: the newest item is missing from a STALE answer, which must not be
///   reported as a deletion.
/// - `mastodon`: the Mastodon.py test account `mastodonpy_test`. The timeline is assembled from
///   recorded Status objects: the edit-history status (as created, then as edited) and toots 9–5
///   of `account_statuses_page1.json`; pins from `account_statuses_pinned.json`. Poll 2 serves the
///   edited status (an `altered` event); poll 3 answers HTTP 503 (blind: no post event); poll 4
///   omits "Toot number 9!", whose probe answers the recorded `404 Record not found`
///   (`status_delete_404_record_not_found.json`): a `deleted` event confirmed by probe; poll 5
///   repeats poll 4 (no event is written twice).
/// - `weibo`: @明日方舟Arknights (uid 6279793937) on a stand-in for `m.weibo.cn`. Poll 1 serves
///   `getIndex_107603_arknights_snapshot0.json`, polls 2 and 3 `…snapshot1.json` (one new post);
///   polls 4 and 5 serve snapshot1 without the 端午 post (4648004356937383), whose status page
///   answers the recorded error page `m_weibo_cn_error_page_no_data.html`: a `deleted` event,
///   reason `removed` (the page does not say who removed it). The two long posts recorded in
///   `statuses_extend_*.json` are completed; the other long posts' expansions answer 404 and stay
///   truncated (never an edit).
public struct DemoScenario: Sendable {
    /// The folder holding the recorded fixtures (`Tests/Fixtures/real`).
    public let fixtures: URL
    /// Time of the first poll (UTC); later polls are 10 minutes apart.
    public let start: Date
    /// Number of polls in the scenario.
    public static let pollCount = 5

    /// The Mastodon account id in `account_lookup.json`.
    public static let mastodonAccountID = "117020565966271181"
    /// The id of "Toot number 9!" (deleted at poll 4).
    public static let deletedStatusID = "117020580518794573"
    /// The id of the status edited at poll 2.
    public static let editedStatusID = "117020586180926938"
    /// The path the feed is served at.
    public static let feedPath = "/rsshub/twitter/user/ArknightsStaff"
    /// The Weibo account's uid (@明日方舟Arknights, `getIndex_uid_profile_arknights.json`).
    public static let weiboUID = "6279793937"
    /// The Weibo post removed at poll 4 ("#明日方舟# “博士！端午节安康！要来试试一起包粽子吗？”").
    public static let weiboDeletedPostID = "4648004356937383"
    /// The Weibo post that appears at poll 2.
    public static let weiboNewPostID = "4649106427873349"
    /// The Weibo timeline request (the account's `107603<uid>` container).
    public static let weiboTimelinePath =
        "/api/container/getIndex?type=uid&value=\(weiboUID)&containerid=107603\(weiboUID)"
    /// The long posts whose `statuses/extend` answers were recorded.
    static let weiboRecordedLongPosts = ["4645748019299849", "4649031014551911"]

    public init(fixtures: URL, start: Date = Date(timeIntervalSince1970: 1_785_592_800)) {  // 2026-08-01T14:00:00Z
        self.fixtures = fixtures
        self.start = start
    }

    /// The time of poll `step` (1-based).
    public func time(ofPoll step: Int) -> Date {
        self.start.addingTimeInterval(TimeInterval((step - 1) * 600))
    }

    /// The config text for the scenario's three accounts, served by `server`.
    /// - Parameters:
    ///   - server: The replay server's base URL.
    ///   - stateDirectory: `state_dir` as written; relative paths resolve against the config
    ///     file's folder, so the default keeps the demo's files beside its config.
    ///   - deletionLog: `deletion_log` as written, relative like `stateDirectory`.
    public func configText(server: URL, stateDirectory: String = "state", deletionLog: String = "deletions.jsonl")
        -> String
    {
        """
        # Written by `palimpsest demo`: three accounts replayed from recorded real responses on \(server.absoluteString)
        # Relative paths resolve against this file's folder: a copy of the folder is a demo of its own.
        [daemon]
        state_dir = "\(stateDirectory)"
        deletion_log = "\(deletionLog)"
        interval = "10m"
        confirm_polls = 2
        confirm_min_age = "20m"
        timeout = "5s"

        [[account]]
        platform = "feed"
        name = "Arknights staff (RSSHub)"
        url = "\(server.absoluteString)\(Self.feedPath)"

        [[account]]
        platform = "mastodon"
        name = "Mastodon.py test account"
        instance = "\(server.absoluteString)"
        acct = "mastodonpy_test"

        [[account]]
        platform = "weibo"
        name = "明日方舟Arknights (Weibo)"
        uid = "\(Self.weiboUID)"
        base_url = "\(server.absoluteString)"

        """
    }

    /// Scripts `server` for poll `step` (1-based).
    /// - Throws: when a fixture file is missing or unreadable (the message names it).
    public func script(_ server: ReplayServer, forPoll step: Int) throws {
        let feed =
            step == 1 || step == 4
            ? "rsshub_twitter_ArknightsStaff_snapshot0.xml" : "rsshub_twitter_ArknightsStaff_snapshot1.xml"
        server.script(
            Self.feedPath,
            [
                ReplayResponse(
                    status: 200, headers: [("Content-Type", "application/rss+xml; charset=utf-8")],
                    body: try self.file("feeds/\(feed)"))
            ])

        server.script(
            "/api/v1/accounts/lookup?acct=mastodonpy_test",
            [
                ReplayResponse(
                    status: 200, headers: [("Content-Type", "application/json; charset=utf-8")],
                    body: try self.file("mastodon/account_lookup.json"))
            ])
        let statusesPath = "/api/v1/accounts/\(Self.mastodonAccountID)/statuses?limit=40"
        if step == 3 {
            server.script(
                statusesPath,
                [
                    ReplayResponse(
                        status: 503, headers: [("Content-Type", "text/html")],
                        body: Data("<html><body><h1>503 Service Unavailable</h1></body></html>".utf8))
                ])
        } else {
            server.script(
                statusesPath,
                [
                    ReplayResponse(
                        status: 200, headers: [("Content-Type", "application/json; charset=utf-8")],
                        body: try self.mastodonTimeline(step: step))
                ])
        }
        server.script(
            "/api/v1/accounts/\(Self.mastodonAccountID)/statuses?pinned=true",
            [
                ReplayResponse(
                    status: 200, headers: [("Content-Type", "application/json; charset=utf-8")],
                    body: try self.file("mastodon/account_statuses_pinned.json"))
            ])
        server.script(
            "/api/v1/statuses/\(Self.deletedStatusID)",
            [
                step >= 4
                    ? ReplayResponse(
                        status: 404, headers: [("Content-Type", "application/json; charset=utf-8")],
                        body: try self.file("mastodon/status_delete_404_record_not_found.json"))
                    : ReplayResponse(
                        status: 200, headers: [("Content-Type", "application/json; charset=utf-8")],
                        body: try self.statusObject(id: Self.deletedStatusID))
            ])
        try self.scriptWeibo(server, forPoll: step)
    }

    /// The Weibo account's answers for poll `step`.
    private func scriptWeibo(_ server: ReplayServer, forPoll step: Int) throws {
        let json: HTTPHeaders = [("Content-Type", "application/json; charset=utf-8")]
        let timeline: Data
        switch step {
        case 1: timeline = try self.file("weibo/getIndex_107603_arknights_snapshot0.json")
        case 2, 3: timeline = try self.file("weibo/getIndex_107603_arknights_snapshot1.json")
        default: timeline = try self.weiboTimeline(without: Self.weiboDeletedPostID)
        }
        server.script(Self.weiboTimelinePath, [ReplayResponse(status: 200, headers: json, body: timeline)])
        for id in Self.weiboRecordedLongPosts {
            server.script(
                "/statuses/extend?id=\(id)",
                [ReplayResponse(status: 200, headers: json, body: try self.file("weibo/statuses_extend_\(id).json"))])
        }
        // Probed only once the post is missing; unscripted before (an unscripted path answers 404).
        server.script(
            "/status/\(Self.weiboDeletedPostID)",
            step >= 4
                ? [
                    ReplayResponse(
                        status: 200, headers: [("Content-Type", "text/html; charset=utf-8")],
                        body: try self.file("weibo/m_weibo_cn_error_page_no_data.html"))
                ]
                : [])
    }

    /// snapshot1 without the card of post `id`.
    private func weiboTimeline(without id: String) throws -> Data {
        let recorded = try self.file("weibo/getIndex_107603_arknights_snapshot1.json")
        guard var root = try JSONSerialization.jsonObject(with: recorded) as? [String: Any],
            var data = root["data"] as? [String: Any], var cards = data["cards"] as? [[String: Any]]
        else {
            throw DemoScenarioError(message: "getIndex_107603_arknights_snapshot1.json has no data.cards list")
        }
        let count = cards.count
        cards.removeAll { (($0["mblog"] as? [String: Any])?["id"] as? String) == id }
        guard cards.count == count - 1 else {
            throw DemoScenarioError(message: "post \(id) is not in getIndex_107603_arknights_snapshot1.json")
        }
        data["cards"] = cards
        root["data"] = data
        return try JSONSerialization.data(withJSONObject: root)
    }

    // MARK: - Fixtures

    func file(_ relativePath: String) throws -> Data {
        let url = self.fixtures.appendingPathComponent(relativePath)
        do {
            return try Data(contentsOf: url)
        } catch {
            throw DemoScenarioError(
                message:
                    "cannot read the recorded fixture \(url.path): \(error.localizedDescription). Run from the repository root or pass --fixtures."
            )
        }
    }

    /// The recorded Status objects of toots 9…5, in timeline order.
    private func pageOneStatuses() throws -> [Any] {
        let page = try JSONSerialization.jsonObject(with: try self.file("mastodon/account_statuses_page1.json"))
        guard let statuses = page as? [Any] else {
            throw DemoScenarioError(message: "account_statuses_page1.json is not a JSON array")
        }
        return statuses
    }

    private func statusObject(id: String) throws -> Data {
        let match = try self.pageOneStatuses().first { (($0 as? [String: Any])?["id"] as? String) == id }
        guard let match else { throw DemoScenarioError(message: "status \(id) is not in account_statuses_page1.json") }
        return try JSONSerialization.data(withJSONObject: match)
    }

    private func mastodonTimeline(step: Int) throws -> Data {
        let editFile = step == 1 ? "mastodon/status_edit_0_created.json" : "mastodon/status_edit_2_get_after_edit.json"
        let edited = try JSONSerialization.jsonObject(with: try self.file(editFile))
        var toots = try self.pageOneStatuses()
        if step >= 4 {
            toots.removeAll { (($0 as? [String: Any])?["id"] as? String) == Self.deletedStatusID }
        }
        return try JSONSerialization.data(withJSONObject: [edited] + toots)
    }
}

/// A demo fixture that could not be read.
public struct DemoScenarioError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { self.message }
}
