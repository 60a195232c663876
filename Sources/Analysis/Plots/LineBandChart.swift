/// Lines with translucent bands, one per named series: e.g. a learning curve per arm,
/// the line at the mean over seeds and the band at mean ± sd.
///
/// A point is drawn when x and mean are drawable on their scales (finite; > 0 on a
/// log scale); its band end values are used when both are drawable, otherwise the band
/// has a gap there. Undrawable values are skipped and counted in the note. Points are
/// joined in x order; a series with a single point is drawn as a dot.
public struct LineBandChart: SVGPlot {
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var mean: Double
        public var lower: Double?
        public var upper: Double?

        public init(x: Double, mean: Double, lower: Double? = nil, upper: Double? = nil) {
            self.x = x; self.mean = mean; self.lower = lower; self.upper = upper
        }
    }

    public struct Series: Sendable, Equatable {
        public var name: String
        public var points: [Point]

        public init(name: String, points: [Point]) { self.name = name; self.points = points }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var xScale: AxisScale
    public var yScale: AxisScale

    public init(title: String, xLabel: String, yLabel: String, series: [Series],
                xScale: AxisScale = .linear, yScale: AxisScale = .linear) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
        self.xScale = xScale; self.yScale = yScale
    }

    private struct Drawable { let x: Double, mean: Double, band: (lower: Double, upper: Double)? }

    public func svg() -> String {
        var skipped = SkippedValues()
        let drawable: [[Drawable]] = series.map { s in
            s.points.compactMap { p -> Drawable? in
                let xOK = skipped.check(p.x, on: xScale)
                let meanOK = skipped.check(p.mean, on: yScale)
                var band: (Double, Double)?
                if let lo = p.lower, let hi = p.upper {
                    let loOK = skipped.check(lo, on: yScale), hiOK = skipped.check(hi, on: yScale)
                    if loOK && hiOK { band = (min(lo, hi), max(lo, hi)) }
                }
                guard xOK, meanOK else { return nil }
                return Drawable(x: p.x, mean: p.mean, band: band)
            }.sorted { $0.x < $1.x }
        }
        let xs = drawable.flatMap { $0.map(\.x) }
        let ys = drawable.flatMap { $0.flatMap { [$0.mean] + ($0.band.map { [$0.lower, $0.upper] } ?? []) } }
        guard !xs.isEmpty else { return PlotFrame.noData(title: title, notes: skipped.notes) }

        let frame = PlotFrame(xAxis: .numeric(NumericAxis(scale: xScale, values: xs, targetTicks: 6)),
                              yAxis: NumericAxis(scale: yScale, values: ys, targetTicks: 5))
        var marks = SVGWriter()
        var legend: [LegendEntry] = []
        for (i, points) in drawable.enumerated() where !points.isEmpty {
            let colour = Palette.colour(i)
            let hasBand = points.contains { $0.band != nil }
            legend.append(LegendEntry(label: series[i].name, colour: colour, swatch: hasBand ? .band : .line))
            for run in bandRuns(points) {
                let upper = run.map { "\(num(frame.x($0.x))),\(num(frame.y($0.band!.upper)))" }
                let lower = run.reversed().map { "\(num(frame.x($0.x))),\(num(frame.y($0.band!.lower)))" }
                marks.element("polygon", [("points", (upper + lower).joined(separator: " ")), ("fill", colour),
                                          ("fill-opacity", "0.2"), ("stroke", "none"), ("class", "mark band")])
            }
            if points.count == 1 {
                let p = points[0]
                if let band = p.band {  // one point: its band is an error bar
                    marks.element("line", [("x1", num(frame.x(p.x))), ("y1", num(frame.y(band.lower))), ("x2", num(frame.x(p.x))),
                                           ("y2", num(frame.y(band.upper))), ("stroke", colour), ("stroke-opacity", "0.5"),
                                           ("stroke-width", "6"), ("class", "mark band")])
                }
                marks.element("circle", [("cx", num(frame.x(p.x))), ("cy", num(frame.y(p.mean))), ("r", "4"),
                                         ("fill", colour), ("class", "mark dot")], tooltip: "\(series[i].name): \(p.mean)")
            } else {
                let d = points.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(num(frame.x($0.element.x))),\(num(frame.y($0.element.mean)))" }
                marks.element("path", [("d", d.joined(separator: " ")), ("fill", "none"), ("stroke", colour),
                                       ("stroke-width", "2"), ("stroke-linejoin", "round"), ("class", "mark line")])
            }
        }
        return frame.render(title: title, xLabel: xLabel, yLabel: yLabel, legend: legend, notes: skipped.notes, marks: marks)
    }

    /// Maximal runs of consecutive points that have a band; runs of one point would be
    /// invisible polygons and are dropped (a one-point series draws an error bar instead).
    private func bandRuns(_ points: [Drawable]) -> [[Drawable]] {
        var runs: [[Drawable]] = [], current: [Drawable] = []
        for p in points {
            if p.band != nil { current.append(p) } else { if current.count > 1 { runs.append(current) }; current = [] }
        }
        if current.count > 1 { runs.append(current) }
        return runs
    }
}
