import Foundation
import GRDB

/// A tracked post as a row of `tracked_posts` holds it (docs/state-format.md).
///
/// Since schema 6 a row holds the tracking fields alone (`tracking`: the ``TrackedPost`` JSON
/// without `post`, about 250 bytes, whose `$.status.state` the index by status reads) and names
/// the post's last known version by the SHA-256 of its
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
    /// SHA-256 (lowercase hex) of the post's JSON: its `post_versions` row.
    var contentSHA256: String
    /// The tracking fields' JSON (`tracking`).
    var tracking: String
    /// The post's JSON when this commit must make sure `post_versions` holds it (a post the
    /// commit's snapshot does not list as it is); `nil` when the snapshot's versions hold it.
    var version: String?

    // MARK: Reading

    /// Whether the store's `tracked_posts` has schema 6's columns (a store of an earlier schema
    /// is read as it is by the read-only commands).
    static func namesVersions(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM pragma_table_info('tracked_posts') WHERE name = 'tracking'") ?? false
    }

    /// SQL of a row's status (`visible`, `missing`, …) in a store with (`namesVersions`) or without
    /// schema 6's columns, the expression of the index `tracked_posts_by_state`: `$.status.state` of
    /// the row's JSON (its tracking fields, or the whole tracked post of a row copied from an
    /// earlier schema), NULL when that JSON is not valid (`prefix`: the table's alias and a dot,
    /// or empty).
    static func statusSQL(namesVersions: Bool, prefix: String = "") -> String {
        let json = Self.statusJSONSQL(namesVersions: namesVersions, prefix: prefix)
        return "CASE WHEN json_valid(\(json)) THEN json_extract(\(json), '$.status.state') END"
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
    /// - Throws: ``StoreError`` (`corrupt`) naming the account, the post and the column when a
    ///   column is not text, the named version is not in `post_versions`, or the JSON does not
    ///   decode; its advice gives the command that forgets the post (``forgetAdvice(id:account:path:)``).
    static func decode(
        id: String, tracking: DatabaseValue, inline: DatabaseValue, version: DatabaseValue, account: AccountKey,
        path: String, decoder: StoredJSONDecoder
    ) throws(StoreError) -> TrackedPost {
        func corrupt(_ detail: String) -> StoreError {
            StoreError.corrupt(
                path, detail: "tracked post \(id) of account \(account) \(detail)",
                advice: Self.forgetAdvice(id: id, account: account, path: path))
        }
        guard let trackingText = StoredValue.text(tracking) else {
            throw corrupt("has a tracking column that is not text")
        }
        guard let trackingText else {
            // A row copied from schema 5 or before: the whole tracked post.
            guard let whole = StoredValue.text(inline) ?? nil else {
                throw corrupt("has neither tracking fields nor a post that is text")
            }
            do {
                return try decoder.decode(TrackedPost.self, from: Data(whole.utf8))
            } catch {
                throw corrupt("(column post) does not decode: \(DecodingErrorText.describe(error))")
            }
        }
        guard let versionText = StoredValue.text(version) else {
            throw corrupt("names a post_versions row whose post is not text")
        }
        guard let versionText else {
            throw corrupt("names a version that is not in post_versions")
        }
        let fields: Tracking
        do {
            fields = try decoder.decode(Tracking.self, from: Data(trackingText.utf8))
        } catch {
            throw corrupt("(column tracking) does not decode: \(DecodingErrorText.describe(error))")
        }
        do {
            return fields.tracked(post: try decoder.decode(Post.self, from: Data(versionText.utf8)))
        } catch {
            throw corrupt("names a post_versions row that does not decode: \(DecodingErrorText.describe(error))")
        }
    }

    /// What to do about a tracked post whose row does not read: restore the store, or forget the
    /// post with the command that does it (its path, key and id quoted for the shell and for SQL;
    /// waiting for the daemon's lock as ``StateStore/startAfreshAdvice(account:path:)``'s does).
    static func forgetAdvice(id: String, account: AccountKey, path: String) -> String {
        func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        let sql = "DELETE FROM tracked_posts WHERE account = \(literal(account.rawValue)) AND post_id = \(literal(id))"
        return "restore state.sqlite from a backup, or forget this post (a poll that lists it again tracks it "
            + "afresh; a deletion or restore still being proved for it is dropped; the log, the archive and the "
            + "evidence stay): "
            + "`sqlite3 -cmd '.timeout 5000' \(StateStore.shellWord(path)) \(StateStore.shellWord(sql))`"
    }
}
