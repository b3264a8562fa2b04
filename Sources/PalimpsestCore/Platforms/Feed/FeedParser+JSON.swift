import Foundation

/// JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/).
extension FeedParser {
    /// The fields of a JSON Feed document that Palimpsest reads; everything else is ignored.
    private struct Document: Decodable {
        var version: String?
        var title: String?
        var items: [Item]?
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

    static func parseJSONFeed(_ body: Data, feedURL: URL) throws(FeedParseError) -> ParsedFeed {
        var data = body
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data = data.dropFirst(3) }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw FeedParseError(
                kind: .malformedJSON, format: .jsonFeed,
                message: "the body is not valid JSON (\(Self.jsonReason(error))); it may be truncated")
        }
        guard let dictionary = object as? [String: Any] else {
            throw FeedParseError(
                kind: .unknownFormat, format: nil, message: "the body is JSON but not an object, so not a JSON Feed")
        }
        guard let version = dictionary["version"] as? String,
            version.hasPrefix("https://jsonfeed.org/version/") || version.hasPrefix("http://jsonfeed.org/version/")
        else {
            let keys = dictionary.keys.sorted().prefix(8).joined(separator: ", ")
            throw FeedParseError(
                kind: .unknownFormat, format: nil,
                message: "the body is JSON but not a JSON Feed: no \"version\" of https://jsonfeed.org/version/… "
                    + "(top-level keys: \(keys.isEmpty ? "none" : keys))")
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw FeedParseError(
                kind: .malformedJSON, format: .jsonFeed,
                message: "the JSON Feed has a field of the wrong type: \(Self.jsonReason(error))")
        }
        let items = (document.items ?? []).map { item in
            Self.makeItem(
                ids: [(item.id?.value, .id), (item.url, .link)],
                fallback: (item.title, item.datePublished, item.contentHTML ?? item.contentText),
                link: item.url,
                title: item.title,
                published: item.datePublished,
                updated: item.dateModified,
                html: item.contentHTML,
                plainText: item.contentText ?? item.summary,
                media: [item.image, item.bannerImage].compactMap { $0 } + (item.attachments ?? []).compactMap(\.url),
                extraLinks: [item.externalURL].compactMap { $0 },
                feedURL: feedURL)
        }
        let versionNumber = version.split(separator: "/").last.map(String.init)
        return ParsedFeed(format: .jsonFeed, version: versionNumber, title: document.title, items: items)
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
