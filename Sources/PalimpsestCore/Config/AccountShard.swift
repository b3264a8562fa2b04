import Crypto
import Foundation

/// `[daemon] shard = "2/8"`: this instance watches only the accounts whose key hashes to shard 2
/// of 8, so several hosts can split one watch list with one shared config.
///
/// The hash is stable across hosts, runs and versions: the first 8 bytes of the SHA-256 of the
/// account key's UTF-8 bytes, read big-endian, modulo the shard count, plus one. Adding or removing
/// an account never moves another; changing the shard count moves most of them.
public struct AccountShard: Sendable, Hashable, CustomStringConvertible {
    /// This instance's shard, 1...``count``.
    public let index: Int
    /// The number of shards, at least 1.
    public let count: Int

    /// The largest shard count accepted.
    public static let maximumCount = 4_096

    /// A shard from its parts; `nil` unless `1 <= index <= count <= maximumCount`.
    public init?(index: Int, count: Int) {
        guard count >= 1, count <= Self.maximumCount, index >= 1, index <= count else { return nil }
        self.index = index
        self.count = count
    }

    /// Parses `"k/n"` (spaces around the numbers allowed); `nil` when malformed or out of range.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let index = Int(parts[0].trimmingCharacters(in: .whitespaces)),
            let count = Int(parts[1].trimmingCharacters(in: .whitespaces))
        else { return nil }
        self.init(index: index, count: count)
    }

    /// `"k/n"`.
    public var description: String { "\(self.index)/\(self.count)" }

    /// True when `key` belongs to this shard.
    public func contains(_ key: AccountKey) -> Bool {
        Self.shardIndex(of: key, count: self.count) == self.index
    }

    /// The shard (1...`count`) that `key` belongs to when the list is split `count` ways.
    public static func shardIndex(of key: AccountKey, count: Int) -> Int {
        let digest = SHA256.hash(data: Data(key.rawValue.utf8))
        let prefix = digest.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        return Int(prefix % UInt64(max(1, count))) + 1
    }
}
