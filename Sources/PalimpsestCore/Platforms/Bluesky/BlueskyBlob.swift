/// A blob reference: `{"$type": "blob", "ref": {"$link": <cid>}, "mimeType", "size"}`, or the
/// legacy form `{"cid": <cid>, "mimeType"}` that early records used (AT Protocol data model,
/// "blob" type).
struct BlueskyBlob: Decodable, Sendable, Hashable {
    /// The blob's content identifier.
    var cid: String?

    private struct Link: Decodable {
        var link: String?

        enum CodingKeys: String, CodingKey {
            case link = "$link"
        }
    }

    enum CodingKeys: String, CodingKey {
        case ref, cid
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.cid =
            container.decodeLeniently(Link.self, forKey: .ref)?.link
            ?? container.decodeLeniently(String.self, forKey: .cid)
    }
}
