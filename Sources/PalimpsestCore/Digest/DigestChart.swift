/// The digest's pictures as inline SVG (no script, no external reference, every label escaped):
/// deletions per day stacked by account, and deleted posts by how soon they were gone. Text and
/// axes use `currentColor`, so they follow the page's light or dark colours.
enum DigestChart {
    /// Colours for accounts, in account order (Okabe and Ito's palette, readable with colour
    /// blindness); they repeat after eight accounts.
    static let palette = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999"]

    /// The colour of the `index`-th account with deletions.
    static func color(_ index: Int) -> String { self.palette[index % self.palette.count] }

    /// A stacked bar per day: one segment per account (in `accounts` order) with its deletions.
    /// - Parameters:
    ///   - days: The seven days.
    ///   - accounts: The accounts with deletions, as `(key, name)`, in legend order.
    static func deletionsPerDay(_ days: [DigestDay], accounts: [(key: String, name: String)]) -> String {
        let width = 640
        let height = 240
        let left = 36
        let right = 8
        let top = 20
        let bottom = 44
        let plotHeight = height - top - bottom
        let slot = (width - left - right) / max(1, days.count)
        let barWidth = slot * 3 / 5
        let maximum = max(1, days.map(\.deleted).max() ?? 0)
        let scale = Double(plotHeight) / Double(maximum)

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" "
        svg += "aria-labelledby=\"chart-days-title\" class=\"chart\">\n"
        svg += "<title id=\"chart-days-title\">Deleted posts per day, by account</title>\n"
        let baseline = top + plotHeight
        // Axis and the top grid line with its value.
        svg += "<line x1=\"\(left)\" y1=\"\(baseline)\" x2=\"\(width - right)\" y2=\"\(baseline)\" "
        svg += "stroke=\"currentColor\" stroke-width=\"1\"/>\n"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(width - right)\" y2=\"\(top)\" stroke=\"currentColor\" "
        svg += "stroke-opacity=\"0.25\" stroke-dasharray=\"3 3\"/>\n"
        svg += "<text x=\"\(left - 6)\" y=\"\(top + 4)\" text-anchor=\"end\" font-size=\"12\" fill=\"currentColor\">"
        svg += "\(maximum)</text>\n"
        svg += "<text x=\"\(left - 6)\" y=\"\(baseline + 4)\" text-anchor=\"end\" font-size=\"12\" "
        svg += "fill=\"currentColor\">0</text>\n"
        for (index, day) in days.enumerated() {
            let x = left + index * slot + (slot - barWidth) / 2
            var y = Double(baseline)
            for (position, account) in accounts.enumerated() {
                let count = day.deletedByAccount[account.key] ?? 0
                guard count > 0 else { continue }
                let barHeight = Double(count) * scale
                y -= barHeight
                svg += "<rect x=\"\(x)\" y=\"\(Self.number(y))\" width=\"\(barWidth)\" "
                svg += "height=\"\(Self.number(barHeight))\" fill=\"\(self.color(position))\">"
                svg += "<title>\(HTMLDigestRenderer.escape(DigestFormat.visibleLine(account.name))): \(count) on "
                svg += "\(day.weekday) \(day.date)</title></rect>\n"
            }
            let center = x + barWidth / 2
            if day.deleted > 0 {
                svg += "<text x=\"\(center)\" y=\"\(Self.number(y - 4))\" text-anchor=\"middle\" font-size=\"12\" "
                svg += "fill=\"currentColor\">\(day.deleted)</text>\n"
            }
            svg += "<text x=\"\(center)\" y=\"\(baseline + 18)\" text-anchor=\"middle\" font-size=\"12\" "
            svg += "fill=\"currentColor\">\(day.weekday)</text>\n"
            svg += "<text x=\"\(center)\" y=\"\(baseline + 34)\" text-anchor=\"middle\" font-size=\"11\" "
            svg += "fill=\"currentColor\" fill-opacity=\"0.7\">\(day.date.suffix(5))</text>\n"
        }
        svg += "</svg>"
        return svg
    }

    /// One horizontal bar per lifetime bucket with its count of deleted posts.
    static func lifetimes(_ counts: [Digest.LifetimeCount]) -> String {
        let shown = counts.filter { $0.deleted > 0 || $0.bucket != .unknown }
        let rowHeight = 26
        let width = 640
        let labelWidth = 110
        let right = 40
        let top = 8
        let height = top * 2 + rowHeight * shown.count
        let maximum = max(1, shown.map(\.deleted).max() ?? 0)
        let scale = Double(width - labelWidth - right) / Double(maximum)

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" "
        svg += "aria-labelledby=\"chart-lifetimes-title\" class=\"chart\">\n"
        svg += "<title id=\"chart-lifetimes-title\">Deleted posts by how soon they were gone after posting</title>\n"
        for (index, count) in shown.enumerated() {
            let y = top + index * rowHeight
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 17)\" text-anchor=\"end\" font-size=\"12\" "
            svg += "fill=\"currentColor\">\(HTMLDigestRenderer.escape(count.label))</text>\n"
            let barWidth = Double(count.deleted) * scale
            if count.deleted > 0 {
                svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(Self.number(barWidth))\" height=\"18\" "
                svg +=
                    "fill=\"#D55E00\"><title>\(count.deleted) deleted, gone \(HTMLDigestRenderer.escape(count.label))"
                svg += "</title></rect>\n"
            }
            svg += "<text x=\"\(Self.number(Double(labelWidth) + barWidth + 6))\" y=\"\(y + 17)\" font-size=\"12\" "
            svg += "fill=\"currentColor\">\(count.deleted)</text>\n"
        }
        svg += "</svg>"
        return svg
    }

    /// A coordinate with at most two decimals and no trailing zeros (`12`, `12.5`, `12.33`).
    static func number(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let whole = hundredths / 100
        let fraction = abs(hundredths % 100)
        if fraction == 0 { return String(whole) }
        let sign = hundredths < 0 && whole == 0 ? "-" : ""
        let digits = fraction % 10 == 0 ? String(fraction / 10) : (fraction < 10 ? "0\(fraction)" : String(fraction))
        return sign + String(whole) + "." + digits
    }
}
