public import Foundation

/// What one delivery carries: one event, or every event a batch window gathered, with the
/// readable title and body chat sinks and e-mail show, and the JSON body webhooks receive.
public struct AlertMessage: Sendable, Hashable {
    /// The events, oldest first (one unless the sink has a `batch` window).
    public var events: [Event]

    public init(events: [Event]) {
        self.events = events
    }

    /// The event ids, for receivers to drop duplicates (delivery is at least once).
    public var eventIDs: [String] { self.events.map(\.id) }

    /// The title: for one event `<event> (<reason>): <account>`; for a batch a count by kind.
    public var title: String {
        if self.events.count == 1, let event = self.events.first { return Self.title(of: event) }
        var counts: [EventKind: Int] = [:]
        for event in self.events { counts[event.event, default: 0] += 1 }
        let accounts = Set(self.events.map(\.account)).count
        let parts = EventKind.allCases.compactMap { kind in counts[kind].map { "\($0) \(kind.rawValue)" } }
        return "Palimpsest: \(parts.joined(separator: ", ")) (\(Plural.count(accounts, "account")))"
    }

    /// The body: for each event its summary line, then the account, the lifetime interval, the
    /// first lines of text, the permalink and the event id; a batch lists every event so.
    public var body: String {
        self.events.map(Self.body(of:)).joined(separator: "\n\n")
    }

    /// One line that says what happened: `deleted (censored, probe): Name (key) post 123, lived 2h–3h`.
    public static func summary(of event: Event) -> String {
        var line = Self.title(of: event)
        if let post = event.postID { line += " post \(post)" }
        if let lifetime = event.lifetime { line += ", lived \(Self.interval(lifetime))" }
        if let goneFor = event.goneFor { line += ", gone \(Self.interval(goneFor))" }
        if event.event == .alarm, let detail = event.detail { line += ": \(detail)" }
        return TerminalText.singleLine(line)
    }

    static func title(of event: Event) -> String {
        var label = event.event.rawValue
        if let alarm = event.alarm {
            label = "alarm \(alarm.kind.rawValue) \(alarm.state.rawValue)"
        } else if event.isRepostedOriginalDeletion {
            label = "reposted original deleted"
        }
        let notes = [event.reason?.rawValue, event.confirmedBy?.rawValue].compactMap { $0 }
        if !notes.isEmpty { label += " (\(notes.joined(separator: ", ")))" }
        let who =
            event.account == .monitor
            ? "the monitor"
            : event.accountName.map { "\($0) (\(event.account.rawValue))" } ?? event.account.rawValue
        return TerminalText.singleLine("\(label): \(who)")
    }

    static func body(of event: Event) -> String {
        var lines = [Self.summary(of: event)]
        lines.append("Detected: \(RFC3339.string(from: event.detectedAt))")
        if let posted = event.postedAt { lines.append("Posted: \(RFC3339.string(from: posted))") }
        if let lastSeen = event.lastSeen, let firstMissing = event.firstMissing {
            lines.append(
                "Last seen \(RFC3339.string(from: lastSeen)), first missing \(RFC3339.string(from: firstMissing))")
        }
        let text = event.event == .altered ? (event.diff ?? event.text) : event.text
        if let text, !text.isEmpty {
            let firstLines = text.split(separator: "\n", omittingEmptySubsequences: true).prefix(3)
                .map { String($0.prefix(280)) }
            lines.append(contentsOf: firstLines.map { "> \($0)" })
        }
        if event.event != .alarm, let detail = event.detail { lines.append("Platform said: \(detail.prefix(280))") }
        if let deletions = event.alarm?.deletions {
            for deletion in deletions.prefix(50) {
                lines.append("- \(deletion.account.rawValue) post \(deletion.postID ?? "?") (\(deletion.id))")
            }
            if deletions.count > 50 { lines.append("- … and \(deletions.count - 50) more") }
        }
        if let url = event.url { lines.append(url) }
        lines.append("Event id: \(event.id)")
        return lines.joined(separator: "\n")
    }

    static func interval(_ interval: SecondsInterval) -> String {
        let low = DurationParser.string(from: TimeInterval(interval.minSeconds))
        let high = DurationParser.string(from: TimeInterval(interval.maxSeconds))
        return low == high ? low : "\(low)–\(high)"
    }

    /// The JSON a webhook receives (UTF-8, keys sorted): for one event the log line's fields plus
    /// `summary`; for a batch `{"v": 1, "summary": …, "events": [ … ]}`, each event so.
    public func webhookBody() throws -> Data {
        let objects = try self.events.map(Self.webhookObject(of:))
        let value: Any =
            objects.count == 1
            ? objects[0]
            : ["v": 1, "summary": self.title, "events": objects] as [String: Any]
        return try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    static func webhookObject(of event: Event) throws -> [String: Any] {
        let line = try JSONCoding.lineEncoder().encode(event)
        guard var object = try JSONSerialization.jsonObject(with: line) as? [String: Any] else { return [:] }
        object["summary"] = Self.summary(of: event)
        return object
    }
}
