public import Foundation

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
    /// `[digest.smtp]`: where `--send` delivers the digest; `nil` when the table is absent.
    public var smtp: SMTPSettings?

    /// Settings with every default for a daemon whose `state_dir` is `stateDirectory`.
    /// - Parameter stateDirectory: The daemon's state folder; `dir` defaults to its `digests`
    ///   sub-folder.
    public init(stateDirectory: URL = DaemonSettings.defaultStateDirectory) {
        self.timeZone = TimeZone(identifier: "UTC")!
        self.directory = stateDirectory.appendingPathComponent(Self.defaultDirectoryName, isDirectory: true)
        self.extraLogs = []
        self.smtp = nil
    }
}
