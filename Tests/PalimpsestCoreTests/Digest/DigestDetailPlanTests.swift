import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// `digest.md` and `digest.html` show at most `[digest] entries_in_full` entries in full
/// (``DigestDetailPlan``); `events.csv` and `digest.json` always hold every event.
@Suite struct DigestDetailPlanTests {
    static func key(_ name: String) -> AccountKey { AccountKey(rawValue: "feed:https://example.org/\(name).xml") }

    /// Account `a` deleted 3 posts; `b` deleted 2 and altered 1; `c` deleted 1; `d` is configured
    /// and found nothing. Post ids are `post-<account><n>`.
    static func digest() -> Digest {
        var events: [Event] = []
        func add(_ account: String, _ kind: EventKind, _ number: Int) {
            var event = Event(
                id: "\(account)\(kind.rawValue)\(number)",
                detectedAt: DigestTestSupport.date("2026-11-24T10:00:00Z").addingTimeInterval(
                    Double(events.count) * 60),
                event: kind, platform: .feed, account: Self.key(account), accountName: "Account \(account)")
            event.postID = "post-\(account)\(kind.rawValue)\(number)"
            if kind == .altered {
                event.previousText = "first words"
                event.text = "second words"
            }
            events.append(event)
        }
        for number in 1...3 { add("a", .deleted, number) }
        for number in 1...2 { add("b", .deleted, number) }
        add("b", .altered, 1)
        add("c", .deleted, 1)
        let configured = ["a", "b", "c", "d"].map {
            Account(
                key: Self.key($0), name: "Account \($0)",
                source: .feed(url: URL(string: "https://example.org/\($0).xml")!))
        }
        let builder = DigestBuilder(
            week: ISOWeek("2026-W48")!, timeZone: DigestTestSupport.utc, accounts: configured,
            now: DigestTestSupport.date("2026-12-01T00:00:00Z"), generatedAt: nil)
        return builder.build(logs: [DigestLogInput(label: "deletions.jsonl", events: events)])
    }

    static let allPosts = [
        "post-adeleted1", "post-adeleted2", "post-adeleted3", "post-bdeleted1", "post-bdeleted2", "post-baltered1",
        "post-cdeleted1",
    ]

    /// A limit of 4: `a` in full (3), `b` with its first deletion only (its allowance is spent),
    /// `c` and `d` without a section, counted together.
    @Test func theAccountsAreShownInOrderUntilTheLimitIsSpent() throws {
        let digest = Self.digest()
        #expect(digest.accounts.map(\.account) == ["a", "b", "c", "d"].map(Self.key))
        let plan = DigestDetailPlan(digest: digest, entryLimit: 4)
        #expect(plan.detailedAccounts == 2)
        #expect([0, 1, 2, 3].map(plan.allowance(ofAccountAt:)) == [3, 1, 0, 0])
        #expect(plan.shownEntries == 4)
        #expect(plan.omittedEntries == 3)
        #expect(plan.omittedAccounts == 2)
        let others = try #require(plan.others)
        #expect(others.accounts == 2)
        #expect(others.deleted == 1)
        #expect(others.accountsWithDeletions == 1)
        #expect(others.deletedPerDay.reduce(0, +) == 1)
        #expect(others.deletedPerDay.count == digest.days.count)

        // An account with nothing found costs one entry: a limit of 7 reaches `c` but not `d`.
        let seven = DigestDetailPlan(digest: digest, entryLimit: 7)
        #expect(seven.detailedAccounts == 3)
        #expect(seven.omittedEntries == 0)
        #expect(seven.isPartial)
        let eight = DigestDetailPlan(digest: digest, entryLimit: 8)
        #expect(eight.detailedAccounts == 4)
        #expect(!eight.isPartial)
        #expect(eight.others == nil)
        #expect(!DigestDetailPlan(digest: digest, entryLimit: 0).isPartial)
        #expect(!DigestDetailPlan(digest: digest, entryLimit: nil).isPartial)
    }

    @Test func theDocumentsShowTheLimitsEntriesAndSayWhereTheRestIs() throws {
        let digest = Self.digest()
        let files = try DigestFiles(digest: digest, entriesInFull: 4)
        let markdown = String(decoding: files.markdown, as: UTF8.self)
        let html = String(decoding: files.html, as: UTF8.self)
        let shown = ["post-adeleted1", "post-adeleted2", "post-adeleted3", "post-bdeleted1"]
        let omitted = ["post-bdeleted2", "post-baltered1", "post-cdeleted1"]
        for (name, document) in [("digest.md", markdown), ("digest.html", html)] {
            for post in shown { #expect(document.contains(post), "\(name) shows \(post)") }
            for post in omitted { #expect(!document.contains(post), "\(name) leaves \(post) out") }
            #expect(document.contains("This document shows 4 of the week"), "\(name)")
            #expect(document.contains("7 entries in full, in the first 2 of its 4 accounts"), "\(name)")
            #expect(document.contains("the other 2 accounts are not given a section"), "\(name)")
            #expect(document.contains("events.csv and digest.json hold every event"), "\(name)")
            // `b`'s second deletion and its alteration are counted where they would be.
            #expect(document.contains("Not shown here: 1 of these 2 (events.csv and digest.json"), "\(name)")
            #expect(document.contains("Not shown here: this one (events.csv and digest.json"), "\(name)")
            #expect(!document.contains("Account c"), "\(name): no section, no row, no legend for c")
            #expect(document.contains("2 other accounts (no section)"), "\(name)")
        }
        #expect(markdown.contains("| 2 other accounts (no section) | 1 | 0 | 0 | 0 |"))
        #expect(html.contains("id=\"account-2\""))
        #expect(!html.contains("id=\"account-3\""))
        #expect(html.contains(DigestChart.othersBackground))
        // The deletions of c, without a section, in the per-day table's row of the other accounts.
        #expect(markdown.contains("| 1 other account with deletions (no section) | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |"))
        #expect(html.contains("1 other account with deletions (no section)</th>"))
        #expect(markdown.contains("| **All accounts** | 0 | 6 | 0 | 0 | 0 | 0 | 0 | 6 |"))

        let csv = String(decoding: files.csv, as: UTF8.self)
        let json = String(decoding: files.json, as: UTF8.self)
        for post in Self.allPosts {
            #expect(csv.contains(post), "events.csv holds \(post)")
            #expect(json.contains(post), "digest.json holds \(post)")
        }
        // The JSON and CSV do not depend on the limit.
        let whole = try DigestFiles(digest: digest, entriesInFull: 0)
        #expect(whole.json == files.json)
        #expect(whole.csv == files.csv)
    }

    /// The account that crosses the limit spends it in one order of groups (deleted, reposted
    /// originals, altered, restored, account events), so both documents show the same entries,
    /// whatever order they show the groups in.
    @Test func bothDocumentsShowTheSameEntriesOfTheAccountThatCrossesTheLimit() throws {
        var digest = Self.digest()
        var account = digest.accounts[0]
        var reposted = account.entries[0]
        reposted.event.id = "reposted1"
        reposted.event.postID = "post-areposted1"
        reposted.event.about = .repostedOriginal
        var altered = account.entries[0]
        altered.event.id = "altered1"
        altered.event.event = .altered
        altered.event.postID = "post-aaltered1"
        altered.event.previousText = "before"
        altered.event.text = "after"
        var gone = account.entries[0]
        gone.event.id = "gone1"
        gone.event.event = .accountUnavailable
        gone.event.postID = nil
        account.entries += [reposted, altered, gone]
        digest.accounts[0] = account
        // a: 3 deleted, 1 reposted original, 1 altered, 1 account event; a limit of 4 shows the
        // deletions and the reposted original.
        let files = try DigestFiles(digest: digest, entriesInFull: 4)
        let markdown = String(decoding: files.markdown, as: UTF8.self)
        let html = String(decoding: files.html, as: UTF8.self)
        for (name, document) in [("digest.md", markdown), ("digest.html", html)] {
            #expect(document.contains("post-areposted1"), "\(name)")
            #expect(!document.contains("post-aaltered1"), "\(name)")
            #expect(document.components(separatedBy: "Not shown here: this one (").count == 3, "\(name)")
        }
    }

    /// The accounts without a section that became unavailable, came back or could not be seen are
    /// still named (the list cannot become markup); a chain break on a line not shown is said in
    /// the chain warning.
    @Test func otherAccountsThatBecameUnavailableOrWereNotSeenAreNamedAndUnshownSuspectsAreCounted() throws {
        var digest = Self.digest()
        var account = digest.accounts[3]
        var gone = digest.accounts[0].entries[0]
        gone.event.id = "gone-d"
        gone.event.event = .accountUnavailable
        gone.event.account = account.account
        gone.event.postID = nil
        account.entries = [gone]
        digest.accounts[3] = account
        var suspect = digest.accounts[2]
        suspect.entries[0].chainProblem = .init(line: 7, note: "prev does not match the line before")
        suspect.name = "- 1. Account c"
        suspect.coverage.blindSpans = [
            .init(
                from: DigestTestSupport.date("2026-11-25T10:00:00Z"),
                to: DigestTestSupport.date("2026-11-25T11:00:00Z"),
                failedPolls: 6, failureKind: "timeout", failureMessage: "timed out", secondsInWeek: 3_600)
        ]
        digest.accounts[2] = suspect
        digest.sources[0].chainProblems = 1
        let plan = DigestDetailPlan(digest: digest, entryLimit: 4)
        #expect(plan.othersToName == [2, 3])
        #expect(plan.omittedSuspects == 1)
        let files = try DigestFiles(digest: digest, entriesInFull: 4)
        for (name, data) in [("digest.md", files.markdown), ("digest.html", files.html)] {
            let document = String(decoding: data, as: UTF8.self)
            #expect(
                document.contains("Other accounts that became unavailable, came back or could not be seen"), "\(name)")
            #expect(document.contains("Account d"), "\(name)")
            #expect(document.contains("became unavailable 1"), "\(name)")
            #expect(document.contains("Account c"), "\(name)")
            #expect(document.contains("not seen 1 time (blind spans)"), "\(name)")
            #expect(!document.contains("post-cdeleted1"), "\(name)")
            #expect(document.contains("1 entry from them is not shown here (entries_in_full)"), "\(name)")
        }
        // The list item starts with the account's key: the name cannot open a list of its own.
        let markdown = String(decoding: files.markdown, as: UTF8.self)
        let item = try #require(
            markdown.split(separator: "\n").first { $0.hasPrefix("- `feed:https://example.org/c.xml` ") })
        #expect(item.hasSuffix("Account c: not seen 1 time (blind spans)"), "\(item)")
    }

    /// When only accounts with nothing found are left out, the notice says every entry is shown.
    @Test func aDocumentLeavingOutOnlyQuietAccountsSaysEveryEntryIsShown() throws {
        let files = try DigestFiles(digest: Self.digest(), entriesInFull: 7)
        let markdown = String(decoding: files.markdown, as: UTF8.self)
        #expect(markdown.contains("This document shows every entry of the week, in the first 3 of its 4 accounts"))
        #expect(markdown.contains("the other account, with nothing found, is counted together in the tables"))
        for post in Self.allPosts { #expect(markdown.contains(post)) }
    }

    /// A week within the limit is rendered as without one, but for the footer's command that
    /// makes the same digest (it names a limit other than the default).
    @Test func aWeekWithinTheLimitIsRenderedAsWithoutOne() throws {
        let digest = Self.digest()
        let whole = try DigestFiles(digest: digest, entriesInFull: 0)
        let standard = try DigestFiles(digest: digest)
        func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }
        #expect(text(whole.markdown).contains("--time-zone UTC --entries-in-full 0`"))
        #expect(text(whole.html).contains("--time-zone UTC --entries-in-full 0</code>"))
        #expect(!text(standard.markdown).contains("--entries-in-full"))
        #expect(
            text(standard.markdown) == text(whole.markdown).replacingOccurrences(of: " --entries-in-full 0", with: ""))
        #expect(text(standard.html) == text(whole.html).replacingOccurrences(of: " --entries-in-full 0", with: ""))
        let markdown = String(decoding: whole.markdown, as: UTF8.self)
        for post in Self.allPosts { #expect(markdown.contains(post)) }
        #expect(!markdown.contains("This document shows"))
        #expect(!markdown.contains("other account"))
    }
}
