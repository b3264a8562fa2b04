public import Foundation
import TOMLKit

/// The `[evidence]` table of the config: signed checkpoints of the deletion log and their trusted
/// timestamps. Every key has a default (see `docs/configuration.md` and `docs/evidence.md`).
public struct EvidenceSettings: Sendable, Hashable {
    /// The name of the default `signing_key_file` inside `state_dir`.
    public static let defaultSigningKeyName = "checkpoint-key.pem"

    /// `signing_key_file`: the Ed25519 private key (PKCS#8 PEM, written by `palimpsest keygen`)
    /// that signs checkpoints. Default `<state_dir>/checkpoint-key.pem`. Without the file no
    /// checkpoint is written (the daemon says so at start-up).
    public var signingKeyFile: URL
    /// `checkpoint_interval`: seconds between two checkpoints of the running daemon (it also
    /// writes one at shutdown and `palimpsest digest` one per digest). Default 1 hour.
    public var checkpointInterval: TimeInterval
    /// `tsa_urls`: RFC 3161 time-stamp authorities that timestamp each checkpoint's tree head.
    /// Default none.
    public var tsaURLs: [URL]
    /// `tsa_ca_file`: PEM certificates (the authorities' CA chain) that `verify` checks the
    /// timestamp tokens against. Default none.
    public var tsaCAFile: URL?

    /// Settings with every default for a daemon whose `state_dir` is `stateDirectory`.
    public init(stateDirectory: URL = DaemonSettings.defaultStateDirectory) {
        self.signingKeyFile = stateDirectory.appendingPathComponent(Self.defaultSigningKeyName)
        self.checkpointInterval = 3600
        self.tsaURLs = []
        self.tsaCAFile = nil
    }
}

// MARK: - Reading `[evidence]`

extension EvidenceSettings {
    /// Reads `[evidence]` (keys: ``ConfigSections/evidence``); paths default under
    /// `stateDirectory`. Problems are reported in `reader`, naming the key.
    init(reading table: TOMLTable, stateDirectory: URL, with reader: inout ConfigReader) {
        self = Self.read(table, stateDirectory: stateDirectory, with: &reader)
    }

    private static func read(_ table: TOMLTable, stateDirectory: URL, with reader: inout ConfigReader)
        -> EvidenceSettings
    {
        let scope = ConfigReader.Scope.evidence
        let keys = ConfigSections.evidence
        reader.reportUnknownKeys(of: table, in: keys, scope: scope)
        var settings = EvidenceSettings(stateDirectory: stateDirectory)
        settings.signingKeyFile =
            reader.path(keys["signing_key_file"], in: table, scope: scope) ?? settings.signingKeyFile
        settings.checkpointInterval =
            reader.duration(keys["checkpoint_interval"], in: table, scope: scope) ?? settings.checkpointInterval
        for text in reader.strings(keys["tsa_urls"], in: table, scope: scope) ?? [] {
            guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                reader.report(
                    "expected a list of http:// or https:// time-stamp authority URLs (RFC 3161), found "
                        + "\(ConfigReader.quote(text)) in it",
                    key: "tsa_urls", in: scope)
                continue
            }
            settings.tsaURLs.append(url)
        }
        settings.tsaCAFile = reader.path(keys["tsa_ca_file"], in: table, scope: scope) ?? settings.tsaCAFile
        return settings
    }
}
