/// The parts of a Mastodon `Account` entity the adapter reads.
///
/// Source: docs `entities/Account.md`; fixtures `account_lookup.json`,
/// `tootsdk_account_mastodon_official.json` (`"suspended": null`). Every field but `id` is
/// optional: remote servers and older versions leave fields out.
struct MastodonAccount: Decodable, Sendable, Hashable {
    /// The account's server-local ID (a string; compare as a string).
    var id: String
    /// The username without a domain.
    var username: String?
    /// `username` for a local account, `username@domain` for a remote one.
    var acct: String?
    /// The profile page URL.
    var url: String?
    /// True when follow requests need approval; public posts are still served.
    var isLocked: Bool
    /// True when the server suspended the account (Mastodon ≥ 3.3.0; absent or null otherwise).
    var isSuspended: Bool
    /// True when the account is silenced ("limited").
    var isLimited: Bool

    enum CodingKeys: String, CodingKey {
        case id, username, acct, url, locked, suspended, limited
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decodeMastodonID(forKey: .id)
        self.username = container.decodeLeniently(String.self, forKey: .username)
        self.acct = container.decodeLeniently(String.self, forKey: .acct)
        self.url = container.decodeLeniently(String.self, forKey: .url)
        self.isLocked = container.decodeLeniently(Bool.self, forKey: .locked) ?? false
        self.isSuspended = container.decodeLeniently(Bool.self, forKey: .suspended) ?? false
        self.isLimited = container.decodeLeniently(Bool.self, forKey: .limited) ?? false
    }
}
