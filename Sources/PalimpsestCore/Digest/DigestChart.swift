/// The digest's pictures as HTML and CSS (no script, no image, no SVG, every label escaped):
/// deletions per day stacked by account, and deleted posts by how soon they were gone.
///
/// The labels are ordinary text at the page's font size, so they stay readable at any width (an
/// SVG scaled down to a phone's width shrinks its labels with it), and mail clients that drop SVG
/// still show the bars. Bar sizes are percentages in `style` attributes (allowed by the page's
/// `style-src 'unsafe-inline'`); the classes are styled by ``HTMLDigestRenderer``'s CSS.
enum DigestChart {
    /// Colours for accounts, in account order (Okabe and Ito's palette, readable with colour
    /// blindness); they repeat after eight accounts.
    static let palette = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999"]

    /// The fill of the segment that counts the accounts without a section together
    /// (``DigestDetailPlan/others``): grey stripes, unlike any account's colour.
    static let othersBackground = "repeating-linear-gradient(45deg,#999999 0 3px,#DDDDDD 3px 6px)"

    /// The colour of the `index`-th account with deletions.
    static func color(_ index: Int) -> String { self.palette[index % self.palette.count] }

    /// A stacked bar per day: one segment per account (in `accounts` order) with its deletions, then
    /// one for `others`, the day's total above the bar, the weekday and date below it.
    /// - Parameters:
    ///   - days: The seven days.
    ///   - accounts: The accounts with deletions shown on their own, as `(key, name)`, in legend
    ///     order.
    ///   - others: The other accounts' deletions counted together: their label and their count on
    ///     each of `days`; `nil` when there are none.
    static func deletionsPerDay(
        _ days: [DigestDay], accounts: [(key: String, name: String)], others: (label: String, perDay: [Int])? = nil
    ) -> String {
        let maximum = max(1, days.map(\.deleted).max() ?? 0)
        let summary = days.map { "\($0.weekday) \($0.date): \($0.deleted)" }.joined(separator: ", ")
        var html = "<div class=\"chart days-chart\" role=\"img\" "
        html += "aria-label=\"Deleted posts per day, by account: \(HTMLDigestRenderer.escape(summary))\">\n"
        for (number, day) in days.enumerated() {
            html += "<div class=\"day\"><div class=\"plot\">"
            if day.deleted > 0 {
                let height = Self.number(Double(day.deleted) / Double(maximum) * 100)
                html += "<div class=\"stack\" style=\"height:\(height)%\"><span class=\"total\">\(day.deleted)</span>"
                for (position, account) in accounts.enumerated() {
                    let count = day.deletedByAccount[account.key] ?? 0
                    guard count > 0 else { continue }
                    html += "<span class=\"segment\" style=\"flex-grow:\(count);background:\(self.color(position))\" "
                    html += "title=\"\(HTMLDigestRenderer.escape(DigestFormat.visibleLine(account.name))): "
                    html += "\(count) on \(day.weekday) \(day.date)\"></span>"
                }
                if let others, number < others.perDay.count, others.perDay[number] > 0 {
                    let count = others.perDay[number]
                    html += "<span class=\"segment\" style=\"flex-grow:\(count);background:\(self.othersBackground)\" "
                    html +=
                        "title=\"\(HTMLDigestRenderer.escape(others.label)): \(count) on \(day.weekday) \(day.date)\"></span>"
                }
                html += "</div>"
            }
            html += "</div><span class=\"weekday\">\(day.weekday)</span>"
            html += "<span class=\"date\">\(day.date.suffix(5))</span></div>\n"
        }
        html += "</div>"
        return html
    }

    /// One horizontal bar per lifetime bucket with its count of deleted posts.
    static func lifetimes(_ counts: [Digest.LifetimeCount]) -> String {
        let shown = counts.filter { $0.deleted > 0 || $0.bucket != .unknown }
        let maximum = max(1, shown.map(\.deleted).max() ?? 0)
        var html = "<dl class=\"chart lifetimes-chart\">\n"
        for count in shown {
            // The bar takes at most 85% of its track, leaving room for the count after it.
            let width = Self.number(Double(count.deleted) / Double(maximum) * 85)
            html += "<dt>\(HTMLDigestRenderer.escape(count.label))</dt><dd>"
            if count.deleted > 0 {
                html += "<span class=\"bar\" style=\"width:\(width)%\" "
                html += "title=\"\(count.deleted) deleted, gone \(HTMLDigestRenderer.escape(count.label))\"></span>"
            }
            html += "<span class=\"count\">\(count.deleted)</span></dd>\n"
        }
        html += "</dl>"
        return html
    }

    /// A number with at most two decimals and no trailing zeros (`12`, `12.5`, `12.33`).
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
