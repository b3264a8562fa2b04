import Foundation

/// One `ok: 1` answer of the timeline container (`getIndex?…&containerid=107603<uid>`): its
/// cards, of which `card_type` 9 are posts (FORMATS.md §3 "Stable post ID"; fixture
/// `getIndex_107603_arknights_snapshot0.json`).
///
/// A post card whose `mblog` is missing or unreadable makes the whole answer unreadable: a post
/// silently left out would look missing to the detector. Other card types are skipped.
struct WeiboTimelinePage: Decodable, Sendable {
    /// The mblogs of the post cards, in the order of the answer.
    var statuses: [WeiboStatus]

    private struct Payload: Decodable {
        var cards: [Card]?
    }

    private struct Card: Decodable {
        var status: WeiboStatus?

        enum CodingKeys: String, CodingKey {
            case cardType = "card_type"
            case mblog
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type =
                container.decodeLeniently(Int.self, forKey: .cardType)
                ?? container.decodeLeniently(String.self, forKey: .cardType).flatMap { Int($0) }
            self.status = type == 9 ? try container.decode(WeiboStatus.self, forKey: .mblog) : nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case data
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let payload = try container.decode(Payload.self, forKey: .data)
        self.statuses = (payload.cards ?? []).compactMap(\.status)
    }
}
