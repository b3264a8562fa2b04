import Foundation

/// Weibo's HTML text (`mblog.text`, `longTextContent`) as plain text and links.
///
/// Weibo writes emoji as images inside `<span class="url-icon"><img alt=[doge] src=…></span>`
/// (fixture `getIndex_107603_public_figure_page2.json`): their `alt` text (`[doge]`) is what a
/// reader sees, so it stays in the text, unlike ``HTMLText/plainText(fromHTML:)``'s rule for
/// images. Link icons (`<img>` without `alt`) add nothing.
enum WeiboText {
    /// The site relative links are resolved against: Weibo's own, whatever `base_url` says, so
    /// the version of a post does not depend on the mirror it was read from.
    static let site = URL(string: "https://m.weibo.cn/")!

    /// Query parameters that say where the reader came from, not what the link is: the mobile
    /// web app adds `luicode` (the source screen) and `lfid` (the source container) to topic and
    /// video links in timelines but not in `statuses/extend` (fixtures snapshot0 and
    /// `statuses_extend_4645748019299849.json`).
    static let navigationParameters: Set<String> = ["luicode", "lfid"]

    /// The readable text: tags removed as ``HTMLText/plainText(fromHTML:)`` does, emoji images
    /// replaced by their `alt` text.
    static func plainText(fromHTML html: String) -> String {
        HTMLText.plainText(fromHTML: self.inliningImageAltText(html))
    }

    /// The `<a href>` targets, in order, each once: relative ones resolved against ``site``,
    /// ``navigationParameters`` removed.
    static func links(inHTML html: String) -> [String] {
        var seen = Set<String>()
        return HTMLText.links(inHTML: html).map(self.normalizedLink).filter { seen.insert($0).inserted }
    }

    /// `html` rebuilt from its tokens with every `<img alt=…>` replaced by its alt text. Attributes
    /// of other tags are dropped: the plain text depends only on tag names.
    static func inliningImageAltText(_ html: String) -> String {
        guard html.contains("<") else { return html }
        var tokenizer = HTMLTokenizer(html)
        var rebuilt = ""
        rebuilt.reserveCapacity(html.utf8.count)
        while let token = tokenizer.next() {
            switch token {
            case .text, .cdata:
                rebuilt += self.escape(tokenizer.text)
            case .startTag(let name, let selfClosing):
                if name == "img" {
                    if let alt = tokenizer.attribute("alt") { rebuilt += self.escape(alt) }
                } else {
                    rebuilt += selfClosing ? "<\(name)/>" : "<\(name)>"
                }
            case .endTag(let name):
                rebuilt += "</\(name)>"
            }
        }
        return rebuilt
    }

    /// Printable ASCII except space, quotes and angle brackets: `%` stays, so an encoded link is
    /// never encoded twice.
    private static let allowedInLinks = CharacterSet(
        charactersIn: "!#$%&'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz~|")

    private static func escape(_ text: String) -> String {
        guard text.contains("&") || text.contains("<") else { return text }
        return text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }

    private static func normalizedLink(_ link: String) -> String {
        // Mention links are written raw (`/n/微博抽奖平台`): encode what a URL cannot hold.
        let encodable = link.addingPercentEncoding(withAllowedCharacters: self.allowedInLinks) ?? link
        guard let resolved = URL(string: encodable, relativeTo: self.site)?.absoluteURL,
            var components = URLComponents(url: resolved, resolvingAgainstBaseURL: false)
        else { return link }
        if let items = components.queryItems {
            let kept = items.filter { !self.navigationParameters.contains($0.name.lowercased()) }
            if kept.count != items.count {
                // Rebuild from the encoded query so the other parameters keep their exact bytes.
                let encoded = (components.percentEncodedQuery ?? "").split(separator: "&").filter { pair in
                    let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                    return !self.navigationParameters.contains(name.lowercased())
                }
                components.percentEncodedQuery = encoded.isEmpty ? nil : encoded.joined(separator: "&")
            }
        }
        return components.string ?? link
    }
}
