public import Foundation

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
