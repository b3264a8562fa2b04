import Foundation

/// Text formats shared by the digest renderers: local times with their UTC offset, durations,
/// percentages, and untrusted text made visible. Nothing here depends on the machine's locale.
enum DigestFormat {
    /// `2026-11-29 23:18:40 +08:00`: the time in `zone`, with the offset in force at that instant.
    static func time(_ date: Date, in zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: date)
        // The civil date and time by arithmetic (a digest formats a few times per entry, and a
        // `Calendar` per call was a large share of rendering 100,000 entries); Foundation's
        // calendar for the years where it switches to the Julian calendar (before 1583) or the
        // formats are not four digits.
        let local = (date.timeIntervalSince1970 + Double(offset)).rounded(.down)
        if local.isFinite, abs(local) < 1e15 {
            let seconds = Int(local)
            let dayNumber = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
            let (year, month, day) = CivilDate.civil(fromDay: dayNumber)
            if (1583...9999).contains(year) {
                let secondOfDay = seconds - dayNumber * 86_400
                return self.date(year: year, month: month, day: day) + " " + self.pad(secondOfDay / 3_600) + ":"
                    + self.pad(secondOfDay / 60 % 60) + ":" + self.pad(secondOfDay % 60) + " " + self.offset(offset)
            }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return self.date(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0) + " "
            + self.pad(parts.hour ?? 0) + ":" + self.pad(parts.minute ?? 0) + ":" + self.pad(parts.second ?? 0) + " "
            + self.offset(zone.secondsFromGMT(for: date))
    }

    /// `2026-11-29`.
    static func date(year: Int, month: Int, day: Int) -> String {
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-" + self.pad(month) + "-"
            + self.pad(day)
    }

    /// `+08:00`, `-03:30`, `+00:00`.
    static func offset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        return sign + self.pad(minutes / 60) + ":" + self.pad(minutes % 60)
    }

    /// The zone's IANA name; `UTC` for the zero-offset zone Foundation on Linux calls `GMT`.
    static func zoneName(_ zone: TimeZone) -> String {
        zone.identifier == "GMT" ? "UTC" : zone.identifier
    }

    /// `Asia/Shanghai (UTC+08:00)`, or `Europe/Berlin (UTC+01:00/+02:00)` when the offset changes
    /// within `interval`.
    static func zone(_ zone: TimeZone, during interval: DateInterval) -> String {
        let first = zone.secondsFromGMT(for: interval.start)
        let last = zone.secondsFromGMT(for: interval.end.addingTimeInterval(-1))
        let offsets = first == last ? "UTC" + self.offset(first) : "UTC" + self.offset(first) + "/" + self.offset(last)
        return "\(self.zoneName(zone)) (\(offsets))"
    }

    /// `2h10m–2h20m`: an interval of seconds, the lower bound rounded down, the upper up.
    static func range(_ interval: SecondsInterval) -> String {
        EventLineFormatter.range(interval)
    }

    /// Where a restored post's gone-for interval comes from, in observed polls: "vanished between
    /// <last seen>, the last poll that saw it, and <first missing>, the first that missed it; listed
    /// again by <detected>". `nil` when the event lacks those times or they are out of order (a
    /// log written by hand).
    static func goneBetween(_ event: Event, time: (Date) -> String) -> String? {
        guard event.event == .restored, let lastSeen = event.lastSeen, let firstMissing = event.firstMissing,
            lastSeen < firstMissing, firstMissing <= event.detectedAt
        else { return nil }
        return "vanished between \(time(lastSeen)), the last poll that saw it, and \(time(firstMissing)), the first "
            + "that missed it; listed again by \(time(event.detectedAt))"
    }

    /// `6h`, `2d3h`: a length of time rounded down.
    static func duration(_ seconds: Int) -> String {
        EventLineFormatter.duration(seconds, roundingUp: false)
    }

    /// `12d of 21d`: observed and expected time.
    static func observed(_ observed: Int, of expected: Int) -> String {
        "\(self.duration(observed)) of \(self.duration(expected))"
    }

    /// `97.3%`: a share with one decimal, rounded down so that 99.96% never reads 100.0%.
    static func percent(_ share: Double) -> String {
        let tenths = Int((share * 1_000).rounded(.down))
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// The notice under the title of a document that leaves accounts or entries out
    /// (``DigestDetailPlan/isPartial``): how much it shows and where the rest is.
    static func partialNotice(_ plan: DigestDetailPlan, accounts: Int) -> String {
        let entries = plan.shownEntries + plan.omittedEntries
        let others = plan.omittedAccounts
        var text: String
        if plan.omittedEntries > 0 {
            text = "This document shows \(plan.shownEntries) of the week's \(self.count(entries, "entry", "entries")) "
            text += "in full, in \(self.theFirst(plan.detailedAccounts, of: accounts)) (most deletions first)"
            if others > 0 {
                text += "; " + (others == 1 ? "the other account is" : "the other \(others) accounts are")
                text += " not given a section (the tables count them together)"
            }
            text += ". "
        } else {
            text =
                "This document shows every entry of the week, in \(self.theFirst(plan.detailedAccounts, of: accounts))"
            text += "; " + (others == 1 ? "the other account" : "the other \(others) accounts")
            text += ", with nothing found, \(others == 1 ? "is" : "are") counted together in the tables. "
        }
        text += "events.csv and digest.json hold every event. "
        text += "The limit is \(self.count(plan.entryLimit ?? 0, "entry", "entries")), an account with nothing found "
        text += "counting as one (set by the operator: [digest] entries_in_full, or --entries-in-full N; 0 shows "
        text += "everything)."
        return text
    }

    /// `the first 2 of its 5 accounts`, `the first of its 5 accounts`.
    private static func theFirst(_ count: Int, of accounts: Int) -> String {
        (count == 1 ? "the first" : "the first \(count)") + " of its \(self.count(accounts, "account", "accounts"))"
    }

    /// ` --entries-in-full N` when the documents were made with a limit other than the default
    /// (for the footer's command that makes the same digest).
    static func limitArgument(_ plan: DigestDetailPlan) -> String {
        let limit = plan.entryLimit ?? 0
        return limit == DigestDetailPlan.defaultEntryLimit ? "" : " --entries-in-full \(limit)"
    }

    /// The line after the entries of a group shown in part: how many are not shown, and where
    /// they are.
    static func moreEntriesNote(_ count: Int, of total: Int) -> String {
        let which = count == total ? (total == 1 ? "this one" : "these \(total)") : "\(count) of these \(total)"
        return "Not shown here: \(which) (events.csv and digest.json hold every event)."
    }

    /// The sentence the chain warning adds when entries from the lines in doubt are not shown
    /// (``DigestDetailPlan/omittedSuspects``); `nil` when there are none.
    static func omittedSuspectsNote(_ plan: DigestDetailPlan) -> String? {
        guard plan.omittedSuspects > 0 else { return nil }
        return "\(self.count(plan.omittedSuspects, "entry", "entries")) from them "
            + "\(plan.omittedSuspects == 1 ? "is" : "are") not shown here (entries_in_full): digest.json marks "
            + "every one (chain_problem)."
    }

    /// What the list of accounts without a section says of one (``DigestDetailPlan/othersToName``):
    /// `became unavailable 1, came back 1, not seen 2 times (blind spans)`.
    static func otherAccountFacts(_ account: DigestAccount) -> String {
        let entries = account.accountEntries
        let unavailable = entries.count { $0.event.event == .accountUnavailable }
        var parts: [String] = []
        if unavailable > 0 { parts.append("became unavailable \(unavailable)") }
        if entries.count > unavailable { parts.append("came back \(entries.count - unavailable)") }
        let blind = account.coverage.blindSpans.count
        if blind > 0 { parts.append("not seen \(self.count(blind, "time", "times")) (blind spans)") }
        return parts.joined(separator: ", ")
    }

    /// The heading of that list.
    static let othersToNameHeading =
        "Other accounts that became unavailable, came back or could not be seen for a while "
        + "(no section here; events.csv and digest.json hold their events)"

    /// At most this many accounts are named in that list; the rest are counted.
    static let othersNamedAtMost = 100

    /// The label of the account table's row of the accounts without a section.
    static func othersLabel(_ others: DigestDetailPlan.OtherAccounts) -> String {
        self.count(others.accounts, "other account", "other accounts") + " (no section)"
    }

    /// The label of the per-day tables' row (and the chart's segment) of the accounts without a
    /// section that deleted posts.
    static func othersWithDeletionsLabel(_ others: DigestDetailPlan.OtherAccounts) -> String {
        self.count(others.accountsWithDeletions, "other account", "other accounts") + " with deletions (no section)"
    }

    /// `1 deleted post`, `2 deleted posts`.
    static func count(_ value: Int, _ singular: String, _ plural: String) -> String {
        Plural.count(value, singular, plural)
    }

    /// Untrusted text as the digest shows it (``TerminalText/visible(_:isolated:)``, the same markers
    /// as `tail`: the digest isolates every text, so direction marks stay) on one line: line breaks
    /// and tabs become spaces.
    static func visibleLine(_ text: String) -> String {
        // Printable ASCII needs nothing (most names, keys, ids and URLs).
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        return String(
            String.UnicodeScalarView(
                TerminalText.visible(text, isolated: true).unicodeScalars.map { $0 == "\n" || $0 == "\t" ? " " : $0 }
            )
        )
    }

    /// The URL when it is an absolute `http` or `https` URL with a host and nothing a link must
    /// not contain (spaces, quotes, angle brackets, backslashes, control characters); else `nil`.
    static func webLink(_ text: String) -> String? {
        guard
            !text.unicodeScalars.contains(where: {
                $0.value <= 0x20 || $0.value == 0x7F || "\"'<>\\`".unicodeScalars.contains($0)
                    || TerminalText.shown($0, isolated: true) != nil
                    || ($0.value >= 0x80 && $0.value <= 0x9F)
            }),
            let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else { return nil }
        return text
    }

    private static func pad(_ value: Int) -> String {
        value < 10 && value >= 0 ? "0\(value)" : String(value)
    }
}

extension DigestFormat {
    /// What a reason means, in a few words for readers.
    static func reason(_ reason: Reason?) -> String {
        switch reason {
        case .authorDeleted?: return "deleted by the author (the platform says so)"
        case .censored?: return "censored: removed or hidden by the platform"
        case .removed?: return "removed: gone, the platform does not say by whom"
        case .accountSuspended?: return "the account was suspended"
        case .accountDeleted?: return "the account no longer exists"
        case .accountPrivate?: return "the account is now private"
        case .gated?: return "behind a login wall or geo block"
        case .unknown?, nil: return "reason unknown: proved only by absence"
        }
    }

    /// How a finding was confirmed, in a few words.
    static func confirmation(_ confirmation: Confirmation?) -> String {
        switch confirmation {
        case .probe?: return "probe: the post's own address answered that it is gone"
        case .absence?: return "absence: missing from consecutive complete polls while newer posts stayed visible"
        case .listing?: return "listing: shown again in consecutive complete polls"
        case nil: return "not stated"
        }
    }

    /// The deleted posts among the entries of `accounts` that are reposts (boosts) of the account
    /// itself: un-boosted or deleted, not a deletion of the reposted original. The entries are read
    /// in place, not flattened into one array of copies first.
    static func removedReposts(_ accounts: [DigestAccount]) -> Int {
        var count = 0
        for account in accounts.indices {
            for index in accounts[account].entries.indices where self.isRemovedRepost(accounts[account].entries[index])
            {
                count += 1
            }
        }
        return count
    }

    private static func isRemovedRepost(_ entry: borrowing DigestEntry) -> Bool {
        entry.event.event == .deleted && entry.event.postKind == .repost && !entry.event.isRepostedOriginalDeletion
    }

    /// `; 1 of them a repost removed (un-boosted or deleted)`, empty for none.
    static func removedRepostsNote(_ count: Int) -> String {
        guard count > 0 else { return "" }
        return count == 1
            ? "; 1 of them a repost removed (un-boosted or deleted, not the original)"
            : "; \(count) of them reposts removed (un-boosted or deleted, not the originals)"
    }

    /// `deleted`, `altered`, … as plural nouns for counts.
    static func kindNoun(_ kind: EventKind, count: Int) -> String {
        switch kind {
        case .deleted: return self.count(count, "post deleted", "posts deleted")
        case .altered: return self.count(count, "post altered", "posts altered")
        case .restored: return self.count(count, "post restored", "posts restored")
        case .accountUnavailable: return self.count(count, "account became unavailable", "accounts became unavailable")
        case .accountRestored: return self.count(count, "account came back", "accounts came back")
        case .blind: return self.count(count, "blind-span event", "blind-span events")
        case .alarm: return self.count(count, "monitor alarm", "monitor alarms")
        }
    }

    /// The headline line for deleted originals of other accounts that watched accounts reposted:
    /// `1 reposted original deleted (another account's post that a watched account reposted; not
    /// counted above)`.
    static func repostedOriginalsNoun(count: Int) -> String {
        count == 1
            ? "1 reposted original deleted (another account's post that a watched account reposted; not counted above)"
            : "\(count) reposted originals deleted (other accounts' posts that watched accounts reposted; "
                + "not counted above)"
    }

    /// How the deletion of a reposted original was confirmed.
    static let repostedOriginalConfirmation =
        "the platform's own notice, shown in place of the original inside this account's repost"

    /// The reasons of the week's deletions with their counts, most frequent first:
    /// `2 censored, 1 removed`.
    static func reasonCounts(_ counts: [String: Int]) -> String {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }
}
