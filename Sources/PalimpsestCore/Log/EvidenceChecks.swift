public import Foundation
import Synchronization

/// The verdicts on cited evidence records of one run (`verify`, or a digest and the check of the
/// log it makes), by record (path, offset, SHA-256): a record cited by many lines (a listing, a
/// shared 404 page) is read and hashed once.
public final class EvidenceChecks: Sendable {
    /// The verdict on one record.
    public struct Verdict: Sendable, Hashable {
        /// What the digest shows for it.
        public var status: DigestEntry.EvidenceStatus
        /// Why it does not hold, in words; `nil` when it holds.
        public var problem: String?
    }

    private let verdicts = Mutex<[String: Verdict]>([:])

    /// An empty memo.
    public init() {}

    /// The verdict on `reference` under `stateDirectory`, checked the first time it is asked for
    /// (see ``LogVerifier``'s evidence rules).
    public func verdict(_ reference: EvidenceReference, stateDirectory: URL) -> Verdict {
        let key = "\(stateDirectory.path)\n\(reference.path)\n\(reference.offset ?? -1)\n\(reference.sha256)"
        if let known = self.verdicts.withLock({ $0[key] }) { return known }
        let verdict = LogVerifier.evidenceVerdict(reference, stateDirectory: stateDirectory)
        self.verdicts.withLock { $0[key] = verdict }
        return verdict
    }
}
