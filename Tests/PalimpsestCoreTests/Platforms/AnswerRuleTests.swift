import Foundation
import Testing

@testable import PalimpsestCore

/// The one answer-rule engine (``AnswerTable``: first match wins), the one classifier of the
/// failures every platform shares (``AnswerFailureClassifier``) with a platform's overrides, and
/// every platform table's citations.
@Suite struct AnswerRuleTests {
    /// 2026-08-01T14:00:00Z.
    let now = Date(timeIntervalSince1970: 1_785_592_800)

    private func answer(_ status: Int, body: String = "", headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        HTTPResponse(
            url: URL(string: "https://example.org/api")!, status: status, headers: headers, body: Data(body.utf8))
    }

    // MARK: The engine

    @Test func theFirstMatchingRowDecidesAndNoMatchIsNil() {
        let table: AnswerTable<Int, String> = [
            AnswerRule(match: 1, meaning: "first", source: "a"),
            AnswerRule(match: 2, meaning: "second", source: "b"),
            AnswerRule(match: 1, meaning: "shadowed", source: "c"),
        ]
        #expect(table.firstMatch { $0 == 1 }?.meaning == "first")
        #expect(table.firstMatch { $0 >= 2 }?.meaning == "second")
        #expect(table.firstMatch { $0 == 3 } == nil)
        #expect(table.count == 3)
    }

    @Test func overridesComeFirstAndReplaceTheRowsTheyMatchExactly() {
        let shared: AnswerTable<Int, String> = [
            AnswerRule(match: 1, meaning: "shared one", source: "a"),
            AnswerRule(match: 2, meaning: "shared two", source: "b"),
        ]
        let platform = shared.overridden(by: [AnswerRule(match: 2, meaning: "platform two", source: "c")])
        #expect(platform.map(\.meaning) == ["platform two", "shared one"])
        #expect(platform.firstMatch { $0 == 2 }?.source == "c")
    }

    // MARK: The shared failure classifier

    @Test(arguments: [
        (429, AnswerFailure.rateLimited), (401, .gated), (403, .gated), (500, .serverError), (502, .serverError),
        (503, .serverError), (599, .serverError),
    ])
    func sharedFailuresAreReadAlikeOnEveryPlatform(status: Int, expected: AnswerFailure) {
        #expect(AnswerFailureClassifier.shared.classify(self.answer(status)) == expected)
    }

    @Test func contentAndPlatformSpecificStatusesAreLeftToThePlatformRules() {
        for status in [200, 204, 301, 304, 400, 404, 410, 418] {
            #expect(AnswerFailureClassifier.shared.classify(self.answer(status)) == nil, "HTTP \(status)")
        }
    }

    @Test func anHTMLPageIsAFailureOnlyWhereJSONWasExpected() {
        let page = self.answer(200, body: "  <!DOCTYPE html><title>Log in</title>")
        #expect(AnswerFailureClassifier.shared.classify(page, expectingJSON: true) == .htmlInsteadOfJSON)
        #expect(AnswerFailureClassifier.shared.classify(page) == nil)
        let json = self.answer(200, body: #"{"ok":1}"#)
        #expect(AnswerFailureClassifier.shared.classify(json, expectingJSON: true) == nil)
        let typed = self.answer(404, body: "{}", headers: ["Content-Type": "text/html; charset=utf-8"])
        #expect(AnswerFailureClassifier.shared.classify(typed, expectingJSON: true) == .htmlInsteadOfJSON)
        let failedWithPage = self.answer(503, body: "<html>down</html>")
        #expect(AnswerFailureClassifier.shared.classify(failedWithPage, expectingJSON: true) == .serverError)
    }

    @Test func weiboReads403And418And414AsItsRateLimitAndKeepsTheSharedRows() {
        for status in [403, 414, 418, 429] {
            #expect(WeiboAnswerRules.failures.classify(self.answer(status)) == .rateLimited, "HTTP \(status)")
        }
        #expect(WeiboAnswerRules.failures.classify(self.answer(401)) == .gated)
        #expect(WeiboAnswerRules.failures.classify(self.answer(500)) == .serverError)
        #expect(AnswerFailureClassifier.shared.classify(self.answer(403)) == .gated, "the override is Weibo's alone")
        let rateLimited = WeiboAnswerRules.table.filter { $0.meaning == .rateLimited }
        #expect(
            rateLimited.map(\.match) == [
                .httpStatus(418...418), .httpStatus(403...403), .httpStatus(414...414), .httpStatus(429...429),
            ])
    }

    @Test func sharedRateLimitResetWaitsForRetryAfterElseTheDefault() {
        let shared = AnswerFailureClassifier.shared
        #expect(
            shared.rateLimitReset(in: self.answer(429, headers: ["Retry-After": "90"]), now: self.now, defaultWait: 60)
                == self.now.addingTimeInterval(90))
        #expect(
            shared.rateLimitReset(in: self.answer(429), now: self.now, defaultWait: 60)
                == self.now.addingTimeInterval(60))
        #expect(
            shared.rateLimitReset(in: self.answer(503, headers: ["Retry-After": "30"]), now: self.now, defaultWait: 60)
                == self.now.addingTimeInterval(30))
        #expect(shared.rateLimitReset(in: self.answer(503), now: self.now, defaultWait: 60) == nil)
        #expect(shared.rateLimitReset(in: self.answer(403), now: self.now, defaultWait: 60) == nil)
        #expect(
            WeiboAnswerRules.failures.rateLimitReset(in: self.answer(418), now: self.now, defaultWait: 600)
                == self.now.addingTimeInterval(600))
    }

    // MARK: Every table cites its sources

    @Test func everyRowOfEveryPlatformTableCitesASource() {
        let sources: [(table: String, sources: [String])] = [
            ("shared failures", AnswerFailureClassifier.shared.rules.map(\.source)),
            ("Weibo failures", WeiboAnswerRules.failures.rules.map(\.source)),
            ("Weibo", WeiboAnswerRules.table.map(\.source)),
            ("Bluesky", BlueskyAnswerRules.table.map(\.source)),
            ("Telegram", TelegramAdapter.rules.map(\.source)),
            ("watched page", WatchedPageAdapter.builtInRules.map(\.source)),
            (
                "watched page with an account's tombstones",
                WatchedPageAdapter.rules(with: [TombstoneRule(contains: "已删除", reason: .removed)]).map(\.source)
            ),
        ]
        for (table, rows) in sources {
            #expect(!rows.isEmpty, "\(table) has no rows")
            for (index, source) in rows.enumerated() {
                #expect(
                    !source.trimmingCharacters(in: .whitespaces).isEmpty, "\(table) row \(index) cites no source")
            }
        }
    }
}
