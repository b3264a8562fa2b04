/// A readable inline diff of two texts for `altered` events: `[-removed-]{+added+}`.
///
/// Latin-script text is compared word by word (runs of non-space characters), CJK text
/// character by character (Han, kana, Hangul and CJK punctuation have no spaces between words),
/// using a longest common subsequence of tokens. Whitespace between two changed words is folded
/// into one change, so `the quick brown fox` → `the slow red fox` reads
/// `the [-quick brown-]{+slow red+} fox`.
public enum TextDiff {
    /// Largest token table (old × new tokens after trimming the common prefix and suffix)
    /// compared exactly; beyond it the differing middle is shown as one replacement.
    static let maximumCells = 4_000_000

    /// The inline diff from `old` to `new`; equal texts come back unchanged, without markers.
    /// - Parameters:
    ///   - old: the previous text.
    ///   - new: the current text.
    /// - Returns: `new` with `[-…-]` for removed and `{+…+}` for added runs.
    public static func inline(from old: String, to new: String) -> String {
        let operations = self.operations(from: self.tokens(of: old), to: self.tokens(of: new))
        return self.render(operations)
    }

    enum Operation: Equatable {
        case equal(String)
        case delete(String)
        case insert(String)
    }

    /// Splits text into whitespace runs, single CJK characters and runs of other characters.
    static func tokens(of text: String) -> [String] {
        enum Class { case space, cjk, word }
        var tokens: [String] = []
        var current = ""
        var currentClass: Class?
        for character in text {
            let cls: Class = character.isWhitespace ? .space : (self.isCJK(character) ? .cjk : .word)
            if cls == currentClass, cls != .cjk {
                current.append(character)
            } else {
                if !current.isEmpty { tokens.append(current) }
                current = String(character)
                currentClass = cls
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// Characters of scripts written without spaces between words (compared one by one).
    static func isCJK(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        switch scalar.value {
        case 0x1100...0x11FF,  // Hangul Jamo
            0x2E80...0x2FDF,  // CJK radicals, Kangxi radicals
            0x3000...0x303F,  // CJK symbols and punctuation
            0x3040...0x30FF,  // Hiragana, Katakana
            0x3100...0x31FF,  // Bopomofo, Hangul compatibility Jamo, Katakana extensions
            0x3400...0x4DBF,  // CJK unified ideographs extension A
            0x4E00...0x9FFF,  // CJK unified ideographs
            0xAC00...0xD7AF,  // Hangul syllables
            0xF900...0xFAFF,  // CJK compatibility ideographs
            0xFF00...0xFFEF,  // half- and full-width forms
            0x20000...0x3FFFF:  // CJK extensions B and beyond
            return true
        default:
            return false
        }
    }

    /// An edit script from `a` to `b`: a longest common subsequence, deletions before
    /// insertions within each change.
    static func operations(from a: [String], to b: [String]) -> [Operation] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix,
            a[a.count - 1 - suffix] == b[b.count - 1 - suffix]
        {
            suffix += 1
        }
        let oldMiddle = Array(a[prefix..<(a.count - suffix)])
        let newMiddle = Array(b[prefix..<(b.count - suffix)])

        var result = a[..<prefix].map(Operation.equal)
        if oldMiddle.count * newMiddle.count > self.maximumCells {
            result += oldMiddle.map(Operation.delete)
            result += newMiddle.map(Operation.insert)
        } else {
            result += self.lcsOperations(from: oldMiddle, to: newMiddle)
        }
        result += a[(a.count - suffix)...].map(Operation.equal)
        return result
    }

    /// Classic dynamic programming over suffixes: `table[i][j]` is the LCS length of `a[i...]`
    /// and `b[j...]`; a forward walk then prefers deleting before inserting.
    static func lcsOperations(from a: [String], to b: [String]) -> [Operation] {
        let n = a.count
        let m = b.count
        let width = m + 1
        var table = [Int32](repeating: 0, count: (n + 1) * width)
        if n > 0, m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    table[i * width + j] =
                        a[i] == b[j]
                        ? table[(i + 1) * width + j + 1] + 1
                        : max(table[(i + 1) * width + j], table[i * width + j + 1])
                }
            }
        }
        var result: [Operation] = []
        var i = 0
        var j = 0
        while i < n, j < m {
            if a[i] == b[j] {
                result.append(.equal(a[i]))
                i += 1
                j += 1
            } else if table[(i + 1) * width + j] >= table[i * width + j + 1] {
                result.append(.delete(a[i]))
                i += 1
            } else {
                result.append(.insert(b[j]))
                j += 1
            }
        }
        result += a[i...].map(Operation.delete)
        result += b[j...].map(Operation.insert)
        return result
    }

    /// One run of an inline diff.
    public enum Segment: Sendable, Hashable {
        /// Text both versions share.
        case unchanged(String)
        /// Text only the old version has.
        case removed(String)
        /// Text only the new version has.
        case added(String)
    }

    /// The inline diff from `old` to `new` as runs (for renderers that mark changes up, such as
    /// the digest's HTML); ``inline(from:to:)`` writes the same runs with `[-…-]{+…+}`.
    /// - Parameters:
    ///   - old: the previous text.
    ///   - new: the current text.
    /// - Returns: Runs in reading order; within one change the removed run comes first.
    public static func segments(from old: String, to new: String) -> [Segment] {
        self.segments(self.operations(from: self.tokens(of: old), to: self.tokens(of: new)))
    }

    /// Renders an edit script as `[-…-]{+…+}` text.
    static func render(_ operations: [Operation]) -> String {
        var output = ""
        for segment in self.segments(operations) {
            switch segment {
            case .unchanged(let text): output += text
            case .removed(let text): output += "[-\(text)-]"
            case .added(let text): output += "{+\(text)+}"
            }
        }
        return output
    }

    /// Groups an edit script into runs, folding whitespace that separates two changes which both
    /// remove and add text into one removed/added pair.
    static func segments(_ operations: [Operation]) -> [Segment] {
        var output: [Segment] = []
        var unchanged = ""
        var removed = ""
        var added = ""

        func flush() {
            if !removed.isEmpty { output.append(.removed(removed)) }
            if !added.isEmpty { output.append(.added(added)) }
            removed = ""
            added = ""
        }

        func flushUnchanged() {
            if !unchanged.isEmpty { output.append(.unchanged(unchanged)) }
            unchanged = ""
        }

        /// Whether the change starting at `index` both removes and adds text.
        func changeReplaces(startingAt index: Int) -> Bool {
            var removes = false
            var adds = false
            var k = index
            while k < operations.count {
                switch operations[k] {
                case .equal: return removes && adds
                case .delete: removes = true
                case .insert: adds = true
                }
                k += 1
            }
            return removes && adds
        }

        for (index, operation) in operations.enumerated() {
            switch operation {
            case .delete(let token):
                flushUnchanged()
                removed += token
            case .insert(let token):
                flushUnchanged()
                added += token
            case .equal(let token):
                let isSpace = token.allSatisfy(\.isWhitespace)
                if isSpace, !removed.isEmpty, !added.isEmpty, index + 1 < operations.count,
                    !operations[index + 1].isEqual,
                    changeReplaces(startingAt: index + 1)
                {
                    removed += token
                    added += token
                } else {
                    flush()
                    unchanged += token
                }
            }
        }
        flush()
        flushUnchanged()
        return output
    }
}

extension TextDiff.Operation {
    var isEqual: Bool {
        if case .equal = self { return true }
        return false
    }
}
