import Foundation

/// Writes one ``DigestAccount`` as `digest.json` holds it, the bytes ``DocumentJSONEncoder`` gives
/// (keys sorted, indented by two spaces, `"key" : value`, dates as RFC 3339 UTC, an absent
/// optional left out), field by field: the generic encoder's tree of nodes (a class per object
/// and per value of a wrapped type, each looked up through the `Encodable` witnesses) was ~70% of
/// writing `digest.json` for a week of 100,000 events. Each entry's `event` (every field of
/// `docs/deletion-log.md`) still goes through the generic encoder, so that the log's format has
/// one definition. `DigestAccountJSONTests` compares the two writers byte for byte on accounts
/// whose every field is set, and on ones whose optional fields are absent.
enum DigestAccountJSON {
    /// Appends `account` at `depth` levels of indentation (the opening brace goes where the
    /// caller is), as `JSONNode.write` appends the account's node.
    /// - Throws: What encoding an event throws (`EncodingError` for a value JSON cannot hold).
    static func write(
        _ account: DigestAccount, depth: Int, into output: inout [UInt8], orders: inout JSONKeyOrders
    ) throws {
        var object = IndentedJSONObject(depth: depth, into: &output)
        object.key("account", into: &output)
        JSONNode.writeString(account.account.rawValue, into: &output)
        object.key("configured", into: &output)
        output.append(contentsOf: (account.isConfigured ? "true" : "false").utf8)
        object.key("coverage", into: &output)
        try Self.write(account.coverage, depth: depth + 1, into: &output)
        object.key("entries", into: &output)
        try IndentedJSONArray.write(account.entries, depth: depth + 1, into: &output) { entry, depth, output in
            try Self.write(entry, depth: depth, into: &output, orders: &orders)
        }
        if let name = account.name {
            object.key("name", into: &output)
            JSONNode.writeString(name, into: &output)
        }
        object.key("platform", into: &output)
        JSONNode.writeString(account.platform.rawValue, into: &output)
        object.close(into: &output)
    }

    private static func write(
        _ entry: DigestEntry, depth: Int, into output: inout [UInt8], orders: inout JSONKeyOrders
    ) throws {
        var object = IndentedJSONObject(depth: depth, into: &output)
        if let text = entry.archivedText {
            object.key("archived_text", into: &output)
            JSONNode.writeString(text, into: &output)
        }
        if let versions = entry.archivedVersions {
            object.key("archived_versions", into: &output)
            output.append(contentsOf: String(versions).utf8)
        }
        if let problem = entry.chainProblem {
            object.key("chain_problem", into: &output)
            var inner = IndentedJSONObject(depth: depth + 1, into: &output)
            inner.key("line", into: &output)
            output.append(contentsOf: String(problem.line).utf8)
            inner.key("note", into: &output)
            JSONNode.writeString(problem.note, into: &output)
            inner.close(into: &output)
        }
        object.key("event", into: &output)
        try JSONNode.write(
            try JSONNodeEncoder.box(entry.event) ?? .object(JSONObjectBox()), depth: depth + 1, into: &output,
            orders: &orders, flush: { _ in })
        object.key("evidence_checks", into: &output)
        IndentedJSONArray.write(entry.evidenceChecks, depth: depth + 1, into: &output) { check, depth, output in
            var inner = IndentedJSONObject(depth: depth, into: &output)
            inner.key("sha256", into: &output)
            JSONNode.writeString(check.sha256, into: &output)
            inner.key("status", into: &output)
            JSONNode.writeString(check.status.rawValue, into: &output)
            inner.close(into: &output)
        }
        object.key("links", into: &output)
        Self.write(entry.links, depth: depth + 1, into: &output)
        object.key("log", into: &output)
        JSONNode.writeString(entry.log, into: &output)
        object.key("media", into: &output)
        Self.write(entry.media, depth: depth + 1, into: &output)
        if let title = entry.title {
            object.key("title", into: &output)
            JSONNode.writeString(title, into: &output)
        }
        object.close(into: &output)
    }

    private static func write(_ coverage: DigestCoverage, depth: Int, into output: inout [UInt8]) throws {
        var object = IndentedJSONObject(depth: depth, into: &output)
        object.key("blind_spans", into: &output)
        IndentedJSONArray.write(coverage.blindSpans, depth: depth + 1, into: &output) { span, depth, output in
            var inner = IndentedJSONObject(depth: depth, into: &output)
            inner.key("failed_polls", into: &output)
            output.append(contentsOf: String(span.failedPolls).utf8)
            inner.key("failure_kind", into: &output)
            JSONNode.writeString(span.failureKind, into: &output)
            inner.key("failure_message", into: &output)
            JSONNode.writeString(span.failureMessage, into: &output)
            inner.key("from", into: &output)
            Self.write(span.from, into: &output)
            inner.key("seconds_in_week", into: &output)
            output.append(contentsOf: String(span.secondsInWeek).utf8)
            if let to = span.to {
                inner.key("to", into: &output)
                Self.write(to, into: &output)
            }
            inner.close(into: &output)
        }
        object.key("expected_s", into: &output)
        output.append(contentsOf: String(coverage.expectedSeconds).utf8)
        object.key("observed_s", into: &output)
        output.append(contentsOf: String(coverage.observedSeconds).utf8)
        object.key("share", into: &output)
        // As `DigestCoverage.encode(to:)` rounds it: four decimals.
        guard case .number(let share) = try JSONNode.number((coverage.share * 10_000).rounded() / 10_000) else {
            preconditionFailure("JSONNode.number makes a number")
        }
        output.append(contentsOf: share.utf8)
        object.key("unobserved_gaps", into: &output)
        IndentedJSONArray.write(coverage.unobserved, depth: depth + 1, into: &output) { gap, depth, output in
            var inner = IndentedJSONObject(depth: depth, into: &output)
            inner.key("from", into: &output)
            Self.write(gap.from, into: &output)
            inner.key("seconds_in_week", into: &output)
            output.append(contentsOf: String(gap.secondsInWeek).utf8)
            inner.key("to", into: &output)
            Self.write(gap.to, into: &output)
            inner.close(into: &output)
        }
        if let from = coverage.watchedFrom {
            object.key("watched_from", into: &output)
            Self.write(from, into: &output)
        }
        if let to = coverage.watchedTo {
            object.key("watched_to", into: &output)
            Self.write(to, into: &output)
        }
        object.close(into: &output)
    }

    /// A list of strings, one per line.
    private static func write(_ strings: [String], depth: Int, into output: inout [UInt8]) {
        IndentedJSONArray.write(strings, depth: depth, into: &output) { string, _, output in
            JSONNode.writeString(string, into: &output)
        }
    }

    /// A date as the document encoder writes it: an RFC 3339 UTC string.
    private static func write(_ date: Date, into output: inout [UInt8]) {
        JSONNode.writeString(RFC3339.string(from: date), into: &output)
    }
}

/// An object being written as `JSONNode.write` writes one: `{` and a line feed; each member on
/// its own line, one level deeper, `"key" : value`, members separated by `,` and a line feed; a
/// line feed, the object's indentation and `}` (an empty object is `{`, an empty line and `}`).
private struct IndentedJSONObject {
    let depth: Int
    private var isFirst = true

    /// Opens the object.
    init(depth: Int, into output: inout [UInt8]) {
        self.depth = depth
        output.append(contentsOf: "{\n".utf8)
    }

    /// Starts a member: its key, ASCII that needs no escape (the caller writes the value).
    mutating func key(_ key: StaticString, into output: inout [UInt8]) {
        if !self.isFirst { output.append(contentsOf: ",\n".utf8) }
        self.isFirst = false
        IndentedJSON.indent(self.depth + 1, into: &output)
        output.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { output.append(contentsOf: $0) }
        output.append(contentsOf: "\" : ".utf8)
    }

    /// Closes the object.
    func close(into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\n"))
        IndentedJSON.indent(self.depth, into: &output)
        output.append(UInt8(ascii: "}"))
    }
}

/// An array being written as `JSONNode.write` writes one (as ``IndentedJSONObject``, without keys).
private struct IndentedJSONArray {
    let depth: Int
    private var isFirst = true

    /// Opens the array.
    init(depth: Int, into output: inout [UInt8]) {
        self.depth = depth
        output.append(contentsOf: "[\n".utf8)
    }

    /// Starts an element (the caller writes it).
    mutating func element(into output: inout [UInt8]) {
        if !self.isFirst { output.append(contentsOf: ",\n".utf8) }
        self.isFirst = false
        IndentedJSON.indent(self.depth + 1, into: &output)
    }

    /// Closes the array.
    func close(into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\n"))
        IndentedJSON.indent(self.depth, into: &output)
        output.append(UInt8(ascii: "]"))
    }

    /// The array of `elements` at `depth`, each written by `element` at the depth it is given.
    static func write<Element, Failure: Error>(
        _ elements: [Element], depth: Int, into output: inout [UInt8],
        element: (Element, Int, inout [UInt8]) throws(Failure) -> Void
    ) throws(Failure) {
        var array = IndentedJSONArray(depth: depth, into: &output)
        for value in elements {
            array.element(into: &output)
            try element(value, depth + 1, &output)
        }
        array.close(into: &output)
    }
}

private enum IndentedJSON {
    /// Two spaces per level.
    static func indent(_ depth: Int, into output: inout [UInt8]) {
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }
}
