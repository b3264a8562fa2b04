import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// The fixture log (Tests/Fixtures/digest/README.md lists its ten events and their weeks).
@Suite struct DigestBuilderTests {
    private func seqs(_ digest: Digest) -> [Int] {
        digest.allEntries.compactMap(\.event.seq)
    }

    @Test func eachWeekHoldsExactlyTheEventsDetectedInItInTheDigestsTimeZone() throws {
        let shanghai = DigestTestSupport.shanghai
        let utc = DigestTestSupport.utc
        // seq 3 (15:59:59Z) and seq 4 (16:00:00Z) straddle Monday 00:00 in Shanghai; seq 10
        // (Sunday 17:00Z) is Monday 01:00 of the next week there.
        #expect(self.seqs(try DigestTestSupport.digest("2026-W47", in: shanghai)) == [1, 2, 3])
        #expect(self.seqs(try DigestTestSupport.digest("2026-W48", in: shanghai)) == [4, 5, 6, 7, 8, 9])
        #expect(self.seqs(try DigestTestSupport.digest("2026-W49", in: shanghai)) == [10])
        #expect(self.seqs(try DigestTestSupport.digest("2026-W47", in: utc)) == [1, 2, 3, 4])
        #expect(self.seqs(try DigestTestSupport.digest("2026-W48", in: utc)) == [5, 6, 7, 8, 9, 10])
        #expect(self.seqs(try DigestTestSupport.digest("2026-W49", in: utc)) == [])
    }

    @Test func headlineNumbersCountTheWeeksEvents() throws {
        let digest = try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai)
        let totals = digest.totals
        #expect(totals.events == 6)
        #expect(
            totals.byKind == [
                "deleted": 2, "altered": 1, "restored": 1, "account_unavailable": 1, "account_restored": 0, "blind": 1,
            ]
        )
        #expect(totals.deletedByReason == ["removed": 1, "unknown": 1])
        #expect(totals.deletedByConfirmation == ["probe": 1, "absence": 1])
        #expect(totals.accountsWatched == 3)
        #expect(totals.accountsWithFindings == 2)
        #expect(!totals.isEmpty)
        #expect(digest.timeZone == "Asia/Shanghai")
        #expect(digest.from == DigestTestSupport.date("2026-11-22T16:00:00Z"))
        #expect(!digest.isInProgress)
        #expect(digest.generatedAt == nil)
    }

    @Test func accountsAreSortedByDeletionsThenByFindings() throws {
        let digest = try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai)
        // Both feeds lost one post; the reporter also has a restore and an account event.
        #expect(
            digest.accounts.map(\.account) == [
                DigestTestSupport.reporter, DigestTestSupport.news, DigestTestSupport.channel,
            ]
        )
        let reporter = digest.accounts[0]
        #expect(reporter.entries(.deleted).map(\.event.postID) == ["1002"])
        #expect(reporter.entries(.restored).map(\.event.postID) == ["1002"])
        #expect(reporter.accountEntries.map(\.event.event) == [.accountUnavailable])
        #expect(digest.accounts[2].hasFindings == false)
    }

    @Test func coverageIsTheWatchedPartOfTheWeekMinusBlindSpans() throws {
        let w48 = try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai)
        let reporter = w48.accounts[0].coverage
        #expect(reporter.expectedSeconds == 604_800)
        #expect(reporter.observedSeconds == 604_800)
        #expect(reporter.blindSpans.isEmpty)
        // The channel went blind at 2026-11-27T22:00Z and the log never closes the span:
        // observed from Monday 00:00 (2026-11-22T16:00Z) for 5 d 6 h = 453 600 s.
        let channel = w48.accounts[2].coverage
        #expect(channel.observedSeconds == 453_600)
        #expect(channel.share == 0.75)
        #expect(channel.blindSpans.count == 1)
        #expect(channel.blindSpans[0].to == nil)
        #expect(channel.blindSpans[0].secondsInWeek == 151_200)
        #expect(channel.blindSpans[0].failureKind == "timeout")

        // In week 47 the reporter was blind 02:00–08:00 UTC on 2026-11-16: the closing event wins
        // over the opening one, so the span is 6 h.
        let w47 = try DigestTestSupport.digest("2026-W47", in: DigestTestSupport.utc)
        let blind = try #require(w47.accounts.first { $0.account == DigestTestSupport.reporter }).coverage
        #expect(blind.blindSpans.count == 1)
        #expect(blind.blindSpans[0].to == DigestTestSupport.date("2026-11-16T08:00:00Z"))
        #expect(blind.blindSpans[0].failedPolls == 36)
        #expect(blind.observedSeconds == 604_800 - 21_600)
    }

    @Test func coverageWithoutAStateFolderRestsOnTheLogAlone() throws {
        let digest = try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai, histories: [:])
        // The feed's first known time is its deleted item's first_seen (2026-11-23T20:10Z) and its
        // last that deletion's detection (2026-11-25T12:00Z): 1 d 15 h 50 min observed.
        let news = try #require(digest.accounts.first { $0.account == DigestTestSupport.news }).coverage
        #expect(news.watchedFrom == DigestTestSupport.date("2026-11-23T20:10:00Z"))
        #expect(news.watchedTo == DigestTestSupport.date("2026-11-25T12:00:00Z"))
        #expect(news.observedSeconds == 143_400)
        #expect(digest.accounts.allSatisfy { $0.entries.allSatisfy { $0.media.isEmpty && $0.evidenceChecks.isEmpty } })
    }

    @Test func entriesCarryMediaAndEvidenceChecksFromTheStore() throws {
        let digest = try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai)
        let deletion = try #require(digest.accounts[0].entries(.deleted).first)
        #expect(deletion.media == ["https://files.example.social/media/1002/original.jpg"])
        #expect(deletion.archivedVersions == 1)
        #expect(deletion.evidenceChecks == [.init(sha256: ContentHash.sha256Hex("b4"), status: .verified)])
        let restore = try #require(digest.accounts[0].entries(.restored).first)
        #expect(restore.evidenceChecks.map(\.status) == [.missing])
    }

    @Test func daysAndLifetimesAreCountedInLocalTime() throws {
        let digest = try DigestTestSupport.digest("2026-W48", in: DigestTestSupport.shanghai)
        #expect(
            digest.days.map(\.date) == [
                "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29",
            ]
        )
        // 1002 went at 16:00:00Z = Monday 00:00 in Shanghai; the news item at 12:00Z Wednesday.
        #expect(digest.days.map(\.deleted) == [1, 0, 1, 0, 0, 0, 0])
        #expect(digest.days[0].deletedByAccount == [DigestTestSupport.reporter.rawValue: 1])
        #expect(digest.days[2].deletedByAccount == [DigestTestSupport.news.rawValue: 1])
        let lifetimes = Dictionary(uniqueKeysWithValues: digest.lifetimes.map { ($0.bucket, $0.deleted) })
        #expect(lifetimes[.within10Minutes] == 1)  // max 480 s
        #expect(lifetimes[.within7Days] == 1)  // max 141 600 s
        #expect(digest.lifetimes.map(\.deleted).reduce(0, +) == 2)
    }

    @Test func anEmptyWeekStillStatesCoverage() throws {
        // Week 49 in UTC has no event; polls went on until 2026-12-06 00:00Z, the channel's blind
        // span (open since 2026-11-27) covers all of it.
        var histories = DigestTestSupport.histories
        for key in histories.keys { histories[key]?.lastPollAt = DigestTestSupport.date("2026-12-06T00:00:00Z") }
        let digest = try DigestTestSupport.digest(
            "2026-W49",
            in: DigestTestSupport.utc,
            histories: histories,
            now: "2026-12-10T00:00:00Z"
        )
        #expect(digest.totals.isEmpty)
        #expect(digest.totals.events == 0)
        // No findings: accounts by name ("Example News" < "Example channel" < "Reporter (记者)").
        #expect(
            digest.accounts.map(\.account) == [
                DigestTestSupport.news, DigestTestSupport.channel, DigestTestSupport.reporter,
            ]
        )
        #expect(digest.accounts.map(\.coverage.observedSeconds) == [518_400, 0, 518_400])
        #expect(DigestFormat.percent(digest.totals.coverage) == "57.1%")

        let markdown = MarkdownDigestRenderer(digest: digest).render()
        #expect(markdown.contains("**Nothing was found this week:**"))
        #expect(markdown.contains("- Coverage: 57.1% of the week observed over all accounts (12d of 21d)"))
        #expect(markdown.contains("still blind at the end of the log"))
        let html = HTMLDigestRenderer(digest: digest).render()
        #expect(html.contains("<strong>Nothing was found this week:</strong>"))
        #expect(html.contains("Coverage: <strong>57.1%</strong>"))
        #expect(!html.contains("class=\"chart days-chart\""))
        #expect(DigestMessage.subject(digest) == "Palimpsest digest 2026-W49 — nothing found (UTC)")
    }

    @Test func eventsInSeveralLogsAreMergedAndCountedOnce() throws {
        let log = try DigestTestSupport.log()
        var other = log
        other.label = "other-host.jsonl"
        var extra = Event(
            id: "feedfacefeedfacefeedfacefeedface",
            detectedAt: DigestTestSupport.date("2026-11-24T00:00:00Z"),
            event: .deleted,
            platform: .weibo,
            account: AccountKey(rawValue: "weibo:1195230310"),
            accountName: "人民日报"
        )
        extra.postID = "5000"
        extra.reason = .censored
        other.events.append(extra)
        let builder = DigestBuilder(
            week: ISOWeek("2026-W48")!,
            timeZone: DigestTestSupport.shanghai,
            accounts: DigestTestSupport.accounts,
            now: DigestTestSupport.date("2026-12-01T00:00:00Z"),
            generatedAt: nil
        )
        let digest = builder.build(logs: [log, other])
        #expect(digest.totals.events == 7)
        #expect(digest.totals.count(.deleted) == 3)
        let weibo = try #require(digest.accounts.first { $0.account.rawValue == "weibo:1195230310" })
        #expect(!weibo.isConfigured)
        #expect(weibo.name == "人民日报")
        #expect(weibo.platform == .weibo)
        #expect(weibo.entries.map(\.log) == ["other-host.jsonl"])
        #expect(digest.sources.map(\.eventsInWeek) == [6, 7])
        #expect(
            DigestLoader.labels(for: [URL(fileURLWithPath: "/a/x.jsonl"), URL(fileURLWithPath: "/b/x.jsonl")]) == [
                "a/x.jsonl", "b/x.jsonl",
            ]
        )
    }

    /// An account found only in the logs is named as its latest event with a name says; of events
    /// detected at the same time, the last in file order (as a stable sort by time, then the last
    /// with a name, gave).
    @Test func anUnconfiguredAccountTakesTheNameOfItsLatestNamedEventTheLastInFileOrderOnATie() throws {
        let account = AccountKey(rawValue: "weibo:42")
        func event(_ id: String, _ time: String, name: String?) -> Event {
            var event = Event(
                id: id, detectedAt: DigestTestSupport.date(time), event: .deleted, platform: .weibo,
                account: account, accountName: name)
            event.postID = id
            return event
        }
        let events = [
            event("a1", "2026-11-25T10:00:00Z", name: "Latest, first of the tie"),
            event("a2", "2026-11-25T10:00:00Z", name: "Latest, last of the tie"),
            event("a3", "2026-11-26T10:00:00Z", name: nil),
            event("a4", "2026-11-24T10:00:00Z", name: "Earlier, later in the file"),
        ]
        let builder = DigestBuilder(
            week: ISOWeek("2026-W48")!, timeZone: DigestTestSupport.utc, accounts: [],
            now: DigestTestSupport.date("2026-12-01T00:00:00Z"), generatedAt: nil)
        let digest = builder.build(logs: [DigestLogInput(label: "deletions.jsonl", events: events)])
        let section = try #require(digest.accounts.first { $0.account == account })
        #expect(section.name == "Latest, last of the tie")
        #expect(section.entries.map(\.event.id) == ["a4", "a1", "a2", "a3"])
    }

    /// A week of many accounts is built (and its diffs computed) in parts on the machine's cores:
    /// every account gets its own events and no other's, and each altered post its own diff.
    @Test func aDigestOfManyAccountsGivesEachAccountItsOwnEntriesAndEachEditItsOwnDiff() throws {
        let accounts = 6_000
        var events: [Event] = []
        for number in 0..<accounts {
            let account = AccountKey(rawValue: "feed:https://example.org/\(number).xml")
            let minute = Double(number % 5_000) * 60
            var deleted = Event(
                id: "d\(number)", detectedAt: DigestTestSupport.date("2026-11-24T00:00:00Z").addingTimeInterval(minute),
                event: .deleted, platform: .feed, account: account)
            deleted.postID = "p\(number)"
            events.append(deleted)
            guard number.isMultiple(of: 3) else { continue }
            var altered = Event(
                id: "a\(number)", detectedAt: DigestTestSupport.date("2026-11-25T00:00:00Z").addingTimeInterval(minute),
                event: .altered, platform: .feed, account: account)
            altered.postID = "q\(number)"
            altered.previousText = "post \(number) as first written"
            altered.text = "post \(number) as edited \(number * 7)"
            events.append(altered)
        }
        let builder = DigestBuilder(
            week: ISOWeek("2026-W48")!, timeZone: DigestTestSupport.utc, accounts: [],
            now: DigestTestSupport.date("2026-12-01T00:00:00Z"), generatedAt: nil)
        let digest = builder.build(logs: [DigestLogInput(label: "deletions.jsonl", events: events)])
        #expect(digest.accounts.count == accounts)
        #expect(Set(digest.accounts.map(\.account)).count == accounts)
        for section in digest.accounts {
            let number = try #require(Int(section.account.rawValue.dropFirst(25).dropLast(4)))
            let expected = number.isMultiple(of: 3) ? ["d\(number)", "a\(number)"] : ["d\(number)"]
            #expect(section.entries.map(\.event.id) == expected, "\(section.account)")
        }
        let diffs = DigestTextDiffs(digest: digest, detail: DigestDetailPlan(digest: digest, entryLimit: nil))
        var altered = 0
        for entry in digest.allEntries where entry.event.event == .altered {
            let old = try #require(entry.event.previousText)
            let new = try #require(entry.event.text)
            // The diff computed for this entry (asked with other texts, a diff not computed would
            // be that of those texts).
            #expect(diffs.segments(of: entry, from: "", to: "") == TextDiff.segments(from: old, to: new))
            altered += 1
        }
        #expect(altered == 2_000)
    }

    /// `events.csv`'s rows and ``Digest/allEntries``: every account's entries by detection time,
    /// then account key, then event id, whatever the order of the accounts in the digest.
    @Test func allEntriesAreOrderedByTimeThenAccountThenIdAcrossAccounts() throws {
        func event(_ id: String, _ account: String, _ time: String) -> Event {
            var event = Event(
                id: id, detectedAt: DigestTestSupport.date(time), event: .deleted, platform: .feed,
                account: AccountKey(rawValue: account))
            event.postID = id
            return event
        }
        let events = [
            event("b2", "feed:b", "2026-11-25T10:00:00Z"),
            event("b1", "feed:b", "2026-11-25T10:00:00Z"),
            event("b0", "feed:b", "2026-11-24T10:00:00Z"),
            event("a9", "feed:a", "2026-11-25T10:00:00Z"),
            event("a1", "feed:a", "2026-11-26T10:00:00Z"),
        ]
        let builder = DigestBuilder(
            week: ISOWeek("2026-W48")!, timeZone: DigestTestSupport.utc, accounts: [],
            now: DigestTestSupport.date("2026-12-01T00:00:00Z"), generatedAt: nil)
        let digest = builder.build(logs: [DigestLogInput(label: "deletions.jsonl", events: events)])
        // feed:b first (three deletions), yet its entries interleave with feed:a's by time.
        #expect(digest.accounts.map(\.account.rawValue) == ["feed:b", "feed:a"])
        #expect(digest.allEntries.map(\.event.id) == ["b0", "a9", "b1", "b2", "a1"])
        let csv = try #require(String(data: EventsCSV.render(digest).dropFirst(3), encoding: .utf8))
        let ids = EventsCSVTests.parse(csv).dropFirst().map { $0[2] }
        #expect(ids == ["b0", "a9", "b1", "b2", "a1"])
    }

    @Test func aWeekInProgressIsCoveredUpToNow() throws {
        let builder = DigestBuilder(
            week: ISOWeek("2026-W48")!,
            timeZone: DigestTestSupport.shanghai,
            accounts: DigestTestSupport.accounts,
            now: DigestTestSupport.date("2026-11-24T16:00:00Z"),
            generatedAt: DigestTestSupport.date("2026-11-24T16:00:00Z")
        )
        let digest = builder.build(logs: [try DigestTestSupport.log()], histories: DigestTestSupport.histories)
        #expect(digest.isInProgress)
        #expect(digest.accounts.allSatisfy { $0.coverage.expectedSeconds == 2 * 86_400 })
        #expect(digest.generatedAt == DigestTestSupport.date("2026-11-24T16:00:00Z"))
        #expect(MarkdownDigestRenderer(digest: digest).render().contains("**The week is not over:**"))
    }

    @Test func theFixtureLogChainsFromGenesis() throws {
        let log = try DigestTestSupport.log()
        #expect(log.events.count == 10)
        #expect(log.chainProblems == 0)
        #expect(log.skippedLines == 0)
        #expect(log.lastSeq == 10)
        #expect(log.lastHash == "9a766d1de386d5fbe9ae4baab6f3c0c5e7840ffceaacafa49e960ca79c4d7b77")
    }
}
