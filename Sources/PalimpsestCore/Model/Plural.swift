/// Counted nouns in messages: `1 event`, `2 events`, never `1 events` or `event(s)`.
public enum Plural {
    /// `count` and the noun in the right number.
    /// - Parameters:
    ///   - count: How many.
    ///   - singular: The noun for one, e.g. `event`, `failed poll`.
    ///   - plural: The noun for any other count; `singular` + `s` when `nil`.
    /// - Returns: `1 event`, `0 events`, `2 failed polls`.
    public static func count(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
    }

    /// `once`, `twice`, `3 times`: how often something happened.
    public static func times(_ count: Int) -> String {
        switch count {
        case 1: return "once"
        case 2: return "twice"
        default: return "\(count) times"
        }
    }
}
