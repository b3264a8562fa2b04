public import Foundation

@testable public import PalimpsestCore

/// Loads the recorded Mastodon answers in `Tests/Fixtures/real/mastodon/`: a body `<name>.json`
/// and, for recorded HTTP exchanges, `<name>.meta.json` with the request, the status and the
/// headers (see `Tests/Fixtures/real/PROVENANCE.md`).
public enum MastodonFixture {
    /// `Tests/Fixtures/real/mastodon/`.
    public static let directory = TestFixtures.root.appendingPathComponent("real/mastodon", isDirectory: true)

    /// The instance the fixtures were recorded against (a Mastodon dev server).
    public static let instance = URL(string: "http://localhost:3000")!

    /// The recorded account (`account_lookup.json`).
    public static let account = Account(
        key: Account.key(for: .mastodon(instance: instance, acct: "mastodonpy_test")),
        name: "Mastodon.py test account",
        source: .mastodon(instance: instance, acct: "@mastodonpy_test")
    )

    /// The recorded account's ID.
    public static let accountID = "117020565966271181"

    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) { self.description = description }
    }

    private struct Meta: Decodable {
        public struct Request: Decodable {
            var method: String
            var uri: String
        }
        public struct Status: Decodable {
            var code: Int
        }
        public var request: Request
        public var status: Status
        public var headers: [String: [String]]
    }

    /// The bytes of `<name>.json`.
    /// - Throws: when the file is missing.
    public static func body(named name: String) throws -> Data {
        try Data(contentsOf: self.directory.appendingPathComponent("\(name).json"))
    }

    /// The recorded exchange `<name>` as an ``HTTPResponse``: its real status, headers (sorted by
    /// name) and request URL, with `body` instead of the recorded body when given.
    /// - Throws: when `<name>.meta.json` is missing or malformed.
    public static func response(named name: String, body: Data? = nil) throws -> HTTPResponse {
        let metaData = try Data(contentsOf: self.directory.appendingPathComponent("\(name).meta.json"))
        let meta = try JSONDecoder().decode(Meta.self, from: metaData)
        guard let url = URL(string: meta.request.uri) else {
            throw Failure(description: "\(name).meta.json: bad request uri \(meta.request.uri)")
        }
        var fields: [(String, String)] = []
        for (name, values) in meta.headers.sorted(by: { $0.key < $1.key }) {
            fields += values.map { (name, $0) }
        }
        return HTTPResponse(
            url: url,
            status: meta.status.code,
            headers: HTTPHeaders(fields),
            body: try body ?? self.body(named: name)
        )
    }

    /// A synthetic answer (for statuses the fixtures do not hold: 503, 429, HTML pages).
    public static func response(
        status: Int,
        body: String,
        headers: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8"],
        url: String = "http://localhost:3000/api/v1/accounts/117020565966271181/statuses?limit=40"
    ) -> HTTPResponse {
        HTTPResponse(url: URL(string: url)!, status: status, headers: headers, body: Data(body.utf8))
    }

    /// The body of `<name>.json` parsed as a JSON object, changed by `change`, serialized again.
    /// - Throws: when the file is not a JSON object.
    public static func modifiedObject(named name: String, _ change: (inout [String: Any]) -> Void) throws -> Data {
        guard var object = try JSONSerialization.jsonObject(with: self.body(named: name)) as? [String: Any] else {
            throw Failure(description: "\(name).json is not a JSON object")
        }
        change(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    /// The statuses of `<name>.json` (an array, or one status) as posts, none pinned.
    /// - Throws: when the body is not a status or an array of statuses.
    public static func posts(named name: String) throws -> [Post] {
        try self.statuses(named: name).map { $0.post(isPinned: false) }
    }

    /// The statuses of `<name>.json` (an array, or one status).
    static func statuses(named name: String) throws -> [MastodonStatus] {
        let data = try self.body(named: name)
        if let list = try? JSONDecoder().decode([MastodonStatus].self, from: data) { return list }
        return [try JSONDecoder().decode(MastodonStatus.self, from: data)]
    }

    /// The one post of a single-status file.
    public static func post(named name: String) throws -> Post {
        let posts = try self.posts(named: name)
        guard posts.count == 1, let post = posts.first else {
            throw Failure(description: "\(name).json holds \(posts.count) statuses, expected 1")
        }
        return post
    }

    /// An exact UTC instant from seconds since 1970 (values computed by hand from the fixtures'
    /// RFC 3339 strings).
    public static func utc(_ secondsSince1970: Double) -> Date {
        Date(timeIntervalSince1970: secondsSince1970)
    }
}
