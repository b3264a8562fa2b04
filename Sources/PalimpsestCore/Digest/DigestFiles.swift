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
        self = try Self.render(digest, writingInto: nil)
    }

    /// Renders every file of `digest` and writes each into `folder` as soon as it is rendered, so
    /// the writing of one file overlaps the rendering of the others (a week of 100,000 events is
    /// ~550 MB of files). Each is written atomically (temporary file, fsync, rename, folder fsync:
    /// ``DurableFile/writeAtomically(_:to:)``): a reader sees the old file or the new one, never a
    /// torn one.
    /// - Parameters:
    ///   - digest: The digest.
    ///   - folder: The week's folder, created with mode 0700 when missing.
    /// - Returns: The files and the URLs written, in ``all`` order.
    /// - Throws: ``StoreError`` naming a file that could not be written (the files already written
    ///   stay), or `EncodingError` if the digest cannot be encoded as JSON (it always can).
    public static func write(_ digest: Digest, to folder: URL) throws -> (files: DigestFiles, written: [URL]) {
        try FileSystem.makeDirectories(folder.path)
        let files = try Self.render(digest, writingInto: folder)
        return (files, files.all.map { folder.appendingPathComponent($0.name) })
    }

    /// The four files of `digest`, each written into `folder` (when given) right after it is
    /// rendered.
    private static func render(_ digest: Digest, writingInto folder: URL?) throws -> DigestFiles {
        // Each altered post's diff computed once for both renderers.
        let diffs = DigestTextDiffs(digest: digest)
        // The four files depend only on the digest: rendered side by side on the machine's cores
        // (a week of 100,000 events is hundreds of MB of output), each into its own slot, so the
        // bytes are those of rendering them one after the other. The largest first.
        let names = [Self.htmlName, Self.markdownName, Self.jsonName, Self.csvName]
        let files = Mutex<[Int: Result<Data, any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: names.count) { index in
            let file = Result<Data, any Error> {
                let data: Data
                switch index {
                case 0: data = Data(HTMLDigestRenderer(digest: digest, diffs: diffs).render().utf8)
                case 1: data = Data(MarkdownDigestRenderer(digest: digest, diffs: diffs).render().utf8)
                // The bytes of `JSONCoding.documentEncoder()`, written in one buffer.
                case 2: data = try DocumentJSONEncoder.encode(digest) + Data("\n".utf8)
                default: data = EventsCSV.render(digest)
                }
                if let folder { try DurableFile.writeAtomically(data, to: folder.appendingPathComponent(names[index])) }
                return data
            }
            files.withLock { $0[index] = file }
        }
        let rendered = files.withLock { $0 }
        func file(_ index: Int) throws -> Data {
            guard let file = rendered[index] else { preconditionFailure("concurrentPerform runs every iteration") }
            return try file.get()
        }
        return DigestFiles(markdown: try file(1), html: try file(0), csv: try file(3), json: try file(2))
    }

    private init(markdown: Data, html: Data, csv: Data, json: Data) {
        self.markdown = markdown
        self.html = html
        self.csv = csv
        self.json = json
    }

    /// The files as `(name, bytes)`: `events.csv`, `digest.json`, `digest.md`, `digest.html`.
    public var all: [(name: String, data: Data)] {
        [
            (Self.csvName, self.csv), (Self.jsonName, self.json), (Self.markdownName, self.markdown),
            (Self.htmlName, self.html),
        ]
    }
}
