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
    /// The files' names in ``all`` order.
    static let names = [Self.csvName, Self.jsonName, Self.markdownName, Self.htmlName]

    /// `digest.md`, UTF-8.
    public var markdown: Data { Self.assemble(self.rendered[2]) }
    /// `digest.html`, UTF-8.
    public var html: Data { Self.assemble(self.rendered[3]) }
    /// `events.csv`, UTF-8 with a byte-order mark.
    public var csv: Data { Self.assemble(self.rendered[0]) }
    /// `digest.json`, UTF-8, sorted keys, indented, ending with a newline.
    public var json: Data { Self.assemble(self.rendered[1]) }
    /// Each file's rendered parts, in ``all`` order: a file's bytes are its parts' one after the
    /// other (put together when asked for: a digest that is only written never holds a file whole).
    private let rendered: [[RenderedPart]]
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
    /// ``all`` order, each part of a file as soon as it and the parts and files before it are
    /// rendered: the writing overlaps the rendering (a week of 100,000 events is ~240 MB of
    /// files, whose writes took the last half second alone on one core when each file was written
    /// whole after its last part). Each file is written atomically (temporary file, fsync, rename,
    /// folder fsync: ``DurableFile/writeAtomically(to:_:)``): a reader sees the old file or the
    /// new one, never a torn one, and one temporary file exists at a time.
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
        // Named without putting the files' bytes together (``all`` would).
        return (files, Self.names.map { folder.appendingPathComponent($0) })
    }

    /// The four files of `digest` in ``all`` order (`events.csv`, `digest.json`, `digest.md`,
    /// `digest.html`), rendered side by side on the machine's cores; when `folder` is given, each
    /// written there by a thread of its own while the others are rendered, part by part in order,
    /// until a write (or the rendering of the part to write next) fails.
    private static func render(
        _ digest: Digest, detail: DigestDetailPlan, writingInto folder: URL?
    ) throws -> DigestFiles {
        // Each altered post's diff computed once for both renderers.
        let diffs = DigestTextDiffs(digest: digest, detail: detail)
        // The four files depend only on the digest: each part rendered into its own slot, so the
        // bytes are those of rendering them one after the other. The parts of all files are one
        // list of tasks for the machine's cores (a task that renders a whole file held a core
        // while the other had nothing left), the longest single task first, then each file's
        // parts in the order the files are written.
        let names = Self.names
        let tasks = Self.renderTasks(
            digest, markdown: MarkdownDigestRenderer(digest: digest, diffs: diffs, detail: detail),
            html: HTMLDigestRenderer(digest: digest, diffs: diffs, detail: detail))
        let parts = RenderedParts(counts: (0..<names.count).map { file in tasks.count { $0.file == file } })
        let writer = folder.map { folder in
            WriterThread.start { parts.write(names, into: folder) }
        }
        DispatchQueue.concurrentPerform(iterations: tasks.count) { index in
            let task = tasks[index]
            parts.deposit(file: task.file, part: task.part, Result { try task.render() })
        }
        if let writer, let failure = writer.wait() { throw failure }
        return DigestFiles(rendered: try parts.files(), detail: detail)
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
    /// whole digest was the last to end, alone on one core, in a digest of 100,000 events). Each
    /// account is written as the whole digest's encoding writes it: in the top-level `accounts`
    /// array, at depth 2. When the digest without accounts cannot be encoded, one task encodes the
    /// whole digest (and throws).
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
    /// their size.
    private static func assemble(_ parts: [RenderedPart]) -> Data {
        var size = 0
        for part in parts {
            switch part {
            case .bytes(let data): size += data.count
            case .text(let text): size += text.utf8.count
            case .around(let before, let after): size += before.count + after.count
            }
        }
        var data = Data(capacity: size)
        var last: Data?
        for part in parts {
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

    /// The parts of the files as they are rendered, each kept for the files returned, and the
    /// writing of them in order (by one thread, ``write(_:into:)``) while the others are rendered.
    private final class RenderedParts: Sendable {
        /// How many parts each file has, in ``all`` order.
        private let counts: [Int]
        /// Each file's parts rendered so far (or why one could not be), by file and part.
        private let parts: Mutex<[Int: [Int: Result<RenderedPart, any Error>]]>
        /// Signalled once per part rendered: the writer waits on it for the part it needs next.
        private let arrived = DispatchSemaphore(value: 0)

        init(counts: [Int]) {
            self.counts = counts
            self.parts = Mutex([:])
        }

        /// Keeps part `part` of file `file` (or why it could not be rendered).
        func deposit(file: Int, part: Int, _ rendered: Result<RenderedPart, any Error>) {
            self.parts.withLock { $0[file, default: [:]][part] = rendered }
            self.arrived.signal()
        }

        /// Part `part` of file `file`, waiting until it is rendered (every part is, once).
        private func waitFor(file: Int, part: Int) -> Result<RenderedPart, any Error> {
            while true {
                if let rendered = self.parts.withLock({ $0[file]?[part] }) { return rendered }
                self.arrived.wait()
            }
        }

        /// Writes the files named `names` (in ``all`` order) into `folder`, each atomically, its
        /// parts as they are rendered, in order; stops at the first file that cannot be written,
        /// or whose part to write next could not be rendered.
        /// - Returns: Why the writing stopped; `nil` when every file is written.
        func write(_ names: [String], into folder: URL) -> (any Error)? {
            do {
                for (file, name) in names.enumerated() {
                    try DurableFile.writeAtomically(to: folder.appendingPathComponent(name)) { output in
                        var last: Data?
                        for part in 0..<self.counts[file] {
                            switch try self.waitFor(file: file, part: part).get() {
                            case .bytes(let bytes): try output.writeAll(bytes)
                            case .text(let text): try output.writeAll(text)
                            case .around(let before, let after):
                                try output.writeAll(before)
                                last = after
                            }
                        }
                        if let last { try output.writeAll(last) }
                    }
                }
                return nil
            } catch {
                return error
            }
        }

        /// Every file's parts, in ``all`` order, once all are rendered.
        /// - Throws: What rendering the first part that failed threw, in file order.
        func files() throws -> [[RenderedPart]] {
            let rendered = self.parts.withLock { $0 }
            return try self.counts.indices.map { file in
                try (0..<self.counts[file]).map { part in
                    guard let result = rendered[file]?[part] else {
                        preconditionFailure("concurrentPerform renders every part")
                    }
                    return try result.get()
                }
            }
        }
    }

    /// The thread that writes the files while they are rendered: blocking writes and waits on a
    /// thread of its own, not one of the threads that render.
    private final class WriterThread: Sendable {
        private let done = DispatchSemaphore(value: 0)
        private let failure = Mutex<(any Error)?>(nil)

        /// Starts a thread that runs `work` once.
        static func start(_ work: @escaping @Sendable () -> (any Error)?) -> WriterThread {
            let writer = WriterThread()
            let thread = Thread {
                let failure = work()
                writer.failure.withLock { $0 = failure }
                writer.done.signal()
            }
            thread.name = "palimpsest.digest-writer"
            thread.start()
            return writer
        }

        /// Waits until the work has run; what it returned.
        func wait() -> (any Error)? {
            self.done.wait()
            return self.failure.withLock { $0 }
        }
    }

    /// Equal when every file holds the same bytes (however it was cut into parts) and the same
    /// entries are shown in full.
    public static func == (a: DigestFiles, b: DigestFiles) -> Bool {
        a.detail == b.detail
            && a.rendered.indices.allSatisfy { Self.assemble(a.rendered[$0]) == Self.assemble(b.rendered[$0]) }
    }

    /// Hashes what ``==`` compares: the plan and each file's bytes.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.detail)
        for file in self.rendered { hasher.combine(Self.assemble(file)) }
    }

    private init(rendered: [[RenderedPart]], detail: DigestDetailPlan) {
        self.rendered = rendered
        self.detail = detail
    }

    /// The files as `(name, bytes)`: `events.csv`, `digest.json`, `digest.md`, `digest.html`
    /// (each put together from its parts at every call, as ``json`` and the others are).
    public var all: [(name: String, data: Data)] {
        [
            (Self.csvName, self.csv), (Self.jsonName, self.json), (Self.markdownName, self.markdown),
            (Self.htmlName, self.html),
        ]
    }
}
