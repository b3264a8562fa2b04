import Foundation
import TOMLKit

/// The config of a `telegram` account: a public channel read through its web preview.
enum TelegramSource: PlatformSource {
    static let platform = Platform.telegram
    static let identityKey = "channel"
    /// The web preview's host unless `base_url` names another.
    static let defaultBaseURL = "https://t.me"
    static let keys = ConfigSection(
        title: "telegram account keys",
        keys: [
            ConfigKey(
                "channel", "string, required", default: "",
                "The public channel's username, e.g. `\"durov\"` (letters, digits, underscores); a leading `@` is dropped."
            ),
            ConfigKey(
                "base_url", "string", default: "`\"https://t.me\"`",
                "Another host; may carry a port and a path prefix (mirrors, test servers)."),
            ConfigKey(
                "pages", "integer 1–50", default: "`1`",
                "Preview pages per poll."),
        ])

    static func sources(reading table: TOMLTable, with reader: inout ConfigReader, in scope: ConfigReader.Scope)
        -> [AccountSource]
    {
        let channel = reader.readIdentifier(
            table, "channel", pattern: .telegramChannel,
            what: "a public channel's username, e.g. \"durov\" (letters, digits, underscores)", in: scope)
        let base = reader.readPlatformBaseURL(table, default: self.defaultBaseURL, in: scope)
        let pages = reader.readInt(table, "pages", range: 1...50, in: scope) ?? 1
        guard let channel, let base else { return [] }
        return [.telegram(channel: channel, baseURL: base, pages: pages)]
    }
}
