import Foundation

/// The XRPC URLs the adapter requests from an AppView, built under a base URL that may carry a
/// path prefix (a mirror or a test server at `http://127.0.0.1:8080/bsky`), and the public
/// permalinks of posts.
///
/// Sources: FORMATS.md §2; lexicons `app/bsky/actor/getProfile.json`,
/// `app/bsky/feed/getAuthorFeed.json`, `app/bsky/feed/getPosts.json`.
enum BlueskyEndpoint {
    /// `GET <base>/xrpc/app.bsky.actor.getProfile?actor=<handle or DID>`.
    static func profile(base: URL, actor: String) -> URL? {
        self.url(base: base, method: "app.bsky.actor.getProfile", query: [("actor", actor)])
    }

    /// `GET <base>/xrpc/app.bsky.feed.getAuthorFeed?actor=<did>&limit=<n>&filter=<f>&includePins=true`
    /// followed by `&cursor=<c>` for a page after the first.
    static func authorFeed(base: URL, actor: String, limit: Int, filter: String, cursor: String?) -> URL? {
        var query = [("actor", actor), ("limit", String(limit)), ("filter", filter), ("includePins", "true")]
        if let cursor { query.append(("cursor", cursor)) }
        return self.url(base: base, method: "app.bsky.feed.getAuthorFeed", query: query)
    }

    /// `GET <base>/xrpc/app.bsky.feed.getPosts?uris=<uri>&uris=<uri>…` (at most 25 URIs per the lexicon).
    static func posts(base: URL, uris: [String]) -> URL? {
        self.url(base: base, method: "app.bsky.feed.getPosts", query: uris.map { ("uris", $0) })
    }

    /// The bsky.app page of a post: `https://bsky.app/profile/<did>/post/<rkey>` for
    /// `at://<did>/app.bsky.feed.post/<rkey>`; `nil` for any other URI.
    static func permalink(ofPost uri: String) -> String? {
        guard let parts = BlueskyURI(uri), parts.collection == "app.bsky.feed.post" else { return nil }
        return "https://bsky.app/profile/\(parts.authority)/post/\(parts.recordKey)"
    }

    /// Characters sent as they are in a query value: RFC 3986 unreserved characters plus `:`, `/`
    /// and `@`, which a query may hold unencoded (RFC 3986 §3.4), so that DIDs and at-URIs stay
    /// readable in logs. Everything else (`&`, `=`, `+`, `#`, `?`, `%`, spaces) is percent-encoded.
    private static let queryValueCharacters = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/@"
    )

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: self.queryValueCharacters) ?? ""
    }

    /// `<base path>/xrpc/<method>?<query>`; the base URL's own query and fragment are dropped.
    private static func url(base: URL, method: String, query: [(String, String)]) -> URL? {
        guard var components = URLComponents(url: base, resolvingAgainstBaseURL: false),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else { return nil }
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        components.percentEncodedPath = path + "/xrpc/" + method
        components.percentEncodedQuery =
            query.isEmpty ? nil : query.map { "\($0.0)=\(self.encode($0.1))" }.joined(separator: "&")
        components.fragment = nil
        return components.url
    }
}
