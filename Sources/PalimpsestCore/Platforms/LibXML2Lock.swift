import Foundation

/// The one lock every use of libxml2 in this process takes: FoundationXML's `XMLParser` (the feed
/// parser, ``XMLTree``) and libxml2's HTML parser (``HTMLDocument``).
///
/// libxml2 keeps process-wide state (lazy `xmlInitParser` initialization, error handlers, the
/// dictionary and encoding-handler tables) that FoundationXML on Linux does not guard, and libxml2
/// 2.9's `xmlInitParser` is not safe to race. Polls run concurrently, so parses take turns; a parse
/// takes milliseconds for a feed or a page (bodies are capped at 8 MiB by the fetcher).
enum LibXML2Lock {
    /// Held for the whole of one parse, from the first libxml2 call to the last.
    static let lock = NSLock()

    /// Runs `body` while holding ``lock``.
    static func withLock<T>(_ body: () throws -> T) rethrows -> T {
        self.lock.lock()
        defer { self.lock.unlock() }
        return try body()
    }
}
