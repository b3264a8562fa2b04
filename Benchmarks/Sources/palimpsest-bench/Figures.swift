import Foundation

/// Number formatting and statistics for the printed tables.
enum Figures {
    /// Seconds in a `Duration`.
    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// `value` with `decimals` digits after the point and thin groups of three digits before it
    /// (`12 345.6`), so that large rates stay readable.
    static func format(_ value: Double, decimals: Int = 0) -> String {
        guard value.isFinite else { return "-" }
        let text = String(format: "%.\(decimals)f", value)
        let parts = text.split(separator: ".", maxSplits: 1)
        var digits = String(parts[0])
        let negative = digits.hasPrefix("-")
        if negative { digits.removeFirst() }
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index).isMultiple(of: 3) { grouped.append(" ") }
            grouped.append(character)
        }
        return (negative ? "-" : "") + grouped + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// An integer with groups of three digits.
    static func format(_ value: Int) -> String {
        self.format(Double(value))
    }

    /// `bytes` in MB (10^6 bytes) with one decimal.
    static func megabytes(_ bytes: Int) -> String {
        self.format(Double(bytes) / 1e6, decimals: 1) + " MB"
    }

    /// The nearest-rank percentile `p` (0…100) of `sorted` (ascending); `nil` when empty.
    static func percentile(_ p: Double, of sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}
