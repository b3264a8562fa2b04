public import Foundation

@testable public import PalimpsestCore

/// The recorded Telegram pages in `Tests/Fixtures/real/telegram/` and answers built from them.
public enum TelegramFixture {
    /// The saved channel preview page (12 messages, 70989 … 71008).
    public static let topwarPage = "telegram/t_me_s_full_page_topwar_official.html"

    /// `topwar_official` read from `https://t.me`, `pages` preview pages per poll.
    public static func topwarAccount(pages: Int = 1, baseURL: URL = URL(string: "https://t.me")!) -> Account {
        let source = AccountSource.telegram(channel: "topwar_official", baseURL: baseURL, pages: pages)
        return Account(key: Account.key(for: source), name: "Военное обозрение", source: source)
    }

    /// The bytes of a fixture under `Tests/Fixtures/real/`.
    public static func body(_ path: String) throws -> Data {
        try IntegrationHarness.fixture(path)
    }

    /// The fixture's text.
    public static func text(_ path: String) throws -> String {
        String(decoding: try self.body(path), as: UTF8.self)
    }

    /// An HTML answer for `url`.
    public static func response(
        _ body: Data, status: Int = 200, url: String = "https://t.me/s/topwar_official", effectiveURL: String? = nil,
        headers: HTTPHeaders = ["Content-Type": "text/html; charset=utf-8"]
    ) -> HTTPResponse {
        HTTPResponse(
            url: URL(string: url)!, effectiveURL: effectiveURL.map { URL(string: $0)! }, status: status,
            headers: headers, body: body)
    }

    /// The saved page with the message wrap of `id` cut out (derived: as the page reads after the
    /// channel deleted that message).
    public static func topwarPage(without id: String) throws -> Data {
        Data(try self.removingMessage(id, from: self.text(self.topwarPage)).utf8)
    }

    /// `html` without the `tgme_widget_message_wrap` element holding `data-post="…/<id>"`.
    public static func removingMessage(_ id: String, from html: String) throws -> String {
        let marker = "data-post=\"topwar_official/\(id)\""
        guard let post = html.range(of: marker),
            let start = html.range(
                of: "<div class=\"tgme_widget_message_wrap", options: .backwards,
                range: html.startIndex..<post.lowerBound),
            let next = html.range(of: "<div class=\"tgme_widget_message_wrap", range: post.upperBound..<html.endIndex)
        else { throw FixtureError(description: "message \(id) not found in the page") }
        return String(html[..<start.lowerBound]) + String(html[next.lowerBound...])
    }

    /// An embed answer for a deleted post (derived: no recorded sample exists; the markup is the
    /// one public tools test for, `<div class="tgme_widget_message_error">Post not found</div>`).
    public static let postNotFoundEmbed = Data(
        """
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>Telegram Widget</title></head>
        <body class="body_widget_post emoji_image nodark"><div class="tgme_widget_message_wrap js-widget_message_wrap">
        <div class="tgme_widget_message_error">Post not found</div></div></body></html>
        """.utf8)

    public struct FixtureError: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) { self.description = description }
    }

    /// 2023-02-28T<hh>:<mm>:<ss>Z, the day of the saved page.
    public static func feb28(_ hour: Int, _ minute: Int, _ second: Int) -> Date {
        Date(timeIntervalSince1970: 1_677_542_400 + TimeInterval(hour * 3600 + minute * 60 + second))
    }

    /// 2023-02-24T<hh>:<mm>:<ss>Z, the day of the tchantest snippets.
    public static func feb24(_ hour: Int, _ minute: Int, _ second: Int) -> Date {
        Date(timeIntervalSince1970: 1_677_196_800 + TimeInterval(hour * 3600 + minute * 60 + second))
    }
}
