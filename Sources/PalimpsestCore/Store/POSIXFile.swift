import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open file descriptor and the few C calls the store needs that Foundation does not offer
/// (`fsync`, `flock`, `pread` at an offset, `O_APPEND`). Every call retries on `EINTR` and turns
/// any other failure into a ``StoreError`` naming the file.
///
/// Not `Sendable` on purpose: a descriptor is used by the one function that opened it, then closed.
struct POSIXFile {
    /// The descriptor.
    let fd: Int32
    /// The path it was opened with, for error messages.
    let path: String

    /// Identity and size of an open file (`fstat`).
    struct Status: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int
    }

    /// Wraps an open descriptor.
    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Opens `path` with `flags` (`O_CLOEXEC` is always added); creates files with `mode`.
    /// - Throws: ``StoreError`` for any failure of `open(2)`.
    init(path: String, flags: Int32, mode: mode_t = 0o600) throws {
        guard let file = try Self.openIfPresent(path, flags: flags, mode: mode) else {
            throw StoreError.posix("open", path: path, code: ENOENT)
        }
        self = file
    }

    /// Like ``init(path:flags:mode:)`` but returns `nil` when the file does not exist (`ENOENT`).
    static func openIfPresent(_ path: String, flags: Int32, mode: mode_t = 0o600) throws -> POSIXFile? {
        while true {
            let fd = open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return POSIXFile(fd: fd, path: path) }
            let code = errno
            if code == EINTR { continue }
            if code == ENOENT { return nil }
            throw StoreError.posix("open", path: path, code: code)
        }
    }

    /// Closes the descriptor. Errors of `close(2)` are ignored: data that matters was fsynced before.
    func closeFile() {
        _ = close(self.fd)
    }

    /// Writes every byte of `data` (looping over short writes).
    /// - Throws: ``StoreError`` for any failure of `write(2)`, e.g. `ENOSPC` when the disk is full;
    ///   the bytes before the failure may then be in the file.
    func writeAll(_ data: Data) throws {
        try data.withUnsafeBytes { try self.writeAll(buffer: $0) }
    }

    /// Writes every byte of `bytes`, as ``writeAll(_:)-(Data)`` does.
    /// - Throws: ``StoreError`` for any failure of `write(2)`.
    func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try self.writeAll(buffer: $0) }
    }

    /// Writes the UTF-8 of `text`, as ``writeAll(_:)-(Data)`` does.
    /// - Throws: ``StoreError`` for any failure of `write(2)`.
    func writeAll(_ text: String) throws {
        var text = text
        try text.withUTF8 { try self.writeAll(buffer: UnsafeRawBufferPointer($0)) }
    }

    private func writeAll(buffer: UnsafeRawBufferPointer) throws {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            var wanted = buffer.count - done
            if let allowed = SimulatedDiskSpace.allowance(for: self.path, wanted: wanted) {
                guard allowed > 0 else { throw StoreError.posix("write", path: self.path, code: ENOSPC) }
                wanted = allowed
            }
            let written = write(self.fd, base + done, wanted)
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                throw StoreError.posix("write", path: self.path, code: code)
            }
            done += written
        }
    }

    /// Appends `payload`, whole JSON Lines each ended by `\n`, to this file (opened with
    /// `O_APPEND` and locked by the caller, whose size before the write is `size`), then fsyncs it.
    ///
    /// When the write fails part-way (`ENOSPC`: the disk filled up), the part of a line it left at
    /// the end is cut off again (`ftruncate(2)`), so the file still ends with a whole line: no torn
    /// line is left behind by a full disk. Whole lines the write managed stay (a follower may
    /// already have read them); a later append reads them back.
    /// - Throws: ``StoreError`` of the failed `write(2)` or `fsync(2)`.
    func appendLines(_ payload: Data, toFileOfSize size: Int) throws {
        do {
            try self.writeAll(payload)
        } catch {
            if let now = try? self.status().size, now > size {
                let written = payload.prefix(min(now - size, payload.count))
                let keep =
                    written.lastIndex(of: UInt8(ascii: "\n")).map { size + ($0 - payload.startIndex) + 1 } ?? size
                if now > keep { try? self.truncate(to: keep) }
                // Whatever stays is made as durable as the disk allows.
                try? self.sync()
            }
            throw error
        }
        try self.sync()
    }

    /// Cuts the file back to `size` bytes (`ftruncate(2)`): how an append that failed half-way
    /// removes the part of a line it left.
    /// - Throws: ``StoreError`` for any failure of `ftruncate(2)`.
    func truncate(to size: Int) throws {
        while ftruncate(self.fd, off_t(size)) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw StoreError.posix("ftruncate", path: self.path, code: code)
        }
    }

    /// Flushes the file's data and metadata to the disk (`fsync(2)`).
    /// - Throws: ``StoreError`` when the disk reports a failure: the data may not be durable.
    func sync() throws {
        while fsync(self.fd) != 0 {
            let code = errno
            if code == EINTR { continue }
            // Folders on some file systems refuse fsync; the rename itself is then as durable as it gets.
            if code == EINVAL { return }
            throw StoreError.posix("fsync", path: self.path, code: code)
        }
    }

    /// Takes an advisory lock on the whole file (`flock(2)`), waiting for other holders. The lock is
    /// released when the descriptor is closed.
    /// - Throws: ``StoreError`` for any failure of `flock(2)`.
    func lock(exclusive: Bool) throws {
        while flock(self.fd, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw StoreError.posix("flock", path: self.path, code: code)
        }
    }

    /// The file's device, inode and size (`fstat(2)`).
    /// - Throws: ``StoreError`` for any failure of `fstat(2)`.
    func status() throws -> Status {
        var info = stat()
        guard fstat(self.fd, &info) == 0 else {
            throw StoreError.posix("fstat", path: self.path, code: errno)
        }
        return Status(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int(info.st_size))
    }

    /// Reads from `offset` to the end of the file (`pread(2)`), at most `limit` bytes.
    /// - Throws: ``StoreError`` for any failure of `pread(2)`.
    func readToEnd(from offset: Int, limit: Int = Int.max) throws -> Data {
        var result = Data()
        var position = offset
        let chunk = 1 << 16
        var buffer = [UInt8](repeating: 0, count: chunk)
        while result.count < limit {
            let wanted = min(chunk, limit - result.count)
            let count = buffer.withUnsafeMutableBytes { raw in
                pread(self.fd, raw.baseAddress, wanted, off_t(position))
            }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw StoreError.posix("read", path: self.path, code: code)
            }
            if count == 0 { break }
            result.append(contentsOf: buffer[0..<count])
            position += count
        }
        return result
    }

    /// Reads `count` bytes at `offset` (`pread(2)` into a buffer of that size): fewer only at the
    /// end of the file.
    /// - Throws: ``StoreError`` for any failure of `pread(2)`.
    func read(at offset: Int, count: Int) throws -> Data {
        var result = Data(count: count)
        var filled = 0
        while filled < count {
            let read = result.withUnsafeMutableBytes { raw in
                pread(self.fd, raw.baseAddress! + filled, count - filled, off_t(offset + filled))
            }
            if read < 0 {
                let code = errno
                if code == EINTR { continue }
                throw StoreError.posix("read", path: self.path, code: code)
            }
            if read == 0 { break }
            filled += read
        }
        if filled < count { result.removeSubrange(filled..<count) }
        return result
    }

    /// The whole contents of the file at `path`, or `nil` when it does not exist.
    /// - Throws: ``StoreError`` when the file exists but cannot be read.
    static func contents(of path: String) throws -> Data? {
        guard let file = try Self.openIfPresent(path, flags: O_RDONLY) else { return nil }
        defer { file.closeFile() }
        return try file.readToEnd(from: 0)
    }
}
