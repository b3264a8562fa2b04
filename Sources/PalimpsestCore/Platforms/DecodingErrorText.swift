import Foundation

/// Readable text for a JSON decoding failure: what was wrong and where (`at [3].created_at`), for
/// the `unparsable` failures every JSON adapter reports.
enum DecodingErrorText {
    /// `error`'s description, with the coding path when it is a `DecodingError`.
    static func describe(_ error: any Error) -> String {
        guard let decodingError = error as? DecodingError else { return String(describing: error) }
        let context: DecodingError.Context
        switch decodingError {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            context = c
        @unknown default:
            return String(describing: error)
        }
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return path.isEmpty ? context.debugDescription : "\(context.debugDescription) at \(path)"
    }
}
