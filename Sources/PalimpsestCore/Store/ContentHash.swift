import Crypto
import Foundation

/// SHA-256 digests as lowercase hex, the form every file and log line of Palimpsest uses.
enum ContentHash {
    /// SHA-256 of `data`, 64 lowercase hex digits.
    static func sha256Hex(_ data: Data) -> String {
        Self.hex(SHA256.hash(data: data))
    }

    /// SHA-256 of the UTF-8 bytes of `text`, 64 lowercase hex digits.
    static func sha256Hex(_ text: String) -> String {
        Self.hex(SHA256.hash(data: Data(text.utf8)))
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var result = [UInt8]()
        result.reserveCapacity(64)
        for byte in digest {
            result.append(digits[Int(byte >> 4)])
            result.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: result, as: UTF8.self)
    }
}
