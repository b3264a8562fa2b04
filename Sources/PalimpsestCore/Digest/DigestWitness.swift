public import Foundation

/// What a digest publishes of the log's checkpoints (`witness` in `digest.json`): the signing
/// public key and each checkpoint of the week (tree head, signature), so that every recipient
/// holds an independent copy of what the log said then. `palimpsest verify --against` reads it.
public struct DigestWitness: Sendable, Hashable, Codable {
    /// The Ed25519 public key (hex) that signs the checkpoints, when a key is configured.
    public var publicKey: String?
    /// The checkpoints made during the digest's week (and the one made for the digest), oldest first.
    public var checkpoints: [WitnessCheckpoint]

    /// What the check of the log behind this digest covered, and when each part was verified
    /// (a check going on from the verification memo says which lines it took from it).
    public var verified: String?

    /// Creates a witness.
    public init(publicKey: String?, checkpoints: [WitnessCheckpoint]) {
        self.publicKey = publicKey
        self.checkpoints = checkpoints
    }

    enum CodingKeys: String, CodingKey {
        case checkpoints, verified
        case publicKey = "public_key"
    }

    /// The witness of the `digest.json` at `url`.
    /// - Throws: ``StoreError`` when the file is missing, not JSON, or has no `witness`.
    public static func load(from url: URL) throws -> DigestWitness {
        guard let data = try POSIXFile.contents(of: url.path) else {
            throw StoreError(
                operation: "open", path: url.path, detail: "no such file", advice: "give the digest.json you received")
        }
        struct Document: Decodable { var witness: DigestWitness? }
        guard let document = try? JSONCoding.decoder().decode(Document.self, from: data), let witness = document.witness
        else {
            throw StoreError(
                operation: "decode", path: url.path, detail: "not a digest.json with a `witness` (checkpoints)",
                advice: "digests written before checkpoints existed carry none; use a newer one")
        }
        return witness
    }
}
