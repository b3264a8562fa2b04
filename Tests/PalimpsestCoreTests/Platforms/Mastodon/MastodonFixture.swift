import Foundation

@testable import PalimpsestCore

/// Loads the recorded Mastodon answers in `Tests/Fixtures/real/mastodon/`: a body `<name>.json`
/// and, for recorded HTTP exchanges, `<name>.meta.json` with the request, the status and the
/// headers (see `Tests/Fixtures/real/PROVENANCE.md`).
enum MastodonFixture {
    /// `Tests/Fixtures/real/mastodon/`, found from this file's path.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Mastodon
        .deletingLastPathComponent()  // Platforms
        .deletingLastPathComponent()  // PalimpsestCoreTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures/real/mastodon", isDirectory: true)

    /// The instance the fixtures were recorded against (a Mastodon dev server).
    static let instance = URL(string: "http://localhost:3000")!

    /// The recorded account (`account_lookup.json`).
    static let account = Account(
        key: Account.key(for: .mastodon(instance: instance, acct: "mastodonpy_test")),
        name: "Mastodon.py test account",
        source: .mastodon(instance: instance, acct: "@mastodonpy_test")
    )

    /// The recorded account's ID.
    static let accountID = "117020565966271181"

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private struct Meta: Decodable {
        struct Request: Decodable {
            var method: String
            var uri: String
        }
        struct Status: Decodable {
            var code: Int
        }
        var request: Request
        var status: Status
        var headers: [String: [String]]
    }

    /// The bytes of `<name>.json`.
    /// - Throws: when the file is missing.
    static func body(named name: String) throws -> Data {
        try Data(contentsOf: self.directory.appendingPathComponent("\(name).json"))
    }

    /// The recorded exchange `<name>` as an ``HTTPResponse``: its real status, headers (sorted by
    /// name) and request URL, with `body` instead of the recorded body when given.
    /// - Throws: when `<name>.meta.json` is missing or malformed.
    static func response(named name: String, body: Data? = nil) throws -> HTTPResponse {
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
    static func response(
        status: Int,
        body: String,
        headers: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8"],
        url: String = "http://localhost:3000/api/v1/accounts/117020565966271181/statuses?limit=40"
    ) -> HTTPResponse {
        HTTPResponse(url: URL(string: url)!, status: status, headers: headers, body: Data(body.utf8))
    }

    /// The body of `<name>.json` parsed as a JSON object, changed by `change`, serialized again.
    /// - Throws: when the file is not a JSON object.
    static func modifiedObject(named name: String, _ change: (inout [String: Any]) -> Void) throws -> Data {
        guard var object = try JSONSerialization.jsonObject(with: self.body(named: name)) as? [String: Any] else {
            throw Failure(description: "\(name).json is not a JSON object")
        }
        change(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    /// The statuses of `<name>.json` (an array, or one status) as posts, none pinned.
    /// - Throws: when the body is not a status or an array of statuses.
    static func posts(named name: String) throws -> [Post] {
        try self.statuses(named: name).map { $0.post(isPinned: false) }
    }

    /// The statuses of `<name>.json` (an array, or one status).
    static func statuses(named name: String) throws -> [MastodonStatus] {
        let data = try self.body(named: name)
        if let list = try? JSONDecoder().decode([MastodonStatus].self, from: data) { return list }
        return [try JSONDecoder().decode(MastodonStatus.self, from: data)]
    }

    /// The one post of a single-status file.
    static func post(named name: String) throws -> Post {
        let posts = try self.posts(named: name)
        guard posts.count == 1, let post = posts.first else {
            throw Failure(description: "\(name).json holds \(posts.count) statuses, expected 1")
        }
        return post
    }

    /// An exact UTC instant from seconds since 1970 (values computed by hand from the fixtures'
    /// RFC 3339 strings).
    static func utc(_ secondsSince1970: Double) -> Date {
        Date(timeIntervalSince1970: secondsSince1970)
    }
}
