public import Foundation

/// One key of a config table, declared once: the name the file uses, the kind of value it takes
/// (TOML type and accepted range), its default and what it means.
///
/// The tables of these keys (``ConfigSection``) drive the reader: unknown keys and their
/// did-you-mean suggestions, wrong types and out-of-range values (the reader's typed accessors take
/// the range from ``kind``), `palimpsest check-config --keys`, and the key tables of
/// `docs/configuration.md` (a test fails when the two differ).
public struct ConfigKey: Sendable, Hashable {
    /// What a key's value is, as TOML writes it, with the range the reader accepts.
    public enum Kind: Sendable, Hashable {
        /// A string. Further shape checks (a URL, an address, a zone name) belong to the section
        /// reader; ``ConfigKey/format`` then says in the docs what the string holds.
        case string
        /// A whole number in the range.
        case integer(ClosedRange<Int>)
        /// A fraction (an integer or floating-point number) in the range.
        case fraction(ClosedRange<Double>)
        /// A duration: a string such as `"10m"` or a whole number of seconds, in the range (seconds;
        /// an upper bound of `.infinity` means none).
        case duration(ClosedRange<TimeInterval>)
        /// A size: a string such as `"8MiB"` or a whole number of bytes, in the range (bytes).
        case byteSize(ClosedRange<Int>)
        /// `true` or `false`.
        case boolean
        /// A filesystem path (relative paths resolve against the config file's folder).
        case path(ConfigKey.PathKind)
        /// An array of strings; the text names the elements in the docs, e.g. `addresses`.
        case strings(String)
        /// A table, e.g. `[digest.smtp]`; the text says what it holds in the docs.
        case table(String)
        /// An array of tables (`[[account]]`, `tombstones = [{ … }]`).
        case tables(String)
    }

    /// What a path names.
    public enum PathKind: Sendable, Hashable {
        /// A file or a folder.
        case any
        /// A file: a trailing `/` is refused.
        case file
        /// A folder.
        case folder
    }

    /// The key as written in the file, e.g. `interval`.
    public var name: String
    /// The kind of value taken and the range accepted.
    public var kind: Kind
    /// What a string (or a list's elements) must look like, as the docs show it, when more than
    /// its kind says, e.g. `proxy URL or \`""\``; `nil` for the kind's own wording.
    public var format: String?
    /// `true` when every table of this section must have the key.
    public var isRequired: Bool
    /// The default as the docs show it (empty when the key is required).
    public var defaultValue: String
    /// What the key does (one Markdown line).
    public var meaning: String
    /// `false` for a key that opens a sub-table documented by its own table (`[digest] smtp`).
    public var isDocumented: Bool

    /// Declares a key.
    public init(
        _ name: String, _ kind: Kind, format: String? = nil, required isRequired: Bool = false,
        default defaultValue: String, _ meaning: String, isDocumented: Bool = true
    ) {
        self.name = name
        self.kind = kind
        self.format = format
        self.isRequired = isRequired
        self.defaultValue = defaultValue
        self.meaning = meaning
        self.isDocumented = isDocumented
    }

    /// The type column of the docs, made from ``kind``, ``format`` and ``isRequired``, e.g.
    /// `integer, 1 to 1024` or `duration, 30s to 7d`.
    public var type: String {
        let text = self.format ?? self.kind.summary
        return self.isRequired ? "\(text), required" : text
    }
}

extension ConfigKey.Kind {
    /// How the docs and `check-config --keys` name the kind and its range.
    public var summary: String {
        switch self {
        case .string:
            return "string"
        case .integer(let range):
            return "integer, \(range.lowerBound) to \(range.upperBound)"
        case .fraction(let range):
            return "number, \(Self.shortNumber(range.lowerBound)) to \(Self.shortNumber(range.upperBound))"
        case .duration(let range):
            let lower = DurationParser.string(from: range.lowerBound)
            guard range.upperBound.isFinite else {
                return range.lowerBound > 0 ? "duration, at least \(lower)" : "duration, ≥ 0"
            }
            return "duration, \(lower) to \(DurationParser.string(from: range.upperBound))"
        case .byteSize(let range):
            return
                "size, \(ByteSizeParser.string(from: range.lowerBound)) to \(ByteSizeParser.string(from: range.upperBound))"
        case .boolean:
            return "boolean"
        case .path(.any):
            return "path"
        case .path(.file):
            return "path (file)"
        case .path(.folder):
            return "path (folder)"
        case .strings(let elements):
            return "list of \(elements)"
        case .table(let text), .tables(let text):
            return text
        }
    }

    /// `0.5`, `0` (no trailing `.0`).
    private static func shortNumber(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// A table of the config file and the keys it accepts, declared once (see ``ConfigKey``).
public struct ConfigSection: Sendable {
    /// How error messages name the accepted keys, e.g. `[daemon] keys`.
    public var title: String
    /// Prefix of the key names in the docs table, e.g. `mass_deletion.` for `[alarms.mass_deletion]`
    /// listed in the `[alarms]` table; empty for most.
    public var documentationPrefix: String
    /// The keys, in the order the docs and messages list them.
    public var keys: [ConfigKey]

    /// Declares a table.
    public init(title: String, documentationPrefix: String = "", keys: [ConfigKey]) {
        self.title = title
        self.documentationPrefix = documentationPrefix
        self.keys = keys
    }

    /// The accepted key names, in order.
    public var names: [String] { self.keys.map(\.name) }

    /// The key named `name`. A name the table does not declare is a programming error (the
    /// section reader and its table disagree) and stops the process.
    public subscript(name: String) -> ConfigKey {
        guard let key = self.keys.first(where: { $0.name == name }) else {
            preconditionFailure("\(self.title) declare no key `\(name)`")
        }
        return key
    }

    /// The Markdown rows of the documented keys (no header).
    public var markdownRows: [String] {
        self.keys.filter(\.isDocumented).map { key in
            let defaultCell = key.defaultValue.isEmpty ? " " : " \(key.defaultValue) "
            return "| `\(self.documentationPrefix)\(key.name)` | \(key.type) |\(defaultCell)| \(key.meaning) |"
        }
    }
}

/// The key tables of the whole config file, as `docs/configuration.md` shows them.
public enum ConfigKeyTables {
    /// One generated table of `docs/configuration.md`: the marker name and the sections whose
    /// keys it lists.
    public struct Table: Sendable {
        /// The name in the markers `<!-- keys: NAME -->` … `<!-- /keys -->`.
        public var name: String
        /// The sections listed, in order.
        public var sections: [ConfigSection]

        /// How `check-config --keys` heads the table, e.g. `[daemon]` or `[[account]] platform = "weibo"`.
        public var heading: String {
            switch self.name {
            case "top-level": return "top-level tables"
            case "account": return "[[account]] (every platform)"
            case "alert": return "[[alert]]"
            default:
                if self.name.hasPrefix("account.") {
                    return "[[account]] platform = \"\(self.name.dropFirst("account.".count))\""
                }
                return "[\(self.name)]"
            }
        }

        /// The table in Markdown: a header and one row per documented key.
        public var markdown: String {
            (["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
                + self.sections.flatMap(\.markdownRows)).joined(separator: "\n")
        }
    }

    /// Every generated table, in the order of `docs/configuration.md`.
    public static var all: [Table] {
        [
            Table(name: "top-level", sections: [ConfigSections.topLevel]),
            Table(name: "daemon", sections: [ConfigSections.daemon]),
            Table(name: "account", sections: [ConfigSections.account]),
        ]
            + PlatformSources.all.map { Table(name: "account.\($0.platform.rawValue)", sections: [$0.keys]) }
            + [
                Table(name: "digest", sections: [ConfigSections.digest]),
                Table(name: "digest.smtp", sections: [ConfigSections.smtp]),
                Table(name: "alert", sections: [ConfigSections.alert]),
                Table(name: "alarms", sections: [ConfigSections.alarms, ConfigSections.massDeletion]),
                Table(name: "feed_out", sections: [ConfigSections.feedOut]),
                Table(name: "evidence", sections: [ConfigSections.evidence]),
            ]
    }

    /// `markdown` with the text between each `<!-- keys: NAME -->` and `<!-- /keys -->` marker
    /// replaced by the generated table `NAME`; markers naming no table are left as they are.
    public static func updating(_ markdown: String) -> String {
        var lines = markdown.components(separatedBy: "\n")
        var index = 0
        while index < lines.count {
            let line = lines[index]
            guard line.hasPrefix("<!-- keys: "), line.hasSuffix(" -->") else {
                index += 1
                continue
            }
            let name = String(line.dropFirst("<!-- keys: ".count).dropLast(" -->".count))
            guard let table = self.all.first(where: { $0.name == name }),
                let end = lines[(index + 1)...].firstIndex(of: "<!-- /keys -->")
            else {
                index += 1
                continue
            }
            let rows = table.markdown.components(separatedBy: "\n")
            lines.replaceSubrange((index + 1)..<end, with: rows)
            index += rows.count + 2
        }
        return lines.joined(separator: "\n")
    }

    /// The names of the tables `markdown` has markers for.
    public static func markedTables(in markdown: String) -> [String] {
        markdown.components(separatedBy: "\n").compactMap { line in
            guard line.hasPrefix("<!-- keys: "), line.hasSuffix(" -->") else { return nil }
            return String(line.dropFirst("<!-- keys: ".count).dropLast(" -->".count))
        }
    }
}
