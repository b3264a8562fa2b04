import Foundation
import Testing

@testable import PalimpsestCore

@Suite struct StateStoreTests {
    static let hostileKeys: [AccountKey] = [
        AccountKey(rawValue: "feed:../../../etc/passwd"),
        AccountKey(rawValue: "feed:/"),
        AccountKey(rawValue: "/"),
        AccountKey(rawValue: ".."),
        AccountKey(rawValue: "."),
        AccountKey(rawValue: ""),
        AccountKey(rawValue: "feed:\0evil"),
        AccountKey(rawValue: "feed:line\nbreak\r"),
        AccountKey(rawValue: "feed:" + String(repeating: "a/", count: 3000)),
        AccountKey(rawValue: "mastodon:@用户@例子.中国"),
        AccountKey(rawValue: "mastodon:@user@mastodon.social"),
    ]

    @Test func accountFoldersStayInsideTheStateFolderForHostileKeys() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try StateStore(root: root)

        var directories: Set<String> = []
        for key in Self.hostileKeys {
            let account = try store.accountStore(for: key)
            #expect(
                account.directory.deletingLastPathComponent().standardizedFileURL.path == store.accountsDirectory.path
            )
            #expect(account.directory.standardizedFileURL.path.hasPrefix(store.root.path + "/accounts/"))
            #expect(FileSystem.isDirectory(account.directory.path))
            directories.insert(account.directory.path)
        }

        #expect(directories.count == Self.hostileKeys.count)
        // Nothing was created outside accounts/.
        #expect(try StoreTestSupport.names(in: root) == ["accounts"])
        #expect(try StoreTestSupport.names(in: store.accountsDirectory).count == Self.hostileKeys.count)
    }

    @Test func accountKeysAreReadBackExactlyFromTheKeyFiles() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        for key in Self.hostileKeys {
            _ = try StateStore(root: root).accountStore(for: key)
        }

        let reopened = try StateStore(root: root)

        #expect(try reopened.accountKeys() == Self.hostileKeys.sorted())
        let keyFile = try reopened.accountStore(for: AccountKey(rawValue: "mastodon:@user@mastodon.social"))
            .directory.appendingPathComponent("account.key")
        #expect(try String(contentsOf: keyFile, encoding: .utf8) == "mastodon:@user@mastodon.social\n")
    }

    @Test func oneAccountStorePerKeyIsShared() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let store = try StateStore(root: root)
        let key = AccountKey(rawValue: "feed:https://example.org/feed.xml")

        #expect(try store.accountStore(for: key) === store.accountStore(for: key))
    }

    @Test func aFolderOwnedByAnotherKeyIsRefused() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let key = AccountKey(rawValue: "feed:https://example.org/feed.xml")
        let folder = root.appendingPathComponent("accounts/\(key.directoryName)")
        try DurableFile.writeAtomically(
            Data("feed:someone-else\n".utf8),
            to: folder.appendingPathComponent("account.key")
        )

        #expect(throws: StoreError.self) {
            try StateStore(root: root).accountStore(for: key)
        }
    }

    @Test func relativePathsStartAtTheStateRoot() throws {
        let root = try StoreTestSupport.makeTemporaryDirectory()
        defer { StoreTestSupport.remove(root) }
        let key = AccountKey(rawValue: "mastodon:@user@mastodon.social")
        let account = try StateStore(root: root).accountStore(for: key)

        let path = account.relativePath(account.directory.appendingPathComponent("evidence/abc.body"))

        #expect(path == "accounts/\(key.directoryName)/evidence/abc.body")
    }
}
