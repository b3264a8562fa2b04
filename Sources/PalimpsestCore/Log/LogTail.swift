import Foundation

/// Reading a deletion log file from a byte offset: its complete lines and the events among them.
/// What `tail -n` (``DeletionLogSet/lastEvents(url:count:)``, from near the end) and `tail -f`
/// (``LogFollower``, from where it stopped) share.
enum LogTail {
    /// The complete lines of `file` from byte `offset` to its current end, each with its offset in
    /// the file, and the offset just after the last of them: a last line without its newline (being
    /// written, or torn) is left for a later read.
    /// - Throws: ``StoreError`` when the file cannot be read.
    static func lines(of file: POSIXFile, from offset: Int) throws -> (lines: [(offset: Int, bytes: Data)], end: Int) {
        let (lines, consumed) = JSONLines.split(try file.readToEnd(from: offset))
        return (lines.map { (offset + $0.offset, $0.bytes) }, offset + consumed)
    }

    /// The events of `lines`, in order: `checkpoint` and `log_break` lines are left out (they are
    /// records, not findings). A line that does not decode as an event is skipped, or, with
    /// `strict`, makes the result `nil`.
    static func events(of lines: [(offset: Int, bytes: Data)], decoder: StoredJSONDecoder, strict: Bool) -> [Event]? {
        var events: [Event] = []
        events.reserveCapacity(lines.count)
        for line in lines where LogRecord.kind(ofLine: line.bytes) == nil {
            if let event = try? decoder.decode(Event.self, from: line.bytes) {
                events.append(event)
            } else if strict {
                return nil
            }
        }
        return events
    }
}
