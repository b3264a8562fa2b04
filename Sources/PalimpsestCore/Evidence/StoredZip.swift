import CZlib
import Foundation

/// A zip file (PKWARE APPNOTE 6.3, method 0 "stored": no compression) of a folder, for `evidence
/// export --zip`. The members are small and the WARC records are gzip already; stored members keep
/// the bytes as they are, which any unzip reads. CRC-32 from zlib (`crc32`).
enum StoredZip {
    /// Writes `folder`'s files (recursively, sorted, paths relative to its parent so the archive
    /// holds the folder) to `url` atomically.
    static func write(folder: URL, to url: URL) throws {
        let base = folder.deletingLastPathComponent().path
        let files = (FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []).sorted()
            .filter { !FileSystem.isDirectory(folder.appendingPathComponent($0).path) }
        var archive = Data()
        var central = Data()
        for relative in files {
            let path = folder.appendingPathComponent(relative).path
            let bytes = try POSIXFile.contents(of: path) ?? Data()
            let name = Data((String(path.dropFirst(base.count + 1))).utf8)
            let crc = bytes.withUnsafeBytes { raw in
                UInt32(crc32(0, raw.bindMemory(to: Bytef.self).baseAddress, uInt(raw.count)))
            }
            guard bytes.count < 0xFFFF_FFFF, archive.count < 0xFFFF_FFFF else {
                throw StoreError(
                    operation: "zip", path: url.path, detail: "the bundle is larger than 4 GiB",
                    advice: "send the folder itself (without --zip)")
            }
            let offset = UInt32(archive.count)
            var local = Data()
            local.append(le32(0x0403_4b50))
            local.append(le16(20))  // version needed
            local.append(le16(0x0800))  // UTF-8 names
            local.append(le16(0))  // stored
            local.append(le16(0))
            local.append(le16(0x21))  // 1980-01-01 (fixed: the same files give the same zip)
            local.append(le32(crc))
            local.append(le32(UInt32(bytes.count)))
            local.append(le32(UInt32(bytes.count)))
            local.append(le16(UInt16(name.count)))
            local.append(le16(0))
            archive += local + name + bytes
            central.append(le32(0x0201_4b50))
            central.append(le16(0x031e))  // made by Unix, 3.0
            central.append(le16(20))
            central.append(le16(0x0800))
            central.append(le16(0))
            central.append(le16(0))
            central.append(le16(0x21))
            central.append(le32(crc))
            central.append(le32(UInt32(bytes.count)))
            central.append(le32(UInt32(bytes.count)))
            central.append(le16(UInt16(name.count)))
            central.append(le16(0))
            central.append(le16(0))
            central.append(le16(0))
            central.append(le16(0))
            let mode: UInt32 = relative.hasSuffix(".sh") ? 0o100755 : 0o100644
            central.append(le32(mode << 16))
            central.append(le32(offset))
            central += name
        }
        var end = Data()
        end.append(le32(0x0605_4b50))
        end.append(le16(0))
        end.append(le16(0))
        end.append(le16(UInt16(files.count)))
        end.append(le16(UInt16(files.count)))
        end.append(le32(UInt32(central.count)))
        end.append(le32(UInt32(archive.count)))
        end.append(le16(0))
        try DurableFile.writeAtomically(archive + central + end, to: url)
    }

    private static func le16(_ value: UInt16) -> Data { Data([UInt8(value & 0xff), UInt8(value >> 8)]) }
    private static func le32(_ value: UInt32) -> Data {
        Data([UInt8(value & 0xff), UInt8((value >> 8) & 0xff), UInt8((value >> 16) & 0xff), UInt8(value >> 24)])
    }
}
