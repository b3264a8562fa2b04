/// One problem found in a config file: where it is and what was expected.
///
/// ``description`` reads like a compiler message, e.g.
/// `/etc/palimpsest/palimpsest.toml:14:1: account #2 ("Xinhua"): key `url`: expected an http(s)
/// URL, found "ftp://example.com/feed"`. ``ConfigLoader`` reports every problem of a file at once,
/// wrapped in a ``ConfigValidationError``.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path of the config file.
    public var file: String
    /// The 1-based line of the problem in the file, when known.
    public var line: Int?
    /// The 1-based column of the problem in the line, when known.
    public var column: Int?
    /// The 1-based index of the `[[account]]` table the problem is in (in file order), if any.
    public var accountIndex: Int?
    /// The `name` of that account, if it has one.
    public var accountName: String?
    /// The 1-based index of the `[[alert]]` table the problem is in (in file order), if any.
    public var sinkIndex: Int?
    /// The `name` of that sink, if it has one.
    public var sinkName: String?
    /// The dotted key the problem is about, e.g. `daemon.interval`, `account.url`,
    /// `account.headers.Cookie`; `nil` for problems with the file as a whole.
    public var key: String?
    /// What was wrong and what was expected.
    public var message: String

    /// Creates a config error; every field but `file` and `message` is optional context.
    public init(
        file: String,
        line: Int? = nil,
        column: Int? = nil,
        accountIndex: Int? = nil,
        accountName: String? = nil,
        sinkIndex: Int? = nil,
        sinkName: String? = nil,
        key: String? = nil,
        message: String
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.accountIndex = accountIndex
        self.accountName = accountName
        self.sinkIndex = sinkIndex
        self.sinkName = sinkName
        self.key = key
        self.message = message
    }

    /// `file[:line[:column]]: [account #N ("name"): ][sink #N ("name"): ][key `k`: ]message`.
    /// Inside an account the key is shown without its `account.` prefix, inside a sink without
    /// its `alert.` prefix.
    /// Names and values quoted from the file are shown on one line without control or
    /// bidirectional characters (``TerminalText/singleLine(_:)``).
    public var description: String {
        var text = TerminalText.singleLine(self.file)
        if let line = self.line {
            text += ":\(line)"
            if let column = self.column { text += ":\(column)" }
        }
        text += ": "
        if let index = self.accountIndex {
            text += "account #\(index)"
            if let name = self.accountName { text += " (\"\(TerminalText.singleLine(name))\")" }
            text += ": "
        }
        if let index = self.sinkIndex {
            text += "sink #\(index)"
            if let name = self.sinkName { text += " (\"\(TerminalText.singleLine(name))\")" }
            text += ": "
        }
        if var key = self.key {
            if self.accountIndex != nil, key.hasPrefix("account.") { key.removeFirst("account.".count) }
            if self.sinkIndex != nil, key.hasPrefix("alert.") { key.removeFirst("alert.".count) }
            text += "key `\(key)`: "
        }
        return text + TerminalText.singleLine(self.message)
    }
}
