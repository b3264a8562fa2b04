import CZlib
import Foundation

/// Reads gzip files (RFC 1952) such as the deletion logs logrotate compresses
/// (`deletions.jsonl.2.gz`), with zlib's `inflate` (`inflateInit2` with automatic gzip header
/// detection). Several gzip members in one file (`cat a.gz b.gz`) are read one after the other,
/// as `gzip -d` does.
enum GzipReader {
    /// The two bytes every gzip member starts with (RFC 1952, section 2.3.1).
    static let magic: [UInt8] = [0x1F, 0x8B]

    /// True when `data` starts like a gzip file.
    static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == Self.magic[0] && data[data.startIndex + 1] == Self.magic[1]
    }

    /// The decompressed bytes of the gzip file `data`.
    /// - Parameter path: The file's path, for error messages.
    /// - Throws: ``StoreError`` naming the file when the data is not gzip, is corrupt (bad header,
    ///   CRC or length) or is cut short.
    static func decompress(_ data: Data, path: String) throws -> Data {
        var output = Data()
        var input = [UInt8](data)
        var offset = 0
        let chunk = 64 * 1024
        var buffer = [UInt8](repeating: 0, count: chunk)
        while offset < input.count {
            var stream = z_stream()
            guard palimpsest_inflate_init_gzip(&stream) == Z_OK else {
                throw Self.failure(path, "zlib could not start (inflateInit2)")
            }
            defer { inflateEnd(&stream) }
            let consumed = try input.withUnsafeMutableBufferPointer { bytes -> Int in
                stream.next_in = bytes.baseAddress! + offset
                stream.avail_in = uInt(bytes.count - offset)
                while true {
                    let status = buffer.withUnsafeMutableBufferPointer { out -> Int32 in
                        stream.next_out = out.baseAddress
                        stream.avail_out = uInt(chunk)
                        return inflate(&stream, Z_NO_FLUSH)
                    }
                    output.append(contentsOf: buffer[0..<(chunk - Int(stream.avail_out))])
                    switch status {
                    case Z_STREAM_END:
                        return bytes.count - offset - Int(stream.avail_in)
                    case Z_OK:
                        continue
                    case Z_BUF_ERROR where stream.avail_in == 0:
                        throw Self.failure(path, "the file ends in the middle of compressed data (cut short)")
                    default:
                        let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                        throw Self.failure(path, "corrupt gzip data (\(reason))")
                    }
                }
            }
            offset += consumed
            // Trailing zero bytes after the last member (padding some tools write) end the file.
            if input[offset...].allSatisfy({ $0 == 0 }) { break }
        }
        input.removeAll()
        return output
    }

    private static func failure(_ path: String, _ detail: String) -> StoreError {
        StoreError(
            operation: "decompress", path: path, detail: detail,
            advice: "check the file with `gzip -t`; restore it from a backup if it is damaged")
    }
}
