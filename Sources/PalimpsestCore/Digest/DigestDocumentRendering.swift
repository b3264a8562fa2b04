/// A digest document for readers (`digest.md`, `digest.html`) rendered in parts: what comes
/// before the accounts, their sections a range of accounts at a time, what comes after them.
/// ``DigestFiles`` renders the parts of every file side by side on the machine's cores and copies
/// them once into the file's bytes: a week of 100,000 events is ~230 MB of HTML, which appended to
/// one string was copied each time the string outgrew its storage, then once more into the file.
protocol DigestDocumentRendering: Sendable {
    /// The digest to render.
    var digest: Digest { get }
    /// Which accounts get a section and how many of their entries are shown in full.
    var detail: DigestDetailPlan { get }
    /// Everything before the first account's section.
    func head() -> String
    /// The sections of the accounts at `positions` of ``Digest/accounts``, in order; `positions`
    /// lies within the accounts with a section (``DigestDetailPlan/detailedAccounts``). A section
    /// is the same whatever part it is rendered in (the HTML numbers it by its place in the whole
    /// digest, from 1).
    func sections(_ positions: Range<Int>) -> String
    /// Everything after the last account's section.
    func tail() -> String
}

extension DigestDocumentRendering {
    /// The ranges of accounts whose sections are rendered as one part each, in order: every
    /// account with a section.
    var sectionRanges: [Range<Int>] {
        DigestDocumentParts.ranges(of: self.detail.detailedAccounts)
    }

    /// The document's parts in order, rendered one after the other: their concatenation is the
    /// whole document.
    func renderParts() -> [String] {
        [self.head()] + self.sectionRanges.map(self.sections) + [self.tail()]
    }
}

/// How ``DigestDocumentRendering`` documents are cut into parts.
enum DigestDocumentParts {
    /// Accounts whose sections make one part: enough that a part is worth a task of its own, few
    /// enough that the parts of a large digest keep both cores of a small machine busy.
    static let accountsPerPart = 200

    /// `0..<count` cut into ranges of ``accountsPerPart`` accounts, in order.
    static func ranges(of count: Int) -> [Range<Int>] {
        stride(from: 0, to: count, by: self.accountsPerPart).map { $0..<min($0 + self.accountsPerPart, count) }
    }
}
