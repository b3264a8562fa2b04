import Foundation
import GRDB

/// A tracked post as a row of `tracked_posts` holds it (docs/state-format.md).
///
/// Since schema 6 a row holds the tracking fields alone (`tracking`: the ``TrackedPost`` JSON
/// without `post`, about 250 bytes) and names the post's last known version by the SHA-256 of its
/// JSON (`content_sha256`, the key of `post_versions`, where every listed version is stored once).
/// Before, each row held the whole post again (about 1.1 KB for a feed item), rewritten at every
/// poll that listed it because `last_seen` changes. Rows copied from an earlier schema keep that
/// whole tracked post in `post` (`tracking` and `content_sha256` NULL) until the post's next write.
struct TrackedPostRow: Sendable {
    /// The tracking fields: every field of ``TrackedPost`` but its post, under the same keys.
    struct Tracking: Codable, Sendable {
        var firstSeen: Date
        var lastSeen: Date
        var lastSeenSnapshot: String
        var status: TrackedPostStatus
        var olderNeighbours: [String]?
        var formerIDs: [String]?

        enum CodingKeys: String, CodingKey {
            case status
            case firstSeen = "first_seen"
            case lastSeen = "last_seen"
            case lastSeenSnapshot = "last_seen_snapshot"
            case olderNeighbours = "older_neighbours"
            case formerIDs = "former_ids"
        }

        init(_ tracked: TrackedPost) {
            self.firstSeen = tracked.firstSeen
            self.lastSeen = tracked.lastSeen
            self.lastSeenSnapshot = tracked.lastSeenSnapshot
            self.status = tracked.status
            self.olderNeighbours = tracked.olderNeighbours.isEmpty ? nil : tracked.olderNeighbours
            self.formerIDs = tracked.formerIDs.isEmpty ? nil : tracked.formerIDs
        }

        func tracked(post: Post) -> TrackedPost {
            TrackedPost(
                post: post, firstSeen: self.firstSeen, lastSeen: self.lastSeen,
                lastSeenSnapshot: self.lastSeenSnapshot, status: self.status,
                olderNeighbours: self.olderNeighbours ?? [], formerIDs: self.formerIDs ?? [])
        }
    }

    /// The post's ID (`post_id`).
    var id: String
    /// `visible`, `missing`, `deleted` or `aged_out` (`status`, the key of the index
    /// `tracked_posts_by_state`).
    var status: String
    /// SHA-256 (lowercase hex) of the post's JSON: its `post_versions` row.
    var contentSHA256: String
    /// The tracking fields' JSON (`tracking`).
    var tracking: String
    /// The post's JSON when this commit must make sure `post_versions` holds it (a post the
    /// commit's snapshot does not list as it is); `nil` when the snapshot's versions hold it.
    var version: String?

    /// The status name of `status` as `tracked_posts.status` holds it (and `$.status.state` in
    /// the JSON).
    static func statusName(_ status: TrackedPostStatus) -> String {
        switch status {
        case .visible: "visible"
        case .missing: "missing"
        case .deleted: "deleted"
        case .agedOut: "aged_out"
        }
    }

    // MARK: Reading

    /// Whether the store's `tracked_posts` has schema 6's columns (a store of an earlier schema
    /// is read as it is by the read-only commands).
    static func namesVersions(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM pragma_table_info('tracked_posts') WHERE name = 'tracking'") ?? false
    }

    /// SQL of a row's status (`visible`, `missing`, …) in a store with (`namesVersions`) or without
    /// schema 6's columns: the column, or the expression of the earlier index over the row's JSON
    /// (`prefix`: the table's alias and a dot, or empty).
    static func statusSQL(namesVersions: Bool, prefix: String = "") -> String {
        namesVersions
            ? "\(prefix)status"
            : "CASE WHEN json_valid(\(prefix)post) THEN json_extract(\(prefix)post, '$.status.state') END"
    }

    /// SQL of the JSON holding a row's `status` object (at `$.status`) in either form of row.
    static func statusJSONSQL(namesVersions: Bool, prefix: String = "") -> String {
        namesVersions ? "COALESCE(\(prefix)tracking, \(prefix)post)" : "\(prefix)post"
    }

    /// The three result columns ``decode(id:tracking:inline:version:account:path:decoder:)``
    /// reads, in order: the tracking fields, the whole tracked post of a copied row, the post's
    /// version from `post_versions`. `prefix` is the table's name or alias and a dot: the
    /// version's subquery must not read its own `content_sha256` for the row's.
    static func columnsSQL(namesVersions: Bool, prefix: String) -> String {
        namesVersions
            ? """
            \(prefix)tracking, \(prefix)post, \
            (SELECT v.post FROM post_versions AS v WHERE v.content_sha256 = \(prefix)content_sha256)
            """
            : "NULL, \(prefix)post, NULL"
    }

    /// The tracked post of one row, read by storage class (``StoredValue``).
    /// - Throws: ``StoreError`` (`corrupt`) naming the account and post when a column is not
    ///   text, the named version is not in `post_versions`, or the JSON does not decode.
    static func decode(
        id: String, tracking: DatabaseValue, inline: DatabaseValue, version: DatabaseValue, account: AccountKey,
        path: String, decoder: JSONDecoder
    ) throws(StoreError) -> TrackedPost {
        func corrupt(_ detail: String, advice: String) -> StoreError {
            StoreError.corrupt(path, detail: "tracked post \(id) of account \(account) \(detail)", advice: advice)
        }
        let editedAdvice = "restore state.sqlite from a backup, or delete that row of tracked_posts"
        guard let trackingText = StoredValue.text(tracking) else {
            throw corrupt("has a tracking column that is not text", advice: editedAdvice)
        }
        do {
            guard let trackingText else {
                // A row copied from schema 5 or before: the whole tracked post.
                guard let whole = StoredValue.text(inline) ?? nil else {
                    throw corrupt("has neither tracking fields nor a post that is text", advice: editedAdvice)
                }
                return try decoder.decode(TrackedPost.self, from: Data(whole.utf8))
            }
            guard let versionText = StoredValue.text(version) else {
                throw corrupt("names a post_versions row whose post is not text", advice: editedAdvice)
            }
            guard let versionText else {
                throw corrupt("names a version that is not in post_versions", advice: editedAdvice)
            }
            let fields = try decoder.decode(Tracking.self, from: Data(trackingText.utf8))
            return fields.tracked(post: try decoder.decode(Post.self, from: Data(versionText.utf8)))
        } catch let error as StoreError {
            throw error
        } catch {
            throw corrupt(
                "does not decode: \(error)", advice: "report this; the row was written by palimpsest in one transaction"
            )
        }
    }
}
