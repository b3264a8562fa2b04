import Foundation

/// The REST API v1 URLs the adapter requests, built under an instance base URL that may carry a
/// path prefix (a mirror or a test server at `http://127.0.0.1:8080/mastodon`).
///
/// Source: docs `methods/accounts.md` (`lookup`, `:id/statuses`, `pinned`), `methods/statuses.md`.
enum MastodonEndpoint {
    /// `GET <instance>/api/v1/accounts/lookup?acct=<acct>`, a leading `@` removed from `acct`.
    static func lookup(instance: URL, acct: String) -> URL? {
        let bare = acct.hasPrefix("@") ? String(acct.dropFirst()) : acct
        return self.url(instance: instance, path: ["api", "v1", "accounts", "lookup"], query: [("acct", bare)])
    }

    /// `GET <instance>/api/v1/accounts/<id>/statuses?limit=<limit>`: the newest statuses, boosts
    /// and replies included.
    static func statuses(instance: URL, accountID: String, limit: Int) -> URL? {
        self.url(
            instance: instance,
            path: ["api", "v1", "accounts", accountID, "statuses"],
            query: [("limit", String(limit))]
        )
    }

    /// `GET <instance>/api/v1/accounts/<id>/statuses?pinned=true`: the pinned statuses.
    static func pinnedStatuses(instance: URL, accountID: String) -> URL? {
        self.url(
            instance: instance,
            path: ["api", "v1", "accounts", accountID, "statuses"],
            query: [("pinned", "true")]
        )
    }

    /// `GET <instance>/api/v1/statuses/<id>`: one status.
    static func status(instance: URL, statusID: String) -> URL? {
        self.url(instance: instance, path: ["api", "v1", "statuses", statusID], query: [])
    }

    /// True when `id` is safe and plausible as one path segment: ASCII letters, digits, `_`, `-`
    /// (Mastodon's numeric IDs, Pleroma's flake IDs, GoToSocial's ULIDs), at most 64 characters.
    /// A hostile answer cannot steer a request elsewhere (`..`, `/`, `?`).
    static func isPlausibleID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64
            && id.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    return true
                default:
                    return false
                }
            }
    }

    /// RFC 3986 unreserved characters: everything else is percent-encoded, `@` and `+` included.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: self.unreserved) ?? ""
    }

    /// Appends `path` (each segment percent-encoded) to the instance's own path, and sets the
    /// query; the instance URL's own query and fragment are dropped.
    private static func url(instance: URL, path: [String], query: [(String, String)]) -> URL? {
        guard var components = URLComponents(url: instance, resolvingAgainstBaseURL: false),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else { return nil }
        var base = components.percentEncodedPath
        while base.hasSuffix("/") { base.removeLast() }
        components.percentEncodedPath = base + "/" + path.map(self.encode).joined(separator: "/")
        components.percentEncodedQuery =
            query.isEmpty ? nil : query.map { "\(self.encode($0.0))=\(self.encode($0.1))" }.joined(separator: "&")
        components.fragment = nil
        return components.url
    }
}
