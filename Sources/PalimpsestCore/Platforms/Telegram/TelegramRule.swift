import Foundation

/// One row of ``TelegramAdapter/rules``: a sign in a Telegram answer and what it proves.
///
/// The rows are read in order and the first whose ``answer`` and ``sign`` match decides; an answer
/// no row matches proves nothing. A new Telegram message is one row to add, with its source.
public struct TelegramRule: Sendable, Hashable {
    /// Which request's answer the row reads.
    public enum Answer: String, Sendable, Hashable {
        /// A post's embed page, `<base>/<channel>/<id>?embed=1` (the probe).
        case postEmbed = "post_embed"
        /// The channel preview, `<base>/s/<channel>` (the timeline's first page and the account probe).
        case channelPage = "channel_page"
    }

    /// What the row looks for in an HTTP 200 answer (after redirects).
    public enum Sign: Sendable, Hashable {
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

    /// What a matching answer proves.
    public enum Outcome: Sendable, Hashable {
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

    /// Which answer the row reads.
    public var answer: Answer
    /// The sign to look for.
    public var sign: Sign
    /// What it proves.
    public var outcome: Outcome
    /// Where the fact comes from (a fixture, a document, an observation of public scrapers).
    public var source: String

    /// Creates a row.
    public init(answer: Answer, sign: Sign, outcome: Outcome, source: String) {
        self.answer = answer
        self.sign = sign
        self.outcome = outcome
        self.source = source
    }

    /// True when `page` (the answer to a request of kind ``answer``) shows ``sign``.
    /// - Parameters:
    ///   - page: the parsed answer.
    ///   - postID: the probed post's ID, for ``Sign/requestedMessage``.
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
