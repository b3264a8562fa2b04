/// A single config value that cannot be read as what its key expects (a duration, a byte size).
///
/// ``DurationParser`` and ``ByteSizeParser`` throw it; ``ConfigLoader`` turns it into a
/// ``ConfigError`` that also names the file, the account and the key.
public struct ConfigValueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text that was rejected, exactly as written in the config.
    public var text: String
    /// What was wrong and what was expected, e.g.
    /// `expected a duration such as "90s", "10m" or "1h30m", found "10x"`.
    public var message: String

    /// Creates an error for the rejected `text` with an explaining `message`.
    public init(text: String, message: String) {
        self.text = text
        self.message = message
    }

    public var description: String { self.message }
}
