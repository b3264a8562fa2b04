import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// `StoredJSONDecoder` gives the value or the error Foundation's decoder gives, for what the
/// encoders write (read without Foundation) and for anything else (handed to Foundation).
@Suite struct StoredJSONDecoderTests {
    typealias Sample = DocumentJSONEncoderTests.Sample

    /// Decodes `json` as a `T` with both decoders: the same value, or errors that read the same.
    private func expectSameOutcome<T: Decodable & Equatable>(
        _ type: T.Type, _ json: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        self.expectSameOutcome(type, Data(json.utf8), label: json, sourceLocation: sourceLocation)
    }

    private func expectSameOutcome<T: Decodable & Equatable>(
        _ type: T.Type, _ data: Data, label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let ours = Result { try StoredJSONDecoder().decode(T.self, from: data) }
        let foundations = Result { try JSONCoding.foundationDecoder().decode(T.self, from: data) }
        switch (ours, foundations) {
        case (.success(let a), .success(let b)):
            #expect(a == b, "\(label): \(a) != \(b)", sourceLocation: sourceLocation)
        case (.failure(let a), .failure(let b)):
            #expect("\(a)" == "\(b)", "\(label): the errors differ", sourceLocation: sourceLocation)
        case (.success(let a), .failure(let b)):
            Issue.record("\(label): decoded \(a) where Foundation throws \(b)", sourceLocation: sourceLocation)
        case (.failure(let a), .success(let b)):
            Issue.record("\(label): throws \(a) where Foundation decodes \(b)", sourceLocation: sourceLocation)
        }
    }

    @Test func decodesWhatTheEncodersWriteWithoutFoundationToTheSameValues() throws {
        var random = RandomText(seed: 0x5701)
        var withoutFoundation = 0
        for index in 0..<300 {
            var value = DocumentJSONEncoderTests().sample(&random, index: index)
            // Shares are written rounded to four places: compare with what was written.
            value.children = value.children.map {
                DocumentJSONEncoderTests.Child(name: $0.name, kind: $0.kind, share: 0.1429)
            }
            value.child = value.child.map { DocumentJSONEncoderTests.Child(name: $0.name, kind: $0.kind, share: 0.5) }
            for written in [try DocumentJSONEncoder.encode(value), try LineJSONEncoder.encode(value)] {
                let decoded = try StoredJSONDecoder().decode(Sample.self, from: written)
                #expect(decoded == value, "value \(index)")
                #expect(decoded == (try JSONCoding.foundationDecoder().decode(Sample.self, from: written)))
                // Keys with an escape (`key"quote`, U+0001) or not ASCII (`é`) are Foundation's to
                // read; every other document is read without it.
                let oddKey = value.byName.keys.contains {
                    $0.contains("\"") || $0.contains("\u{1}") || !$0.utf8.allSatisfy { $0 < 0x80 }
                }
                let fast = StoredJSONDecoder.decodeWithoutFoundation(Sample.self, from: written)
                #expect(fast == (oddKey ? nil : value), "value \(index)")
                if fast != nil { withoutFoundation += 1 }
            }
        }
        #expect(withoutFoundation > 50)
    }

    @Test func readsTheLogLinesOfTheDigestFixtureWithoutFoundation() throws {
        let log = try Data(contentsOf: TestFixtures.root.appendingPathComponent("digest/deletions.jsonl"))
        let lines = JSONLines.split(log).lines
        #expect(lines.count == 10)
        for line in lines {
            let fast = StoredJSONDecoder.decodeWithoutFoundation(Event.self, from: line.bytes)
            #expect(fast != nil)
            #expect(fast == (try JSONCoding.foundationDecoder().decode(Event.self, from: line.bytes)))
            // And it writes back the same bytes.
            #expect(try fast.map { try LineJSONEncoder.encode($0) } == line.bytes)
        }
    }

    @Test func readsEveryFieldOfAnEventWithoutFoundation() throws {
        var event = Event(
            id: "0123456789abcdef0123456789abcdef", detectedAt: Date(timeIntervalSince1970: 1_764_000_000.125),
            event: .restored, platform: .weibo, account: AccountKey(rawValue: "weibo:1234567890"),
            accountName: "官方 \"账号\"\n\\",
            evidence: [
                EvidenceReference(
                    path: "accounts/x/evidence/a.body", sha256: String(repeating: "a", count: 64),
                    url: "https://x.test/a",
                    status: 200, fetchedAt: Date(timeIntervalSince1970: 1_764_000_000))
            ])
        event.seq = 9_007_199_254_740_993
        event.reason = .censored
        event.confirmedBy = .probe
        event.postID = "5012345678901234"
        event.postKind = .repost
        event.about = .repostedOriginal
        event.url = "https://weibo.com/1234567890/5012345678901234"
        event.postedAt = Date(timeIntervalSince1970: 1_700_000_000)
        event.firstSeen = Date(timeIntervalSince1970: 1_700_000_060)
        event.lastSeen = Date(timeIntervalSince1970: 1_763_000_000.5)
        event.firstMissing = Date(timeIntervalSince1970: 1_763_000_600)
        event.lifetime = SecondsInterval(minSeconds: 0, maxSeconds: Int.max)
        event.goneFor = SecondsInterval(minSeconds: 60, maxSeconds: 120)
        event.text = "😀 \u{1} \u{2028} </script> 中文"
        event.previousText = ""
        event.diff = "[-a-]{+b+}"
        event.textTruncated = true
        event.editedAt = Date(timeIntervalSince1970: -1)
        event.previousVersion = "v1"
        event.version = "v2"
        event.blind = BlindSpan(
            from: Date(timeIntervalSince1970: 1_763_000_000), to: nil, failedPolls: 3,
            failure: PollFailure(kind: .rateLimited, message: "HTTP 429", httpStatus: 429))
        event.detail = "HTTP 200 {\"ok\":0}"
        event.snapshot = "snap"
        event.prev = String(repeating: "0", count: 64)
        for line in [try LineJSONEncoder.encode(event), try DocumentJSONEncoder.encode(event)] {
            #expect(StoredJSONDecoder.decodeWithoutFoundation(Event.self, from: line) == event)
        }
    }

    @Test func givesFoundationsValueOrErrorForAnyOtherDocument() {
        let samples: [String] = [
            // Whitespace, and what is not JSON.
            " \n\t{\"text\":\"a\",\"count\":1}\r\n ", "{\"text\":\"a\",\"count\":1} x", "{\"text\":\"a\",\"count\":1}}",
            "", " ", "{", "{\"text\":\"a\",\"count\":1", "{\"text\":\"a\" \"count\":1}",
            "{\"text\":\"a\",,\"count\":1}",
            "{\"text\":\"a\",\"count\":1,}", "[1,]", "{'text':'a','count':1}", "\u{FEFF}{\"text\":\"a\",\"count\":1}",
            "{\"count\":1,\"text\":\"a\"}",  // keys not sorted
            "{\"count\":1,\"count\":2,\"text\":\"a\"}",  // a key repeated
            "{\"count\":1,\"te\\u0078t\":\"a\"}",  // an escape in a key
            // Strings.
            "{\"count\":1,\"text\":\"tab\there\"}", "{\"count\":1,\"text\":\"\\u00e9\\n\\\"\\\\\\/\\b\\f\\r\\t\"}",
            "{\"count\":1,\"text\":\"\\ud83d\\ude00\"}", "{\"count\":1,\"text\":\"\\ud83d\"}",
            "{\"count\":1,\"text\":\"\\ude00\"}", "{\"count\":1,\"text\":\"\\ud83dx\"}",
            "{\"count\":1,\"text\":\"\\x\"}",
            "{\"count\":1,\"text\":\"\\u12\"}", "{\"count\":1,\"text\":\"\\u0000\"}", "{\"count\":1,\"text\":\"a",
            // Numbers.
            "{\"count\":1.0,\"text\":\"a\"}", "{\"count\":1e2,\"text\":\"a\"}", "{\"count\":1.5,\"text\":\"a\"}",
            "{\"count\":-0,\"text\":\"a\"}", "{\"count\":01,\"text\":\"a\"}", "{\"count\":+1,\"text\":\"a\"}",
            "{\"count\":9223372036854775807,\"text\":\"a\"}", "{\"count\":9223372036854775808,\"text\":\"a\"}",
            "{\"count\":-9223372036854775808,\"text\":\"a\"}", "{\"count\":-,\"text\":\"a\"}",
            "{\"count\":1.,\"text\":\"a\"}", "{\"count\":1e,\"text\":\"a\"}", "{\"count\":\"1\",\"text\":\"a\"}",
            "{\"big\":18446744073709551615,\"count\":1,\"text\":\"a\"}",
            "{\"big\":18446744073709551616,\"count\":1,\"text\":\"a\"}",
            "{\"big\":-0,\"count\":1,\"text\":\"a\"}", "{\"big\":-1,\"count\":1,\"text\":\"a\"}",
            "{\"big\":0,\"count\":1,\"text\":\"a\"}",
            "{\"count\":1,\"small\":127,\"text\":\"a\"}", "{\"count\":1,\"small\":128,\"text\":\"a\"}",
            "{\"count\":1,\"ratio\":0.1,\"text\":\"a\"}", "{\"count\":1,\"ratio\":3.4e39,\"text\":\"a\"}",
            "{\"count\":1,\"share\":1e-400,\"text\":\"a\"}",
            "{\"count\":1,\"share\":5e-324,\"text\":\"a\"}",
            "{\"count\":1,\"share\":2.2250738585072014e-308,\"text\":\"a\"}",
            "{\"count\":1,\"share\":2.225073858507201e-308,\"text\":\"a\"}",
            "{\"count\":1,\"share\":1e308,\"text\":\"a\"}",
            "{\"count\":1,\"share\":1.7976931348623159e308,\"text\":\"a\"}",
            "{\"count\":1,\"share\":0e-999,\"text\":\"a\"}",
            "{\"count\":1,\"share\":0.0000,\"text\":\"a\"}",
            "{\"count\":1,\"share\":-0.0,\"text\":\"a\"}",
            "{\"count\":1,\"share\":-0,\"text\":\"a\"}",
            "{\"count\":1,\"share\":1E2,\"text\":\"a\"}",
            "{\"count\":1,\"share\":123456789012345678901234567890,\"text\":\"a\"}",
            "{\"count\":1,\"share\":0.1,\"text\":\"a\"}",
            "{\"count\":1,\"share\":1e-7,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":1e-400,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":1e400,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":123456789012345678901234567890,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":-123456789012345678901234567890,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":5e-324,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":2.2250738585072014e-308,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":1e308,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":1.7976931348623159e308,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":0e-999,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":0.0000,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":-0.0,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":1E2,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":18446744073709551616,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":9223372036854775808,\"text\":\"a\"}",
            "{\"count\":1,\"extra\":-9223372036854775809,\"text\":\"a\"}",
            "{\"count\":1,\"share\":1,\"text\":\"a\"}", "{\"count\":1,\"share\":-1.5e-3,\"text\":\"a\"}",
            "{\"count\":1,\"share\":1e999,\"text\":\"a\"}", "{\"count\":1,\"share\":NaN,\"text\":\"a\"}",
            // Literals, types, missing values.
            "{\"count\":1,\"flag\":true,\"text\":\"a\"}", "{\"count\":1,\"flag\":tru,\"text\":\"a\"}",
            "{\"count\":1,\"flag\":1,\"text\":\"a\"}", "{\"count\":1,\"flag\":null,\"text\":\"a\"}",
            "{\"count\":null,\"text\":\"a\"}", "{\"text\":\"a\"}", "{\"count\":1}", "{\"count\":1,\"text\":null}",
            "{\"count\":1,\"text\":[\"a\"]}", "[]", "null", "\"a\"",
            // Dates, URLs, Base64.
            "{\"at\":\"2026-11-29T22:18:40Z\",\"count\":1,\"text\":\"a\"}",
            "{\"at\":\"2026-11-29T22:18:40.123+02:00\",\"count\":1,\"text\":\"a\"}",
            "{\"at\":\"yesterday\",\"count\":1,\"text\":\"a\"}", "{\"at\":0,\"count\":1,\"text\":\"a\"}",
            "{\"count\":1,\"link\":\"https://example.org/a?b=c\",\"text\":\"a\"}",
            "{\"count\":1,\"link\":\"\",\"text\":\"a\"}", "{\"count\":1,\"link\":\"a b\",\"text\":\"a\"}",
            "{\"blob\":\"AAEC\",\"count\":1,\"text\":\"a\"}", "{\"blob\":\"AAE\",\"count\":1,\"text\":\"a\"}",
            // Arrays and objects inside.
            "{\"count\":1,\"list\":[1,2,3],\"text\":\"a\"}", "{\"count\":1,\"list\":[1,\"2\"],\"text\":\"a\"}",
            "{\"count\":1,\"list\":[1,null],\"text\":\"a\"}", "{\"count\":1,\"list\":{},\"text\":\"a\"}",
            "{\"count\":1,\"nested\":{\"a\":[\"x\"],\"b\":[]},\"text\":\"a\"}",
            "{\"count\":1,\"nested\":{\"b\":[],\"a\":[\"x\"]},\"text\":\"a\"}",
            "{\"count\":1,\"nested\":{\"é\":[],\"z\":[]},\"text\":\"a\"}",
            "{\"count\":1,\"nested\":{\"z\":[],\"é\":[]},\"text\":\"a\"}",
            "{\"count\":1,\"extra\":{\"deep\":[[[{}]]]},\"text\":\"a\"}",
            String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
            "{\"count\":1,\"extra\":" + String(repeating: "[", count: 255) + String(repeating: "]", count: 255)
                + ",\"text\":\"a\"}",
            "{\"count\":1,\"extra\":" + String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
                + ",\"text\":\"a\"}",
            "{\"count\":1,\"extra\":" + String(repeating: "[", count: 520) + String(repeating: "]", count: 520)
                + ",\"text\":\"a\"}",
        ]
        for json in samples {
            self.expectSameOutcome(Loose.self, json)
            self.expectSameOutcome(Lenient.self, json)
        }
        // Bytes that are not UTF-8, in a value and in a key nothing reads.
        for bytes: [UInt8] in [
            Array("{\"count\":1,\"text\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8),
            Array("{\"count\":1,\"text\":\"".utf8) + [0xED, 0xA0, 0x80] + Array("\"}".utf8),
            Array("{\"count\":1,\"text\":\"".utf8) + [0xC0, 0xAF] + Array("\"}".utf8),
            Array("{\"count\":1,\"te".utf8) + [0xFF] + Array("\":\"a\"}".utf8),
        ] {
            self.expectSameOutcome(Loose.self, Data(bytes), label: "\(bytes)")
        }
        // Arrays and scalars at the top.
        self.expectSameOutcome([Int].self, "[1, 2 ,3]")
        self.expectSameOutcome([Int?].self, "[1,null]")
        self.expectSameOutcome([String: Int].self, "{\"a\":1,\"b\":2}")
        self.expectSameOutcome([String: Int].self, "{\"b\":1,\"a\":2}")
        self.expectSameOutcome(String.self, "\"x\"")
        self.expectSameOutcome(Int.self, "7")
        self.expectSameOutcome(Date.self, "\"2026-11-29T22:18:40Z\"")
    }

    @Test func aTypeThatCatchesItsOwnErrorGetsFoundationsValue() throws {
        // 1.0 as an Int is not read here; the type swallows the error, the document goes to
        // Foundation all the same.
        let json = Data("{\"count\":1.0,\"text\":\"a\"}".utf8)
        #expect(StoredJSONDecoder.decodeWithoutFoundation(Lenient.self, from: json) == nil)
        #expect(
            try StoredJSONDecoder().decode(Lenient.self, from: json)
                == (try JSONCoding.foundationDecoder().decode(Lenient.self, from: json)))
    }

    @Test func neverReadsWithoutFoundationWhatFoundationRefuses() {
        for json in [
            "{\"count\":1,\"text\":\"a\"} x", "{\"count\":01,\"text\":\"a\"}", "{\"count\":1,\"text\":\"\\ud83d\"}",
            "{\"count\":1,\"count\":2,\"text\":\"a\"}", "{\"count\":1,\"text\":\"tab\there\"}",
        ] {
            #expect(StoredJSONDecoder.decodeWithoutFoundation(Loose.self, from: Data(json.utf8)) == nil, "\(json)")
        }
    }

    /// Every kind of value, most of them optional.
    struct Loose: Codable, Equatable {
        var text: String
        var count: Int
        var small: Int8?
        var big: UInt64?
        var share: Double?
        var ratio: Float?
        var flag: Bool?
        var at: Date?
        var link: URL?
        var blob: Data?
        var list: [Int]?
        var nested: [String: [String]]?
    }

    /// A type that reads `count` with `try?`.
    struct Lenient: Decodable, Equatable {
        var count: Int?
        var text: String?

        enum CodingKeys: String, CodingKey { case count, text }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.count = try? container.decode(Int.self, forKey: .count)
            self.text = try? container.decodeIfPresent(String.self, forKey: .text)
        }
    }
}
