public import Foundation
public import Logging

/// Writes the deletion log's signed checkpoints (``DeletionLog/appendCheckpoint(key:at:)``) for
/// the daemon (every `[evidence] checkpoint_interval` and at shutdown) and for `palimpsest digest`
/// (one per digest), and has each new checkpoint timestamped by the configured authorities
/// (``TimestampAuthorities``). A failure is reported and never stops polling: the next checkpoint
/// covers everything the missed one would have.
public struct LogCheckpointer: Sendable {
    /// The log.
    public let log: DeletionLog
    /// The signing key, or `nil` when `signing_key_file` does not exist (no checkpoints).
    public let key: CheckpointKey?
    /// The config's `[evidence]` table.
    public let settings: EvidenceSettings
    /// `state_dir`, where timestamp tokens are kept.
    public let stateDirectory: URL
    /// Where timestamp requests go (the daemon's libcurl client); `nil`: no timestamps.
    public let client: (any HTTPFetching)?
    let logger: Logger

    /// Loads the signing key when its file exists; says so on the logger when it does not or
    /// cannot be read.
    public init(
        log: DeletionLog, settings: EvidenceSettings, stateDirectory: URL, client: (any HTTPFetching)?, logger: Logger
    ) {
        self.log = log
        self.settings = settings
        self.stateDirectory = stateDirectory
        self.client = client
        self.logger = logger
        if FileManager.default.fileExists(atPath: settings.signingKeyFile.path) {
            do {
                self.key = try CheckpointKey(contentsOf: settings.signingKeyFile)
            } catch {
                logger.error(
                    "no signed checkpoints: the signing key cannot be read",
                    metadata: ["path": "\(settings.signingKeyFile.path)", "error": "\(error)"])
                self.key = nil
            }
        } else {
            logger.notice(
                """
                no signed checkpoints of the deletion log: no signing key; run `palimpsest keygen` as the \
                daemon's user to write one ([evidence] signing_key_file)
                """,
                metadata: ["path": "\(settings.signingKeyFile.path)"])
            self.key = nil
        }
    }

    /// Appends a checkpoint when there is a key and lines since the last one, then timestamps it.
    /// - Parameter now: the checkpoint's time (UTC).
    /// - Returns: the checkpoint written, or `nil` (no key, nothing new, or a failure, logged).
    /// - Parameter timestamp: `false` leaves the timestamps to the next round (at shutdown, so
    ///   that stopping never waits on an authority).
    @discardableResult
    public func checkpoint(at now: Date = Date(), timestamp: Bool = true) async -> LogRecord? {
        guard let key = self.key else { return nil }
        let log = self.log
        let record: LogRecord?
        do {
            record = try await BlockingIO.run { try log.appendCheckpoint(key: key, at: now) }
        } catch {
            self.logger.error(
                "checkpoint of the deletion log not written; tried again at the next checkpoint",
                metadata: ["error": "\(error)"])
            return nil
        }
        guard let record, let checkpoint = record.checkpoint else { return nil }
        self.logger.notice(
            "checkpoint signed",
            metadata: [
                "seq": "\(record.seq ?? 0)", "lines": "\(checkpoint.treeSize)",
                "signs": "\(checkpoint.firstSeq)-\(checkpoint.lastSeq)", "checkpoint.root": "\(checkpoint.root)",
            ])
        if timestamp { await self.timestampPending() }
        return record
    }

    /// Requests the missing timestamp tokens of every checkpoint from every configured
    /// authority (a failed authority is retried at the next checkpoint).
    public func timestampPending() async {
        guard let client = self.client, !self.settings.tsaURLs.isEmpty else { return }
        let authorities = TimestampAuthorities(
            urls: self.settings.tsaURLs, stateDirectory: self.stateDirectory, client: client, logger: self.logger)
        await authorities.timestampPending(log: self.log)
    }
}
