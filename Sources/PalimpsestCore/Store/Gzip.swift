import CZlib
import Foundation

/// gzip members (RFC 1952) through zlib: each WARC record of the evidence files is compressed as
/// its own member, so a record can be read from its offset alone and the files stay valid
/// `.warc.gz` for standard tools.
enum Gzip {
    /// `data` as one complete gzip member (zlib's default level).
    /// - Throws: ``StoreError`` (`operation` `deflate`) when zlib refuses (out of memory).
    static func member(_ data: Data) throws -> Data {
        var stream = z_stream()
        // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
        var status = deflateInit2_(
            &stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw Self.error("deflateInit2", status) }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(data.count))) + 32
        var output = Data(count: bound)
        var input = data
        let produced: Int = input.withUnsafeMutableBytes { (inBuffer: UnsafeMutableRawBufferPointer) -> Int in
            output.withUnsafeMutableBytes { (outBuffer: UnsafeMutableRawBufferPointer) -> Int in
                stream.next_in = inBuffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(outBuffer.count)
                status = deflate(&stream, Z_FINISH)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        guard status == Z_STREAM_END else { throw Self.error("deflate", status) }
        output.count = produced
        return output
    }

    /// The bytes of the first gzip member of `data` (what follows it is ignored).
    /// - Throws: ``StoreError`` (`operation` `inflate`) when `data` is not a whole gzip member.
    static func decompressMember(_ data: Data) throws -> Data {
        var stream = z_stream()
        var status = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw Self.error("inflateInit2", status) }
        defer { inflateEnd(&stream) }
        var result = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = data
        try input.withUnsafeMutableBytes { (inBuffer: UnsafeMutableRawBufferPointer) in
            stream.next_in = inBuffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_in = uInt(inBuffer.count)
            repeat {
                let produced = chunk.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) -> Int in
                    stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END else { throw Self.error("inflate", status) }
                result.append(contentsOf: chunk[0..<produced])
                if status == Z_OK && stream.avail_in == 0 && produced == 0 { throw Self.error("inflate", Z_BUF_ERROR) }
            } while status != Z_STREAM_END
        }
        return result
    }

    private static func error(_ operation: String, _ status: Int32) -> StoreError {
        StoreError(
            operation: operation, path: "(memory)", detail: "zlib status \(status)",
            advice: "the WARC record is damaged or memory ran out; check the file with `gzip -t`")
    }
}
