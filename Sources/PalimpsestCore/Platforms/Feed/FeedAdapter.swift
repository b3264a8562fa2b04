public import Foundation

/// The `feed` platform: RSS, Atom and JSON Feed documents (RSSHub bridges, YouTube and GitHub
/// feeds, blogs, news sites). Pure: it builds requests and reads answers, the poller does the I/O.
///
/// - Timeline: one GET of the feed URL; every item is a post; a feed shows only its latest N
///   items, so a missing item is a candidate only inside the window (the differ's job).
/// - Probe: the item's own link, when it lies on the feed's host; 404/410 is a tombstone
///   (`removed`), 200 means it exists, anything else proves nothing. Items linking elsewhere (an
///   RSSHub feed of tweets) have no probe: absence must confirm them.
/// - Account: the feed URL itself; 404/410 means the feed is gone (`removed`: a bare status does
///   not say by whom).
public struct FeedAdapter: SourcedPlatformAdapter {
    /// The `Accept` header of feed requests: the three feed media types first, then generic
    /// JSON and XML, then anything (many servers label feeds `text/xml` or `text/html`).
    public static let acceptHeader =
        "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
        + "application/xml;q=0.8, */*;q=0.5"

    /// Creates the adapter (it holds no state).
    public init() {}

    /// One GET of the feed URL with ``acceptHeader`` and the account's headers (which may
    /// override it) and proxy.
    public func timelineRequests(for account: PlatformAccount<FeedSource>, context: AdapterContext) -> [HTTPRequest] {
        [self.feedRequest(account.source.url, for: account)]
    }

    /// Reads the answer to the feed request.
    ///
    /// - 2xx: the body is parsed; success is a complete observation (even with no items: the
    ///   detector decides what an empty feed after a full one means); a parse failure (HTML page,
    ///   garbage, truncated XML) is a `.failed` poll of kind `unparsable`.
    /// - 404, 410: `.failed` of kind `httpStatus`: the feed may be gone, but a bridge or CDN can
    ///   answer 404 for a while, and a bare 404 does not say who removed what: the account stays
    ///   blind (never a false "account deleted"); the operator sees the span and the status.
    /// - 401, 403: `.failed` of kind `gated` (login wall, geo or anti-bot block).
    /// - 429: `.failed` of kind `rateLimited`, with `Retry-After` when given.
    /// - 5xx and anything else: `.failed` of kind `httpStatus`.
    ///
    /// Items repeating an earlier item's ID are dropped (first occurrence kept), so a post is
    /// never seen twice in one snapshot. Only the first and the last ``Account/maxItems`` items of
    /// the document are read (the poller keeps the newest end); a document nested deeper than
    /// ``FeedParser/maximumDepth`` is `unparsable`.
    public func observe(_ responses: [HTTPResponse], for account: PlatformAccount<FeedSource>, polledAt: Date)
        -> TimelineOutcome
    {
        guard let response = responses.first else {
            return .failed(
                PollFailure(kind: .transport, message: "no answer to the feed request of \(account.key)"))
        }
        let url = response.url.absoluteString
        let status = response.status
        switch status {
        case 200...299:
            return self.readFeed(response, for: account).outcome
        case 404, 410:
            return .failed(
                PollFailure(
                    kind: .httpStatus,
                    message: "\(Self.statusLine(status)) from \(url): the feed is gone or has moved; "
                        + "check the URL (the account stays blind until it answers again)",
                    url: url, httpStatus: status))
        default:
            break
        }
        switch AnswerFailureClassifier.shared.classify(response) {
        case .gated?:
            return .failed(
                PollFailure(
                    kind: .gated,
                    message: "\(Self.statusLine(status)) from \(url): the feed needs a login or blocks this client "
                        + "(check the account's headers, cookies or proxy)",
                    url: url, httpStatus: status))
        case .rateLimited?:
            return .failed(
                PollFailure(
                    kind: .rateLimited,
                    message: "\(Self.statusLine(status)) from \(url): the feed server asks to slow down",
                    url: url, httpStatus: status,
                    retryAfter: HTTPRetryAfter.parse(response.headers["Retry-After"], now: polledAt)))
        case .serverError?, .htmlInsteadOfJSON?, nil:
            let hint = status >= 500 ? "the feed server failed; the next poll retries" : "not a usable answer"
            return .failed(
                PollFailure(
                    kind: .httpStatus, message: "\(Self.statusLine(status)) from \(url): \(hint)", url: url,
                    httpStatus: status,
                    retryAfter: status == 503
                        ? HTTPRetryAfter.parse(response.headers["Retry-After"], now: polledAt) : nil))
        }
    }

    /// ``observe(_:for:polledAt:)`` with the feed's own date of its last change: RSS
    /// `channel/lastBuildDate`, Atom `feed/updated` (``ParsedFeed/updatedAt``).
    public func read(_ responses: [HTTPResponse], for account: PlatformAccount<FeedSource>, polledAt: Date)
        -> TimelineReading
    {
        guard let response = responses.first, (200...299).contains(response.status) else {
            return TimelineReading(outcome: self.observe(responses, for: account, polledAt: polledAt))
        }
        return self.readFeed(response, for: account)
    }

    /// Parses a 2xx feed answer: its posts (items sharing an ID made distinct, ``distinctIDs(_:)``)
    /// and its date, or a failure of kind `unparsable`.
    private func readFeed(_ response: HTTPResponse, for account: PlatformAccount<FeedSource>) -> TimelineReading {
        do {
            let feed = try FeedParser.parse(
                response.body, feedURL: response.effectiveURL, contentType: response.headers["Content-Type"],
                itemLimit: account.maxItems)
            let posts = Self.distinctIDs(Self.unambiguousBaseIDs(feed.posts))
            return TimelineReading(outcome: .observed(posts: posts, isComplete: true), updatedAt: feed.updatedAt)
        } catch {
            let url = response.url.absoluteString
            return TimelineReading(
                outcome: .failed(
                    PollFailure(
                        kind: .unparsable, message: "the feed at \(url) could not be read: \(error)", url: url,
                        httpStatus: response.status)))
        }
    }

    /// Items that share an ID (a feed repeating a GUID): when their contents differ, each of them
    /// is its own post, `<id>#<first 12 hex digits of its version hash>`, with the shared ID kept as
    /// ``Post/baseID``; a repeat with the same content (the same version hash) is dropped, the first
    /// one kept. Items with an ID of their own are unchanged. So the order of such items can change
    /// without an edit, and none of them hides behind the first (docs/feed-ids.md).
    /// - Parameter posts: the feed's posts in feed order.
    /// - Returns: the posts in feed order, each ID once.
    static func distinctIDs(_ posts: [Post]) -> [Post] {
        // The common case first: every ID once, nothing to change.
        var ids = Set<String>(minimumCapacity: posts.count)
        if posts.allSatisfy({ ids.insert($0.id).inserted }) { return posts }
        var versions: [String: Set<String>] = [:]
        for post in posts { versions[post.id, default: []].insert(post.versionHash) }
        var seen = Set<String>()
        var distinct: [Post] = []
        for var post in posts {
            if (versions[post.id]?.count ?? 0) > 1 {
                post.baseID = post.id
                post.id = "\(post.id)#\(post.versionHash.prefix(12))"
            }
            if seen.insert(post.id).inserted { distinct.append(post) }
        }
        return distinct
    }

    /// The posts with the base ID of an item without ID and link (``FeedItem/fallbackBaseID(title:date:)``)
    /// removed where another item of the answer has the same one: items with the same title and
    /// date cannot be told apart, so one of them replaced by another is never taken for an edit.
    /// - Parameter posts: the feed's posts in feed order.
    /// - Returns: the same posts in the same order.
    static func unambiguousBaseIDs(_ posts: [Post]) -> [Post] {
        var counts: [String: Int] = [:]
        for post in posts { if let base = post.baseID { counts[base, default: 0] += 1 } }
        guard counts.values.contains(where: { $0 > 1 }) else { return posts }
        return posts.map { post in
            var post = post
            if let base = post.baseID, (counts[base] ?? 0) > 1 { post.baseID = nil }
            return post
        }
    }

    /// A GET of the post's own `url` when its host is the feed URL's host (compared
    /// case-insensitively, nothing else: `www.example.org` is not `example.org`); `nil` otherwise,
    /// so that absence confirms. Only `http` and `https` links are probed.
    public func probeRequest(for post: Post, of account: PlatformAccount<FeedSource>, context: AdapterContext)
        -> HTTPRequest?
    {
        guard let feedHost = account.source.url.host?.lowercased(),
            let raw = post.url, let url = URL(string: raw),
            let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host?.lowercased() == feedHost
        else { return nil }
        return HTTPRequest.forAccount(account.account, url: url, accept: nil)
    }

    /// 404 or 410: a tombstone (`removed`: the site does not say by whom); 200: the item still
    /// exists, unless the page is an error or removal page served with 200 (``SoftErrorPage``: its
    /// title or heading says "not found", "has been removed", …, and does not show the item's own
    /// title), which proves nothing either way; anything else (an unresolved redirect, 401, 403, 429,
    /// 5xx) proves nothing.
    public func classifyProbe(
        _ response: HTTPResponse, for post: Post, of account: PlatformAccount<FeedSource>, now: Date
    )
        -> ProbeVerdict
    {
        let detail = "\(Self.statusLine(response.status)) from \(response.effectiveURL.absoluteString)"
        switch response.status {
        case 404, 410: return .tombstone(reason: .removed, detail: detail)
        case 200:
            if response.looksLikeHTML,
                let notice = SoftErrorPage.notice(
                    in: HTMLDocument.parse(response.body, contentType: response.headers["Content-Type"]),
                    ownTitle: post.title)
            {
                return .inconclusive(
                    detail: "\(detail): the page says “\(notice)” (an error or removal page served with 200): "
                        + "no proof that the item exists, and no tombstone")
            }
            return .exists
        default: return .inconclusive(detail: detail)
        }
    }

    /// The feed request itself: the feed answering is the account being there.
    public func accountProbeRequest(for account: PlatformAccount<FeedSource>, context: AdapterContext) -> HTTPRequest? {
        self.feedRequest(account.source.url, for: account)
    }

    /// 200 with a feed of at least one item: available; 404 or 410: the feed is gone
    /// (`removed`); anything else (an empty feed, an unreadable body, 401, 403, 429, 5xx)
    /// proves nothing.
    public func classifyAccountProbe(_ response: HTTPResponse, for account: PlatformAccount<FeedSource>, now: Date)
        -> AccountVerdict
    {
        let url = response.url.absoluteString
        switch response.status {
        case 200:
            do {
                // One item is enough to tell the feed is there.
                let feed = try FeedParser.parse(
                    response.body, feedURL: response.effectiveURL, contentType: response.headers["Content-Type"],
                    itemLimit: 1)
                if feed.items.isEmpty {
                    return .inconclusive(
                        detail: "HTTP 200 from \(url) with a \(feed.format.displayName) feed of no items")
                }
                return .available
            } catch {
                return .inconclusive(detail: "HTTP 200 from \(url) but not a readable feed: \(error)")
            }
        case 404, 410:
            return .unavailable(reason: .removed, detail: "\(Self.statusLine(response.status)) from \(url)")
        default:
            return .inconclusive(detail: "\(Self.statusLine(response.status)) from \(url)")
        }
    }

    /// The stored item read with today's feed rules (``FeedParser/renormalized(_:feedURL:)``):
    /// text, media and links from the stored markup with its CDATA layers taken off, the title
    /// through ``FeedText/title(_:)``.
    public func renormalized(_ post: Post, for account: PlatformAccount<FeedSource>) -> Post {
        FeedParser.renormalized(post, feedURL: account.source.url)
    }

    // MARK: - Internals

    private func feedRequest(_ url: URL, for account: PlatformAccount<FeedSource>) -> HTTPRequest {
        HTTPRequest.forAccount(account.account, url: url, accept: Self.acceptHeader)
    }

    /// `HTTP 404 Not Found`: the status with its RFC 9110 reason phrase when it is a common one.
    static func statusLine(_ status: Int) -> String {
        let reasons = [
            301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect",
            308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            410: "Gone", 429: "Too Many Requests", 451: "Unavailable For Legal Reasons", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
        ]
        return reasons[status].map { "HTTP \(status) \($0)" } ?? "HTTP \(status)"
    }
}
