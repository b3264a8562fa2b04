import Foundation

/// How deeply a JSON text nests arrays and objects, measured on the bytes without parsing them
/// (strings and their escapes are skipped), so that a hostile body is refused before any decoder
/// builds or walks a tree of it.
///
/// Foundation's decoders stop at 512 levels themselves, with a message that reads like a
/// truncated body ("not valid JSON"); this check runs first, costs one pass over the bytes with no
/// allocation, and lets the poll say what is wrong.
enum JSONNesting {
    /// The deepest nesting of arrays and objects accepted in a JSON answer (the top-level value is
    /// depth 1). Real API answers nest a few dozen levels at most (a Bluesky quote of a quote of a
    /// post with embeds is about 15).
    static let maximumDepth = 256

    /// True when `data`, after a UTF-8 byte order mark and whitespace, starts like a JSON array or
    /// object (`[` or `{`).
    static func looksLikeJSON(_ data: Data) -> Bool {
        var body = data[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let first = body.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return false }
        return first == UInt8(ascii: "[") || first == UInt8(ascii: "{")
    }

    /// The offset (in bytes from the start of `data`) of the first `[` or `{` that opens nesting
    /// level `limit + 1`, or `nil` when the text never nests deeper than `limit`.
    /// Brackets inside strings do not count; the text need not be valid JSON.
    static func firstExcess(in data: Data, limit: Int = JSONNesting.maximumDepth) -> Int? {
        var excess: Int?
        Self.walk(data) { offset, byte, depth in
            guard byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{"), depth > limit else { return true }
            excess = offset
            return false
        }
        return excess
    }

    /// Walks the bytes of a JSON text outside its strings (one pass, no allocation; the text need
    /// not be valid JSON). `visit` gets each `[`, `{`, `]` and `}` with the depth it leaves (1
    /// after the outermost `{`, 0 after its `}`, never below 0) and each string's opening quote
    /// with the depth the string is at, each with its offset in bytes from the start of `data`;
    /// the walk stops when `visit` returns false.
    static func walk(_ data: Data, _ visit: (_ offset: Int, _ byte: UInt8, _ depth: Int) -> Bool) {
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var depth = 0
            var inString = false
            var escaped = false
            for (offset, byte) in buffer.enumerated() {
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        escaped = true
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth = max(0, depth - 1)
                default:
                    continue
                }
                guard visit(offset, byte, depth) else { return }
            }
        }
    }
}
