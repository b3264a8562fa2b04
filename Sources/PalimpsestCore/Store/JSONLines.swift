import Foundation

/// Splitting JSON Lines files (the deletion log, the post archive) into complete lines.
///
/// A line is complete only when its `\n` is on disk. Bytes after the last `\n` are either a line
/// another writer has not finished or a line torn by a crash mid-write; readers leave them alone.
enum JSONLines {
    /// The complete lines of `data` (each without its `\n`, each with the byte offset of its start
    /// relative to `data`), and how many bytes they span including their newlines.
    static func split(_ data: Data) -> (lines: [(offset: Int, bytes: Data)], consumed: Int) {
        var lines: [(offset: Int, bytes: Data)] = []
        var start = data.startIndex
        while let newline = data[start...].firstIndex(of: UInt8(ascii: "\n")) {
            lines.append((offset: start - data.startIndex, bytes: Data(data[start..<newline])))
            start = newline + 1
        }
        return (lines, start - data.startIndex)
    }
}
