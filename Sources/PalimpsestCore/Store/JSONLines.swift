import Foundation

/// Splitting JSON Lines files (the deletion log, the post archive) into complete lines.
///
/// A line is complete only when its `\n` is on disk. Bytes after the last `\n` are either a line
/// another writer has not finished or a line torn by a crash mid-write; readers leave them alone.
enum JSONLines {
    /// The complete lines of `data` (each without its `\n`, each with the byte offset of its start
    /// relative to `data`), and how many bytes they span including their newlines.
    static func split(_ data: Data) -> (lines: [(offset: Int, bytes: Data)], consumed: Int) {
        // memchr over the bytes: Data's generic index walk cost a quarter of reading a large log.
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> (lines: [(offset: Int, bytes: Data)], consumed: Int) in
            guard let base = raw.baseAddress, raw.count > 0 else { return ([], 0) }
            var lines: [(offset: Int, bytes: Data)] = []
            var start = 0
            while start < raw.count, let found = memchr(base + start, 0x0A, raw.count - start) {
                let newline = base.distance(to: UnsafeRawPointer(found))
                lines.append((offset: start, bytes: Data(bytes: base + start, count: newline - start)))
                start = newline + 1
            }
            return (lines, start)
        }
    }
}
