public import Foundation

/// The `telegram` platform: a public channel read through its web preview, `https://t.me/s/<channel>`,
/// with no account and no API key. Pure: it builds requests and reads answers, the poller does
/// the I/O.
///
/// - Timeline: `GET <base>/s/<channel>`, the newest ~20 messages (oldest first on the page), and
///   for `pages` > 1 the older pages `GET <base>/s/<channel>?before=<id>` as the page advertises
///   them (`a.tme_messages_more[data-before]`). Posts are handed over newest first. Older messages
///   age out of the page; the window floor tells them from deletions.
/// - Post: one per `div.tgme_widget_message` that is not a service message; ID = the message
///   number of `data-post` (see ``TelegramMessage`` for every field). Service messages (channel
///   created, renamed, photo updated, "pinned «…»") are not posts: the channel did not write them,
///   and admins routinely delete the "pinned" notices.
/// - Version: text (a poll adds its question and options), links, the forward's original or the
///   replied post as reference, and one stable reference per media item: the item's own t.me
///   link. View and voter counts are left out, and so are the preview's CDN file URLs: they expire
///   and change (RSS-Bridge issue 1901, RSSHub issue 8031), which would fake alterations.
/// - Edits: Telegram shows only the word `edited` (no time, no old text). The marker is not part of
///   the version (it would make the first poll after any edit an alteration even when nothing
///   visible changed) and ``Post/editedAt`` stays `nil`: an edit is an alteration when the text,
///   links, media or reference changed; the marker stays visible in the stored page (evidence).
/// - A message whose content Telegram hides from the web ("Please open Telegram to view this
///   post") is a truncated post: it is never compared for alterations.
/// - Probe: `GET <base>/<channel>/<id>?embed=1`, classified with ``rules``.
/// - Account: `GET <base>/s/<channel>`. "No posts found" or a redirect to `<base>/<channel>` (the
///   preview is off, or the channel is private, deleted or renamed) is one `account_unavailable`,
///   never one deletion per post.
/// - Rate limits: none documented (FORMATS.md §4); HTTP 429 and 503 with `Retry-After` are honoured.
///
/// Platform facts: FORMATS.md §4; fixtures under `Tests/Fixtures/real/telegram/`.
public struct TelegramAdapter: SourcedPlatformAdapter {
    /// Every rule that turns a Telegram answer (HTTP 200, after redirects) into a finding, in the
    /// order they are tried. Answers no row matches prove nothing.
    public static let rules: AnswerTable<TelegramMatch, TelegramOutcome> = [
        AnswerRule(
            answer: .postEmbed, sign: .errorMessage(containing: "Post not found"), outcome: .tombstone(.removed),
            source:
                "the embed of a deleted post answers <div class=\"tgme_widget_message_error\">Post not found</div>, "
                + "which public tools test for (e.g. wptelegram-widget post_still_exists); Telegram does not say who "
                + "removed it; issue 3 item 9"),
        AnswerRule(
            answer: .postEmbed, sign: .notSupportedLabel(containing: TelegramMessage.hiddenContentLabel),
            outcome: .inconclusive,
            source: "Telegram's placeholder for content its web view will not show (files, restricted channels); "
                + "issue 3 item 9"),
        AnswerRule(
            answer: .postEmbed, sign: .requestedMessage, outcome: .exists,
            source: "the embed shows the post as div.tgme_widget_message[data-post=\"<channel>/<id>\"] (FORMATS.md §4)"),
        AnswerRule(
            answer: .channelPage, sign: .messagesListed, outcome: .available,
            source: "fixture telegram/t_me_s_full_page_topwar_official.html"),
        AnswerRule(
            answer: .channelPage, sign: .noPostsFound, outcome: .accountUnavailable(.removed),
            source:
                "fixture telegram/tchantest/no_posts_found.html (<div class=\"tme_no_messages_found\">No posts found"
                + "</div>): every post gone, Telegram does not say why"),
        AnswerRule(
            answer: .channelPage, sign: .redirectedToChannelPage, outcome: .accountUnavailable(.gated),
            source: "t.me/s/<channel> redirects to t.me/<channel> when the channel is not public or its owner turned "
                + "the preview off (observed by public scrapers; no recorded fixture): only the app shows it"),
    ]

    /// The `Accept` header of every request: an HTML page.
    public static let acceptHeader = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"

    /// Creates the adapter (it holds no state).
    public init() {}

    // MARK: - Timeline

    /// `GET <base>/s/<channel>`.
    public func timelineRequests(for account: PlatformAccount<TelegramSource>, context: AdapterContext) -> [HTTPRequest]
    {
        let (channel, baseURL, _) = Self.source(of: account)
        return [self.request(Self.previewURL(channel: channel, baseURL: baseURL, before: nil), for: account)]
    }

    /// `GET <base>/s/<channel>?before=<id>` for the page older than `response`, while fewer than
    /// the account's `pages` were fetched and the page advertises older messages.
    public func nextPageRequest(
        after response: HTTPResponse, pageIndex: Int, for account: PlatformAccount<TelegramSource>,
        context: AdapterContext
    ) -> HTTPRequest? {
        let (channel, baseURL, pages) = Self.source(of: account)
        guard pageIndex + 1 < pages, response.status == 200
        else { return nil }
        let page = Self.page(response)
        guard let before = page.olderBefore, before > 1 else { return nil }
        // Only ever go back in time: a `before` above the oldest message shown would loop.
        if let oldest = page.messages.compactMap({ Int($0.id) }).min(), before > oldest { return nil }
        guard !page.messages.isEmpty else { return nil }
        return self.request(Self.previewURL(channel: channel, baseURL: baseURL, before: before), for: account)
    }

    /// Reads the preview pages of one poll (newest page first).
    ///
    /// The first page decides about the channel (``rules``, channel page): messages listed → the
    /// posts; "No posts found" or a redirect to the channel's own page → `.accountUnavailable`;
    /// HTTP 429 → `.failed` rate limited (with `Retry-After`); 401/403 → `.failed` gated; 5xx and
    /// other statuses → `.failed`; an HTML page that is none of these (a login wall, an anti-bot
    /// page, a changed layout) → `.failed` unparsable. An older page that does not answer 200
    /// with messages (or "No posts found": the channel's start) makes the observation incomplete.
    public func observe(_ responses: [HTTPResponse], for account: PlatformAccount<TelegramSource>, polledAt: Date)
        -> TimelineOutcome
    {
        let (channel, baseURL, _) = Self.source(of: account)
        guard let first = responses.first else {
            return .failed(PollFailure(kind: .transport, message: "no answer to the preview request of \(account.key)"))
        }
        var pages: [TelegramPage]
        switch self.readChannelPage(first, channel: channel, now: polledAt) {
        case .failed(let failure): return .failed(failure)
        case .unavailable(let reason, let detail): return .accountUnavailable(reason: reason, detail: detail)
        case .listed(let page): pages = [page]
        }
        var isComplete = true
        for response in responses.dropFirst() {
            let page = Self.page(response)
            guard response.status == 200, !page.messages.isEmpty || page.showsNoPostsFound else {
                isComplete = false
                break
            }
            pages.append(page)
        }
        var seen = Set<String>()
        var posts: [Post] = []
        for page in pages {
            for message in page.messages.reversed() where !message.isService && seen.insert(message.id).inserted {
                posts.append(message.post(channel: channel, baseURL: baseURL))
            }
        }
        return .observed(posts: posts, isComplete: isComplete)
    }

    // MARK: - Probes

    /// `GET <base>/<channel>/<id>?embed=1`; `nil` for a post ID that is not a message number.
    public func probeRequest(for post: Post, of account: PlatformAccount<TelegramSource>, context: AdapterContext)
        -> HTTPRequest?
    {
        let (channel, baseURL, _) = Self.source(of: account)
        guard !post.id.isEmpty,
            post.id.allSatisfy({ $0.isASCII && $0.isNumber }),
            var components = URLComponents(
                url: baseURL.appendingPathComponent(channel).appendingPathComponent(post.id),
                resolvingAgainstBaseURL: false)
        else { return nil }
        components.queryItems = [URLQueryItem(name: "embed", value: "1")]
        guard let url = components.url else { return nil }
        return self.request(url, for: account)
    }

    /// Classifies an embed answer with the post-embed ``rules`` (HTTP 200 only): "Post not found"
    /// → tombstone `removed`; the "Please open Telegram" placeholder → inconclusive; the post shown
    /// → exists. Anything else (another status, another page) → inconclusive.
    public func classifyProbe(
        _ response: HTTPResponse, for post: Post, of account: PlatformAccount<TelegramSource>, now: Date
    )
        -> ProbeVerdict
    {
        let summary = Self.summary(response)
        guard response.status == 200 else { return .inconclusive(detail: summary) }
        let page = Self.page(response)
        let quoted = page.errorMessage.map { ": “\($0)”" } ?? ""
        let rule = Self.rules.firstMatch {
            $0.answer == .postEmbed && $0.matches(page, postID: post.id, redirected: false)
        }
        switch rule?.outcome {
        case .tombstone(let reason)?: return .tombstone(reason: reason, detail: summary + quoted)
        case .exists?: return .exists
        case .inconclusive?:
            return .inconclusive(detail: summary + ": Telegram shows “\(TelegramMessage.hiddenContentLabel)”")
        case .available?, .accountUnavailable?, nil: break
        }
        return .inconclusive(detail: summary + quoted + ": neither the post nor a known message")
    }

    /// `GET <base>/s/<channel>`, the first timeline page.
    public func accountProbeRequest(for account: PlatformAccount<TelegramSource>, context: AdapterContext)
        -> HTTPRequest?
    {
        self.timelineRequests(for: account, context: context).first
    }

    /// Classifies the channel page with the channel-page ``rules``: messages listed → available;
    /// "No posts found" → `removed`; a redirect to the channel's own page → `gated`; anything else
    /// → inconclusive.
    public func classifyAccountProbe(_ response: HTTPResponse, for account: PlatformAccount<TelegramSource>, now: Date)
        -> AccountVerdict
    {
        let (channel, _, _) = Self.source(of: account)
        switch self.readChannelPage(response, channel: channel, now: now) {
        case .listed: return .available
        case .unavailable(let reason, let detail): return .unavailable(reason: reason, detail: detail)
        case .failed(let failure): return .inconclusive(detail: failure.message)
        }
    }

    // MARK: - Reading a channel page

    private enum ChannelPageVerdict {
        case listed(TelegramPage)
        case unavailable(Reason, String)
        case failed(PollFailure)
    }

    private func readChannelPage(_ response: HTTPResponse, channel: String, now: Date) -> ChannelPageVerdict {
        let url = response.url.absoluteString
        let summary = Self.summary(response)
        let redirected = Self.isRedirectToChannelPage(response, channel: channel)
        if !redirected, response.status != 200 {
            switch AnswerFailureClassifier.shared.classify(response) {
            case .rateLimited?:
                return .failed(
                    PollFailure(
                        kind: .rateLimited, message: "\(summary): Telegram asks to slow down", url: url,
                        httpStatus: 429, retryAfter: self.rateLimitReset(in: response, now: now)))
            case .gated?:
                return .failed(
                    PollFailure(
                        kind: .gated, message: "\(summary): Telegram refused the preview (check the proxy)", url: url,
                        httpStatus: response.status))
            case .serverError?, .htmlInsteadOfJSON?, nil:
                let hint = response.status >= 500 ? "Telegram failed; the next poll retries" : "not a preview page"
                return .failed(
                    PollFailure(
                        kind: .httpStatus, message: "\(summary): \(hint)", url: url, httpStatus: response.status,
                        retryAfter: response.status == 503 ? self.rateLimitReset(in: response, now: now) : nil))
            }
        }
        let page =
            response.status == 200
            ? Self.page(response) : TelegramPage(messages: [], showsNoPostsFound: false, notSupportedLabels: [])
        let rule = Self.rules.firstMatch {
            $0.answer == .channelPage && $0.matches(page, postID: nil, redirected: redirected)
        }
        switch rule?.outcome {
        case .available?: return .listed(page)
        case .accountUnavailable(let reason)?:
            let what =
                redirected
                ? "the preview of \(channel) redirects to \(response.effectiveURL.absoluteString): the channel is "
                    + "private, deleted or renamed, or its owner turned the web preview off"
                : "the preview of \(channel) says “No posts found”"
            return .unavailable(reason, "\(summary): \(what)")
        case .inconclusive?, .tombstone?, .exists?, nil: break
        }
        return .failed(
            PollFailure(
                kind: .unparsable,
                message: "\(summary) is not a channel preview (no message, no “No posts found”): a login wall, an "
                    + "anti-bot page or a changed page layout",
                url: url, httpStatus: response.status))
    }

    /// True when a request for `<base>/s/<channel>` ended at `…/<channel>` (without `/s/`):
    /// through a followed redirect, or a 3xx whose `Location` points there.
    static func isRedirectToChannelPage(_ response: HTTPResponse, channel: String) -> Bool {
        var target: URL?
        if (300..<400).contains(response.status) {
            target = response.headers["Location"].flatMap { URL(string: $0, relativeTo: response.url) }
        } else if response.effectiveURL != response.url {
            target = response.effectiveURL
        }
        guard let path = target?.path.lowercased() else { return false }
        let name = channel.lowercased()
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        return trimmed.hasSuffix("/" + name) && !trimmed.hasSuffix("/s/" + name)
    }

    // MARK: - Helpers

    /// The channel's name without a leading `@`, the preview's host and the pages per poll (at
    /// least one).
    private static func source(of account: PlatformAccount<TelegramSource>) -> (
        channel: String, baseURL: URL, pages: Int
    ) {
        let channel = account.source.channel
        let name = channel.hasPrefix("@") ? String(channel.dropFirst()) : channel
        return (name, account.source.baseURL, max(1, account.source.pages))
    }

    static func previewURL(channel: String, baseURL: URL, before: Int?) -> URL {
        let url = baseURL.appendingPathComponent("s").appendingPathComponent(channel)
        guard let before, var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url }
        components.queryItems = [URLQueryItem(name: "before", value: String(before))]
        return components.url ?? url
    }

    private static func page(_ response: HTTPResponse) -> TelegramPage {
        TelegramPage.parse(response.body, contentType: response.headers["Content-Type"], baseURL: response.effectiveURL)
    }

    /// A request for `url` with ``acceptHeader``, the account's headers (sorted by name) and proxy.
    private func request(_ url: URL, for account: PlatformAccount<TelegramSource>) -> HTTPRequest {
        HTTPRequest.forAccount(account.account, url: url, accept: Self.acceptHeader)
    }

    /// `HTTP <status> from <url>`.
    static func summary(_ response: HTTPResponse) -> String {
        "HTTP \(response.status) from \(response.url.absoluteString)"
    }
}
