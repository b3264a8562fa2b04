/// The kind of source an account is watched on.
///
/// The raw value is the `platform` key of an `[[account]]` table in the config and the prefix of
/// every ``AccountKey``.
public enum Platform: String, Sendable, Codable, CaseIterable, Hashable {
    /// Any RSS 2.0, Atom 1.0 or JSON Feed 1.0/1.1 document (RSSHub bridges included).
    case feed
    /// A Mastodon (or API-compatible) account, read through the public REST API v1.
    case mastodon
    /// A Sina Weibo account, read through the mobile web API (`m.weibo.cn`).
    case weibo
    /// A Bluesky / AT Protocol account, read through the public AppView (`public.api.bsky.app`).
    case bluesky
    /// A public Telegram channel, read through its web preview (`t.me/s/<channel>`).
    case telegram
    /// One watched web page (a WeChat public-account article, any page): the page is the post.
    case url
}
