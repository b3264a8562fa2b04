import Foundation
import TOMLKit

/// The config of a `mastodon` account: an instance and the account's `acct` there.
enum MastodonSource: PlatformSource {
    static let platform = Platform.mastodon
    static let identityKey = "acct"
    static let keys = ConfigSection(
        title: "mastodon account keys",
        keys: [
            ConfigKey(
                "instance", "string, required", default: "",
                "Base URL of the instance, `http`/`https`, e.g. `\"https://mastodon.social\"`. It may carry a port and a path prefix (for mirrors and test servers); no query or fragment. A trailing `/` is dropped."
            ),
            ConfigKey(
                "acct", "string, required", default: "",
                "The username as the instance knows it: `\"Gargron\"` for a local account, `\"user@example.social\"` for a remote one. A leading `@` is allowed and dropped."
            ),
        ])

    static func sources(reading table: TOMLTable, with reader: inout ConfigReader, in scope: ConfigReader.Scope)
        -> [AccountSource]
    {
        let instance = reader.readHTTPURL(
            table,
            "instance",
            what: "the instance's base http(s) URL, e.g. \"https://mastodon.social\"",
            isBaseURL: true,
            in: scope
        )
        let acct = self.readAcct(table, with: &reader, in: scope)
        guard let instance, let acct else { return [] }
        return [.mastodon(instance: ConfigReader.baseURL(instance), acct: acct)]
    }

    /// `acct`: `user` or `user@domain`, a leading `@` dropped.
    private static func readAcct(_ table: TOMLTable, with reader: inout ConfigReader, in scope: ConfigReader.Scope)
        -> String?
    {
        guard let text = reader.readString(table, "acct", in: scope, required: "the Mastodon username") else {
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
