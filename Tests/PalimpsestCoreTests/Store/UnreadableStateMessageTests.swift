import Foundation
import GRDB
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// What `poll` and the daemon say of an account whose stored state does not read: what is wrong
/// with it (not the disk, not "not valid JSON" of valid JSON) and the command that starts it
/// afresh, with the real key, quoted for the shell and for SQL (found by a tester's hand edits).
@Suite struct UnreadableStateMessageTests {
    /// A key with a quote of each kind, a `$` and a space: the advice must still run as given.
    static let account = AccountKey(rawValue: "feed:https://example.org/it's \"$HOME\".xml")

    /// The error of reading the state of ``account`` after `edit`, as a poll reads it: the quiet
    /// read first (which leaves the decision to the whole read), then the whole read.
    static func error(after edit: String, root: URL) throws -> StoreError {
        let store = try StateStore(root: root)
        var state = AccountState(account: Self.account)
        state.lastPoll = PollRecord(at: StoreTestSupport.date(0), outcome: "complete", detail: "", posts: 1)
        try store.commitAndWait(StateCommit(account: Self.account, before: nil, state: state))
        try store.pool.write { db in try db.execute(sql: edit, arguments: [Self.account.rawValue]) }
        #expect(try store.loadQuietState(of: Self.account) == nil)
        try store.prefetchQuietStates(of: [Self.account])
        do {
            _ = try store.loadState(of: Self.account)
        } catch let error as StoreError {
            return error
        }
        throw StoreError(operation: "test", path: "", detail: "the state read", advice: "it should not")
    }

    @Test(arguments: [
        "UPDATE accounts SET state = '{\"account\":', quiet = 1 WHERE key = ?",
        "UPDATE accounts SET state = x'7b22', quiet = 1 WHERE key = ?",
    ])
    func aStateThatIsNotJSONIsSaidToBeSoWithTheCommandThatStartsItAfresh(_ edit: String) throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let error = try Self.error(after: edit, root: root)
        let text = "\(error)"
        #expect(!text.contains("disk and permissions"), "\(text)")
        #expect(text.contains("the state of account \(Self.account) is not "), "\(text)")
        #expect(!text.contains("'…'"), "\(text)")
        try Self.expectTheAdviceStartsTheAccountAfresh(error, root: root)
    }

    @Test func aStateOfValidJSONWithANumberOfTheWrongKindIsNotCalledInvalidJSON() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let error = try Self.error(
            after: "UPDATE accounts SET state = json_set(state, '$.last_poll.posts', 1e300) WHERE key = ?", root: root)
        let text = "\(error)"
        #expect(!text.contains("not valid JSON"), "\(text)")
        #expect(text.contains("is JSON, but not a state palimpsest reads"), "\(text)")
        try Self.expectTheAdviceStartsTheAccountAfresh(error, root: root)
    }

    /// Runs the command between backticks in the advice with `sh` (when `sqlite3` is installed):
    /// the account's row is gone and the next read starts it afresh.
    static func expectTheAdviceStartsTheAccountAfresh(_ error: StoreError, root: URL) throws {
        let parts = error.advice.split(separator: "`", omittingEmptySubsequences: false)
        try #require(parts.count == 3, "one command in backticks: \(error.advice)")
        let command = String(parts[1])
        #expect(command.hasPrefix("sqlite3 -cmd '.timeout 5000' "))
        guard EvidenceTestSupport.available(["sqlite3", "-version"]) else { return }
        let log = root.appendingPathComponent("advice.log")
        // The store just read may still be closing the database on its writer thread (a last
        // checkpoint): the command waits for that lock, as beside a running daemon.
        let status = try ChildProcess(["sh", "-c", command], output: log).wait(timeout: 30)
        #expect(status == 0, "\(command): \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        let store = try StateStore(root: root)
        #expect(try store.loadState(of: Self.account) == nil, "started afresh by: \(command)")
    }
}
