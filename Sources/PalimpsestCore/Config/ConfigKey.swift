import Foundation

/// One key of a config table, declared once: the name the file uses, the type of value it takes,
/// its default and what it means.
///
/// The tables of these keys (``ConfigSection``) drive the reader's unknown-key check and its
/// did-you-mean suggestions, `palimpsest check-config --keys`, and the key tables of
/// `docs/configuration.md` (a test fails when the two differ).
public struct ConfigKey: Sendable, Hashable {
    /// The key as written in the file, e.g. `interval`.
    public var name: String
    /// The kind of value taken, with its range, as the docs show it (e.g. `duration, 30 s to 7 d`).
    public var type: String
    /// The default as the docs show it (empty when the key is required and says so in `type`).
    public var defaultValue: String
    /// What the key does (one Markdown line).
    public var meaning: String
    /// `false` for a key that opens a sub-table documented by its own table (`[digest] smtp`).
    public var isDocumented: Bool

    /// Declares a key.
    public init(
        _ name: String, _ type: String, default defaultValue: String, _ meaning: String, isDocumented: Bool = true
    ) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.meaning = meaning
        self.isDocumented = isDocumented
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
