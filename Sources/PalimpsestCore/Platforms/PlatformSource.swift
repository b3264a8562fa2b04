import Foundation
import TOMLKit

/// A platform: its typed account source, the `[[account]]` keys it adds and how they are read
/// into an ``AccountSource``, and its adapter.
///
/// Each platform's lives in `Platforms/<Name>/<Name>Source.swift`; ``PlatformSources/all`` is
/// the registry. The key table (``keys``) drives the unknown-key check, its did-you-mean
/// suggestions, `check-config --keys` and the platform's table in `docs/configuration.md`.
protocol PlatformSource: PlatformAccountSource {
    /// The key that names the account on the platform, for error messages (e.g. `uid`).
    static var identityKey: String { get }
    /// The keys this platform adds to the keys every account has (``ConfigSections/account``).
    static var keys: ConfigSection { get }
    /// The sources one `[[account]]` table of this platform configures (usually one; a watched
    /// page's `urls` list makes one per URL), or none when a key is missing or wrong: then
    /// `reader` holds the errors, each naming the account and the key.
    static func sources(reading table: TOMLTable, with reader: inout ConfigReader, in scope: ConfigReader.Scope)
        -> [AccountSource]
    /// The adapter that polls this platform's accounts (``AdapterRegistry/standard``).
    static var adapter: any PlatformAdapter { get }
}

/// The registry of platforms: the config file accepts these, ``Platform/allCases`` lists them and
/// ``AdapterRegistry/standard`` polls them. Adding a platform adds its folder and one entry here.
enum PlatformSources {
    /// Every platform, in the order of `docs/configuration.md`.
    static var all: [any PlatformSource.Type] {
        [
            FeedSource.self, MastodonSource.self, WeiboSource.self, BlueskySource.self, TelegramSource.self,
            WatchedPageSource.self,
        ]
    }

    /// The declaration of `platform`.
    static func source(of platform: Platform) -> (any PlatformSource.Type)? {
        self.all.first { $0.platform == platform }
    }
}
