import Foundation

/// `digest.html`: the digest as one self-contained HTML5 page for browsers and mail clients.
///
/// - UTF-8, a font stack that covers Chinese, Japanese and Korean, light and dark colours
///   (`prefers-color-scheme`).
/// - Readable from a phone (390 CSS px) to a desktop: below 40rem the tables reflow into one block
///   per row with labelled cells, the fact lists stack, names wrap only between words (a word
///   longer than the line may break), and the charts are HTML whose labels keep the page's font
///   size. Each post's text comes right after its headline, before its facts and evidence.
/// - Print styles: black on white, the text before and after an edit printed in full (the
///   collapsed `<details>` is replaced by a print-only copy), a link's address printed only when
///   the link's text is not already the address, headings kept with what follows them, no entry
///   split across pages.
/// - No JavaScript, no external request: the styles are inline, the charts are HTML and CSS, media
///   is linked, never embedded, and a Content-Security-Policy (`default-src 'none'`) forbids
///   loading anything should a mail client be tempted.
/// - Every piece of untrusted text (post texts, names, answers, URLs) is escaped (`& < > " '`);
///   characters that reorder or hide text are shown as `[U+202E]` and texts sit in `dir="auto"`
///   blocks or `<bdi>` so a right-to-left post cannot reorder the page around it; only absolute
///   `http`/`https` URLs become links (`rel="noopener noreferrer nofollow"`).
public struct HTMLDigestRenderer: DigestDocumentRendering {
    /// The digest to render.
    public var digest: Digest

    /// Which accounts get a section and how many of their entries are shown in full.
    public var detail: DigestDetailPlan

    /// The diffs of the altered posts, when computed beforehand (``DigestFiles``).
    var diffs = DigestTextDiffs()

    /// Creates a renderer for `digest`.
    /// - Parameters:
    ///   - digest: The digest.
    ///   - entriesInFull: The most entries shown in full (``DigestDetailPlan``); `nil` or 0: every
    ///     entry.
    public init(digest: Digest, entriesInFull: Int? = DigestDetailPlan.defaultEntryLimit) {
        self.digest = digest
        self.detail = DigestDetailPlan(digest: digest, entryLimit: entriesInFull)
    }

    /// Creates a renderer for `digest` that shows what `detail` plans and takes the altered posts'
    /// diffs from `diffs`.
    init(digest: Digest, diffs: DigestTextDiffs, detail: DigestDetailPlan) {
        self.digest = digest
        self.diffs = diffs
        self.detail = detail
    }

    private var zone: TimeZone { TimeZone(identifier: self.digest.timeZone) ?? TimeZone(identifier: "UTC")! }

    /// The whole page, ending with a newline.
    public func render() -> String {
        self.renderParts().joined()
    }

    /// Everything before the first account's section.
    func head() -> String {
        let digest = self.digest
        let totals = digest.totals
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta name=\"color-scheme\" content=\"light dark\">\n"
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        out += "img-src data:; base-uri 'none'; form-action 'none'\">\n"
        out += "<meta name=\"referrer\" content=\"no-referrer\">\n"
        out += "<title>Palimpsest weekly digest: \(digest.week)</title>\n"
        out += "<style>\n\(Self.css)</style>\n</head>\n<body>\n"

        out += "<header>\n<h1>Palimpsest weekly digest: \(digest.week)</h1>\n<p class=\"meta\">"
        let interval = DateInterval(start: digest.from, end: digest.to)
        out += "Week \(digest.week): from Monday \(self.time(digest.from)) to Monday \(self.time(digest.to)). "
        out += "All times are in <strong>\(Self.escape(DigestFormat.zone(self.zone, during: interval)))</strong>, "
        out += "with their UTC offset."
        if let generatedAt = digest.generatedAt { out += "<br>Generated \(self.time(generatedAt))." }
        out += "</p>\n"
        if digest.isInProgress {
            out += "<p class=\"notice\"><strong>The week is not over:</strong> this digest covers it up to when it "
            out += "was made; numbers can still grow.</p>\n"
        }
        out += self.chainWarning()
        out += self.verdictWarning()
        out += self.stateWarning()
        if self.detail.isPartial {
            out += "<p class=\"notice\">"
            out += Self.escape(DigestFormat.partialNotice(self.detail, accounts: digest.accounts.count)) + "</p>\n"
        }
        out += "</header>\n"

        out += "<section id=\"summary\">\n<div class=\"keep\">\n<h2>Summary</h2>\n"
        if totals.isEmpty {
            out += "<p class=\"nothing\"><strong>Nothing was found this week:</strong> no post was deleted, altered "
            out += "or restored, and no account became unavailable or came back.</p>\n"
        }
        out += self.headline() + "</div>\n"
        if totals.accountsWatched > 0 { out += self.accountTable() + self.namedOtherAccounts() }
        out += "</section>\n"

        if totals.count(.deleted) > 0 { out += self.charts() }

        out += "<section id=\"accounts\">\n<h2>Accounts</h2>\n"
        if digest.accounts.isEmpty { out += "<p>No account is configured and no log names one.</p>\n" }
        return out
    }

    /// The sections of the accounts at `positions` of the digest's accounts, in order.
    func sections(_ positions: Range<Int>) -> String {
        var out = ""
        for index in positions { out += self.section(self.digest.accounts[index], number: index + 1) }
        return out
    }

    /// Everything after the last account's section.
    func tail() -> String {
        var out = "</section>\n"
        out += self.witnessSection()
        out += self.sources()
        out += "</body>\n</html>\n"
        return out
    }

    /// The warning at the top of the page when a log's hash chain is broken: which lines, and
    /// that the entries from them are marked.
    private func chainWarning() -> String {
        let broken = self.digest.sources.filter { !$0.chainBreaks.isEmpty || $0.chainProblems > 0 }
        guard !broken.isEmpty else { return "" }
        var out = "<div class=\"alert\" id=\"chain-warning\" role=\"alert\">\n<p><strong>Warning: the hash chain "
        out += "of the deletion log is broken.</strong> Lines of the log were changed, removed or inserted after "
        out += "they were written, or the file was damaged, so entries of this digest may not be what Palimpsest "
        out += "logged. Entries from the "
        out += "lines concerned are marked “hash chain broken here”. Compare the log with a copy kept elsewhere "
        out += "before relying on it (docs/deletion-log.md, “The hash chain”)."
        if let note = DigestFormat.omittedSuspectsNote(self.detail) { out += " " + Self.escape(note) }
        out += "</p>\n<ul>\n"
        for source in broken {
            if source.chainBreaks.isEmpty {
                out += "<li>\(Self.text(source.log)): \(source.chainProblems) problems</li>\n"
            }
            for chainBreak in source.chainBreaks {
                out += "<li><strong>\(Self.text(source.log)), \(chainBreak.suspectLines)</strong>: line "
                out += "\(chainBreak.line), <code>\(Self.text(chainBreak.kind))</code>: "
                out += "\(Self.text(chainBreak.message))</li>\n"
            }
        }
        return out + "</ul>\n</div>\n"
    }

    /// The mark on an entry whose log line a chain break casts doubt on.
    private func chainMark(_ entry: DigestEntry) -> String {
        guard let problem = entry.chainProblem else { return "" }
        return "<p class=\"chain-mark\"><strong>Hash chain broken here</strong> (\(Self.text(entry.log)) line "
            + "\(problem.line)): \(Self.text(problem.note)).</p>\n"
    }

    // MARK: Summary and charts

    private func headline() -> String {
        let totals = self.digest.totals
        var items: [String] = []
        let deleted = totals.count(.deleted)
        var deletedItem = "<strong>\(Self.escape(DigestFormat.kindNoun(.deleted, count: deleted)))</strong>"
        if deleted > 0 {
            let probe = totals.deletedByConfirmation["probe"] ?? 0
            let absence = totals.deletedByConfirmation["absence"] ?? 0
            deletedItem += " (\(Self.escape(DigestFormat.reasonCounts(totals.deletedByReason))); "
            deletedItem += "confirmed by probe \(probe), by absence \(absence)"
            deletedItem +=
                Self.escape(
                    DigestFormat.removedRepostsNote(
                        DigestFormat.removedReposts(self.digest.accounts)))
                + ")"
        }
        items.append(deletedItem)
        if totals.repostedOriginalsDeleted > 0 {
            items.append(Self.escape(DigestFormat.repostedOriginalsNoun(count: totals.repostedOriginalsDeleted)))
        }
        items.append(
            "<strong>" + Self.escape(DigestFormat.kindNoun(.altered, count: totals.count(.altered))) + "</strong>"
        )
        items.append(
            "<strong>" + Self.escape(DigestFormat.kindNoun(.restored, count: totals.count(.restored))) + "</strong>"
        )
        items.append(
            Self.escape(DigestFormat.kindNoun(.accountUnavailable, count: totals.count(.accountUnavailable))) + ", "
                + Self.escape(DigestFormat.kindNoun(.accountRestored, count: totals.count(.accountRestored)))
        )
        let spans = self.digest.accounts.reduce(0) { $0 + $1.coverage.blindSpans.count }
        items.append(
            Self.escape(DigestFormat.count(spans, "blind span", "blind spans"))
                + " (time in which an account could not be seen)"
        )
        let gaps = self.digest.accounts.reduce(0) { $0 + $1.coverage.unobserved.count }
        if gaps > 0 {
            items.append(
                Self.escape(DigestFormat.count(gaps, "gap", "gaps"))
                    + " in which an account was not polled at all (the monitor was not running): not observed")
        }
        items.append(
            Self.escape(DigestFormat.count(totals.accountsWatched, "account watched", "accounts watched"))
                + ", \(totals.accountsWithFindings) with findings"
        )
        items.append(
            "Coverage: <strong>\(DigestFormat.percent(totals.coverage))</strong> of the week observed "
                + "over all accounts (\(DigestFormat.observed(totals.observedSeconds, of: totals.expectedSeconds)))"
        )
        return "<ul class=\"headline\">\n" + items.map { "<li>\($0)</li>\n" }.joined() + "</ul>\n"
    }

    /// One row per account; on narrow screens each row reflows into a block whose cells carry
    /// their column's name (`data-label`).
    private func accountTable() -> String {
        let columns = ["Deleted", "Altered", "Restored", "Account events", "Observed"]
        var out = "<table class=\"numbers reflow\">\n<thead><tr><th scope=\"col\">Account</th>"
        out += columns.map { "<th scope=\"col\">\($0)</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for (index, account) in self.digest.accounts.prefix(self.detail.detailedAccounts).enumerated() {
            out += "<tr><th scope=\"row\"><a href=\"#account-\(index + 1)\"><bdi class=\"name\">"
            out += "\(Self.text(account.displayName))</bdi></a></th>"
            let values = [
                String(account.count(.deleted)), String(account.count(.altered)), String(account.count(.restored)),
                String(account.accountEntries.count), DigestFormat.percent(account.coverage.share),
            ]
            for (column, value) in zip(columns, values) { out += "<td data-label=\"\(column)\">\(value)</td>" }
            out += "</tr>\n"
        }
        if let others = self.detail.others {
            out += "<tr class=\"others\"><th scope=\"row\">\(Self.escape(DigestFormat.othersLabel(others)))</th>"
            let values = [
                String(others.deleted), String(others.altered), String(others.restored), String(others.accountEvents),
                DigestFormat.percent(others.coverage),
            ]
            for (column, value) in zip(columns, values) { out += "<td data-label=\"\(column)\">\(value)</td>" }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    /// The accounts without a section that became unavailable, came back or could not be seen for a
    /// while, named (at most
    /// ``DigestFormat/othersNamedAtMost``), each with what happened to it.
    private func namedOtherAccounts() -> String {
        let positions = self.detail.othersToName
        guard !positions.isEmpty else { return "" }
        var out = "<p><strong>\(Self.escape(DigestFormat.othersToNameHeading)):</strong></p>\n<ul>\n"
        for position in positions.prefix(DigestFormat.othersNamedAtMost) {
            let account = self.digest.accounts[position]
            out += "<li><bdi class=\"name\">\(Self.text(account.displayName))</bdi> (<code>"
            out += "\(Self.text(account.account.rawValue))</code>): "
            out += "\(Self.escape(DigestFormat.otherAccountFacts(account)))</li>\n"
        }
        if positions.count > DigestFormat.othersNamedAtMost {
            out += "<li>and \(positions.count - DigestFormat.othersNamedAtMost) more</li>\n"
        }
        return out + "</ul>\n"
    }

    /// The row label of the accounts without a section.
    private func charts() -> String {
        let withDeletions = self.digest.accounts.prefix(self.detail.detailedAccounts).filter { $0.count(.deleted) > 0 }
        let legend = withDeletions.map { (key: $0.account.rawValue, name: $0.displayName) }
        let others = self.detail.others.flatMap { $0.deleted > 0 ? $0 : nil }
        let otherSegments = others.map {
            (
                label: DigestFormat.othersWithDeletionsLabel($0),
                perDay: $0.deletedPerDay
            )
        }
        var out = "<section id=\"charts\">\n<div class=\"keep\">\n<h2>Deletions per day</h2>\n<figure>\n"
        out += DigestChart.deletionsPerDay(self.digest.days, accounts: legend, others: otherSegments) + "\n"
        out += "<figcaption><ul class=\"legend\">\n"
        for (index, account) in withDeletions.enumerated() {
            out += "<li><span class=\"swatch\" style=\"background:\(DigestChart.color(index))\"></span>"
            out += "<bdi class=\"name\">\(Self.text(account.displayName))</bdi></li>\n"
        }
        if let otherSegments {
            out += "<li><span class=\"swatch\" style=\"background:\(DigestChart.othersBackground)\"></span>"
            out += "\(Self.escape(otherSegments.label))</li>\n"
        }
        out += "</ul></figcaption>\n</figure>\n</div>\n"
        let labels = self.digest.days.map { "\($0.weekday) \($0.date.suffix(5))" } + ["Total"]
        out += "<table class=\"numbers days reflow\">\n<thead><tr><th scope=\"col\">Account</th>"
        for day in self.digest.days { out += "<th scope=\"col\">\(day.weekday)<br>\(day.date.suffix(5))</th>" }
        out += "<th scope=\"col\">Total</th></tr></thead>\n<tbody>\n"
        for account in withDeletions {
            out += "<tr><th scope=\"row\"><bdi class=\"name\">\(Self.text(account.displayName))</bdi></th>"
            let values =
                self.digest.days.map { $0.deletedByAccount[account.account.rawValue] ?? 0 } + [account.count(.deleted)]
            for (label, value) in zip(labels, values) { out += "<td data-label=\"\(label)\">\(value)</td>" }
            out += "</tr>\n"
        }
        if let others {
            out += "<tr class=\"others\"><th scope=\"row\">"
            out += "\(Self.escape(DigestFormat.othersWithDeletionsLabel(others)))</th>"
            for (label, value) in zip(labels, others.deletedPerDay + [others.deleted]) {
                out += "<td data-label=\"\(label)\">\(value)</td>"
            }
            out += "</tr>\n"
        }
        out += "<tr class=\"total\"><th scope=\"row\">All accounts</th>"
        let totals = self.digest.days.map(\.deleted) + [self.digest.totals.count(.deleted)]
        for (label, value) in zip(labels, totals) { out += "<td data-label=\"\(label)\">\(value)</td>" }
        out += "</tr>\n</tbody>\n</table>\n"

        out += "<div class=\"keep\">\n<h2>How soon deleted posts were gone</h2>\n<figure>\n"
        out += DigestChart.lifetimes(self.digest.lifetimes) + "\n"
        out += "<figcaption>Counted by the upper bound of each lifetime: a post under “≤ 10 min” was gone "
        out += "at most ten minutes after it was posted.</figcaption>\n</figure>\n</div>\n</section>\n"
        return out
    }

    // MARK: Accounts

    /// An account's article. Each heading sits in a `keep` block with the first thing under it
    /// (the account's name and key with its first group, a group's heading with its first entry),
    /// so a printed page never ends with a heading. `number`: the account's place in the digest,
    /// from 1 (its anchor).
    private func section(_ account: DigestAccount, number index: Int) -> String {
        var blocks: [String] = []
        let allowance = self.detail.entryAllowance(of: account, at: index - 1)
        let groups: [(DigestEntryGroup, String)] = [
            (.deleted, "Deleted"), (.altered, "Altered"), (.restored, "Restored"),
        ]
        for (group, title) in groups {
            let entries = group.entries(of: account)
            guard !entries.isEmpty else { continue }
            blocks += self.group(
                "<h4>\(title) (\(entries.count))</h4>\n", entries, shown: allowance.take(entries, as: group))
        }
        let reposted = account.repostedOriginalEntries
        if !reposted.isEmpty {
            var heading = "<h4>Originals this account reposted, deleted (\(reposted.count))</h4>\n"
            heading += "<p class=\"muted\">Posts of other accounts, not of this one: the platform shows their removal "
            heading += "inside this account's reposts.</p>\n"
            blocks += self.group(heading, reposted, shown: allowance.take(reposted, as: .repostedOriginals))
        }
        let accountEvents = account.accountEntries
        if !accountEvents.isEmpty {
            let shown = allowance.take(accountEvents, as: .accountEvents)
            var block = "<div class=\"keep\">\n<h4>Account events (\(accountEvents.count))</h4>\n"
            if !shown.isEmpty {
                block += "<ul class=\"account-events\">\n"
                for entry in shown { block += "<li>\(self.accountEvent(entry))\(self.chainMark(entry))</li>\n" }
                block += "</ul>\n"
            }
            block += Self.moreEntries(accountEvents.count - shown.count, of: accountEvents.count)
            blocks.append(block + "</div>\n")
        }
        blocks.append(self.coverage(account.coverage))

        var out = "<article class=\"account\" id=\"account-\(index)\">\n<div class=\"keep\">\n"
        out += "<h3><bdi class=\"name\">\(Self.text(account.displayName))</bdi></h3>\n<p class=\"key\"><code>"
        out += Self.text(account.account.rawValue) + "</code> on \(Self.escape(account.platform.rawValue))"
        if !account.isConfigured { out += " (not in this config: found in a log)" }
        out += "</p>\n"
        if !account.hasFindings { out += "<p>Nothing found this week.</p>\n" }
        out += blocks.first ?? ""
        out += "</div>\n" + blocks.dropFirst().joined()
        return out + "</article>\n"
    }

    /// A group of entries as blocks: its `heading` kept with the first entry shown, each other
    /// entry shown, and the line saying how many are not shown (``DigestFormat/moreEntriesNote(_:)``)
    /// after the last one.
    private func group(_ heading: String, _ entries: [DigestEntry], shown: ArraySlice<DigestEntry>) -> [String] {
        let more = Self.moreEntries(entries.count - shown.count, of: entries.count)
        let first = "<div class=\"keep\">\n" + heading + (shown.first.map(self.entry) ?? "")
        guard shown.count > 1 else { return [first + more + "</div>\n"] }
        return [first + "</div>\n"] + shown.dropFirst().map(self.entry) + (more.isEmpty ? [] : [more])
    }

    /// The line after the entries of a group shown in part; empty when `count`, the entries not
    /// shown of the group's `total`, is 0.
    private static func moreEntries(_ count: Int, of total: Int) -> String {
        guard count > 0 else { return "" }
        return "<p class=\"more muted\">\(Self.escape(DigestFormat.moreEntriesNote(count, of: total)))</p>\n"
    }

    private func entry(_ entry: DigestEntry) -> String {
        let event = entry.event
        let suspect = entry.chainProblem == nil ? "" : " suspect"
        var out = "<div class=\"entry \(event.event.rawValue)\(suspect)\">\n<p class=\"what\">Post <code>"
        out += Self.text(event.postID ?? "?") + "</code>"
        if event.postKind == .repost { out += " (a repost)" }
        var facts: [(String, String)] = []
        switch event.event {
        case .deleted where event.isRepostedOriginalDeletion:
            out += ": an original this account reposted was <strong>deleted</strong>, "
            out += "\(Self.escape(DigestFormat.reason(event.reason)))</p>\n"
            facts.append(("Detected", self.time(event.detectedAt)))
            facts.append(("Confirmed by", Self.escape(DigestFormat.repostedOriginalConfirmation)))
        case .deleted:
            out +=
                event.postKind == .repost
                ? ": <strong>removed</strong> (un-boosted or deleted), " : ": <strong>deleted</strong>, "
            out += "\(Self.escape(DigestFormat.reason(event.reason)))</p>\n"
            facts.append(("Posted", event.postedAt.map(self.time) ?? "unknown (the source gives no date)"))
            if let lifetime = event.lifetime {
                var value = "<strong>\(Self.escape(DigestFormat.range(lifetime)))</strong>"
                if let lastSeen = event.lastSeen, let firstMissing = event.firstMissing {
                    value += " (from posting until between \(self.time(lastSeen)), the last poll that saw it, and "
                    value += "\(self.time(firstMissing)), the first that missed it)"
                }
                facts.append(("Lived", value))
            } else if let lastSeen = event.lastSeen, let firstMissing = event.firstMissing {
                facts.append(("Gone", "between \(self.time(lastSeen)) and \(self.time(firstMissing))"))
            }
            facts.append(("Detected", self.time(event.detectedAt)))
            facts.append(("Confirmed by", Self.escape(DigestFormat.confirmation(event.confirmedBy))))
        case .altered:
            let marker =
                event.editedAt.map { "edited \(self.time($0)) (the platform's edit marker)" }
                ?? "no edit marker from the platform"
            out += ": <strong>altered</strong>, \(marker)</p>\n"
            if let postedAt = event.postedAt { facts.append(("Posted", self.time(postedAt))) }
            facts.append(("Detected", self.time(event.detectedAt)))
            if let previous = event.previousVersion, let current = event.version {
                facts.append(("Version", "<code>\(Self.text(previous))</code> → <code>\(Self.text(current))</code>"))
            }
        default:
            let gone = event.goneFor.map { " after being gone <strong>\(Self.escape(DigestFormat.range($0)))</strong>" }
            out += ": <strong>visible again</strong>\(gone ?? "")</p>\n"
            if let postedAt = event.postedAt { facts.append(("Posted", self.time(postedAt))) }
            if let gone = DigestFormat.goneBetween(event, time: self.time) { facts.append(("Gone", gone)) }
            facts.append(("Seen again", self.time(event.detectedAt)))
        }
        facts += self.commonFacts(entry)
        // The post's text first, right under its headline; the facts and the evidence after it.
        out += self.chainMark(entry)
        out += self.postText(entry)
        out += "<dl>\n" + facts.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>\n" }.joined() + "</dl>\n"
        return out + "</div>\n"
    }

    /// The text of a deleted or restored post, or the change of an altered one with the full text
    /// before and after: collapsed on screen, printed in full (a print-only copy, since a closed
    /// `<details>` prints closed).
    private func postText(_ entry: DigestEntry) -> String {
        let event = entry.event
        guard event.event == .altered else {
            if entry.text == nil, event.isRepostedOriginalDeletion {
                // The original was never seen: there is no text of it to show.
                return ""
            }
            guard let text = entry.text else { return "<p class=\"muted\">Text not recorded.</p>\n" }
            return "<div class=\"text\" dir=\"auto\">\(Self.text(text, multiline: true))</div>\n"
        }
        if let old = event.previousText, let new = event.text {
            var out = "<div class=\"diff\" dir=\"auto\">"
            for segment in self.diffs.segments(of: entry, from: old, to: new) {
                switch segment {
                case .unchanged(let text): out += Self.text(text, multiline: true)
                case .removed(let text): out += "<del>\(Self.text(text, multiline: true))</del>"
                case .added(let text): out += "<ins>\(Self.text(text, multiline: true))</ins>"
                }
            }
            out += "</div>\n"
            let before = "<div class=\"text\" dir=\"auto\">\(Self.text(old, multiline: true))</div>\n"
            let after = "<div class=\"text\" dir=\"auto\">\(Self.text(new, multiline: true))</div>\n"
            out += "<details class=\"screen-only\"><summary>Text before and after</summary>\n"
            out += "\(before)\(after)</details>\n"
            out += "<div class=\"print-only\"><p class=\"label\">Text before:</p>\n\(before)"
            out += "<p class=\"label\">Text after:</p>\n\(after)</div>\n"
            return out
        }
        if let diff = event.diff {
            return "<div class=\"diff\" dir=\"auto\">\(Self.text(diff, multiline: true))</div>\n"
        }
        return "<p class=\"muted\">Text not recorded.</p>\n"
    }

    private func commonFacts(_ entry: DigestEntry) -> [(String, String)] {
        let event = entry.event
        var facts: [(String, String)] = []
        if let url = event.url { facts.append(("Permalink", Self.link(url))) }
        if let title = entry.title, !title.isEmpty { facts.append(("Title", "<bdi>\(Self.text(title))</bdi>")) }
        if !entry.media.isEmpty {
            facts.append(("Media", entry.media.map(Self.link).joined(separator: "<br>")))
        }
        if let detail = event.detail, !detail.isEmpty {
            facts.append(("Platform's answer", "<code>\(Self.text(detail))</code>"))
        }
        let checks = Dictionary(entry.evidenceChecks.map { ($0.sha256, $0.status) }, uniquingKeysWith: { a, _ in a })
        for reference in event.evidence {
            var value = "SHA-256 <code class=\"hash\">\(Self.text(reference.sha256))</code>, HTTP \(reference.status) "
            value += "from \(Self.link(reference.url)), fetched \(self.time(reference.fetchedAt))"
            switch checks[reference.sha256] {
            case .verified?: value += "; the body is in the state folder and matches"
            case .missing?: value += "; the body is not in the state folder"
            case .mismatch?: value += "; <strong>the body in the state folder does not match this hash</strong>"
            case nil: break
            }
            facts.append(("Evidence", value))
        }
        if let versions = entry.archivedVersions, versions > 1 {
            facts.append(("Versions archived", String(versions)))
        }
        var log = Self.text(entry.log)
        if let seq = entry.event.seq { log += " line seq \(seq)" }
        log += ", event <code>\(Self.text(event.id))</code>"
        facts.append(("Log", log))
        return facts
    }

    private func accountEvent(_ entry: DigestEntry) -> String {
        let event = entry.event
        var out = self.time(event.detectedAt) + ": "
        if event.event == .accountUnavailable {
            out += "the account became <strong>unavailable</strong>: \(Self.escape(DigestFormat.reason(event.reason)))"
            if let confirmation = event.confirmedBy { out += " (confirmed by \(confirmation.rawValue))" }
        } else {
            out += "the account is <strong>visible again</strong>"
        }
        if let detail = event.detail, !detail.isEmpty {
            out += "; platform's answer: <code>\(Self.text(detail))</code>"
        }
        if let reference = event.evidence.first {
            out += "; evidence SHA-256 <code class=\"hash\">\(Self.text(reference.sha256))</code>"
        }
        return out
    }

    private func coverage(_ coverage: DigestCoverage) -> String {
        var out =
            "<p class=\"coverage\">Coverage: <strong>\(DigestFormat.percent(coverage.share))</strong> of the week "
        out += "observed (\(DigestFormat.duration(coverage.observedSeconds)) of "
        out += "\(DigestFormat.duration(coverage.expectedSeconds)))"
        if coverage.watchedFrom == nil {
            out += "; no poll of this account is known"
        } else if let from = coverage.watchedFrom, from > self.digest.from {
            out += "; first poll known \(self.time(from))"
        }
        if let to = coverage.watchedTo, coverage.watchedFrom != nil, !self.digest.isInProgress, to < self.digest.to {
            out += "; last poll known \(self.time(to))"
        }
        out += ".</p>\n"
        if coverage.blindSpans.isEmpty {
            out += "<p class=\"muted\">No blind spans.</p>\n"
        } else {
            out += "<p class=\"lead\">Blind spans (the account could not be seen):</p>\n<ul class=\"blind\">\n"
            for span in coverage.blindSpans {
                let end = span.to.map { "to \(self.time($0))" } ?? "still blind at the end of the log"
                out += "<li>\(self.time(span.from)) \(end): \(DigestFormat.duration(span.secondsInWeek)) in this week, "
                out += Self.escape(DigestFormat.count(span.failedPolls, "failed poll", "failed polls"))
                out +=
                    "; last failure <code>\(Self.text(span.failureKind))</code>: "
                    + "\(Self.text(span.failureMessage))</li>\n"
            }
            out += "</ul>\n"
        }
        if !coverage.unobserved.isEmpty {
            out += "<p>Not watched (no poll for longer than twice the account's interval: the monitor was not "
            out += "running):</p>\n<ul class=\"blind\">\n"
            for gap in coverage.unobserved {
                out += "<li>from \(self.time(gap.from)), the last poll before, to \(self.time(gap.to)), the first "
                out += "after: \(DigestFormat.duration(gap.secondsInWeek)) in this week</li>\n"
            }
            out += "</ul>\n"
        }
        return out
    }

    /// The warning at the top when `palimpsest verify` finds more wrong than the chain.
    private func verdictWarning() -> String {
        guard let verdict = self.digest.verdict else { return "" }
        var out = "<div class=\"alert\" id=\"verify-warning\" role=\"alert\">\n<p><strong>Warning: the deletion log "
        out += "does not verify</strong> (<code>palimpsest verify</code>): "
        out += "\(DigestFormat.count(verdict.problems.count, "problem", "problems")) beyond the hash chain. Check the "
        out += "evidence and the checkpoints before relying on this digest.</p>\n<ul>\n"
        for problem in verdict.problems { out += "<li>\(Self.text(problem))</li>\n" }
        return out + "</ul>\n</div>\n"
    }

    /// The warning at the top when the stored state of accounts does not read (see the Markdown
    /// renderer).
    private func stateWarning() -> String {
        guard let problems = self.digest.stateProblems, !problems.isEmpty else { return "" }
        var out = "<div class=\"alert\" id=\"state-warning\" role=\"alert\">\n<p><strong>Warning: the stored "
        out += "state of \(DigestFormat.count(problems.count, "account", "accounts")) does not read</strong> (a "
        out += "hand-edited or damaged <code>state.sqlite</code>). What does not read is left out: an account whose "
        out += "state does not read is shown as never observed (0 % coverage), without archived versions or "
        out += "evidence checks (<code>palimpsest status</code> names it too); one whose archived posts do not "
        out += "read, without their titles, media, links and archived text. See docs/operating.md.</p>\n<ul>\n"
        for problem in problems {
            out += "<li><code>\(Self.text(problem.account.rawValue))</code>: \(Self.text(problem.problem))</li>\n"
        }
        return out + "</ul>\n</div>\n"
    }

    /// The log's signed checkpoints of the week (see the Markdown renderer).
    private func witnessSection() -> String {
        guard let witness = self.digest.witness else { return "" }
        var out = "<section id=\"witness\">\n<h2>Witness: signed checkpoints of the log</h2>\n<p>Keep this e-mail: "
        out += "it holds the tree heads the log had when they were signed. <code>palimpsest verify --against "
        out += "digest.json</code> checks a log against them; a log changed since gives other heads.</p>\n"
        if let key = witness.publicKey {
            out += "<p>Signing key (Ed25519, public): <code class=\"hash\">\(Self.text(key))</code></p>\n"
        }
        if witness.checkpoints.isEmpty { out += "<p>No checkpoint was made this week.</p>\n" }
        out += "<ul>\n"
        for checkpoint in witness.checkpoints {
            out += "<li>\(self.time(checkpoint.detectedAt)): seq \(checkpoint.seq), \(checkpoint.treeSize) lines up to "
            out += "seq \(checkpoint.lastSeq); tree head <code class=\"hash\">\(Self.text(checkpoint.root))</code>; "
            out += "signature <code class=\"hash\">\(Self.text(checkpoint.signature))</code>"
            for stamp in checkpoint.timestamps ?? [] {
                out += "; timestamp by \(Self.text(stamp.authority)): "
                out += stamp.time.map { self.time($0) } ?? "time unreadable"
                if !stamp.isValid { out += " (not verified)" }
            }
            out += "</li>\n"
        }
        return out + "</ul>\n</section>\n"
    }

    private func sources() -> String {
        var out = "<footer id=\"sources\">\n<div class=\"keep\">\n<h2>Sources</h2>\n<ul>\n"
        for source in self.digest.sources {
            out += "<li>\(Self.text(source.log)): \(DigestFormat.count(source.eventsRead, "event", "events")) read, "
            out += "\(source.eventsInWeek) in this week"
            if source.files.count > 1 {
                out += " (\(source.files.count) files, oldest first: "
                out += source.files.map { Self.text($0) }.joined(separator: ", ") + ")"
            }
            if let seq = source.lastSeq { out += "; last seq \(seq)" }
            out += "; SHA-256 of the last line <code class=\"hash\">\(Self.text(source.lastHash))</code>"
            out +=
                source.chainProblems == 0
                ? "; hash chain intact"
                : "; <strong>hash chain: \(DigestFormat.count(source.chainProblems, "problem", "problems"))</strong>"
            if let first = source.firstSeq, !source.startsFromGenesis {
                out += " from seq \(first) on (the lines before it are not in these files)"
            }
            if source.skippedLines > 0 {
                out += "; \(DigestFormat.count(source.skippedLines, "line", "lines")) skipped"
            }
            out += "</li>\n"
        }
        out += "</ul>\n</div>\n<p>Made by <code>palimpsest digest --week \(self.digest.week) --time-zone "
        out +=
            "\(Self.text(self.digest.timeZone))\(DigestFormat.limitArgument(self.detail))</code> from these logs and the state folder; the same log gives the "
        out += "same digest. Each event's full record is in <code>events.csv</code> and <code>digest.json</code>.</p>\n"
        return out + "</footer>\n"
    }

    // MARK: Escaping

    private func time(_ date: Date) -> String {
        "<time datetime=\"\(RFC3339.string(from: date))\">\(DigestFormat.time(date, in: self.zone))</time>"
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references: safe in element
    /// content and in quoted attribute values.
    public static func escape(_ text: String) -> String {
        guard
            text.utf8.contains(where: {
                $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">")
                    || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'")
            })
        else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Untrusted text for element content: hidden characters made visible, then escaped; on one
    /// line unless `multiline` (then shown with `white-space: pre-wrap`).
    static func text(_ text: String, multiline: Bool = false) -> String {
        self.escape(multiline ? TerminalText.visible(text, isolated: true) : DigestFormat.visibleLine(text))
    }

    /// A link for an absolute `http`/`https` URL, its text the URL; anything else as inert text
    /// marked as not a link.
    static func link(_ url: String) -> String {
        guard let link = DigestFormat.webLink(url) else {
            return "<code>\(self.text(url))</code> (not a web link)"
        }
        return "<a class=\"url\" href=\"\(self.escape(link))\" rel=\"noopener noreferrer nofollow\">"
            + "\(self.text(link))</a>"
    }

    // MARK: Style

    static let css = """
        :root { color-scheme: light dark; --fg: #1b1b1b; --bg: #ffffff; --muted: #5f6368; --line: #d9d9d9;
          --card: #f6f6f4; --del-bg: #fde2e1; --del-fg: #8a1c14; --ins-bg: #dcf5e3; --ins-fg: #0d5b2a;
          --link: #0b57d0; --accent: #b3261e; --alert-bg: #fde2e1; }
        @media (prefers-color-scheme: dark) {
          :root { --fg: #e8e6e3; --bg: #16181c; --muted: #a3a7ad; --line: #3a3d42; --card: #202328;
            --del-bg: #4a1d1a; --del-fg: #ffb4ab; --ins-bg: #173a24; --ins-fg: #a8e6b9; --link: #8ab4f8;
            --accent: #f2b8b5; --alert-bg: #3b1a18; }
        }
        html { background: var(--bg); color: var(--fg); -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
        body { margin: 0 auto; max-width: 52rem; padding: 1.5rem 1rem 3rem; line-height: 1.55;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial,
            "PingFang SC", "Hiragino Sans GB", "Hiragino Sans", "Microsoft YaHei", "Microsoft JhengHei",
            "Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans CJK KR", "Source Han Sans SC",
            "WenQuanYi Micro Hei", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif; }
        code, .hash { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono CJK SC",
          "Liberation Mono", monospace; font-size: 0.9em; overflow-wrap: anywhere; }
        h1 { font-size: 1.6rem; margin-bottom: 0.3rem; }
        h2 { font-size: 1.3rem; border-bottom: 1px solid var(--line); padding-bottom: 0.2rem; margin-top: 2rem; }
        h3 { font-size: 1.15rem; margin-bottom: 0.2rem; }
        h4 { font-size: 1rem; margin: 1.2rem 0 0.4rem; }
        h1, h2, h3, h4, .name { overflow-wrap: break-word; hyphens: manual; }
        .name { word-break: keep-all; }
        a { color: var(--link); }
        a.url { overflow-wrap: anywhere; }
        .meta, .muted, .key, .label { color: var(--muted); }
        .label { margin: 0.4rem 0 0; font-size: 0.92rem; }
        .notice, .nothing { border-left: 4px solid var(--accent); padding: 0.4rem 0.8rem; background: var(--card); }
        .alert { border: 2px solid var(--accent); border-radius: 6px; padding: 0.5rem 0.9rem; margin: 1rem 0;
          background: var(--alert-bg); overflow-wrap: anywhere; }
        .alert ul { margin: 0.3rem 0; padding-left: 1.2rem; }
        .chain-mark { margin: 0.3rem 0; padding: 0.2rem 0.6rem; border-left: 4px solid var(--accent);
          background: var(--alert-bg); font-size: 0.92rem; }
        .entry.suspect { outline: 2px dashed var(--accent); outline-offset: 2px; }
        table { border-collapse: collapse; margin: 0.8rem 0; font-variant-numeric: tabular-nums; }
        th, td { border-bottom: 1px solid var(--line); padding: 0.25rem 0.6rem; text-align: right; }
        th[scope=row], thead th:first-child { text-align: left; }
        tr.total { font-weight: bold; }
        .days { font-size: 0.9rem; }
        figure { margin: 0.8rem 0; }
        .days-chart { display: grid; grid-template-columns: repeat(7, minmax(0, 1fr)); gap: 0 0.3rem;
          max-width: 40rem; font-size: 0.8rem; line-height: 1.3; text-align: center; }
        .days-chart .plot { height: 9rem; padding-top: 1.3rem; display: flex; align-items: flex-end;
          justify-content: center; border-bottom: 1px solid var(--fg); }
        .days-chart .stack { position: relative; width: 60%; display: flex; flex-direction: column-reverse; }
        .days-chart .total { position: absolute; bottom: 100%; left: 0; right: 0; }
        .days-chart .segment { display: block; min-height: 1px; }
        .days-chart .weekday { display: block; margin-top: 0.2rem; }
        .days-chart .date { display: block; color: var(--muted); font-size: 0.9em; }
        .lifetimes-chart { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.25rem 0.6rem;
          align-items: center; max-width: 40rem; margin: 0; font-size: 0.9rem; }
        .lifetimes-chart dt { color: var(--fg); text-align: right; white-space: nowrap; }
        .lifetimes-chart dd { margin: 0; display: flex; align-items: center; gap: 0.4rem; }
        .lifetimes-chart .bar { display: block; height: 1.1em; background: #D55E00; }
        .segment, .lifetimes-chart .bar, .swatch { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
        .legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; font-size: 0.9rem; }
        .swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.35em; vertical-align: -0.05em;
          border-radius: 2px; }
        .account { border-top: 2px solid var(--line); margin-top: 1.5rem; padding-top: 0.5rem; }
        .entry { background: var(--card); border-radius: 6px; padding: 0.6rem 0.9rem; margin: 0.6rem 0;
          break-inside: avoid; }
        .entry.deleted { border-left: 4px solid var(--accent); }
        .what { margin: 0 0 0.4rem; }
        dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.1rem 0.8rem; margin: 0.3rem 0;
          font-size: 0.92rem; }
        dt { color: var(--muted); }
        dd { margin: 0; overflow-wrap: anywhere; }
        .text, .diff { white-space: pre-wrap; overflow-wrap: anywhere; border-left: 3px solid var(--line);
          padding: 0.3rem 0.7rem; margin: 0.5rem 0; font-size: 1.02rem; unicode-bidi: isolate; }
        del { background: var(--del-bg); color: var(--del-fg); text-decoration: line-through; }
        ins { background: var(--ins-bg); color: var(--ins-fg); text-decoration: underline; }
        details summary { cursor: pointer; color: var(--muted); }
        .print-only { display: none; }
        footer { margin-top: 2.5rem; font-size: 0.9rem; }
        @media (max-width: 40rem) {
          body { padding: 1rem 0.9rem 2rem; }
          h1 { font-size: 1.4rem; }
          table.reflow, .reflow tbody, .reflow tr { display: block; }
          .reflow thead { display: none; }
          .reflow tr { padding: 0.35rem 0; border-bottom: 1px solid var(--line); }
          .reflow th, .reflow td { display: inline-block; border: 0; padding: 0 0.9rem 0 0; text-align: left; }
          .reflow th[scope=row] { display: block; padding: 0 0 0.1rem; }
          .reflow td::before { content: attr(data-label) " "; color: var(--muted); font-weight: normal; }
          dl { grid-template-columns: minmax(0, 1fr); gap: 0; }
          dd { margin-bottom: 0.35rem; }
          .entry { padding: 0.5rem 0.7rem; }
        }
        @media print {
          :root { --fg: #000; --bg: #fff; --muted: #444; --line: #999; --card: #fff; --link: #000;
            --del-bg: #fff; --ins-bg: #fff; --del-fg: #000; --ins-fg: #000; --alert-bg: #fff; }
          html { font-size: 10pt; }
          body { max-width: none; padding: 0; font-size: 10pt; line-height: 1.4; }
          a[href^="http"]:not(.url)::after { content: " (" attr(href) ")"; font-size: 0.85em; color: #444; }
          .entry { border: 1px solid #999; padding: 0.4rem 0.7rem; margin: 0.4rem 0; }
          dl { font-size: 0.9rem; }
          .text, .diff { margin: 0.3rem 0; padding: 0.15rem 0.6rem; }
          h2 { margin-top: 1.4rem; }
          .entry, figure, li { break-inside: avoid; }
          h2, h3, h4, .key, .lead, .label { break-after: avoid; }
          .screen-only { display: none; }
          .print-only { display: block; }
        }

        """
}
