import OrderedCollections

extension StateStore {
    /// A post with the SHA-256 (lowercase hex) of its JSON: the key of its `post_versions` row.
    struct KnownVersion: Sendable {
        var post: Post
        var contentSHA256: String
    }

    /// The version hashes the tracked posts' rows named at the latest whole-state reads, by
    /// account (post ID → `content_sha256`), until the account's next commit takes them
    /// (``StateStore/prepare(_:)``).
    ///
    /// A poll's snapshot lists most of an account's posts as they were: a listed post equal to
    /// the one the commit's `before` state holds (the state that read returned) is named by the
    /// hash its row names, instead of being encoded and hashed again (its version is in
    /// `post_versions`: the read joined it; the writer still looks its archived version up and
    /// archives it when a commit without a snapshot stored it). A post not found here, or not
    /// equal (Swift's `==`: canonically equivalent text is equal), is encoded as before, so a
    /// missing entry costs time, never a wrong listing; every commit of the account takes the
    /// entry, so none outlives a change of its rows. Only hashes are held (about 2 KB an account),
    /// for at most ``accountLimit`` accounts, the oldest read dropped first: reads whose poll ended
    /// without a commit (an unchanged answer) do not pile up.
    struct KnownVersions: Sendable {
        /// Accounts held at most.
        static let accountLimit = 1_024

        private var byAccount: OrderedDictionary<AccountKey, [String: String]> = [:]

        /// Holds `hashes` (post ID → `content_sha256`) as the latest read of `account`, replacing
        /// an earlier one.
        mutating func remember(_ hashes: [String: String], of account: AccountKey) {
            self.byAccount.removeValue(forKey: account)
            guard !hashes.isEmpty else { return }
            self.byAccount[account] = hashes
            while self.byAccount.count > Self.accountLimit { self.byAccount.removeFirst() }
        }

        /// Removes and returns what the latest read of `account` found (empty when nothing is held).
        mutating func take(_ account: AccountKey) -> [String: String] {
            self.byAccount.removeValue(forKey: account) ?? [:]
        }

        /// Accounts held (tests).
        var count: Int { self.byAccount.count }
    }
}
