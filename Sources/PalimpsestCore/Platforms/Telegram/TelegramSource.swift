public import Foundation
import TOMLKit

/// The config of a `telegram` account: a public channel read through its web preview.
public struct TelegramSource: PlatformSource {
    public static let platform = Platform.telegram
    /// The channel's username.
    public var channel: String
    /// The preview's host (default `https://t.me`).
    public var baseURL: URL
    /// Preview pages per poll.
    public var pages: Int

    /// Creates the source.
    public init(channel: String, baseURL: URL, pages: Int) {
        self.channel = channel
        self.baseURL = baseURL
        self.pages = pages
    }

    public var keyIdentifier: String { self.channel.hasPrefix("@") ? String(self.channel.dropFirst()) : self.channel }

    public var summaryRows: [(key: String, value: String)] {
        [("channel", self.channel), ("base_url", self.baseURL.absoluteString), ("pages", String(self.pages))]
    }

    static var adapter: any PlatformAdapter { TelegramAdapter() }

    static let identityKey = "channel"
    /// The web preview's host unless `base_url` names another.
    static let defaultBaseURL = "https://t.me"
    static let keys = ConfigSection(
        title: "telegram account keys",
        keys: [
            ConfigKey(
                "channel", .string, required: true, default: "",
                "The public channel's username, e.g. `\"durov\"` (letters, digits, underscores); a leading `@` is dropped."
            ),
            ConfigKey(
                "base_url", .string, format: "http(s) URL", default: "`\"https://t.me\"`",
                "Another host; may carry a port and a path prefix (mirrors, test servers)."),
            ConfigKey(
                "pages", .integer(1...50), default: "`1`",
                "Preview pages per poll."),
        ])

    static func sources(reading table: TOMLTable, with reader: inout ConfigReader, in scope: ConfigReader.Scope)
        -> [AccountSource]
    {
        let channel = reader.identifier(
            self.keys["channel"], in: table, scope: scope, pattern: .telegramChannel,
            what: "a public channel's username, e.g. \"durov\" (letters, digits, underscores)")
        let base = reader.platformBaseURL(self.keys["base_url"], in: table, scope: scope, default: self.defaultBaseURL)
        let pages = reader.integer(self.keys["pages"], in: table, scope: scope) ?? 1
        guard let channel, let base else { return [] }
        return [.telegram(channel: channel, baseURL: base, pages: pages)]
    }
}

extension Platform {
    /// A public Telegram channel, read through its web preview (`t.me/s/<channel>`).
    public static let telegram = Platform(declaring: "telegram")
}

extension AccountSource {
    /// A public Telegram channel by its username, read from `baseURL` (default `https://t.me`),
    /// `pages` preview pages per poll.
    public static func telegram(channel: String, baseURL: URL, pages: Int) -> AccountSource {
        AccountSource(TelegramSource(channel: channel, baseURL: baseURL, pages: pages))
    }
}
