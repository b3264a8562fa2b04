public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One HTTP exchange to keep as evidence: what was asked, what came back and by which route.
public struct EvidenceCapture: Sendable, Hashable {
    /// The account whose poll made the request.
    public var account: AccountKey
    /// The HTTP method (`GET`).
    public var method: String
    /// The URL requested.
    public var url: String
    /// The request header fields sent (`Cookie` and `Authorization` values are never kept).
    public var requestHeaders: [HTTPHeaders.Field]
    /// The URL of the final answer after redirects.
    public var effectiveURL: String
    /// The HTTP status of the final answer.
    public var status: Int
    /// The HTTP version of the final answer (`HTTP/1.1`, `HTTP/2`).
    public var httpVersion: String
    /// The response header fields in the order received.
    public var headers: [HTTPHeaders.Field]
    /// The response body after content decoding.
    public var body: Data
    /// When the answer was received, UTC.
    public var fetchedAt: Date
    /// The IP address the final answer came from (a proxy's when a proxy was used), if known.
    public var remoteAddress: String?
    /// Every redirect followed before the answer, in order.
    public var redirects: [EvidenceRecord.Redirect]

    /// Creates a capture.
    public init(
        account: AccountKey, method: String = "GET", url: String, requestHeaders: [HTTPHeaders.Field] = [],
        effectiveURL: String? = nil, status: Int, httpVersion: String = "HTTP/1.1", headers: [HTTPHeaders.Field],
        body: Data, fetchedAt: Date, remoteAddress: String? = nil, redirects: [EvidenceRecord.Redirect] = []
    ) {
        self.account = account
        self.method = method
        self.url = url
        self.requestHeaders = requestHeaders
        self.effectiveURL = effectiveURL ?? url
        self.status = status
        self.httpVersion = httpVersion
        self.headers = headers
        self.body = body
        self.fetchedAt = fetchedAt
        self.remoteAddress = remoteAddress
        self.redirects = redirects
    }
}

/// Where one WARC record lies: file (relative to `state_dir`), byte offset and length of its gzip
/// member.
public struct WARCLocation: Sendable, Hashable, Codable {
    /// `warc/<name>.warc.gz`, relative to `state_dir`.
    public var path: String
    /// Byte offset of the record's gzip member in the file.
    public var offset: Int
    /// Length of the gzip member in bytes.
    public var length: Int

    /// The file and offset, what names a record (its length follows from them).
    struct Key: Hashable, Sendable {
        var path: String
        var offset: Int
    }

    var key: Key { Key(path: self.path, offset: self.offset) }

    /// Creates a location.
    public init(path: String, offset: Int, length: Int) {
        self.path = path
        self.offset = offset
        self.length = length
    }
}

/// A WARC record read back from a file.
public struct WARCRecord: Sendable {
    /// The WARC named fields in the order written (`WARC-Type`, `WARC-Record-ID`, …).
    public var fields: [HTTPHeaders.Field]
    /// The record block (for `response`: the HTTP status line, headers and payload).
    public var block: Data

    /// The first value of the named field (case-insensitive), if present.
    public func field(_ name: String) -> String? {
        self.fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The HTTP payload of a `response` record (the block after its HTTP header); empty for
    /// a `revisit` record, whose payload lives in the record it refers to.
    public var payload: Data {
        let separator = Data("\r\n\r\n".utf8)
        guard let range = self.block.range(of: separator) else { return Data() }
        return self.block.subdata(in: range.upperBound..<self.block.endIndex)
    }
}

/// The append-only WARC/1.1 files under `state_dir/warc/` (format in docs/state-format.md): each
/// record is its own gzip member; files are named `palimpsest-<yyyyMMdd>-<nnnnn>.warc.gz` by the
/// UTC day of the capture and rotate at the end of that day or once they reach ``rotateBytes``.
///
/// Appends take an exclusive `flock` on the file (another process may append to the same file) and
/// are not synced: ``syncWritten()`` fsyncs every file written since the last call, which the state
/// store's writer does before it commits the index rows that cite the records. A crash before that
/// commit leaves records no index row names: valid WARC, never cited. An append a full disk cuts
/// short is cut back (`ftruncate`) to the end of the last whole record.
final class WARCFiles: Sendable {
    /// `state_dir/warc` (the permanent evidence) or `state_dir/warc/spool` (the spool).
    let directory: URL
    /// ``directory`` relative to the state root (`warc`, `warc/spool`).
    let folder: String
    /// The state root.
    let root: URL
    /// Size at which a file is closed and the next one started (bytes): 1 GiB.
    let rotateBytes: Int

    private struct Open {
        var day: String
        var name: String
        var file: POSIXFile
    }

    private struct State {
        var current: Open?
        /// Files written since the last sync, by name (kept open until synced).
        var unsynced: [String: POSIXFile] = [:]
    }

    private let state = Mutex<State>(State())

    init(root: URL, folder: String = "warc", rotateBytes: Int = 1 << 30) {
        self.root = root
        self.folder = folder
        self.directory = root.appendingPathComponent(folder, isDirectory: true)
        self.rotateBytes = rotateBytes
    }

    /// Names of the files this process may still append to or has not synced: never collected.
    var namesInUse: Set<String> {
        self.state.withLock { state in
            Set(state.unsynced.keys).union(state.current.map { [$0.name] } ?? [])
        }
    }

    /// Stops appending to the current file: the next append opens the newest file of its day
    /// again, or a new one (after a collection removed it).
    func closeCurrent() {
        self.state.withLock { state in
            if let current = state.current, state.unsynced[current.name] == nil { current.file.closeFile() }
            state.current = nil
        }
    }

    /// Appends `members` (whole gzip members) to the current file of `day` in one write.
    /// - Returns: the location of each member, in order.
    /// - Throws: ``StoreError`` when the folder or file cannot be opened, locked or written (the
    ///   file is then cut back to its size before the write).
    func append(_ members: [Data], day: String) throws -> [WARCLocation] {
        try self.state.withLock { state in
            if state.current == nil || state.current?.day != day {
                state.current = try self.openFile(day: day, state: &state)
            }
            var open = state.current!
            try open.file.lock(exclusive: true)
            defer { _ = flock(open.file.fd, LOCK_UN) }
            var size = try open.file.status().size
            if size >= self.rotateBytes {
                _ = flock(open.file.fd, LOCK_UN)
                open = try self.openFile(day: day, state: &state, after: open.name)
                state.current = open
                try open.file.lock(exclusive: true)
                size = try open.file.status().size
            }
            var payload = Data()
            var locations: [WARCLocation] = []
            for member in members {
                locations.append(
                    WARCLocation(
                        path: "\(self.folder)/\(open.name)", offset: size + payload.count, length: member.count))
                payload.append(member)
            }
            do {
                try open.file.writeAll(payload)
            } catch {
                if let now = try? open.file.status().size, now > size { try? open.file.truncate(to: size) }
                throw error
            }
            state.unsynced[open.name] = open.file
            return locations
        }
    }

    /// fsyncs every file appended to since the last call.
    /// - Throws: ``StoreError`` of the first `fsync(2)` that fails (the files stay to be synced).
    func syncWritten() throws {
        try self.state.withLock { state in
            for (name, file) in state.unsynced.sorted(by: { $0.key < $1.key }) {
                try file.sync()
                state.unsynced[name] = nil
                if state.current?.name != name { file.closeFile() }
            }
        }
    }

    /// True when a file was appended to and not yet synced.
    var hasUnsynced: Bool { self.state.withLock { !$0.unsynced.isEmpty } }

    /// The bytes of the gzip member at `location`, as stored (to copy a record unchanged).
    /// - Throws: ``StoreError`` as ``read(_:root:)``.
    static func member(at location: WARCLocation, root: URL) throws -> Data {
        let parts = location.path.split(separator: "/", omittingEmptySubsequences: false)
        let path = root.appendingPathComponent(location.path).path
        guard !location.path.hasPrefix("/"), !parts.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }),
            location.offset >= 0, location.length > 0
        else {
            throw StoreError(
                operation: "read", path: location.path, detail: "not a WARC location inside state_dir",
                advice: "the reference was edited or damaged; look the record up by its SHA-256 instead")
        }
        guard let file = try POSIXFile.openIfPresent(path, flags: O_RDONLY) else {
            throw StoreError.posix("open", path: path, code: ENOENT)
        }
        defer { file.closeFile() }
        let member = try file.readToEnd(from: location.offset, limit: location.length)
        guard member.count == location.length else {
            throw StoreError.corrupt(
                path, detail: "the file ends before the record at offset \(location.offset) (\(location.length) bytes)",
                advice: "the WARC file was truncated; restore it from a backup")
        }
        return member
    }

    /// Reads the record at `location`.
    /// - Throws: ``StoreError`` when the path leaves `state_dir`, the file cannot be read, or the
    ///   bytes there are not a gzip member holding a WARC record.
    static func read(_ location: WARCLocation, root: URL) throws -> WARCRecord {
        let member = try Self.member(at: location, root: root)
        return try Self.parse(Gzip.decompressMember(member), path: root.appendingPathComponent(location.path).path)
    }

    /// Parses one uncompressed WARC record.
    static func parse(_ data: Data, path: String) throws -> WARCRecord {
        let separator = Data("\r\n\r\n".utf8)
        guard data.starts(with: Data("WARC/1.1\r\n".utf8)), let end = data.range(of: separator) else {
            throw StoreError.corrupt(path, detail: "not a WARC/1.1 record", advice: "check the file with warcio")
        }
        let head = String(decoding: data.subdata(in: data.startIndex..<end.lowerBound), as: UTF8.self)
        var fields: [HTTPHeaders.Field] = []
        for line in head.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields.append(
                HTTPHeaders.Field(
                    name: String(line[..<colon]),
                    value: String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        let length = fields.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        let start = end.upperBound
        let stop = min(data.endIndex, start + length)
        return WARCRecord(fields: fields, block: data.subdata(in: start..<stop))
    }

    // MARK: Building records

    /// The gzip members of one capture: a `request` record, then a `response` record holding the
    /// body, or, when `original` already holds an identical body, a `revisit` record (profile
    /// identical-payload-digest) referring to it.
    /// - Returns: the members and the record ID of the response (or revisit) record.
    static func records(
        for capture: EvidenceCapture, sha256: String, original: (id: String, uri: String, date: String)?
    ) throws -> (members: [Data], requestID: String, recordID: String) {
        let requestID = "<urn:uuid:\(UUID().uuidString.lowercased())>"
        let recordID = "<urn:uuid:\(UUID().uuidString.lowercased())>"
        let date = RFC3339.string(from: capture.fetchedAt)
        let target = capture.effectiveURL

        // The request as sent to the host that gave the final answer.
        let effective = URL(string: target)
        var path = effective.map { $0.path.isEmpty ? "/" : $0.path } ?? "/"
        if let query = effective?.query { path += "?\(query)" }
        var request = "\(capture.method) \(path) HTTP/1.1\r\n"
        if let host = effective?.host {
            request += "Host: \(host)\(effective?.port.map { ":\($0)" } ?? "")\r\n"
        }
        for field in capture.requestHeaders where field.name.lowercased() != "host" {
            let secret = ["cookie", "authorization", "proxy-authorization"].contains(field.name.lowercased())
            request += "\(field.name): \(secret ? "(not kept)" : Self.oneLine(field.value))\r\n"
        }
        request += "\r\n"
        let requestBlock = Data(request.utf8)

        // The response: status line and headers as received, except that the body is stored after
        // content decoding, so the headers that described the coded body are renamed.
        var head = "HTTP/1.1 \(capture.status) \(Self.reasons[capture.status] ?? "")\r\n"
        for field in capture.headers {
            let lower = field.name.lowercased()
            let renamed = ["content-encoding", "transfer-encoding", "content-length"].contains(lower)
            head += "\(renamed ? "X-Archive-Orig-" : "")\(field.name): \(Self.oneLine(field.value))\r\n"
        }
        let isRevisit = original != nil
        if !isRevisit { head += "Content-Length: \(capture.body.count)\r\n" }
        head += "\r\n"
        var responseBlock = Data(head.utf8)
        if !isRevisit { responseBlock.append(capture.body) }

        var requestFields: [(String, String)] = [
            ("WARC-Type", "request"), ("WARC-Record-ID", requestID), ("WARC-Date", date),
            ("WARC-Target-URI", target), ("WARC-Concurrent-To", recordID),
        ]
        if let ip = capture.remoteAddress { requestFields.append(("WARC-IP-Address", ip)) }
        requestFields += [
            ("Content-Type", "application/http; msgtype=request"),
            ("WARC-Block-Digest", "sha256:\(ContentHash.sha256Hex(requestBlock))"),
        ]

        var responseFields: [(String, String)] = [
            ("WARC-Type", isRevisit ? "revisit" : "response"), ("WARC-Record-ID", recordID), ("WARC-Date", date),
            ("WARC-Target-URI", target), ("WARC-Concurrent-To", requestID),
        ]
        if let ip = capture.remoteAddress { responseFields.append(("WARC-IP-Address", ip)) }
        if let original {
            responseFields += [
                ("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"),
                ("WARC-Refers-To", original.id), ("WARC-Refers-To-Target-URI", original.uri),
                ("WARC-Refers-To-Date", original.date),
            ]
        }
        responseFields += [
            ("Content-Type", "application/http; msgtype=response"),
            ("WARC-Payload-Digest", "sha256:\(sha256)"),
            ("WARC-Block-Digest", "sha256:\(ContentHash.sha256Hex(responseBlock))"),
            ("Palimpsest-Account", capture.account.rawValue),
            ("Palimpsest-Requested-URI", capture.url),
        ]
        for hop in capture.redirects {
            let line = try LineJSONEncoder.encode(hop)
            responseFields.append(("Palimpsest-Redirect", String(decoding: line, as: UTF8.self)))
        }
        return (
            [
                try Gzip.member(Self.record(requestFields, requestBlock)),
                try Gzip.member(Self.record(responseFields, responseBlock)),
            ],
            requestID, recordID
        )
    }

    private static func record(_ fields: [(String, String)], _ block: Data) -> Data {
        var head = "WARC/1.1\r\n"
        for (name, value) in fields { head += "\(name): \(Self.oneLine(value))\r\n" }
        head += "Content-Length: \(block.count)\r\n\r\n"
        var data = Data(head.utf8)
        data.append(block)
        data.append(contentsOf: Array("\r\n\r\n".utf8))
        return data
    }

    /// Reason phrases of the status line (the client does not keep the one sent; RFC 9110's).
    private static let reasons: [Int: String] = [
        200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently", 302: "Found", 303: "See Other",
        304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request",
        401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 410: "Gone", 429: "Too Many Requests",
        451: "Unavailable For Legal Reasons", 500: "Internal Server Error", 502: "Bad Gateway",
        503: "Service Unavailable", 504: "Gateway Timeout",
    ]

    /// A header value on one line (a CR or LF would end the field early).
    private static func oneLine(_ value: String) -> String {
        // Most values have no line break: they are returned as they are (two
        // `replacingOccurrences` per header line were a twentieth of a first poll's CPU).
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }) else {
            return value
        }
        return value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    // MARK: Files

    /// The file to append to for `day`: the newest of that day while it is under ``rotateBytes``,
    /// else the next number (after `after` when given).
    private func openFile(day: String, state: inout State, after: String? = nil) throws -> Open {
        try FileSystem.makeDirectories(self.directory.path)
        let prefix = "palimpsest-\(day)-"
        let names = try FileSystem.listDirectory(self.directory.path)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".warc.gz") }.sorted()
        var number = names.last.flatMap { Int($0.dropFirst(prefix.count).prefix(5)) } ?? 0
        if let after, let current = Int(after.dropFirst(prefix.count).prefix(5)) { number = max(number, current + 1) }
        while true {
            let name = prefix + String(format: "%05d", number) + ".warc.gz"
            let path = self.directory.appendingPathComponent(name).path
            if (FileSystem.status(path)?.size ?? 0) >= self.rotateBytes {
                number += 1
                continue
            }
            if let previous = state.current, state.unsynced[previous.name] == nil { previous.file.closeFile() }
            let file = try state.unsynced[name] ?? DurableFile.openForAppend(path)
            return Open(day: day, name: name, file: file)
        }
    }

    /// `yyyyMMdd` of `date` in UTC: the day part of a file name.
    static func day(of date: Date) -> String {
        String(AccountStore.compactUTC(date).prefix(8))
    }
}
