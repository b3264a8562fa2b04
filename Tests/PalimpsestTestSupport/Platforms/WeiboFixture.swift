public import Foundation

@testable public import PalimpsestCore

/// Loads the recorded Weibo answers in `Tests/Fixtures/real/weibo/` (see
/// `Tests/Fixtures/real/PROVENANCE.md`: nonebot-bison test data and one Flare error page).
public enum WeiboFixture {
    /// `Tests/Fixtures/real/weibo/`.
    public static let directory = TestFixtures.root.appendingPathComponent("real/weibo", isDirectory: true)

    /// The uid of @明日方舟Arknights (`cardlistInfo.containerid` 1076036279793937 in snapshot0).
    public static let uid = "6279793937"

    public static let base = URL(string: "https://m.weibo.cn")!

    /// The recorded account, one page per poll.
    public static func account(pages: Int = 1, base: URL = WeiboFixture.base, cookieFile: URL? = nil) -> Account {
        let source = AccountSource.weibo(uid: uid, baseURL: base, pages: pages, cookieFile: cookieFile)
        return Account(key: Account.key(for: source), name: "明日方舟Arknights", source: source)
    }

    /// The bytes of `name` (with its extension).
    public static func body(_ name: String) throws -> Data {
        try Data(contentsOf: self.directory.appendingPathComponent(name))
    }

    /// An answer to a request for `url` with the given status, body and content type.
    public static func response(
        _ url: String, status: Int = 200, body: Data, contentType: String = "application/json; charset=utf-8",
        effectiveURL: String? = nil, headers: [(String, String)] = []
    ) -> HTTPResponse {
        HTTPResponse(
            url: URL(string: url)!, effectiveURL: effectiveURL.map { URL(string: $0)! }, status: status,
            headers: HTTPHeaders([("Content-Type", contentType)] + headers), body: body)
    }

    /// The recorded file `name` as the answer to a request for `url`.
    public static func response(_ url: String, file name: String, status: Int = 200) throws -> HTTPResponse {
        let type = name.hasSuffix(".html") ? "text/html; charset=utf-8" : "application/json; charset=utf-8"
        return self.response(url, status: status, body: try self.body(name), contentType: type)
    }

    public static let timelineURL =
        "https://m.weibo.cn/api/container/getIndex?type=uid&value=6279793937&containerid=1076036279793937"

    /// A UTC instant from an RFC 3339 text.
    public static func utc(_ text: String) -> Date {
        RFC3339.date(from: text)!
    }

    /// A timeline answer built from a recorded one: `edit` may change the JSON of its cards.
    public static func editedTimeline(_ name: String, _ edit: (inout [[String: Any]]) -> Void) throws -> Data {
        var root = try JSONSerialization.jsonObject(with: try self.body(name)) as! [String: Any]
        var data = root["data"] as! [String: Any]
        var cards = data["cards"] as! [[String: Any]]
        edit(&cards)
        data["cards"] = cards
        root["data"] = data
        return try JSONSerialization.data(withJSONObject: root)
    }

    /// Removes the card of post `id`.
    public static func removing(_ id: String) -> (inout [[String: Any]]) -> Void {
        { cards in cards.removeAll { (($0["mblog"] as? [String: Any])?["id"] as? String) == id } }
    }
}
