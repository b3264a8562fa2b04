import Foundation
import PalimpsestTestSupport
import Testing

/// `docs/architecture.md` describes the tree as it is: every folder and target has its paragraph,
/// and every path and type the page names exists, so a move or a rename that forgets the page fails
/// here instead of misleading the next engineer.
@Suite struct ArchitectureDocumentTests {
    static let repository = TestFixtures.repository

    static func page() throws -> String {
        try String(
            contentsOf: self.repository.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
    }

    /// The folders directly inside `relativePath`, sorted.
    static func folders(in relativePath: String) throws -> [String] {
        let folder = self.repository.appendingPathComponent(relativePath)
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { name in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(
                atPath: folder.appendingPathComponent(name).path, isDirectory: &isFolder) && isFolder.boolValue
        }.sorted()
    }

    /// Every text of the page between backticks.
    static func quoted(in page: String) -> [String] {
        page.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }
            .map { String($0.element) }
    }

    @Test func everyFolderOfTheCoreHasItsParagraph() throws {
        let page = try Self.page()
        let folders = try Self.folders(in: "Sources/PalimpsestCore")
        #expect(folders.count >= 10)
        for folder in folders {
            #expect(page.contains("- **`\(folder)/`**"), "docs/architecture.md has no paragraph on \(folder)/")
        }
    }

    @Test func everyTargetFolderIsNamed() throws {
        let page = try Self.page()
        let targets =
            try Self.folders(in: "Sources").map { "Sources/\($0)/" }
            + Self.folders(in: "Tests").filter { $0 != "Fixtures" }.map { "Tests/\($0)/" } + ["Benchmarks/"]
        for target in targets {
            #expect(page.contains("**`\(target)`**"), "docs/architecture.md does not name \(target)")
        }
    }

    @Test func everyPathThePageNamesExists() throws {
        let coreFolders = Set(try Self.folders(in: "Sources/PalimpsestCore"))
        let paths = Self.quoted(in: try Self.page()).filter { text in
            text.contains("/") && !text.contains("<") && !text.contains(" ")
                && (text.hasSuffix("/") || text.hasSuffix(".swift") || text.hasSuffix(".md"))
        }
        #expect(paths.count >= 20)
        for path in paths {
            let first = String(path.prefix { $0 != "/" })
            let relative = coreFolders.contains(first) ? "Sources/PalimpsestCore/\(path)" : path
            #expect(
                FileManager.default.fileExists(atPath: Self.repository.appendingPathComponent(relative).path),
                "docs/architecture.md names \(path), which does not exist")
        }
    }

    @Test func everyTypeThePageNamesIsDeclared() throws {
        let names = Set(
            Self.quoted(in: try Self.page()).filter { text in
                text.first?.isUppercase == true && text.allSatisfy { $0.isLetter || $0.isNumber }
                    && text.contains { $0.isLowercase }
            })
        #expect(names.count >= 20)
        var declared = Set<String>()
        let files = ["Sources", "Tests"].compactMap {
            FileManager.default.enumerator(
                at: Self.repository.appendingPathComponent($0), includingPropertiesForKeys: nil)
        }.flatMap { $0.compactMap { $0 as? URL } }
        for file in files {
            guard file.pathExtension == "swift", let text = try? String(contentsOf: file, encoding: .utf8) else {
                continue
            }
            for line in text.split(separator: "\n") {
                let words = line.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" })
                for (index, word) in words.enumerated().dropLast()
                where ["struct", "class", "enum", "actor", "protocol", "typealias"].contains(word) {
                    declared.insert(String(words[index + 1]))
                }
            }
        }
        for name in names.sorted() {
            #expect(declared.contains(name), "docs/architecture.md names the type \(name), which no source declares")
        }
    }
}
