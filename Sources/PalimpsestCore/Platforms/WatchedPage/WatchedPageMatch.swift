/// Which pages a row of a watched page's rule table (``WatchedPageAdapter/builtInRules`` plus the
/// account's `tombstones` from the config) applies to.
public enum WatchedPageScope: String, Sendable, Hashable {
    /// WeChat article URLs only (``WatchedPageAdapter`` tells them by host or by the
    /// `__biz`/`mid`/`idx` query), and only when the page is not a live article.
    case weChat = "wechat"
    /// Every watched page.
    case anyPage = "any_page"
}

/// What a row of a watched page's rule table looks for.
public enum WatchedPageSign: Sendable, Hashable {
    /// The final HTTP status is this one.
    case httpStatus(Int)
    /// The WeChat interstitial's message (`.weui-msg__title`, `.weui-msg__desc`,
    /// `.global_error_msg`) contains this text.
    case message(containing: String)
    /// The page's visible text (scripts and styles dropped) contains this text (the config's
    /// `tombstones`).
    case pageText(containing: String)
    /// The body anywhere, scripts included, contains this text (anti-bot pages that write
    /// their message from a script).
    case body(containing: String)
    /// The final URL's path (after redirects, or a 3xx's `Location`) contains this text.
    case redirect(pathContaining: String)
}

/// What an answer matching a row of a watched page's rule table proves.
public enum WatchedPageOutcome: Sendable, Hashable {
    /// The page is gone, for this reason: the watched post is deleted (after the probe agrees).
    case tombstone(Reason)
    /// The platform blocked this client (rate limit, anti-bot check): the poll is blind, with
    /// this failure kind, and the host is left alone for a while.
    case blind(PollFailure.Kind)
    /// The answer proves nothing either way (never a deletion).
    case inconclusive
}

/// What a row of a watched page's rule table matches: a sign, on the pages of a scope.
///
/// Rows are tried in order, the first match decides. A new message is one row to add, with its
/// source.
public struct WatchedPageMatch: Sendable, Hashable {
    /// Which pages the row applies to.
    public var scope: WatchedPageScope
    /// The sign to look for.
    public var sign: WatchedPageSign

    /// Creates a match.
    public init(scope: WatchedPageScope, sign: WatchedPageSign) {
        self.scope = scope
        self.sign = sign
    }
}

extension AnswerRule where Match == WatchedPageMatch, Meaning == WatchedPageOutcome {
    /// Creates a row: `sign` on a page of `scope` proves `outcome`, as `source` says (a fixture, a
    /// document, or `config` for an account's own rule).
    public init(scope: WatchedPageScope, sign: WatchedPageSign, outcome: WatchedPageOutcome, source: String) {
        self.init(match: WatchedPageMatch(scope: scope, sign: sign), meaning: outcome, source: source)
    }

    /// The row for a config `tombstones` entry: the page's visible text contains `contains`.
    public init(_ rule: TombstoneRule) {
        self.init(
            scope: .anyPage, sign: .pageText(containing: rule.contains), outcome: .tombstone(rule.reason),
            source: "config: tombstones = [{ contains = \"\(rule.contains)\", reason = \"\(rule.reason.rawValue)\" }]")
    }

    /// Which pages the row applies to.
    public var scope: WatchedPageScope { self.match.scope }
    /// The sign the row looks for.
    public var sign: WatchedPageSign { self.match.sign }
    /// What a matching answer proves.
    public var outcome: WatchedPageOutcome { self.meaning }
}
