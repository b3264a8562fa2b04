import OrderedCollections

extension StateStore {
    /// A tracked post as a whole-state read found it, with the SHA-256 (lowercase hex) its row
    /// names: the key of the `post_versions` row whose JSON decoded to ``post``.
    struct KnownVersion: Sendable {
        var post: Post
        var contentSHA256: String
    }

    /// The tracked posts' versions of the latest whole-state reads, by account, until the
    /// account's next commit takes them (``StateStore/prepare(_:)``).
    ///
    /// A poll's snapshot lists most of an account's posts as they were: a listed post equal to
    /// the one read is named by the hash its row names, instead of being encoded and hashed again
    /// and its archived version looked up by the writer (both rows exist: its version was stored
    /// and archived when this account first listed it). A post not found here, or not equal, is
    /// encoded as before, so a missing entry costs time, never a wrong listing. At most
    /// ``accountLimit`` accounts are held (about 20 posts each, sharing their text with the state
    /// the poll holds), the oldest read dropped first: reads whose poll ended without a commit
    /// of its snapshot (an unchanged answer, a failure) do not pile up.
    struct KnownVersions: Sendable {
        /// Accounts held at most.
        static let accountLimit = 512

        private var byAccount: OrderedDictionary<AccountKey, [String: KnownVersion]> = [:]

        /// Holds `versions` (by post ID) as the latest read of `account`, replacing an earlier one.
        mutating func remember(_ versions: [String: KnownVersion], of account: AccountKey) {
            self.byAccount.removeValue(forKey: account)
            guard !versions.isEmpty else { return }
            self.byAccount[account] = versions
            while self.byAccount.count > Self.accountLimit { self.byAccount.removeFirst() }
        }

        /// Removes and returns what the latest read of `account` found (empty when nothing is held).
        mutating func take(_ account: AccountKey) -> [String: KnownVersion] {
            self.byAccount.removeValue(forKey: account) ?? [:]
        }

        /// Accounts held (tests).
        var count: Int { self.byAccount.count }
    }
}
