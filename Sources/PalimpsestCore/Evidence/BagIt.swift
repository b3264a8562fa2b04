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
    ///   - extraInfo: More `bag-info.txt` fields (label, value), in order, after the others; a value
    ///     is put on one line.
    static func write(
        payload: [String: Data], to folder: URL, now: Date, description: String,
        extraInfo: [(String, String)] = []
    ) throws {
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
                        + "External-Description: \(description)\nPayload-Oxum: \(octets).\(names.count)\n"
                        + extraInfo.map { "\($0.0): \(Self.oneLine($0.1))\n" }.joined()).utf8)
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

    /// `text` with line breaks and other control characters as spaces: a `bag-info.txt` value
    /// continues on the next line only when that line starts with white space (RFC 8493 §2.2.2).
    static func oneLine(_ text: String) -> String {
        String(
            String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }
}
