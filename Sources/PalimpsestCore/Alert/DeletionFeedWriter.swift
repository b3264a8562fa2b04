public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `[feed_out]`: the newest events as an Atom 1.0 feed (RFC 4287), deleted posts also as
/// RFC 6721 `at:deleted-entry` tombstones, and a JSON Feed 1.1 (https://jsonfeed.org/version/1.1)
/// beside it; both replaced atomically (temporary file, fsync, rename, fsync of the folder), so a
/// feed reader never reads half a file.
public struct DeletionFeedWriter: Sendable {
    public let settings: FeedOutSettings

    public init(settings: FeedOutSettings) {
        self.settings = settings
    }

    /// The events the feeds list: the newest ``FeedOutSettings/entries`` of `events` whose kind is
    /// in ``FeedOutSettings/events``, newest first.
    public func selected(_ events: [Event]) -> [Event] {
        Array(events.filter { self.settings.events.contains($0.event) }.suffix(self.settings.entries).reversed())
    }

    /// Writes both feeds for `events` (log order, oldest first), as of `now`.
    /// - Throws: ``StoreError`` naming the file when it cannot be written (the old file stays).
    public func write(_ events: [Event], now: Date) throws {
        let listed = self.selected(events)
        // The feeds are public by design (a web server serves them): folder 0755, files 0644.
        try FileSystem.makeDirectories(self.settings.path.deletingLastPathComponent().path, mode: 0o755)
        try DurableFile.writeAtomically(Data(self.atom(listed, now: now).utf8), to: self.settings.path)
        try DurableFile.writeAtomically(try self.jsonFeed(listed), to: self.settings.jsonFeedPath)
        chmod(self.settings.path.path, 0o644)
        chmod(self.settings.jsonFeedPath.path, 0o644)
    }

    /// The feed's own id: a URN from the SHA-256 of its path, stable across runs.
    var feedID: String {
        "urn:palimpsest:feed:" + String(ContentHash.sha256Hex(self.settings.path.path).prefix(32))
    }

    static func entryID(_ event: Event) -> String { "urn:palimpsest:event:\(event.id)" }

    /// The `ref` of a deleted post's tombstone: its permalink, else a URN of account and post.
    static func postRef(_ event: Event) -> String {
        event.url ?? "urn:palimpsest:post:\(event.account.rawValue):\(event.postID ?? "")"
    }

    static func content(of event: Event) -> String {
        var parts: [String] = [AlertMessage.summary(of: event)]
        if let text = event.text, !text.isEmpty { parts.append(text) }
        if let diff = event.diff, !diff.isEmpty { parts.append("Change: \(diff)") }
        if let detail = event.detail, !detail.isEmpty, event.event != .alarm {
            parts.append("Platform said: \(detail)")
        }
        for evidence in event.evidence {
            parts.append("Evidence: HTTP \(evidence.status) from \(evidence.url), SHA-256 \(evidence.sha256)")
        }
        return parts.joined(separator: "\n\n")
    }

    /// The Atom document.
    public func atom(_ events: [Event], now: Date) -> String {
        let updated = RFC3339.string(from: events.first?.detectedAt ?? now)
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:at="http://purl.org/atompub/tombstones/1.0">
              <id>\(self.feedID)</id>
              <title>\(Self.escape(self.settings.title))</title>
              <updated>\(updated)</updated>
              <author><name>Palimpsest</name></author>
              <generator version="\(Self.escape(PalimpsestVersion.current))">Palimpsest</generator>

            """
        for event in events {
            let time = RFC3339.string(from: event.detectedAt)
            xml += "  <entry>\n"
            xml += "    <id>\(Self.entryID(event))</id>\n"
            xml +=
                "    <title>\(Self.escape(AlertMessage.title(of: event) + (event.postID.map { " post \($0)" } ?? "")))</title>\n"
            xml += "    <updated>\(time)</updated>\n"
            xml += "    <published>\(time)</published>\n"
            xml += "    <author><name>\(Self.escape(event.accountName ?? event.account.rawValue))</name></author>\n"
            xml += "    <category term=\"\(Self.escape(event.event.rawValue))\"/>\n"
            if let reason = event.reason {
                xml += "    <category term=\"\(Self.escape(reason.rawValue))\" label=\"reason\"/>\n"
            }
            if let url = event.url { xml += "    <link rel=\"alternate\" href=\"\(Self.escape(url))\"/>\n" }
            for evidence in event.evidence {
                xml +=
                    "    <link rel=\"related\" title=\"evidence: HTTP \(evidence.status)\" href=\"\(Self.escape(evidence.url))\"/>\n"
            }
            xml += "    <summary type=\"text\">\(Self.escape(AlertMessage.summary(of: event)))</summary>\n"
            xml += "    <content type=\"text\">\(Self.escape(Self.content(of: event)))</content>\n"
            xml += "  </entry>\n"
        }
        for event in events where event.event == .deleted {
            let when = RFC3339.string(from: event.firstMissing ?? event.detectedAt)
            xml += "  <at:deleted-entry ref=\"\(Self.escape(Self.postRef(event)))\" when=\"\(when)\">\n"
            xml += "    <at:by>\(Self.escape(event.accountName ?? event.account.rawValue))</at:by>\n"
            let reason = [event.reason?.rawValue, event.confirmedBy.map { "confirmed by \($0.rawValue)" }]
                .compactMap { $0 }.joined(separator: ", ")
            xml += "    <at:comment>\(Self.escape("deleted (\(reason)); event \(event.id)"))</at:comment>\n"
            if let url = event.url { xml += "    <link rel=\"alternate\" href=\"\(Self.escape(url))\"/>\n" }
            xml += "  </at:deleted-entry>\n"
        }
        xml += "</feed>\n"
        return xml
    }

    /// The JSON Feed document (keys sorted); each item carries the log line as `_palimpsest`.
    public func jsonFeed(_ events: [Event]) throws -> Data {
        var items: [[String: Any]] = []
        for event in events {
            var item: [String: Any] = [
                "id": Self.entryID(event),
                "title": AlertMessage.title(of: event) + (event.postID.map { " post \($0)" } ?? ""),
                "content_text": Self.content(of: event),
                "summary": AlertMessage.summary(of: event),
                "date_published": RFC3339.string(from: event.detectedAt),
                "tags": [event.event.rawValue] + [event.reason?.rawValue].compactMap { $0 },
                "authors": [["name": event.accountName ?? event.account.rawValue]],
                "_palimpsest": try AlertMessage.webhookObject(of: event),
            ]
            if let url = event.url { item["url"] = url }
            if let evidence = event.evidence.first { item["external_url"] = evidence.url }
            items.append(item)
        }
        let feed: [String: Any] = [
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.settings.title,
            "items": items,
        ]
        return try JSONSerialization.data(
            withJSONObject: feed, options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted])
    }

    /// XML text or attribute value: `&`, `<`, `>`, `"` escaped; characters XML 1.0 forbids
    /// (control characters other than tab, newline and carriage return) left out.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
