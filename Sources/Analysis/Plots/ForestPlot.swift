/// A forest plot: one column per row (an arm), its estimate (e.g. the mean paired
/// difference Δ to the reference) as a dot with its interval as a vertical bar with caps,
/// and a dashed line at zero (no difference). Each row's label is its category; its
/// `detail` (e.g. "p = 0.25") is drawn above the interval. The headline figure of a
/// comparison report: the effect and its uncertainty for every arm at a glance.
///
/// A row without an interval (one pair) is a dot only; undrawable values are skipped and
/// counted in the note.
public struct ForestPlot: SVGPlot {
    public struct Row: Sendable, Equatable {
        public var label: String
        public var estimate: Double
        public var interval: ConfidenceInterval?
        public var detail: String?

        public init(label: String, estimate: Double, interval: ConfidenceInterval? = nil, detail: String? = nil) {
            self.label = label; self.estimate = estimate; self.interval = interval; self.detail = detail
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var rows: [Row]
    /// Legend text of the interval, e.g. "95% paired-t interval".
    public var intervalLabel: String

    public init(title: String, xLabel: String = "arm", yLabel: String, rows: [Row], intervalLabel: String = "95% interval") {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.rows = rows; self.intervalLabel = intervalLabel
    }

    public func svg() -> String {
        var skipped = SkippedValues()
        let drawn = rows.filter { skipped.check($0.estimate, on: .linear) }
        var ys = [0.0]
        for row in drawn {
            ys.append(row.estimate)
            if let ci = row.interval, ci.lower.isFinite, ci.upper.isFinite { ys += [ci.lower, ci.upper] }
        }
        guard !drawn.isEmpty else { return PlotFrame.noData(title: title, notes: skipped.notes) }
        let frame = PlotFrame(xAxis: .categorical(drawn.map(\.label)), yAxis: NumericAxis(scale: .linear, values: ys, targetTicks: 5))
        var marks = SVGWriter()
        marks.element("line", [("x1", num(PlotFrame.left)), ("y1", num(frame.y(0))), ("x2", num(PlotFrame.right)),
                               ("y2", num(frame.y(0))), ("stroke", "#555555"), ("stroke-width", "1.2"),
                               ("stroke-dasharray", "5 4"), ("class", "zero")])
        for (i, row) in drawn.enumerated() {
            let x = frame.x(category: i), colour = Palette.colour(i + 1)
            var top = frame.y(row.estimate)
            if let ci = row.interval, ci.lower.isFinite, ci.upper.isFinite {
                let (lo, hi) = (frame.y(ci.lower), frame.y(ci.upper))
                top = min(lo, hi)
                marks.element("line", [("x1", num(x)), ("y1", num(lo)), ("x2", num(x)), ("y2", num(hi)), ("stroke", colour),
                                       ("stroke-width", "3"), ("class", "mark interval")],
                              tooltip: "\(row.label): \(intervalLabel) [\(ci.lower), \(ci.upper)]")
                for y in [lo, hi] {
                    marks.element("line", [("x1", num(x - 9)), ("y1", num(y)), ("x2", num(x + 9)), ("y2", num(y)),
                                           ("stroke", colour), ("stroke-width", "2"), ("class", "mark cap")])
                }
            }
            marks.element("circle", [("cx", num(x)), ("cy", num(frame.y(row.estimate))), ("r", "6"), ("fill", colour),
                                     ("stroke", "#ffffff"), ("stroke-width", "1"), ("class", "mark dot")],
                          tooltip: "\(row.label): \(row.estimate)")
            if let detail = row.detail {
                marks.text(detail, x: x + 12, y: max(PlotFrame.top + 14, top - 6), size: 11, className: "detail",
                           extra: [("fill", "#333333")])
            }
        }
        let legend = [LegendEntry(label: "estimate", colour: Palette.colour(1), swatch: .dot),
                      LegendEntry(label: intervalLabel, colour: Palette.colour(1), swatch: .line),
                      LegendEntry(label: "no difference", colour: "#555555", swatch: .link)]
        return frame.render(title: title, xLabel: xLabel, yLabel: yLabel, legend: legend, notes: skipped.notes, marks: marks)
    }
}
