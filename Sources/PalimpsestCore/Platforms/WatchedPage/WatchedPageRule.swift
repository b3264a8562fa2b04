/// One row of a watched page's rule table (``WatchedPageAdapter/builtInRules`` plus the account's
/// `tombstones` from the config): a sign in the answer and what it proves.
///
/// Rows are tried in order, the first match decides. A new message is one row to add, with its
/// source.
public struct WatchedPageRule: Sendable, Hashable {
    /// Which pages the row applies to.
    public enum Scope: String, Sendable, Hashable {
        /// WeChat article URLs only (``WatchedPageAdapter`` tells them by host or by the
        /// `__biz`/`mid`/`idx` query), and only when the page is not a live article.
        case weChat = "wechat"
        /// Every watched page.
        case anyPage = "any_page"
    }

    /// What the row looks for.
    public enum Sign: Sendable, Hashable {
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

    /// What a matching answer proves.
    public enum Outcome: Sendable, Hashable {
        /// The page is gone, for this reason: the watched post is deleted (after the probe agrees).
        case tombstone(Reason)
        /// The platform blocked this client (rate limit, anti-bot check): the poll is blind, with
        /// this failure kind, and the host is left alone for a while.
        case blind(PollFailure.Kind)
        /// The answer proves nothing either way (never a deletion).
        case inconclusive
    }

    /// Which pages the row applies to.
    public var scope: Scope
    /// The sign to look for.
    public var sign: Sign
    /// What it proves.
    public var outcome: Outcome
    /// Where the fact comes from: a fixture, a document, or `config` for an account's own rule.
    public var source: String

    /// Creates a row.
    public init(scope: Scope, sign: Sign, outcome: Outcome, source: String) {
        self.scope = scope
        self.sign = sign
        self.outcome = outcome
        self.source = source
    }

    /// The row for a config `tombstones` entry: the page's visible text contains `contains`.
    public init(_ rule: TombstoneRule) {
        self.init(
            scope: .anyPage, sign: .pageText(containing: rule.contains), outcome: .tombstone(rule.reason),
            source: "config: tombstones = [{ contains = \"\(rule.contains)\", reason = \"\(rule.reason.rawValue)\" }]")
    }
}
