#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file-system operation on the state folder or the deletion log failed.
///
/// Carries the file, the operation (named after the C call where there is one: `open`, `write`,
/// `fsync`, `rename`, `flock`, …), the system's explanation and what the operator can do about it.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was being done: `open`, `read`, `write`, `fsync`, `rename`, `mkdir`, `flock`, `unlink`,
    /// `decode`, `encode`, `list`.
    public var operation: String
    /// The absolute path of the file or folder concerned.
    public var path: String
    /// The `errno` value reported by the C call, when the failure came from one.
    public var errno: Int32?
    /// The system's explanation (`strerror`) or our own.
    public var detail: String
    /// What the operator can do next.
    public var advice: String

    /// Creates an error from its parts.
    public init(operation: String, path: String, errno: Int32? = nil, detail: String, advice: String) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.detail = detail
        self.advice = advice
    }

    /// The error for a failed C call that set `errno` to `code`, with advice chosen from the code.
    static func posix(_ operation: String, path: String, code: Int32) -> StoreError {
        let advice: String
        switch code {
        case EACCES, EPERM:
            advice = "check that the user running palimpsest owns this path and may write to it"
        case ENOSPC, EDQUOT:
            advice = "free disk space (or quota) on this file system; nothing was lost that was already written"
        case EFBIG:
            advice =
                "the file would exceed the process's file size limit (ulimit -f, LimitFSIZE= in the unit): raise it"
        case EROFS:
            advice = "the file system is mounted read-only: point state_dir / deletion_log at a writable place"
        case ENOENT:
            advice = "the path does not exist: check state_dir / deletion_log in the config"
        case ENOTDIR:
            advice = "a component of the path is a file, not a folder: check the path in the config"
        case EIO:
            advice = "the disk reported an I/O error: check the disk and the kernel log (dmesg)"
        case EMFILE, ENFILE:
            advice = "too many open files: raise the limit (LimitNOFILE in the systemd unit)"
        default:
            advice = "check the path and the file system"
        }
        return StoreError(
            operation: operation,
            path: path,
            errno: code,
            detail: String(cString: strerror(code)),
            advice: advice
        )
    }

    /// A file whose contents could not be decoded.
    static func corrupt(_ path: String, detail: String, advice: String) -> StoreError {
        StoreError(operation: "decode", path: path, detail: detail, advice: advice)
    }

    /// `<operation> <path> failed: <detail>; <advice>`.
    public var description: String {
        "\(self.operation) \(self.path) failed: \(self.detail); \(self.advice)"
    }
}
