import Foundation

/// Reads the byte sizes written in the config (`max_body_size`).
///
/// A size is a whole number of bytes (`8388608`, `"8388608"`) or a whole number with a unit:
/// binary `KiB`, `MiB`, `GiB` (powers of 1024), decimal `kB`/`KB`, `MB`, `GB` (powers of 1000), or
/// `B`; a space before the unit is allowed (`"8 MiB"`).
public enum ByteSizeParser {
    private static let units: [String: Int] = [
        "B": 1,
        "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30,
        "kB": 1_000, "KB": 1_000, "MB": 1_000_000, "GB": 1_000_000_000,
    ]

    /// The examples named in every error message.
    static let expectation =
        #"a size such as "8MiB", "512KiB" or a whole number of bytes (units: B, KiB, MiB, GiB, kB, MB, GB)"#

    /// Parses a byte size.
    ///
    /// - Parameter text: The size as written in the config, e.g. `"8MiB"`.
    /// - Returns: The size in bytes (may be zero; callers check their own minimum).
    /// - Throws: ``ConfigValueError`` when `text` is empty, negative, has an unknown unit or is too
    ///   large to represent.
    public static func bytes(from text: String) throws(ConfigValueError) -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("-") {
            throw ConfigValueError(text: text, message: "a size cannot be negative, found \"\(text)\"")
        }
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let unit = trimmed.dropFirst(digits.count).drop { $0 == " " }
        guard !digits.isEmpty, let multiplier = unit.isEmpty ? 1 : self.units[String(unit)] else {
            throw ConfigValueError(text: text, message: "expected \(self.expectation), found \"\(text)\"")
        }
        guard let count = Int(digits) else {
            throw ConfigValueError(text: text, message: "size \"\(text)\" is too large")
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: multiplier)
        guard !overflow else {
            throw ConfigValueError(text: text, message: "size \"\(text)\" is too large")
        }
        return bytes
    }

    /// Formats a byte count for people: `8388608` gives `"8 MiB"`, `1500` gives `"1500 bytes"`.
    ///
    /// - Parameter bytes: A size in bytes.
    /// - Returns: The largest binary unit that divides `bytes` exactly, else the plain byte count.
    public static func string(from bytes: Int) -> String {
        for (symbol, size) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where bytes >= size && bytes % size == 0 {
            return "\(bytes / size) \(symbol)"
        }
        return bytes == 1 ? "1 byte" : "\(bytes) bytes"
    }
}
