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

    /// The diff of every `altered` entry of `digest` that carries its text before and after and
    /// that `detail` may show in full (of an account with a section, within its allowance),
    /// computed side by side on the machine's cores (each diff depends only on its two texts).
    init(digest: Digest, detail: DigestDetailPlan) {
        var pairs: [(key: Key, old: String, new: String)] = []
        for (position, account) in digest.accounts.prefix(detail.detailedAccounts).enumerated() {
            let altered = account.entries.lazy.filter { $0.event.event == .altered }
            for entry in altered.prefix(detail.allowance(ofAccountAt: position)) {
                guard let old = entry.event.previousText, let new = entry.event.text else { continue }
                pairs.append((Key(log: entry.log, id: entry.event.id), old, new))
            }
        }
        let diffs = ParallelParts.map(pairs, minimumPerPart: 500) { part in
            part.map { TextDiff.segments(from: $0.old, to: $0.new) }
        }
        self.segments.reserveCapacity(pairs.count)
        for (pair, segments) in zip(pairs, diffs.joined()) { self.segments[pair.key] = segments }
    }

    /// The diff from `old` to `new`, the texts of `entry`: the one computed for it, else computed now.
    func segments(of entry: DigestEntry, from old: String, to new: String) -> [TextDiff.Segment] {
        self.segments[Key(log: entry.log, id: entry.event.id)] ?? TextDiff.segments(from: old, to: new)
    }
}
