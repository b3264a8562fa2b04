/// One row of a platform's answer table: which answers it matches, what they mean, and where that
/// fact comes from.
///
/// Every platform reads the answers that are not plain content (errors, tombstone pages, login
/// walls, rate limits) through one ``AnswerTable`` of these rows: the platform's `Match` says what
/// a row looks for (an HTTP status, an error name, a message), its `Meaning` what a match proves.
/// A new platform message is one row to add, with its source.
public struct AnswerRule<Match: Sendable & Hashable, Meaning: Sendable & Hashable>: Sendable, Hashable {
    /// The answers this row matches.
    public var match: Match
    /// What they mean.
    public var meaning: Meaning
    /// Where the fact comes from: a FORMATS.md section, an RFC, a platform's source file, a
    /// recorded fixture, or `config` for an operator's own rule. Never empty.
    public var source: String

    /// Creates a row.
    public init(match: Match, meaning: Meaning, source: String) {
        self.match = match
        self.meaning = meaning
        self.source = source
    }
}

/// A platform's answer table: rows read in order, the first that matches decides; an answer no
/// row matches proves nothing by the table.
public struct AnswerTable<Match: Sendable & Hashable, Meaning: Sendable & Hashable>: Sendable, Hashable,
    RandomAccessCollection, ExpressibleByArrayLiteral
{
    /// The rows, in the order they are tried.
    public var rules: [AnswerRule<Match, Meaning>]

    /// Creates a table of `rules`, tried in this order.
    public init(_ rules: [AnswerRule<Match, Meaning>]) {
        self.rules = rules
    }

    public init(arrayLiteral rules: AnswerRule<Match, Meaning>...) {
        self.rules = rules
    }

    public var startIndex: Int { self.rules.startIndex }
    public var endIndex: Int { self.rules.endIndex }
    public subscript(position: Int) -> AnswerRule<Match, Meaning> { self.rules[position] }

    /// The first row whose match `matches` accepts, or `nil` when none does.
    public func firstMatch(_ matches: (Match) throws -> Bool) rethrows -> AnswerRule<Match, Meaning>? {
        try self.rules.first { try matches($0.match) }
    }

    /// This table with `rows` tried before its own rows, and without its rows that match exactly
    /// what one of `rows` matches: a platform's overrides of a shared table.
    public func overridden(by rows: [AnswerRule<Match, Meaning>]) -> AnswerTable {
        AnswerTable(rows + self.rules.filter { rule in !rows.contains { $0.match == rule.match } })
    }
}
