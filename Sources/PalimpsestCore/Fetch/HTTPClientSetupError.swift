/// A ``CurlHTTPClient`` could not be created: libcurl failed to initialise or a configuration value
/// is unusable. The message names the value and says what is expected.
public struct HTTPClientSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong and what to change.
    public var message: String

    /// Creates the error with an operator-facing message.
    public init(_ message: String) {
        self.message = message
    }

    /// The message prefixed with what failed.
    public var description: String { "HTTP client setup failed: \(self.message)" }
}
