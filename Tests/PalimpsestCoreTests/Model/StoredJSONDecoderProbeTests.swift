import Foundation
import Testing

@testable import PalimpsestCore

/// A fresh reviewer's probes: inputs where `StoredJSONDecoder` might have differed from
/// Foundation's decoder (numbers that round to zero, canonically equivalent keys, numeric
/// dictionary keys, an array element retried after its error, `decodeIfPresent` in an array, the
/// coding path, depth, scalars). Each gives the same value or error with both.
@Suite struct StoredJSONDecoderProbeTests {
    static func outcome<T: Decodable>(_ type: T.Type, _ data: Data, _ describe: (T) -> String) -> (String, String, Bool)
    {
        let fast = StoredJSONDecoder.decodeWithoutFoundation(T.self, from: data)
        let ours = Result { try StoredJSONDecoder().decode(T.self, from: data) }
        let foundations = Result { try JSONCoding.foundationDecoder().decode(T.self, from: data) }
        func text(_ r: Result<T, any Error>) -> String {
            switch r {
            case .success(let v): "ok(\(describe(v)))"
            case .failure(let e): "throws(\(e))"
            }
        }
        return (text(ours), text(foundations), fast != nil)
    }

    func probe<T: Decodable>(
        _ type: T.Type, _ data: Data, label: String, describe: (T) -> String = { "\($0)" },
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let (a, b, fast) = Self.outcome(type, data, describe)
        #expect(a == b, "\(label) (read without Foundation: \(fast)): \(a) != \(b)", sourceLocation: sourceLocation)
    }

    func probe<T: Decodable>(
        _ type: T.Type, _ json: String, describe: (T) -> String = { "\($0)" },
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        self.probe(type, Data(json.utf8), label: json, describe: describe, sourceLocation: sourceLocation)
    }

    static func bits(_ d: Double) -> String { "\(d) bits=\(String(d.bitPattern, radix: 16))" }
    static func fbits(_ f: Float) -> String { "\(f) bits=\(String(f.bitPattern, radix: 16))" }

    @Test func numbers() {
        for text in [
            "1e-400", "-1e-400", "2e-324", "4.9e-324", "1e-320", "0e5", "-0.0", "-0", "0.0e-999", "1E400",
            "1e308", "1.7976931348623157e308", "1.7976931348623159e308", "9007199254740993",
            "123456789012345678901234567890", "0.1", "1.000000000000000000000000000001",
            "100000000000000000000000000000000000000000000000000000000000e-400",
        ] {
            self.probe(Double.self, text, describe: Self.bits)
            self.probe([Double].self, "[\(text)]", describe: { $0.map(Self.bits).joined() })
        }
        for text in [
            "1e-50", "1e-46", "1e-45", "1.4e-45", "3.4028236e38", "3.4028235e38", "3.40282357e38", "1e39",
            "1.000000059604644775390625000000001", "16777217", "0.1", "-0.0", "1e-400",
        ] {
            self.probe(Float.self, text, describe: Self.fbits)
        }
        for text in [
            "127", "128", "-128", "-129", "255", "256", "-0", "18446744073709551615", "18446744073709551616",
            "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "1.0",
            "1e2", "00", "-", "01",
        ] {
            self.probe(Int8.self, text)
            self.probe(UInt8.self, text)
            self.probe(Int32.self, text)
            self.probe(UInt64.self, text)
            self.probe(Int.self, text)
            self.probe(UInt.self, text)
            self.probe(UInt32.self, text)
        }
    }

    @Test func strings() {
        for text in [
            #""\u0000""#, #""\ud83d\ude00""#, #""\uD83D\uDE00""#, #""\uD83D""#, #""\uDE00""#, #""\/""#,
            #""\ud83d\u0041""#, #""a\u00e9""#, "\"\u{FEFF}a\"", "\u{FEFF}\"a\"", "\"a\"\u{0C}", "\"a\"\u{0B}",
            "\"a\"\u{A0}", "\"\u{7F}\"", "\"\u{2028}\"", "\"\u{FFFF}\"", #""\u00""#, #""\x""#, "\"\t\"",
        ] {
            self.probe(
                String.self, text,
                describe: { $0.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: ",") })
        }
        // Invalid UTF-8: overlong, surrogate, truncated, in a value never decoded and in a decoded one.
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0xFF]] {
            let skipped = Data(#"{"a":1,"b":""#.utf8) + Data(bad) + Data(#""}"#.utf8)
            self.probe(OnlyA.self, skipped, label: "skipped bad utf8 \(bad)", describe: { "\($0.a)" })
            let key = Data(#"{"a":1,""#.utf8) + Data(bad) + Data(#"":2}"#.utf8)
            self.probe(OnlyA.self, key, label: "bad utf8 key \(bad)", describe: { "\($0.a)" })
            let value = Data("\"".utf8) + Data(bad) + Data("\"".utf8)
            self.probe(String.self, value, label: "bad utf8 value \(bad)")
        }
        // UTF-16 and BOM documents.
        self.probe(String.self, Data([0xFE, 0xFF, 0, 0x22, 0, 0x61, 0, 0x22]), label: "utf16be bom")
        self.probe(String.self, Data([0xEF, 0xBB, 0xBF, 0x22, 0x61, 0x22]), label: "utf8 bom")
        self.probe(Int.self, Data([0x31, 0]), label: "1 NUL")
    }

    struct OnlyA: Decodable { var a: Int }

    // NFC / NFD keys: Swift String equality is canonical equivalence.
    struct Accent: Decodable {
        var value: Int?
        enum CodingKeys: String, CodingKey { case value = "\u{E9}" }  // NFC é
    }

    struct AccentRequired: Decodable {
        var value: Int
        enum CodingKeys: String, CodingKey { case value = "\u{E9}" }
    }

    struct AccentContains: Decodable {
        var has: Bool
        enum CodingKeys: String, CodingKey { case value = "\u{E9}" }
        init(from decoder: any Decoder) throws {
            self.has = try decoder.container(keyedBy: CodingKeys.self).contains(.value)
        }
    }

    @Test func canonicalEquivalentKeys() {
        let nfd = "e\u{301}"
        let nfc = "\u{E9}"
        self.probe(Accent.self, "{\"\(nfd)\":1}", describe: { "\($0.value as Any)" })
        self.probe(AccentRequired.self, "{\"\(nfd)\":1}", describe: { "\($0.value)" })
        self.probe(AccentContains.self, "{\"\(nfd)\":1}", describe: { "\($0.has)" })
        self.probe(Accent.self, "{\"\(nfd)\":1,\"\(nfc)\":2}", describe: { "\($0.value as Any)" })
        self.probe(AccentRequired.self, "{\"\(nfd)\":1,\"\(nfc)\":2}", describe: { "\($0.value)" })
        self.probe([String: Int].self, "{\"\(nfd)\":1,\"\(nfc)\":2}", describe: { "\($0.values.sorted())" })
        // Byte order vs String order: "Z" < "a" in bytes; "é" (C3 A9) vs "f".
        self.probe(
            [String: Int].self, "{\"Z\":1,\"a\":2,\"f\":3,\"\(nfc)\":4}",
            describe: { "\($0.sorted { $0.key < $1.key })" })
        // Hangul: precomposed vs jamo.
        self.probe([String: Int].self, "{\"\u{1100}\u{1161}\":1,\"\u{AC00}\":2}", describe: { "\($0.values.sorted())" })
        // Keys differing after a NUL: only by escape, so Foundation's.
        self.probe([String: Int].self, #"{"a":1,"a\u0000":2}"#, describe: { "\($0.count)" })
        self.probe([String: Int].self, #"{"":1,"a":2}"#, describe: { "\($0.sorted { $0.key < $1.key })" })
        self.probe([String: Int].self, #"{"a":1,"a":2}"#, describe: { "\($0)" })
    }

    @Test func intKeyedDictionaries() {
        for _ in 0..<3 {
            self.probe([Int: String].self, #"{"01":"a","1":"b"}"#, describe: { "\($0)" })
            self.probe([Int: String].self, #"{"+1":"a","1":"b"}"#, describe: { "\($0)" })
        }
        self.probe([Int: String].self, #"{"1":"a","x":"b"}"#, describe: { "\($0)" })
        self.probe([Int: String].self, #"{"-0":"a"}"#, describe: { "\($0)" })
    }

    enum Color: String, Decodable { case red, green }
    struct Skip: Decodable { init(from decoder: any Decoder) throws {} }

    /// The common "lossy array" pattern.
    struct Lossy: Decodable {
        var colors: [Color] = []
        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            while !container.isAtEnd {
                if let color = try? container.decode(Color.self) {
                    self.colors.append(color)
                } else {
                    _ = try container.decode(Skip.self)
                }
            }
        }
    }

    struct Path: Decodable {
        var path: String
        init(from decoder: any Decoder) throws {
            self.path = decoder.codingPath.map(\.stringValue).joined(separator: ".")
        }
    }

    struct HasPath: Decodable { var a: [Path] }

    struct IndexAfterIfPresent: Decodable {
        var index: Int
        var values: [String?]
        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            self.values = [
                try container.decodeIfPresent(String.self), try container.decodeIfPresent(String.self),
                try container.decodeIfPresent(String.self),
            ]
            self.index = container.currentIndex
        }
    }

    struct Keys: Decodable {
        var keys: [String]
        init(from decoder: any Decoder) throws {
            self.keys = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    @Test func decodingPatterns() {
        self.probe(Lossy.self, #"["x","red","green"]"#, describe: { "\($0.colors)" })
        self.probe(HasPath.self, #"{"a":[1]}"#, describe: { $0.a.map(\.path).joined() })
        self.probe(IndexAfterIfPresent.self, #"["a"]"#, describe: { "\($0.values) \($0.index)" })
        // `allKeys` comes in hash order from Foundation (it changes from run to run): compared as sets.
        self.probe(Keys.self, #"{"a":1,"b":2,"c":3,"d":4,"e":5}"#, describe: { "\($0.keys.sorted())" })
        self.probe(String??.self, "null", describe: { "\($0 as Any)" })
        self.probe([String??].self, "[null]", describe: { "\($0)" })
        self.probe(Set<Int>.self, "[1,1]", describe: { "\($0.sorted())" })
        self.probe(Color.self, #""blue""#)
    }

    @Test func zeros() {
        for text in [
            "0e5", "0E1", "0e-5", "0e+5", "-0e5", "0e0", "0.0e5", "0.00e5", "0.000e5", "0.0000e5", "-0.00e1", "0.0e55",
            "0e10", "0.0", "0." + String(repeating: "0", count: 400) + "1",
            "0." + String(repeating: "0", count: 50) + "1",
        ] {
            self.probe(Double.self, text, describe: Self.bits)
            self.probe(Float.self, text, describe: Self.fbits)
        }
    }

    @Test func keyOrder() {
        self.probe([Int: String].self, #"{"+1":"a","1":"b"}"#, describe: { "\($0)" })
    }

    @Test func depthAndScalars() {
        for depth in [511, 512, 513] {
            let json = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            self.probe(Nested.self, Data(json.utf8), label: "depth \(depth)", describe: { "\($0.depth)" })
            let objects =
                String(repeating: "{\"a\":", count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
            self.probe(
                NestedObject.self, Data(objects.utf8), label: "object depth \(depth)", describe: { "\($0.depth)" })
        }
        self.probe(Int.self, " 1 ")
        self.probe(Bool.self, "true")
        self.probe(String?.self, "null", describe: { "\($0 as Any)" })
        self.probe(Int.self, "")
        self.probe(Int.self, "1 2")
    }

    indirect enum Nested: Decodable {
        case leaf
        case node(Nested)
        var depth: Int {
            switch self {
            case .leaf: 1
            case .node(let n): n.depth + 1
            }
        }
        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            self = c.isAtEnd ? .leaf : .node(try c.decode(Nested.self))
        }
    }

    indirect enum NestedObject: Decodable {
        case leaf
        case node(NestedObject)
        enum CodingKeys: CodingKey { case a }
        var depth: Int {
            switch self {
            case .leaf: 1
            case .node(let n): n.depth + 1
            }
        }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self = try c.decodeIfPresent(NestedObject.self, forKey: .a).map { .node($0) } ?? .leaf
        }
    }

    struct Foundationy: Decodable, Equatable {
        var date: Date?
        var url: URL?
        var data: Data?
    }

    @Test func foundationTypes() {
        for date in [
            "2026-11-29T22:18:40Z", "2026-11-29T22:18:40.123Z", "2026-11-29T22:18:40+01:00", " 2026-11-29T22:18:40Z",
            "2026-02-30T00:00:00Z", "1582-10-10T00:00:00Z", "2026-11-29T22:18:40.1234Z", "2026-11-29t22:18:40z",
        ] {
            self.probe(Date.self, "\"\(date)\"", describe: { "\($0.timeIntervalSince1970)" })
            self.probe(Foundationy.self, "{\"date\":\"\(date)\"}", describe: { "\($0)" })
        }
        for url in ["", " ", "a b", "/relative", "http://x/ä", "%", "http://[::1", "\\\\"] {
            self.probe(URL.self, "\"\(url)\"", describe: { $0.absoluteString })
            self.probe(Foundationy.self, "{\"url\":\"\(url)\"}", describe: { "\($0)" })
        }
        for data in ["", "YQ==", "YQ", "Y Q==", "YQ==\\n", "YQ=", "Y\\/8=", "====", "YWJj\\r\\nZGVm"] {
            self.probe(Data.self, "\"\(data)\"", describe: { "\(Array($0))" })
        }
        self.probe(Decimal.self, "1.5")
    }
}
