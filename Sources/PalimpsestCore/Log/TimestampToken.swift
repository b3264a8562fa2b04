import CTimestamp
public import Foundation
public import Logging

/// RFC 3161 trusted timestamps of checkpoint tree heads, through libcrypto's `TS_*` API: the
/// request (`TimeStampReq`, the message imprint being the tree head as a SHA-256 value) and the
/// check of an authority's answer (`TimeStampResp`): granted, imprint equal to the tree head,
/// signature valid with a certificate that chains to `[evidence] tsa_ca_file`.
///
/// Answers are kept whole, as DER, in `state_dir/timestamps/<tree head>/<authority>.tsr`, the
/// form `openssl ts -verify -in … -digest <tree head> -CAfile …` reads.
public enum TimestampToken {
    /// The folder of the answers for the tree head `root` (hex) inside `state_dir`.
    public static func folder(root: String, stateDirectory: URL) -> URL {
        stateDirectory.appendingPathComponent("timestamps/\(root)", isDirectory: true)
    }

    /// The file name of an authority's answer: its host and port, then `.tsr`
    /// (`timestamp.example.org_443.tsr`).
    public static func fileName(authority: URL) -> String {
        let host = (authority.host ?? "authority").filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }
        let port = authority.port ?? (authority.scheme == "https" ? 443 : 80)
        return "\(host)_\(port).tsr"
    }

    /// A DER `TimeStampReq` for the tree head `digest` (32 bytes).
    /// - Throws: ``TimestampError`` when libcrypto cannot build it.
    public static func request(digest: Data, nonce: UInt64 = UInt64.random(in: 1...UInt64.max)) throws -> Data {
        var out: UnsafeMutablePointer<UInt8>?
        let length = digest.withUnsafeBytes { bytes in
            palimpsest_ts_request(bytes.bindMemory(to: UInt8.self).baseAddress, Int32(bytes.count), nonce, &out)
        }
        guard length > 0, let out else {
            throw TimestampError(authority: nil, message: "libcrypto could not build a TimeStampReq")
        }
        defer { palimpsest_ts_free(out) }
        return Data(bytes: out, count: Int(length))
    }

    /// What the check of one answer found.
    public struct Check: Sendable, Hashable {
        /// The token's `genTime`, UTC, when it parses.
        public var time: Date?
        /// `nil` when the answer holds; otherwise why not.
        public var problem: String?
    }

    /// Checks the DER `TimeStampResp` `response` against the tree head `digest`: granted, the
    /// message imprint equal to it, and (with `caFile`) a signature that verifies with a
    /// certificate chaining to the PEM certificates in it. Without `caFile` only the time is read.
    public static func check(response: Data, digest: Data, caFile: URL?) -> Check {
        var time: Int64 = Int64.min
        var error = [CChar](repeating: 0, count: 512)
        let result = response.withUnsafeBytes { der in
            digest.withUnsafeBytes { hash in
                palimpsest_ts_verify(
                    der.bindMemory(to: UInt8.self).baseAddress, der.count, hash.bindMemory(to: UInt8.self).baseAddress,
                    Int32(hash.count), caFile?.path, &time, &error, error.count)
            }
        }
        let date = time == Int64.min ? nil : Date(timeIntervalSince1970: TimeInterval(time))
        let reason = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch result {
        case 1: return Check(time: date, problem: nil)
        case -1:
            return Check(time: nil, problem: "not an RFC 3161 TimeStampResp" + (reason.isEmpty ? "" : ": \(reason)"))
        default:
            return Check(
                time: date,
                problem: "the timestamp does not verify (imprint, signature or certificate chain)"
                    + (reason.isEmpty ? "" : ": \(reason)"))
        }
    }
}

/// A timestamp authority did not answer with a token: names the authority and what to do.
public struct TimestampError: Error, Sendable, CustomStringConvertible {
    /// The authority's URL.
    public var authority: URL?
    /// What happened.
    public var message: String

    public var description: String {
        "time-stamp authority \(self.authority?.absoluteString ?? "-"): \(self.message); retried at the next "
            + "checkpoint (check [evidence] tsa_urls and the network)"
    }
}

/// The configured RFC 3161 authorities (`[evidence] tsa_urls`): each checkpoint's tree head is
/// sent to each, over the daemon's libcurl client (`POST`, `application/timestamp-query`), and the
/// answer stored when it is granted and its imprint is the tree head. A failed authority is
/// reported and retried at the next round; it never blocks polling.
public struct TimestampAuthorities: Sendable {
    public var urls: [URL]
    public var stateDirectory: URL
    public var client: any HTTPFetching
    var logger: Logger

    public init(urls: [URL], stateDirectory: URL, client: any HTTPFetching, logger: Logger) {
        self.urls = urls
        self.stateDirectory = stateDirectory
        self.client = client
        self.logger = logger
    }

    /// How many of the newest checkpoints a round asks answers for (two days at the default
    /// interval): older ones missing an answer stay without one.
    static let recentCheckpoints = 48

    /// Requests every missing answer for the newest checkpoints of the log, newest first. An
    /// authority that fails is not asked again in this round (it is down: the next round retries).
    public func timestampPending(log: DeletionLog) async {
        let url = log.url
        let roots: [String] =
            (try? await BlockingIO.run {
                try DeletionLogSet.read(url: url).files.flatMap { file in
                    (try? DeletionLog.read(at: file.url).records.compactMap { $0.checkpoint?.root }) ?? []
                }
            }) ?? []
        for authority in self.urls {
            for root in roots.suffix(Self.recentCheckpoints).reversed() {
                let file = TimestampToken.folder(root: root, stateDirectory: self.stateDirectory)
                    .appendingPathComponent(TimestampToken.fileName(authority: authority))
                if FileManager.default.fileExists(atPath: file.path) { continue }
                do {
                    try await self.timestamp(root: root, authority: authority, into: file)
                } catch {
                    self.logger.warning(
                        "timestamp of a checkpoint not stored; tried again at the next checkpoint",
                        metadata: ["checkpoint.root": "\(root)", "error": "\(error)"])
                    break
                }
            }
        }
    }

    /// Requests one answer and stores it when it is granted for this tree head.
    func timestamp(root: String, authority: URL, into file: URL) async throws {
        guard let digest = CheckpointKey.bytes(hex: root), digest.count == 32 else { return }
        let body = try TimestampToken.request(digest: digest)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/timestamp-query")
        headers.add(name: "Accept", value: "application/timestamp-reply")
        let response: HTTPResponse
        do {
            response = try await self.client.send(
                HTTPRequest(url: authority, method: "POST", headers: headers, body: body, timeout: 30))
        } catch {
            throw TimestampError(authority: authority, message: "no answer: \(error)")
        }
        guard response.status == 200 else {
            throw TimestampError(authority: authority, message: "answered HTTP \(response.status)")
        }
        let check = TimestampToken.check(response: response.body, digest: digest, caFile: nil)
        if let problem = check.problem {
            throw TimestampError(authority: authority, message: problem)
        }
        let answer = response.body
        try await BlockingIO.run { try DurableFile.writeAtomically(answer, to: file) }
        var metadata: Logger.Metadata = ["checkpoint.root": "\(root)", "tsa.url": "\(authority.absoluteString)"]
        if let time = check.time { metadata["tsa.time"] = "\(RFC3339.string(from: time))" }
        self.logger.notice("timestamped a checkpoint", metadata: metadata)
    }
}
