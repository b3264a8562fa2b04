public import Foundation

/// A JSON document that Palimpsest keeps in a file of its own (`status.json`,
/// `running-config.json`, `log-head.json`, `verify-memo.json`), its format version in `v`.
/// Read and written only through ``VersionedFile``.
public protocol VersionedDocument: Codable, Sendable {
    /// The format version this palimpsest writes, and the newest it reads: a file of a newer
    /// version is refused (``VersionedFile/read()``), never read in part.
    static var formatVersion: Int { get }
    /// What the file is, in a few words, for error messages (`"chain head"`).
    static var documentName: String { get }
    /// What the operator should do when the file exists but cannot be read as this document.
    static var unreadableAdvice: String { get }
    /// True when the file ends with a line feed after the JSON (`log-head.json`,
    /// `verify-memo.json`); `status.json` and `running-config.json` do not.
    static var endsWithLineFeed: Bool { get }
    /// The format version the document carries (`v`).
    var v: Int { get }
}

/// One versioned JSON file (``VersionedDocument``): read with its version checked, written
/// atomically through ``DurableFile`` (temporary file, fsync, rename, fsync of the folder) in the
/// form every such file has (``JSONCoding/documentEncoder()``: sorted snake_case keys, RFC 3339
/// UTC times). Older versions decode (new fields are optional); a newer one is refused with an
/// error naming the file. Blocking I/O: call it through ``BlockingIO/run(_:)`` from async code.
public struct VersionedFile<Document: VersionedDocument>: Sendable {
    /// The file.
    public let url: URL

    /// The file at `url` (a `file:` URL).
    public init(_ url: URL) {
        self.url = url
    }

    /// The document, or `nil` when there is no such file.
    /// - Throws: ``StoreError`` naming the file when it cannot be read, when its `v` is newer
    ///   than ``VersionedDocument/formatVersion`` (written by a newer palimpsest: what to do is
    ///   to run that version; the file is left as it is), or when it is not a document of this
    ///   kind (with the document's ``VersionedDocument/unreadableAdvice``).
    public func read() throws -> Document? {
        let path = self.url.path
        guard let data = try POSIXFile.contents(of: path) else { return nil }
        let decoder = JSONCoding.decoder()
        // Decoded once; the version alone is read only when the document does not decode, to
        // tell a newer format from a damaged file.
        let document: Document
        do {
            document = try decoder.decode(Document.self, from: data)
        } catch {
            if let version = (try? decoder.decode(Version.self, from: data))?.v, version > Document.formatVersion {
                throw Self.newer(version, path: path)
            }
            throw StoreError.corrupt(
                path, detail: "not a \(Document.documentName): \(error)", advice: Document.unreadableAdvice)
        }
        guard document.v <= Document.formatVersion else { throw Self.newer(document.v, path: path) }
        return document
    }

    /// The error for a file of format `version`, newer than this palimpsest reads.
    private static func newer(_ version: Int, path: String) -> StoreError {
        StoreError.corrupt(
            path,
            detail: "\(Document.documentName) of format version \(version), written by a newer palimpsest "
                + "(this one reads versions up to \(Document.formatVersion))",
            advice: "run the palimpsest version that wrote it; the file is left as it is")
    }

    /// Replaces the file with `document`, atomically.
    /// - Throws: ``StoreError`` naming the file when it cannot be encoded or written; the old file
    ///   is then untouched.
    public func write(_ document: Document) throws {
        try DurableFile.writeAtomically(to: self.url) { file in
            do {
                // The bytes of `JSONCoding.documentEncoder()`, written a megabyte at a time: status.json
                // of 100,000 accounts (43 MB) through `JSONEncoder` was a fifth of a restart's time,
                // and held whole it was 180 MB more resident memory.
                try DocumentJSONEncoder.write(document) { bytes in try file.writeAll(bytes) }
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError(
                    operation: "encode", path: self.url.path, detail: "\(error)", advice: "report this as a bug")
            }
            if Document.endsWithLineFeed { try file.writeAll([0x0A]) }
        }
    }

    /// The version field alone, read before the whole document.
    private struct Version: Decodable {
        var v: Int?
    }
}
