import Foundation

/// The parts of a Weibo `mblog` object that make a post, as the mobile API (`m.weibo.cn`) sends it.
///
/// Source: FORMATS.md §3; fixtures `getIndex_107603_arknights_snapshot0.json` (pinned and edited
/// card 0, long posts, a repost in card 2), `getIndex_107603_public_figure_page2.json` (emoji
/// markup, edit counts, a repost of another account).
///
/// Only the ID is required (`id`, else `idstr`, else `mid`: a string in current answers, a number
/// in older ones). `text` must be a string when present, or the answer is unparsable (a poll that
/// proves nothing, rather than a false alteration); every other field is read leniently. Counts
/// (`reposts_count`, `comments_count`, `attitudes_count`) are never read: they are volatile.
struct WeiboStatus: Decodable, Sendable, Hashable {
    /// The post's stable ID (decimal digits, kept as a string).
    var id: String
    /// `mid`, the same number in current answers.
    var mid: String?
    /// The base62 ID of the permalink `https://m.weibo.cn/status/<bid>`.
    var bid: String?
    /// `created_at` as sent (absolute or relative; see ``WeiboDateParser``).
    var createdAt: String?
    /// The HTML text; truncated with a `全文` link when ``isLongText``.
    var text: String?
    /// True when ``text`` is only the start of the post: the full text comes from
    /// `statuses/extend?id=`.
    var isLongText: Bool
    /// `isTop: 1`: pinned (fixture snapshot0 card 0).
    var isTop: Bool
    /// `mblogtype`: 2 on the pinned card.
    var mblogType: Int?
    /// `title.text`: `置顶` on the pinned card.
    var titleText: String?
    /// `edit_count`: how many times the author edited the post.
    var editCount: Int?
    /// `edit_at` as sent (same format as `created_at`).
    var editAt: String?
    /// Image IDs (`pic_ids`) with their large URLs when `pics` lists them, in order.
    var pictures: [Picture]
    /// `page_info` when it is a video (`type: "video"`): its `object_id`.
    var videoObjectID: String?
    /// `deleted: "1"` (older API versions mark a removed original so).
    var isMarkedDeleted: Bool
    /// The author's numeric ID, as a string.
    var userID: String?
    // A status cannot hold itself directly; zero or one element.
    private var retweetedStorage: [WeiboStatus]

    /// For a repost: the reposted original (`retweeted_status`, a full mblog with its `user`).
    var retweeted: WeiboStatus? { self.retweetedStorage.first }

    /// One image of a post.
    struct Picture: Sendable, Hashable {
        /// The image ID (`pid`).
        var pid: String
        /// `large.url`, else `url`, when the answer lists it.
        var url: String?
    }

    enum CodingKeys: String, CodingKey {
        case id, idstr, mid, bid, text, title, pics, user, deleted, mblogtype
        case createdAt = "created_at"
        case isLongText
        case isTop
        case editCount = "edit_count"
        case editAt = "edit_at"
        case picIDs = "pic_ids"
        case pageInfo = "page_info"
        case retweetedStatus = "retweeted_status"
    }

    private struct Title: Decodable {
        var text: String?
    }

    private struct PictureEntry: Decodable {
        struct Size: Decodable {
            var url: String?
        }
        var pid: String?
        var url: String?
        var large: Size?
    }

    private struct PageInfo: Decodable {
        var type: String?
        var objectID: String?

        enum CodingKeys: String, CodingKey {
            case type
            case objectID = "object_id"
        }
    }

    private struct User: Decodable {
        var id: String?

        enum CodingKeys: String, CodingKey {
            case id
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.id = container.decodeWeiboIDIfPresent(forKey: .id)
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard
            let id = container.decodeWeiboIDIfPresent(forKey: .id)
                ?? container.decodeWeiboIDIfPresent(forKey: .idstr)
                ?? container.decodeWeiboIDIfPresent(forKey: .mid)
        else {
            throw DecodingError.keyNotFound(
                CodingKeys.id,
                DecodingError.Context(codingPath: container.codingPath, debugDescription: "an mblog without id or mid"))
        }
        self.id = id
        self.mid = container.decodeWeiboIDIfPresent(forKey: .mid)
        self.bid = container.decodeLeniently(String.self, forKey: .bid)
        self.createdAt = container.decodeLeniently(String.self, forKey: .createdAt)
        self.text = try container.decodeIfPresent(String.self, forKey: .text)
        self.isLongText = container.decodeWeiboFlag(forKey: .isLongText)
        self.isTop = container.decodeWeiboFlag(forKey: .isTop)
        self.mblogType = container.decodeLeniently(Int.self, forKey: .mblogtype)
        self.titleText = container.decodeLeniently(Title.self, forKey: .title)?.text
        self.editCount = container.decodeLeniently(Int.self, forKey: .editCount)
        self.editAt = container.decodeLeniently(String.self, forKey: .editAt)
        let entries = container.decodeLeniently([PictureEntry].self, forKey: .pics) ?? []
        let ids = container.decodeLeniently([String].self, forKey: .picIDs) ?? entries.compactMap(\.pid)
        var urls: [String: String] = [:]
        for entry in entries {
            if let pid = entry.pid, let url = entry.large?.url ?? entry.url { urls[pid] = url }
        }
        self.pictures = ids.map { Picture(pid: $0, url: urls[$0]) }
        let page = container.decodeLeniently(PageInfo.self, forKey: .pageInfo)
        self.videoObjectID = page?.type == "video" ? page?.objectID : nil
        self.isMarkedDeleted = container.decodeWeiboFlag(forKey: .deleted)
        self.userID = container.decodeLeniently(User.self, forKey: .user)?.id
        self.retweetedStorage = container.decodeLeniently(WeiboStatus.self, forKey: .retweetedStatus).map { [$0] } ?? []
    }

    /// True when the account pinned the post: `isTop`, `mblogtype` 2 or the title `置顶`
    /// (FORMATS.md §3 "Pinned"; fixture snapshot0 card 0 carries all three).
    var isPinned: Bool {
        self.isTop || self.mblogType == 2 || self.titleText?.trimmingCharacters(in: .whitespaces) == "置顶"
    }

    /// The post this mblog shows in the account's timeline.
    ///
    /// The text is the mblog's own (a repost's own comment, not the original's), as plain text
    /// (``WeiboText``); media are the images' large URLs (else `https://wx1.sinaimg.cn/large/<pid>`)
    /// and a video's `https://video.weibo.com/show?fid=<object_id>`; links are the text's links
    /// (see ``WeiboText/links(inHTML:)``). A repost's ``Post/reference`` is the original's ID,
    /// so the original's fate never changes the repost's version. A long post is marked
    /// ``Post/isTruncated`` until ``WeiboAdapter/complete(_:with:of:)`` fills in its full text.
    /// - Parameter now: the poll's time (UTC), for relative dates.
    func post(now: Date) -> Post {
        let html = self.text ?? ""
        var post = Post(
            id: self.id,
            kind: self.retweeted == nil ? .post : .repost,
            url: "https://m.weibo.cn/status/\(self.bid ?? self.id)",
            postedAt: self.createdAt.flatMap { WeiboDateParser.date(from: $0, now: now) },
            editedAt: self.editAt.flatMap { WeiboDateParser.date(from: $0, now: now) },
            text: WeiboText.plainText(fromHTML: html),
            html: html,
            media: self.mediaReferences,
            links: WeiboText.links(inHTML: html),
            reference: self.retweeted.map { $0.mid ?? $0.id },
            isPinned: self.isPinned,
            isTruncated: self.isLongText
        )
        if let reason = self.retweetedTombstone, let original = self.retweeted {
            let statement = WeiboText.plainText(fromHTML: original.text ?? "")
            post.referenceTombstone = ReferenceTombstone(
                reason: reason, detail: "repost \(self.id) shows for its original: \(statement)")
        }
        return post
    }

    /// Image and video references, in order.
    var mediaReferences: [String] {
        var references = self.pictures.map { $0.url ?? "https://wx1.sinaimg.cn/large/\($0.pid)" }
        if let video = self.videoObjectID {
            references.append("https://video.weibo.com/show?fid=\(video)")
        }
        return references
    }

    /// What the text of a reposted original says about its fate, when it is a tombstone
    /// (see ``WeiboAnswerRules/reasonForRepostedOriginal(text:isMarkedDeleted:)``).
    var retweetedTombstone: Reason? {
        guard let original = self.retweeted else { return nil }
        return WeiboAnswerRules.reasonForRepostedOriginal(
            text: WeiboText.plainText(fromHTML: original.text ?? ""), isMarkedDeleted: original.isMarkedDeleted)
    }
}

extension KeyedDecodingContainer {
    /// A Weibo ID: a string of digits in current answers, a number in older ones; `nil` when
    /// missing, null, empty or of another type.
    func decodeWeiboIDIfPresent(forKey key: Key) -> String? {
        if let text = try? self.decodeIfPresent(String.self, forKey: key) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : trimmed
        }
        if let number = try? self.decodeIfPresent(Int64.self, forKey: key) { return String(number) }
        return nil
    }

    /// A flag Weibo sends as `1`/`0`, `true`/`false` or `"1"`/`"0"`; `false` when missing or other.
    func decodeWeiboFlag(forKey key: Key) -> Bool {
        if let flag = try? self.decodeIfPresent(Bool.self, forKey: key) { return flag }
        if let number = try? self.decodeIfPresent(Int.self, forKey: key) { return number != 0 }
        if let text = try? self.decodeIfPresent(String.self, forKey: key) { return text == "1" || text == "true" }
        return false
    }
}
