/// A table of text cells (headers + rows), rendered in any `TableFormat`.
///
/// Cells are strings formatted by the caller (e.g. "%.6g"), so every format shows the
/// same digits; a cell that is a number in JSON's grammar (`TableCell.isNumeric`) is
/// right-aligned in `table` and `markdown` columns and written as a JSON number.
/// Every rendering ends with a line break (print it with `terminator: ""`).
public struct TextTable: Sendable, Equatable {
    public let headers: [String]
    public let rows: [[String]]

    /// Throws unless there is at least one header, headers are unique (they become
    /// JSON keys), and every row has one cell per header (naming the row).
    public init(headers: [String], rows: [[String]]) throws {
        guard !headers.isEmpty else { throw AnalysisError("table headers are empty; a table needs at least one column") }
        var seen = Set<String>()
        for h in headers where !seen.insert(h).inserted {
            throw AnalysisError("table header \"\(h)\" appears twice; headers must be unique (they are the JSON keys)")
        }
        for (i, row) in rows.enumerated() where row.count != headers.count {
            throw AnalysisError("table row \(i) has \(row.count) cells; expected \(headers.count) (one per header)")
        }
        self.headers = headers
        self.rows = rows
    }

    public func render(_ format: TableFormat) -> String {
        switch format {
        case .table: return aligned()
        case .markdown: return markdown()
        case .csv: return csv()
        case .json: return json()
        }
    }

    /// A column is numeric when it has a non-empty cell and all its non-empty cells are numbers.
    func isNumericColumn(_ c: Int) -> Bool {
        let cells = rows.map { $0[c] }.filter { !$0.isEmpty }
        return !cells.isEmpty && cells.allSatisfy(TableCell.isNumeric)
    }
}
