import Foundation

/// Writes a BagIt bag (RFC 8493, version 1.0): `bagit.txt`, `bag-info.txt`, the payload under
/// `data/`, `manifest-sha256.txt` (every payload file) and `tagmanifest-sha256.txt` (the tag
/// files). Each file is written atomically (temporary file, fsync, rename).
enum BagIt {
    /// - Parameters:
    ///   - payload: Paths relative to `data/` and their bytes.
    ///   - folder: The bag's folder (created).
    ///   - now: The `Bagging-Date`.
    ///   - description: `External-Description`.
    static func write(payload: [String: Data], to folder: URL, now: Date, description: String) throws {
        let names = payload.keys.sorted()
        var manifest = ""
        for name in names {
            let bytes = payload[name]!
            try DurableFile.writeAtomically(bytes, to: folder.appendingPathComponent("data/\(name)"))
            manifest += "\(ContentHash.sha256Hex(bytes))  data/\(name)\n"
        }
        let octets = names.reduce(0) { $0 + payload[$1]!.count }
        let date = String(RFC3339.string(from: now).prefix(10))
        let tags: [(String, Data)] = [
            ("bagit.txt", Data("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".utf8)),
            (
                "bag-info.txt",
                Data(
                    ("Bagging-Date: \(date)\nBag-Software-Agent: palimpsest \(PalimpsestVersion.current)\n"
                        + "External-Description: \(description)\nPayload-Oxum: \(octets).\(names.count)\n").utf8)
            ),
            ("manifest-sha256.txt", Data(manifest.utf8)),
        ]
        var tagManifest = ""
        for (name, bytes) in tags {
            try DurableFile.writeAtomically(bytes, to: folder.appendingPathComponent(name))
            tagManifest += "\(ContentHash.sha256Hex(bytes))  \(name)\n"
        }
        try DurableFile.writeAtomically(
            Data(tagManifest.utf8), to: folder.appendingPathComponent("tagmanifest-sha256.txt"))
    }
}
