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
    /// What `digest.md` and `digest.html` show in full.
    public var detail: DigestDetailPlan

    /// Renders every file of `digest`.
    /// - Parameters:
    ///   - digest: The digest.
    ///   - entriesInFull: The most entries `digest.md` and `digest.html` show in full
    ///     (``DigestDetailPlan``); `nil` or 0: every entry.
    /// - Throws: `EncodingError` only if the digest cannot be encoded as JSON (it always can).
    public init(digest: Digest, entriesInFull: Int? = DigestDetailPlan.defaultEntryLimit) throws {
        self = try Self.render(
            digest, detail: DigestDetailPlan(digest: digest, entryLimit: entriesInFull), writingInto: nil)
    }

    /// Renders every file of `digest` and writes them into `folder` one after the other, in
    /// ``all`` order, each as soon as it and the files before it are rendered: the writing overlaps
    /// the rendering of the files after it (a week of 100,000 events is ~550 MB of files). Each is
    /// written atomically (temporary file, fsync, rename, folder fsync:
    /// ``DurableFile/writeAtomically(_:to:)``): a reader sees the old file or the new one, never a
    /// torn one, and one temporary file exists at a time.
    /// - Parameters:
    ///   - digest: The digest.
    ///   - folder: The week's folder, created with mode 0700 when missing.
    ///   - entriesInFull: The most entries `digest.md` and `digest.html` show in full
    ///     (``DigestDetailPlan``); `nil` or 0: every entry.
    /// - Returns: The files and the URLs written, in ``all`` order.
    /// - Throws: ``StoreError`` naming the first file that could not be written (the files before
    ///   it stay written, the files after it are not written), or `EncodingError` if the digest
    ///   cannot be encoded as JSON (it always can).
    public static func write(
        _ digest: Digest, to folder: URL, entriesInFull: Int? = DigestDetailPlan.defaultEntryLimit
    ) throws -> (files: DigestFiles, written: [URL]) {
        try FileSystem.makeDirectories(folder.path)
        let detail = DigestDetailPlan(digest: digest, entryLimit: entriesInFull)
        let files = try Self.render(digest, detail: detail, writingInto: folder)
        return (files, files.all.map { folder.appendingPathComponent($0.name) })
    }

    /// The four files of `digest` in ``all`` order (`events.csv`, `digest.json`, `digest.md`,
    /// `digest.html`), rendered side by side on the machine's cores; when `folder` is given, each
    /// written there once it and every file before it are rendered, in that order, until a write
    /// fails.
    private static func render(
        _ digest: Digest, detail: DigestDetailPlan, writingInto folder: URL?
    ) throws -> DigestFiles {
        // Each altered post's diff computed once for both renderers.
        let diffs = DigestTextDiffs(digest: digest, detail: detail)
        // The four files depend only on the digest: each part rendered into its own slot, so the
        // bytes are those of rendering them one after the other. The parts of all files are one
        // list of tasks for the machine's cores (a task that renders a whole file held a core
        // while the other had nothing left), the longest single task first, then each file's
        // parts in the order the files are written: the thread that finishes a file's last part
        // puts the file together and hands it to the writer.
        let names = [Self.csvName, Self.jsonName, Self.markdownName, Self.htmlName]
        let writer = folder.map { InOrderWriter(folder: $0, names: names) }
        let tasks = Self.renderTasks(
            digest, markdown: MarkdownDigestRenderer(digest: digest, diffs: diffs, detail: detail),
            html: HTMLDigestRenderer(digest: digest, diffs: diffs, detail: detail))
        let partCounts = (0..<names.count).map { file in tasks.count { $0.file == file } }
        let parts = Mutex<[Int: [Int: Result<RenderedPart, any Error>]]>([:])
        let files = Mutex<[Int: Result<Data, any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: tasks.count) { index in
            let task = tasks[index]
            let part = Result { try task.render() }
            // The file's parts are dropped once put together, before the file is written.
            let assembled = parts.withLock { parts -> [Result<RenderedPart, any Error>]? in
                parts[task.file, default: [:]][task.part] = part
                guard let done = parts[task.file], done.count == partCounts[task.file] else { return nil }
                parts[task.file] = nil
                return (0..<done.count).map { done[$0]! }
            }.map(Self.assemble)
            guard let file = assembled else { return }
            files.withLock { $0[task.file] = file }
            writer?.rendered(task.file, file)
        }
        if let failure = writer?.failure { throw failure }
        let rendered = files.withLock { $0 }
        func file(_ index: Int) throws -> Data {
            guard let file = rendered[index] else { preconditionFailure("concurrentPerform runs every iteration") }
            return try file.get()
        }
        return DigestFiles(
            markdown: try file(2), html: try file(3), csv: try file(0), json: try file(1), detail: detail)
    }

    /// A rendered part of a file: bytes or text, in the file's order; or the bytes that go
    /// around all the file's other parts (its first part only).
    private enum RenderedPart: Sendable {
        case bytes(Data)
        case text(String)
        case around(before: Data, after: Data)
    }

    /// One part of one file to render: `file` is its index in ``all`` order, `part` its place in
    /// the file.
    private struct RenderTask: Sendable {
        var file: Int
        var part: Int
        var render: @Sendable () throws -> RenderedPart
    }

    /// The tasks that render the files of `digest`: `events.csv` whole (the longest single task),
    /// the parts of `digest.json` (``jsonTasks(_:)``), then the parts of `digest.md` and of
    /// `digest.html` (``DigestDocumentRendering``).
    private static func renderTasks(
        _ digest: Digest, markdown: MarkdownDigestRenderer, html: HTMLDigestRenderer
    ) -> [RenderTask] {
        var tasks = [RenderTask(file: 0, part: 0) { .bytes(EventsCSV.render(digest)) }]
        tasks += Self.jsonTasks(digest)
        let documents: [(file: Int, renderer: any DigestDocumentRendering)] = [(2, markdown), (3, html)]
        for (file, renderer) in documents {
            let ranges = renderer.sectionRanges
            tasks.append(RenderTask(file: file, part: 0) { .text(renderer.head()) })
            for (number, range) in ranges.enumerated() {
                tasks.append(RenderTask(file: file, part: number + 1) { .text(renderer.sections(range)) })
            }
            tasks.append(RenderTask(file: file, part: ranges.count + 1) { .text(renderer.tail()) })
        }
        return tasks
    }

    /// The tasks of `digest.json`, the bytes of `JSONCoding.documentEncoder()` and a line feed:
    /// the digest without its accounts (encoded here, before the tasks run), then its accounts
    /// written a range at a time (``DigestAccountJSON``), side by side (one task encoding the
    /// whole digest was the last to end, alone on one core, in a digest of 100,000 events). Each account is written as the
    /// whole digest's encoding writes it: in the top-level `accounts` array, at depth 2. When the
    /// digest without accounts cannot be encoded, one task encodes the whole digest (and throws).
    private static func jsonTasks(_ digest: Digest) -> [RenderTask] {
        let accounts = digest.accounts
        var shell = digest
        shell.accounts = []
        guard !accounts.isEmpty, let encoded = try? DocumentJSONEncoder.encode(shell),
            let split = Self.emptyAccountsArray(in: encoded)
        else {
            return [RenderTask(file: 1, part: 0) { .bytes(try DocumentJSONEncoder.encode(digest) + Data("\n".utf8)) }]
        }
        let around = RenderedPart.around(
            before: encoded[..<split.before], after: encoded[split.after...] + Data("\n".utf8))
        var tasks = [RenderTask(file: 1, part: 0) { around }]
        for (number, range) in DigestDocumentParts.ranges(of: accounts.count).enumerated() {
            tasks.append(
                RenderTask(file: 1, part: number + 1) {
                    var output: [UInt8] = []
                    var orders = JSONKeyOrders()
                    for index in range {
                        if index > 0 { output.append(contentsOf: ",\n".utf8) }
                        output.append(contentsOf: "    ".utf8)
                        try DigestAccountJSON.write(accounts[index], depth: 2, into: &output, orders: &orders)
                    }
                    return .bytes(Data(output))
                })
        }
        return tasks
    }

    /// Where the elements of the top-level `accounts` array go in `json`, a digest encoded with no
    /// account: the array is written `[`, line feed, line feed, two spaces, `]` (an empty
    /// array, as `JSONEncoder` writes it), and a line feed followed by two spaces and
    /// `"accounts" : [` occurs only at the top level (a string's line feeds are escaped).
    /// - Returns: The offset after `[` and its line feed (`before`), and that of the line feed
    ///   before the closing bracket (`after`); `nil` if the array is not there.
    static func emptyAccountsArray(in json: Data) -> (before: Int, after: Int)? {
        let key = Data("\n  \"accounts\" : [\n".utf8)
        let empty = Data("\n  ]".utf8)
        guard let found = json.firstRange(of: key), json[found.upperBound...].starts(with: empty) else {
            return nil
        }
        return (found.upperBound, found.upperBound)
    }

    /// A file from its rendered parts, in order: the bytes and the UTF-8 of the texts one after
    /// the other (inside the first part's `around` bytes, if any), copied once into storage of
    /// their size; the first part's error when one failed.
    private static func assemble(_ parts: [Result<RenderedPart, any Error>]) -> Result<Data, any Error> {
        Result {
            let rendered = try parts.map { try $0.get() }
            var size = 0
            for part in rendered {
                switch part {
                case .bytes(let data): size += data.count
                case .text(let text): size += text.utf8.count
                case .around(let before, let after): size += before.count + after.count
                }
            }
            var data = Data(capacity: size)
            var last: Data?
            for part in rendered {
                switch part {
                case .bytes(let bytes): data.append(bytes)
                case .text(var text): text.withUTF8 { data.append($0) }
                case .around(let before, let after):
                    data.append(before)
                    last = after
                }
            }
            if let last { data.append(last) }
            return data
        }
    }

    /// Writes rendered files into a folder strictly in their order: the thread that renders the
    /// next file to write (or finds it rendered when its own write ends) writes it, one write at a
    /// time; after a failed render or write, nothing more is written.
    private final class InOrderWriter: Sendable {
        private struct Progress {
            var rendered: [Int: Result<Data, any Error>] = [:]
            var next = 0
            var writing = false
            var failure: (any Error)?
        }

        private let folder: URL
        private let names: [String]
        private let progress = Mutex(Progress())

        init(folder: URL, names: [String]) {
            self.folder = folder
            self.names = names
        }

        /// Why the writing stopped: the first failed render or write, in file order.
        var failure: (any Error)? { self.progress.withLock { $0.failure } }

        /// Takes file `index` as rendered and writes every file that is now next in order.
        func rendered(_ index: Int, _ file: Result<Data, any Error>) {
            self.progress.withLock { $0.rendered[index] = file }
            while true {
                let turn = self.progress.withLock { progress -> (index: Int, data: Data)? in
                    guard !progress.writing, progress.failure == nil, let file = progress.rendered[progress.next]
                    else { return nil }
                    progress.rendered[progress.next] = nil
                    switch file {
                    case .success(let data):
                        progress.writing = true
                        return (progress.next, data)
                    case .failure(let error):
                        progress.failure = error
                        return nil
                    }
                }
                guard let turn else { return }
                let written = Result {
                    try DurableFile.writeAtomically(
                        turn.data, to: self.folder.appendingPathComponent(self.names[turn.index]))
                }
                self.progress.withLock { progress in
                    progress.writing = false
                    if case .failure(let error) = written { progress.failure = error } else { progress.next += 1 }
                }
            }
        }
    }

    private init(markdown: Data, html: Data, csv: Data, json: Data, detail: DigestDetailPlan) {
        self.markdown = markdown
        self.html = html
        self.csv = csv
        self.json = json
        self.detail = detail
    }

    /// The files as `(name, bytes)`: `events.csv`, `digest.json`, `digest.md`, `digest.html`.
    public var all: [(name: String, data: Data)] {
        [
            (Self.csvName, self.csv), (Self.jsonName, self.json), (Self.markdownName, self.markdown),
            (Self.htmlName, self.html),
        ]
    }
}
