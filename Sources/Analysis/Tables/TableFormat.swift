/// How the CLI prints a table (`--format`).
public enum TableFormat: String, Sendable, CaseIterable {
    /// Aligned columns for a terminal.
    case table
    /// A GitHub-flavoured markdown table.
    case markdown
    /// RFC 4180 CSV.
    case csv
    /// A JSON array of objects, one per row, keyed by header.
    case json
}
