import TOMLKit

/// Parsing a TOML document with TOMLKit and freeing what it parsed.
///
/// TOMLKit 0.6.0's `TOMLTable` has no `deinit`: the toml++ tree that `TOMLTable(string:)` allocates
/// is never freed, so each parse of a config stayed in memory for the life of the process (about
/// 0.8 KB per `[[account]]`: 79 MB for a config of 100,000 accounts under `heaptrack`, again at
/// every reload of the daemon). `clear()` frees the tree's content (the root table's own few bytes stay).
enum TOMLDocument {
    /// Parses `text` and hands its root table to `read`, then frees the parsed tree.
    ///
    /// No TOMLKit value taken from the table may outlive `read`: they point into the tree.
    /// - Parameters:
    ///   - text: The TOML document.
    ///   - read: Reads what it needs from the root table into Swift values.
    /// - Returns: What `read` returns.
    /// - Throws: `TOMLParseError` when `text` is not TOML; what `read` throws.
    static func withRoot<Result>(of text: String, _ read: (TOMLTable) throws -> Result) throws -> Result {
        let root = try TOMLTable(string: text)
        defer { root.clear() }
        return try read(root)
    }
}
