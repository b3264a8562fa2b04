public import Foundation
import TOMLKit

/// The config of a `mastodon` account: an instance and the account's `acct` there.
public struct MastodonSource: PlatformSource {
    public static let platform = Platform.mastodon
    /// The instance's base URL (e.g. `https://mastodon.social`).
    public var instance: URL
    /// The account's username as the instance knows it (`user`, or `user@domain` for a remote account).
    public var acct: String

    /// Creates the source.
    public init(instance: URL, acct: String) {
        self.instance = instance
        self.acct = acct
    }

    /// `@<user>@<instance host>` (with the instance's port, if any), lowercased: Mastodon
    /// usernames and host names are case-insensitive, so `@Bob` and `bob` are one account.
    public var keyIdentifier: String {
        let user = (self.acct.hasPrefix("@") ? String(self.acct.dropFirst()) : self.acct).lowercased()
        let host = (self.instance.host ?? self.instance.absoluteString).lowercased()
        let port = self.instance.port.map { ":\($0)" } ?? ""
        let qualified = user.contains("@") ? user : "\(user)@\(host)\(port)"
        return "@\(qualified)"
    }

    public var summaryRows: [(key: String, value: String)] {
        [("instance", self.instance.absoluteString), ("acct", self.acct)]
    }

    static var adapter: any PlatformAdapter { MastodonAdapter() }

    static let identityKey = "acct"
    static let keys = ConfigSection(
        title: "mastodon account keys",
        keys: [
            ConfigKey(
                "instance", .string, format: "http(s) URL", required: true, default: "",
                "Base URL of the instance, `http`/`https`, e.g. `\"https://mastodon.social\"`. It may carry a port and a path prefix (for mirrors and test servers); no query or fragment. A trailing `/` is dropped."
            ),
            ConfigKey(
                "acct", .string, required: true, default: "",
                "The username as the instance knows it: `\"Gargron\"` for a local account, `\"user@example.social\"` for a remote one. A leading `@` is allowed and dropped."
            ),
        ])

    static func sources(reading table: TOMLTable, with reader: inout ConfigReader, in scope: ConfigReader.Scope)
        -> [AccountSource]
    {
        let instance = reader.httpURL(
            self.keys["instance"], in: table, scope: scope,
            what: "the instance's base http(s) URL, e.g. \"https://mastodon.social\"", isBaseURL: true)
        let acct = self.readAcct(table, with: &reader, in: scope)
        guard let instance, let acct else { return [] }
        return [.mastodon(instance: ConfigReader.baseURL(instance), acct: acct)]
    }

    /// `acct`: `user` or `user@domain`, a leading `@` dropped.
    private static func readAcct(_ table: TOMLTable, with reader: inout ConfigReader, in scope: ConfigReader.Scope)
        -> String?
    {
        guard let text = reader.string(self.keys["acct"], in: table, scope: scope, required: "the Mastodon username")
        else {
            return nil
        }
        let acct = text.hasPrefix("@") ? String(text.dropFirst()) : text
        let parts = acct.split(separator: "@", omittingEmptySubsequences: false)
        let userScalars = CharacterSet(
            charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
        )
        let domainScalars = CharacterSet(
            charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:"
        )
        let isValid =
            (1...2).contains(parts.count)
            && !parts[0].isEmpty && parts[0].unicodeScalars.allSatisfy(userScalars.contains)
            && (parts.count == 1 || (!parts[1].isEmpty && parts[1].unicodeScalars.allSatisfy(domainScalars.contains)))
        guard isValid else {
            reader.report(
                "expected a Mastodon username such as \"Gargron\" or \"user@example.social\" "
                    + "(a leading \"@\" is fine), found \(ConfigReader.quote(text))",
                key: "acct",
                in: scope
            )
            return nil
        }
        return acct
    }
}

extension Platform {
    /// A Mastodon (or API-compatible) account, read through the public REST API v1.
    public static let mastodon = Platform(declaring: "mastodon")
}

extension AccountSource {
    /// A Mastodon account `acct` (username, or `user@domain` for a remote account as the instance
    /// knows it) on the instance whose base URL is `instance` (e.g. `https://mastodon.social`).
    public static func mastodon(instance: URL, acct: String) -> AccountSource {
        AccountSource(MastodonSource(instance: instance, acct: acct))
    }
}
