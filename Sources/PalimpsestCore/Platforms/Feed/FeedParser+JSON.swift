import Foundation

/// JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/).
extension FeedParser {
    /// The fields of a JSON Feed document that Palimpsest reads; everything else is ignored. Read
    /// in one pass of `JSONDecoder` (whose tree of a document is compact; `JSONSerialization`'s
    /// objects took 330 MB for a feed of 100,000 items). When `version` is not a JSON Feed's, the
    /// rest is not decoded.
    private struct Document: Decodable {
        var version: String?
        /// The top-level keys, for the message when the document is not a JSON Feed.
        var keys: [String]
        var title: String?
        var items: [Item]
        /// Items left out between the first and the last `limit` (see ``itemLimitKey``).
        var omittedItems = 0

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            self.keys = container.allKeys.map(\.stringValue)
            self.version = try? container.decodeIfPresent(String.self, forKey: AnyKey("version"))
            self.title = nil
            self.items = []
            guard let version = self.version, FeedParser.isJSONFeedVersion(version) else { return }
            self.title = try container.decodeIfPresent(String.self, forKey: AnyKey("title"))
            let itemsKey = AnyKey("items")
            guard container.contains(itemsKey), try !container.decodeNil(forKey: itemsKey) else { return }
            var list = try container.nestedUnkeyedContainer(forKey: itemsKey)
            let limit = decoder.userInfo[Self.itemLimitKey] as? Int
            let count = list.count ?? 0
            var index = 0
            while !list.isAtEnd {
                if let limit, index >= limit, index < count - limit {
                    _ = try list.decode(SkippedValue.self)
                    self.omittedItems += 1
                } else {
                    self.items.append(try list.decode(Item.self))
                }
                index += 1
            }
        }

        /// `userInfo` key of the item limit (an `Int`): only the first and the last `limit` items
        /// are decoded.
        static let itemLimitKey = CodingUserInfoKey(rawValue: "palimpsest.feed.itemLimit")!
    }

    /// Any key of a JSON object.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { self.stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// A value passed over without reading it.
    private struct SkippedValue: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    static func isJSONFeedVersion(_ version: String) -> Bool {
        version.hasPrefix("https://jsonfeed.org/version/") || version.hasPrefix("http://jsonfeed.org/version/")
    }

    /// The fields of one JSON Feed item that Palimpsest reads.
    private struct Item: Decodable {
        var id: LenientString?
        var url: String?
        var externalURL: String?
        var title: String?
        var contentHTML: String?
        var contentText: String?
        var summary: String?
        var image: String?
        var bannerImage: String?
        var datePublished: String?
        var dateModified: String?
        var attachments: [Attachment]?

        enum CodingKeys: String, CodingKey {
            case id, url, title, summary, image, attachments
            case externalURL = "external_url"
            case contentHTML = "content_html"
            case contentText = "content_text"
            case bannerImage = "banner_image"
            case datePublished = "date_published"
            case dateModified = "date_modified"
        }
    }

    private struct Attachment: Decodable {
        var url: String?
    }

    /// The spec says an `id` given as a number (or another type) must be coerced to a string.
    private struct LenientString: Decodable {
        var value: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self.value = nil
            } else if let string = try? container.decode(String.self) {
                self.value = string
            } else if let integer = try? container.decode(Int64.self) {
                self.value = String(integer)
            } else if let number = try? container.decode(Double.self) {
                self.value = number.rounded() == number && abs(number) < 1e18 ? String(Int64(number)) : String(number)
            } else if let flag = try? container.decode(Bool.self) {
                self.value = String(flag)
            } else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "an item id must be a string or a number")
            }
        }
    }

    static func parseJSONFeed(_ body: Data, feedURL: URL, itemLimit: Int? = nil) throws(FeedParseError) -> ParsedFeed {
        var data = body
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data = data.dropFirst(3) }
        if let depth = JSONNesting.firstExcess(in: data, limit: Self.maximumDepth) {
            throw FeedParseError(
                kind: .tooDeep, format: .jsonFeed,
                message: "the JSON nests arrays and objects deeper than \(Self.maximumDepth) levels (at byte "
                    + "\(depth)): no feed needs that, so the body is broken or hostile; the account stays blind until "
                    + "the feed answers with a readable body")
        }
        let document: Document
        do {
            let decoder = JSONDecoder()
            if let itemLimit { decoder.userInfo[Document.itemLimitKey] = max(0, itemLimit) }
            document = try decoder.decode(Document.self, from: data)
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            throw FeedParseError(
                kind: .unknownFormat, format: nil, message: "the body is JSON but not an object, so not a JSON Feed")
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            let reason = context.underlyingError.map(Self.jsonReason) ?? context.debugDescription
            throw FeedParseError(
                kind: .malformedJSON, format: .jsonFeed,
                message: "the body is not valid JSON (\(reason)); it may be truncated")
        } catch {
            throw FeedParseError(
                kind: .malformedJSON, format: .jsonFeed,
                message: "the JSON Feed has a field of the wrong type: \(Self.jsonReason(error))")
        }
        guard let version = document.version, Self.isJSONFeedVersion(version) else {
            let keys = document.keys.sorted().prefix(8).joined(separator: ", ")
            throw FeedParseError(
                kind: .unknownFormat, format: nil,
                message: "the body is JSON but not a JSON Feed: no \"version\" of https://jsonfeed.org/version/… "
                    + "(top-level keys: \(keys.isEmpty ? "none" : keys))")
        }
        let items = document.items.map { item in
            Self.makeItem(
                ids: [(item.id?.value, .id), (item.url, .link)],
                fallback: (item.title, item.datePublished, item.contentHTML ?? item.contentText),
                link: item.url,
                title: FeedText.title(item.title),
                published: item.datePublished,
                updated: item.dateModified,
                html: item.contentHTML,
                plainText: item.contentText ?? item.summary,
                media: [item.image, item.bannerImage].compactMap { $0 } + (item.attachments ?? []).compactMap(\.url),
                extraLinks: [item.externalURL].compactMap { $0 },
                feedURL: feedURL)
        }
        let versionNumber = version.split(separator: "/").last.map(String.init)
        return ParsedFeed(
            format: .jsonFeed, version: versionNumber, title: document.title, items: items,
            omittedItems: document.omittedItems)
    }

    /// A short reason from a JSON error, with the coding path for decoding errors.
    private static func jsonReason(_ error: any Error) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error as? DecodingError {
        case .typeMismatch(let type, let context)?:
            return "\(path(context.codingPath).isEmpty ? "value" : path(context.codingPath)) is not a \(type)"
        case .dataCorrupted(let context)?:
            return "\(path(context.codingPath)) \(context.debugDescription)"
        case .keyNotFound(let key, let context)?:
            return "\(path(context.codingPath)).\(key.stringValue) is missing"
        case .valueNotFound(_, let context)?:
            return "\(path(context.codingPath)) is null"
        default:
            let nsError = error as NSError
            return (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
        }
    }
}
