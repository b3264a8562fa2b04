import Foundation

/// `digest.md`: the digest as Markdown (CommonMark with GitHub tables), readable as plain text too:
/// it is also the plain-text part of the e-mail.
///
/// Untrusted text never becomes markup: post texts and diffs sit in fenced code blocks (`~~~text`,
/// the fence longer than any run of `~` in the text), names and answers are backslash-escaped,
/// ids are code spans, and only `http`/`https` URLs become links (`<…>`). Characters that would
/// reorder or hide text (bidirectional overrides, control characters) are shown as `[U+202E]`.
public struct MarkdownDigestRenderer: DigestDocumentRendering {
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

    /// The whole document, ending with a newline.
    public func render() -> String {
        self.renderParts().joined()
    }

    /// Everything before the first account's section, lines ending with a newline.
    func head() -> String {
        var out: [String] = []
        let digest = self.digest
        let totals = digest.totals
        out.append("# Palimpsest weekly digest: \(digest.week)")
        out.append("")
        let interval = DateInterval(start: digest.from, end: digest.to)
        out.append(
            "Week \(digest.week): from Monday \(self.time(digest.from)) to Monday \(self.time(digest.to)). "
                + "All times are in \(Self.inline(DigestFormat.zone(self.zone, during: interval))), "
                + "with their UTC offset."
        )
        if digest.isInProgress {
            out.append("")
            out.append(
                "**The week is not over:** this digest covers it up to when it was made; numbers can still grow."
            )
        }
        if let generatedAt = digest.generatedAt {
            out.append("")
            out.append("Generated \(self.time(generatedAt)).")
        }
        out += self.chainWarning()
        out += self.verdictWarning()
        out += self.stateWarning()
        if self.detail.isPartial {
            out.append("")
            // Only the notice's own words: no text from the log.
            out.append("**" + DigestFormat.partialNotice(self.detail, accounts: digest.accounts.count) + "**")
        }
        out.append("")
        out.append("## Summary")
        out.append("")
        if totals.isEmpty {
            out.append(
                "**Nothing was found this week:** no post was deleted, altered or restored, and no account "
                    + "became unavailable or came back."
            )
            out.append("")
        }
        out += self.summaryList()
        out.append("")
        if totals.accountsWatched > 0 {
            out += self.accountTable()
            out += self.namedOtherAccounts()
            out.append("")
        }
        if totals.count(.deleted) > 0 {
            out.append("## Deletions per day")
            out.append("")
            out += self.dayTable()
            out.append("")
            out.append("## How soon deleted posts were gone")
            out.append("")
            out.append(
                "Counted by the upper bound of each lifetime: a post under “≤ 10 min” was gone at most "
                    + "ten minutes after it was posted."
            )
            out.append("")
            out.append("| Gone within | Posts |")
            out.append("| --- | ---: |")
            for count in digest.lifetimes where count.deleted > 0 || count.bucket != .unknown {
                out.append("| \(count.label) | \(count.deleted) |")
            }
            out.append("")
        }
        out.append("## Accounts")
        out.append("")
        if digest.accounts.isEmpty {
            out.append("No account is configured and no log names one.")
            out.append("")
        }
        return Self.lines(out)
    }

    /// The sections of the accounts at `positions` of the digest's accounts, in order, lines
    /// ending with a newline.
    func sections(_ positions: Range<Int>) -> String {
        var out = ""
        for index in positions {
            let account = self.digest.accounts[index]
            out += Self.lines(self.section(account, allowance: self.detail.entryAllowance(of: account, at: index)))
        }
        return out
    }

    /// Everything after the last account's section, lines ending with a newline.
    func tail() -> String {
        Self.lines(self.witnessSection() + self.sources())
    }

    /// `lines`, each ending with a newline.
    private static func lines(_ lines: [String]) -> String {
        lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// The warning under the title when a log's hash chain is broken: which lines, and that the
    /// entries from them are marked.
    private func chainWarning() -> [String] {
        let broken = self.digest.sources.filter { !$0.chainBreaks.isEmpty || $0.chainProblems > 0 }
        guard !broken.isEmpty else { return [] }
        var out = [
            "",
            "> **Warning: the hash chain of the deletion log is broken.** Lines of the log were changed, removed "
                + "or inserted after they were written, or the file was damaged, so entries of this digest may "
                + "not be what Palimpsest logged. Entries from the lines concerned are marked “hash chain broken "
                + "here”. Compare the log with a copy kept elsewhere before relying on it (docs/deletion-log.md, "
                + "“The hash chain”)."
                + (DigestFormat.omittedSuspectsNote(self.detail).map { " " + $0 } ?? ""),
            ">",
        ]
        for source in broken {
            if source.chainBreaks.isEmpty {
                out.append("> - \(Self.inline(source.log)): \(source.chainProblems) problems")
            }
            for chainBreak in source.chainBreaks {
                out.append(
                    "> - **\(Self.inline(source.log)), \(chainBreak.suspectLines)**: line \(chainBreak.line), "
                        + "\(Self.code(chainBreak.kind)): \(Self.inline(chainBreak.message))"
                )
            }
        }
        return out
    }

    /// The mark on an entry whose log line a chain break casts doubt on, with the blank line after it.
    private func chainMark(_ entry: DigestEntry) -> [String] {
        guard let problem = entry.chainProblem else { return [] }
        return [
            "**Hash chain broken here** (\(Self.inline(entry.log)) line \(problem.line)): "
                + Self.inline(problem.note) + ".",
            "",
        ]
    }

    // MARK: Summary

    private func summaryList() -> [String] {
        let totals = self.digest.totals
        var lines: [String] = []
        let deleted = totals.count(.deleted)
        var deletedLine = "- " + DigestFormat.kindNoun(.deleted, count: deleted)
        if deleted > 0 {
            var notes = [DigestFormat.reasonCounts(totals.deletedByReason)]
            let probe = totals.deletedByConfirmation["probe"] ?? 0
            let absence = totals.deletedByConfirmation["absence"] ?? 0
            notes.append("confirmed by probe \(probe), by absence \(absence)")
            deletedLine +=
                " (" + notes.joined(separator: "; ")
                + DigestFormat.removedRepostsNote(DigestFormat.removedReposts(self.digest.accounts))
                + ")"
        }
        lines.append(deletedLine)
        if totals.repostedOriginalsDeleted > 0 {
            lines.append("- " + DigestFormat.repostedOriginalsNoun(count: totals.repostedOriginalsDeleted))
        }
        lines.append("- " + DigestFormat.kindNoun(.altered, count: totals.count(.altered)))
        lines.append("- " + DigestFormat.kindNoun(.restored, count: totals.count(.restored)))
        lines.append(
            "- " + DigestFormat.kindNoun(.accountUnavailable, count: totals.count(.accountUnavailable)) + ", "
                + DigestFormat.kindNoun(.accountRestored, count: totals.count(.accountRestored))
        )
        let spans = self.digest.accounts.reduce(0) { $0 + $1.coverage.blindSpans.count }
        lines.append(
            "- " + DigestFormat.count(spans, "blind span", "blind spans")
                + " (time in which an account could not be seen)"
        )
        let gaps = self.digest.accounts.reduce(0) { $0 + $1.coverage.unobserved.count }
        if gaps > 0 {
            lines.append(
                "- " + DigestFormat.count(gaps, "gap", "gaps")
                    + " in which an account was not polled at all (the monitor was not running): not observed")
        }
        lines.append(
            "- " + DigestFormat.count(totals.accountsWatched, "account watched", "accounts watched") + ", "
                + "\(totals.accountsWithFindings) with findings"
        )
        lines.append(
            "- Coverage: \(DigestFormat.percent(totals.coverage)) of the week observed over all accounts "
                + "(\(DigestFormat.observed(totals.observedSeconds, of: totals.expectedSeconds)))"
        )
        return lines
    }

    private func accountTable() -> [String] {
        var lines = ["| Account | Deleted | Altered | Restored | Account events | Observed |"]
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
        for account in self.digest.accounts.prefix(self.detail.detailedAccounts) {
            lines.append(
                "| \(Self.inline(account.displayName)) | \(account.count(.deleted)) | \(account.count(.altered)) | "
                    + "\(account.count(.restored)) | \(account.accountEntries.count) | "
                    + "\(DigestFormat.percent(account.coverage.share)) |"
            )
        }
        if let others = self.detail.others {
            lines.append(
                "| \(DigestFormat.othersLabel(others)) | \(others.deleted) | \(others.altered) | \(others.restored) | "
                    + "\(others.accountEvents) | \(DigestFormat.percent(others.coverage)) |"
            )
        }
        return lines
    }

    private func dayTable() -> [String] {
        let days = self.digest.days
        var header = "| Account |"
        var rule = "| --- |"
        for day in days {
            header += " \(day.weekday) \(day.date.suffix(5)) |"
            rule += " ---: |"
        }
        var lines = [header + " Total |", rule + " ---: |"]
        for account in self.digest.accounts.prefix(self.detail.detailedAccounts) where account.count(.deleted) > 0 {
            var row = "| \(Self.inline(account.displayName)) |"
            for day in days { row += " \(day.deletedByAccount[account.account.rawValue] ?? 0) |" }
            lines.append(row + " \(account.count(.deleted)) |")
        }
        if let others = self.detail.others, others.deleted > 0 {
            var row = "| \(DigestFormat.othersWithDeletionsLabel(others)) |"
            for count in others.deletedPerDay { row += " \(count) |" }
            lines.append(row + " \(others.deleted) |")
        }
        var total = "| **All accounts** |"
        for day in days { total += " \(day.deleted) |" }
        lines.append(total + " \(self.digest.totals.count(.deleted)) |")
        return lines
    }

    /// The accounts without a section that became unavailable, came back or could not be seen for a
    /// while, named (at most
    /// ``DigestFormat/othersNamedAtMost``), each with what happened to it.
    private func namedOtherAccounts() -> [String] {
        let positions = self.detail.othersToName
        guard !positions.isEmpty else { return [] }
        var lines = ["", "**" + DigestFormat.othersToNameHeading + ":**", ""]
        for position in positions.prefix(DigestFormat.othersNamedAtMost) {
            let account = self.digest.accounts[position]
            // The key's code span first: a name starting with `- ` or `1. ` cannot open a list.
            lines.append(
                "- \(Self.code(account.account.rawValue)) \(Self.inline(account.displayName)): "
                    + DigestFormat.otherAccountFacts(account))
        }
        if positions.count > DigestFormat.othersNamedAtMost {
            lines.append("- and \(positions.count - DigestFormat.othersNamedAtMost) more")
        }
        return lines
    }

    /// The row label of the accounts without a section.
    // MARK: Accounts

    private func section(_ account: DigestAccount, allowance: DigestEntryAllowance) -> [String] {
        var out = ["### " + Self.inline(account.displayName), ""]
        var identity = Self.code(account.account.rawValue) + " on \(account.platform.rawValue)"
        if !account.isConfigured { identity += " (not in this config: found in a log)" }
        out.append(identity)
        out.append("")
        if !account.hasFindings {
            out.append("Nothing found this week.")
            out.append("")
        }
        let deleted = account.entries(.deleted)
        if !deleted.isEmpty {
            out.append("#### Deleted (\(deleted.count))")
            out.append("")
            let shown = allowance.take(deleted, as: .deleted)
            for entry in shown { out += self.deletedEntry(entry) }
            out += Self.moreEntries(deleted.count - shown.count, of: deleted.count)
        }
        let reposted = account.repostedOriginalEntries
        if !reposted.isEmpty {
            out.append("#### Originals this account reposted, deleted (\(reposted.count))")
            out.append("")
            out.append(
                "Posts of other accounts, not of this one: the platform shows their removal inside this account's reposts."
            )
            out.append("")
            let shown = allowance.take(reposted, as: .repostedOriginals)
            for entry in shown { out += self.repostedOriginalEntry(entry) }
            out += Self.moreEntries(reposted.count - shown.count, of: reposted.count)
        }
        let altered = account.entries(.altered)
        if !altered.isEmpty {
            out.append("#### Altered (\(altered.count))")
            out.append("")
            let shown = allowance.take(altered, as: .altered)
            for entry in shown { out += self.alteredEntry(entry) }
            out += Self.moreEntries(altered.count - shown.count, of: altered.count)
        }
        let restored = account.entries(.restored)
        if !restored.isEmpty {
            out.append("#### Restored (\(restored.count))")
            out.append("")
            let shown = allowance.take(restored, as: .restored)
            for entry in shown { out += self.restoredEntry(entry) }
            out += Self.moreEntries(restored.count - shown.count, of: restored.count)
        }
        let accountEvents = account.accountEntries
        if !accountEvents.isEmpty {
            out.append("#### Account events (\(accountEvents.count))")
            out.append("")
            let shown = allowance.take(accountEvents, as: .accountEvents)
            for entry in shown { out.append(self.accountEventLine(entry)) }
            if !shown.isEmpty { out.append("") }
            out += Self.moreEntries(accountEvents.count - shown.count, of: accountEvents.count)
        }
        out += self.coverage(account.coverage)
        return out
    }

    /// The paragraph after the entries of a group shown in part; none when `count`, the entries
    /// not shown of the group's `total`, is 0.
    private static func moreEntries(_ count: Int, of total: Int) -> [String] {
        count > 0 ? ["*" + DigestFormat.moreEntriesNote(count, of: total) + "*", ""] : []
    }

    private func deletedEntry(_ entry: DigestEntry) -> [String] {
        let event = entry.event
        var out = [
            "**Post \(Self.code(event.postID ?? "?"))**\(Self.repostNote(event)): "
                + (event.postKind == .repost ? "removed (un-boosted or deleted), " : "deleted, ")
                + Self.inline(DigestFormat.reason(event.reason)),
            "",
        ]
        out += self.chainMark(entry)
        var facts: [String] = []
        facts.append("- Posted: " + (event.postedAt.map(self.time) ?? "unknown (the source gives no date)"))
        if let lifetime = event.lifetime {
            var line = "- Lived: \(DigestFormat.range(lifetime))"
            if let lastSeen = event.lastSeen, let firstMissing = event.firstMissing {
                line +=
                    " (from posting until between \(self.time(lastSeen)), the last poll that saw it, "
                    + "and \(self.time(firstMissing)), the first that missed it)"
            }
            facts.append(line)
        } else if let lastSeen = event.lastSeen, let firstMissing = event.firstMissing {
            facts.append("- Gone between \(self.time(lastSeen)) and \(self.time(firstMissing))")
        }
        facts.append("- Detected: \(self.time(event.detectedAt))")
        facts.append("- Confirmed by " + Self.inline(DigestFormat.confirmation(event.confirmedBy)))
        facts += self.commonFacts(entry)
        // The post's text first, then its facts and evidence.
        out += self.textBlock("Last known text", entry.text)
        out += facts
        out.append("")
        return out
    }

    private func repostedOriginalEntry(_ entry: DigestEntry) -> [String] {
        let event = entry.event
        var out = [
            "**Post \(Self.code(event.postID ?? "?"))**: an original this account reposted was deleted, "
                + Self.inline(DigestFormat.reason(event.reason)),
            "",
        ]
        out.append("- Detected: \(self.time(event.detectedAt))")
        out.append("- Confirmed by " + Self.inline(DigestFormat.repostedOriginalConfirmation))
        out += self.commonFacts(entry)
        out.append("")
        return out
    }

    private func alteredEntry(_ entry: DigestEntry) -> [String] {
        let event = entry.event
        let marker =
            event.editedAt.map { "edited \(self.time($0)) (the platform's edit marker)" }
            ?? "no edit marker from the platform"
        var out = ["**Post \(Self.code(event.postID ?? "?"))**\(Self.repostNote(event)): altered, \(marker)", ""]
        out += self.chainMark(entry)
        var facts: [String] = []
        if let postedAt = event.postedAt { facts.append("- Posted: \(self.time(postedAt))") }
        facts.append("- Detected: \(self.time(event.detectedAt))")
        if let previous = event.previousVersion, let current = event.version {
            facts.append("- Version: \(Self.code(previous)) → \(Self.code(current))")
        }
        facts += self.commonFacts(entry)
        let diff: String? =
            if let old = event.previousText, let new = event.text {
                TextDiff.render(self.diffs.segments(of: entry, from: old, to: new), context: nil)
            } else {
                event.diff
            }
        out += self.textBlock("Change (`[-removed-]{+added+}`)", diff)
        out += facts
        out.append("")
        return out
    }

    private func restoredEntry(_ entry: DigestEntry) -> [String] {
        let event = entry.event
        let gone = event.goneFor.map { " after being gone \(DigestFormat.range($0))" } ?? ""
        var out = ["**Post \(Self.code(event.postID ?? "?"))**\(Self.repostNote(event)): visible again\(gone)", ""]
        out += self.chainMark(entry)
        var facts: [String] = []
        if let postedAt = event.postedAt { facts.append("- Posted: \(self.time(postedAt))") }
        if let gone = DigestFormat.goneBetween(event, time: self.time) { facts.append("- Gone: \(gone)") }
        facts.append("- Seen again: \(self.time(event.detectedAt))")
        facts += self.commonFacts(entry)
        out += self.textBlock("Text", entry.text)
        out += facts
        out.append("")
        return out
    }

    /// Permalink, title, media, the platform's answer, evidence and the log line.
    private func commonFacts(_ entry: DigestEntry) -> [String] {
        let event = entry.event
        var facts: [String] = []
        if let url = event.url { facts.append("- Permalink: " + Self.link(url)) }
        if let title = entry.title, !title.isEmpty { facts.append("- Title: " + Self.inline(title)) }
        if !entry.media.isEmpty {
            facts.append("- Media: " + entry.media.map(Self.link).joined(separator: ", "))
        }
        if let detail = event.detail, !detail.isEmpty {
            facts.append("- Platform's answer: " + Self.code(detail))
        }
        let checks = Dictionary(entry.evidenceChecks.map { ($0.sha256, $0.status) }, uniquingKeysWith: { a, _ in a })
        for reference in event.evidence {
            var line =
                "- Evidence: SHA-256 \(Self.code(reference.sha256)), HTTP \(reference.status) from "
                + Self.link(reference.url) + ", fetched \(self.time(reference.fetchedAt))"
            switch checks[reference.sha256] {
            case .verified?: line += "; the body is in the state folder and matches"
            case .missing?: line += "; the body is not in the state folder"
            case .mismatch?: line += "; **the body in the state folder does not match this hash**"
            case nil: break
            }
            facts.append(line)
        }
        if let versions = entry.archivedVersions, versions > 1 {
            facts.append("- Versions archived: \(versions)")
        }
        var logLine = "- Log: \(Self.inline(entry.log))"
        if let seq = event.seq { logLine += " line seq \(seq)" }
        logLine += ", event \(Self.code(event.id))"
        facts.append(logLine)
        return facts
    }

    private func accountEventLine(_ entry: DigestEntry) -> String {
        let event = entry.event
        var line = "- \(self.time(event.detectedAt)): "
        if event.event == .accountUnavailable {
            line += "the account became unavailable: " + Self.inline(DigestFormat.reason(event.reason))
            if let confirmation = event.confirmedBy { line += " (confirmed by \(confirmation.rawValue))" }
        } else {
            line += "the account is visible again"
        }
        if let detail = event.detail, !detail.isEmpty { line += "; platform's answer: " + Self.code(detail) }
        if let reference = event.evidence.first { line += "; evidence SHA-256 " + Self.code(reference.sha256) }
        if let problem = entry.chainProblem {
            line += "; **hash chain broken here** (\(Self.inline(entry.log)) line \(problem.line)): "
            line += Self.inline(problem.note)
        }
        return line
    }

    private func coverage(_ coverage: DigestCoverage) -> [String] {
        var out: [String] = []
        var line =
            "Coverage: \(DigestFormat.percent(coverage.share)) of the week observed "
            + "(\(DigestFormat.observed(coverage.observedSeconds, of: coverage.expectedSeconds)))"
        if coverage.watchedFrom == nil {
            line += "; no poll of this account is known"
        } else if let from = coverage.watchedFrom, from > self.digest.from {
            line += "; first poll known \(self.time(from))"
        }
        if let to = coverage.watchedTo, coverage.watchedFrom != nil, !self.digest.isInProgress, to < self.digest.to {
            line += "; last poll known \(self.time(to))"
        }
        out.append(line + ".")
        if coverage.blindSpans.isEmpty {
            out.append("")
            out.append("No blind spans.")
        } else {
            out.append("")
            out.append("Blind spans (the account could not be seen):")
            out.append("")
            for span in coverage.blindSpans {
                let end = span.to.map { "to \(self.time($0))" } ?? "still blind at the end of the log"
                out.append(
                    "- \(self.time(span.from)) \(end): \(DigestFormat.duration(span.secondsInWeek)) in this week, "
                        + DigestFormat.count(span.failedPolls, "failed poll", "failed polls") + "; last failure "
                        + Self.code(span.failureKind) + ": " + Self.inline(span.failureMessage)
                )
            }
        }
        if !coverage.unobserved.isEmpty {
            out.append("")
            out.append(
                "Not watched (no poll for longer than twice the account's interval: the monitor was not running):")
            out.append("")
            for gap in coverage.unobserved {
                out.append(
                    "- from \(self.time(gap.from)), the last poll before, to \(self.time(gap.to)), the first after: "
                        + "\(DigestFormat.duration(gap.secondsInWeek)) in this week")
            }
        }
        out.append("")
        return out
    }

    /// The warning under the title when `palimpsest verify` finds more wrong than the chain.
    private func verdictWarning() -> [String] {
        guard let verdict = self.digest.verdict else { return [] }
        var out = [
            "",
            "> **Warning: the deletion log does not verify** (`palimpsest verify`): "
                + "\(DigestFormat.count(verdict.problems.count, "problem", "problems")) beyond the hash chain. "
                + "Check the evidence and the checkpoints before relying on this digest (docs/evidence.md).",
            ">",
        ]
        for problem in verdict.problems { out.append("> - \(Self.inline(problem))") }
        return out
    }

    /// The warning under the title when the stored state of accounts does not read: which, what
    /// is wrong and what to do.
    private func stateWarning() -> [String] {
        guard let problems = self.digest.stateProblems, !problems.isEmpty else { return [] }
        var out = [
            "",
            "> **Warning: the stored state of \(DigestFormat.count(problems.count, "account", "accounts")) does not "
                + "read** (a hand-edited or damaged `state.sqlite`). What does not read is left out: an account "
                + "whose state does not read is shown as never observed (0 % coverage), without archived versions "
                + "or evidence checks (`palimpsest status` names it too); one whose archived posts do not read, "
                + "without their titles, media, links and archived text. See docs/operating.md.",
            ">",
        ]
        for problem in problems {
            out.append("> - \(Self.code(problem.account.rawValue)): \(Self.inline(problem.problem))")
        }
        return out
    }

    /// The log's signed checkpoints of the week: each recipient keeps an independent copy of what
    /// the log said (`palimpsest verify --against digest.json`).
    private func witnessSection() -> [String] {
        guard let witness = self.digest.witness else { return [] }
        var out = ["## Witness: signed checkpoints of the log", ""]
        out.append(
            "Keep this e-mail: it holds the tree heads the log had when they were signed. "
                + "`palimpsest verify --against digest.json` checks a log against them; a log changed since gives "
                + "other heads.")
        out.append("")
        if let key = witness.publicKey { out.append("Signing key (Ed25519, public): \(Self.code(key))") }
        if let verified = witness.verified {
            out.append("")
            out.append("Checked: \(Self.inline(verified))")
        }
        if witness.checkpoints.isEmpty {
            out.append("")
            out.append("No checkpoint was made this week.")
        }
        for checkpoint in witness.checkpoints {
            out.append("")
            out.append(
                "- \(self.time(checkpoint.detectedAt)): seq \(checkpoint.seq), \(checkpoint.treeSize) lines up to seq "
                    + "\(checkpoint.lastSeq); tree head \(Self.code(checkpoint.root))")
            out.append("  - signature \(Self.code(checkpoint.signature))")
            for stamp in checkpoint.timestamps ?? [] {
                let time = stamp.time.map { self.time($0) } ?? "time unreadable"
                out.append(
                    "  - timestamp by \(Self.inline(stamp.authority)): \(time)\(stamp.isValid ? "" : " (not verified)")"
                )
            }
        }
        out.append("")
        return out
    }

    private func sources() -> [String] {
        var out = ["## Sources", ""]
        for source in self.digest.sources {
            var line =
                "- \(Self.inline(source.log)): \(DigestFormat.count(source.eventsRead, "event", "events")) read, "
                + "\(source.eventsInWeek) in this week"
            if source.files.count > 1 {
                line +=
                    " (\(source.files.count) files, oldest first: "
                    + source.files.map { Self.inline($0) }.joined(separator: ", ") + ")"
            }
            if let seq = source.lastSeq { line += "; last seq \(seq)" }
            line += "; SHA-256 of the last line \(Self.code(source.lastHash))"
            line +=
                source.chainProblems == 0
                ? "; hash chain intact"
                : "; **hash chain: \(DigestFormat.count(source.chainProblems, "problem", "problems"))**"
            if let first = source.firstSeq, !source.startsFromGenesis {
                line += " from seq \(first) on (the lines before it are not in these files)"
            }
            if source.skippedLines > 0 {
                line += "; \(DigestFormat.count(source.skippedLines, "line", "lines")) skipped"
            }
            out.append(line)
        }
        out.append("")
        out.append(
            "Made by `palimpsest digest --week \(self.digest.week) --time-zone \(self.digest.timeZone)"
                + "\(DigestFormat.limitArgument(self.detail))` "
                + "from these logs "
                + "and the state folder; the same log gives the same digest. Each event's full record is in "
                + "`events.csv` and `digest.json`."
        )
        return out
    }

    // MARK: Helpers

    private func time(_ date: Date) -> String { DigestFormat.time(date, in: self.zone) }

    private static func repostNote(_ event: Event) -> String {
        event.postKind == .repost ? " (a repost)" : ""
    }

    private func textBlock(_ label: String, _ text: String?) -> [String] {
        guard let text else { return ["\(label): not recorded.", ""] }
        return ["\(label):", "", Self.fence(text), ""]
    }

    /// Inline text with Markdown's active characters escaped, on one line, controls made visible.
    static func inline(_ text: String) -> String {
        let line = DigestFormat.visibleLine(text)
        if line.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII: each byte is one character; only the active ones are escaped.
            guard line.utf8.contains(where: Self.isActive) else { return line }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(line.utf8.count + 8)
            for byte in line.utf8 {
                if Self.isActive(byte) { bytes.append(0x5C) }
                bytes.append(byte)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        var result = ""
        for character in line {
            if "\\`*_[]<>|~#&!{}".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// Markdown's active characters, escaped in inline text: `` \`*_[]<>|~#&!{} ``.
    private static func isActive(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\\"), UInt8(ascii: "`"), UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "|"), UInt8(ascii: "~"),
            UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "!"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            return true
        default:
            return false
        }
    }

    /// A code span that shows `text` literally on one line.
    static func code(_ text: String) -> String {
        let line = DigestFormat.visibleLine(text)
        let run = Self.longestRun(of: "`", in: line)
        let ticks = String(repeating: "`", count: run + 1)
        let pad = line.hasPrefix("`") || line.hasSuffix("`") || line.hasPrefix(" ") ? " " : ""
        return ticks + pad + line + pad + ticks
    }

    /// An autolink for an `http`/`https` URL; anything else as a code span marked as not a link.
    static func link(_ url: String) -> String {
        if let link = DigestFormat.webLink(url) { return "<\(link)>" }
        return Self.code(url) + " (not a web link)"
    }

    /// A fenced code block (`~~~text`) holding `text` verbatim, controls made visible.
    static func fence(_ text: String) -> String {
        let body = TerminalText.visible(text, isolated: true)
        let fence = String(repeating: "~", count: max(3, Self.longestRun(of: "~", in: body) + 1))
        return fence + "text\n" + body + "\n" + fence
    }

    private static func longestRun(of mark: Character, in text: String) -> Int {
        var longest = 0
        var current = 0
        if let byte = mark.asciiValue, text.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII: each byte is one character.
            for other in text.utf8 {
                current = other == byte ? current + 1 : 0
                longest = max(longest, current)
            }
            return longest
        }
        for character in text {
            current = character == mark ? current + 1 : 0
            longest = max(longest, current)
        }
        return longest
    }
}
