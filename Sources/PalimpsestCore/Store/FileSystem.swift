import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Folder-level C calls for the store: creating folders durably, fsyncing a folder after a rename
/// or an unlink, listing and removing files. Every failure is a ``StoreError`` naming the path.
enum FileSystem {
    /// Creates `path` and any missing parent folders with `mode` (default 0700), fsyncing each
    /// parent so that the new entries survive a crash (`mkdir(2)` + `fsync(2)` of the parent).
    /// - Throws: ``StoreError`` when a folder cannot be created or a component is not a folder.
    static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws {
        if Self.isDirectory(path) { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path {
            try Self.makeDirectories(parent, mode: mode)
        }
        if mkdir(path, mode) != 0 {
            let code = errno
            if code == EEXIST, Self.isDirectory(path) { return }
            throw StoreError.posix("mkdir", path: path, code: code == EEXIST ? ENOTDIR : code)
        }
        if !parent.isEmpty { try Self.syncDirectory(parent) }
    }

    /// True when `path` exists and is a folder (following symbolic links).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Device, inode and size of the file at `path` (`stat(2)`, following links), or `nil` when
    /// nothing is there.
    static func status(_ path: String) -> POSIXFile.Status? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return POSIXFile.Status(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int(info.st_size))
    }

    /// True when something exists at `path` (`lstat(2)` succeeds).
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Makes the folder's entries (a rename, a new or removed file) durable: `fsync(2)` on the folder.
    /// - Throws: ``StoreError`` when the folder cannot be opened or synced.
    static func syncDirectory(_ path: String) throws {
        let folder = try POSIXFile(path: path, flags: O_RDONLY | O_DIRECTORY)
        defer { folder.closeFile() }
        try folder.sync()
    }

    /// Atomically replaces `destination` with `source` (`rename(2)`); both in the same folder.
    /// - Throws: ``StoreError`` for any failure of `rename(2)`.
    static func moveIntoPlace(_ source: String, to destination: String) throws {
        if rename(source, destination) != 0 {
            throw StoreError.posix("rename", path: destination, code: errno)
        }
    }

    /// Removes the file at `path` (`unlink(2)`); a file already gone is not an error.
    /// - Throws: ``StoreError`` for any other failure.
    static func removeFile(_ path: String) throws {
        if unlink(path) != 0 {
            let code = errno
            if code == ENOENT { return }
            throw StoreError.posix("unlink", path: path, code: code)
        }
    }

    /// The names in folder `path` (without `.` and `..`), or `[]` when the folder does not exist.
    /// - Throws: ``StoreError`` when the folder exists but cannot be read.
    static func listDirectory(_ path: String) throws -> [String] {
        guard let stream = opendir(path) else {
            let code = errno
            if code == ENOENT { return [] }
            throw StoreError.posix("opendir", path: path, code: code)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: pointer.pointee)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
