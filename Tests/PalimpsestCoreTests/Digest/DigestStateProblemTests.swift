import Foundation
import GRDB
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// An account whose stored state does not read (a hand-edited or damaged `state.sqlite`) is named
/// by the digest with what is wrong and what to do, in every rendering, where it was shown as never
/// observed without a word (found by a tester's hand edits).
@Suite struct DigestStateProblemTests {
    static let week = ISOWeek("2026-W48")!  // StoreTestSupport.date(0) is Sunday 2026-11-29

    /// A config of two feeds, both polled through the week, and the digest of the week after `edit`
    /// (its `?` is the first account's key).
    static func digest(after edit: String?) throws -> (digest: Digest, config: PalimpsestConfig, root: URL) {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        let config = try ConfigLoader.parse(
            """
            [daemon]
            state_dir = "state"
            deletion_log = "deletions.jsonl"

            [[account]]
            platform = "feed"
            url = "https://example.org/a.xml"
            name = "A"

            [[account]]
            platform = "feed"
            url = "https://example.org/b.xml"
            """, file: root.appendingPathComponent("p.toml"))
        let log = try DeletionLog(
            url: config.daemon.deletionLog,
            headURL: config.daemon.stateDirectory.appendingPathComponent(ChainHead.fileName))
        _ = try log.append([StoreTestSupport.event("e1", at: 60)])
        let store = try StateStore(root: config.daemon.stateDirectory)
        for account in config.accounts {
            var state = AccountState(account: account.key)
            state.lastPoll = PollRecord(at: StoreTestSupport.date(0), outcome: "complete", detail: "", posts: 1)
            state.pollSpans = [PollSpan(from: StoreTestSupport.date(-6 * 86_400), to: StoreTestSupport.date(0))]
            try store.commitAndWait(StateCommit(account: account.key, before: nil, state: state))
        }
        if let edit {
            try store.pool.write { db in try db.execute(sql: edit, arguments: [config.accounts[0].key.rawValue]) }
        }
        let digest = try DigestLoader.makeDigest(
            config: config, week: Self.week, timeZone: TimeZone(identifier: "UTC")!,
            now: StoreTestSupport.date(3_600), reproducible: true)
        return (digest, config, root)
    }

    @Test(arguments: [
        "UPDATE accounts SET state = '{\"account\":' WHERE key = ?",
        "UPDATE accounts SET state = x'ff' WHERE key = ?",
        "UPDATE accounts SET state = json_set(state, '$.poll_spans[0].from', 'yesterday') WHERE key = ?",
        // A span that is not an object (`json_extract` over it failed the whole read before).
        "UPDATE accounts SET state = json_insert(state, '$.poll_spans[#]', 'a string') WHERE key = ?",
    ])
    func anAccountWhoseStateDoesNotReadIsNamedInEveryRendering(_ edit: String) throws {
        let (digest, config, root) = try Self.digest(after: edit)
        defer { StoreTestSupport.remove(root) }
        let broken = config.accounts[0].key
        // The other account reads and is observed.
        #expect(digest.accounts.first { $0.account == config.accounts[1].key }?.coverage.observedSeconds ?? 0 > 0)

        let files = try DigestFiles(digest: digest)
        let markdown = String(decoding: files.markdown, as: UTF8.self)
        #expect(markdown.contains("> **Warning: the stored state of 1 account does not read**"), "\(markdown)")
        #expect(markdown.contains("> - `\(broken.rawValue)`: "))
        let html = String(decoding: files.html, as: UTF8.self)
        #expect(html.contains("<div class=\"alert\" id=\"state-warning\" role=\"alert\">"))
        #expect(html.contains("<li><code>\(broken.rawValue)</code>: "))
        let json = try #require(try JSONSerialization.jsonObject(with: files.json) as? [String: Any])
        let listed = try #require(json["state_problems"] as? [[String: Any]])
        #expect(listed.map { $0["account"] as? String } == [broken.rawValue])
        let problem = try #require(listed[0]["problem"] as? String)
        #expect(problem.contains(broken.rawValue), "\(problem)")
        #expect(problem.contains("DELETE FROM accounts"), "the advice `status` gives: \(problem)")
        #expect(markdown.contains(MarkdownDigestRenderer.inline(problem)))
        #expect(html.contains(HTMLDigestRenderer.text(problem)))
    }

    @Test func aDigestWhoseStatesReadSaysNothingOfThem() throws {
        let (digest, _, root) = try Self.digest(after: nil)
        defer { StoreTestSupport.remove(root) }
        let files = try DigestFiles(digest: digest)
        #expect(!String(decoding: files.markdown, as: UTF8.self).contains("does not read"))
        #expect(!String(decoding: files.json, as: UTF8.self).contains("state_problems"))
        #expect(!String(decoding: files.html, as: UTF8.self).contains("state-warning"))
    }
}
