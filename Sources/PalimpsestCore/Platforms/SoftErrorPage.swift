import Foundation

/// A page served with HTTP 200 that says it is an error or removal page (a "soft 404"), read
/// conservatively: only the page's `<title>` and `<h1>` count, only when short (at most
/// ``maximumHeadingLength`` characters, as error headings are; an article's headline that mentions
/// a 404 is longer), and never when they show the post's own title. Such a page is never proof that
/// a post exists, nor an edit of a watched page; it is never a tombstone either (a marker is a
/// guess, not the platform's statement): the post stays a candidate (docs/evidence.md, rule 3).
enum SoftErrorPage {
    /// One marker: a phrase (lowercase) looked for in the title and the first-level headings, and
    /// where such pages come from.
    struct Marker: Sendable {
        var phrase: String
        var source: String
    }

    /// The markers, tried in order.
    static let markers: [Marker] = [
        Marker(phrase: "404", source: "RFC 9110 §15.5.5: the status code that soft-404 pages print in their heading"),
        Marker(phrase: "not found", source: "RFC 9110 §15.5.5 reason phrase \"Not Found\", which error pages repeat"),
        Marker(phrase: "page does not exist", source: "common CMS wording (\"Sorry, this page does not exist\")"),
        Marker(phrase: "page doesn't exist", source: "common CMS wording"),
        Marker(phrase: "no longer available", source: "common CMS wording (\"This page is no longer available\")"),
        Marker(phrase: "has been removed", source: "common CMS wording (\"This post has been removed\")"),
        Marker(phrase: "has been deleted", source: "common CMS wording (\"This article has been deleted\")"),
        Marker(phrase: "page removed", source: "common CMS wording"),
        Marker(phrase: "页面不存在", source: "common Chinese CMS wording (the page does not exist)"),
        Marker(phrase: "内容不存在", source: "common Chinese CMS wording (the content does not exist)"),
        Marker(phrase: "已被删除", source: "common Chinese CMS wording (has been deleted)"),
    ]

    /// Longest title or heading (in characters, whitespace collapsed) that is read for markers.
    static let maximumHeadingLength = 60

    /// The title or heading of `document` that carries a marker, quoted for a detail line; `nil`
    /// when none does, or when the page shows `ownTitle` (the post's own title, at least 4
    /// characters) in its title or headings.
    static func notice(in document: HTMLDocument, ownTitle: String? = nil) -> String? {
        let headings = ([document.title ?? ""] + document.elements(named: "h1").map(\.textContent))
            .map { PostVersion.normalizeText($0) }
            .filter { !$0.isEmpty }
        if let own = ownTitle.map({ PostVersion.normalizeText($0).lowercased() }), own.count >= 4,
            headings.contains(where: { $0.lowercased().contains(own) })
        {
            return nil
        }
        for heading in headings where heading.count <= Self.maximumHeadingLength {
            let lowered = heading.lowercased()
            if Self.markers.contains(where: { lowered.contains($0.phrase) }) { return heading }
        }
        return nil
    }
}
