/// The adapter of each platform.
public struct AdapterRegistry: Sendable {
    private let adapters: [Platform: any PlatformAdapter]

    /// The adapters Palimpsest ships, one per platform of the registry (`PlatformSources.all`).
    public static let standard = AdapterRegistry(adapters: PlatformSources.all.map { $0.adapter })

    public init(adapters: [any PlatformAdapter]) {
        var table: [Platform: any PlatformAdapter] = [:]
        for adapter in adapters { table[adapter.platform] = adapter }
        self.adapters = table
    }

    /// The adapter for `platform`.
    /// - Throws: ``PollerError`` when no adapter handles the platform.
    public func adapter(for platform: Platform) throws -> any PlatformAdapter {
        guard let adapter = self.adapters[platform] else {
            throw PollerError(account: nil, message: "no adapter for platform \(platform.rawValue)")
        }
        return adapter
    }
}

/// A poll that could not run at all (state unreadable, log unwritable): not a blind span but a
/// fault of this machine that the operator must fix.
public struct PollerError: Error, Sendable, CustomStringConvertible {
    public var account: AccountKey?
    public var message: String

    public init(account: AccountKey?, message: String) {
        self.account = account
        self.message = message
    }

    public var description: String {
        if let account = self.account { return "account \(account): \(self.message)" }
        return self.message
    }
}
