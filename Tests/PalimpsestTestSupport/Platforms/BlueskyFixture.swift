public import Foundation

@testable public import PalimpsestCore

/// Loads the recorded Bluesky answers in `Tests/Fixtures/real/bluesky/` (bodies only: see
/// `Tests/Fixtures/real/PROVENANCE.md`) and builds the error answers FORMATS.md §2 documents.
public enum BlueskyFixture {
    /// `Tests/Fixtures/real/bluesky/`.
    public static let directory = TestFixtures.root.appendingPathComponent("real/bluesky", isDirectory: true)

    /// The default AppView.
    public static let base = URL(string: "https://public.api.bsky.app")!

    /// @dril's DID (`getProfile_dril.json`, `getAuthorFeed_dril_page.json`).
    public static let drilDID = "did:plc:6wpkkitfdkgthatfvspcfmjo"

    /// The at-URI of one of @dril's posts, by record key.
    public static func drilPost(_ recordKey: String) -> String {
        "at://\(self.drilDID)/app.bsky.feed.post/\(recordKey)"
    }

    /// @dril as a configured account.
    public static func account(
        actor: String = "dril.bsky.social", base: URL = base, pages: Int = 1, filter: String = "posts_with_replies"
    ) -> Account {
        let source = AccountSource.bluesky(actor: actor, baseURL: base, pages: pages, filter: filter)
        return Account(key: Account.key(for: source), name: "wint", source: source)
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) { self.description = description }
    }

    /// The bytes of `<name>.json`.
    public static func body(_ name: String) throws -> Data {
        try Data(contentsOf: self.directory.appendingPathComponent("\(name).json"))
    }

    /// `<name>.json` parsed as a JSON object.
    public static func object(_ name: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: self.body(name)) as? [String: Any] else {
            throw Failure(description: "\(name).json is not a JSON object")
        }
        return object
    }

    /// `<name>.json` parsed, changed by `change`, serialized again.
    public static func modified(_ name: String, _ change: (inout [String: Any]) throws -> Void) throws -> Data {
        var object = try self.object(name)
        try change(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    /// The feed items of a `getAuthorFeed_*.json` page, as JSON objects.
    public static func items(ofPage name: String) throws -> [[String: Any]] {
        guard let feed = try self.object(name)["feed"] as? [[String: Any]] else {
            throw Failure(description: "\(name).json has no feed array")
        }
        return feed
    }

    /// A `getAuthorFeed` answer body made of `items` (real items from a fixture) and `cursor`.
    public static func page(_ items: [[String: Any]], cursor: String?) throws -> Data {
        var object: [String: Any] = ["feed": items]
        if let cursor { object["cursor"] = cursor }
        return try JSONSerialization.data(withJSONObject: object)
    }

    /// A `getPosts` answer body listing the post views of `items`.
    public static func getPostsAnswer(_ items: [[String: Any]]) throws -> Data {
        try JSONSerialization.data(withJSONObject: ["posts": items.compactMap { $0["post"] }])
    }

    /// An answer with `body`, as if received for `url`.
    public static func response(
        status: Int = 200, body: Data, headers: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8"],
        url: String =
            "https://public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed?actor=did:plc:6wpkkitfdkgthatfvspcfmjo"
    ) -> HTTPResponse {
        HTTPResponse(url: URL(string: url)!, status: status, headers: headers, body: body)
    }

    /// An answer with a text body.
    public static func response(
        status: Int, text: String, headers: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8"]
    ) -> HTTPResponse {
        self.response(status: status, body: Data(text.utf8), headers: headers)
    }

    /// The posts of a `getAuthorFeed_*.json` page, in order (no pin from a profile).
    public static func posts(ofPage name: String) throws -> [Post] {
        try JSONDecoder().decode(BlueskyFeedPage.self, from: self.body(name)).feed.map { $0.post(pinnedURI: nil) }
    }

    /// The post of a one-item `feedViewPost_*.json` file, or of `data` when given.
    public static func post(item name: String, data: Data? = nil, pinnedURI: String? = nil) throws -> Post {
        try JSONDecoder().decode(BlueskyFeedItem.self, from: data ?? self.body(name)).post(pinnedURI: pinnedURI)
    }

    /// RFC 3339 (UTC, milliseconds) of a date, for comparing with the fixtures' strings.
    public static func utc(_ date: Date?) -> String? {
        date.map(RFC3339.string(from:))
    }

    /// Error bodies built from the shapes FORMATS.md §2 documents (taken there from the AppView
    /// source: `actor/getProfile.ts`, `feed/getAuthorFeed.ts`, `xrpc-server/src/errors.ts`).
    /// DOCUMENTED SHAPES, NOT RECORDINGS: no captured Bluesky error body exists.
    public enum DocumentedShape {
        public static let accountTakedown = #"{"error":"AccountTakedown","message":"Account has been suspended"}"#
        public static let accountDeactivated = #"{"error":"AccountDeactivated","message":"Account is deactivated"}"#
        public static let profileNotFound = #"{"error":"InvalidRequest","message":"Profile not found"}"#
        public static let rateLimitExceeded = #"{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}"#
        public static let blockedActor =
            #"{"error":"BlockedActor","message":"Requester has blocked actor: did:plc:6wpkkitfdkgthatfvspcfmjo"}"#
        public static let blockedByActor =
            #"{"error":"BlockedByActor","message":"Requester is blocked by actor: did:plc:6wpkkitfdkgthatfvspcfmjo"}"#
        public static let postNotFound =
            #"{"error":"NotFound","message":"Post not found: at://did:plc:6wpkkitfdkgthatfvspcfmjo/app.bsky.feed.post/3liphfrnb7c2n"}"#
    }
}
