public import Foundation
import TOMLKit

/// The config of a `url` account: one watched page (or one account per page of a `urls` list).
public struct WatchedPageSource: PlatformSource {
    public static let platform = Platform.url
    /// The page's absolute http(s) URL.
    public var url: URL
    /// The account's own tombstone rules (`tombstones` in the config).
    public var tombstones: [TombstoneRule]

    /// Creates the source.
    public init(url: URL, tombstones: [TombstoneRule]) {
        self.url = url
        self.tombstones = tombstones
    }

    public var keyIdentifier: String { Account.canonical(self.url) }

    public var summaryRows: [(key: String, value: String)] {
        [("url", self.url.absoluteString)]
            + (self.tombstones.isEmpty ? [] : [("tombstones", "\(self.tombstones.count) extra rules")])
    }

    static var adapter: any PlatformAdapter { WatchedPageAdapter() }

    static let identityKey = "url"
    static let keys = ConfigSection(
        title: "url account keys",
        keys: [
            ConfigKey(
                "url", .string, format: "http(s) URL", default: "",
                "The page's absolute `http`/`https` URL. A `url` account needs `url` or `urls`."),
            ConfigKey(
                "urls", .strings("http(s) URLs"), default: "",
                "Several pages: one account per URL, each with this table's other keys."),
            ConfigKey(
                "tombstones", .tables("list of tables"), default: "none",
                "Page texts that mean the page is gone, e.g. `[{ contains = \"…\", reason = \"censored\" }]`. A rule can rename a built-in notice's reason but never turns an anti-bot page into a deletion."
            ),
        ])

    static func sources(reading table: TOMLTable, with reader: inout ConfigReader, in scope: ConfigReader.Scope)
        -> [AccountSource]
    {
        let tombstones = self.readTombstones(table, with: &reader, in: scope)
        var urls: [URL] = []
        if table["url"] != nil,
            let url = reader.httpURL(
                self.keys["url"], in: table, scope: scope, what: "the page's absolute http(s) URL")
        {
            urls.append(url)
        }
        for text in reader.strings(self.keys["urls"], in: table, scope: scope, nonEmpty: true) ?? [] {
            if let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil
            {
                urls.append(url)
            } else {
                reader.report(
                    "expected a list of absolute http(s) URLs, found \(ConfigReader.quote(text)) in it",
                    key: "urls", in: scope)
            }
        }
        if table["url"] == nil, table["urls"] == nil {
            reader.report("missing required key: `url` (one page) or `urls` (a list of pages)", key: "url", in: scope)
        }
        return urls.map { .url(url: $0, tombstones: tombstones) }
    }

    /// `tombstones = [{ contains = "…", reason = "censored" }]`.
    private static func readTombstones(
        _ table: TOMLTable, with reader: inout ConfigReader, in scope: ConfigReader.Scope
    ) -> [TombstoneRule] {
        guard
            let array = reader.tables(
                self.keys["tombstones"], in: table, scope: scope,
                header: "[{ contains = \"…\", reason = \"censored\" }]", element: "tombstone")
        else { return [] }
        let reasons = Reason.allCases.map { ConfigReader.quote($0.rawValue) }.joined(separator: ", ")
        var rules: [TombstoneRule] = []
        for (offset, element) in array.enumerated() {
            let shape = "{ contains = \"<text on the page>\", reason = \"<reason>\" }"
            func report(_ problem: String) {
                reader.report("tombstone \(offset + 1): \(problem)", key: "tombstones", in: scope)
            }
            guard let rule = element.table else {
                report("each tombstone is \(shape), found \(ConfigReader.describe(element))")
                continue
            }
            let unknown = rule.keys.filter { $0 != "contains" && $0 != "reason" }.sorted()
            for key in unknown {
                let hint = ConfigReader.suggestion(for: key, among: ["contains", "reason"]).map {
                    " (did you mean `\($0)`?)"
                }
                report("unknown key `\(key)`\(hint ?? ""); a tombstone has `contains` and `reason`")
            }
            guard let containsValue = rule["contains"] else {
                if unknown.isEmpty { report("missing `contains`: the text on the page that marks it as removed") }
                continue
            }
            guard let contains = containsValue.string else {
                report(
                    "`contains` must be a string (the text on the page), found \(ConfigReader.describe(containsValue))")
                continue
            }
            guard !contains.isEmpty else {
                report("`contains` is empty, which every page contains: write the text that marks a removed page")
                continue
            }
            guard let reasonValue = rule["reason"] else {
                report("missing `reason`: one of \(reasons)")
                continue
            }
            guard let reasonText = reasonValue.string, let reason = Reason(rawValue: reasonText) else {
                let found = reasonValue.string.map(ConfigReader.quote) ?? ConfigReader.describe(reasonValue)
                report("expected `reason` among \(reasons), found \(found)")
                continue
            }
            guard unknown.isEmpty else { continue }
            rules.append(TombstoneRule(contains: contains, reason: reason))
        }
        return rules
    }
}

extension Platform {
    /// One watched web page (a WeChat public-account article, any page): the page is the post.
    public static let url = Platform(declaring: "url")
}

extension AccountSource {
    /// One watched page at `url`, classified with the built-in tombstone table plus `tombstones`
    /// from the config.
    public static func url(url: URL, tombstones: [TombstoneRule]) -> AccountSource {
        AccountSource(WatchedPageSource(url: url, tombstones: tombstones))
    }
}
