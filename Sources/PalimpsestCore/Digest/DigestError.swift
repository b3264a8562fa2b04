/// The digest could not be made or sent. The message names the file, week or server and says what
/// to do.
public struct DigestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// What the operator can do about it.
    public var advice: String?

    /// Creates an error.
    public init(_ message: String, advice: String? = nil) {
        self.message = message
        self.advice = advice
    }

    /// The message, then the advice.
    public var description: String {
        self.advice.map { "\(self.message): \($0)" } ?? self.message
    }
}
