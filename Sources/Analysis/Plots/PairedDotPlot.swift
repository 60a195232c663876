/// Paired dots: categories (arms) on x, one dot per seed per arm, a thin line joining
/// the same seed across arms, and a horizontal bar at each arm's mean over its drawn
/// dots. For "final metric per seed": a consistent improvement shows as parallel lines.
///
/// Row values align with `categories` by index; a missing (nil) or undrawable value
/// leaves a gap in that seed's line. Values beyond the last category are ignored and
/// counted in the note.
public struct PairedDotPlot: SVGPlot {
    public struct Row: Sendable, Equatable {
        /// e.g. "seed 3"; shown as the dots' tooltip.
        public var label: String
        public var values: [Double?]

        public init(label: String, values: [Double?]) { self.label = label; self.values = values }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var categories: [String]
    public var rows: [Row]
    public var yScale: AxisScale

    public init(title: String, xLabel: String = "arm", yLabel: String, categories: [String], rows: [Row],
                yScale: AxisScale = .linear) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.categories = categories; self.rows = rows; self.yScale = yScale
    }

    public func svg() -> String {
        var skipped = SkippedValues()
        var extra = 0
        let grid: [[Double?]] = rows.map { row in
            extra += max(0, row.values.count - categories.count)
            return categories.indices.map { c in
                guard c < row.values.count, let v = row.values[c] else { return nil }
                return skipped.check(v, on: yScale) ? v : nil
            }
        }
        if extra > 0 { skipped.other.append("\(extra) value\(extra == 1 ? "" : "s") beyond the \(categories.count) categories ignored") }
        let ys = grid.flatMap { $0.compactMap { $0 } }
        guard !ys.isEmpty else { return PlotFrame.noData(title: title, notes: skipped.notes) }

        let frame = PlotFrame(xAxis: .categorical(categories), yAxis: NumericAxis(scale: yScale, values: ys, targetTicks: 5))
        var marks = SVGWriter()
        for values in grid {
            var path: [String] = [], previousDrawn = false
            for (c, v) in values.enumerated() {
                guard let v else { previousDrawn = false; continue }
                path.append("\(previousDrawn ? "L" : "M")\(num(frame.x(category: c))),\(num(frame.y(v)))")
                previousDrawn = true
            }
            if path.contains(where: { $0.hasPrefix("L") }) {  // at least one segment
                marks.element("path", [("d", path.joined(separator: " ")), ("fill", "none"), ("stroke", "#999999"),
                                       ("stroke-width", "1"), ("class", "mark link")])
            }
        }
        for (r, values) in grid.enumerated() {
            for (c, v) in values.enumerated() {
                guard let v else { continue }
                marks.element("circle", [("cx", num(frame.x(category: c))), ("cy", num(frame.y(v))), ("r", "4.5"),
                                         ("fill", Palette.colour(c)), ("fill-opacity", "0.85"), ("class", "mark dot")],
                              tooltip: "\(rows[r].label), \(categories[c]): \(v)")
            }
        }
        for c in categories.indices {
            let column = grid.compactMap { $0[c] }
            guard !column.isEmpty else { continue }
            let mean = Statistics.mean(column)
            let half = min(frame.bandWidth * 0.3, 40)
            marks.element("line", [("x1", num(frame.x(category: c) - half)), ("y1", num(frame.y(mean))),
                                   ("x2", num(frame.x(category: c) + half)), ("y2", num(frame.y(mean))),
                                   ("stroke", "#000000"), ("stroke-width", "3"), ("class", "mark mean")],
                          tooltip: "\(categories[c]) mean over \(column.count): \(mean)")
        }
        let legend = [LegendEntry(label: "one seed", colour: "#666666", swatch: .dot),
                      LegendEntry(label: "a seed across arms", colour: "#999999", swatch: .link),
                      LegendEntry(label: "mean over seeds", colour: "#000000", swatch: .mean)]
        return frame.render(title: title, xLabel: xLabel, yLabel: yLabel, legend: legend, notes: skipped.notes, marks: marks)
    }
}
