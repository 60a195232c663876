import SweepStore

extension TextTable {
    /// Columns padded to their widest cell (in characters), two spaces apart, a dashed
    /// rule under the header; numeric columns right-aligned. Line breaks in cells become spaces.
    func aligned() -> String {
        let flat = { (s: String) in s.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\r", with: " ") }
        let head = headers.map(flat), body = rows.map { $0.map(flat) }
        let widths = head.indices.map { c in max(head[c].count, body.map { $0[c].count }.max() ?? 0) }
        let right = head.indices.map(isNumericColumn)
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { c, cell in
                let fill = String(repeating: " ", count: widths[c] - cell.count)
                return right[c] ? fill + cell : cell + fill
            }
            return String(padded.joined(separator: "  ").reversed().drop(while: { $0 == " " }).reversed()) + "\n"
        }
        return line(head) + line(widths.map { String(repeating: "-", count: $0) }) + body.map(line).joined()
    }

    /// GitHub markdown: `|` escaped as `\|`, line breaks as `<br>`, numeric columns `---:`.
    func markdown() -> String {
        let cell = { (s: String) in
            s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r\n", with: "<br>")
                .replacingOccurrences(of: "\n", with: "<br>").replacingOccurrences(of: "\r", with: "<br>")
        }
        func line(_ cells: [String]) -> String { "| " + cells.map(cell).joined(separator: " | ") + " |\n" }
        let rule = "|" + headers.indices.map { isNumericColumn($0) ? " ---: |" : " --- |" }.joined() + "\n"
        return line(headers) + rule + rows.map(line).joined()
    }

    /// RFC 4180: records end with CRLF; a field holding a comma, a double quote, CR or LF
    /// is enclosed in double quotes, with each double quote inside doubled.
    func csv() -> String {
        func field(_ s: String) -> String {
            let needsQuotes = s.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
            return needsQuotes ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        return ([headers] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    /// `[` then one object per line, keys in header order, then `]`. Numeric cells are
    /// written verbatim as JSON numbers, empty cells as null, others as strings.
    func json() -> String {
        if rows.isEmpty { return "[]\n" }
        let objects = rows.map { row in
            "  {" + zip(headers, row).map { key, cell in
                let value = cell.isEmpty ? "null" : TableCell.isNumeric(cell) ? cell : Self.jsonString(cell)
                return Self.jsonString(key) + ": " + value
            }.joined(separator: ", ") + "}"
        }
        return "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }

    /// A JSON string literal (`JSONStringLiteral`, shared with the store).
    static func jsonString(_ s: String) -> String { JSONStringLiteral.quoted(s) }
}
