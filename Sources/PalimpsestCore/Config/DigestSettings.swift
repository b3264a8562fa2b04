public import Foundation
import TOMLKit

/// The `[digest]` table of the config: how `palimpsest digest` builds the weekly digest. Every key
/// has a default (see `docs/configuration.md` and `docs/digest.md`).
public struct DigestSettings: Sendable, Hashable {
    /// The name of the default `dir` inside `state_dir`.
    public static let defaultDirectoryName = "digests"

    /// `time_zone`: the IANA time zone (e.g. `Asia/Shanghai`) whose ISO weeks the digest covers and
    /// in which it shows times. Default UTC.
    public var timeZone: TimeZone
    /// `dir`: the folder that receives one sub-folder per week (`2026-W48/`). Default
    /// `<state_dir>/digests`; a relative path resolves against the config file's folder.
    public var directory: URL
    /// `logs`: more deletion logs to read besides `[daemon] deletion_log` (for example copies from
    /// other hosts), in the order written. Default none.
    public var extraLogs: [URL]
    /// `entries_in_full`: the most entries `digest.md` and `digest.html` show in full
    /// (``DigestDetailPlan``); 0 shows every entry. Default
    /// ``DigestDetailPlan/defaultEntryLimit``.
    public var entriesInFull: Int
    /// `[digest.smtp]`: where `--send` delivers the digest; `nil` when the table is absent.
    public var smtp: SMTPSettings?

    /// The largest `entries_in_full` accepted (beyond it, write 0 for every entry).
    public static let maximumEntriesInFull = 10_000_000

    /// Settings with every default for a daemon whose `state_dir` is `stateDirectory`.
    /// - Parameter stateDirectory: The daemon's state folder; `dir` defaults to its `digests`
    ///   sub-folder.
    public init(stateDirectory: URL = DaemonSettings.defaultStateDirectory) {
        self.timeZone = TimeZone(identifier: "UTC")!
        self.directory = stateDirectory.appendingPathComponent(Self.defaultDirectoryName, isDirectory: true)
        self.extraLogs = []
        self.entriesInFull = DigestDetailPlan.defaultEntryLimit
        self.smtp = nil
    }
}

// MARK: - Reading `[digest]`

extension DigestSettings {
    /// Reads `[digest]` (keys: ``ConfigSections/digest``) and its `[digest.smtp]`; `dir` defaults
    /// to `<stateDirectory>/digests`. Problems are reported in `reader`, naming the key.
    init(reading table: TOMLTable, stateDirectory: URL, with reader: inout ConfigReader) {
        self = Self.read(table, stateDirectory: stateDirectory, with: &reader)
    }

    private static func read(_ table: TOMLTable, stateDirectory: URL, with reader: inout ConfigReader) -> DigestSettings
    {
        let scope = ConfigReader.Scope.digest
        let keys = ConfigSections.digest
        reader.reportUnknownKeys(of: table, in: keys, scope: scope)
        var settings = DigestSettings(stateDirectory: stateDirectory)
        if let text = reader.string(keys["time_zone"], in: table, scope: scope) {
            if let zone = TimeZone(identifier: text), !text.isEmpty {
                settings.timeZone = zone
            } else {
                reader.report(
                    "expected an IANA time zone name such as \"UTC\", \"Asia/Shanghai\" or \"Europe/Berlin\", "
                        + "found \(ConfigReader.quote(text))",
                    key: "time_zone",
                    in: scope
                )
            }
        }
        settings.directory = reader.path(keys["dir"], in: table, scope: scope) ?? settings.directory
        for text in reader.strings(keys["logs"], in: table, scope: scope) ?? [] {
            if let problem = ConfigReader.problem(ofPath: text, kind: .file) {
                reader.report("a deletion log to read: \(problem)", key: "logs", in: scope)
                continue
            }
            settings.extraLogs.append(reader.resolvedPath(text))
        }
        settings.entriesInFull =
            reader.integer(keys["entries_in_full"], in: table, scope: scope) ?? settings.entriesInFull
        if let smtp = reader.table(keys["smtp"], in: table, scope: scope) {
            settings.smtp = SMTPSettings(reading: smtp, with: &reader)
        }
        return settings
    }
}
