import Foundation
import Crypto

/// The canonical, normalized content of a post, and its SHA-256.
///
/// Two polls that see the same content give the same hash even when counts, relative times,
/// whitespace or volatile URL query strings differ; any change of words, media, links or the
/// reposted reference gives a different hash (rule of evidence 5).
///
/// Canonical form (format version 1): the lines `v1`, `title:<t>`, `text:<t>`, one `media:<u>` per
/// media item, one `link:<u>` per link, `ref:<r>`, then `rev:<r>` only when the post has a
/// ``Post/revision`` (so posts without one hash exactly as before it existed), joined by `\n` and
/// hashed as UTF-8. Text is
/// Unicode NFC with every run of whitespace collapsed to one space and trimmed. Media URLs lose
/// their whole query string and fragment (CDNs sign and expire them); links lose their fragment and
/// the query parameters listed in ``volatileQueryParameters``.
public struct PostVersion: Sendable, Hashable {
    /// Version of the canonical form; bump it only with a migration note in docs/state-format.md.
    public static let formatVersion = 1

    /// Query parameters removed from links before hashing: tracking and URL-signing parameters
    /// that change between fetches without any change of content.
    public static let volatileQueryParameters: Set<String> = [
        "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "fbclid", "gclid",
        "expires", "signature", "sig", "token", "key-pair-id", "policy", "x-amz-algorithm",
        "x-amz-credential", "x-amz-date", "x-amz-expires", "x-amz-signedheaders", "x-amz-signature",
        "x-amz-security-token", "oe", "oh", "_nc_ht", "_nc_cat", "_nc_ohc",
    ]

    public let text: String
    public let title: String?
    public let media: [String]
    public let links: [String]
    public let reference: String?
    /// The platform's record revision (Bluesky `cid`), compared as is.
    public let revision: String?

    /// Normalizes the given content into its canonical form.
    public init(
        text: String, title: String? = nil, media: [String] = [], links: [String] = [], reference: String? = nil,
        revision: String? = nil
    ) {
        self.text = Self.normalizeText(text)
        self.title = title.map(Self.normalizeText)
        self.media = media.map(Self.stripQuery)
        self.links = links.map(Self.stripVolatileQuery)
        self.reference = reference
        self.revision = revision
    }

    /// The canonical form as one string (see the type's documentation).
    public var canonicalForm: String {
        var lines = ["v\(Self.formatVersion)", "title:\(self.title ?? "")", "text:\(self.text)"]
        lines += self.media.map { "media:\($0)" }
        lines += self.links.map { "link:\($0)" }
        lines.append("ref:\(self.reference ?? "")")
        if let revision = self.revision { lines.append("rev:\(revision)") }
        return lines.joined(separator: "\n")
    }

    /// SHA-256 of ``canonicalForm``, lowercase hex (64 characters).
    public var hash: String {
        SHA256.hash(data: Data(self.canonicalForm.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Collapses whitespace runs to one space, trims, and applies Unicode NFC.
    public static func normalizeText(_ text: String) -> String {
        let composed = text.precomposedStringWithCanonicalMapping
        var result = ""
        result.reserveCapacity(composed.utf8.count)
        var pendingSpace = false
        for character in composed {
            if character.isWhitespace {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(character)
            }
        }
        return result
    }

    static func stripQuery(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.query = nil
        components.fragment = nil
        return components.string ?? url
    }

    static func stripVolatileQuery(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.fragment = nil
        if let items = components.queryItems {
            let kept = items.filter { !Self.volatileQueryParameters.contains($0.name.lowercased()) }
            components.queryItems = kept.isEmpty ? nil : kept
        }
        return components.string ?? url
    }
}
