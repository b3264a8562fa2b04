import Foundation

/// The parts of an `app.bsky.feed.post` record the version is made of: the text, its link facets,
/// the embed, and the creation time.
///
/// Source: FORMATS.md §2 (Text, Created time); lexicons `app/bsky/feed/post.json`,
/// `app/bsky/richtext/facet.json`; fixtures `getAuthorFeed_reposts_replies_2023.json` (link
/// facets), `feedViewPost_bsky_app_quote_reply.json` (a facet without `$type`). `text` must be a
/// string when present (or the answer is unparsable); facets and embed are read leniently. The
/// record's `reply` refs are not read: what happens to the parent (deleted, blocked) is not a
/// change of this post, and the record's `cid` already covers them.
struct BlueskyPostRecord: Decodable, Sendable, Hashable {
    /// The plain text.
    var text: String
    /// The client-supplied creation time (UTC), when readable.
    var createdAt: Date?
    /// The URLs of the text's link facets, in text order (facets sorted by `byteStart`).
    var facetLinks: [String]
    /// The embed, if any.
    var embed: BlueskyRecordEmbed?

    /// The `$type` of a link facet feature.
    static let linkFeatureType = "app.bsky.richtext.facet#link"

    private struct Facet: Decodable {
        var index: Index?
        var features: [Feature?]?

        struct Index: Decodable {
            var byteStart: Int?
        }

        struct Feature: Decodable {
            var type: String?
            var uri: String?

            enum CodingKeys: String, CodingKey {
                case type = "$type"
                case uri
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case text, createdAt, facets, embed
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.text = try container.decodeIfPresent(String.self, forKey: .text) ?? ""
        self.createdAt = container.decodeLeniently(String.self, forKey: .createdAt).flatMap(
            BlueskyTimestamp.date(from:))
        let facets = (container.decodeLeniently([Facet?].self, forKey: .facets) ?? []).compactMap { $0 }
        let ordered = facets.enumerated().sorted { a, b in
            let (startA, startB) = (a.element.index?.byteStart ?? Int.max, b.element.index?.byteStart ?? Int.max)
            return startA != startB ? startA < startB : a.offset < b.offset
        }
        self.facetLinks = ordered.flatMap { facet in
            (facet.element.features ?? []).compactMap { feature in
                feature?.type == Self.linkFeatureType ? feature?.uri : nil
            }
        }
        self.embed = container.decodeLeniently(BlueskyRecordEmbed.self, forKey: .embed)
    }
}
