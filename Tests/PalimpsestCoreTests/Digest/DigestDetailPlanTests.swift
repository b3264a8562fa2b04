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
            #expect(document.contains("events.csv and digest.json hold every event"), "\(name)")
            // `b`'s second deletion and its alteration are counted where they would be.
            #expect(document.components(separatedBy: "1 more entry of this group not shown here").count == 3, "\(name)")
            #expect(!document.contains("Account c"), "\(name): no section, no row, no legend for c")
            #expect(document.contains("2 other accounts (no section)"), "\(name)")
        }
        #expect(markdown.contains("| 2 other accounts (no section) | 1 | 0 | 0 | 0 |"))
        #expect(html.contains("id=\"account-2\""))
        #expect(!html.contains("id=\"account-3\""))
        #expect(html.contains(DigestChart.othersBackground))
        // The deletions of c, without a section, in the per-day table's row of the other accounts.
        #expect(markdown.contains("| 2 other accounts (no section) | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |"))
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

    @Test func aWeekWithinTheLimitIsRenderedAsWithoutOne() throws {
        let digest = Self.digest()
        let whole = try DigestFiles(digest: digest, entriesInFull: 0)
        let standard = try DigestFiles(digest: digest)
        #expect(standard.markdown == whole.markdown)
        #expect(standard.html == whole.html)
        let markdown = String(decoding: whole.markdown, as: UTF8.self)
        for post in Self.allPosts { #expect(markdown.contains(post)) }
        #expect(!markdown.contains("This document shows"))
        #expect(!markdown.contains("other account"))
    }
}
