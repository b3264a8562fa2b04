/// ``ReplayServer`` could not start: a socket call failed. The message names the call and the
/// system's reason.
public struct ReplayServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed and why.
    public var message: String

    /// Creates the error.
    public init(_ message: String) {
        self.message = message
    }

    /// The message prefixed with what failed.
    public var description: String { "replay server: \(self.message)" }
}
