public import Foundation

/// Decodes the JSON Palimpsest writes (log lines, state rows, archive lines, the small files in
/// `state_dir`) to the same values as ``JSONCoding/foundationDecoder()``, with less work: in a
/// `digest` of 100,000 events, the week's log lines took ~1.0 s of CPU to decode instead of
/// Foundation's ~1.6 s (`perf record`, 499 Hz).
///
/// The document is checked whole against RFC 8259 and split into a flat list of tokens; values are
/// then made straight from the bytes as each type's `init(from:)` asks for them. Only the forms the
/// encoders write are read this way: objects whose keys are ASCII, without escapes and in strictly
/// ascending byte order (the encoders sort keys, so no key repeats; Foundation compares keys as
/// Swift strings, where a decomposed `é` equals the composed one), integers without fraction or
/// exponent for the integer types, strings whose escapes name no lone surrogate, no `Float`, a
/// `Double` of 0 only from a plain zero, at most 256 levels deep. Anything else sends the whole
/// document to Foundation's decoder, whose value or error is the answer: so does a value this
/// decoder cannot give as asked (missing, of another type, a numeric key that does not print back
/// as itself), even when the type catches the error, and any read of a coding path (none is kept;
/// the standard library reads one to make its errors). An array's element is passed only once
/// read, as in Foundation's decoder. An odd document costs a second decoding, never a different
/// result: `StoredJSONDecoderTests` and `StoredJSONDecoderProbeTests` decode the same documents
/// with both.
public struct StoredJSONDecoder: Sendable {
    public init() {}

    /// The value of type `type` in `data`.
    /// - Throws: What `JSONCoding.foundationDecoder().decode(type, from: data)` throws
    ///   (`DecodingError`), when `data` is not JSON or not a `type`.
    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if let value = Self.decodeWithoutFoundation(type, from: data) { return value }
        return try JSONCoding.foundationDecoder().decode(type, from: data)
    }

    /// The value decoded from tokens, or `nil` when the document or the type's decoding leaves the
    /// forms read here (then Foundation's decoder decides).
    static func decodeWithoutFoundation<T: Decodable>(_ type: T.Type, from data: Data) -> T? {
        guard let document = JSONTokenDocument(data) else { return nil }
        let value = try? document.decode(T.self, at: 0)
        return document.leftTheFastForms ? nil : value
    }
}

/// One token of a document: a scalar, or a container with the index of the token after it.
struct JSONToken {
    enum Kind: UInt8 {
        case object, array, string, escapedString, integer, number, `true`, `false`, null
    }

    var kind: Kind
    /// Scalars: the first byte (for strings, after the quote). Objects: the first of their keys'
    /// token indices in ``JSONTokenDocument/members``.
    var start: Int32
    /// Scalars: the byte after the last (for strings, the closing quote). Containers: the index of
    /// the first token after the container.
    var end: Int32
    /// Containers: how many members or elements.
    var count: Int32
}

/// A JSON document split into tokens (``JSONToken``), and the values made from them.
final class JSONTokenDocument {
    /// The document's bytes.
    private let bytes: [UInt8]
    // Constants once split: a `var` would cost an exclusivity check at every read.
    let tokens: [JSONToken]
    /// For each object, the token indices of its keys (each key's value is the token after it),
    /// contiguous from the object's ``JSONToken/start``.
    let members: [Int32]
    /// Set when a decoding asked for something outside the forms read here, or failed: the
    /// document is then decoded by Foundation's decoder.
    private(set) var leftTheFastForms = false

    /// Containers nest at most this deep here (the stored documents nest a few levels); deeper
    /// ones, up to Foundation's own limit, are Foundation's to read.
    static let depthLimit = 256

    /// The tokens of `data`; `nil` when it is not JSON in the forms read here.
    init?(_ data: Data) {
        let bytes = [UInt8](data)
        var tokens: [JSONToken] = []
        tokens.reserveCapacity(max(16, bytes.count / 12))
        var members: [Int32] = []
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            Self.tokenize(buffer, into: &tokens, members: &members)
        }
        guard parsed else { return nil }
        self.bytes = bytes
        self.tokens = tokens
        self.members = members
    }

    /// Marks the document for Foundation's decoder and returns an error to throw.
    func leave(_ what: String) -> DecodingError {
        self.leftTheFastForms = true
        return DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: what))
    }

    // MARK: Tokenizing

    private static func tokenize(
        _ input: UnsafeBufferPointer<UInt8>, into tokens: inout [JSONToken], members: inout [Int32]
    ) -> Bool {
        var position = 0
        let count = input.count
        /// Open containers: the token index of each, innermost last.
        var open: [Int] = []
        /// The keys of the open objects, each object's after its parent's.
        var pendingMembers: [Int32] = []
        var memberStarts: [Int] = []

        func skipWhitespace() {
            while position < count {
                switch input[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        /// A string from the byte after its opening quote; `position` ends after the closing quote.
        func string() -> JSONToken? {
            let start = position
            var escaped = false
            var ascii = true
            while position < count {
                let byte = input[position]
                if byte == UInt8(ascii: "\"") {
                    let token = JSONToken(
                        kind: escaped ? .escapedString : .string, start: Int32(start), end: Int32(position), count: 0)
                    position += 1
                    if !ascii, !Self.isValidUTF8(UnsafeBufferPointer(rebasing: input[start..<Int(token.end)])) {
                        return nil
                    }
                    return token
                }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    position += 1
                    guard position < count else { return nil }
                    switch input[position] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        position += 1
                    case UInt8(ascii: "u"):
                        guard position + 4 < count else { return nil }
                        for offset in 1...4 where Self.hexValue(input[position + offset]) == nil { return nil }
                        position += 5
                    default:
                        return nil
                    }
                    continue
                }
                if byte < 0x20 { return nil }
                if byte >= 0x80 { ascii = false }
                position += 1
            }
            return nil
        }

        /// True when a key is ASCII: Foundation compares keys as Swift strings, equal when
        /// canonically equivalent (a decomposed `é` is the composed one), which bytes cannot tell.
        func isASCII(_ key: JSONToken) -> Bool {
            for index in Int(key.start)..<Int(key.end) where input[index] >= 0x80 { return false }
            return true
        }

        /// A number from its first byte, by RFC 8259's grammar.
        func number() -> JSONToken? {
            let start = position
            var integer = true
            if input[position] == UInt8(ascii: "-") { position += 1 }
            guard position < count else { return nil }
            if input[position] == UInt8(ascii: "0") {
                position += 1
            } else if (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(input[position]) {
                while position < count, Self.isDigit(input[position]) { position += 1 }
            } else {
                return nil
            }
            if position < count, input[position] == UInt8(ascii: ".") {
                integer = false
                position += 1
                let digits = position
                while position < count, Self.isDigit(input[position]) { position += 1 }
                guard position > digits else { return nil }
            }
            if position < count, input[position] == UInt8(ascii: "e") || input[position] == UInt8(ascii: "E") {
                integer = false
                position += 1
                if position < count, input[position] == UInt8(ascii: "+") || input[position] == UInt8(ascii: "-") {
                    position += 1
                }
                let digits = position
                while position < count, Self.isDigit(input[position]) { position += 1 }
                guard position > digits else { return nil }
            }
            return JSONToken(kind: integer ? .integer : .number, start: Int32(start), end: Int32(position), count: 0)
        }

        func literal(_ text: StaticString, _ kind: JSONToken.Kind) -> JSONToken? {
            let length = text.utf8CodeUnitCount
            guard position + length <= count else { return nil }
            for offset in 0..<length where input[position + offset] != text.utf8Start[offset] { return nil }
            let token = JSONToken(kind: kind, start: Int32(position), end: Int32(position + length), count: 0)
            position += length
            return token
        }

        func appendScalar(_ token: JSONToken) {
            if let parent = open.last { tokens[parent].count += 1 }
            tokens.append(token)
        }

        /// A key and its colon at `position`, noted as a member of the innermost open object;
        /// `previous`, that object's key before it, must sort strictly before it (the encoders sort
        /// keys, so none repeats).
        func member(after previous: Int32?) -> Bool {
            guard position < count, input[position] == UInt8(ascii: "\"") else { return false }
            position += 1
            guard let key = string(), key.kind == .string, isASCII(key) else { return false }
            if let previous, !Self.precedes(tokens[Int(previous)], key, in: input) { return false }
            pendingMembers.append(Int32(tokens.count))
            tokens.append(key)
            skipWhitespace()
            guard position < count, input[position] == UInt8(ascii: ":") else { return false }
            position += 1
            return true
        }

        /// Closes the innermost open container at token `index`.
        func close(_ index: Int) {
            tokens[index].end = Int32(tokens.count)
            if tokens[index].kind == .object {
                let first = memberStarts.removeLast()
                tokens[index].start = Int32(members.count)
                members.append(contentsOf: pendingMembers[first...])
                pendingMembers.removeSubrange(first...)
            }
        }

        guard count <= Int(Int32.max) else { return false }
        skipWhitespace()
        // Expecting a value (after `[`, `,` in an array, `:` or at the top).
        var expectValue = true
        while true {
            if expectValue {
                guard position < count else { return false }
                let byte = input[position]
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard open.count < Self.depthLimit else { return false }
                    position += 1
                    let isObject = byte == UInt8(ascii: "{")
                    if let parent = open.last { tokens[parent].count += 1 }
                    open.append(tokens.count)
                    tokens.append(JSONToken(kind: isObject ? .object : .array, start: 0, end: 0, count: 0))
                    if isObject { memberStarts.append(pendingMembers.count) }
                    skipWhitespace()
                    guard position < count else { return false }
                    if input[position] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        position += 1
                        close(open.removeLast())
                        expectValue = false
                        break
                    }
                    if isObject {
                        guard member(after: nil) else { return false }
                    }
                    skipWhitespace()
                    continue
                case UInt8(ascii: "\""):
                    position += 1
                    guard let token = string() else { return false }
                    appendScalar(token)
                case UInt8(ascii: "t"):
                    guard let token = literal("true", .true) else { return false }
                    appendScalar(token)
                case UInt8(ascii: "f"):
                    guard let token = literal("false", .false) else { return false }
                    appendScalar(token)
                case UInt8(ascii: "n"):
                    guard let token = literal("null", .null) else { return false }
                    appendScalar(token)
                default:
                    guard let token = number() else { return false }
                    appendScalar(token)
                }
                expectValue = false
            }
            // After a value: `,`, a closing bracket, or the end of the document.
            skipWhitespace()
            guard let container = open.last else { return position == count }
            guard position < count else { return false }
            let isObject = tokens[container].kind == .object
            switch input[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
                if isObject {
                    guard let previous = pendingMembers.last, member(after: previous) else { return false }
                    skipWhitespace()
                }
                expectValue = true
            case UInt8(ascii: "}") where isObject, UInt8(ascii: "]") where !isObject:
                position += 1
                close(open.removeLast())
            default:
                return false
            }
        }
    }

    /// True when key `a`'s bytes sort strictly before key `b`'s.
    private static func precedes(_ a: JSONToken, _ b: JSONToken, in input: UnsafeBufferPointer<UInt8>) -> Bool {
        let lengthA = Int(a.end - a.start)
        let lengthB = Int(b.end - b.start)
        let common = min(lengthA, lengthB)
        if common > 0 {
            let order = memcmp(input.baseAddress! + Int(a.start), input.baseAddress! + Int(b.start), common)
            if order != 0 { return order < 0 }
        }
        return lengthA < lengthB
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// True when `bytes` are well-formed UTF-8 (no overlong form, no surrogate, nothing past
    /// U+10FFFF), as the standard library's parser judges them.
    private static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    // MARK: Values

    /// The index of the token after the value at `index`.
    func next(after index: Int) -> Int {
        switch self.tokens[index].kind {
        case .object, .array: Int(self.tokens[index].end)
        default: index + 1
        }
    }

    func isNull(_ index: Int) -> Bool {
        self.tokens[index].kind == .null
    }

    /// The value token of `key` in the object at `object`, found by binary search over its
    /// sorted keys; `nil` when absent.
    /// - Throws: When `key` is not ASCII (leaving the fast forms): as a Swift string it may equal
    ///   an ASCII key (U+212A KELVIN SIGN is `K`), which Foundation finds.
    func value(forKey key: String, inObject object: Int) throws -> Int? {
        let token = self.tokens[object]
        var key = key
        guard key.utf8.allSatisfy({ $0 < 0x80 }) else { throw self.leave("a key that is not ASCII") }
        return key.withUTF8 { wanted -> Int? in
            self.bytes.withUnsafeBufferPointer { input -> Int? in
                var low = Int(token.start)
                var high = low + Int(token.count)
                while low < high {
                    let middle = (low + high) / 2
                    let keyIndex = Int(self.members[middle])
                    let found = self.tokens[keyIndex]
                    let length = Int(found.end - found.start)
                    let common = min(length, wanted.count)
                    var order: Int32 = 0
                    if common > 0 {
                        order = memcmp(input.baseAddress! + Int(found.start), wanted.baseAddress!, common)
                    }
                    if order == 0 {
                        if length == wanted.count { return keyIndex + 1 }
                        order = length < wanted.count ? -1 : 1
                    }
                    if order < 0 { low = middle + 1 } else { high = middle }
                }
                return nil
            }
        }
    }

    /// The keys of the object at `object`, in order.
    func keys(ofObject object: Int) -> [String] {
        let token = self.tokens[object]
        return (Int(token.start)..<Int(token.start + token.count)).map { member in
            let key = self.tokens[Int(self.members[member])]
            return self.plainString(key)
        }
    }

    private func plainString(_ token: JSONToken) -> String {
        self.bytes.withUnsafeBufferPointer { input in
            String(decoding: UnsafeBufferPointer(rebasing: input[Int(token.start)..<Int(token.end)]), as: UTF8.self)
        }
    }

    func string(at index: Int) throws -> String {
        let token = self.tokens[index]
        switch token.kind {
        case .string:
            return self.plainString(token)
        case .escapedString:
            guard let text = self.unescaped(token) else { throw self.leave("a lone surrogate") }
            return text
        default:
            throw self.leave("not a string")
        }
    }

    /// The text of a string with escapes; `nil` when one names a lone surrogate.
    private func unescaped(_ token: JSONToken) -> String? {
        self.bytes.withUnsafeBufferPointer { input -> String? in
            var output: [UInt8] = []
            output.reserveCapacity(Int(token.end - token.start))
            var position = Int(token.start)
            let end = Int(token.end)
            func hex4(_ at: Int) -> UInt32 {
                var value: UInt32 = 0
                for offset in 0..<4 { value = value << 4 | (Self.hexValue(input[at + offset]) ?? 0) }
                return value
            }
            while position < end {
                let byte = input[position]
                guard byte == UInt8(ascii: "\\") else {
                    output.append(byte)
                    position += 1
                    continue
                }
                let escape = input[position + 1]
                position += 2
                switch escape {
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "u"):
                    var code = hex4(position)
                    position += 4
                    if (0xD800...0xDBFF).contains(code) {
                        guard position + 6 <= end, input[position] == UInt8(ascii: "\\"),
                            input[position + 1] == UInt8(ascii: "u")
                        else { return nil }
                        let low = hex4(position + 2)
                        guard (0xDC00...0xDFFF).contains(low) else { return nil }
                        position += 6
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        return nil
                    }
                    guard let scalar = Unicode.Scalar(code) else { return nil }
                    output.append(contentsOf: UTF8.encode(scalar)!)
                default: output.append(escape)
                }
            }
            return String(decoding: output, as: UTF8.self)
        }
    }

    func bool(at index: Int) throws -> Bool {
        switch self.tokens[index].kind {
        case .true: return true
        case .false: return false
        default: throw self.leave("not a Boolean")
        }
    }

    /// An integer written without fraction or exponent that fits `Integer`.
    func integer<Integer: FixedWidthInteger>(_ type: Integer.Type, at index: Int) throws -> Integer {
        // Parsed as Int64 (UInt64 for the unsigned types past Int64), then narrowed: a parse
        // generic over the type ran unspecialized, through its protocol witnesses.
        if Integer.isSigned || Integer.bitWidth < 64 {
            if let wide = self.int64(at: index), let value = Integer(exactly: wide) { return value }
        } else if let wide = self.uint64(at: index), let value = Integer(exactly: wide) {
            return value
        }
        throw self.leave("not an integer of that size")
    }

    private func int64(at index: Int) -> Int64? {
        let token = self.tokens[index]
        guard token.kind == .integer else { return nil }
        return self.bytes.withUnsafeBufferPointer { input -> Int64? in
            var position = Int(token.start)
            let negative = input[position] == UInt8(ascii: "-")
            if negative { position += 1 }
            var value: Int64 = 0
            while position < Int(token.end) {
                let digit = Int64(input[position] &- UInt8(ascii: "0"))
                let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) =
                    negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
                guard !overflow, !overflow2 else { return nil }
                value = sum
                position += 1
            }
            return value
        }
    }

    private func uint64(at index: Int) -> UInt64? {
        let token = self.tokens[index]
        guard token.kind == .integer else { return nil }
        return self.bytes.withUnsafeBufferPointer { input -> UInt64? in
            // A sign (even "-0") is Foundation's to judge.
            var position = Int(token.start)
            if input[position] == UInt8(ascii: "-") { return nil }
            var value: UInt64 = 0
            while position < Int(token.end) {
                let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(input[position] &- UInt8(ascii: "0")))
                guard !overflow, !overflow2 else { return nil }
                value = sum
                position += 1
            }
            return value
        }
    }

    /// A number as `Double`, parsed from its text (correctly rounded, as Foundation's parser). A
    /// result of 0 is read here only from a plain zero (`0`, `-0.00`): Foundation refuses a number
    /// that rounds to 0 (`1e-400`) and, reading the exponent as a digit, some zeros with one
    /// (`0e5`). Infinity is Foundation's to judge too.
    func double(at index: Int) throws -> Double {
        let token = self.tokens[index]
        guard token.kind == .integer || token.kind == .number else { throw self.leave("not a number") }
        let text = self.plainString(token)
        guard let value = Double(text), value.isFinite else { throw self.leave("not a finite number") }
        guard value != 0 || Self.isPlainZero(text) else { throw self.leave("a zero Foundation may refuse") }
        return value
    }

    /// True when number `text` is a sign, zeros and a point: no other digit, no exponent.
    private static func isPlainZero(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    /// A `Float` is Foundation's to read: whether it rounds once or through `Double` decides
    /// the last bit, and no stored document has one.
    func float() throws -> Float {
        throw self.leave("a Float")
    }

    /// The value of type `T` at token `index`: dates, URLs and data as the decoder's strategies
    /// read them, anything else through its `init(from:)`.
    func decode<T: Decodable>(_ type: T.Type, at index: Int) throws -> T {
        if T.self == String.self { return try self.string(at: index) as! T }
        if T.self == Date.self {
            guard let date = RFC3339.date(from: try self.string(at: index)) else { throw self.leave("not a date") }
            return date as! T
        }
        if T.self == URL.self {
            guard let url = URL(string: try self.string(at: index)) else { throw self.leave("not a URL") }
            return url as! T
        }
        if T.self == Data.self {
            guard let data = Data(base64Encoded: try self.string(at: index)) else { throw self.leave("not Base64") }
            return data as! T
        }
        if T.self == Decimal.self { throw self.leave("a Decimal") }
        return try T(from: JSONTokenDecoder(document: self, index: index))
    }
}

/// The `Decoder` handed to each value's `init(from:)`: the value at one token. No coding path is
/// kept: a type that reads one (the standard library does, to make an error) gets the document
/// decoded by Foundation, which has it.
private struct JSONTokenDecoder: Decoder, SingleValueDecodingContainer {
    let document: JSONTokenDocument
    let index: Int
    var codingPath: [any CodingKey] {
        _ = self.document.leave("the coding path")
        return []
    }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard self.document.tokens[self.index].kind == .object else { throw self.document.leave("not an object") }
        return KeyedDecodingContainer(JSONTokenKeyedContainer<Key>(document: self.document, object: self.index))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard self.document.tokens[self.index].kind == .array else { throw self.document.leave("not an array") }
        return JSONTokenUnkeyedContainer(document: self.document, array: self.index)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { self.document.isNull(self.index) }
    func decode(_ type: Bool.Type) throws -> Bool { try self.document.bool(at: self.index) }
    func decode(_ type: String.Type) throws -> String { try self.document.string(at: self.index) }
    func decode(_ type: Double.Type) throws -> Double { try self.document.double(at: self.index) }
    func decode(_ type: Float.Type) throws -> Float { try self.document.float() }
    func decode(_ type: Int.Type) throws -> Int { try self.document.integer(type, at: self.index) }
    func decode(_ type: Int8.Type) throws -> Int8 { try self.document.integer(type, at: self.index) }
    func decode(_ type: Int16.Type) throws -> Int16 { try self.document.integer(type, at: self.index) }
    func decode(_ type: Int32.Type) throws -> Int32 { try self.document.integer(type, at: self.index) }
    func decode(_ type: Int64.Type) throws -> Int64 { try self.document.integer(type, at: self.index) }
    func decode(_ type: UInt.Type) throws -> UInt { try self.document.integer(type, at: self.index) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try self.document.integer(type, at: self.index) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try self.document.integer(type, at: self.index) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try self.document.integer(type, at: self.index) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try self.document.integer(type, at: self.index) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try self.document.decode(type, at: self.index) }
}

private struct JSONTokenKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let document: JSONTokenDocument
    let object: Int
    var codingPath: [any CodingKey] {
        _ = self.document.leave("the coding path")
        return []
    }

    var allKeys: [Key] {
        self.document.keys(ofObject: self.object).compactMap { text in
            let key = Key(stringValue: text)
            // A key read as a number that does not print back as itself (`+1`, `01`) may name the
            // same number as another key: which one wins is Foundation's to say.
            if let number = key?.intValue, String(number) != text { _ = self.document.leave("a numeric key") }
            return key
        }
    }

    func contains(_ key: Key) -> Bool {
        ((try? self.document.value(forKey: key.stringValue, inObject: self.object)) ?? nil) != nil
    }

    /// The value token of `key`; throws (leaving the fast forms) when absent.
    private func value(_ key: Key) throws -> Int {
        guard let index = try self.document.value(forKey: key.stringValue, inObject: self.object) else {
            throw self.document.leave("no key \(key.stringValue)")
        }
        return index
    }

    /// The value token of `key`, `nil` when absent or `null`.
    private func presentValue(_ key: Key) throws -> Int? {
        guard let index = try self.document.value(forKey: key.stringValue, inObject: self.object),
            !self.document.isNull(index)
        else { return nil }
        return index
    }

    func decodeNil(forKey key: Key) throws -> Bool { self.document.isNull(try self.value(key)) }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try self.document.bool(at: try self.value(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try self.document.string(at: try self.value(key))
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try self.document.double(at: try self.value(key))
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try self.document.float() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try self.integer(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try self.integer(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try self.integer(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try self.integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try self.integer(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try self.integer(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try self.integer(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try self.integer(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try self.integer(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try self.integer(type, key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try self.document.decode(type, at: try self.value(key))
    }

    private func integer<Integer: FixedWidthInteger>(_ type: Integer.Type, _ key: Key) throws -> Integer {
        try self.document.integer(type, at: try self.value(key))
    }

    // `decodeIfPresent`: `nil` for a missing key and for `null`, as Foundation's decoder.
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try self.presentValue(key).map { try self.document.bool(at: $0) }
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try self.presentValue(key).map { try self.document.string(at: $0) }
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try self.presentValue(key).map { try self.document.double(at: $0) }
    }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        try self.presentValue(key).map { _ in try self.document.float() }
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try self.optionalInteger(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try self.optionalInteger(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try self.optionalInteger(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try self.optionalInteger(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try self.optionalInteger(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try self.optionalInteger(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try self.optionalInteger(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? {
        try self.optionalInteger(type, key)
    }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? {
        try self.optionalInteger(type, key)
    }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? {
        try self.optionalInteger(type, key)
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try self.presentValue(key).map { try self.document.decode(type, at: $0) }
    }

    private func optionalInteger<Integer: FixedWidthInteger>(_ type: Integer.Type, _ key: Key) throws -> Integer? {
        try self.presentValue(key).map { try self.document.integer(type, at: $0) }
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try JSONTokenDecoder(document: self.document, index: try self.value(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try JSONTokenDecoder(document: self.document, index: try self.value(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { throw self.document.leave("a super decoder") }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw self.document.leave("a super decoder") }
}

private struct JSONTokenUnkeyedContainer: UnkeyedDecodingContainer {
    let document: JSONTokenDocument
    /// The token of the next element.
    private var position: Int
    let count: Int?
    private(set) var currentIndex = 0
    var codingPath: [any CodingKey] {
        _ = self.document.leave("the coding path")
        return []
    }
    var isAtEnd: Bool { self.currentIndex >= self.count! }

    init(document: JSONTokenDocument, array: Int) {
        self.document = document
        self.position = array + 1
        self.count = Int(document.tokens[array].count)
    }

    /// The next element made by `read` from its token, moving past it only when `read` succeeds
    /// (as Foundation's container: a type may catch the error and try the element again).
    private mutating func next<Value>(_ read: (JSONTokenDocument, Int) throws -> Value) throws -> Value {
        guard !self.isAtEnd else { throw self.document.leave("past the end of an array") }
        let value = try read(self.document, self.position)
        self.position = self.document.next(after: self.position)
        self.currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard !self.isAtEnd else { throw self.document.leave("past the end of an array") }
        guard self.document.isNull(self.position) else { return false }
        self.position += 1
        self.currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try self.next { try $0.bool(at: $1) } }
    mutating func decode(_ type: String.Type) throws -> String { try self.next { try $0.string(at: $1) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try self.next { try $0.double(at: $1) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try self.document.float() }
    mutating func decode(_ type: Int.Type) throws -> Int { try self.integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try self.integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try self.integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try self.integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try self.integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try self.integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try self.integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try self.integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try self.integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try self.integer(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try self.next { try $0.decode(type, at: $1) }
    }

    private mutating func integer<Integer: FixedWidthInteger>(_ type: Integer.Type) throws -> Integer {
        try self.next { try $0.integer(type, at: $1) }
    }

    // `decodeIfPresent` in an array: Foundation's moves on even past the end, the standard
    // library's default does not; so it is Foundation's.
    mutating func decodeIfPresent(_ type: Bool.Type) throws -> Bool? { throw self.leavingForOptional() }
    mutating func decodeIfPresent(_ type: String.Type) throws -> String? { throw self.leavingForOptional() }
    mutating func decodeIfPresent(_ type: Double.Type) throws -> Double? { throw self.leavingForOptional() }
    mutating func decodeIfPresent(_ type: Float.Type) throws -> Float? { throw self.leavingForOptional() }
    mutating func decodeIfPresent(_ type: Int.Type) throws -> Int? { throw self.leavingForOptional() }
    mutating func decodeIfPresent(_ type: Int8.Type) throws -> Int8? { throw self.leavingForOptional() }
    mutating func decodeIfPresent(_ type: Int16.Type) throws -> Int16? { throw self.leavingForOptional() }
    mutating func decodeIfPresent(_ type: Int32.Type) throws -> Int32? { throw self.leavingForOptional() }
    mutating func decodeIfPresent(_ type: Int64.Type) throws -> Int64? { throw self.leavingForOptional() }
    mutating func decodeIfPresent(_ type: UInt.Type) throws -> UInt? { throw self.leavingForOptional() }
    mutating func decodeIfPresent(_ type: UInt8.Type) throws -> UInt8? { throw self.leavingForOptional() }
    mutating func decodeIfPresent(_ type: UInt16.Type) throws -> UInt16? { throw self.leavingForOptional() }
    mutating func decodeIfPresent(_ type: UInt32.Type) throws -> UInt32? { throw self.leavingForOptional() }
    mutating func decodeIfPresent(_ type: UInt64.Type) throws -> UInt64? { throw self.leavingForOptional() }
    mutating func decodeIfPresent<T: Decodable>(_ type: T.Type) throws -> T? { throw self.leavingForOptional() }

    private func leavingForOptional() -> DecodingError {
        self.document.leave("decodeIfPresent in an array")
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try self.next { try JSONTokenDecoder(document: $0, index: $1).container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try self.next { try JSONTokenDecoder(document: $0, index: $1).unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder { throw self.document.leave("a super decoder") }
}
