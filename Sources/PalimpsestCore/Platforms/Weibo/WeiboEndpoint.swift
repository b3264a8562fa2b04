import Foundation

/// The `m.weibo.cn` URLs the adapter requests, built under a base URL that may carry a path
/// prefix (a mirror, or a test server at `http://127.0.0.1:8080/weibo`).
///
/// Source: FORMATS.md §3 "Endpoints"; fixtures `getIndex_uid_profile_arknights.json` (profile,
/// whose `tabsInfo` names the `107603<uid>` weibo tab), `getIndex_107603_*.json` (timeline),
/// `statuses_extend_*.json` (long text), `m_weibo_cn_error_page_no_data.html` (status page).
enum WeiboEndpoint {
    /// The prefix of an account's timeline container: `107603<uid>` is the "weibo" tab.
    static let timelineContainerPrefix = "107603"

    /// `<base>/api/container/getIndex?type=uid&value=<uid>&containerid=107603<uid>`, then
    /// `&since_id=<n>` or `&page=<n>` for a later page.
    static func timeline(base: URL, uid: String, since: WeiboPageCursor? = nil) -> URL? {
        var query = [("type", "uid"), ("value", uid), ("containerid", self.timelineContainerPrefix + uid)]
        switch since {
        case .sinceID(let id): query.append(("since_id", id))
        case .page(let page): query.append(("page", String(page)))
        case nil: break
        }
        return self.url(base: base, path: ["api", "container", "getIndex"], query: query)
    }

    /// `<base>/api/container/getIndex?type=uid&value=<uid>`: the profile (`userInfo`, `tabsInfo`).
    static func profile(base: URL, uid: String) -> URL? {
        self.url(base: base, path: ["api", "container", "getIndex"], query: [("type", "uid"), ("value", uid)])
    }

    /// `<base>/statuses/extend?id=<id>`: a long post's full text (`data.longTextContent`).
    static func extend(base: URL, postID: String) -> URL? {
        guard self.isPlausibleID(postID) else { return nil }
        return self.url(base: base, path: ["statuses", "extend"], query: [("id", postID)])
    }

    /// `<base>/status/<id>`: the post's own page (its permalink form on `m.weibo.cn`).
    static func status(base: URL, postID: String) -> URL? {
        guard self.isPlausibleID(postID) else { return nil }
        return self.url(base: base, path: ["status", postID], query: [])
    }

    /// True when `id` is a Weibo post ID: 1 to 20 ASCII digits. A hostile answer cannot steer a
    /// request elsewhere (`..`, `/`, `?`).
    static func isPlausibleID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 20
            && id.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// RFC 3986 unreserved characters: everything else is percent-encoded.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Appends `path` to the base URL's own path and sets the query (values are digits and ASCII
    /// words, encoded all the same); the base URL's own query and fragment are dropped.
    private static func url(base: URL, path: [String], query: [(String, String)]) -> URL? {
        guard var components = URLComponents(url: base, resolvingAgainstBaseURL: false),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else { return nil }
        var prefix = components.percentEncodedPath
        while prefix.hasSuffix("/") { prefix.removeLast() }
        func encode(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: self.unreserved) ?? ""
        }
        components.percentEncodedPath = prefix + "/" + path.map(encode).joined(separator: "/")
        components.percentEncodedQuery =
            query.isEmpty ? nil : query.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        components.fragment = nil
        return components.url
    }
}

/// Where the next timeline page starts: `cardlistInfo.since_id` (current answers) or
/// `cardlistInfo.page` (an older variant). Source: FORMATS.md §3 "Pagination"; fixtures
/// snapshot0 (`since_id`) and `getIndex_107603_public_figure_page2.json` (`page: 2`).
enum WeiboPageCursor: Sendable, Hashable {
    case sinceID(String)
    case page(Int)
}
