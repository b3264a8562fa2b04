/// Why a body could not be read as a feed. A parse failure is never evidence: the poll is blind
/// (rule of evidence 1).
public struct FeedParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure.
    public enum Kind: String, Sendable, Hashable {
        /// The body is empty or only whitespace.
        case empty
        /// The body is an HTML page (a login wall, an error or anti-bot page, a moved site).
        case htmlPage = "html_page"
        /// The body is neither XML nor JSON, or XML/JSON that is not RSS, Atom or JSON Feed.
        case unknownFormat = "unknown_format"
        /// The body is not well-formed XML (truncated, broken markup).
        case malformedXML = "malformed_xml"
        /// The body is not valid JSON, or JSON Feed with a field of the wrong type.
        case malformedJSON = "malformed_json"
        /// The document declares a character encoding this system cannot decode.
        case unsupportedEncoding = "unsupported_encoding"
        /// Elements (XML) or arrays and objects (JSON) nest deeper than the parsers read
        /// (``FeedParser/maximumDepth``): a broken or hostile body.
        case tooDeep = "too_deep"
    }

    /// The class of failure.
    public var kind: Kind
    /// The feed format being read when it failed, when known.
    public var format: FeedFormat?
    /// What is wrong, in words an operator can act on.
    public var message: String
    /// The 1-based line of the XML document where the parser stopped, for XML errors.
    public var line: Int?
    /// The 1-based column on ``line``, for XML errors.
    public var column: Int?

    /// Creates a parse error.
    public init(kind: Kind, format: FeedFormat?, message: String, line: Int? = nil, column: Int? = nil) {
        self.kind = kind
        self.format = format
        self.message = message
        self.line = line
        self.column = column
    }

    /// One line: the format, the place and the message, e.g.
    /// `malformed_xml (RSS, line 12, column 4): …`.
    public var description: String {
        var parts: [String] = []
        if let format = self.format { parts.append(format.displayName) }
        if let line = self.line { parts.append("line \(line)" + (self.column.map { ", column \($0)" } ?? "")) }
        let place = parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
        return "\(self.kind.rawValue)\(place): \(self.message)"
    }
}
