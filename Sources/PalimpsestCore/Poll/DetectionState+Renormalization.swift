extension DetectionState {
    /// Adopts, for each listed post whose version hash differs from the stored one, the stored
    /// version read again with today's rules (``PlatformAdapter/renormalized(_:for:)``) when that
    /// gives the listed version exactly: the difference then came from Palimpsest's normalisation
    /// (an upgrade that reads an encoding layer differently), not from the account, so the diff
    /// that follows sees no alteration (rule of evidence 5). A real edit changes what was served,
    /// so its stored version read again still differs, and it stays an alteration.
    /// - Parameters:
    ///   - posts: the posts of a complete snapshot.
    ///   - account: the account polled.
    ///   - adapter: the account's platform adapter.
    /// - Returns: the IDs of the posts whose stored version was replaced.
    mutating func adoptRenormalizedVersions(
        of posts: [Post], account: Account, adapter: any PlatformAdapter
    ) -> [String] {
        var adopted: [String] = []
        for post in posts {
            guard var tracked = self.posts[post.id], tracked.post.versionHash != post.versionHash,
                !tracked.post.isTruncated, !post.isTruncated
            else { continue }
            let renormalized = adapter.renormalized(tracked.post, for: account)
            guard renormalized.versionHash == post.versionHash else { continue }
            tracked.post = renormalized
            self.posts[post.id] = tracked
            adopted.append(post.id)
        }
        return adopted
    }
}
