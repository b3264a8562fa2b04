/// One `app.bsky.feed.getAuthorFeed` answer: the items, newest first (a pinned item first on the
/// first page), and the cursor of the next page.
///
/// Source: FORMATS.md §2 (Pagination); fixtures `getAuthorFeed_dril_page.json` (cursor as an ISO
/// timestamp), `getAuthorFeed_reposts_replies_2023.json` (legacy `<epoch-ms>::<cid>` cursor);
/// lexicon `app/bsky/feed/getAuthorFeed.json`. No `cursor` means the account has no older posts.
struct BlueskyFeedPage: Decodable, Sendable, Hashable {
    /// The feed items in the AppView's order.
    var feed: [BlueskyFeedItem]
    /// The opaque cursor of the next page; `nil` or empty at the end.
    var cursor: String?

    /// Just the paging facts of an answer, read without decoding the posts.
    struct Paging: Decodable, Sendable, Hashable {
        /// The opaque cursor of the next page.
        var cursor: String?
        /// How many items the page holds.
        var itemCount: Int

        private struct Skipped: Decodable {}

        enum CodingKeys: String, CodingKey {
            case cursor, feed
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.cursor = container.decodeLeniently(String.self, forKey: .cursor)
            self.itemCount = try container.decode([Skipped].self, forKey: .feed).count
        }
    }

    enum CodingKeys: String, CodingKey {
        case feed, cursor
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.feed = try container.decode([BlueskyFeedItem].self, forKey: .feed)
        self.cursor = container.decodeLeniently(String.self, forKey: .cursor)
    }
}
