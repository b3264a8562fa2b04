import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

@Suite struct EventLineFormatterTests {
    /// UTC+1, so 22:05:12Z shows as 23:05:12 +0100.
    let formatter = EventLineFormatter(timeZone: TimeZone(secondsFromGMT: 3600)!, textColumns: 80)

    private func deleted(text: String) -> Event {
        var event = Event(
            id: "x",
            detectedAt: StoreTestSupport.date(-328),
            event: .deleted,
            platform: .feed,
            account: AccountKey(rawValue: "feed:https://rsshub.app/twitter/user/ArknightsStaff"),
            accountName: "Arknights"
        )
        event.reason = .removed
        event.confirmedBy = .probe
        event.postID = "1659"
        event.lifetime = SecondsInterval(minSeconds: 7800, maxSeconds: 8400)
        event.text = text
        return event
    }

    /// The text between 「 and 」.
    private func quoted(_ line: String) throws -> String {
        let start = try #require(line.firstIndex(of: "「"))
        let end = try #require(line.lastIndex(of: "」"))
        return String(line[line.index(after: start)..<end])
    }

    @Test func aDeletionShowsTimeReasonAccountPostLifetimeAndText() {
        let line = self.formatter.format(self.deleted(text: "Maintenance notice"))

        #expect(
            line
                == "2026-11-29 23:13:12 +0100  deleted (removed, probe)  Arknights  post 1659  lived 2h10m–2h20m  "
                + "「Maintenance notice」"
        )
    }

    @Test func removedRepostReadsApartFromADeletionOfTheAccountsOwnPost() {
        var event = self.deleted(text: "someone else's post")
        event.postKind = .repost

        let line = self.formatter.format(event)

        #expect(line.contains("  repost removed (un-boosted or deleted; removed, probe)  "), "\(line)")
        #expect(!line.contains("  deleted ("), "\(line)")
    }

    @Test func sixtyChineseCharactersAreCutToForty() throws {
        let text = String(repeating: "删", count: 60)

        let shown = try self.quoted(self.formatter.format(self.deleted(text: text)))

        #expect(shown == String(repeating: "删", count: 40) + "…")
    }

    @Test func asciiIsCutAtEightyColumnsAndShortTextIsWhole() throws {
        let long = String(repeating: "abcd", count: 30)

        #expect(try self.quoted(self.formatter.format(self.deleted(text: long))) == String(long.prefix(80)) + "…")
        #expect(
            try self.quoted(self.formatter.format(self.deleted(text: String(long.prefix(80)))))
                == String(long.prefix(80))
        )
    }

    @Test func aWideCharacterThatWouldCrossTheLastColumnIsLeftOut() throws {
        // 79 ASCII columns, then a 2-column character: it does not fit in column 80.
        let text = String(repeating: "a", count: 79) + "中文"

        #expect(
            try self.quoted(self.formatter.format(self.deleted(text: text)))
                == String(repeating: "a", count: 79) + "…"
        )
    }

    @Test func graphemesAreNeverCut() throws {
        let family = "👨‍👩‍👧"  // one grapheme, 2 columns
        let accented = "e\u{301}"  // one grapheme, 1 column
        let narrow = EventLineFormatter(timeZone: .gmt, textColumns: 5)

        #expect(try self.quoted(narrow.format(self.deleted(text: "ab\(family)\(family)"))) == "ab\(family)…")
        #expect(
            try self.quoted(narrow.format(self.deleted(text: String(repeating: accented, count: 6)))) == String(
                repeating: accented,
                count: 5
            ) + "…"
        )
        #expect(TerminalText.columns(of: "ｆｕｌｌ") == 8)
        #expect(TerminalText.columns(of: "한국어") == 6)
        #expect(TerminalText.columns(of: "かな") == 4)
    }

    @Test func lineBreaksAndControlCharactersCannotBreakTheLine() throws {
        let text = "first line\nsecond\r\nthird \u{1B}[31mred\u{1B}[0m\u{202E}evil\ttab"

        let shown = try self.quoted(self.formatter.format(self.deleted(text: text)))

        #expect(shown == "first line⏎second⏎third [U+001B][31mred[U+001B][0m[U+202E]evil tab")
        #expect(!self.formatter.format(self.deleted(text: text)).contains("\n"))
    }

    @Test func durationsAreHumanAndRangesContainTheTruth() {
        #expect(EventLineFormatter.duration(45, roundingUp: false) == "45s")
        #expect(EventLineFormatter.duration(600, roundingUp: false) == "10m")
        #expect(EventLineFormatter.duration(7805, roundingUp: false) == "2h10m")
        #expect(EventLineFormatter.duration(7805, roundingUp: true) == "2h11m")
        #expect(EventLineFormatter.duration(7200, roundingUp: true) == "2h")
        #expect(EventLineFormatter.duration(90_000, roundingUp: false) == "1d1h")
        #expect(EventLineFormatter.duration(3 * 86_400, roundingUp: false) == "3d")
        #expect(EventLineFormatter.range(SecondsInterval(minSeconds: 7800, maxSeconds: 8400)) == "2h10m–2h20m")
        #expect(EventLineFormatter.range(SecondsInterval(minSeconds: 600, maxSeconds: 600)) == "10m")
        #expect(EventLineFormatter.range(SecondsInterval(minSeconds: 30, maxSeconds: 610)) == "30s–11m")
    }

    @Test func anAlterationShowsItsEditMarker() {
        var event = self.deleted(text: "new text")
        event.event = .altered
        event.reason = nil
        event.confirmedBy = nil
        event.lifetime = nil
        event.editedAt = StoreTestSupport.date(-400)

        #expect(
            self.formatter.format(event)
                == "2026-11-29 23:13:12 +0100  altered (edited 2026-11-29 23:12:00)  Arknights  post 1659  "
                + "「new text」"
        )
        event.editedAt = nil
        #expect(self.formatter.format(event).contains("altered (no edit marker)"))
    }

    @Test func aRestoreShowsHowLongThePostWasGone() {
        var event = self.deleted(text: "back")
        event.event = .restored
        event.reason = nil
        event.confirmedBy = nil
        event.goneFor = SecondsInterval(minSeconds: 3600, maxSeconds: 5400)

        #expect(
            self.formatter.format(event)
                == "2026-11-29 23:13:12 +0100  restored  Arknights  post 1659  gone 1h–1h30m  「back」"
        )
    }

    @Test func aBlindSpanShowsItsLengthAndFailure() {
        var event = Event(
            id: "b",
            detectedAt: StoreTestSupport.date(),
            event: .blind,
            platform: .mastodon,
            account: AccountKey(rawValue: "mastodon:@user@mastodon.social")
        )
        event.blind = BlindSpan(
            from: StoreTestSupport.date(-1800),
            to: StoreTestSupport.date(),
            failedPolls: 3,
            failure: PollFailure(kind: .httpStatus, message: "HTTP 503", httpStatus: 503)
        )

        #expect(
            self.formatter.format(event)
                == "2026-11-29 23:18:40 +0100  blind  mastodon:@user@mastodon.social  "
                + "for 30m from 2026-11-29 22:48:40 (3 failed polls: http_status)"
        )
        event.blind?.to = nil
        #expect(
            self.formatter.format(event).hasSuffix(
                "mastodon.social  since 2026-11-29 22:48:40, still open (3 failed polls: http_status)"
            )
        )
    }

    @Test func longPostIDsAreAbbreviated() {
        #expect(EventLineFormatter.abbreviated("113547291029384756") == "113547291029384756")
        #expect(
            EventLineFormatter.abbreviated("https://example.org/posts/2026/11/29/a-long-slug")
                == "https://exam…a-long-slug"
        )
    }
}
