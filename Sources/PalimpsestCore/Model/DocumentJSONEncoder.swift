public import Foundation

/// Writes an `Encodable` value as the same bytes as ``JSONCoding/documentEncoder()`` (sorted keys,
/// slashes unescaped, indented by two spaces, `"key" : value`, dates as RFC 3339 UTC), in one byte
/// buffer: Foundation's `JSONEncoder` took a sixth of a `digest` of 100,000 events (a
/// `digest.json` of 180 MB).
///
/// Every `Codable` type encodes through it as through `JSONEncoder` (the same containers and
/// calls); the formatting follows Foundation's: an empty array or object is written `[`, an empty
/// line and `]`; `Double` and `Float` as their `description` without a trailing `.0`; `Date` as
/// ``RFC3339/string(from:)``; `URL` as its absolute string; `Data` in Base64; strings with `"`, `\`
/// and the control characters U+0000 to U+001F escaped (`\b`, `\t`, `\n`, `\f`, `\r`, else
/// `\u00XX` in lowercase hex), everything else as it is. `DocumentJSONEncoderTests` compares the
/// two encoders byte for byte. Coding paths are not kept (each `codingPath` is empty, so an error
/// names no path): building one per value cost more than the rest of the encoding.
public enum DocumentJSONEncoder {
    /// The JSON of `value`, byte for byte what `JSONCoding.documentEncoder().encode(value)` gives.
    /// - Parameter value: The value to encode.
    /// - Returns: UTF-8 JSON, without a final line feed (as `JSONEncoder`).
    /// - Throws: `EncodingError.invalidValue` when a `Double` or `Float` is not finite, or the
    ///   value encodes nothing (as `JSONEncoder`).
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let node = try JSONNodeEncoder.root(value)
        var output: [UInt8] = []
        output.reserveCapacity(1 << 16)
        var orders = JSONKeyOrders()
        try JSONNode.write(node, depth: 0, into: &output, orders: &orders, flush: { _ in })
        return Data(output)
    }

    /// Writes the JSON of `value`, the same bytes as ``encode(_:)``, handing them to `emit` in
    /// pieces of about `chunkSize` bytes: the accounts of `status.json` (``DaemonStatus``, about
    /// 430 bytes each) and of `status --json` are encoded one at a time while the document is
    /// written, so a document of 100,000 accounts needs a few of them in memory, not the whole
    /// tree (that was 180 MB more resident memory for a 43 MB file).
    /// - Parameters:
    ///   - value: The value to encode.
    ///   - chunkSize: Bytes gathered before `emit` is called (the last piece may be smaller).
    ///   - emit: Takes each piece, in order; what it throws ends the writing.
    /// - Throws: What ``encode(_:)`` throws, or what `emit` throws.
    public static func write<T: Encodable>(
        _ value: T, chunkSize: Int = 1 << 20, to emit: ([UInt8]) throws -> Void
    ) throws {
        let node = try JSONNodeEncoder.root(value)
        var output: [UInt8] = []
        // Grown as the document needs: a chain head or a small state file (a few hundred bytes,
        // written at every log append) does not take a megabyte.
        output.reserveCapacity(min(chunkSize, 1 << 16) + (1 << 12))
        var orders = JSONKeyOrders()
        try JSONNode.write(node, depth: 0, into: &output, orders: &orders) { bytes in
            guard bytes.count >= chunkSize else { return }
            try emit(bytes)
            bytes.removeAll(keepingCapacity: true)
        }
        if !output.isEmpty { try emit(output) }
    }
}

/// Writes an `Encodable` value as the same bytes as ``JSONCoding/lineEncoder()`` (sorted keys,
/// slashes unescaped, no whitespace, dates as RFC 3339 UTC), the way ``DocumentJSONEncoder`` writes
/// the document encoder's: the state store encodes every post, tracked post and state it writes
/// with it (their SHA-256 names a post version, so the bytes must not change), and
/// `JSONEncoder` was a sixth of a first poll's CPU.
public enum LineJSONEncoder {
    /// The JSON of `value`, byte for byte what `JSONCoding.lineEncoder().encode(value)` gives.
    /// - Parameter value: The value to encode.
    /// - Returns: UTF-8 JSON on one line, without a final line feed.
    /// - Throws: `EncodingError.invalidValue` when a `Double` or `Float` is not finite, or the
    ///   value encodes nothing (as `JSONEncoder`).
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let node = try JSONNodeEncoder.root(value)
        var output: [UInt8] = []
        output.reserveCapacity(1 << 10)
        var orders = JSONKeyOrders()
        try JSONNode.writeLine(node, into: &output, orders: &orders)
        return Data(output)
    }
}

/// One encoded value. Objects and arrays are boxes, so that a nested container can still add to
/// them after the container that made them was handed out.
enum JSONNode {
    case null
    case bool(Bool)
    /// A number already in its written form (integers, `Double`, `Float`).
    case number(String)
    case string(String)
    case object(JSONObjectBox)
    case array(JSONArrayBox)
    /// An array whose elements are encoded while it is written (``JSONDeferredArray``).
    case deferred(JSONDeferredArray)

    /// Appends `node` at `depth` levels of indentation (the opening bracket is where the caller is).
    /// `flush` is called with the output after each element of a deferred array, to take what
    /// has gathered.
    /// - Throws: What encoding a deferred array's element throws, or what `flush` throws.
    static func write(
        _ node: JSONNode, depth: Int, into output: inout [UInt8], orders: inout JSONKeyOrders,
        flush: (inout [UInt8]) throws -> Void
    ) throws {
        switch node {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let text):
            output.append(contentsOf: text.utf8)
        case .string(let text):
            Self.writeString(text, into: &output)
        case .array(let box):
            output.append(UInt8(ascii: "["))
            output.append(UInt8(ascii: "\n"))
            if box.elements.isEmpty {
                output.append(UInt8(ascii: "\n"))
                Self.indent(depth, into: &output)
                output.append(UInt8(ascii: "]"))
                return
            }
            for (index, element) in box.elements.enumerated() {
                if index > 0 {
                    output.append(UInt8(ascii: ","))
                    output.append(UInt8(ascii: "\n"))
                }
                Self.indent(depth + 1, into: &output)
                try Self.write(element, depth: depth + 1, into: &output, orders: &orders, flush: flush)
            }
            output.append(UInt8(ascii: "\n"))
            Self.indent(depth, into: &output)
            output.append(UInt8(ascii: "]"))
        case .object(let box):
            output.append(UInt8(ascii: "{"))
            output.append(UInt8(ascii: "\n"))
            if box.entries.isEmpty {
                output.append(UInt8(ascii: "\n"))
                Self.indent(depth, into: &output)
                output.append(UInt8(ascii: "}"))
                return
            }
            var first = true
            for index in orders.order(of: box) {
                let entry = box.entries[index]
                if !first {
                    output.append(UInt8(ascii: ","))
                    output.append(UInt8(ascii: "\n"))
                }
                first = false
                Self.indent(depth + 1, into: &output)
                Self.writeString(entry.key, into: &output)
                output.append(contentsOf: " : ".utf8)
                try Self.write(entry.value, depth: depth + 1, into: &output, orders: &orders, flush: flush)
            }
            output.append(UInt8(ascii: "\n"))
            Self.indent(depth, into: &output)
            output.append(UInt8(ascii: "}"))
        case .deferred(let deferred):
            output.append(UInt8(ascii: "["))
            output.append(UInt8(ascii: "\n"))
            if deferred.count == 0 {
                output.append(UInt8(ascii: "\n"))
                Self.indent(depth, into: &output)
                output.append(UInt8(ascii: "]"))
                return
            }
            for index in 0..<deferred.count {
                if index > 0 {
                    output.append(UInt8(ascii: ","))
                    output.append(UInt8(ascii: "\n"))
                }
                Self.indent(depth + 1, into: &output)
                try Self.write(
                    try deferred.node(at: index), depth: depth + 1, into: &output, orders: &orders, flush: flush)
                try flush(&output)
            }
            output.append(UInt8(ascii: "\n"))
            Self.indent(depth, into: &output)
            output.append(UInt8(ascii: "]"))
        }
    }

    /// Appends `node` without whitespace, as `JSONEncoder` without `.prettyPrinted`.
    /// - Throws: What encoding a deferred array's element throws.
    static func writeLine(_ node: JSONNode, into output: inout [UInt8], orders: inout JSONKeyOrders) throws {
        switch node {
        case .null, .bool, .number, .string:
            try Self.write(node, depth: 0, into: &output, orders: &orders, flush: { _ in })
        case .array(let box):
            output.append(UInt8(ascii: "["))
            for (index, element) in box.elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try Self.writeLine(element, into: &output, orders: &orders)
            }
            output.append(UInt8(ascii: "]"))
        case .deferred(let deferred):
            output.append(UInt8(ascii: "["))
            for index in 0..<deferred.count {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try Self.writeLine(try deferred.node(at: index), into: &output, orders: &orders)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let box):
            output.append(UInt8(ascii: "{"))
            var first = true
            for index in orders.order(of: box) {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                Self.writeString(box.entries[index].key, into: &output)
                output.append(UInt8(ascii: ":"))
                try Self.writeLine(box.entries[index].value, into: &output, orders: &orders)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func indent(_ depth: Int, into output: inout [UInt8]) {
        for _ in 0..<(2 * depth) { output.append(UInt8(ascii: " ")) }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `text` in double quotes, escaped as `JSONEncoder` escapes it; runs of bytes that need no
    /// escape are copied whole.
    static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                }
                runStart = index + 1
                output.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
                case 0x08: output.append(UInt8(ascii: "b"))
                case 0x09: output.append(UInt8(ascii: "t"))
                case 0x0A: output.append(UInt8(ascii: "n"))
                case 0x0C: output.append(UInt8(ascii: "f"))
                case 0x0D: output.append(UInt8(ascii: "r"))
                default:
                    output.append(contentsOf: "u00".utf8)
                    output.append(Self.hexDigits[Int(byte >> 4)])
                    output.append(Self.hexDigits[Int(byte & 0x0F)])
                }
            }
            if runStart < bytes.count {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// A finite `Double` or `Float` as `JSONEncoder` writes it: its description without a
    /// trailing `.0`.
    static func number<Number: BinaryFloatingPoint & CustomStringConvertible>(_ value: Number) throws -> JSONNode {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value,
                EncodingError.Context(codingPath: [], debugDescription: "Unable to encode \(value) directly in JSON."))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }
}

/// An object's keys and values in the order they were encoded.
final class JSONObjectBox {
    var entries: [(key: String, value: JSONNode)] = []
    /// The `CodingKey` type of the containers that encoded the entries; `nil` when there are
    /// several, or a super encoder added one (``JSONKeyOrders`` remembers the order of a type's keys).
    private(set) var keyType: ObjectIdentifier?
    private var isFresh = true

    /// Notes that a container with keys of `type` writes into this object.
    func noteKeyType(_ type: ObjectIdentifier) {
        if self.isFresh {
            self.keyType = type
            self.isFresh = false
        } else if self.keyType != type {
            self.keyType = nil
        }
    }

    /// Notes that entries of no one key type were added (a super encoder's).
    func noteMixedKeys() {
        self.isFresh = false
        self.keyType = nil
    }

    /// The indices of ``entries`` to write, sorted by key; of a key encoded twice the last value
    /// counts (as in `JSONEncoder`).
    func orderedEntries() -> [Int] {
        let order = self.entries.indices.sorted { a, b in
            let (keyA, keyB) = (self.entries[a].key, self.entries[b].key)
            return keyA == keyB ? a < b : keyA < keyB
        }
        return order.indices.compactMap { position in
            let index = order[position]
            let isOverwritten =
                position + 1 < order.count && self.entries[order[position + 1]].key == self.entries[index].key
            return isOverwritten ? nil : index
        }
    }
}

/// The order in which objects' keys are written, remembered per `CodingKey` type while one
/// document (or one part of one) is written: most objects of a type encode the same keys in the
/// same order, and sorting the keys of each of a digest's million objects was a sixth of writing
/// `digest.json`. A remembered order is used only for the same keys in the same order.
struct JSONKeyOrders {
    private var byType: [ObjectIdentifier: (keys: [String], order: [Int])] = [:]

    /// The indices of `box`'s entries to write (``JSONObjectBox/orderedEntries()``).
    mutating func order(of box: JSONObjectBox) -> [Int] {
        guard let type = box.keyType else { return box.orderedEntries() }
        if let known = self.byType[type], known.keys.count == box.entries.count,
            zip(known.keys, box.entries).allSatisfy({ $0 == $1.key })
        {
            return known.order
        }
        let order = box.orderedEntries()
        self.byType[type] = (box.entries.map(\.key), order)
        return order
    }
}

/// An array's elements.
final class JSONArrayBox {
    var elements: [JSONNode] = []
}

/// An array of many values of one kind whose nodes are made one at a time while the document is
/// written, and dropped once written: the accounts of `status.json`, of `status --json` and of
/// `digest.json` (``JSONNodeEncoder/box(_:)`` names the kinds). The same bytes as an
/// ``JSONArrayBox`` of them.
struct JSONDeferredArray {
    /// How many elements the array has.
    let count: Int
    /// Makes the node of the element at an index in `0..<count`.
    private let makeNode: (Int) throws -> JSONNode

    /// The deferred array of `elements`.
    init<Element: Encodable>(_ elements: [Element]) {
        self.count = elements.count
        self.makeNode = { index in try JSONNodeEncoder.box(elements[index]) ?? .object(JSONObjectBox()) }
    }

    /// The node of the element at `index`.
    /// - Throws: What the element's `encode(to:)` throws.
    func node(at index: Int) throws -> JSONNode {
        try self.makeNode(index)
    }
}

/// The `Encoder` handed to each value's `encode(to:)`; what it encoded is ``node``.
final class JSONNodeEncoder: Encoder {
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// What the value encoded, `nil` while nothing.
    var node: JSONNode?
    /// Called with ``node`` when this encoder goes away (a `superEncoder`'s value is stored then).
    var onFinish: ((JSONNode?) -> Void)?

    init() {}

    deinit {
        self.onFinish?(self.node)
    }

    /// `value` encoded as the top level of a document.
    /// - Throws: `EncodingError.invalidValue` when it encodes nothing (as `JSONEncoder`), or what
    ///   ``box(_:)`` throws.
    static func root<T: Encodable>(_ value: T) throws -> JSONNode {
        guard let node = try Self.box(value) else {
            throw EncodingError.invalidValue(
                value,
                EncodingError.Context(codingPath: [], debugDescription: "Top-level value did not encode any values."))
        }
        return node
    }

    /// `value` encoded: dates, URLs and data as `JSONEncoder` writes them with the document
    /// encoder's strategies, anything else through its `encode(to:)`; `nil` when it encodes nothing.
    static func box<T: Encodable>(_ value: T) throws -> JSONNode? {
        // Metatypes compared first: a cast per value cost more than the comparison.
        if T.self == Date.self, let date = value as? Date { return .string(RFC3339.string(from: date)) }
        if T.self == URL.self, let url = value as? URL { return .string(url.absoluteString) }
        if T.self == Data.self, let data = value as? Data { return .string(data.base64EncodedString()) }
        if T.self == Decimal.self, let decimal = value as? Decimal { return .number(decimal.description) }
        // The large documents' account lists: encoded while written (JSONDeferredArray).
        if T.self == [DaemonStatus.AccountEntry].self, let entries = value as? [DaemonStatus.AccountEntry] {
            return .deferred(JSONDeferredArray(entries))
        }
        if T.self == [StatusReport.Row].self, let rows = value as? [StatusReport.Row] {
            return .deferred(JSONDeferredArray(rows))
        }
        // A digest's accounts: 100,000 of them with their entries were a tree of millions of nodes
        // held whole until written.
        if T.self == [DigestAccount].self, let accounts = value as? [DigestAccount] {
            return .deferred(JSONDeferredArray(accounts))
        }
        let encoder = JSONNodeEncoder()
        try value.encode(to: encoder)
        return encoder.node
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: JSONObjectBox
        if case .object(let existing)? = self.node {
            box = existing
        } else {
            box = JSONObjectBox()
            self.node = .object(box)
        }
        return KeyedEncodingContainer(JSONKeyedContainer<Key>(box: box))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: JSONArrayBox
        if case .array(let existing)? = self.node {
            box = existing
        } else {
            box = JSONArrayBox()
            self.node = .array(box)
        }
        return JSONUnkeyedContainer(box: box)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONSingleValueContainer(encoder: self)
    }
}

private struct JSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: JSONObjectBox
    var codingPath: [any CodingKey] { [] }

    init(box: JSONObjectBox) {
        self.box = box
        box.noteKeyType(ObjectIdentifier(Key.self))
    }

    private func set(_ node: JSONNode, _ key: Key) {
        self.box.entries.append((key.stringValue, node))
    }

    mutating func encodeNil(forKey key: Key) throws { self.set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { self.set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { self.set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        self.set(try JSONNode.number(value), key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        self.set(try JSONNode.number(value), key)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { self.set(.number(String(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { self.set(.number(String(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { self.set(.number(String(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { self.set(.number(String(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { self.set(.number(String(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { self.set(.number(String(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { self.set(.number(String(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { self.set(.number(String(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { self.set(.number(String(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { self.set(.number(String(value)), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let node = try JSONNodeEncoder.box(value)
        self.set(node ?? .object(JSONObjectBox()), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = JSONObjectBox()
        self.set(.object(nested), key)
        return KeyedEncodingContainer(JSONKeyedContainer<NestedKey>(box: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = JSONArrayBox()
        self.set(.array(nested), key)
        return JSONUnkeyedContainer(box: nested)
    }

    mutating func superEncoder() -> any Encoder {
        self.superEncoder(named: "super")
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        self.superEncoder(named: key.stringValue)
    }

    private func superEncoder(named name: String) -> any Encoder {
        let box = self.box
        let index = box.entries.count
        box.noteMixedKeys()
        box.entries.append((name, .object(JSONObjectBox())))
        let encoder = JSONNodeEncoder()
        encoder.onFinish = { node in box.entries[index].value = node ?? .object(JSONObjectBox()) }
        return encoder
    }
}

private struct JSONUnkeyedContainer: UnkeyedEncodingContainer {
    let box: JSONArrayBox
    var codingPath: [any CodingKey] { [] }
    var count: Int { self.box.elements.count }

    mutating func encodeNil() throws { self.box.elements.append(.null) }
    mutating func encode(_ value: Bool) throws { self.box.elements.append(.bool(value)) }
    mutating func encode(_ value: String) throws { self.box.elements.append(.string(value)) }
    mutating func encode(_ value: Double) throws {
        self.box.elements.append(try JSONNode.number(value))
    }
    mutating func encode(_ value: Float) throws {
        self.box.elements.append(try JSONNode.number(value))
    }
    mutating func encode(_ value: Int) throws { self.box.elements.append(.number(String(value))) }
    mutating func encode(_ value: Int8) throws { self.box.elements.append(.number(String(value))) }
    mutating func encode(_ value: Int16) throws { self.box.elements.append(.number(String(value))) }
    mutating func encode(_ value: Int32) throws { self.box.elements.append(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { self.box.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { self.box.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt8) throws { self.box.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt16) throws { self.box.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt32) throws { self.box.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt64) throws { self.box.elements.append(.number(String(value))) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let node = try JSONNodeEncoder.box(value)
        self.box.elements.append(node ?? .object(JSONObjectBox()))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = JSONObjectBox()
        self.box.elements.append(.object(nested))
        return KeyedEncodingContainer(JSONKeyedContainer<NestedKey>(box: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = JSONArrayBox()
        self.box.elements.append(.array(nested))
        return JSONUnkeyedContainer(box: nested)
    }

    mutating func superEncoder() -> any Encoder {
        let box = self.box
        let index = box.elements.count
        let encoder = JSONNodeEncoder()
        box.elements.append(.object(JSONObjectBox()))
        encoder.onFinish = { node in box.elements[index] = node ?? .object(JSONObjectBox()) }
        return encoder
    }
}

private struct JSONSingleValueContainer: SingleValueEncodingContainer {
    let encoder: JSONNodeEncoder
    var codingPath: [any CodingKey] { self.encoder.codingPath }

    mutating func encodeNil() throws { self.encoder.node = .null }
    mutating func encode(_ value: Bool) throws { self.encoder.node = .bool(value) }
    mutating func encode(_ value: String) throws { self.encoder.node = .string(value) }
    mutating func encode(_ value: Double) throws {
        self.encoder.node = try JSONNode.number(value)
    }
    mutating func encode(_ value: Float) throws {
        self.encoder.node = try JSONNode.number(value)
    }
    mutating func encode(_ value: Int) throws { self.encoder.node = .number(String(value)) }
    mutating func encode(_ value: Int8) throws { self.encoder.node = .number(String(value)) }
    mutating func encode(_ value: Int16) throws { self.encoder.node = .number(String(value)) }
    mutating func encode(_ value: Int32) throws { self.encoder.node = .number(String(value)) }
    mutating func encode(_ value: Int64) throws { self.encoder.node = .number(String(value)) }
    mutating func encode(_ value: UInt) throws { self.encoder.node = .number(String(value)) }
    mutating func encode(_ value: UInt8) throws { self.encoder.node = .number(String(value)) }
    mutating func encode(_ value: UInt16) throws { self.encoder.node = .number(String(value)) }
    mutating func encode(_ value: UInt32) throws { self.encoder.node = .number(String(value)) }
    mutating func encode(_ value: UInt64) throws { self.encoder.node = .number(String(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        self.encoder.node = try JSONNodeEncoder.box(value) ?? .object(JSONObjectBox())
    }
}
