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

    /// The inline diff from `old` to `new`, at most `maximumBytes` of UTF-8: when the whole diff is
    /// longer (a long post with a few changed words), unchanged runs keep only some characters of
    /// context next to each change and the rest becomes `…`, so every change stays visible; only when
    /// the changes alone are longer is the diff cut.
    /// - Parameters:
    ///   - old: the previous text.
    ///   - new: the current text.
    ///   - maximumBytes: the most UTF-8 bytes of the result.
    /// - Returns: the diff, and whether anything was left out.
    public static func inline(from old: String, to new: String, maximumBytes: Int) -> (diff: String, isShortened: Bool)
    {
        let segments = self.segments(from: old, to: new)
        let full = self.render(segments, context: nil)
        guard full.utf8.count > maximumBytes else { return (full, false) }
        for context in [240, 120, 60, 24, 8, 0] {
            let shortened = self.render(segments, context: context)
            if shortened.utf8.count <= maximumBytes { return (shortened, true) }
        }
        return (
            String(decoding: self.render(segments, context: 0).utf8.prefix(maximumBytes), as: UTF8.self)
                .trimmingPartialCharacter(), true
        )
    }

    /// Renders segments; with a `context`, unchanged runs keep that many characters next to each
    /// change and the rest becomes `…`.
    static func render(_ segments: [Segment], context: Int?) -> String {
        var output = ""
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .unchanged(let text):
                guard let context else {
                    output += text
                    continue
                }
                let isFirst = index == 0
                let isLast = index == segments.count - 1
                let characters = Array(text)
                let keep = (isFirst ? 0 : context) + (isLast ? 0 : context)
                if characters.count <= keep + 1 {
                    output += text
                } else {
                    if !isFirst { output += String(characters.prefix(context)) }
                    output += "…"
                    if !isLast { output += String(characters.suffix(context)) }
                }
            case .removed(let text): output += "[-\(text)-]"
            case .added(let text): output += "{+\(text)+}"
            }
        }
        return output
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
        if oldMiddle.count * newMiddle.count <= self.maximumCells {
            result += self.lcsOperations(from: oldMiddle, to: newMiddle)
        } else if let few = self.fewEditOperations(from: oldMiddle, to: newMiddle, maximumEdits: self.maximumEdits) {
            // A long text with a few changes far apart: still every change, word by word.
            result += few
        } else {
            result += oldMiddle.map(Operation.delete)
            result += newMiddle.map(Operation.insert)
        }
        result += a[(a.count - suffix)...].map(Operation.equal)
        return result
    }

    /// Most token insertions plus deletions ``fewEditOperations(from:to:maximumEdits:)`` looks for
    /// before a long text is shown as one replacement.
    static let maximumEdits = 1_000

    /// A shortest edit script found by Myers' greedy algorithm (An O(ND) Difference Algorithm and Its
    /// Variations, 1986), in time and memory bounded by the number of edits rather than the product
    /// of the lengths; `nil` when more than `maximumEdits` insertions and deletions are needed.
    static func fewEditOperations(from a: [String], to b: [String], maximumEdits: Int) -> [Operation]? {
        let n = a.count
        let m = b.count
        let limit = min(maximumEdits, n + m)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        var trace: [[Int]] = []
        var found = false
        search: for d in 0...limit {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = v[offset + k + 1]
                } else {
                    x = v[offset + k - 1] + 1
                }
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n, y >= m {
                    found = true
                    break search
                }
            }
        }
        guard found else { return nil }
        // Walk back through the saved rows from (n, m) to (0, 0).
        var operations: [Operation] = []
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let row = trace[d]
            let k = x - y
            let previousK: Int
            if k == -d || (k != d && row[offset + k - 1] < row[offset + k + 1]) {
                previousK = k + 1
            } else {
                previousK = k - 1
            }
            let previousX = d == 0 ? 0 : row[offset + previousK]
            let previousY = previousX - previousK
            while x > previousX, y > previousY {
                x -= 1
                y -= 1
                operations.append(.equal(a[x]))
            }
            if d > 0 {
                if x == previousX {
                    y -= 1
                    operations.append(.insert(b[y]))
                } else {
                    x -= 1
                    operations.append(.delete(a[x]))
                }
            }
        }
        operations.reverse()
        // Deletions before insertions within each change, as the exact comparison orders them.
        var ordered: [Operation] = []
        var deletes: [Operation] = []
        var inserts: [Operation] = []
        for operation in operations {
            switch operation {
            case .equal:
                ordered += deletes + inserts
                deletes = []
                inserts = []
                ordered.append(operation)
            case .delete: deletes.append(operation)
            case .insert: inserts.append(operation)
            }
        }
        return ordered + deletes + inserts
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
        self.render(self.segments(operations), context: nil)
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

extension String {
    /// The string without a trailing U+FFFD that a cut in the middle of a UTF-8 sequence left.
    fileprivate func trimmingPartialCharacter() -> String {
        self.hasSuffix("\u{FFFD}") ? String(self.dropLast()) : self
    }
}
