import Foundation

/// An anti-bot challenge or block page served instead of the page asked for, often with HTTP 200:
/// a blind poll (failure kind `gated`), never content (rule of evidence 1). Read from the
/// response header Cloudflare documents, then from the page's `<title>`, then from short phrases
/// of its visible text, as in the table below.
enum AntiBotChallenge {
    /// One sign of a challenge page and where it comes from.
    struct Sign: Sendable {
        enum Place: Sendable {
            case header(String)
            case title
            case text
        }
        var place: Place
        /// Compared case-insensitively: the whole title, or a phrase of the header value or text.
        var value: String
        var source: String
    }

    /// The signs, tried in order.
    static let signs: [Sign] = [
        Sign(
            place: .header("cf-mitigated"), value: "challenge",
            source:
                "Cloudflare docs, \"Detect a Challenge Page response\": challenge answers carry cf-mitigated: challenge"
        ),
        Sign(
            place: .title, value: "just a moment...",
            source: "Cloudflare managed challenge / \"I'm Under Attack\" interstitial, title \"Just a moment...\""),
        Sign(
            place: .title, value: "attention required! | cloudflare",
            source: "Cloudflare block page (WAF), title \"Attention Required! | Cloudflare\""),
        Sign(place: .title, value: "ddos-guard", source: "DDoS-Guard check page, title \"DDoS-Guard\""),
        Sign(
            place: .title, value: "access denied | sucuri website firewall",
            source: "Sucuri WebSite Firewall block page"),
        Sign(
            place: .text, value: "checking if the site connection is secure",
            source: "Cloudflare managed challenge text"),
        Sign(
            place: .text, value: "enable javascript and cookies to continue",
            source: "Cloudflare managed challenge text (noscript)"),
        Sign(
            place: .text, value: "checking your browser before accessing",
            source: "Cloudflare (older \"I'm Under Attack\" mode) and DDoS-Guard check text"),
    ]

    /// Longest visible text (characters) read for the text signs: a challenge page is short, an
    /// article quoting one of the phrases is not.
    static let maximumTextLength = 2_000

    /// What the answer shows of a challenge (for a failure message), or `nil` when it shows none.
    static func sign(in response: HTTPResponse, document: HTMLDocument?) -> String? {
        for sign in Self.signs {
            switch sign.place {
            case .header(let name):
                if let value = response.headers[name], value.lowercased().contains(sign.value) {
                    return "\(name): \(value)"
                }
            case .title:
                if let title = document?.title.map({ PostVersion.normalizeText($0) }), title.lowercased() == sign.value
                {
                    return "title “\(title)”"
                }
            case .text:
                guard let document else { continue }
                let text = PostVersion.normalizeText((document.body ?? document.root).readableText)
                if text.count <= Self.maximumTextLength, text.lowercased().contains(sign.value) {
                    return "“\(sign.value)”"
                }
            }
        }
        return nil
    }
}
