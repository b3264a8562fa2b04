public import Foundation

/// What an answer that every platform gives alike means: a failure that proves nothing about any
/// post or account (rule of evidence 1). Each adapter words the failure for its platform.
public enum AnswerFailure: Sendable, Hashable {
    /// Too many requests: no request to the host before its reset time; the poll is blind
    /// (``PollFailure/Kind/rateLimited``).
    case rateLimited
    /// The server wants credentials or refuses this client (a login wall, a geo or anti-bot
    /// block): the poll is blind (``PollFailure/Kind/gated``).
    case gated
    /// The server failed: the poll is blind, the next one retries.
    case serverError
    /// An HTML page where JSON was expected (a login wall, an anti-bot page, a wrong base URL):
    /// the poll is blind (``PollFailure/Kind/unparsable``).
    case htmlInsteadOfJSON
}

/// Which answers a row of ``AnswerFailureClassifier`` matches.
public enum AnswerFailureMatch: Sendable, Hashable {
    /// Any answer whose HTTP status lies in the range.
    case status(ClosedRange<Int>)
    /// An HTML page (by media type, or a body starting with `<`) when the caller expected JSON.
    case htmlWhereJSONExpected
}

/// The one classifier of the failures every platform shares (429, 401, 403, 5xx, an HTML page
/// where JSON was expected), with a platform's own rows tried first where it differs (Weibo reads
/// 403, 414 and 418 as its rate limit: ``overridden(by:)``).
public struct AnswerFailureClassifier: Sendable, Hashable {
    /// The rows, first match wins.
    public let rules: AnswerTable<AnswerFailureMatch, AnswerFailure>

    /// Creates a classifier of `rules`.
    public init(rules: AnswerTable<AnswerFailureMatch, AnswerFailure>) {
        self.rules = rules
    }

    /// The rows every platform shares, from the HTTP RFCs.
    public static let shared = AnswerFailureClassifier(rules: [
        AnswerRule(
            match: .status(429...429), meaning: .rateLimited, source: "RFC 6585 §4 (429 Too Many Requests)"),
        AnswerRule(match: .status(401...401), meaning: .gated, source: "RFC 9110 §15.5.2 (401 Unauthorized)"),
        AnswerRule(match: .status(403...403), meaning: .gated, source: "RFC 9110 §15.5.4 (403 Forbidden)"),
        AnswerRule(match: .status(500...599), meaning: .serverError, source: "RFC 9110 §15.6 (server errors)"),
        AnswerRule(
            match: .htmlWhereJSONExpected, meaning: .htmlInsteadOfJSON,
            source: "RFC 9110 §8.3 (Content-Type text/html), or a body that starts with `<`: an error, login or "
                + "anti-bot page, not the API's JSON"),
    ])

    /// This classifier with a platform's `rows` tried before the shared ones.
    public func overridden(by rows: [AnswerRule<AnswerFailureMatch, AnswerFailure>]) -> AnswerFailureClassifier {
        AnswerFailureClassifier(rules: self.rules.overridden(by: rows))
    }

    /// The first row that matches `response`, or `nil` when none does (a 2xx answer in the
    /// expected format, or a status no row names: the caller's own rules decide).
    /// - Parameter expectingJSON: the request asked for JSON, so an HTML page is a failure.
    public func rule(for response: HTTPResponse, expectingJSON: Bool = false)
        -> AnswerRule<AnswerFailureMatch, AnswerFailure>?
    {
        self.rules.firstMatch { match in
            switch match {
            case .status(let range): return range.contains(response.status)
            case .htmlWhereJSONExpected: return expectingJSON && response.looksLikeHTML
            }
        }
    }

    /// What `response` means by this classifier, or `nil` when no row matches.
    public func classify(_ response: HTTPResponse, expectingJSON: Bool = false) -> AnswerFailure? {
        self.rule(for: response, expectingJSON: expectingJSON)?.meaning
    }

    /// The shared rate-limit reading: an answer this classifier reads as ``AnswerFailure/rateLimited``
    /// waits for `Retry-After` (seconds or an HTTP date, RFC 9110 §10.2.3), else `defaultWait`
    /// seconds; a 503 with `Retry-After` waits that long; any other answer sets no limit (`nil`).
    /// Times are UTC.
    public func rateLimitReset(in response: HTTPResponse, now: Date, defaultWait: TimeInterval) -> Date? {
        if self.classify(response) == .rateLimited {
            return HTTPRetryAfter.parse(response.headers["Retry-After"], now: now)
                ?? now.addingTimeInterval(defaultWait)
        }
        guard response.status == 503 else { return nil }
        return HTTPRetryAfter.parse(response.headers["Retry-After"], now: now)
    }
}
