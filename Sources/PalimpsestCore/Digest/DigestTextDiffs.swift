import Foundation
import Synchronization

/// The text diff of each altered post of a digest, computed once and read by both renderers
/// (``MarkdownDigestRenderer`` writes it as `[-…-]{+…+}` text, ``HTMLDigestRenderer`` as
/// `<del>`/`<ins>`): each renderer computing it again took a large share of a digest with many
/// altered posts.
struct DigestTextDiffs: Sendable {
    private var segments: [Key: [TextDiff.Segment]] = [:]

    /// An entry's log and event id (an id is unique within its log).
    private struct Key: Hashable, Sendable {
        var log: String
        var id: String
    }

    /// No diff computed: the renderers compute each one when they need it.
    init() {}

    /// The diff of every `altered` entry of `digest` that carries its text before and after,
    /// computed side by side on the machine's cores (each diff depends only on its two texts).
    init(digest: Digest) {
        var pairs: [(key: Key, old: String, new: String)] = []
        for account in digest.accounts {
            for entry in account.entries where entry.event.event == .altered {
                guard let old = entry.event.previousText, let new = entry.event.text else { continue }
                pairs.append((Key(log: entry.log, id: entry.event.id), old, new))
            }
        }
        let parts = min(ProcessInfo.processInfo.activeProcessorCount, max(1, pairs.count / 500))
        let computed = Mutex<[Int: [[TextDiff.Segment]]]>([:])
        let work = pairs
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = (work.count * part / parts)..<(work.count * (part + 1) / parts)
            let diffs = work[range].map { TextDiff.segments(from: $0.old, to: $0.new) }
            computed.withLock { $0[part] = diffs }
        }
        let diffs = computed.withLock { $0 }
        self.segments.reserveCapacity(pairs.count)
        var next = 0
        for part in 0..<parts {
            guard let part = diffs[part] else { preconditionFailure("concurrentPerform runs every iteration") }
            for segments in part {
                self.segments[pairs[next].key] = segments
                next += 1
            }
        }
    }

    /// The diff from `old` to `new`, the texts of `entry`: the one computed for it, else computed now.
    func segments(of entry: DigestEntry, from old: String, to new: String) -> [TextDiff.Segment] {
        self.segments[Key(log: entry.log, id: entry.event.id)] ?? TextDiff.segments(from: old, to: new)
    }
}
