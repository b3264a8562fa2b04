/// The parts of an at-URI `at://<authority>/<collection>/<record key>` (AT Protocol URI scheme).
struct BlueskyURI: Sendable, Hashable {
    /// The repository: a DID (`did:plc:…`) or a handle.
    var authority: String
    /// The record's collection NSID, e.g. `app.bsky.feed.post`.
    var collection: String
    /// The record key, e.g. `3lix6ufungs22`.
    var recordKey: String

    /// Splits `text`, or `nil` when it is not an at-URI with exactly these three parts made only of
    /// the characters at-URIs use (letters, digits, `.`, `-`, `_`, `:`, `~`, `%`): an answer cannot
    /// smuggle a query or another path into a request built from it.
    init?(_ text: String) {
        guard text.hasPrefix("at://"), text.utf8.count <= 8192 else { return nil }
        let parts = text.dropFirst("at://".count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && Self.isPlain($0) }) else { return nil }
        self.authority = String(parts[0])
        self.collection = String(parts[1])
        self.recordKey = String(parts[2])
    }

    /// True when `did` looks like a DID (`did:<method>:<id>`, DID spec characters, at most 2048
    /// bytes), the form the adapter keys accounts by.
    static func isPlausibleDID(_ did: String) -> Bool {
        let parts = did.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        return did.utf8.count <= 2048 && parts.count == 3 && parts[0] == "did" && !parts[1].isEmpty
            && !parts[2].isEmpty && self.isPlain(Substring(did))
    }

    private static func isPlain(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"),
                UInt8(ascii: ":"), UInt8(ascii: "~"), UInt8(ascii: "%"):
                return true
            default:
                return false
            }
        }
    }
}
