import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Paths of deletion logs as `[digest] logs` names them: a file, or a glob pattern (`*`, `?`,
/// `[…]`, expanded by `glob(3)` as the shell would, without `~` or braces).
enum LogPathPattern {
    /// True when `path` holds a glob metacharacter.
    static func isPattern(_ path: String) -> Bool {
        path.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    /// The files `url` names: itself when it is no pattern (if it or a rotated file of it exists),
    /// else every regular file the pattern matches, in name order.
    /// - Throws: ``StoreError`` when a folder on the way cannot be read.
    static func expand(_ url: URL) throws -> [URL] {
        let path = url.path
        guard Self.isPattern(path) else {
            let exists = try FileSystem.exists(path) || !DeletionLogSet.rotatedFiles(of: url).isEmpty
            return exists ? [url] : []
        }
        var result = glob_t()
        defer { globfree(&result) }
        // Folders that cannot be read are passed over; a pattern that then matches nothing is an
        // error for the caller.
        let status = glob(path, 0, nil, &result)
        if status == GLOB_NOMATCH { return [] }
        guard status == 0 else {
            throw StoreError(
                operation: "glob", path: path, detail: "a folder of the pattern could not be read",
                advice: "check the folders' permissions for the user running palimpsest")
        }
        var matches: [URL] = []
        for index in 0..<Int(result.gl_pathc) {
            guard let entry = result.gl_pathv[index] else { continue }
            let match = String(cString: entry)
            if !FileSystem.isDirectory(match) { matches.append(URL(fileURLWithPath: match).standardizedFileURL) }
        }
        return matches
    }

    /// The log a file belongs to: for a rotated file (`deletions.jsonl.1`, `deletions.jsonl.2.gz`,
    /// `deletions.jsonl-20261101.gz`) the log it was rotated from, else the file itself.
    static func logFile(of url: URL) -> URL {
        let name = url.lastPathComponent
        var candidates: [String] = []
        // The base ends before a `.N` or a `-stamp`, after an optional compression suffix.
        for (offset, character) in name.enumerated() where offset > 0 && (character == "." || character == "-") {
            candidates.append(String(name.prefix(offset)))
        }
        for base in candidates where DeletionLogSet.RotatedName(name, base: base) != nil {
            return url.deletingLastPathComponent().appendingPathComponent(base)
        }
        return url
    }
}
