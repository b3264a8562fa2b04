import Crypto
public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Ed25519 key pair that signs checkpoints (swift-crypto `Curve25519.Signing`), stored as PEM
/// the way OpenSSL writes it: the private key as PKCS#8 (`-----BEGIN PRIVATE KEY-----`, RFC 8410
/// §7), the public key as SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`, RFC 8410 §4), so
/// `openssl pkeyutl -verify -rawin` checks a signature with standard tools.
public struct CheckpointKey: Sendable {
    /// The private key's 32 raw bytes (the key type itself is not `Sendable`).
    private let rawKey: Data
    private var privateKey: Curve25519.Signing.PrivateKey {
        // The bytes were read from a valid key: this cannot fail.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: self.rawKey)
    }

    // RFC 8410's fixed DER prefixes for Ed25519 (OID 1.3.101.112): the only variable part of both
    // encodings is the 32-byte key at the end.
    private static let privatePrefix: [UInt8] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]
    private static let publicPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// A new random key pair.
    public init() {
        self.rawKey = Curve25519.Signing.PrivateKey().rawRepresentation
    }

    /// Reads the private key PEM at `url`.
    /// - Throws: ``StoreError`` naming the file when it is missing, unreadable or not an Ed25519
    ///   PKCS#8 PEM key.
    public init(contentsOf url: URL) throws {
        guard let data = try POSIXFile.contents(of: url.path) else {
            throw StoreError(
                operation: "open", path: url.path, errno: ENOENT, detail: "no checkpoint signing key here",
                advice: "run `palimpsest keygen` to write one, or set [evidence] signing_key_file")
        }
        guard let der = Self.derFromPEM(String(decoding: data, as: UTF8.self), label: "PRIVATE KEY"),
            der.count == Self.privatePrefix.count + 32,
            der.prefix(Self.privatePrefix.count).elementsEqual(Self.privatePrefix),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32))
        else {
            throw StoreError(
                operation: "decode", path: url.path, detail: "not an Ed25519 private key in PKCS#8 PEM",
                advice: "write a new one with `palimpsest keygen` (the old checkpoints keep their own public key)")
        }
        self.rawKey = key.rawRepresentation
    }

    /// The public key, 32 bytes as lowercase hex (as checkpoints carry it).
    public var publicKeyHex: String { ContentHash.hex(self.privateKey.publicKey.rawRepresentation) }

    /// The private key as PKCS#8 PEM.
    public var privateKeyPEM: String {
        Self.pem(Data(Self.privatePrefix) + self.privateKey.rawRepresentation, label: "PRIVATE KEY")
    }

    /// The public key as SubjectPublicKeyInfo PEM.
    public var publicKeyPEM: String { Self.publicKeyPEM(hex: self.publicKeyHex) ?? "" }

    /// Signs `message` (Ed25519, RFC 8032).
    /// - Returns: the 64-byte signature as lowercase hex.
    /// - Throws: when the signature cannot be made (swift-crypto's error).
    public func sign(_ message: Data) throws -> String {
        ContentHash.hex(try self.privateKey.signature(for: message))
    }

    /// True when `signature` (hex) is `publicKey`'s (hex) Ed25519 signature of `message`.
    public static func isValidSignature(_ signature: String, of message: Data, publicKey: String) -> Bool {
        guard let keyBytes = Self.bytes(hex: publicKey), let signatureBytes = Self.bytes(hex: signature),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes)
        else { return false }
        return key.isValidSignature(signatureBytes, for: message)
    }

    /// The SubjectPublicKeyInfo PEM of a public key given as hex, or `nil` when it is not 32 bytes.
    public static func publicKeyPEM(hex: String) -> String? {
        guard let bytes = Self.bytes(hex: hex), bytes.count == 32 else { return nil }
        return Self.pem(Data(Self.publicPrefix) + bytes, label: "PUBLIC KEY")
    }

    static func pem(_ der: Data, label: String) -> String {
        let base64 = der.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }

    static func derFromPEM(_ text: String, label: String) -> Data? {
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex)
        else { return nil }
        let body = text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body))
    }

    static func bytes(hex: String) -> Data? {
        guard hex.count % 2 == 0 else { return nil }
        var data = Data(capacity: hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            data.append(byte)
            index = next
        }
        return data
    }
}
