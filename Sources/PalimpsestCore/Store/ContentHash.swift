import Crypto
import Foundation

/// SHA-256 digests and other bytes as lowercase hex, the form every file and log line of
/// Palimpsest uses (chain hashes, content hashes, event IDs, account folder names, checkpoint keys
/// and signatures, webhook signatures). The one place bytes become hex.
enum ContentHash {
    /// SHA-256 of `data`, 64 lowercase hex digits.
    static func sha256Hex(_ data: Data) -> String {
        Self.hex(SHA256.hash(data: data))
    }

    /// SHA-256 of the UTF-8 bytes of `text`, 64 lowercase hex digits. Hashes the string's own
    /// storage (no copy of the bytes).
    static func sha256Hex(_ text: String) -> String {
        var text = text
        return text.withUTF8 { Self.hex(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }

    /// `bytes` as lowercase hex, two digits per byte (64 for a SHA-256 digest): a digest, an HMAC
    /// code, a key, a signature or any `Data`.
    static func hex(_ bytes: some ContiguousBytes) -> String {
        bytes.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
                let digits: StaticString = "0123456789abcdef"
                var index = 0
                digits.withUTF8Buffer { digits in
                    for byte in bytes {
                        buffer[index] = digits[Int(byte >> 4)]
                        buffer[index + 1] = digits[Int(byte & 0x0f)]
                        index += 2
                    }
                }
                return index
            }
        }
    }
}
