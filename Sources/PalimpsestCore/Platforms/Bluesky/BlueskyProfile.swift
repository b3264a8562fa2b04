/// The parts of an `app.bsky.actor.defs#profileViewDetailed` (the `getProfile` answer) the adapter
/// reads.
///
/// Source: fixture `getProfile_dril.json`; lexicon `app/bsky/actor/defs.json`,
/// `app/bsky/actor/profile.json` (`pinnedPost` is a strong ref `{uri, cid}`).
struct BlueskyProfile: Decodable, Sendable, Hashable {
    /// The account's DID: its permanent identity (the handle can change).
    var did: String
    /// The current handle, e.g. `dril.bsky.social`.
    var handle: String?
    /// The at-URI of the pinned post, if the account pinned one.
    var pinnedPostURI: String?

    private struct StrongRef: Decodable {
        var uri: String?
    }

    enum CodingKeys: String, CodingKey {
        case did, handle, pinnedPost
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.did = try container.decode(String.self, forKey: .did)
        self.handle = container.decodeLeniently(String.self, forKey: .handle)
        self.pinnedPostURI = container.decodeLeniently(StrongRef.self, forKey: .pinnedPost)?.uri
    }
}
