public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Crash-safe writes. Files on disk are evidence: a reader after a crash at any instant sees either
/// the old or the new contents of a replaced file, and every byte of an append that returned.
///
/// These calls block on the disk (`fsync`): call them through ``BlockingIO/run(_:)`` from async code.
public enum DurableFile {
    /// Replaces the file at `url` atomically: writes a temporary file in the same folder
    /// (`.<name>.tmp-<pid>-<random>`, mode 0600), fsyncs it, renames it over `url` and fsyncs the
    /// folder. Missing parent folders are created with mode 0700.
    /// - Parameters:
    ///   - data: The complete new contents.
    ///   - url: A `file:` URL.
    /// - Throws: ``StoreError`` naming the file when a folder cannot be created or the write, fsync
    ///   or rename fails. The old contents are then untouched and the temporary file is removed.
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        try Self.writeAtomically(to: url) { file in try file.writeAll(data) }
    }

    /// Replaces the file at `url` atomically with what `write` writes into the temporary file, the
    /// way ``writeAtomically(_:to:)`` does: for contents made piece by piece (`status.json` of
    /// 100,000 accounts, 43 MB) rather than held whole in memory first.
    /// - Parameters:
    ///   - url: A `file:` URL.
    ///   - write: Writes the complete new contents into the temporary file it is given, in order.
    /// - Throws: ``StoreError`` naming the file when a folder cannot be created or the write, fsync
    ///   or rename fails, or what `write` throws. The old contents are then untouched and the
    ///   temporary file is removed.
    static func writeAtomically(to url: URL, _ write: (POSIXFile) throws -> Void) throws {
        let path = url.path
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        try FileSystem.makeDirectories(folder)
        let temporary = "\(folder)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let file = try POSIXFile(path: temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        do {
            try write(file)
            try file.sync()
        } catch {
            file.closeFile()
            try? FileSystem.removeFile(temporary)
            throw error
        }
        // Closed exactly once: a second close(2) could close a descriptor another thread just opened.
        file.closeFile()
        do {
            try FileSystem.moveIntoPlace(temporary, to: path)
        } catch {
            try? FileSystem.removeFile(temporary)
            throw error
        }
        try FileSystem.syncDirectory(folder)
    }

    /// Appends `data` to the file at `url` with `O_APPEND` and fsyncs it before returning. Creates
    /// the file (mode 0600, folder synced) and missing parent folders (0700) when needed.
    /// - Parameters:
    ///   - data: Bytes to append, written with one `write(2)` loop.
    ///   - url: A `file:` URL.
    /// - Throws: ``StoreError`` naming the file when the open, write or fsync fails; the bytes may
    ///   then be partly written.
    public static func append(_ data: Data, to url: URL) throws {
        let file = try Self.openForAppend(url.path)
        defer { file.closeFile() }
        try file.writeAll(data)
        try file.sync()
    }

    /// Opens `path` for appending (and reading when `readable`), creating it (mode 0600) and its
    /// folders (0700) durably when missing.
    static func openForAppend(_ path: String, readable: Bool = false) throws -> POSIXFile {
        let access = (readable ? O_RDWR : O_WRONLY) | O_APPEND
        if let file = try POSIXFile.openIfPresent(path, flags: access) {
            return file
        }
        let folder = (path as NSString).deletingLastPathComponent
        try FileSystem.makeDirectories(folder)
        let file = try POSIXFile(path: path, flags: access | O_CREAT, mode: 0o600)
        do {
            try FileSystem.syncDirectory(folder)
        } catch {
            file.closeFile()
            throw error
        }
        return file
    }
}
