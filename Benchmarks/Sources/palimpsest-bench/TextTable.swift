/// A plain-text table: the first column left-aligned, the figures right-aligned, two spaces
/// between columns.
struct TextTable {
    /// Column titles.
    let headers: [String]
    /// Rows, each with one cell per header.
    private(set) var rows: [[String]] = []

    /// Creates an empty table with these column titles.
    init(_ headers: [String]) {
        self.headers = headers
    }

    /// Appends one row (missing cells are left blank).
    mutating func add(_ cells: [String]) {
        self.rows.append(cells)
    }

    /// The table as lines of text, indented by two spaces.
    func render() -> String {
        let all = [self.headers] + self.rows
        let widths = self.headers.indices.map { column in
            all.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return all.map { row in
            let cells = self.headers.indices.map { column -> String in
                let cell = column < row.count ? row[column] : ""
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }
            return "  " + cells.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
