import Foundation

/// Facts about WeChat official-account article pages (`https://mp.weixin.qq.com/s?__biz=…&mid=…&idx=…&sn=…`).
///
/// Platform facts (FORMATS.md §5; fixtures `wechat/mp_weixin_article_ok_banyuetan_video.html`,
/// `wechat/mp_weixin_error_page_link_expired.html`, `wechat/mp_weixin_rate_limit_verify_identity.html`):
/// every answer is HTTP 200; a live article has `id="js_content"`; an unavailable one shows a
/// `weui-msg` interstitial (`.weui-msg__title`, `.weui-msg__desc`; older pages `.global_error_msg`);
/// the page's scripts carry `ct` (creation time, Unix seconds) and `msg_title`.
enum WeChatArticle {
    /// The host of WeChat article pages.
    static let host = "mp.weixin.qq.com"

    /// The article's identity, `__biz=<biz>&mid=<mid>&idx=<idx>`, when the URL's query carries
    /// all three (the older `/mp/appmsg/show` links name them `appmsgid` and `itemidx`). The `sn`
    /// signature and tracking parameters are left out: they vary between links to the same
    /// article. `nil` otherwise (a short `/s/<token>` link, another page).
    static func identity(of url: URL) -> String? {
        guard let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems else { return nil }
        func value(_ name: String) -> String? {
            items.first { $0.name == name }?.value.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let biz = value("__biz"), let mid = value("mid") ?? value("appmsgid"),
            let idx = value("idx") ?? value("itemidx")
        else { return nil }
        return "__biz=\(biz)&mid=\(mid)&idx=\(idx)"
    }

    /// True for a WeChat article URL: an article path on ``host`` (`/s?…`, `/s/<token>`,
    /// `/mp/appmsg/show?…`), or any URL whose query carries `__biz`, `mid` and `idx` (so a mirror
    /// or a replay of the article is read the same way). Other pages of the host (account home
    /// pages, albums) are ordinary pages.
    static func isArticleURL(_ url: URL) -> Bool {
        if Self.identity(of: url) != nil { return true }
        guard url.host?.lowercased() == Self.host else { return false }
        let path = url.path
        return path == "/s" || path.hasPrefix("/s/") || path == "/mp/appmsg/show"
    }

    /// The text of the interstitial's message elements (`.weui-msg__title`, `.weui-msg__desc`,
    /// `.global_error_msg`), in document order, one per line; empty when the page has none.
    static func interstitialMessage(in document: HTMLDocument) -> String {
        document.root.descendants {
            $0.hasClass("weui-msg__title") || $0.hasClass("weui-msg__desc") || $0.hasClass("global_error_msg")
        }
        .map { PostVersion.normalizeText($0.readableText) }
        .filter { !$0.isEmpty }
        .joined(separator: "\n")
    }

    /// The article's title: the `msg_title` script string, else `og:title`, else the video page's
    /// `d.title` script string, else `#activity-name` / `.rich_media_title`, else `<title>`.
    static func title(in document: HTMLDocument, scripts: [String]) -> String? {
        if let title = Self.scriptString(named: "msg_title", in: scripts) { return title }
        if let title = document.metaContent("og:title") { return title }
        if let title = Self.scriptString(named: "d.title", in: scripts) { return title }
        let heading = document.element(withID: "activity-name") ?? document.root.first(withClass: "rich_media_title")
        if let heading {
            let text = PostVersion.normalizeText(heading.readableText)
            if !text.isEmpty { return text }
        }
        return document.title
    }

    /// The creation time from the `ct` script value (Unix seconds, UTC), if present.
    static func createdAt(scripts: [String]) -> Date? {
        guard let value = Self.scriptString(named: "ct", in: scripts), let seconds = Int(value), seconds > 0 else {
            return nil
        }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// The value assigned to `name` in the page's scripts: the first `name = "…"`, `name = '…'`
    /// or `name = 123` where `name` is not part of a longer identifier (`d.ct` and `var ct` match
    /// `ct`; `act` does not). JavaScript escapes (`\"`, `\\`, `\xNN`, `\uNNNN`) are decoded and
    /// HTML's `&amp;`-style references too (WeChat writes `'…'.html(false)`). Empty values are
    /// skipped.
    static func scriptString(named name: String, in scripts: [String]) -> String? {
        for script in scripts {
            var searchStart = script.startIndex
            while let found = script.range(of: name, range: searchStart..<script.endIndex) {
                searchStart = found.upperBound
                if found.lowerBound > script.startIndex {
                    let before = script[script.index(before: found.lowerBound)]
                    if before.isLetter || before.isNumber || before == "_" || before == "$" { continue }
                }
                var rest = script[found.upperBound...].drop { $0 == " " || $0 == "\t" }
                guard rest.first == "=", rest.dropFirst().first != "=" else { continue }
                rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
                guard let value = Self.literal(at: rest) else { continue }
                let decoded = PostVersion.normalizeText(HTMLText.decodeCharacterReferences(value))
                if !decoded.isEmpty { return decoded }
            }
        }
        return nil
    }

    /// A JavaScript string or number literal at the start of `text`.
    private static func literal(at text: Substring) -> String? {
        guard let first = text.first else { return nil }
        if first.isNumber {
            return String(text.prefix { $0.isNumber })
        }
        guard first == "\"" || first == "'" else { return nil }
        var result = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            if character == first { return result }
            if character == "\n" { return nil }
            if character == "\\" {
                index = text.index(after: index)
                guard index < text.endIndex else { return nil }
                let escaped = text[index]
                switch escaped {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "x", "u":
                    let length = escaped == "x" ? 2 : 4
                    let start = text.index(after: index)
                    guard let end = text.index(start, offsetBy: length, limitedBy: text.endIndex),
                        let code = UInt32(text[start..<end], radix: 16), let scalar = Unicode.Scalar(code)
                    else { return nil }
                    result.unicodeScalars.append(scalar)
                    index = text.index(before: end)
                default: result.append(escaped)
                }
            } else {
                result.append(character)
            }
            index = text.index(after: index)
        }
        return nil
    }
}
