public import Foundation
import Synchronization

/// The root of `state_dir`: one folder per account under `accounts/` (layout in
/// `docs/state-format.md`).
///
/// Calls block on the disk: call them through ``BlockingIO/run(_:)`` from async code.
public final class StateStore: Sendable {
    /// The state folder, absolute.
    public let root: URL
    /// `root/accounts`.
    public let accountsDirectory: URL

    // One AccountStore per key for the life of the process, so that every caller shares the same
    // in-memory archive index (two instances would each append the versions the other just did).
    // The Mutex makes the cache safe to use from any thread.
    private let stores = Mutex<[AccountKey: AccountStore]>([:])

    /// Opens the state folder, creating `root` and `root/accounts` (mode 0700) when missing.
    /// - Parameter root: The `state_dir` from the config; a relative path is resolved against the
    ///   current directory.
    /// - Throws: ``StoreError`` when a folder cannot be created (permissions, read-only disk).
    public init(root: URL) throws {
        let absolute =
            root.path.hasPrefix("/")
            ? root : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(root.path)
        self.root = absolute.standardizedFileURL
        self.accountsDirectory = self.root.appendingPathComponent("accounts", isDirectory: true)
        try FileSystem.makeDirectories(self.accountsDirectory.path)
    }

    /// The store of one account: `root/accounts/<key.directoryName>/`, created (0700) with its
    /// `account.key` file (the raw key and a newline) on first use.
    /// - Throws: ``StoreError`` when the folder cannot be created, or when it already belongs to
    ///   another key (a name collision, which ``AccountKey/directoryName`` makes practically
    ///   impossible: the folder is then left alone).
    public func accountStore(for key: AccountKey) throws -> AccountStore {
        try self.stores.withLock { stores in
            if let store = stores[key] { return store }
            let name = key.directoryName
            // directoryName already guarantees this; checked again because a path escaping
            // state_dir would write evidence where an attacker chose.
            guard !name.isEmpty, name != ".", name != "..", !name.hasPrefix("."),
                !name.contains("/"), !name.contains("\0")
            else {
                throw StoreError(
                    operation: "mkdir",
                    path: self.accountsDirectory.path,
                    detail: "unsafe folder name \"\(name)\" for account \(key)",
                    advice: "report this as a bug: account folder names must stay inside state_dir"
                )
            }
            let directory = self.accountsDirectory.appendingPathComponent(name, isDirectory: true)
            try FileSystem.makeDirectories(directory.path)
            let keyFile = directory.appendingPathComponent(Self.keyFileName)
            if let existing = try Self.readKeyFile(keyFile) {
                guard existing == key else {
                    throw StoreError(
                        operation: "open",
                        path: keyFile.path,
                        detail: "the folder belongs to account \(existing), not \(key)",
                        advice: "move the folder aside; two account keys map to the same folder name"
                    )
                }
            } else {
                try DurableFile.writeAtomically(Data((key.rawValue + "\n").utf8), to: keyFile)
            }
            let store = AccountStore(key: key, directory: directory, root: self.root)
            stores[key] = store
            return store
        }
    }

    /// Writes every account state that a failed save left in memory (``AccountStore/saveState(_:)``
    /// on a full disk): what the daemon does before it exits, and `palimpsest poll` at its end.
    /// - Returns: one result per account whose state was in memory, sorted by key: success when it
    ///   is now in its `state.json`, else the error of the write that failed again (that state is
    ///   lost when the process exits).
    public func saveUnsavedStates() -> [(account: AccountKey, result: Result<Void, any Error>)] {
        let stores = self.stores.withLock { Array($0.values) }
        return stores.filter(\.hasUnsavedState).sorted { $0.key < $1.key }.map { store in
            (store.key, Result { _ = try store.saveUnsavedState() })
        }
    }

    /// The key of every account folder that has an `account.key` file, sorted.
    /// - Throws: ``StoreError`` when `accounts/` or a key file cannot be read.
    public func accountKeys() throws -> [AccountKey] {
        var keys: [AccountKey] = []
        for name in try FileSystem.listDirectory(self.accountsDirectory.path) where !name.hasPrefix(".") {
            let keyFile = self.accountsDirectory.appendingPathComponent(name).appendingPathComponent(Self.keyFileName)
            if let key = try Self.readKeyFile(keyFile) { keys.append(key) }
        }
        return keys.sorted()
    }

    /// Name of the file holding an account folder's key.
    static let keyFileName = "account.key"

    /// The key stored in `url` (its contents minus one trailing newline), or `nil` when absent.
    private static func readKeyFile(_ url: URL) throws -> AccountKey? {
        guard var data = try POSIXFile.contents(of: url.path) else { return nil }
        // Byte-wise: a key ending in "\r" must not merge with the newline into one Character.
        if data.last == UInt8(ascii: "\n") { data.removeLast() }
        return AccountKey(rawValue: String(decoding: data, as: UTF8.self))
    }
}
