/// Everything wrong with a config file: ``ConfigLoader/load(from:)`` and
/// ``ConfigLoader/parse(_:file:)`` throw this, with every problem they found (never an empty list),
/// so an operator can fix them all in one go.
///
/// A missing or unreadable file, or a TOML syntax error, is a single ``ConfigError``; semantic
/// problems (unknown keys, wrong types, bad values, duplicate accounts) are all collected, in
/// file order.
public struct ConfigValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems, in file order (those without a known line last).
    public var errors: [ConfigError]

    /// Wraps the given problems.
    public init(errors: [ConfigError]) {
        self.errors = errors
    }

    /// One ``ConfigError/description`` per line, no trailing newline.
    public var description: String {
        self.errors.map(\.description).joined(separator: "\n")
    }
}
