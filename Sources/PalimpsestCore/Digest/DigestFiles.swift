public import Foundation
import Synchronization

/// The four files of a digest, rendered and ready to write: `digest.md`, `digest.html`,
/// `events.csv` and `digest.json`. The same ``Digest`` always gives the same bytes.
public struct DigestFiles: Sendable, Hashable {
    /// File name of the Markdown digest.
    public static let markdownName = "digest.md"
    /// File name of the HTML digest.
    public static let htmlName = "digest.html"
    /// File name of the CSV of events.
    public static let csvName = "events.csv"
    /// File name of the JSON digest.
    public static let jsonName = "digest.json"

    /// `digest.md`, UTF-8.
    public var markdown: Data
    /// `digest.html`, UTF-8.
    public var html: Data
    /// `events.csv`, UTF-8 with a byte-order mark.
    public var csv: Data
    /// `digest.json`, UTF-8, sorted keys, indented, ending with a newline.
    public var json: Data

    /// Renders every file of `digest`.
    /// - Throws: `EncodingError` only if the digest cannot be encoded as JSON (it always can).
    public init(digest: Digest) throws {
        // Each altered post's diff computed once for both renderers.
        let diffs = DigestTextDiffs(digest: digest)
        // The four files depend only on the digest: rendered side by side on the machine's cores
        // (a week of 100,000 events is hundreds of MB of output), each into its own slot, so the
        // bytes are those of rendering them one after the other. The largest first.
        let files = Mutex<[Int: Result<Data, any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            let file = Result<Data, any Error> {
                switch index {
                case 0: return Data(HTMLDigestRenderer(digest: digest, diffs: diffs).render().utf8)
                case 1: return Data(MarkdownDigestRenderer(digest: digest, diffs: diffs).render().utf8)
                // The bytes of `JSONCoding.documentEncoder()`, written in one buffer.
                case 2: return try DocumentJSONEncoder.encode(digest) + Data("\n".utf8)
                default: return EventsCSV.render(digest)
                }
            }
            files.withLock { $0[index] = file }
        }
        let rendered = files.withLock { $0 }
        func file(_ index: Int) throws -> Data {
            guard let file = rendered[index] else { preconditionFailure("concurrentPerform runs every iteration") }
            return try file.get()
        }
        self.html = try file(0)
        self.markdown = try file(1)
        self.json = try file(2)
        self.csv = try file(3)
    }

    /// The files as `(name, bytes)`, in the order they are written.
    public var all: [(name: String, data: Data)] {
        [
            (Self.csvName, self.csv), (Self.jsonName, self.json), (Self.markdownName, self.markdown),
            (Self.htmlName, self.html),
        ]
    }

    /// Writes every file into `folder` (created with mode 0700 when missing), each atomically
    /// (temporary file, fsync, rename, folder fsync: ``DurableFile/writeAtomically(_:to:)``), so a
    /// reader sees the old file or the new one, never a torn one.
    /// - Parameter folder: The week's folder, e.g. `<dir>/2026-W48`.
    /// - Returns: The URLs written, in ``all`` order.
    /// - Throws: ``StoreError`` naming the file that could not be written.
    @discardableResult
    public func write(to folder: URL) throws -> [URL] {
        var written: [URL] = []
        for file in self.all {
            let url = folder.appendingPathComponent(file.name)
            try DurableFile.writeAtomically(file.data, to: url)
            written.append(url)
        }
        return written
    }
}
