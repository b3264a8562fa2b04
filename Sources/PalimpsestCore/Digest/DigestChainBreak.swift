/// One place where a deletion log's hash chain check failed, as the digest reports it: at the top
/// of `digest.md` and `digest.html`, in `digest.json` (`sources[].chain_breaks`), and on the
/// entries whose log lines it concerns (``DigestEntry/chainProblem``).
public struct DigestChainBreak: Sendable, Hashable, Codable {
    /// A log line the break casts doubt on, with the event id it holds now.
    public struct Suspect: Sendable, Hashable, Codable {
        /// The line number in the file, from 1.
        public var line: Int
        /// The `id` the line holds now (`nil` when the line has none).
        public var id: String?
        /// Why this line is in doubt, for a reader of the digest.
        public var note: String

        /// Creates a suspect line.
        public init(line: Int, id: String?, note: String) {
            self.line = line
            self.id = id
            self.note = note
        }
    }

    /// The line where the check failed, from 1.
    public var line: Int
    /// `broken_chain` (`prev` does not match the line before), `sequence_gap` or `duplicate_id`
    /// (``LogProblem/Kind``).
    public var kind: String
    /// The check's sentence (``LogProblem/message``).
    public var message: String
    /// The lines whose events may not be what was logged: for a broken chain the log line before
    /// (changed?) and this one (inserted, or lines removed before it); otherwise this one.
    public var suspects: [Suspect]

    /// Creates a chain break.
    public init(line: Int, kind: String, message: String, suspects: [Suspect]) {
        self.line = line
        self.kind = kind
        self.message = message
        self.suspects = suspects
    }

    /// The lines in doubt in words: `line 6`, `lines 5 and 6`.
    public var suspectLines: String {
        let lines = self.suspects.map(\.line).sorted()
        switch lines.count {
        case 0: return "line \(self.line)"
        case 1: return "line \(lines[0])"
        default: return "lines " + lines.dropLast().map(String.init).joined(separator: ", ") + " and \(lines.last!)"
        }
    }
}
