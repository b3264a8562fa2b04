import Foundation

/// Which request's answer a row of ``TelegramAdapter/rules`` reads.
public enum TelegramAnswer: String, Sendable, Hashable {
    /// A post's embed page, `<base>/<channel>/<id>?embed=1` (the probe).
    case postEmbed = "post_embed"
    /// The channel preview, `<base>/s/<channel>` (the timeline's first page and the account probe).
    case channelPage = "channel_page"
}

/// What a row of ``TelegramAdapter/rules`` looks for in an HTTP 200 answer (after redirects).
public enum TelegramSign: Sendable, Hashable {
    /// `div.tgme_widget_message_error` whose text contains this.
    case errorMessage(containing: String)
    /// A `.message_media_not_supported_label` whose text contains this.
    case notSupportedLabel(containing: String)
    /// A `div.tgme_widget_message` whose `data-post` ID is the probed post's.
    case requestedMessage
    /// At least one `div.tgme_widget_message` with a numeric `data-post`.
    case messagesListed
    /// `div.tme_no_messages_found`.
    case noPostsFound
    /// The request for `<base>/s/<channel>` ended at `<base>/<channel>` (a followed redirect, or
    /// a 3xx whose `Location` says so).
    case redirectedToChannelPage
}

/// What a Telegram answer matching a row of ``TelegramAdapter/rules`` proves.
public enum TelegramOutcome: Sendable, Hashable {
    /// The post is gone, for this reason (probe).
    case tombstone(Reason)
    /// The post is there (probe).
    case exists
    /// The channel is there (channel page).
    case available
    /// The channel's posts are gone or hidden, for this reason (channel page): an account
    /// event, never one deletion per post.
    case accountUnavailable(Reason)
    /// The answer proves nothing: ask again later.
    case inconclusive
}

/// What a row of ``TelegramAdapter/rules`` matches: a sign in the answer to one kind of request.
public struct TelegramMatch: Sendable, Hashable {
    /// Which request's answer the row reads.
    public var answer: TelegramAnswer
    /// The sign to look for.
    public var sign: TelegramSign

    /// Creates a match.
    public init(answer: TelegramAnswer, sign: TelegramSign) {
        self.answer = answer
        self.sign = sign
    }

    /// True when `page` (the answer to a request of kind ``answer``) shows ``sign``.
    /// - Parameters:
    ///   - page: the parsed answer.
    ///   - postID: the probed post's ID, for ``TelegramSign/requestedMessage``.
    ///   - redirected: the channel-page request ended at the channel's own page.
    func matches(_ page: TelegramPage, postID: String?, redirected: Bool) -> Bool {
        switch self.sign {
        case .errorMessage(let text):
            return page.errorMessage?.contains(text) == true
        case .notSupportedLabel(let text):
            return page.notSupportedLabels.contains { $0.contains(text) }
        case .requestedMessage:
            return page.messages.contains { $0.id == postID }
        case .messagesListed:
            return !page.messages.isEmpty
        case .noPostsFound:
            return page.showsNoPostsFound
        case .redirectedToChannelPage:
            return redirected
        }
    }
}

extension AnswerRule where Match == TelegramMatch, Meaning == TelegramOutcome {
    /// Creates a row of ``TelegramAdapter/rules``: `sign` in the answer to an `answer` request
    /// proves `outcome`, as `source` says.
    public init(answer: TelegramAnswer, sign: TelegramSign, outcome: TelegramOutcome, source: String) {
        self.init(match: TelegramMatch(answer: answer, sign: sign), meaning: outcome, source: source)
    }

    /// Which request's answer the row reads.
    public var answer: TelegramAnswer { self.match.answer }
    /// The sign the row looks for.
    public var sign: TelegramSign { self.match.sign }
    /// What a matching answer proves.
    public var outcome: TelegramOutcome { self.meaning }
}
