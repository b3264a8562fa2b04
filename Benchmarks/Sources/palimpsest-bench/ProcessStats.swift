import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Figures the operating system keeps about this process.
enum ProcessStats {
    /// The largest resident set size the process has had so far, in KiB
    /// (`getrusage(RUSAGE_SELF)`, `ru_maxrss`: KiB on Linux, bytes on macOS).
    static func peakResidentKiB() -> Int {
        var usage = rusage()
        #if os(Linux)
            guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
            return Int(usage.ru_maxrss)
        #else
            guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
            return Int(usage.ru_maxrss) / 1024
        #endif
    }

    /// CPU seconds (user + system) this process has used so far, every thread included
    /// (`getrusage(RUSAGE_SELF)`).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
            guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        #else
            guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        #endif
        let seconds = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Bytes this process has caused to be written to storage so far (`write_bytes` of
    /// `/proc/self/io`, Linux only: page-cache writes counted when dirtied, fsync or not);
    /// `nil` where the file is missing or unreadable.
    static func storageBytesWritten() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("write_bytes:") {
            return Int(line.dropFirst("write_bytes:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// The total size in bytes and the number of regular files under `folder`.
    static func folderSize(_ folder: URL) -> (bytes: Int, files: Int) {
        let keys: [URLResourceKey] = [.fileSizeKey, .isRegularFileKey]
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: keys) else {
            return (0, 0)
        }
        var bytes = 0
        var files = 0
        for case let url as URL in walker {
            guard let values = try? url.resourceValues(forKeys: Set(keys)), values.isRegularFile == true else {
                continue
            }
            bytes += values.fileSize ?? 0
            files += 1
        }
        return (bytes, files)
    }
}
