import Foundation

/// Where tables and keys sit in a config file's text, so validation errors can name a line.
///
/// TOMLKit gives positions for syntax errors only, so this scans the text itself. It runs after
/// TOMLKit has accepted the document, so it only has to understand valid TOML: table headers,
/// `[[array]]` headers, `key = value` lines (bare, quoted and dotted keys), strings (including
/// multi-line ones), comments, and values that span lines (arrays, inline tables).
///
/// Paths are dotted; the n-th table of an array of tables is `name#n` (1-based), e.g. `daemon`,
/// `daemon.interval`, `account#2`, `account#2.url`. Keys inside inline tables are not recorded;
/// callers fall back to the enclosing key or table.
struct ConfigSourceMap {
    /// A 1-based line and column.
    struct Position: Hashable {
        var line: Int
        var column: Int
    }

    private let text: String
    private let scanned = ScannedPositions()

    /// The map of `text`. The text is scanned at the first ``position(of:)``: only a config with
    /// an error or a warning needs positions, and scanning a 100,000-account config took a third
    /// of its loading.
    init(text: String) {
        self.text = text
    }

    /// The position of the first path in `paths` that was found.
    func position(of paths: String...) -> Position? {
        let positions = self.scanned.positions(of: self.text)
        for path in paths {
            if let position = positions[path] { return position }
        }
        return nil
    }

    /// The positions of a text, scanned once. A config is read on one thread; the lock only makes
    /// a map shared by mistake safe.
    private final class ScannedPositions: @unchecked Sendable {
        private let lock = NSLock()
        private var positions: [String: Position]?

        func positions(of text: String) -> [String: Position] {
            self.lock.lock()
            defer { self.lock.unlock() }
            if let positions = self.positions { return positions }
            var positions: [String: Position] = [:]
            var state = Scanner()
            for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                state.scan(line: Array(line.unicodeScalars), number: offset + 1, into: &positions)
            }
            self.positions = positions
            return positions
        }
    }

    /// The scanning state carried from one line to the next.
    private struct Scanner {
        /// The closing delimiter of a multi-line string that is still open (`"""` or `'''`).
        var openMultilineString: String.UnicodeScalarView?
        /// How many `[` / `{` of a value are still open.
        var valueDepth = 0
        /// The path of the current table (`""` at the top level).
        var table = ""
        /// How many tables of each array-of-tables name have been seen.
        var arrayCounts: [String: Int] = [:]

        mutating func scan(line: [Unicode.Scalar], number: Int, into positions: inout [String: Position]) {
            var index = 0
            if let closing = self.openMultilineString {
                guard let end = Self.find(Array(closing), in: line, from: 0, escapable: closing.first == "\"") else {
                    return
                }
                self.openMultilineString = nil
                index = end
            } else if self.valueDepth == 0 {
                while index < line.count, line[index] == " " || line[index] == "\t" { index += 1 }
                guard index < line.count, line[index] != "#", line[index] != "\r" else { return }
                let column = index + 1
                if line[index] == "[" {
                    let isArray = index + 1 < line.count && line[index + 1] == "["
                    index += isArray ? 2 : 1
                    let (parts, _) = Self.readKey(line, from: index)
                    self.enterTable(parts, isArray: isArray)
                    let position = Position(line: number, column: column)
                    positions[self.table] = positions[self.table] ?? position
                    // `[foo.bar]` defines `foo` too when no `[foo]` came first: an error about
                    // `foo` (an unknown table) points here.
                    var parent = self.table
                    while let dot = parent.lastIndex(of: ".") {
                        parent = String(parent[..<dot])
                        positions[parent] = positions[parent] ?? position
                    }
                    return
                }
                let (parts, afterKey) = Self.readKey(line, from: index)
                guard !parts.isEmpty else { return }
                let path = (self.table.isEmpty ? [] : [self.table]) + parts
                positions[path.joined(separator: ".")] = Position(line: number, column: column)
                index = afterKey
                while index < line.count, line[index] != "=" { index += 1 }
                index += 1
            }
            self.scanValue(line, from: index)
        }

        /// Follows a value to the end of the line: strings, brackets, a trailing comment.
        private mutating func scanValue(_ line: [Unicode.Scalar], from start: Int) {
            var index = start
            while index < line.count {
                let scalar = line[index]
                switch scalar {
                case "#":
                    return
                case "\"", "'":
                    let triple = [scalar, scalar, scalar]
                    if index + 2 < line.count, Array(line[index..<index + 3]) == triple {
                        guard let end = Self.find(triple, in: line, from: index + 3, escapable: scalar == "\"") else {
                            self.openMultilineString = String.UnicodeScalarView(triple)
                            return
                        }
                        index = end
                    } else {
                        index = Self.find([scalar], in: line, from: index + 1, escapable: scalar == "\"") ?? line.count
                    }
                    continue
                case "[", "{":
                    self.valueDepth += 1
                case "]", "}":
                    self.valueDepth = max(0, self.valueDepth - 1)
                default:
                    break
                }
                index += 1
            }
        }

        private mutating func enterTable(_ parts: [String], isArray: Bool) {
            guard let first = parts.first else { return }
            if isArray {
                let name = parts.joined(separator: ".")
                let count = self.arrayCounts[name, default: 0] + 1
                self.arrayCounts[name] = count
                self.table = "\(name)#\(count)"
            } else if let count = self.arrayCounts[first] {
                // `[account.headers]` belongs to the latest `[[account]]`.
                self.table = (["\(first)#\(count)"] + parts.dropFirst()).joined(separator: ".")
            } else {
                self.table = parts.joined(separator: ".")
            }
        }

        /// Reads a (possibly dotted, possibly quoted) key; returns its parts and the index after it.
        private static func readKey(_ line: [Unicode.Scalar], from start: Int) -> ([String], Int) {
            var parts: [String] = []
            var index = start
            while index < line.count {
                while index < line.count, line[index] == " " || line[index] == "\t" { index += 1 }
                guard index < line.count else { break }
                let scalar = line[index]
                if scalar == "\"" || scalar == "'" {
                    let end = Self.find([scalar], in: line, from: index + 1, escapable: scalar == "\"") ?? line.count
                    var part = String.UnicodeScalarView()
                    part.append(contentsOf: line[(index + 1)..<max(index + 1, end - 1)])
                    parts.append(String(part))
                    index = end
                } else {
                    var part = String.UnicodeScalarView()
                    while index < line.count, Self.isBareKeyScalar(line[index]) {
                        part.append(line[index])
                        index += 1
                    }
                    guard !part.isEmpty else { break }
                    parts.append(String(part))
                }
                while index < line.count, line[index] == " " || line[index] == "\t" { index += 1 }
                guard index < line.count, line[index] == "." else { break }
                index += 1
            }
            return (parts, index)
        }

        private static func isBareKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-": return true
            default: return false
            }
        }

        /// The index just after the first `delimiter` at or after `start` (skipping `\`-escapes
        /// when `escapable`), or `nil` when the line has none.
        private static func find(
            _ delimiter: [Unicode.Scalar],
            in line: [Unicode.Scalar],
            from start: Int,
            escapable: Bool
        ) -> Int? {
            var index = start
            while index + delimiter.count <= line.count {
                if escapable, line[index] == "\\" {
                    index += 2
                    continue
                }
                if Array(line[index..<index + delimiter.count]) == delimiter {
                    // A closing `"""` may be followed by up to two more quotes that belong to the string.
                    var end = index + delimiter.count
                    if delimiter.count == 3 {
                        while end < line.count, line[end] == delimiter[0], end - index < 5 { end += 1 }
                    }
                    return end
                }
                index += 1
            }
            return nil
        }
    }
}
