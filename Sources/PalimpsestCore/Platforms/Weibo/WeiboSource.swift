public import Foundation
import TOMLKit

/// The config of a `weibo` account: a numeric uid read through the mobile site's API.
public struct WeiboSource: PlatformSource {
    public static let platform = Platform.weibo
    /// The account's numeric uid.
    public var uid: String
    /// The API host (default `https://m.weibo.cn`).
    public var baseURL: URL
    /// Timeline pages per poll.
    public var pages: Int
    /// A file holding the visitor cookies sent with every request, when set.
    public var cookieFile: URL?

    /// Creates the source.
    public init(uid: String, baseURL: URL, pages: Int, cookieFile: URL?) {
        self.uid = uid
        self.baseURL = baseURL
        self.pages = pages
        self.cookieFile = cookieFile
    }

    public var keyIdentifier: String { self.uid }

    public var summaryRows: [(key: String, value: String)] {
        [("uid", self.uid), ("base_url", self.baseURL.absoluteString), ("pages", String(self.pages))]
            + (self.cookieFile.map { [("cookie_file", $0.path)] } ?? [])
    }

    static var adapter: any PlatformAdapter { WeiboAdapter() }

    static let identityKey = "uid"
    /// The API host unless `base_url` names another (m.weibo.cn, the mobile site).
    static let defaultBaseURL = "https://m.weibo.cn"
    static let keys = ConfigSection(
        title: "weibo account keys",
        keys: [
            ConfigKey(
                "uid", .string, format: "string of digits", required: true, default: "",
                "The account's numeric uid (`https://weibo.com/u/<uid>`)."),
            ConfigKey(
                "base_url", .string, format: "http(s) URL", default: "`\"https://m.weibo.cn\"`",
                "Another host; may carry a port and a path prefix (mirrors, test servers)."),
            ConfigKey(
                "pages", .integer(1...50), default: "`1`",
                "Timeline pages per poll, following `since_id`."),
            ConfigKey(
                "cookie_file", .path(.file), default: "none",
                "A file holding a `Cookie` header value (`SUB=…; SUBP=…`; `#` comments and a leading `Cookie:` allowed). Read at every poll; overrides a `Cookie` in `headers`. Without visitor cookies Weibo may answer with its visitor page: polls and probes are then blind (`gated`) and deletions wait unconfirmed."
            ),
        ])

    static func sources(reading table: TOMLTable, with reader: inout ConfigReader, in scope: ConfigReader.Scope)
        -> [AccountSource]
    {
        let uid = reader.identifier(
            self.keys["uid"], in: table, scope: scope, pattern: .digits,
            what: "the Weibo account's numeric uid, e.g. \"1195230310\"")
        let base = reader.platformBaseURL(self.keys["base_url"], in: table, scope: scope, default: self.defaultBaseURL)
        let pages = reader.integer(self.keys["pages"], in: table, scope: scope) ?? 1
        let cookieFile = reader.path(self.keys["cookie_file"], in: table, scope: scope)
        guard let uid, let base else { return [] }
        return [.weibo(uid: uid, baseURL: base, pages: pages, cookieFile: cookieFile)]
    }
}

extension Platform {
    /// A Sina Weibo account, read through the mobile web API (`m.weibo.cn`).
    public static let weibo = Platform(declaring: "weibo")
}

extension AccountSource {
    /// A Weibo account by numeric `uid`, read from `baseURL` (default `https://m.weibo.cn`),
    /// `pages` timeline pages per poll, with visitor cookies from `cookieFile` when set.
    public static func weibo(uid: String, baseURL: URL, pages: Int, cookieFile: URL?) -> AccountSource {
        AccountSource(WeiboSource(uid: uid, baseURL: baseURL, pages: pages, cookieFile: cookieFile))
    }
}
