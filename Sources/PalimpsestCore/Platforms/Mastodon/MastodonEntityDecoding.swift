/// Decoding helpers shared by the Mastodon entities: remote servers and forks vary, so fields
/// that do not make a post's version are read leniently.
extension KeyedDecodingContainer {
    /// An ID that Mastodon sends as a string; some API-compatible servers send a number.
    /// - Throws: `DecodingError` when the key is missing or holds neither a string nor an integer.
    func decodeMastodonID(forKey key: Key) throws -> String {
        if let text = try? self.decode(String.self, forKey: key) { return text }
        if let number = try? self.decode(Int64.self, forKey: key) { return String(number) }
        throw DecodingError.dataCorruptedError(
            forKey: key,
            in: self,
            debugDescription: "expected a Mastodon id (a string or an integer)"
        )
    }

    /// An optional ID (string or integer); `nil` when missing, null or of another type.
    func decodeMastodonIDIfPresent(forKey key: Key) -> String? {
        if let text = try? self.decodeIfPresent(String.self, forKey: key) { return text }
        if let number = try? self.decodeIfPresent(Int64.self, forKey: key) { return String(number) }
        return nil
    }

    /// A value that does not take part in a post's version: `nil` when missing, null or malformed.
    func decodeLeniently<Value: Decodable>(_ type: Value.Type, forKey key: Key) -> Value? {
        (try? self.decodeIfPresent(type, forKey: key)) ?? nil
    }
}
