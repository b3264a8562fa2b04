import Foundation
import PalimpsestCore
import Testing

@Suite struct AccountShardTests {
    @Test func parsesIndexOfCount() throws {
        let shard = try #require(AccountShard(parsing: "2/8"))
        #expect(shard.index == 2)
        #expect(shard.count == 8)
        #expect(shard.description == "2/8")
        #expect(AccountShard(parsing: " 1 / 1 ")?.description == "1/1")
    }

    @Test(arguments: ["0/8", "9/8", "2/0", "2", "2/8/1", "a/b", "-1/8", "", "1/4097"])
    func rejectsMalformedOrOutOfRangeShards(_ text: String) {
        #expect(AccountShard(parsing: text) == nil)
    }

    /// Expected values: the first 8 bytes of SHA-256 of the key, big-endian, mod n, plus 1, worked
    /// out by hand with `hashlib.sha256(key).digest()[:8]` (26037394345324ba, cdaca605d0a6404d).
    @Test func hashesTheKeyStably() {
        let feed = AccountKey(rawValue: "feed:https://example.org/a.xml")
        let mastodon = AccountKey(rawValue: "mastodon:@Gargron@mastodon.social")
        #expect(AccountShard.shardIndex(of: feed, count: 8) == 3)
        #expect(AccountShard.shardIndex(of: mastodon, count: 8) == 6)
        #expect(AccountShard.shardIndex(of: feed, count: 3) == 2)
        #expect(AccountShard(index: 3, count: 8)?.contains(feed) == true)
        #expect(AccountShard(index: 2, count: 8)?.contains(feed) == false)
    }

    @Test func everyAccountFallsInExactlyOneShard() throws {
        let keys = (0..<200).map { AccountKey(rawValue: "feed:https://example.org/\($0).xml") }
        let shards = try (1...5).map { try #require(AccountShard(index: $0, count: 5)) }
        for key in keys {
            #expect(shards.filter { $0.contains(key) }.count == 1)
        }
        // And the split is roughly even: no shard empty.
        for shard in shards { #expect(keys.contains { shard.contains($0) }) }
    }

    @Test func theConfigWatchesOnlyItsShard() throws {
        let text = """
            [daemon]
            state_dir = "state"
            shard = "3/8"

            [[account]]
            platform = "feed"
            url = "https://example.org/a.xml"

            [[account]]
            platform = "feed"
            url = "https://example.org/b.xml"
            """
        let config = try ConfigLoader.parse(text, file: URL(fileURLWithPath: "/tmp/p.toml"))
        #expect(config.daemon.shard == AccountShard(index: 3, count: 8))
        #expect(config.accounts.count == 2)
        #expect(config.watchedAccounts.map(\.key.rawValue) == ["feed:https://example.org/a.xml"])
        #expect(
            ConfigSummary.describe(config).contains("shard               3/8 (this instance watches 1 of 2 accounts)"))
    }

    @Test func aMalformedShardIsAConfigError() {
        let text = """
            [daemon]
            shard = "9/8"
            """
        #expect {
            try ConfigLoader.parse(text, file: URL(fileURLWithPath: "/tmp/p.toml"))
        } throws: { error in
            let message = "\(error)"
            return message.contains("/tmp/p.toml:2:1: key `daemon.shard`") && message.contains("found \"9/8\"")
        }
    }
}
