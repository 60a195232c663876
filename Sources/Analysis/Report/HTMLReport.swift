/// One self-contained HTML5 page: a title, a subtitle, and sections of paragraphs,
/// tables and inline SVG figures. Inline CSS only: no scripts, no external resources,
/// so the file can be mailed or archived as is. Every text is escaped; SVG comes only
/// from `SVGPlot`s, whose writers escape their own text.
public struct HTMLReport: Sendable {
    public enum Block: Sendable {
        case paragraph(String)
        /// Cells that parse as numbers (see `TableCell.isNumeric`) are right-aligned.
        case table(headers: [String], rows: [[String]], caption: String? = nil)
        case figure(any SVGPlot, caption: String? = nil)
    }

    public struct Section: Sendable {
        public var heading: String
        public var blocks: [Block]

        public init(heading: String, blocks: [Block] = []) { self.heading = heading; self.blocks = blocks }
    }

    public var title: String
    public var subtitle: String?
    public var sections: [Section]

    public init(title: String, subtitle: String? = nil, sections: [Section] = []) {
        self.title = title; self.subtitle = subtitle; self.sections = sections
    }

    public mutating func add(_ section: Section) { sections.append(section) }

    public func render() -> String {
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Markup.escape(title))</title>
        <style>\(Self.css)</style>
        </head>
        <body>
        <header>
        <h1>\(Markup.escape(title))</h1>

        """
        if let subtitle { out += "<p class=\"subtitle\">\(Markup.escape(subtitle))</p>\n" }
        out += "</header>\n"
        for section in sections {
            out += "<section>\n<h2>\(Markup.escape(section.heading))</h2>\n"
            for block in section.blocks { out += Self.render(block) }
            out += "</section>\n"
        }
        out += "</body>\n</html>\n"
        return out
    }

    private static func render(_ block: Block) -> String {
        switch block {
        case .paragraph(let text):
            return "<p>\(Markup.escape(text))</p>\n"
        case .table(let headers, let rows, let caption):
            // Wide tables (a comparison with many metrics) scroll instead of spilling off the page.
            var out = "<div class=\"scroll\">\n<table>\n"
            if let caption { out += "<caption>\(Markup.escape(caption))</caption>\n" }
            out += "<thead><tr>" + headers.map { "<th>\(Markup.escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for row in rows {
                out += "<tr>" + row.map { cell in
                    TableCell.isNumeric(cell) ? "<td class=\"num\">\(Markup.escape(cell))</td>" : "<td>\(Markup.escape(cell))</td>"
                }.joined() + "</tr>\n"
            }
            return out + "</tbody>\n</table>\n</div>\n"
        case .figure(let plot, let caption):
            var out = "<figure>\n" + plot.svg()
            if let caption { out += "<figcaption>\(Markup.escape(caption))</figcaption>\n" }
            return out + "</figure>\n"
        }
    }

    private static let css = """

    body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
    h1 { margin-bottom: 0.2em; }
    .subtitle { color: #555; margin-top: 0; }
    section { margin-top: 2em; }
    h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
    div.scroll { overflow-x: auto; }
    table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
    caption { text-align: left; color: #555; padding-bottom: 0.3em; }
    th, td { border: 1px solid #ddd; padding: 0.3em 0.7em; text-align: left; }
    th { background: #f4f4f4; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    tbody tr:nth-child(even) { background: #fafafa; }
    figure { margin: 1em 0; }
    figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
    figcaption { color: #555; font-size: 0.9em; }

    """
}
