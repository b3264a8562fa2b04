public import Foundation

/// One run of `palimpsest digest`: build the week's digest from the config's logs and state folder,
/// write its files, then (optionally) e-mail them. The files are always written before anything is
/// sent, so a failed send never loses them.
public struct DigestJob: Sendable {
    /// The loaded config.
    public var config: PalimpsestConfig
    /// The ISO week.
    public var week: ISOWeek
    /// The zone of the week and of the times shown.
    public var timeZone: TimeZone
    /// Where the files go; `nil` for `<[digest] dir>/<week>/`.
    public var outputFolder: URL?
    /// Leave the generation time out.
    public var reproducible: Bool
    /// The current time.
    public var now: Date
    /// The most entries `digest.md` and `digest.html` show in full (``DigestDetailPlan``); 0: every
    /// entry.
    public var entriesInFull: Int

    /// Creates a job; `entriesInFull` defaults to `[digest] entries_in_full`.
    public init(
        config: PalimpsestConfig,
        week: ISOWeek,
        timeZone: TimeZone,
        outputFolder: URL? = nil,
        reproducible: Bool = false,
        now: Date = Date(),
        entriesInFull: Int? = nil
    ) {
        self.config = config
        self.week = week
        self.timeZone = timeZone
        self.outputFolder = outputFolder
        self.reproducible = reproducible
        self.now = now
        self.entriesInFull = entriesInFull ?? config.digest.entriesInFull
    }

    /// The folder the files go to.
    public var folder: URL {
        self.outputFolder
            ?? self.config.digest.directory.appendingPathComponent(self.week.description, isDirectory: true)
    }

    /// The digest and its files, as written by ``write()``.
    public struct Output: Sendable {
        /// The digest.
        public var digest: Digest
        /// Its rendered files.
        public var files: DigestFiles
        /// The files written, in ``DigestFiles/all`` order.
        public var written: [URL]
    }

    /// Builds the digest and writes its four files into ``folder`` (each atomically), off the
    /// cooperative thread pool.
    /// - Throws: ``DigestError`` when a log cannot be read; ``StoreError`` when a file cannot be
    ///   written.
    public func write() async throws -> Output {
        let job = self
        return try await BlockingIO.run {
            let digest = try DigestLoader.makeDigest(
                config: job.config,
                week: job.week,
                timeZone: job.timeZone,
                now: job.now,
                reproducible: job.reproducible
            )
            let (files, written) = try DigestFiles.write(digest, to: job.folder, entriesInFull: job.entriesInFull)
            return Output(digest: digest, files: files, written: written)
        }
    }

    /// The e-mail of a written digest, as ``send(_:sender:policy:onFailure:)`` sends it through
    /// `smtp`.
    public func message(of output: Output, through smtp: SMTPSettings) -> DigestMessage {
        let csv = output.written.first { $0.lastPathComponent == DigestFiles.csvName }
        return DigestMessage(
            digest: output.digest,
            files: output.files,
            from: smtp.from,
            to: smtp.to,
            date: self.now,
            maxAttachmentBytes: smtp.maxAttachmentBytes,
            csvLocation: csv.map { "\(ProcessInfo.processInfo.hostName):\($0.path)" }
        )
    }

    /// E-mails a written digest through `[digest.smtp]`.
    /// - Parameters:
    ///   - output: What ``write()`` returned.
    ///   - message: Its e-mail when already made by ``message(of:through:)``; made here otherwise.
    ///   - sender: The SMTP sender; by default libcurl with the password from `password_file`.
    ///   - policy: Retries.
    ///   - onFailure: Called after each failed attempt that will be retried.
    /// - Returns: The number of attempts made.
    /// - Throws: ``DigestError`` when `[digest.smtp]` is missing, the password file is unreadable,
    ///   or every attempt failed.
    @discardableResult
    public func send(
        _ output: Output,
        message: DigestMessage? = nil,
        sender: (any SMTPSending)? = nil,
        policy: DigestDelivery.RetryPolicy = .standard,
        onFailure: @Sendable (Int, SMTPError, Double) -> Void = { _, _, _ in }
    ) async throws -> Int {
        guard let smtp = self.config.digest.smtp else {
            throw DigestError(
                "no [digest.smtp] table in \(self.config.file.path)",
                advice: "add one with url, from and to (docs/configuration.md)"
            )
        }
        let chosen: any SMTPSending
        if let sender {
            chosen = sender
        } else {
            let password = try await BlockingIO.run { try smtp.readPassword() }
            chosen = CurlSMTPSender(settings: smtp, password: password)
        }
        let message = message ?? self.message(of: output, through: smtp)
        return try await DigestDelivery(sender: chosen, policy: policy).send(message, onFailure: onFailure)
    }
}
