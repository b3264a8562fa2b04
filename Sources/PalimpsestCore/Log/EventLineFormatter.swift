public import Foundation

/// Formats one event as one readable terminal line for `palimpsest tail`:
///
/// ```
/// 2026-11-29 23:05:12 +0100  deleted (removed, probe)  Arknights  post 1659…  lived 2h10m–2h20m  「text…」
/// ```
///
/// Fields, separated by two spaces: the detection time in local time; the event with its reason
/// and how it was confirmed (`altered` with the platform's edit marker; `reposted original deleted`
/// for an original of another account that the account reposted; `repost removed (un-boosted or
/// deleted; …)` for a repost of the account that is gone); the account name (or key);
/// the post id; the interval (`lived` for deletions, `gone` for restores, the span for `blind`);
/// then the first ``textColumns`` terminal columns of the text (CJK and other wide characters count
/// 2 columns; a grapheme is never cut; line breaks show as `⏎`). Control characters, bidirectional
/// overrides and a byte-order mark in the name, post ID or text show as the digest shows them,
/// as markers such as `[U+202E]` (``TerminalText/visible(_:isolated:)``), so a post cannot drive
/// the terminal and the reader still sees what it held; direction marks are left out.
public struct EventLineFormatter: Sendable {
    /// The time zone of the times shown.
    public var timeZone: TimeZone
    /// How many terminal columns of the post text to show (before the `…` that marks a cut).
    public var textColumns: Int

    /// Creates a formatter.
    /// - Parameters:
    ///   - timeZone: Time zone for the times shown; the system's by default.
    ///   - textColumns: Terminal columns of text to show, 80 by default.
    public init(timeZone: TimeZone = .current, textColumns: Int = 80) {
        self.timeZone = timeZone
        self.textColumns = textColumns
    }

    /// The line for `event`, without a trailing newline.
    public func format(_ event: Event) -> String {
        var fields = [self.localTime(event.detectedAt), Self.label(event, formatter: self)]
        fields.append(
            TerminalText.truncated(Self.shown(event.accountName ?? event.account.rawValue), columns: 40)
        )
        if let postID = event.postID {
            fields.append("post " + Self.abbreviated(Self.shown(postID)))
        }
        if let interval = self.interval(event) { fields.append(interval) }
        // An alteration shows its inline diff ([-old-]{+new+}) where there is one: that is the news.
        let diff = event.event == .altered ? event.diff : nil
        if let text = diff ?? event.text ?? event.detail {
            // Every character takes a column or more: twice the columns decide the cut.
            let columns = max(0, self.textColumns)
            let (line, cut) = TerminalText.singleLine(
                TerminalText.visible(text, isolated: false), maximumCharacters: 2 * columns + 2)
            if !line.isEmpty {
                var shown = TerminalText.truncated(line, columns: columns)
                if cut, !shown.hasSuffix("…") { shown += "…" }
                fields.append(event.text != nil || diff != nil ? "「\(shown)」" : shown)
            }
        }
        return fields.joined(separator: "  ")
    }

    /// Untrusted text from the log (a name, a post ID) on one line, its hidden characters shown as
    /// the digest shows them (``TerminalText/visible(_:isolated:)``).
    private static func shown(_ text: String) -> String {
        TerminalText.singleLine(TerminalText.visible(text, isolated: false))
    }

    /// `deleted (removed, probe)`, `altered (edited 2026-11-29 23:01:10)`, `restored`, …; the
    /// deletion of an original another account posted and this one reposted reads
    /// `reposted original deleted (author_deleted, probe)`, apart from the account's own deletions;
    /// a repost (boost) of the account that is gone reads `repost removed (un-boosted or deleted;
    /// removed, probe)`, and one shown again `repost restored`.
    private static func label(_ event: Event, formatter: EventLineFormatter) -> String {
        var notes: [String] = []
        switch event.event {
        case .altered:
            if let editedAt = event.editedAt {
                notes.append("edited " + formatter.localTime(editedAt, withZone: false))
            } else {
                notes.append("no edit marker")
            }
        default:
            if let reason = event.reason { notes.append(reason.rawValue) }
            if let confirmedBy = event.confirmedBy { notes.append(confirmedBy.rawValue) }
        }
        var name = event.isRepostedOriginalDeletion ? "reposted original deleted" : event.event.rawValue
        if event.postKind == .repost, !event.isRepostedOriginalDeletion, event.event == .deleted {
            // A boost that is gone was un-boosted or deleted: not a deletion of the original (another
            // account's post), which may well still exist.
            name = "repost removed"
            return "\(name) (un-boosted or deleted" + (notes.isEmpty ? ")" : "; \(notes.joined(separator: ", ")))")
        }
        if event.postKind == .repost, event.event == .restored { name = "repost restored" }
        return notes.isEmpty ? name : "\(name) (\(notes.joined(separator: ", ")))"
    }

    /// The interval field of an event, if it has one.
    private func interval(_ event: Event) -> String? {
        switch event.event {
        case .deleted:
            return event.lifetime.map { "lived " + Self.range($0) }
        case .restored:
            return event.goneFor.map { "gone " + Self.range($0) }
        case .blind:
            guard let span = event.blind else { return nil }
            let polls =
                "\(span.failedPolls) failed poll\(span.failedPolls == 1 ? "" : "s"): \(span.failure.kind.rawValue)"
            if let end = span.to {
                let seconds = max(0, Int(end.timeIntervalSince(span.from).rounded()))
                let length = Self.duration(seconds, roundingUp: false)
                return "for \(length) from \(self.localTime(span.from, withZone: false)) (\(polls))"
            }
            return "since \(self.localTime(span.from, withZone: false)), still open (\(polls))"
        default:
            return event.lifetime.map { "lived " + Self.range($0) }
        }
    }

    /// `2h10m–2h20m`, or one value when both bounds read the same. The lower bound is rounded
    /// down and the upper bound up, so the range shown always contains the true one.
    static func range(_ interval: SecondsInterval) -> String {
        let low = Self.duration(interval.minSeconds, roundingUp: false)
        let high = Self.duration(interval.maxSeconds, roundingUp: true)
        return low == high ? low : "\(low)–\(high)"
    }

    /// A human duration: `45s`, `12m`, `2h10m`, `3d4h`; seconds below a minute, minutes below a
    /// day, hours above.
    static func duration(_ seconds: Int, roundingUp: Bool) -> String {
        let seconds = max(0, seconds)
        if seconds < 60 { return "\(seconds)s" }
        let minutes = roundingUp ? (seconds + 59) / 60 : seconds / 60
        if minutes < 60 { return "\(minutes)m" }
        if minutes < 24 * 60 {
            let (hours, rest) = minutes.quotientAndRemainder(dividingBy: 60)
            return rest == 0 ? "\(hours)h" : "\(hours)h\(rest)m"
        }
        let hours = roundingUp ? (seconds + 3599) / 3600 : seconds / 3600
        let (days, rest) = hours.quotientAndRemainder(dividingBy: 24)
        return rest == 0 ? "\(days)d" : "\(days)d\(rest)h"
    }

    /// Post ids longer than 24 characters (feed guids that are URLs) shown as their first 12 and
    /// last 11 characters around `…`.
    static func abbreviated(_ id: String) -> String {
        guard id.count > 24 else { return id }
        return "\(id.prefix(12))…\(id.suffix(11))"
    }

    /// `2026-11-29 23:05:12 +0100` in ``timeZone``.
    func localTime(_ date: Date, withZone: Bool = true) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = self.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int = 2) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let day = "\(pad(parts.year, 4))-\(pad(parts.month))-\(pad(parts.day))"
        var text = "\(day) \(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))"
        if withZone {
            let offset = self.timeZone.secondsFromGMT(for: date)
            let minutes = abs(offset) / 60
            text += " \(offset < 0 ? "-" : "+")\(pad(minutes / 60))\(pad(minutes % 60))"
        }
        return text
    }
}
